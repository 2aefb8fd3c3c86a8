"""Writes the history as a session goes: a session observer (see `voicecoach.runtime`).

It watches the engine's state after every dispatch and writes one row per set (an
exercise's set on one side: the plan steps that share exercise, set and side) as soon as
that set is over: `done` when every step of it was completed, `cut short` when its work
began but did not finish, `skipped` when it was passed over (its work never began, or a
jump went past it). A set done before (the engine keeps it done after "back") gets
another row only when its work is begun again (`done`: the engine cannot tell a redo
cut short), as that set ends. A stop, Ctrl-C or SIGTERM writes the set in progress and
how the session ended; a process that dies without a word leaves the session marked
`crashed` with every set written so far.

A failing database never stops a workout: the first write error is reported once and the
session goes on without history.
"""

from __future__ import annotations

import shlex
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from voicecoach.engine.state import State
from voicecoach.history.store import (
    Outcome,
    SessionRow,
    SetOutcome,
    SetRow,
    Store,
    write_hint,
)
from voicecoach.history.streaks import standing
from voicecoach.plan import Step
from voicecoach.records import EndRecord, Record, SessionRecord
from voicecoach.routine import Frequency

SetKey = tuple[int, str | None, int]  # exercise, side, set

OUTCOME_OF_REASON: dict[str, Outcome] = {
    "completed": "finished",
    "stopped": "stopped",  # the user's stop (q / "stop", then yes)
    "crashed": "crashed",
    "error": "crashed",
}  # any other reason (interrupted: Ctrl-C; terminated: SIGTERM; hangup...) is "interrupted"


def start_command(ref: str, *options: str) -> str:
    """`voicecoach start REF OPTIONS` as the user would type it in a shell: a name, or a
    path with a space or a quote in it, quoted once (every hint that says how to start or
    resume a routine is made here)."""
    return " ".join(shell_word(word) for word in ["voicecoach", "start", ref, *options])


_SPECIAL_IN_DOUBLE_QUOTES = frozenset('$`\\"!')


def shell_word(word: str) -> str:
    """`word` as one shell word, as a person would quote it: bare if it needs no quotes,
    "Jo's feet" rather than 'Jo'"'"'s feet' when double quotes keep it as it is (no `$`,
    backtick, backslash, `"` or `!`, no control character), else `shlex.quote`'s."""
    quoted = shlex.quote(word)
    if quoted == word or "'" not in word:
        return quoted
    if word.isprintable() and not _SPECIAL_IN_DOUBLE_QUOTES & set(word):
        return f'"{word}"'
    return quoted


def set_key(step: Step) -> SetKey:
    return (step.exercise, step.side, step.set)


def set_spans(steps: Sequence[Step]) -> list[tuple[int, int]]:
    """(first, last) step of each set, in plan order."""
    spans: list[tuple[int, int]] = []
    for i, step in enumerate(steps):
        if spans and set_key(steps[spans[-1][0]]) == set_key(step):
            spans[-1] = (spans[-1][0], i)
        else:
            spans.append((i, i))
    return spans


@dataclass
class _OpenSet:
    first: int
    last: int
    seconds: float = 0.0
    reps: dict[int, int] = field(default_factory=dict)
    worked: bool = False
    pain: bool = False
    written: bool = False
    done_on_entry: bool = False  # done before ("back", or an earlier run): a row when redone


class HistoryRecorder:
    """A `SessionObserver` that records the session in `store`.

    `resume` continues that session's row (from `--resume`); `wall` is the wall clock
    for the rows' timestamps (set times are session-clock seconds, so a `--fast` session
    records the minutes it stands for); `warn` hears about a database that stopped
    working; `ref` is how the user named this routine (its name, or its path), for the
    hint that says how to resume, and `source` the file it was read from (kept with the
    session)."""

    def __init__(
        self,
        store: Store,
        routine: str,
        routine_hash: str,
        resume: SessionRow | None = None,
        wall: Callable[[], float] = time.time,
        warn: Callable[[str], None] = print,
        frequency: Frequency | None = None,
        *,
        ref: str = "",
        source: str | None = None,
    ) -> None:
        self.store = store
        self.routine = routine
        self.routine_hash = routine_hash
        self.resume = resume
        self.wall = wall
        self.warn = warn
        self.frequency = frequency
        self.ref = ref or routine  # how the user starts it: `voicecoach start REF`
        self.source = source
        self.session: int | None = None
        self.summary = ""  # after the end: how the user stands, for the terminal
        self._minutes_before = resume.minutes if resume is not None else 0.0
        self._open: _OpenSet | None = None
        self._spans: list[tuple[int, int]] = []
        self._last: State | None = None
        self._failed = False

    # ------------------------------------------------------------ the observer

    def started(self, header: SessionRecord) -> None:
        self._write(lambda: self._begin(header))

    def _begin(self, header: SessionRecord) -> None:
        engine = header.ears or "keys"  # the recognizer that runs, or the keys alone
        if self.resume is not None:  # it keeps the doses it was fitted to
            self.store.reopen(self.resume.id, self.wall(), engine)
            self.session = self.resume.id
        else:
            self.session = self.store.begin(
                self.routine,
                self.routine_hash,
                self.wall(),
                engine,
                dose_fit=header.dose_fit,
                start_exercise=header.start_exercise,
                source=self.source,
            )

    def update(self, state: State, records: Sequence[Record], now: float) -> None:
        if not self._spans:
            self._spans = set_spans(state.steps)
        self._account(state, now)
        self._track(state, now)
        self._late_pain(state)
        self._last = state

    def ended(self, end: EndRecord, state: State) -> None:
        now = state.now
        self._account(state, now)
        if self._open is not None and self._due(self._open):
            self._close(self._open, state, now)
        outcome = OUTCOME_OF_REASON.get(end.reason, "interrupted")
        self._write(lambda: self._finish(outcome, now))
        if not self._failed:
            self.summary = self._summary(outcome, resumable=self._set_left(state))

    def _set_left(self, state: State) -> bool:
        """Whether `--resume` would pick up something a fresh start would not: a set is
        done (it resumes after the furthest one, `memory._resume_point`; with none, where
        the session began) and the last set is not."""
        first, last = (self._spans or set_spans(state.steps))[-1]
        if all(i in state.completed for i in range(first, last + 1)):
            return False
        if self.session is None:  # never begun: nothing recorded to continue
            return False
        return any(s.outcome == "done" for s in self.store.sets(self.session))

    def _summary(self, outcome: Outcome, *, resumable: bool) -> str:
        """ "ground-up: 2 of 2 this week, streak: 3 weeks", and how to resume (if a set
        is left)."""
        text = ""
        if self.frequency is not None:
            days = [
                datetime.fromtimestamp(s.ended).date()
                for s in self.store.sessions(routine=self.routine)
                if s.outcome == "finished"
            ]
            now = standing(days, self.frequency, datetime.fromtimestamp(self.wall()).date())
            text = f"{self.routine}: {now.short}" if now is not None else ""
        if outcome != "finished" and resumable:
            hint = f"to continue this session: {start_command(self.ref, '--resume')}"
            text = f"{text} ({hint})" if text else hint
        return text

    # ------------------------------------------------------------------ sets

    def _account(self, state: State, now: float) -> None:
        """Time and reps of the set in progress, from the state before this update."""
        before, current = self._last, self._open
        if before is None or current is None:
            return
        working = before.phase in ("work", "hold") and before.pause is None
        if working and current.first <= before.index <= current.last:
            current.seconds += max(0.0, now - before.now)

    def _track(self, state: State, now: float) -> None:
        span = self._span_of(state)
        current = self._open
        if current is not None and (span is None or span[0] != current.first):
            if self._due(current):
                self._close(current, state, now)
            if span is not None and span[0] > current.last + 1:
                for first, last in self._spans:
                    if current.last < first and last < span[0]:
                        self._add(_OpenSet(first, last), state, now, "skipped")
            self._open = current = None
        if span is None:
            return
        if current is None:
            current = self._open = _OpenSet(*span)
            current.done_on_entry = self._all_done(current, state)
        if state.phase in ("work", "hold"):
            current.worked = True
            current.reps[state.index] = max(current.reps.get(state.index, 0), state.rep)
        if state.pause is not None and state.pause.kind == "pain":
            current.pain = True
        if not current.written and not current.done_on_entry and self._all_done(current, state):
            self._close(current, state, now)

    def _late_pain(self, state: State) -> None:
        """A pain reported with no set open whose row is still to come (in the goodbye,
        or in the rest after a set already written): marked on the last set of the
        exercise the engine reported it with."""
        before = self._last.pains if self._last is not None else ()
        later = self._open is not None and self._due(self._open)
        if not later and len(state.pains) > len(before):
            exercise = state.routine.exercises[state.pains[-1]].id
            self._write(lambda: self.store.mark_pain(self._session_id(), exercise))

    @staticmethod
    def _all_done(current: _OpenSet, state: State) -> bool:
        return all(i in state.completed for i in range(current.first, current.last + 1))

    @staticmethod
    def _due(current: _OpenSet) -> bool:
        """Whether a set that ends now still needs its row: not written yet, and not a
        set done before that the user only passed again (after "back") without working."""
        return not current.written and (current.worked or not current.done_on_entry)

    def _span_of(self, state: State) -> tuple[int, int] | None:
        if state.phase in ("intro", "done") or state.ended:
            return None
        return next(s for s in self._spans if s[0] <= state.index <= s[1])

    def _close(self, current: _OpenSet, state: State, now: float) -> None:
        steps = range(current.first, current.last + 1)
        if all(i in state.completed for i in steps):
            outcome: SetOutcome = "done"
        elif current.worked or any(i in state.completed for i in steps):
            outcome = "cut short"
        else:
            outcome = "skipped"
        self._add(current, state, now, outcome)

    def _add(self, current: _OpenSet, state: State, now: float, outcome: SetOutcome) -> None:
        current.written = True
        first = state.steps[current.first]
        reps = sum(
            state.steps[i].reps if i in state.completed else current.reps.get(i, 0)
            for i in range(current.first, current.last + 1)
        )
        row = SetRow(
            first_step=current.first,
            last_step=current.last,
            exercise=state.routine.exercises[first.exercise].id,
            set_number=first.set,
            side=first.side,
            outcome=outcome,
            seconds=round(current.seconds, 3),
            reps=reps if outcome != "skipped" else 0,
            pain=current.pain,
            at=self.wall(),
        )
        minutes = self._minutes(now)
        self._write(lambda: self.store.add_set(self._session_id(), row, minutes))

    def _finish(self, outcome: Outcome, now: float) -> None:
        self.store.finish(self._session_id(), self.wall(), outcome, self._minutes(now))

    def _minutes(self, now: float) -> float:
        return round(self._minutes_before + now / 60.0, 3)

    def _session_id(self) -> int:
        if self.session is None:
            raise sqlite3.OperationalError("the session row was never written")
        return self.session

    def _write(self, action: Callable[[], None]) -> None:
        if self._failed:
            return
        try:
            action()
        except sqlite3.Error as exc:
            self._failed = True
            self.warn(
                f"voicecoach: the history stopped recording this session ({exc}); what it"
                f" recorded before is kept\n  hint: {write_hint(exc)}"
            )
