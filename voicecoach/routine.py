"""The routine file format: TOML, validated by these pydantic models.

Every dose an article prescribes has a place here: timed work, reps with a tempo, holds
per rep (at the top or the bottom), circles per direction, sequences inside one exercise,
sets with rests, sides (with extra sets on the weaker side, and setup words per side),
alternating pairs (supersets), ranges that keep both the article's range and the default
we use, numbers we chose ourselves (`assumed`), open-ended doses ("repeat until your feet
feel tired": `until`, with a number we use as the default), alternatives that are neither
easier nor harder, and how often: times per day or per week with the article's words
(`frequency`), or a frequency we chose (`frequency_assumed`).

`voicecoach schema` prints `Routine.model_json_schema()` for editors.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"

# Ceilings no real routine comes near. They let `validate` refuse what `start` could not
# run (a hold of 1e18 seconds, 2**31 sets, reps counted for ever); numbers are finite too.
MAX_COUNT = 1000  # reps, holds or circles in one set
MAX_SETS = 100  # sets of one exercise, extra sets included
MAX_SECONDS = 4 * 3600  # any one duration: work, hold, tempo, rest
MAX_EXERCISES = 200
MAX_PARTS = 50  # parts of a sequence; directions of circles
MAX_TEXT = 2000  # characters in one piece of text
MAX_LINES = 20  # items in one list: setup, cues, tips... (packaged: 5 at most)
MAX_PLAN_STEPS = 1000  # sets x sides x parts over the whole routine (packaged: 60 at most)
MAX_PLAN_REPS = 3000  # reps, holds and circles counted aloud in a session (packaged: 365)
MAX_PLAN_HOURS = 24  # the whole session, by `plan.rough_seconds`

# one list of lines in a routine file (a routine of 20,000 setup lines took minutes to plan)
Lines = Annotated[list[str], Field(max_length=MAX_LINES)]


class _Model(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        allow_inf_nan=False,
        str_max_length=MAX_TEXT,
    )


def _number_to_amount(value: Any) -> Any:
    """`reps = 10` is shorthand for `reps = { default = 10 }`."""
    if isinstance(value, bool):
        return value  # let validation reject it
    if isinstance(value, int | float):
        return {"default": value}
    return value


class _Amount(_Model):
    """A number from an article: the value we use, and the article's range if it gave one.

    `assumed = true` marks a number the article did not give (we chose it); `note` says
    why or quotes the article."""

    min: float | None = Field(default=None, description="low end of the article's range")
    max: float | None = Field(default=None, description="high end of the article's range")
    assumed: bool = Field(default=False, description="true when the article gives no number")
    note: str | None = Field(default=None, description="the article's words, or why we chose")
    ceiling: ClassVar[float]

    @model_validator(mode="after")
    def _check_range(self) -> _Amount:
        value = self.default  # type: ignore[attr-defined]
        if value <= 0:
            raise ValueError(f"must be greater than 0 (got {value:g})")
        if value > self.ceiling:
            raise ValueError(f"must be at most {self.ceiling:g} (got {value:.12g})")
        for bound in ("min", "max"):
            b = getattr(self, bound)
            if b is not None and b <= 0:
                raise ValueError(f"{bound} must be greater than 0 (got {b:g})")
            if b is not None and b > self.ceiling:
                raise ValueError(f"{bound} must be at most {self.ceiling:g} (got {b:.12g})")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is greater than max ({self.max:g})")
        if self.min is not None and value < self.min:
            raise ValueError(f"default ({value:g}) is below min ({self.min:g})")
        if self.max is not None and value > self.max:
            raise ValueError(f"default ({value:g}) is above max ({self.max:g})")
        return self

    @property
    def value(self) -> float:
        return float(self.default)  # type: ignore[attr-defined]

    @property
    def is_range(self) -> bool:
        return self.min is not None and self.max is not None and self.min != self.max


class CountValue(_Amount):
    """A whole number of things (reps, sets, circles)."""

    default: int = Field(description="the count we use")
    min: int | None = None
    max: int | None = None
    ceiling: ClassVar[float] = MAX_COUNT

    @property
    def value(self) -> int:  # a count is a whole number
        return self.default


class SecondsValue(_Amount):
    """A duration in seconds."""

    default: float = Field(description="the number of seconds we use")
    ceiling: ClassVar[float] = MAX_SECONDS


Count = Annotated[CountValue, BeforeValidator(_number_to_amount)]
Seconds = Annotated[SecondsValue, BeforeValidator(_number_to_amount)]


def count(value: int, **kw: Any) -> CountValue:
    return CountValue(default=value, **kw)


def seconds(value: float, **kw: Any) -> SecondsValue:
    return SecondsValue(default=value, **kw)


# ------------------------------------------------------------------------------- work


class _WorkItem(_Model):
    """What every simple work item may say besides its dose."""

    label: str | None = Field(default=None, description="what to do, spoken at the start")
    until: str | None = Field(
        default=None,
        description=(
            "an open-ended dose in the article's words, starting with 'until' ('until your "
            "feet feel tired'): the count or time is the default we use, the coach says "
            "both, and `next` during the work counts it as done"
        ),
    )

    @field_validator("until")
    @classmethod
    def _until_reads_on(cls, value: str | None) -> str | None:
        """The coach says "<dose>, or <until>", so the words must start with "until"."""
        if value is None:
            return None
        value = value.rstrip(".").strip()
        if not re.match(r"(?i)until\s+\S", value):
            raise ValueError(
                f"must start with 'until', as in 'until your feet feel tired' (got {value!r})"
            )
        return value[0].lower() + value[1:]


class TimedWork(_WorkItem):
    """Work for a length of time: "walk on your toes for 20 seconds"."""

    kind: Literal["timed"]
    seconds: Seconds


class RepsWork(_WorkItem):
    """Counted repetitions at a tempo: "10-20 reps"; `pause` is a short stop in each rep,
    at the top ("pausing at the top for one second") or at the bottom ("remain in the
    bottom position for one"), counted inside the tempo."""

    kind: Literal["reps"]
    reps: Count
    tempo: Seconds = Field(
        default_factory=lambda: seconds(3, assumed=True),
        description="seconds per repetition, pause included",
    )
    pause: Seconds | None = Field(default=None, description="a pause in each rep")
    pause_at: Literal["top", "bottom"] = Field(
        default="top", description="where in the rep the pause is"
    )
    count_along: Lines = Field(
        default_factory=list,
        description=(
            "words said through each slow rep, evenly over its tempo, as the article paces "
            "it ('down', 'two', 'three', 'hold', 'up'); the rep number follows the last"
        ),
    )

    @model_validator(mode="after")
    def _pause_fits(self) -> RepsWork:
        if self.pause is None:
            if "pause_at" in self.model_fields_set:
                raise ValueError("'pause_at' needs 'pause' (how long the pause is)")
            return self
        if self.pause.value >= self.tempo.value:
            raise ValueError(
                f"'pause' ({self.pause.value:g} s) must be shorter than 'tempo' "
                f"({self.tempo.value:g} s), which includes it"
            )
        return self


class HoldsWork(_WorkItem):
    """Repetitions of a timed hold: "hold 3 seconds, release, 10 times"."""

    kind: Literal["holds"]
    reps: Count
    hold: Seconds
    release: Seconds = Field(
        default_factory=lambda: seconds(3, assumed=True),
        description="seconds to release and reset between holds",
    )


class CirclesWork(_WorkItem):
    """Circles in each direction, by count or by time: "5-10 clockwise, then
    counter-clockwise" or "clockwise for 10 seconds, then counter-clockwise"."""

    kind: Literal["circles"]
    directions: tuple[str, ...] = Field(
        default=("clockwise", "counter-clockwise"), max_length=MAX_PARTS
    )
    reps: Count | None = Field(default=None, description="circles per direction")
    seconds: Seconds | None = Field(default=None, description="seconds per direction")
    tempo: Seconds = Field(
        default_factory=lambda: seconds(2, assumed=True), description="seconds per circle"
    )

    @model_validator(mode="after")
    def _one_measure(self) -> CirclesWork:
        if (self.reps is None) == (self.seconds is None):
            raise ValueError("give exactly one of 'reps' (circles per direction) or 'seconds'")
        if not self.directions:
            raise ValueError("'directions' must name at least one direction")
        return self


SimpleWork = Annotated[TimedWork | RepsWork | HoldsWork | CirclesWork, Field(discriminator="kind")]


class SequencePart(_Model):
    """One part of a sequence inside an exercise, with an optional rest after it."""

    work: SimpleWork
    rest_after: Seconds | None = None


class SequenceWork(_Model):
    """Several parts done in order, as one set: toe walking straight, toes out, toes in."""

    kind: Literal["sequence"]
    parts: list[SequencePart] = Field(min_length=1, max_length=MAX_PARTS)


Work = Annotated[
    TimedWork | RepsWork | HoldsWork | CirclesWork | SequenceWork, Field(discriminator="kind")
]

# --------------------------------------------------------------------------- exercise

Side = Literal["right", "left", "weaker"]


class ExtraSets(_Model):
    """More sets on one side after the regular ones: "a third set on the weaker leg"."""

    side: Side
    sets: Count


def _text_to_alternative(value: Any) -> Any:
    """`alternatives = ["..."]` is shorthand for `[{ text = "..." }]`."""
    return {"text": value} if isinstance(value, str) else value


class AlternativeValue(_Model):
    """Another way to do an exercise, neither easier nor harder, with its own dose when the
    article gives one ("5 minutes of Deadmill backwards walking")."""

    text: str = Field(min_length=1, description="the article's words, said at setup")
    name: str | None = Field(default=None, description="what the coach calls it: 'the Deadmill'")
    work: SimpleWork | None = Field(
        default=None, description="its own dose, when it differs from the exercise's"
    )


Alternative = Annotated[AlternativeValue, BeforeValidator(_text_to_alternative)]


class Exercise(_Model):
    id: str = Field(pattern=SLUG, description="short name, used by --from")
    name: str = Field(min_length=1)
    purpose: str | None = Field(default=None, description="why, in the article's words")
    equipment: Lines = Field(default_factory=list)
    setup: Lines = Field(default_factory=list, description="instructions read at setup")
    side_setup: dict[Side, Lines] = Field(
        default_factory=dict,
        description=(
            "setup words for one side ('right hand on the wall, facing left'), read when "
            "that side's first set is announced"
        ),
    )
    cues: Lines = Field(default_factory=list, description="short cues spoken during work")
    work: Work
    sets: Count = Field(default_factory=lambda: count(1))
    rest_between_sets: Seconds | None = None
    sides: list[Side] = Field(
        default_factory=list,
        description="e.g. ['right', 'left']; empty: both at once",
    )
    side_order: Literal["alternate", "block"] = Field(
        default="alternate",
        description="alternate: right, left, right, left; block: all right sets, then left",
    )
    extra_sets: list[ExtraSets] = Field(default_factory=list, max_length=MAX_LINES)
    superset: str | None = Field(
        default=None,
        pattern=SLUG,
        description="exercises sharing a superset name alternate set by set",
    )
    rest_after: Seconds | None = Field(default=None, description="rest before the next exercise")
    afterwards: Lines = Field(
        default_factory=list,
        description=(
            "what to do once the exercise is over, in the article's words ('wiggle your "
            "toes to promote blood flow'): said in the rest after it (needs rest_after)"
        ),
    )
    frequency: str | None = Field(default=None, description="the article's own frequency advice")
    easier: Lines = Field(default_factory=list)
    harder: Lines = Field(default_factory=list)
    alternatives: list[Alternative] = Field(
        default_factory=list,
        max_length=MAX_LINES,
        description=(
            "another way to do it, neither easier nor harder; said whole at setup, with "
            "its own dose"
        ),
    )
    cautions: Lines = Field(
        default_factory=list, description="said before the exercise's first set, every time"
    )
    transition: Seconds | None = Field(
        default=None,
        description=(
            "seconds to get into position for a set of this exercise after a change of side, "
            "equipment or position (moving a band to the other foot, turning to face the "
            "wall); default: 5 for a side change, 10 to move from the other exercise of a "
            "superset"
        ),
    )
    notes: Lines = Field(default_factory=list)

    @model_validator(mode="after")
    def _sets_bounded(self) -> Exercise:
        sets = self.sets.max or self.sets.value
        extra = max((x.sets.max or x.sets.value for x in self.extra_sets), default=0)
        if sets + extra > MAX_SETS:
            raise ValueError(f"at most {MAX_SETS} sets per side, extra sets included")
        return self

    @model_validator(mode="after")
    def _sides_distinct(self) -> Exercise:
        if len(set(self.sides)) != len(self.sides):
            raise ValueError("'sides' lists a side twice")
        if self.extra_sets and not self.sides:
            raise ValueError("'extra_sets' needs 'sides'")
        extra = [x.side for x in self.extra_sets]
        if len(set(extra)) != len(extra):
            raise ValueError("'extra_sets' lists a side twice (give its sets once)")
        strays = [s for s in extra if s != "weaker" and s not in self.sides]
        if strays:
            raise ValueError(f"'extra_sets' names a side not in 'sides': {', '.join(strays)}")
        if self.afterwards and self.rest_after is None:
            raise ValueError(
                "'afterwards' is said in the rest after the exercise: give 'rest_after'"
            )
        unworked = [s for s in self.side_setup if s not in self.sides and s not in extra]
        if unworked:
            raise ValueError(
                f"'side_setup' names a side this exercise does not work: {', '.join(unworked)}"
            )
        return self

    def step_works(self) -> list[TimedWork | RepsWork | HoldsWork | CirclesWork]:
        """The simple work behind each step of one set, in the order `plan` makes them
        (a sequence's parts; circles once per direction): `Step.part` indexes it."""
        works = (
            [p.work for p in self.work.parts]
            if isinstance(self.work, SequenceWork)
            else [self.work]
        )
        return [w for w in works for _ in (w.directions if isinstance(w, CirclesWork) else (w,))]


# ---------------------------------------------------------------------------- routine


class Source(_Model):
    title: str
    author: str | None = None
    publisher: str | None = None
    date: str | None = None
    url: str | None = None
    seed: str | None = Field(default=None, description="the article file it was transcribed from")


class Frequency(_Model):
    """How often to do the routine, machine-readable for streaks: `times` per `per`
    ("2-3 times per week": times = { default = 2, min = 2, max = 3 }, per = "week"), with
    the article's `words`. A plain string is words only (no streaks against it)."""

    words: str = Field(min_length=1, description="how often, in the article's words")
    times: Count | None = Field(default=None, description="how many times per `per`")
    per: Literal["day", "week"] | None = Field(default=None, description="the period")

    @model_validator(mode="after")
    def _times_and_per(self) -> Frequency:
        if (self.times is None) != (self.per is None):
            raise ValueError("give both 'times' and 'per' (\"day\" or \"week\"), or neither")
        return self

    @property
    def least(self) -> int | None:
        """The fewest times per period that keep to it (the low end of a range)."""
        if self.times is None:
            return None
        return self.times.min if self.times.min is not None else self.times.default

    @property
    def times_text(self) -> str:
        """ "2-3", "2": the prescription's count, for "1 of 2-3 this week"."""
        t = self.times
        if t is None:
            return ""
        if t.is_range:
            return f"{t.min}-{t.max}"
        return str(t.default)


def _words_to_frequency(value: Any) -> Any:
    """`frequency = "twice a week"` is shorthand for `frequency = { words = "..." }`."""
    return {"words": value} if isinstance(value, str) else value


class Routine(_Model):
    schema_version: Literal[1] = 1
    name: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    summary: str | None = None
    source: Source | None = Field(
        default=None, description="the article it comes from (every packaged routine has one)"
    )
    frequency: Annotated[Frequency | None, BeforeValidator(_words_to_frequency)] = Field(
        default=None,
        description="how often: times per day or week, and the article's words (packaged: "
        "required)",
    )
    frequency_assumed: bool = Field(
        default=False, description="true when the article gives no frequency: ours"
    )
    article_minutes: float | None = Field(
        default=None, gt=0, le=MAX_PLAN_HOURS * 60, description="how long the article says"
    )
    disclaimer: str | None = Field(
        default=None, description="said once at the start (packaged: required)"
    )
    article_minutes_note: str | None = Field(
        default=None,
        description="why the session, with the article's own numbers, cannot take that long "
        "(the intro says its first sentence, 'show' all of it)",
    )
    disclaimer_assumed: bool = Field(
        default=False, description="true when the article gives no disclaimer: ours"
    )
    cautions: Lines = Field(default_factory=list)
    closing_tips: Lines = Field(default_factory=list)
    exercises: list[Exercise] = Field(min_length=1, max_length=MAX_EXERCISES)

    @model_validator(mode="after")
    def _consistent(self) -> Routine:
        if self.frequency_assumed and self.frequency is None:
            raise ValueError("'frequency_assumed' needs 'frequency' (the one we suggest)")
        dupes = sorted(i for i, n in Counter(e.id for e in self.exercises).items() if n > 1)
        if dupes:
            raise ValueError(f"exercise ids must be unique; repeated: {', '.join(dupes)}")
        groups: dict[str, list[int]] = {}
        for i, e in enumerate(self.exercises):
            if e.superset:
                groups.setdefault(e.superset, []).append(i)
        for name, idx in groups.items():
            if len(idx) < 2:
                raise ValueError(f"superset '{name}' has only one exercise")
            if idx != list(range(idx[0], idx[0] + len(idx))):
                raise ValueError(f"the exercises of superset '{name}' must be next to each other")
            if len({self.exercises[i].sets.value for i in idx}) != 1:
                raise ValueError(f"the exercises of superset '{name}' must have the same sets")
        return self

    @model_validator(mode="after")
    def _runnable(self) -> Routine:
        """The whole session stays within the plan ceilings (cheap counts first, so a
        routine of 200 exercises x 100 sets x 50 parts is never expanded)."""
        from voicecoach import plan  # plan builds on this module

        n = sum(
            (e.sets.value * max(1, len(e.sides)) + sum(x.sets.value for x in e.extra_sets))
            * len(e.step_works())
            for e in self.exercises
        )
        if n > MAX_PLAN_STEPS:
            raise ValueError(f"the routine has {n} sets and parts in all; at most {MAX_PLAN_STEPS}")
        reps = sum(s.reps for s in plan.steps(self))
        if reps > MAX_PLAN_REPS:
            raise ValueError(
                f"the routine counts {reps} reps in all; at most {MAX_PLAN_REPS} in one session"
            )
        hours = plan.rough_seconds(self) / 3600
        if hours > MAX_PLAN_HOURS:
            raise ValueError(
                f"the routine takes about {hours:.0f} hours; "
                f"at most {MAX_PLAN_HOURS} in one session"
            )
        return self

    @property
    def equipment(self) -> list[str]:
        """What the whole routine needs, each thing once, in the order first needed. An
        item one exercise needs outright covers the same item marked optional elsewhere
        ("handrail (optional)") and a choice that includes it ("step or bench")."""
        items = [item for e in self.exercises for item in e.equipment]
        needed = set(items)
        seen: dict[str, None] = {}
        for item in items:
            seen.setdefault(_covered_by(item, needed), None)
        return list(seen)

    def exercise_index(self, key: str) -> int | None:
        """Find an exercise by id, by number (1-based) or by a unique name prefix."""
        if key.isdigit() and 1 <= int(key) <= len(self.exercises):
            return int(key) - 1
        norm = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")
        for i, e in enumerate(self.exercises):
            if norm in (e.id, re.sub(r"[^a-z0-9]+", "-", e.name.lower()).strip("-")):
                return i
        hits = [i for i, e in enumerate(self.exercises) if e.id.startswith(norm)]
        return hits[0] if len(hits) == 1 else None


def _covered_by(item: str, needed: set[str]) -> str:
    """The item in `needed` that serves for `item`: "X" for "X (optional)" and for a
    choice "X or Y" when X itself is needed; else `item`."""
    base = item.removesuffix(" (optional)")
    if base != item and base in needed:
        return base
    for choice in base.split(" or "):
        if choice != base and choice in needed:
            return choice
    return item
