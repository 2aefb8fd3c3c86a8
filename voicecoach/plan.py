"""A routine flattened into the steps a session walks through; a quick time formula, and
the time budget (`fit`: doses within the article's ranges for a length of time).

Pure functions of the routine: no clock, no I/O. The engine, `show` and `list` share them,
so what is shown is what is coached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal

from pydantic import BaseModel

from voicecoach.routine import (
    CirclesWork,
    CountValue,
    Exercise,
    HoldsWork,
    RepsWork,
    Routine,
    SecondsValue,
    SequenceWork,
    Side,
    TimedWork,
)
from voicecoach.speech import speech_seconds

SIDE_SWITCH_SECONDS = 5.0  # time to change sides when the routine gives no `transition`
SUPERSET_SWITCH_SECONDS = 10.0  # time to move to the other exercise of a superset
READY_SECONDS = 15.0  # waiting for "ready" (the default --ready-timeout, countdown included)
INTRO_SECONDS = 30.0  # title, equipment, disclaimer (estimate)
OUTRO_SECONDS = 15.0  # summary and frequency advice (estimate)

RestReason = Literal["part", "set", "side", "switch", "exercise"]


@dataclass(frozen=True, slots=True)
class Step:
    """One uninterrupted piece of work, and the rest that follows it."""

    exercise: int  # index in routine.exercises
    set: int  # 1-based set number (on this side)
    sets: int  # how many sets this side gets in total
    side: Side | None
    part: int  # index within a sequence; 0 otherwise
    parts: int
    label: str | None  # what to do in this part: "toes pointed outward", "clockwise"
    kind: Literal["timed", "reps", "holds"]
    seconds: float = 0.0  # timed work
    reps: int = 0  # reps or holds
    tempo: float = 0.0  # seconds per rep
    hold: float = 0.0  # seconds per hold
    release: float = 0.0  # seconds between holds
    rest_after: float = 0.0
    rest_reason: RestReason | None = None

    @property
    def work_seconds(self) -> float:
        if self.kind == "timed":
            return self.seconds
        if self.kind == "reps":
            return self.reps * self.tempo
        return self.reps * self.hold + max(self.reps - 1, 0) * self.release


def _primitive(work: TimedWork | RepsWork | HoldsWork | CirclesWork) -> Iterator[dict[str, Any]]:
    """A simple work item as Step fields; circles become one item per direction."""
    if isinstance(work, TimedWork):
        yield {"kind": "timed", "seconds": work.seconds.value, "label": work.label}
    elif isinstance(work, RepsWork):
        yield {
            "kind": "reps",
            "reps": work.reps.value,
            "tempo": work.tempo.value,
            "label": work.label,
        }
    elif isinstance(work, HoldsWork):
        yield {
            "kind": "holds",
            "reps": work.reps.value,
            "hold": work.hold.value,
            "release": work.release.value,
            "label": work.label,
        }
    else:
        for direction in work.directions:
            label = f"{work.label}, {direction}" if work.label else direction
            if work.reps is not None:
                yield {
                    "kind": "reps",
                    "reps": work.reps.value,
                    "tempo": work.tempo.value,
                    "label": label,
                }
            else:
                assert work.seconds is not None
                yield {"kind": "timed", "seconds": work.seconds.value, "label": label}


def _parts(ex: Exercise) -> list[tuple[dict[str, Any], float]]:
    """(step fields, rest after the part) for one set of an exercise."""
    if isinstance(ex.work, SequenceWork):
        out: list[tuple[dict[str, Any], float]] = []
        for part in ex.work.parts:
            items = list(_primitive(part.work))
            for k, item in enumerate(items):
                rest = part.rest_after.value if part.rest_after and k == len(items) - 1 else 0.0
                out.append((item, rest))
        return out
    return [(item, 0.0) for item in _primitive(ex.work)]


def _units(ex: Exercise) -> list[tuple[int, int, Side | None]]:
    """(set number, sets on that side in all, side) in the order they are done.

    Extra sets ("a third set on the weaker leg") come after the regular ones and are
    numbered after them."""
    n = ex.sets.value
    if not ex.sides:
        return [(s, n, None) for s in range(1, n + 1)]
    units: list[tuple[int, int, Side | None]]
    extra = {x.side: x.sets.value for x in ex.extra_sets}
    total = {side: n + extra.get(side, 0) for side in (*ex.sides, *extra)}
    if ex.side_order == "block":
        units = [(s, total[side], side) for side in ex.sides for s in range(1, n + 1)]
    else:
        units = [(s, total[side], side) for s in range(1, n + 1) for side in ex.sides]
    for side, k in extra.items():
        units += [(n + j, total[side], side) for j in range(1, k + 1)]
    return units


def _unit_steps(index: int, ex: Exercise, set_no: int, sets: int, side: Side | None) -> list[Step]:
    parts = _parts(ex)
    return [
        Step(
            exercise=index,
            set=set_no,
            sets=sets,
            side=side,
            part=k,
            parts=len(parts),
            rest_after=rest,
            rest_reason="part" if rest else None,
            **fields,
        )
        for k, (fields, rest) in enumerate(parts)
    ]


def _with_rest(step: Step, seconds: float, reason: RestReason) -> Step:
    if step.rest_after >= seconds:
        return step
    return replace(step, rest_after=seconds, rest_reason=reason)


def is_turn(step: Step, nxt: Step) -> bool:
    """Whether the rest after `step` is only the turn to the other side within a set
    (`nxt` is the same set on the other side: its rest is the time to turn, no more)."""
    return (
        step.rest_reason == "side"
        and nxt.exercise == step.exercise
        and nxt.side is not None
        and nxt.set == step.set
    )


def side_transition(ex: Exercise) -> float:
    """Seconds to change sides in `ex`: its `transition`, or the default for a side change."""
    return ex.transition.value if ex.transition else SIDE_SWITCH_SECONDS


def switch_transition(ex: Exercise) -> float:
    """Seconds to get into `ex`'s position from the other exercise of its superset."""
    return ex.transition.value if ex.transition else SUPERSET_SWITCH_SECONDS


def _exercise_groups(routine: Routine) -> list[list[int]]:
    """Exercise indexes, with the members of a superset grouped together."""
    groups: list[list[int]] = []
    for i, ex in enumerate(routine.exercises):
        prev = routine.exercises[i - 1] if i else None
        if ex.superset and prev is not None and prev.superset == ex.superset:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def exercise_groups(routine: Routine) -> list[list[int]]:
    """Exercise indexes in order, the members of a superset together: they share steps."""
    return _exercise_groups(routine)


def steps(routine: Routine) -> list[Step]:
    """Every step of the routine in order, with the rests between them."""
    out: list[Step] = []
    for group in _exercise_groups(routine):
        units = {i: _units(routine.exercises[i]) for i in group}
        blocks: list[tuple[int, list[Step]]] = []  # (exercise, steps of one unit)
        for u in range(max(len(v) for v in units.values())):
            for i in group:
                if u < len(units[i]):
                    set_no, sets, side = units[i][u]
                    blocks.append((i, _unit_steps(i, routine.exercises[i], set_no, sets, side)))
        for b, (i, unit) in enumerate(blocks):
            ex = routine.exercises[i]
            last = b == len(blocks) - 1
            if last:
                if ex.rest_after:
                    unit[-1] = _with_rest(unit[-1], ex.rest_after.value, "exercise")
            else:
                nxt_i, nxt = blocks[b + 1]
                if len(group) > 1 and nxt_i != i:
                    # supersets: rest after the pair, time to change position between members
                    if nxt_i == group[0] and ex.rest_between_sets:
                        unit[-1] = _with_rest(unit[-1], ex.rest_between_sets.value, "set")
                    else:
                        move = switch_transition(routine.exercises[nxt_i])
                        unit[-1] = _with_rest(unit[-1], move, "switch")
                elif nxt[0].side != unit[-1].side and nxt[0].set == unit[-1].set:
                    unit[-1] = _with_rest(unit[-1], side_transition(ex), "side")
                else:
                    rest = ex.rest_between_sets.value if ex.rest_between_sets else 0.0
                    if nxt[0].side != unit[-1].side:
                        unit[-1] = _with_rest(unit[-1], max(rest, side_transition(ex)), "side")
                    elif rest:
                        unit[-1] = _with_rest(unit[-1], rest, "set")
            out.extend(unit)
    return out


def exercise_seconds(routine: Routine, index: int) -> float:
    """Work and rests of one exercise, without setup time."""
    return sum(s.work_seconds + s.rest_after for s in steps(routine) if s.exercise == index)


def setup_seconds(exercise: Exercise, ready: float = READY_SECONDS) -> float:
    """Reading an exercise's name, setup, cautions, alternatives and options aloud, then
    its first set (with a cue) and the ready prompt; then waiting for "ready"."""
    said = [
        exercise.name,
        *exercise.setup,
        *exercise.cautions,
        *(a.text for a in exercise.alternatives),
        *exercise.harder,
        *exercise.easier,
        _announcement(exercise),
        "Say ready when you are in position.",
    ]
    return sum(speech_seconds(line) for line in said) + ready


def _announcement(exercise: Exercise) -> str:
    """A stand-in for a set's announcement, "Set 2 of 3. 10 times.", with a typical cue."""
    cue = min(exercise.cues, key=len) if exercise.cues else ""
    return f"Set 2 of 3. 10 times. {cue}".strip()


def announce_seconds(routine: Routine, all_steps: list[Step]) -> float:
    """Announcing each later set (with a cue) where no rest before it covers the words."""
    total = 0.0
    for k in range(1, len(all_steps)):
        prev, st = all_steps[k - 1], all_steps[k]
        if st.part or (st.exercise != prev.exercise and prev.rest_reason != "switch"):
            continue
        speech = speech_seconds(_announcement(routine.exercises[st.exercise]))
        total += max(0.0, speech - prev.rest_after)
    return total


def rest_line(routine: Routine, step: Step) -> str:
    """A stand-in for the words that open the rest after `step` (its seconds count from
    their end): "Rest 30 seconds. Next: set 2 of 3.", a change of side or a superset's
    switch, or after an exercise its `afterwards` and the next one's name."""
    ex = routine.exercises[step.exercise]
    if step.rest_reason == "switch":
        return "Now Calf Raise, set 2 of 3."
    if step.rest_reason == "side" and step.rest_after <= side_transition(ex):
        return "Switch to your left side."
    head = f"Rest {round(step.rest_after)} seconds."
    if step.rest_reason == "exercise":
        return " ".join([head, *ex.afterwards, "Next exercise: Calf Raise."])
    if step.rest_reason == "side":
        return f"{head} Next: switch to your left side, set 2 of 3."
    return f"{head} Next: set 2 of 3."


def rough_seconds(routine: Routine) -> float:
    """A quick whole-session formula: intro, setup per exercise, work, rests and the words
    that open them, the announcements that rests do not cover, outro. It leaves out much of
    what is said (the intro's and closing words, counts, countdowns), so it runs short of a
    session (2-14 % for the packaged routines, at most 15 % tested, `bench/RESULTS.md`):
    it bounds the plan (`routine.MAX_PLAN_HOURS`); what users are told comes from the dry
    run (`voicecoach.runtime.simulation.estimate_seconds`, what `--fast` takes)."""
    all_steps = steps(routine)
    body = sum(s.work_seconds + s.rest_after for s in all_steps)
    rests = sum(speech_seconds(rest_line(routine, s)) for s in all_steps if s.rest_after > 0)
    setup = sum(setup_seconds(e) for e in routine.exercises)
    said = announce_seconds(routine, all_steps)
    return INTRO_SECONDS + setup + body + rests + said + OUTRO_SECONDS


# ------------------------------------------------------------------------ time budget

FIT_STEPS = 100  # how finely `fit` scans the article's ranges
FIT_SLACK = 60.0  # seconds: a length this close to the one asked for counts as reached


@dataclass(frozen=True, slots=True)
class DoseFit:
    """How a session's doses were fitted by `--minutes N`: `minutes` is N, `scale` where
    within the article's ranges the doses were put (`scaled_doses(written, scale)`; None:
    as written, N being out of their reach). A session keeps it (options, log header,
    history) so that its `--resume` runs the same doses."""

    minutes: float
    scale: float | None = None

    @staticmethod
    def of(minutes: float | None, scale: float | None) -> DoseFit | None:
        """The fit kept as two flat values (the log header, the history's columns), or
        None for a session that was not fitted."""
        return None if minutes is None else DoseFit(minutes, scale)


@dataclass(frozen=True, slots=True)
class Fit:
    """A routine whose ranged doses were chosen to come near a length of time.

    `target` is the length asked for (None: nothing asked, the routine as written);
    `shortest`/`longest` are what the article's ranges allow; `scale` is where within
    them the doses were put (`scaled_doses(written, scale)` is `routine` again; None: the
    doses as written)."""

    routine: Routine
    target: float | None
    seconds: float
    shortest: float
    longest: float
    scale: float | None = None

    @property
    def reachable(self) -> bool:
        """Whether the target lies within what the ranges allow (within a minute)."""
        if self.target is None:
            return True
        return self.shortest - FIT_SLACK <= self.target <= self.longest + FIT_SLACK


def _bounds(a: CountValue | SecondsValue) -> tuple[float, float] | None:
    """The article's range of an amount, if it gives one ("up to 5 times": 1 to 5)."""
    if a.assumed:
        return None
    if a.is_range:
        assert a.min is not None
        assert a.max is not None
        return a.min, a.max
    if isinstance(a, CountValue) and a.max is not None and a.min is None and a.max > 1:
        return 1, a.max
    return None


def _scaled(value: Any, f: float) -> Any:
    """`value` with every ranged amount set to `f` of the way from its low end to its high."""
    if isinstance(value, CountValue | SecondsValue):
        bounds = _bounds(value)
        if bounds is None:
            return value
        lo, hi = bounds
        x = lo + f * (hi - lo)
        new = round(x) if isinstance(value, CountValue) else round(x * 2) / 2
        return value if new == value.default else value.model_copy(update={"default": new})
    if isinstance(value, BaseModel):
        changed = {}
        for name in type(value).model_fields:
            old = getattr(value, name)
            new = _scaled(old, f)
            if new is not old:
                changed[name] = new
        return value.model_copy(update=changed) if changed else value
    if isinstance(value, list):
        items = [_scaled(v, f) for v in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if isinstance(value, dict):
        mapped = {k: _scaled(v, f) for k, v in value.items()}
        return mapped if any(mapped[k] is not value[k] for k in value) else value
    return value


def scaled_doses(routine: Routine, f: float) -> Routine:
    """The routine with its exercises' ranged doses scaled (not its frequency)."""
    exercises = _scaled(routine.exercises, f)
    if exercises is routine.exercises:
        return routine
    return routine.model_copy(update={"exercises": exercises})


def fit(
    routine: Routine, minutes: float | None = None, *, seconds: Callable[[Routine], float]
) -> Fit:
    """The routine with its doses chosen within the article's ranges (never outside them)
    to come as close as they allow to `minutes`, or else to the article's own length
    (`article_minutes`). Without either, the routine as written.

    `seconds` times a routine: the session's dry run (`runtime.simulation.estimate_seconds`,
    what `--fast` takes) for what users see. A session grows with its doses, so the search
    halves the range of scales (about 10 timings instead of FIT_STEPS + 1)."""
    here = seconds(routine)
    timed: dict[int, tuple[Routine, float]] = {}

    def at(k: int) -> tuple[Routine, float]:
        if k not in timed:
            candidate = scaled_doses(routine, k / FIT_STEPS)
            timed[k] = (candidate, here if candidate is routine else seconds(candidate))
        return timed[k]

    shortest, longest = at(0)[1], at(FIT_STEPS)[1]
    target = minutes if minutes is not None else routine.article_minutes
    if target is None:
        return Fit(routine, None, here, shortest, longest)
    goal = target * 60
    lo, hi = 0, FIT_STEPS  # the first scale that reaches the goal lies in lo..hi
    while lo < hi:
        mid = (lo + hi) // 2
        if at(mid)[1] >= goal:
            hi = mid
        else:
            lo = mid + 1
    best, best_seconds, scale = routine, here, None
    for k in sorted({max(lo - 1, 0), lo}):
        candidate, secs = at(k)
        if abs(secs - goal) < abs(best_seconds - goal) - 1e-6:
            best, best_seconds, scale = candidate, secs, k / FIT_STEPS
    return Fit(best, goal, best_seconds, shortest, longest, scale)
