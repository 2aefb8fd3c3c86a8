"""Drives the pure engine: performs its effects on a Voice, answers each Say/Cue with a
Spoke, hands every log record to its sink, and ticks at its deadlines.

One driver for every mode: `voicecoach.runtime.loops` uses it with a real clock (the main
loop waits for events until `next_deadline`) or a virtual one (`--fast`: jump from
deadline to deadline); tests use it with `RecordingVoice`, a Voice that keeps what would
be heard (`voicecoach.runtime.simulation`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING

from voicecoach.engine import abort, step
from voicecoach.engine.state import State
from voicecoach.intents import Intent
from voicecoach.messages import Cue, Effect, Event, Heard, Interrupt, Say, Spoke, Start, Tick
from voicecoach.ports import Clock, Voice
from voicecoach.records import (
    CueRecord,
    EndRecord,
    HeardRecord,
    InterruptRecord,
    Record,
    SayRecord,
    SessionRecord,
    StateRecord,
)
from voicecoach.runtime.clocks import VirtualClock
from voicecoach.runtime.observer import SessionObserver

if TYPE_CHECKING:
    from voicecoach.plan import DoseFit

MAX_EVENTS = 2_000_000  # a virtual session never needs this many: a planning bug


class Runner:
    """Feeds events to the engine and performs its effects.

    The voice queues each sound after the previous one and says where it really starts
    and how long it lasts; the Spoke and the records carry that. Records: `say`/`cue` with
    their start `t` and `duration`, and `interrupt` when the voice is cut (a sound logged
    earlier plays only up to that `t`; one that would start later never plays), with the
    engine's own (`state`, `heard`, `end`). Every observer sees them after each dispatch
    (`voicecoach.runtime.observer`)."""

    def __init__(
        self,
        state: State,
        voice: Voice,
        clock: Clock,
        observers: Sequence[SessionObserver] = (),
        header: SessionRecord | None = None,
    ) -> None:
        self.state = state
        self.voice = voice
        self.clock = clock
        self.observers = tuple(observers)
        self.header = header or session_header(
            state, fast=isinstance(clock, VirtualClock), voice=type(voice).__name__, ears=None
        )
        self.voice_end = 0.0
        self.end: EndRecord | None = None
        self._records: list[Record] = []
        self._told_start = False
        self._told_end = False

    @property
    def ended(self) -> bool:
        return self.end is not None

    def announce(self) -> None:
        """Tell the observers the session has started (once; `start` does it too)."""
        if not self._told_start:
            self._told_start = True
            for observer in self.observers:
                observer.started(self.header)

    def start(self) -> None:
        self.announce()
        self.voice_end = self.clock.now()
        self.dispatch(Start(self.clock.now()))

    def dispatch(self, event: Event) -> None:
        """Step the engine with `event` and with the Spoke answers its effects cause; then
        tell the observers (also when a Ctrl-C cuts the dispatch short)."""
        queue: deque[Event] = deque([event])
        try:
            while queue:
                self.state, effects = step(self.state, queue.popleft())
                for effect in effects:
                    spoke = self._perform(effect)
                    if spoke is not None:
                        queue.append(spoke)
        finally:
            self._publish()

    def hear(self, intent: Intent, text: str = "", source: str = "voice") -> None:
        self.dispatch(Heard(self.clock.now(), intent, text or intent.value, source))

    def abort(self, reason: str) -> None:
        """End from outside (Ctrl-C, input ran out); the log gets its end record."""
        self.state, effects = abort(self.state, self.clock.now(), reason)
        try:
            for effect in effects:
                self._perform(effect)
        finally:
            self._publish()

    def _publish(self) -> None:
        records, self._records = self._records, []
        now = self.clock.now()
        for observer in self.observers:
            observer.update(self.state, records, now)
        if self.end is not None and not self._told_end:
            self._told_end = True
            for observer in self.observers:
                observer.ended(self.end, self.state)

    def _perform(self, effect: Effect) -> Spoke | None:
        now = self.clock.now()
        if isinstance(effect, Say | Cue):
            at = max(effect.at, now)
            if isinstance(effect, Say):
                played = self.voice.say(effect.text, at)
                self._records.append(
                    SayRecord(played.start, effect.text, round(played.duration, 3))
                )
            else:
                played = self.voice.cue(effect.name, at)
                self._records.append(
                    CueRecord(played.start, effect.name, round(played.duration, 3))
                )
            self.voice_end = max(self.voice_end, played.end)
            return Spoke(now, effect.id, played.start, played.duration)
        if isinstance(effect, Interrupt):
            self.voice.interrupt(effect.at)
            if self.voice_end > effect.at:  # something was cut: sounds from here on are gone
                self._records.append(InterruptRecord(effect.at))
            self.voice_end = min(self.voice_end, max(effect.at, now))
        elif isinstance(effect, StateRecord | HeardRecord):
            self._records.append(effect)
        elif isinstance(effect, EndRecord):
            self.end = effect
            self._records.append(effect)
        return None

    # ------------------------------------------------------------- virtual time

    def run_until(self, t: float) -> None:
        """Virtual clock: tick every deadline up to `t` in order, then stand at `t`."""
        clock = self.clock
        if not isinstance(clock, VirtualClock):
            raise TypeError("run_until needs a VirtualClock")
        for _ in range(MAX_EVENTS):
            deadline = self.state.next_deadline
            if self.ended or deadline is None or deadline > t:
                break
            clock.advance_to(deadline)
            self.dispatch(Tick(self.clock.now()))
        else:
            raise RuntimeError("the session did not settle: a planning bug")
        if not self.ended and t != float("inf"):
            clock.advance_to(t)

    def run_to_end(self) -> None:
        """Virtual clock: jump from deadline to deadline until the session ends (or no
        timer runs, e.g. paused with nobody to resume: ended as "stalled")."""
        self.run_until(float("inf"))
        if not self.ended:
            self.abort("stalled")


def session_header(
    state: State,
    *,
    fast: bool,
    voice: str,
    ears: str | None,
    dose_fit: DoseFit | None = None,
) -> SessionRecord:
    """The log's first record: the routine, the engine's options, the voice and ears, and
    the doses' fit (`--minutes`)."""
    from voicecoach import __version__, plan

    routine = state.routine
    estimate = state.config.estimate
    if estimate is None:
        estimate = plan.rough_seconds(routine)
    return SessionRecord(
        0.0,
        routine=routine.name,
        title=routine.title,
        version=__version__,
        exercises=len(routine.exercises),
        start_exercise=state.config.start_exercise,
        estimate_seconds=estimate,
        ready_timeout=state.config.ready_timeout,
        fast=fast,
        voice=voice,
        ears=ears,
        fit_minutes=None if dose_fit is None else dose_fit.minutes,
        dose_scale=None if dose_fit is None else dose_fit.scale,
    )
