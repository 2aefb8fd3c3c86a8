"""Drives the pure engine: performs its effects on a Voice, answers each Say/Cue with a
Spoke, writes log records, and ticks at its deadlines.

One driver for every mode: `voicecoach.session` uses it with a real clock (the main loop
waits for events until `next_deadline`) or a virtual one (`--fast`: jump from deadline to
deadline); tests use it with `RecordingVoice`, a Voice that keeps what would be heard.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from voicecoach.engine.core import abort, initial, step
from voicecoach.engine.state import Config, State
from voicecoach.intents import Intent
from voicecoach.messages import (
    Cue,
    Effect,
    End,
    Event,
    Heard,
    Interrupt,
    Log,
    Say,
    Spoke,
    Start,
    Tick,
)
from voicecoach.ports import Clock, Voice
from voicecoach.routine import Routine

MAX_EVENTS = 2_000_000  # a virtual session never needs this many: a planning bug
WORDS_PER_MINUTE = 170.0
CUE_SECONDS = 0.15


def speech_seconds(text: str, wpm: float = WORDS_PER_MINUTE) -> float:
    """How long text-to-speech takes to say `text` (words, plus a little per sentence)."""
    words = len(text.split())
    stops = sum(text.count(c) for c in ".!?,;:")
    return round(words * 60.0 / wpm + 0.12 * stops + 0.15, 3)


class VirtualClock:
    """A session clock that only moves when told to (`--fast`, tests)."""

    def __init__(self, t: float = 0.0) -> None:
        self._t = t

    def now(self) -> float:
        return self._t

    def advance_to(self, t: float) -> None:
        self._t = max(self._t, t)


@dataclass
class Sound:
    """Something the voice played: `end` is cut short by an interrupt."""

    kind: str  # "say" | "cue"
    text: str
    start: float
    end: float


class RecordingVoice:
    """A Voice that plays nothing and keeps a record of what would be heard, with
    durations from `speech_seconds` (a test fake and the `--fast` model of a voice)."""

    def __init__(self, seconds: Callable[[str], float] = speech_seconds) -> None:
        self.seconds = seconds
        self.sounds: list[Sound] = []
        self.closed = False

    def _play(self, kind: str, text: str, at: float, length: float) -> float:
        start = max([at, *(s.end for s in self.sounds)])
        self.sounds.append(Sound(kind, text, start, start + length))
        return length

    def say(self, text: str, at: float) -> float:
        return self._play("say", text, at, self.seconds(text))

    def cue(self, name: str, at: float) -> float:
        return self._play("cue", name, at, CUE_SECONDS)

    def interrupt(self, at: float) -> None:
        kept = []
        for s in self.sounds:
            if s.start < at:
                kept.append(Sound(s.kind, s.text, s.start, min(s.end, at)))
        self.sounds = kept

    def close(self) -> None:
        self.closed = True

    @property
    def said(self) -> list[str]:
        return [s.text for s in self.sounds if s.kind == "say"]


def record(t: float, kind: str, **fields: Any) -> dict[str, Any]:
    """One JSON Lines record: session time rounded to the millisecond."""
    return {"t": round(t, 3), "type": kind, **fields}


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
        sink: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.state = state
        self.voice = voice
        self.clock = clock
        self.sink = sink or (lambda rec: None)
        self.voice_end = 0.0
        self.sound_at = 0.0  # where the sound being handed to the voice starts
        self.end: End | None = None

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
                self.sink(record(start, "say", text=effect.text, duration=round(length, 3)))
            else:
                length = self.voice.cue(effect.name, start)
                self.sink(record(start, "cue", name=effect.name, duration=round(length, 3)))
            self.voice_end = start + length
            return Spoke(now, effect.id, start, length)
        if isinstance(effect, Interrupt):
            self.voice.interrupt(effect.at)
            if self.voice_end > effect.at:  # something was cut: sounds from here on are gone
                self.sink(record(effect.at, "interrupt"))
            self.voice_end = min(self.voice_end, max(effect.at, now))
        elif isinstance(effect, Log):
            self.sink(record(effect.t, effect.type, **effect.fields))
        elif isinstance(effect, End):
            self.end = effect
        return None

    # ------------------------------------------------------------- virtual time

    def run_until(self, t: float) -> None:
        """Virtual clock: tick every deadline up to `t` in order, then stand at `t`."""
        advance = getattr(self.clock, "advance_to")  # noqa: B009 - VirtualClock only
        for _ in range(MAX_EVENTS):
            deadline = self.state.next_deadline
            if self.ended or deadline is None or deadline > t:
                break
            advance(deadline)
            self.dispatch(Tick(self.clock.now()))
        else:
            raise RuntimeError("the session did not settle: a planning bug")
        if not self.ended and t != float("inf"):
            advance(t)

    def run_to_end(self) -> None:
        """Virtual clock: jump from deadline to deadline until the session ends (or no
        timer runs, e.g. paused with nobody to resume: ended as "stalled")."""
        self.run_until(float("inf"))
        if not self.ended:
            self.abort("stalled")


class Simulation:
    """A whole session on a virtual clock with a RecordingVoice: dry runs (prerendering
    every phrase), tests and benchmarks. `records` is what `--log` would hold."""

    def __init__(
        self,
        routine: Routine,
        config: Config | None = None,
        seconds: Callable[[str], float] = speech_seconds,
    ) -> None:
        self.voice = RecordingVoice(seconds)
        self.clock = VirtualClock()
        self.records: list[dict[str, Any]] = []
        self.runner = Runner(initial(routine, config), self.voice, self.clock, self.records.append)
        self.runner.start()

    @property
    def state(self) -> State:
        return self.runner.state

    @property
    def now(self) -> float:
        return self.clock.now()

    def until(self, t: float) -> Simulation:
        self.runner.run_until(t)
        return self

    def until_state(self, test: Callable[[State], bool]) -> Simulation:
        """Run deadline by deadline until `test(state)` holds (ValueError if it never does)."""
        while not test(self.state):
            deadline = self.state.next_deadline
            if deadline is None:
                raise ValueError("the session ended (or stalled) before that state")
            self.until(deadline)
        return self

    def until_phase(self, phase: str, exercise: int | None = None) -> Simulation:
        return self.until_state(
            lambda s: s.shown_phase == phase and (exercise is None or s.exercise == exercise)
        )

    def hear(self, intent: Intent, at: float | None = None) -> Simulation:
        if at is not None:
            self.until(at)
        self.runner.hear(intent)
        return self

    def finish(self) -> Simulation:
        self.runner.run_to_end()
        return self

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r["type"] == kind]
