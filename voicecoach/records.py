"""The session log's records: one frozen dataclass per record type.

The engine produces `StateRecord`, `HeardRecord` and `EndRecord` (as effects); the runtime
produces `SessionRecord` (the header), `SayRecord`, `CueRecord` and `InterruptRecord`.
One writer (`voicecoach.runtime.log.LogWriter`) turns them into JSON Lines with `as_json`:
`{"t": t rounded to the millisecond, "type": kind, **fields}`, the format README documents.
Observers (`voicecoach.runtime.observer.SessionObserver`) receive the typed records.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from voicecoach.plan import DoseFit


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """The header: which routine, which options, which voice and ears."""

    kind: ClassVar[str] = "session"
    t: float
    routine: str
    title: str
    version: str
    exercises: int
    start_exercise: int
    estimate_seconds: float
    ready_timeout: float
    fast: bool
    voice: str
    ears: str | None
    fit_minutes: float | None = None  # `--minutes N`: the doses were fitted to N minutes
    dose_scale: float | None = None  # where in the article's ranges (`plan.scaled_doses`)

    @property
    def dose_fit(self) -> DoseFit | None:
        """The two fields above as one value (the log keeps them flat)."""
        from voicecoach.plan import DoseFit

        return DoseFit.of(self.fit_minutes, self.dose_scale)


@dataclass(frozen=True, slots=True)
class SayRecord:
    """Speech handed to the voice: heard from `t` for `duration` seconds (unless cut)."""

    kind: ClassVar[str] = "say"
    t: float
    text: str
    duration: float


@dataclass(frozen=True, slots=True)
class CueRecord:
    """A cue tone handed to the voice: heard from `t` for `duration` seconds."""

    kind: ClassVar[str] = "cue"
    t: float
    name: str
    duration: float


@dataclass(frozen=True, slots=True)
class InterruptRecord:
    """The voice was cut at `t`: sounds logged earlier play only up to `t`."""

    kind: ClassVar[str] = "interrupt"
    t: float


@dataclass(frozen=True, slots=True)
class StateRecord:
    """Where the session is: exercise id and index, set, side, phase, step (None in the
    intro and at the end)."""

    kind: ClassVar[str] = "state"
    t: float
    exercise: str | None
    index: int | None
    set: int | None
    side: str | None
    phase: str
    step: int | None

    def same_place(self, other: StateRecord | None) -> bool:
        """Whether `other` says the same thing at whatever time."""
        return other is not None and (
            self.exercise,
            self.index,
            self.set,
            self.side,
            self.phase,
            self.step,
        ) == (other.exercise, other.index, other.set, other.side, other.phase, other.step)


@dataclass(frozen=True, slots=True)
class HeardRecord:
    """A command was recognized (`source`: "voice" or "keys")."""

    kind: ClassVar[str] = "heard"
    t: float
    intent: str
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class EndRecord:
    """The session is over: `reason` is completed, stopped, interrupted, stalled...
    `done`/`skipped` count exercises (None when the session never started)."""

    kind: ClassVar[str] = "end"
    t: float
    completed: bool
    reason: str
    done: int | None = None
    skipped: int | None = None
    cut_short: int | None = None
    pain_reports: int | None = None
    summary: tuple[str, ...] = ()  # the session's outcome in words, as said and printed


Record = (
    SessionRecord | SayRecord | CueRecord | InterruptRecord | StateRecord | HeardRecord | EndRecord
)


def as_json(record: Record) -> dict[str, Any]:
    """The record as one JSON Lines object: time rounded to the millisecond, `type` second."""
    fields = asdict(record)
    t = fields.pop("t")
    if isinstance(record, EndRecord) and record.done is None:
        del fields["done"], fields["skipped"], fields["cut_short"], fields["pain_reports"]
        del fields["summary"]
    elif isinstance(record, EndRecord):
        fields["summary"] = list(record.summary)
    return {"t": round(t, 3), "type": record.kind, **fields}
