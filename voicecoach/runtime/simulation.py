"""A whole session on a virtual clock with a Voice that only records what would be heard:
dry runs (prerendering every phrase), tests and benchmarks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from voicecoach import plan
from voicecoach.engine import Config, State, initial
from voicecoach.intents import Intent
from voicecoach.ports import Played
from voicecoach.records import as_json
from voicecoach.routine import Routine
from voicecoach.runtime.clocks import VirtualClock
from voicecoach.runtime.observer import RecordList
from voicecoach.runtime.runner import Runner
from voicecoach.speech import cue_seconds, speech_seconds

__all__ = [
    "RecordingVoice",
    "Simulation",
    "Sound",
    "estimate_minutes",
    "estimate_seconds",
    "fit",
    "speech_seconds",
]


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
        self._end = 0.0  # when the last sound ends: the next one starts no earlier

    def _play(self, kind: str, text: str, at: float, length: float) -> Played:
        start = max(at, self._end)
        self.sounds.append(Sound(kind, text, start, start + length))
        self._end = start + length
        return Played(start, length)

    def say(self, text: str, at: float) -> Played:
        return self._play("say", text, at, self.seconds(text))

    def cue(self, name: str, at: float) -> Played:
        return self._play("cue", name, at, cue_seconds(name))

    def interrupt(self, at: float) -> None:
        kept = []
        for s in self.sounds:
            if s.start < at:
                kept.append(Sound(s.kind, s.text, s.start, min(s.end, at)))
        self.sounds = kept
        self._end = max((s.end for s in kept), default=0.0)

    def prerender(self, texts: Iterable[str]) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    @property
    def said(self) -> list[str]:
        return [s.text for s in self.sounds if s.kind == "say"]


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
        self.kept = RecordList()
        self.runner = Runner(initial(routine, config), self.voice, self.clock, [self.kept])
        self.runner.start()

    @property
    def records(self) -> list[dict[str, Any]]:
        """What `--log` would hold, header aside (made when asked: dry runs need none)."""
        return [as_json(r) for r in self.kept.records]

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


def estimate_seconds(routine: Routine, config: Config | None = None) -> float:
    """How long a session of `routine` lasts when nobody interrupts it: a silent dry run
    on the virtual clock, with the speech model `--fast` uses. The one estimate users are
    told: `list`, `show`, the intro's "about N minutes", `--minutes` fitting."""
    return Simulation(routine, config).finish().now


def estimate_minutes(routine: Routine) -> int:
    return max(1, round(estimate_seconds(routine) / 60))


def fit(routine: Routine, minutes: float | None = None) -> plan.Fit:
    """`plan.fit` timed by the dry run: doses within the article's ranges for `minutes`."""
    return plan.fit(routine, minutes, seconds=estimate_seconds)
