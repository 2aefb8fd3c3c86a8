"""The panel's view model: what the screen shows, computed from the engine's `State`,
the session clock and what the runtime saw (the sentence being said, the last command
heard, the microphone level). Pure and cheap: the panel recomputes it on every redraw,
so a countdown moves every second even when the engine has nothing to do."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

from voicecoach.engine.state import State
from voicecoach.engine.timing import rest_left, segment_left, start_left, workout_left
from voicecoach.plan import Step

Mode = Literal["intro", "setup", "ready", "work", "hold", "rest", "done", "ended"]
Banner = Literal["paused", "confirm", "pain", "ready", "ended"]


@dataclass(frozen=True, slots=True)
class Countdown:
    """Whole seconds left in a hold, timed work or rest, or until an exercise waiting for
    "ready" starts by itself (rounded up: a 10 s hold shows 10 at its start and 1 in its
    last second)."""

    seconds: int


@dataclass(frozen=True, slots=True)
class Reps:
    done: int
    total: int


@dataclass(frozen=True, slots=True)
class Heard:
    """The last command the ears or keys gave: `intent` ("pause"), how (`voice`/`keys`)."""

    intent: str
    source: str


@dataclass(frozen=True, slots=True)
class Extras:
    """What the runtime knows and the engine does not."""

    saying: str = ""  # the sentence being said now (or the last one said)
    heard: Heard | None = None
    level: float | None = None  # microphone level, 0..1; None: no microphone
    engine: str = "keys only"  # the recognizer in use
    ended: bool = False


@dataclass(frozen=True, slots=True)
class View:
    title: str
    mode: Mode
    banner: Banner | None
    exercise: str  # "" before the first exercise and after the last
    number: int  # 1-based exercise number
    exercises: int
    set: int | None
    sets: int | None
    side: str | None
    label: str | None  # the part being done ("toes pointed outward", "clockwise")
    count: Countdown | Reps | None
    hold: Reps | None  # "hold 2 of 5"
    next: str  # what comes after a rest ("Bridges · set 1 of 3 · left")
    elapsed: float
    left: float  # estimated seconds left in the whole workout
    extras: Extras
    sets_done: Reps | None = None  # a session ended early (mode "ended"): its sets done, of all

    @property
    def progress(self) -> float:
        """The share of the workout done, 0..1: of its time, or, once it ended early
        (stopped, Ctrl-C), of its sets (the time left is nil then, yet the workout is not
        all done)."""
        if self.sets_done is not None:
            done, sets = self.sets_done.done, self.sets_done.total
            return done / sets if sets > 0 else 0.0
        total = self.elapsed + self.left
        return min(1.0, self.elapsed / total) if total > 0 else 1.0


def view(state: State, now: float, extras: Extras | None = None) -> View:
    """The view of `state` at session time `now` (at or after the state's own time)."""
    extras = extras or Extras()
    s = replace(state, now=max(now, state.now)) if now > state.now else state
    routine = s.routine
    # stopped early (a spoken stop, Ctrl-C, a replay's input ran out): not "done"
    early = s.stopped or ((s.ended or extras.ended) and s.phase != "done")
    mode: Mode = "ended" if early else s.phase
    in_exercise = s.phase not in ("intro", "done")
    step = s.step if in_exercise else None
    ex = routine.exercises[step.exercise] if step is not None else None
    return View(
        title=routine.title,
        mode=mode,
        banner=_banner(s, extras),
        exercise=ex.name if ex is not None else "",
        number=step.exercise + 1 if step is not None else 0,
        exercises=len(routine.exercises),
        set=step.set if step is not None else None,
        sets=step.sets if step is not None else None,
        side=step.side if step is not None else None,
        label=step.label if step is not None else None,
        count=_count(s, step),
        hold=Reps(min(s.rep + 1, step.reps), step.reps)
        if step is not None and mode == "hold"
        else None,
        next=_next(s) if mode == "rest" else "",
        elapsed=max(0.0, s.now - s.started) if s.started is not None else 0.0,
        left=0.0 if extras.ended else workout_left(s),
        extras=extras,
        sets_done=Reps(len(s.completed), len(s.steps)) if early else None,
    )


def _banner(s: State, extras: Extras) -> Banner | None:
    if extras.ended or s.ended:
        return "ended"
    if s.pause is not None:
        return s.pause.kind if s.pause.kind != "pause" else "paused"
    if s.phase == "ready":
        return "ready"
    return None


def _count(s: State, step: Step | None) -> Countdown | Reps | None:
    if step is None:
        return None
    if s.phase == "rest":  # its whole length until the words that start it are said
        left = rest_left(s)
    else:
        left = segment_left(s) if s.phase in ("work", "hold") else start_left(s)
    if left is not None:
        return Countdown(max(0, math.ceil(left - 1e-6)))
    if s.phase == "work" and step.kind == "reps":
        return Reps(s.rep, step.reps)
    return None


def _next(s: State) -> str:
    q = s.index + 1
    if q >= len(s.steps):
        return "the end"
    return where(s, s.steps[q])


def where(s: State, step: Step) -> str:
    """ "Heel Raises · set 2 of 3 · left": an exercise, its set and side."""
    parts = [s.routine.exercises[step.exercise].name, f"set {step.set} of {step.sets}"]
    if step.side:
        parts.append(step.side)
    return " · ".join(parts)
