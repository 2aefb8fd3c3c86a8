"""Whole sessions of each packaged routine, driven by hypothesis's stateful testing: any
interleaving of everything a user can say, ticks of the clock (one deadline, or a jump of
many seconds) and the voice's answers (`Spoke`, at once or late, for speech shorter or
longer than the engine's estimate). After every event: nothing raised, no time left is
negative, the phase moves only along the session's flow, a paused session neither counts
nor advances, the history recorder kept up; a "stop" then "yes" always ends the session;
saying only "next" ends any session in a bounded number of words; and at the end the
summary, the engine's state, what the clock alone completed and the history agree."""

from __future__ import annotations

import itertools
import math
import os
import re
from dataclasses import dataclass, field

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from voicecoach import catalog
from voicecoach.engine import State, initial, step
from voicecoach.engine.commands import TEMPO_LIMITS
from voicecoach.engine.timing import rest_left, segment_left, start_left, time_text, workout_left
from voicecoach.history.recorder import HistoryRecorder, set_spans
from voicecoach.history.store import Store, per_set
from voicecoach.intents import Intent
from voicecoach.messages import Cue, Event, Heard, Interrupt, Say, Spoke, Start, Tick
from voicecoach.records import EndRecord, HeardRecord, StateRecord
from voicecoach.runtime.runner import session_header
from voicecoach.runtime.simulation import RecordingVoice
from voicecoach.speech import speech_seconds

ROUTINES = ("back-hip-knee", "back-hip-knee-20", "behind-knee", "ground-up", "knee-strength")
EPS = 1e-6

# where the phase may go in one move (a jump of the clock makes several moves: the state
# records of one event give each of them); "done" goes nowhere
FLOW: dict[str, frozenset[str]] = {
    "intro": frozenset({"intro", "setup", "done"}),
    "setup": frozenset({"setup", "ready", "done"}),
    "ready": frozenset({"ready", "setup", "work", "hold", "done"}),
    "work": frozenset({"work", "hold", "rest", "ready", "setup", "done"}),
    "hold": frozenset({"work", "hold", "rest", "ready", "setup", "done"}),
    "rest": frozenset({"work", "hold", "rest", "ready", "setup", "done"}),
    "done": frozenset({"done"}),
}


class FakeWall:
    """A wall clock that moves a second per reading."""

    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        self.t += 1.0
        return self.t


@dataclass
class Model:
    """What happened, as the test saw it (not as the engine keeps it)."""

    pains: int = 0  # pain reports the user made that count (the engine's rules below)
    by_clock: set[int] = field(default_factory=set)  # steps whose work ran out by a tick
    begun: set[int] = field(default_factory=set)  # exercises whose work was seen
    ends: list[EndRecord] = field(default_factory=list)


class Session(RuleBasedStateMachine):
    """One session of one packaged routine, driven as the runtime drives the engine."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0
        self.speed = 1.0  # the voice's speech, against the engine's estimate
        self.voice = RecordingVoice(lambda text: speech_seconds(text) * self.speed)
        self.late: list[Spoke] = []  # the voice's answers not yet delivered
        self.model = Model()
        self.over = False  # the session ended (or a stop was confirmed and run out)

    # ---------------------------------------------------------------- the driver

    @initialize(name=st.sampled_from(ROUTINES), ready=st.sampled_from([0.0, 5.0, 15.0]))
    def start(self, name: str, ready: float) -> None:
        from voicecoach.engine import Config

        self.routine = catalog.find(name)
        self.state: State = initial(self.routine, Config(ready_timeout=ready))
        self.store = Store.memory()
        self.recorder = HistoryRecorder(
            self.store, name, "hash", wall=FakeWall(), warn=self._warned
        )
        self.recorder.started(
            session_header(self.state, fast=True, voice="RecordingVoice", ears=None)
        )
        self.spans = set_spans(self.state.steps)
        self.dispatch(Start(0.0), late=False)

    def _warned(self, text: str) -> None:
        raise AssertionError(f"the history failed: {text}")

    def dispatch(self, event: Event, late: bool) -> None:
        """Step the engine, perform its effects on the voice (its answers now or later),
        check the move and tell the history recorder. Once ended, nothing moves it."""
        if self.state.ended:
            assert step(self.state, event) == (self.state, [])
            return
        before = self.state
        queue = [event]
        records: list[StateRecord] = []
        while queue:
            ev = queue.pop(0)
            self.state, effects = step(self.state, ev)
            for fx in effects:
                spoke = self._perform(fx)
                if isinstance(fx, StateRecord):
                    records.append(fx)
                if isinstance(fx, HeardRecord):
                    assert isinstance(ev, Heard)
                if spoke is not None:
                    (self.late if late else queue).append(spoke)
        self._check_move(before, event, records)
        self.recorder.update(self.state, [], self.now)
        if self.state.ended:
            assert len(self.model.ends) == 1, "one end record, once"
            self.recorder.ended(self.model.ends[0], self.state)
            self.over = True

    def _perform(self, fx: object) -> Spoke | None:
        if isinstance(fx, Say | Cue):
            at = max(fx.at, self.now)
            played = (
                self.voice.say(fx.text, at) if isinstance(fx, Say) else self.voice.cue(fx.name, at)
            )
            if isinstance(fx, Say):
                assert not re.search(r"(?<![\w])-\d", fx.text), (
                    f"a negative number said: {fx.text!r}"
                )
                assert "nan" not in fx.text.lower().split(), fx.text
            return Spoke(self.now, fx.id, played.start, played.duration)
        if isinstance(fx, Interrupt):
            self.voice.interrupt(fx.at)
        if isinstance(fx, EndRecord):
            self.model.ends.append(fx)
        return None

    def _check_move(self, before: State, event: Event, records: list[StateRecord]) -> None:
        after = self.state
        phases = [before.phase] + [r.phase for r in records if r.phase != "paused"]
        phases.append(after.phase)
        for a, b in itertools.pairwise(phases):
            assert b in FLOW[a], f"the phase went from {a} to {b} on {event}"
        for r in records:
            if r.phase in ("work", "hold") and r.index is not None:
                self.model.begun.add(r.index)
        assert before.completed <= after.completed, "a completed step was forgotten"
        if before.paused and after.paused and isinstance(event, Tick | Spoke):
            frozen = ("index", "rep", "phase", "completed", "seg_end", "agenda", "pause")
            for name in frozen:
                assert getattr(before, name) == getattr(after, name), f"paused, {name} moved"
        if before.paused and after.paused and isinstance(event, Heard):
            for name in ("index", "rep", "phase", "completed", "begun"):
                assert getattr(before, name) == getattr(after, name), f"paused, {name} moved"
        if isinstance(event, Tick) and not before.paused:
            # a step whose work ran to its end, on the clock alone
            if (
                before.phase in ("work", "hold")
                and before.index in after.completed - before.completed
            ):
                self.model.by_clock.add(before.index)
            for i in after.completed - before.completed:
                self.model.by_clock.add(i)

    def _hear(self, intent: Intent, late: bool) -> None:
        s = self.state
        counts = (
            intent == Intent.PAIN
            and not s.ended
            and (
                (s.phase == "done" and any(k <= s.exercise for k in s.begun))
                or (s.phase not in ("intro", "done") and not (s.pause and s.pause.kind == "pain"))
            )
        )
        self.model.pains += int(counts)
        self.dispatch(Heard(self.now, intent, intent.value), late)

    def _tick_to(self, t: float, late: bool) -> None:
        """Tick every deadline up to `t`, one at a time, then stand at `t`."""
        for _ in range(100_000):
            deadline = self.state.next_deadline
            if self.state.ended or deadline is None or deadline > t:
                break
            self.now = max(self.now, deadline)
            self.dispatch(Tick(self.now), late)
        else:
            raise AssertionError("the session never settled")
        if not self.state.ended and t != math.inf:
            self.now = max(self.now, t)

    # ------------------------------------------------------------------ the rules

    @rule(
        intent=st.sampled_from(list(Intent)),
        speed=st.floats(0.5, 2.0),
        late=st.booleans(),
    )
    def say(self, intent: Intent, speed: float, late: bool) -> None:
        self.speed = speed
        self._hear(intent, late)

    @rule(speed=st.floats(0.5, 2.0), late=st.booleans())
    def tick_the_next_deadline(self, speed: float, late: bool) -> None:
        self.speed = speed
        deadline = self.state.next_deadline
        if deadline is not None:
            self._tick_to(deadline, late)

    @rule(seconds=st.floats(0.0, 300.0), speed=st.floats(0.5, 2.0))
    def wait(self, seconds: float, speed: float) -> None:
        self.speed = speed
        self._tick_to(self.now + seconds, late=False)

    @rule(which=st.integers(0, 100))
    def speech_finished(self, which: int) -> None:
        if not self.late:
            return
        spoke = self.late.pop(which % len(self.late))
        self.dispatch(Spoke(self.now, spoke.id, spoke.at, spoke.duration), late=False)

    @rule()
    def stop_then_yes_ends_the_session(self) -> None:
        was_done = self.state.phase == "done"
        self._hear(Intent.STOP, late=False)
        self._hear(Intent.YES, late=False)
        assert self.state.phase == "done" or self.state.ended
        self._tick_to(math.inf, late=False)
        assert self.state.ended, "stop, yes: the session did not end"
        (end,) = self.model.ends
        assert end.reason == "stopped" or (was_done and end.reason == "completed")

    @rule()
    def only_next_ends_the_session(self) -> None:
        bound = 2 * len(self.state.steps) + 5
        for _ in range(bound):
            if self.state.ended:
                break
            self._hear(Intent.NEXT, late=False)
        assert self.state.ended, f"{bound} times 'next' did not end the session"

    # ------------------------------------------------------------- the invariants

    @invariant()
    def no_time_left_is_negative(self) -> None:
        s = self.state
        if s.started is None:
            return
        for left in (segment_left(s), rest_left(s), start_left(s)):
            assert left is None or left >= -EPS, left
        assert workout_left(s) >= 0
        assert s.next_deadline is None or s.next_deadline >= self.now - EPS or s.ended
        assert not re.search(r"(?<![\w])-\d", time_text(s))

    @invariant()
    def the_state_is_one_the_session_can_be_in(self) -> None:
        s = self.state
        if s.started is None:
            return
        assert 0 <= s.index < len(s.steps)
        assert TEMPO_LIMITS[0] - EPS <= s.tempo_factor <= TEMPO_LIMITS[1] + EPS
        if s.phase == "hold":
            assert s.step.kind == "holds"
        if s.phase == "work":
            assert s.step.kind != "holds"
        assert 0 <= s.rep <= max(s.step.reps, 0)
        if s.paused:
            assert s.next_deadline is None
            assert s.phase != "done"
        if not s.ended and not s.paused:
            assert s.next_deadline is not None, "a running session with nothing to wait for"
        assert s.ended == bool(self.model.ends)

    @invariant()
    def the_history_has_a_row_for_each_set_that_ended(self) -> None:
        if not hasattr(self, "store"):
            return
        rows = self.store.sets(self.recorder.session or 0)
        for row in rows:
            assert (row.first_step, row.last_step) in self.spans
            if row.outcome == "done":
                assert all(
                    i in self.state.completed for i in range(row.first_step, row.last_step + 1)
                )

    def teardown(self) -> None:
        if not hasattr(self, "state"):
            return
        if not self.over:  # every session ends once only "next" is said
            self.only_next_ends_the_session()
        self._check_the_end()

    def _check_the_end(self) -> None:
        s = self.state
        (end,) = self.model.ends
        assert self.model.by_clock <= s.completed
        for i in s.completed - self.model.by_clock:  # done by "next": open-ended or an
            ex = s.routine.exercises[s.steps[i].exercise]  # alternative's shorter dose
            assert ex.step_works()[s.steps[i].part].until or any(
                a.work is not None for a in ex.alternatives
            ), f"step {i} counted done, but its work never ran out"
        assert end.pain_reports == len(s.pains) == self.model.pains
        # the summary
        exercises = s.routine.exercises
        done = [
            k
            for k in range(len(exercises))
            if all(i in s.completed for i, x in enumerate(s.steps) if x.exercise == k)
        ]
        assert end.done == len(done)
        total = end.done + (end.cut_short or 0) + (end.skipped or 0)
        assert end.summary[0].startswith(f"You did {end.done} of {total} exercise")
        # the history: the session row, and each set by its best outcome
        (row,) = self.store.sessions()
        outcome = {"completed": "finished", "stopped": "stopped"}[end.reason]
        assert row.outcome == outcome
        sets = per_set(self.store.sets(row.id))
        best = {(r.first_step, r.last_step): r for r in sets}
        for k, ex in enumerate(exercises):
            mine = [sp for sp in self.spans if s.steps[sp[0]].exercise == k]
            all_done = all(sp in best and best[sp].outcome == "done" for sp in mine)
            assert all_done == (k in done), f"{ex.id}: history and summary disagree"
        rows = self.store.sets(row.id)  # every row: a set redone keeps its painful try
        assert any(r.pain for r in rows) == bool(s.pains), "pain in the summary, not the history"
        pained = {r.exercise for r in rows if r.pain}
        assert pained == {exercises[k].id for k in s.pains}


# a longer search: STATEFUL_EXAMPLES=2000 python -m pytest tests/test_engine_stateful.py
EXAMPLES = int(os.environ.get("STATEFUL_EXAMPLES", "60"))
Session.TestCase.settings = settings(max_examples=EXAMPLES, stateful_step_count=40, deadline=None)
test_whole_sessions_of_every_routine_keep_the_engine_sound = Session.TestCase
