"""Drives the pure engine: performs its effects on a Voice, answers each Say/Cue with a
Spoke, hands every log record to its sink, and ticks at its deadlines.

One driver for every mode: `voicecoach.runtime.loops` uses it with a real clock (the main
loop waits for events until `next_deadline`) or a virtual one (`--fast`: jump from
deadline to deadline); tests use it with `RecordingVoice`, a Voice that keeps what would
be heard (`voicecoach.runtime.simulation`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

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
    StateRecord,
)
from voicecoach.runtime.clocks import VirtualClock

MAX_EVENTS = 2_000_000  # a virtual session never needs this many: a planning bug


class Runner:
    """Feeds events to the engine and performs its effects.

    The voice queues each sound after the previous one; `voice_end` mirrors that queue
    so each Spoke reports where the sound really starts. Log records: `say`/`cue` with
    their start `t` and `duration`, and `interrupt` when the voice is cut (a sound logged
    earlier plays only up to that `t`; one that would start later never plays)."""

    def __init__(
        self,
        state: State,
        voice: Voice,
        clock: Clock,
        sink: Callable[[Record], None] | None = None,
    ) -> None:
        self.state = state
        self.voice = voice
        self.clock = clock
        self.sink: Callable[[Record], None] = sink or (lambda rec: None)
        self.voice_end = 0.0
        self.sound_at = 0.0  # where the sound being handed to the voice starts
        self.end: EndRecord | None = None

    @property
    def ended(self) -> bool:
        return self.end is not None

    def start(self) -> None:
        self.voice_end = self.clock.now()
        self.dispatch(Start(self.clock.now()))

    def dispatch(self, event: Event) -> None:
        """Step the engine with `event` and with the Spoke answers its effects cause."""
        queue: deque[Event] = deque([event])
        while queue:
            self.state, effects = step(self.state, queue.popleft())
            for effect in effects:
                spoke = self._perform(effect)
                if spoke is not None:
                    queue.append(spoke)

    def hear(self, intent: Intent, text: str = "", source: str = "voice") -> None:
        self.dispatch(Heard(self.clock.now(), intent, text or intent.value, source))

    def abort(self, reason: str) -> None:
        """End from outside (Ctrl-C, input ran out); the log gets its end record."""
        self.state, effects = abort(self.state, self.clock.now(), reason)
        for effect in effects:
            self._perform(effect)

    def _perform(self, effect: Effect) -> Spoke | None:
        now = self.clock.now()
        if isinstance(effect, Say | Cue):
            start = self.sound_at = max(effect.at, self.voice_end, now)
            if isinstance(effect, Say):
                length = self.voice.say(effect.text, start)
                self.sink(SayRecord(start, effect.text, round(length, 3)))
            else:
                length = self.voice.cue(effect.name, start)
                self.sink(CueRecord(start, effect.name, round(length, 3)))
            self.voice_end = start + length
            return Spoke(now, effect.id, start, length)
        if isinstance(effect, Interrupt):
            self.voice.interrupt(effect.at)
            if self.voice_end > effect.at:  # something was cut: sounds from here on are gone
                self.sink(InterruptRecord(effect.at))
            self.voice_end = min(self.voice_end, max(effect.at, now))
        elif isinstance(effect, StateRecord | HeardRecord):
            self.sink(effect)
        elif isinstance(effect, EndRecord):
            self.end = effect
            self.sink(effect)
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
