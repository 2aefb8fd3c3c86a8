"""The engine's immutable state, and the agenda of things it will do at given times.

Every future action is an `Item` on the agenda with an absolute time on the session clock
(drift-free: a 10 s hold ends at start + 10 s whatever is said meanwhile). An item's
`mode` says how it relates to speech:

- `fixed`: happens at `due` (a hold or rest ends); anything it says waits for the voice;
- `wait`: happens at `due` or when the voice falls silent (+ `after`), whichever is later
  (rep counts wait for speech, the ready timeout counts from the end of the prompt);
- `drop`: said at `due` if the voice is silent then, skipped otherwise ("3, 2, 1",
  "halfway", ticks: a late countdown is worse than none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

from voicecoach.plan import Step
from voicecoach.records import StateRecord
from voicecoach.routine import Routine
from voicecoach.speech import speech_seconds

Phase = Literal["intro", "setup", "ready", "work", "hold", "rest", "done"]
Mode = Literal["fixed", "wait", "drop"]
PauseKind = Literal["pause", "confirm", "pain"]

EPS = 1e-9
MIN_TEMPO = 1.0  # seconds per rep: faster than this cannot be counted aloud
COUNTDOWN_SECONDS = 3.0  # "starting in 3, 2, 1": the last part of the ready timeout


def estimate_speech(text: str) -> float:
    """How long `text` will take to say (`voicecoach.speech`, the model `--fast`, `show`
    and the plan use too), until the voice's `Spoke` gives the real length."""
    return speech_seconds(text)


@dataclass(frozen=True, slots=True)
class Config:
    """Session options the engine needs (everything else belongs to the runtime)."""

    ready_timeout: float = 15.0
    start_exercise: int = 0
    standing: str = ""  # "This is your 2nd workout this week, of 2-3.": intro and summary
    time_note: str = ""  # why the session cannot fit the minutes asked for (plan.fit)
    start_step: int | None = None  # resume: begin at this step (instead of start_exercise)
    done_before: frozenset[int] = frozenset()  # resume: the steps an earlier run completed
    estimate: float | None = None  # the session's length by a dry run (None: the plan's formula)


class Action(Enum):
    """What an agenda item does when it comes due (`voicecoach.engine.flow.perform`)."""

    INTRO_DONE = "intro_done"
    PROMPT = "prompt"
    AUTO_START = "auto_start"
    PREP = "prep"
    REST_CLOCK = "rest_clock"
    COUNTDOWN = "countdown"
    GO = "go"
    COUNT = "count"
    HOLD = "hold"
    RELEASE = "release"
    TIMED_END = "timed_end"
    SAY = "say"
    SAY_DROP = "say_drop"
    CUE_DROP = "cue_drop"
    REST_END = "rest_end"
    FINISH = "finish"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class Item:
    """One future action: what `action` does is `voicecoach.engine.flow.perform`."""

    due: float
    action: Action
    mode: Mode = "wait"
    after: float = 0.0
    n: int = 0
    text: str = ""
    seconds: float = 0.0  # REST_CLOCK: the rest's seconds still to count


@dataclass(frozen=True, slots=True)
class Pause:
    """Why and since when every timer is frozen."""

    at: float
    kind: PauseKind


@dataclass(frozen=True, slots=True)
class State:
    routine: Routine
    steps: tuple[Step, ...]
    config: Config = field(default_factory=Config)
    started: float | None = None  # session time of Start
    now: float = 0.0  # the latest event time seen
    phase: Phase = "intro"
    index: int = 0  # the step being set up / worked, or just finished (in a rest)
    prev: int | None = None  # the step done before `index` (None right after a setup)
    announced: int | None = None  # the step whose intro has been said
    told: int | None = None  # the set (its first step) whose short "repeat" was said: whole
    rep: int = 0  # reps counted / holds done in the current step
    seg_end: float | None = None  # end of the current timed work, hold or rest
    rep_base: float = 0.0  # when the last rep was counted (or the reps began)
    agenda: tuple[Item, ...] = ()
    speech_end: float = 0.0  # when everything the voice has confirmed stops sounding
    pending: tuple[tuple[int, float], ...] = ()  # (id, estimated end) awaiting `Spoke`
    next_id: int = 1
    cut_id: int = 0  # `Spoke` answers for ids below this were interrupted: ignored
    tempo_factor: float = 1.0  # slower / faster
    pause: Pause | None = None
    completed: frozenset[int] = frozenset()  # steps finished (not skipped)
    visited: frozenset[int] = frozenset()  # exercises set up since the last jump
    begun: frozenset[int] = frozenset()  # exercises whose work started at least once
    offered: frozenset[int] = frozenset()  # exercises whose harder options were said
    pains: tuple[int, ...] = ()  # the exercise of each pain report
    summed_at: float | None = None  # when the end summary was said (its time counts to then)
    stopped: bool = False  # the user confirmed stop: the session is ending, early
    logged: StateRecord | None = None  # the last `state` record written
    ended: bool = False

    @property
    def busy_until(self) -> float:
        """When the voice falls silent, as far as the engine knows."""
        return max([self.speech_end, *(end for _, end in self.pending)])

    def effective(self, item: Item) -> float:
        """When `item` happens, given the speech already queued."""
        if item.mode == "wait":
            return max(item.due, self.busy_until + item.after)
        return item.due

    @property
    def next_deadline(self) -> float | None:
        """The absolute session time at which the runtime must send a `Tick` (None: no
        timer runs, e.g. while paused or after the end)."""
        if self.ended or self.pause is not None or self.started is None or not self.agenda:
            return None
        return min(self.effective(i) for i in self.agenda)

    @property
    def shown_phase(self) -> str:
        """The phase as logged: frozen timers show as `paused`."""
        return "paused" if self.pause is not None else self.phase

    @property
    def step(self) -> Step:
        return self.steps[self.index]

    @property
    def place(self) -> int:
        """The step the session stands at, as its `state` records and transcript lines
        say: the current one, except in a rest once the next set has been announced
        ("Clockwise. 10 seconds."): then the person gets ready for that one, and what is
        said describes it."""
        if self.phase == "rest" and self.announced == self.index + 1:
            return self.announced
        return self.index

    @property
    def exercise(self) -> int:
        return self.step.exercise

    @property
    def paused(self) -> bool:
        return self.pause is not None

    @property
    def confirming(self) -> bool:
        return self.pause is not None and self.pause.kind == "confirm"


def first_step(state: State, exercise: int) -> int:
    return next(i for i, s in enumerate(state.steps) if s.exercise == exercise)


def start_step(state: State) -> int:
    """Where the session begins: a resumed session's step, else the first step of the
    exercise it starts with."""
    c = state.config
    return c.start_step if c.start_step is not None else first_step(state, c.start_exercise)


def group(routine: Routine, exercise: int) -> list[int]:
    """The exercises of `exercise`'s superset (just itself when it has none)."""
    name = routine.exercises[exercise].superset
    if not name:
        return [exercise]
    return [i for i, e in enumerate(routine.exercises) if e.superset == name]


def tempo(state: State, step: Step | None = None) -> float:
    """Seconds per rep for `step` after slower / faster."""
    step = step or state.step
    floor = min(MIN_TEMPO, step.tempo)
    return max(floor, step.tempo * state.tempo_factor)
