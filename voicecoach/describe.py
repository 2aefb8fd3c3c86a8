"""A routine in words: doses, steps and the whole plan, for `show` and for speech.

Pure functions of the routine and its plan. Two registers:

- speech (`detail=False`): the numbers we use, in words a voice can read
  ("2 sets of 10 reps, right then left");
- detail (`detail=True`, for `show`): also the article's ranges with the number we use
  ("10-20 reps (using 10)"), tempos and rests, and every number the article did not give
  marked with `MARK` (see `LEGEND`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from pydantic import BaseModel

from voicecoach import plan
from voicecoach.routine import (
    CirclesWork,
    CountValue,
    Exercise,
    HoldsWork,
    RepsWork,
    Routine,
    SecondsValue,
    SequenceWork,
    TimedWork,
)

if TYPE_CHECKING:
    from voicecoach.plan import Step

Timing = Callable[[Routine], float]  # how long a session of a routine lasts, in seconds

MARK = "*"
LEGEND = f"{MARK} our number: the article does not give one"

SIDE_WORDS = {"right": "right", "left": "left", "weaker": "weaker side"}
REST_WORDS = {
    "part": "rest",
    "set": "rest",
    "side": "switch sides",
    "switch": "move to the next exercise",
    "exercise": "rest before the next exercise",
}

# ------------------------------------------------------------------------------ numbers


def number(x: float) -> str:
    """2 -> "2", 2.5 -> "2.5"."""
    return f"{x:g}"


def plural(n: float, word: str) -> str:
    """`plural(1, "rep")` -> "1 rep"; `plural(2.5, "second")` -> "2.5 seconds"."""
    return f"{number(n)} {word}" if n == 1 else f"{number(n)} {word}s"


def duration(seconds: float) -> str:
    """Seconds in words: "20 seconds", "10 minutes", "1 minute 30 seconds"."""
    if seconds < 60 or seconds != int(seconds):
        return plural(seconds, "second")
    minutes, rest = divmod(int(seconds), 60)
    text = plural(minutes, "minute")
    return f"{text} {plural(rest, 'second')}" if rest else text


def _unit_text(value: float, unit: str) -> str:
    return duration(value) if unit == "second" else plural(value, unit)


def amount(a: CountValue | SecondsValue, unit: str, *, detail: bool = False) -> str:
    """A number from the article in words.

    Speech: the value we use ("12 reps"). Detail: with the article's range and the value
    we use ("10-20 reps (using 12)"), and MARK when the number is ours."""
    used = _unit_text(a.value, unit)
    if not detail:
        return used
    if a.is_range:
        assert a.min is not None
        assert a.max is not None
        text = f"{number(a.min)}-{_unit_text(a.max, unit)} (using {number(a.value)})"
    elif a.max is not None and a.min is None:
        text = f"up to {_unit_text(a.max, unit)}"
        text += "" if a.value == a.max else f" (using {number(a.value)})"
    elif a.min is not None and a.max is None:
        text = f"at least {_unit_text(a.min, unit)}"
        text += "" if a.value == a.min else f" (using {number(a.value)})"
    else:
        text = used
    return text + (MARK if a.assumed else "")


def _per_rep(a: SecondsValue) -> str:
    return f"{number(a.value)} s{MARK if a.assumed else ''}"


# --------------------------------------------------------------------------------- work


def work_text(work: object, *, detail: bool = False) -> str:
    """What one set of the work is: "10 reps", "10 holds of 2 seconds", "20 seconds",
    and an open end: "20 reps, or until your feet feel tired"."""
    if isinstance(work, SequenceWork):
        return _sequence_text(work, detail=detail)
    if isinstance(work, TimedWork):
        return or_until(amount(work.seconds, "second", detail=detail), work.until)
    if isinstance(work, RepsWork):
        return _reps_text(work, detail=detail)
    if isinstance(work, HoldsWork):
        text = f"{amount(work.reps, 'hold', detail=detail)} of "
        text += or_until(amount(work.hold, "second", detail=detail), work.until)
        if detail:
            text += f", {_per_rep(work.release)} to release between holds"
        return text
    if isinstance(work, CirclesWork):
        return _circles_text(work, detail=detail)
    raise TypeError(f"unknown work: {work!r}")


def or_until(text: str, until: str | None) -> str:
    """ "20 reps" -> "20 reps, or until your feet feel tired" for an open-ended dose."""
    return f"{text}, or {until}" if until else text


def pause_text(work: RepsWork) -> str:
    """ "a 1-second pause at the bottom" (empty when the reps have no pause)."""
    if work.pause is None:
        return ""
    return f"a {number(work.pause.value)}-second pause at the {work.pause_at}"


def _reps_text(work: RepsWork, *, detail: bool) -> str:
    text = amount(work.reps, "rep", detail=detail)
    if work.pause is not None:
        text += f" with {pause_text(work)}"
        text += MARK if detail and work.pause.assumed else ""
    text = or_until(text, work.until)
    if detail:
        text += f", {_per_rep(work.tempo)} per rep"
    return text


def _circles_text(work: CirclesWork, *, detail: bool) -> str:
    each = "each way" if len(work.directions) > 1 else work.directions[0]
    if work.reps is not None:
        text = f"{amount(work.reps, 'circle', detail=detail)} {each}"
    else:
        assert work.seconds is not None
        text = f"{amount(work.seconds, 'second', detail=detail)} {each}"
    if len(work.directions) > 1:
        text += " (" + ", then ".join(work.directions) + ")"
    text = or_until(text, work.until)
    if detail and work.reps is not None:
        text += f", {_per_rep(work.tempo)} per circle"
    return text


def _sequence_text(work: SequenceWork, *, detail: bool) -> str:
    """Speech: "5 reps, then 5 reps"; detail only counts the parts (`show` lists them)."""
    if detail:
        return plural(len(work.parts), "part")
    texts = []
    for part in work.parts:
        text = work_text(part.work)
        if part.rest_after is not None:
            text += f", rest {amount(part.rest_after, 'second')}"
        texts.append(text)
    if len(set(texts)) == 1 and len(texts) > 1:
        return f"{len(texts)} parts of {texts[0]} each"
    return ", then ".join(texts)


# ----------------------------------------------------------------------------- exercise


def sides_text(ex: Exercise, *, detail: bool = False) -> str:
    """Which sides, in which order: "right then left", "all 5 sets right, then left"."""
    if not ex.sides:
        return ""
    names = [SIDE_WORDS[s] for s in ex.sides]
    text = " then ".join(names)
    many = ex.sets.value > 1 and len(names) > 1
    if many and ex.side_order == "alternate":
        text += ", alternating each set"
    elif many:
        text = f"all sets {names[0]}, then " + ", then ".join(names[1:])
    for extra in ex.extra_sets:
        more = plural(extra.sets.value, "more set") + (
            MARK if detail and extra.sets.assumed else ""
        )
        text += f", then {more} on the {SIDE_WORDS[extra.side].removesuffix(' side')} side"
    return text


def dose_text(ex: Exercise, *, detail: bool = False) -> str:
    """The whole dose of an exercise in one line.

    Speech: "2 sets of 10 reps, right then left, alternating each set".
    Detail adds the article's ranges, tempos, rests and MARKs."""
    work = work_text(ex.work, detail=detail)
    if ex.sets.value == 1 and not ex.sets.is_range and not (detail and ex.sets.assumed):
        text = work
    else:
        text = f"{amount(ex.sets, 'set', detail=detail)} of {work}"
    sides = sides_text(ex, detail=detail)
    if sides:
        text += f", {sides}"
    if detail and ex.rest_between_sets is not None:
        what = "each pair" if ex.superset else "sets"
        rest = amount(ex.rest_between_sets, "second", detail=True)
        text += f"; rest {rest} {'after' if ex.superset else 'between'} {what}"
    if detail and ex.rest_after is not None:
        text += f"; then rest {amount(ex.rest_after, 'second', detail=True)}"
    return text


def step_text(step: Step, ex: Exercise | None = None, *, name: bool = False) -> str:
    """One step of the plan: "set 1 of 2, right: 10 reps (3 s each); then switch sides, 5
    seconds". `ex` (the step's exercise) names circles as circles, and the exercise when
    `name` is true (for supersets, whose steps interleave)."""
    circles = ex is not None and isinstance(ex.work, CirclesWork)
    where = [f"set {step.set} of {step.sets}"] if step.sets > 1 else []
    if step.side:
        where.append(SIDE_WORDS[step.side])
    if step.parts > 1 and not circles:  # a circle step's label names its direction
        where.append(f"part {step.part + 1} of {step.parts}")
    if name and ex is not None:
        where.insert(0, ex.name)
    unit = "circle" if circles else "rep"
    if step.kind == "timed":
        what = duration(step.seconds)
    elif step.kind == "reps":
        what = f"{plural(step.reps, unit)} ({number(step.tempo)} s each)"
    else:
        what = f"{plural(step.reps, 'hold')} of {duration(step.hold)}"
        if step.reps > 1:
            what += f" ({number(step.release)} s between)"
    if ex is not None:
        what = or_until(what, ex.step_works()[step.part].until)
    if step.label:
        what += f" — {step.label.rstrip('.')}"
    text = f"{', '.join(where)}: {what}" if where else what
    if step.rest_after and step.rest_reason:
        text += f"; then {REST_WORDS[step.rest_reason]}, {duration(step.rest_after)}"
    return text


def assumed_numbers(routine: Routine) -> list[str]:
    """The field path of every number the article did not give (marked `assumed`)."""
    found: list[str] = []

    def walk(value: object, path: str) -> None:
        if isinstance(value, CountValue | SecondsValue):
            if value.assumed:
                found.append(path)
        elif isinstance(value, BaseModel):
            for field in type(value).model_fields:
                walk(getattr(value, field), f"{path}.{field}" if path else field)
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")

    walk(routine, "")
    return found


# ------------------------------------------------------------------------------ routine


def source_text(routine: Routine) -> str | None:
    src = routine.source
    if src is None:
        return None
    text = f'"{src.title}"'
    by = [x for x in (src.author, src.publisher) if x]
    if by:
        text += " by " + ", ".join(by)
    if src.date:
        text += f" ({src.date})"
    if src.url:
        text += f" <{src.url}>"
    return text


def frequency_text(routine: Routine) -> str | None:
    """How often, marked when the article does not say and the advice is ours."""
    if routine.frequency is None:
        return None
    if routine.frequency_assumed:
        return f"{routine.frequency.words} (our suggestion: the article does not say)"
    return routine.frequency.words


def minutes_text(routine: Routine, timing: Timing) -> str:
    """ "about 20 minutes", and why the article's own length cannot be kept if it cannot.
    `timing` is how long a session of a routine lasts (`show` passes the dry run's)."""
    minutes = max(1, round(timing(routine) / 60))
    text = f"about {plural(minutes, 'minute')}"
    if routine.article_minutes:
        text += f" (the article says {plural(routine.article_minutes, 'minute')})"
    note = article_time_note(routine, timing)
    return f"{text}. {note}" if note else text


def article_time_note(routine: Routine, timing: Timing, *, spoken: bool = False) -> str:
    """Why the session cannot take the article's own length, when it cannot (the
    routine's `article_minutes_note`, else what the article's ranges allow): only when
    even every range at its low end is longer (shorter than the article says is fine,
    "20 minutes or less"). `spoken`: for the intro, the note's first sentence (its gist:
    the figures behind it are for `show`, not for someone waiting for the first exercise)."""
    if routine.article_minutes is None:
        return ""
    target = routine.article_minutes * 60
    shortest = timing(plan.scaled_doses(routine, 0.0))
    if shortest - plan.FIT_SLACK <= target:
        return ""
    note = routine.article_minutes_note
    if note is None:
        return _at_least(target, shortest)
    return first_sentence(note) if spoken else note


def first_sentence(text: str) -> str:
    """`text` up to the end of its first sentence ("Stop. Then..." -> "Stop.")."""
    return re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)[0]


def _at_least(target: float, shortest: float, subject: str = "It") -> str:
    asked = plural(round(target / 60), "minute")
    limit = plural(round(shortest / 60), "minute")
    return f"{subject} cannot take {asked}: the article's ranges make it at least {limit}."


def fit_note(fit: plan.Fit, subject: str = "It") -> str:
    """What to say when a session cannot fit the minutes asked for (`subject`: what
    cannot, "It" in the intro, the routine's name on the terminal)."""
    if fit.reachable or fit.target is None:
        return ""
    if fit.target < fit.shortest:
        return _at_least(fit.target, fit.shortest, subject)
    asked = plural(round(fit.target / 60), "minute")
    limit = plural(round(fit.longest / 60), "minute")
    return f"{subject} cannot take {asked}: the article's ranges make it at most {limit}."


def fit_range_text(routine: Routine, timing: Timing) -> str:
    """What `start --minutes N` can make of a routine: from every range of the article at
    its low end to every one at its high end."""
    shortest = max(1, round(timing(plan.scaled_doses(routine, 0.0)) / 60))
    longest = max(1, round(timing(plan.scaled_doses(routine, 1.0)) / 60))
    if shortest == longest:
        return f"about {plural(shortest, 'minute')} whatever N is (its ranges move too little)"
    return f"{shortest} to {longest} minutes"


def resumed_fit_note(minutes: float) -> str:
    """What a resumed session says when the one it continues was fitted with `--minutes`
    (it runs the same doses). Not "fitted to N minutes": N may lie outside what the
    article's ranges allow, which the session left said."""
    return f"Same doses as the session you left, which asked for {plural(minutes, 'minute')}."


def _bullets(title: str, items: Iterable[str], indent: str) -> list[str]:
    items = list(items)
    if not items:
        return []
    if len(items) == 1:
        return [f"{indent}{title}: {items[0]}"]
    return [f"{indent}{title}:", *(f"{indent}  - {item}" for item in items)]


def _line(title: str, value: str | None, indent: str) -> list[str]:
    return [f"{indent}{title}: {value}"] if value else []


def exercise_lines(routine: Routine, index: int) -> list[str]:
    """Everything about one exercise, without its steps."""
    ex = routine.exercises[index]
    pad = "   "
    seconds = plan.exercise_seconds(routine, index)
    lines = [f"{index + 1}. {ex.name}  [{ex.id}, about {duration(round(seconds / 5) * 5)}]"]
    lines += _line("Why", ex.purpose, pad)
    lines += _line("Dose", dose_text(ex, detail=True), pad)
    if isinstance(ex.work, SequenceWork):
        for k, part in enumerate(ex.work.parts, 1):
            label = f" {part.work.label}" if part.work.label else ""
            lines.append(f"{pad}  part {k}: {work_text(part.work, detail=True)}.{label}")
    elif ex.work.label:
        lines.append(f"{pad}  {ex.work.label}")
    lines += _line("Alternates with", _superset_partners(routine, index), pad)
    lines += _line("Equipment", ", ".join(ex.equipment), pad)
    lines += _bullets("Setup", ex.setup, pad)
    for side, words in ex.side_setup.items():
        lines += _bullets(f"On the {SIDE_WORDS[side].removesuffix(' side')} side", words, pad)
    lines += _bullets("Cues", ex.cues, pad)
    lines += _bullets("Afterwards", ex.afterwards, pad)
    alts = [
        f"{a.text} ({work_text(a.work, detail=True)})" if a.work is not None else a.text
        for a in ex.alternatives
    ]
    lines += _bullets("Alternative" + "s" * (len(alts) > 1), alts, pad)
    lines += _bullets("Easier", ex.easier, pad)
    lines += _bullets("Harder", ex.harder, pad)
    lines += _bullets("Cautions", ex.cautions, pad)
    lines += _line("How often", ex.frequency, pad)
    lines += _bullets("Notes", ex.notes, pad)
    return lines


def _superset_partners(routine: Routine, index: int) -> str | None:
    ex = routine.exercises[index]
    if not ex.superset:
        return None
    others = [e.name for e in routine.exercises if e.superset == ex.superset and e is not ex]
    return ", ".join(others) + " (superset: set by set)"


def routine_text(routine: Routine, *, timing: Timing, steps: bool = True) -> str:
    """The whole plan in words, as `voicecoach show` prints it (`timing`: how long a
    session of a routine lasts, the dry run `--fast` takes)."""
    lines = [f"{routine.title}  [{routine.name}]"]
    lines += _line("About", routine.summary, "")
    lines += _line("Source", source_text(routine), "")
    lines += _line("How often", frequency_text(routine), "")
    lines += _line("Time", minutes_text(routine, timing), "")
    lines += _line("With start --minutes N", fit_range_text(routine, timing), "")
    lines += _line("Equipment", ", ".join(routine.equipment) or "none", "")
    ours = " (ours: the article gives none)" if routine.disclaimer_assumed else ""
    lines += _line("Disclaimer" + ours, routine.disclaimer, "")
    lines += _bullets("Cautions", routine.cautions, "")
    all_steps = plan.steps(routine) if steps else []
    for group in plan.exercise_groups(routine):
        for i in group:
            lines += ["", *exercise_lines(routine, i)]
        if steps:
            lines.append("   Steps:" if len(group) == 1 else "   Steps (alternating):")
            for s in (s for s in all_steps if s.exercise in group):
                text = step_text(s, routine.exercises[s.exercise], name=len(group) > 1)
                lines.append(f"     - {text}")
    lines.append("")
    lines += _bullets("Closing tips", routine.closing_tips, "")
    if assumed_numbers(routine):
        lines += ["", LEGEND]
    return "\n".join(lines) + "\n"
