"""What the history brings to a new session, decided once before it starts: where a
`--resume` picks up (the set after the furthest one completed, and the steps already done, in
the routine as that session ran it: with the doses it was fitted to by `--minutes`),
the standing sentence the coach says, the one-time hint that `--resume` exists, and the
recorder that writes this session. `--no-history` leaves no trace: nothing is opened.
A replay (`--fast`: a simulation on a virtual clock; `--listen-file`: the microphone read
from a WAV) is not a workout done, so it leaves no trace either unless `--record` asks
(`recorded`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from voicecoach import catalog
from voicecoach.errors import HistoryError, UsageError, VoicecoachError
from voicecoach.history.recorder import HistoryRecorder, set_spans, start_command
from voicecoach.history.store import SessionRow, SetRow, Store, open_history, per_set
from voicecoach.history.streaks import Standing, standing
from voicecoach.plan import DoseFit, Step, scaled_doses
from voicecoach.plan import steps as plan_steps
from voicecoach.routine import Routine

RESUME_WITHIN = 24 * 3600.0  # seconds: how old an unfinished session `--resume` takes


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Memory:
    start_step: int | None = None  # resume: where the session picks up
    done_before: frozenset[int] = frozenset()  # resume: the steps done in the earlier run
    standing: str = ""  # a sentence for the intro ("This is your 2nd workout this week...")
    recorder: HistoryRecorder | None = None
    routine: Routine | None = None  # resume of a `--minutes` session: its fitted routine
    dose_fit: DoseFit | None = None  # resume: how that session's `--minutes N` fitted them

    def close(self) -> None:
        if self.recorder is not None:
            self.recorder.store.close()


def finished_days(store: Store, routine: str) -> list[date]:
    """The local day each finished session of `routine` ended on."""
    return [
        datetime.fromtimestamp(s.ended).date()
        for s in store.sessions(routine=routine)
        if s.outcome == "finished"
    ]


def standing_now(store: Store, routine: Routine, today: date) -> Standing | None:
    return standing(finished_days(store, routine.name), routine.frequency, today)


def ahead_sentence(store: Store, routine: Routine, today: date) -> str:
    """The standing once this session is done: "This is your 2nd workout this week, of
    2 to 3, and the 4th week in a row." (said in the intro and again when it finishes)."""
    days = finished_days(store, routine.name)
    after = standing([*days, today], routine.frequency, today)
    if after is None:
        return ""
    nth = _ordinal(after.count)
    text = f"This is your {nth} workout {after.period_word}, of {after.times_said}"
    if after.streak > 1:
        text += f", and the {_ordinal(after.streak)} {after.per} in a row"
    return text + "."


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def recorded(*, no_history: bool = False, replay: bool = False, record: bool = False) -> bool:
    """Whether a session uses the history (reads it, and is recorded in it): a workout
    does; a replay (`--fast`, `--listen-file`) only with `--record`; `--no-history` never."""
    if no_history and record:
        raise UsageError("--record and --no-history ask for opposite things", "drop one of them")
    return record or not (no_history or replay)


def prepare(
    routine: Routine,
    path: Path,
    *,
    resume: bool,
    no_history: bool = False,
    replay: bool = False,
    record: bool = False,
    warn: Callable[[str], None] = print,
    wall: Callable[[], float] = time.time,
    store_path: Path | None = None,
    ref: str | None = None,
) -> Memory:
    """Open the history and decide what it brings to this session of `routine` (read from
    `path`), unless the session does not use it (`recorded`). A history that cannot be
    opened is reported and the session runs without it; `--resume` then has nothing to
    resume from, which is an error. `ref` is how the user named the routine (a name or
    a path: `voicecoach start REF`), which every hint repeats (default: its name)."""
    if not recorded(no_history=no_history, replay=replay, record=record):
        if resume and no_history:
            raise UsageError(
                "--resume needs the history, and --no-history turns it off", "drop one of them"
            )
        if resume:
            raise UsageError(
                "--resume continues a recorded session, and a --fast or --listen-file replay "
                "is not recorded",
                "add --record to record this replay in the history, or drop --resume",
            )
        return Memory()
    try:
        store = open_history(store_path, warn=warn, wall=wall)
    except HistoryError as exc:
        if resume:
            raise
        warn(f"voicecoach: {exc}\nvoicecoach: this session is not recorded")
        return Memory()
    try:
        ran = _Ran(ref or routine.name, path.resolve(), file_hash(path))
        return _prepare(store, routine, ran, resume, warn, wall)
    except BaseException:
        store.close()
        raise


@dataclass(frozen=True, slots=True)
class _Ran:
    """This session's routine: how the user named it (`voicecoach start REF`), the file
    that found (resolved) and the file's hash."""

    ref: str
    source: Path
    digest: str


def _prepare(
    store: Store,
    routine: Routine,
    ran: _Ran,
    resume: bool,
    warn: Callable[[str], None],
    wall: Callable[[], float],
) -> Memory:
    now = wall()
    today = datetime.fromtimestamp(now).date()
    unfinished = store.unfinished(routine.name, since=now - RESUME_WITHIN)
    start_step, done_before, row, fitted = None, frozenset[int](), None, None
    if resume:
        row, fitted, start_step, done_before = _resumed(store, unfinished, routine, ran)
    elif unfinished is not None and datetime.fromtimestamp(unfinished.ended).date() == today:
        _offer_resume(store, unfinished, routine, ran, warn)
    recorder = HistoryRecorder(
        store,
        routine.name,
        ran.digest,
        row,
        wall,
        warn,
        routine.frequency,
        ref=ran.ref,
        source=str(ran.source),
    )
    sentence = ahead_sentence(store, routine, today)
    if row is None or fitted is None:
        return Memory(start_step, done_before, sentence, recorder)
    return Memory(start_step, done_before, sentence, recorder, fitted, row.dose_fit)


def _resumed(
    store: Store, unfinished: SessionRow | None, routine: Routine, ran: _Ran
) -> tuple[SessionRow, Routine | None, int, frozenset[int]]:
    """What `--resume` continues: the session, its routine as it ran (None: the file's
    doses), the step it picks up at and the steps done; a UsageError when it cannot."""
    row = _resumable(unfinished, routine, ran)
    fitted = _as_it_ran(row, routine)
    start, done = _resume_point(store, row, fitted or routine, start_command(ran.ref))
    return row, fitted, start, done


def _offer_resume(
    store: Store, row: SessionRow, routine: Routine, ran: _Ran, warn: Callable[[str], None]
) -> None:
    """Starting afresh while today's session is unfinished: say so, with the one command
    that continues it (from the file it ran from, when that is not the file this session
    found); nothing when no command would."""
    done = sum(1 for s in per_set(store.sets(row.id)) if s.outcome == "done")
    when = datetime.fromtimestamp(row.started).strftime("%H:%M")
    head = (
        f"voicecoach: your {routine.name} session from {when} today did not finish "
        f"({done} set{'s' if done != 1 else ''} done); "
    )
    if _can_resume(store, row, routine, ran):
        warn(f"{head}to continue it: {start_command(ran.ref, '--resume')}")
        return
    elsewhere = _ran_elsewhere(row, ran)
    if elsewhere is not None and _can_resume(store, row, *elsewhere):
        there = elsewhere[1]
        warn(
            f"{head}it ran from a different file, {there.source}, not {ran.source}; "
            f"to continue it: {start_command(there.ref, '--resume')}"
        )


def _ran_elsewhere(row: SessionRow, ran: _Ran) -> tuple[Routine, _Ran] | None:
    """The routine and file that session ran from, when that is not this file and is
    still as it was then (else no command continues it)."""
    if row.source is None or Path(row.source) == ran.source:
        return None
    there = Path(row.source)
    try:
        digest = file_hash(there)
        if digest != row.routine_hash:
            return None
        return catalog.load(there), _Ran(str(there), there, digest)
    except (OSError, VoicecoachError):  # gone, unreadable, no longer a routine
        return None


def _can_resume(store: Store, row: SessionRow, routine: Routine, ran: _Ran) -> bool:
    """Whether `--resume` would continue that session past where a fresh start begins
    (so that a hint may offer it): it can, and a set of it was done."""
    try:
        _, _, _, done = _resumed(store, row, routine, ran)
    except UsageError:
        return False
    return bool(done)


def _as_it_ran(row: SessionRow, routine: Routine) -> Routine | None:
    """The routine with the doses that session was fitted to (`--minutes`), or None: it
    ran the file's own doses. The file is the same (`_resumable` checks its hash), so the
    same scale gives the same doses, whatever this session's speech rate or options."""
    fit = row.dose_fit
    if fit is None:
        return None
    return routine if fit.scale is None else scaled_doses(routine, fit.scale)


def _resumable(unfinished: SessionRow | None, routine: Routine, ran: _Ran) -> SessionRow:
    command = start_command(ran.ref)
    if unfinished is None:
        hours = round(RESUME_WITHIN / 3600)
        raise UsageError(
            f"no unfinished session of {routine.name} in the last {hours} hours to resume",
            f"start it without --resume: {command}",
        )
    if unfinished.routine_hash == ran.digest:
        return unfinished
    if unfinished.source is not None and Path(unfinished.source) != ran.source:
        there = Path(unfinished.source)
        elsewhere = f"the unfinished session of {routine.name} ran from a different file, {there}"
        raise UsageError(
            f"{elsewhere}, not {ran.source}"  # a path names its file itself
            if Path(ran.ref).resolve() == ran.source
            else f"{ran.ref} finds {ran.source}, but {elsewhere}",
            f"resume it from that file: {start_command(str(there), '--resume')}"
            if there.is_file()
            else f"that file is gone; start afresh without --resume: {command}",
        )
    raise UsageError(
        f"the routine file of {routine.name} changed since that session, so its sets "
        "no longer line up",
        f"start it afresh without --resume: {command}",
    )


def _resume_point(
    store: Store, row: SessionRow, routine: Routine, command: str
) -> tuple[int, frozenset[int]]:
    """The set after the furthest one completed (a set passed again after "back" is
    recorded done again: the latest is not the furthest), none completed: the first set
    the session reached, or else the first of the exercise it started with, which
    `--from` may have put past the first; and every step of the completed sets."""
    sets = store.sets(row.id)
    plan = plan_steps(routine)
    if not _lines_up(sets, plan, routine):
        raise UsageError(
            f"the sets that session of {routine.name} recorded do not line up with the "
            "routine's sets now (an older voicecoach, or doses fitted with --minutes that "
            "it did not keep)",
            f"start it afresh without --resume: {command}",
        )
    done = [s for s in sets if s.outcome == "done"]
    steps = frozenset(i for s in done for i in range(s.first_step, s.last_step + 1))
    if done:
        start = max(s.last_step for s in done) + 1
    elif sets:
        start = sets[0].first_step
    else:  # stopped in the intro
        start = next((i for i, s in enumerate(plan) if s.exercise == row.start_exercise), 0)
    if start >= len(plan):
        raise UsageError(
            f"that session of {routine.name} had done every set; nothing is left to resume",
            f"start it afresh: {command}",
        )
    return start, steps


def _lines_up(sets: list[SetRow], plan: list[Step], routine: Routine) -> bool:
    """Whether every recorded set is a set of this plan: its steps, exercise, set, side."""
    spans = dict(set_spans(plan))
    for row in sets:
        if spans.get(row.first_step) != row.last_step:
            return False
        step = plan[row.first_step]
        exercise = routine.exercises[step.exercise].id
        if (exercise, step.set, step.side) != (row.exercise, row.set_number, row.side):
            return False
    return True
