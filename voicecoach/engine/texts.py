"""What the coach says: pure functions from the routine and its steps to sentences.

Kept apart from the state machine so the wording can change without touching timing, and
so tests can ask for "the sentence the engine would say" instead of copying strings.
"""

from __future__ import annotations

from voicecoach.describe import or_until
from voicecoach.plan import SIDE_SWITCH_SECONDS, Step
from voicecoach.routine import Exercise, RepsWork, Routine

_ORDINALS = {
    1: "first",
    2: "second",
    3: "third",
    4: "fourth",
    5: "fifth",
    6: "sixth",
    7: "seventh",
    8: "eighth",
    9: "ninth",
    10: "tenth",
}

PROMPT_READY = "Say ready when you are in position."
OPEN_END = "If you finish early, say next."
PAUSED = "Paused. Say resume when you want to carry on."
CONFIRM_STOP = "End the workout? Say yes to end it, or no to carry on."


def sentence(text: str) -> str:
    """`text` as a sentence: capitalised, ending in a full stop (unless it already ends)."""
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def join(*parts: str | None) -> str:
    """Sentences joined with spaces; empty parts dropped."""
    return " ".join(sentence(p) for p in parts if p and p.strip())


def seconds(value: float) -> str:
    """30 -> "30 seconds", 1 -> "1 second", 2.5 -> "2.5 seconds"."""
    n = round(value, 1)
    text = f"{n:g}"
    return f"{text} second" if n == 1 else f"{text} seconds"


def span(value: float) -> str:
    """A length as a coach says it: "45 seconds", "10 minutes", "1 minute 30 seconds"."""
    if value < 60:
        return seconds(value)
    minutes, rest = divmod(round(value), 60)
    text = "1 minute" if minutes == 1 else f"{minutes} minutes"
    return f"{text} {seconds(rest)}" if rest else text


def duration(value: float) -> str:
    """A length of time as people say it: "40 seconds", "about 12 minutes"."""
    if value < 59.5:
        return seconds(max(0, round(value)))
    minutes = max(1, round(value / 60))
    return "about 1 minute" if minutes == 1 else f"about {minutes} minutes"


def ordinal(n: int) -> str:
    return _ORDINALS.get(n, f"number {n}")


def side_name(side: str) -> str:
    return f"{side} side"


def items(words: list[str]) -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


# --------------------------------------------------------------------------- intro / outro


def intro(routine: Routine, minutes: int, start: Exercise | None) -> list[str]:
    """Title, equipment, the disclaimer (once), how long it takes, and how to get help."""
    out = [sentence(routine.title)]
    if routine.equipment:
        out.append(sentence(f"You will need: {items(routine.equipment)}"))
    if routine.disclaimer:
        out.append(sentence(routine.disclaimer))
    when = f", starting with {start.name}" if start is not None else ""
    out.append(sentence(f"This takes about {minutes} minute{'s' if minutes != 1 else ''}{when}"))
    out.append("Say help at any time to hear what you can say.")
    return out


def resumed(step: Step, ex: Exercise) -> str:
    """The one-line recap of a resumed session: where it picks up."""
    where = f"{ex.name}, set {step.set} of {step.sets}"
    if step.side:
        where += f", {side_name(step.side)}"
    return sentence(f"Picking up where you left off: {where}")


def summary(routine: Routine, done: list[str], skipped: list[str], elapsed: float) -> list[str]:
    """The end: what was done and skipped, how long it took, the article's advice."""
    total = len(done) + len(skipped)
    head = f"You did {len(done)} of {total} exercise{'s' if total != 1 else ''}"
    if skipped:
        head += f" and skipped {items(skipped)}"
    out = [
        "That is the end of the workout. Well done!",
        sentence(f"{head}, in {duration(elapsed).removeprefix('about ')}"),
    ]
    if routine.frequency is not None:
        often = f"How often: {routine.frequency.words}"
        if routine.frequency_assumed:
            often += ", our suggestion"  # the article does not say
        out.append(sentence(often))
    out += [sentence(tip) for tip in routine.closing_tips]
    return out


# --------------------------------------------------------------------------- exercises


def setup(ex: Exercise, number: int, total: int) -> list[str]:
    """Name and setup instructions, read before the exercise starts: then where the reps
    pause, and the first sentence of each alternative (`show` has the rest)."""
    out = [sentence(f"Exercise {number} of {total}: {ex.name}"), *map(sentence, ex.setup)]
    pauses = [
        sentence(f"Pause {seconds(w.pause.value)} at the {w.pause_at} of each rep")
        for w in ex.step_works()
        if isinstance(w, RepsWork) and w.pause is not None
    ]
    out += dict.fromkeys(pauses)  # once, however many parts pause alike
    out += [sentence(f"Alternative: {first_sentence(a)}") for a in ex.alternatives]
    return out


def first_sentence(text: str) -> str:
    """ "The Deadmill, 5 minutes. Rest your back..." -> "The Deadmill, 5 minutes." """
    head, stop, _ = text.partition(". ")
    return head + stop.strip()


def until(step: Step, ex: Exercise) -> str | None:
    """The article's open end of the step's dose ("until your feet feel tired"), if any."""
    return ex.step_works()[step.part].until


def side_setup(step: Step, ex: Exercise) -> list[str]:
    """The setup words for the step's side ("left hand on the wall, facing right") when
    the step begins that side's first set (an extra set's side: its first extra one)."""
    if step.side is None or step.part != 0:
        return []
    first = 1 if step.side in ex.sides else ex.sets.value + 1
    return list(ex.side_setup.get(step.side, [])) if step.set == first else []


def unit(step: Step, ex: Exercise) -> str:
    """Which side and set a step belongs to: "left side, set 2 of 3"."""
    parts = []
    if step.side:
        parts.append(side_name(step.side))
    if step.set > ex.sets.value:
        parts.append(f"a {ordinal(step.set)} set")
    elif step.sets > 1:
        parts.append(f"set {step.set} of {step.sets}")
    return ", ".join(parts)


def dose(step: Step, tempo: float) -> str:
    """How much work: "15 times", "20 seconds", "10 holds of 2 seconds"."""
    if step.kind == "timed":
        return span(step.seconds)
    if step.kind == "reps":
        return f"{step.reps} time{'s' if step.reps != 1 else ''}"
    if step.reps == 1:
        return f"hold for {span(step.hold)}"
    return f"{step.reps} holds of {span(step.hold)}"


def step_intro(
    step: Step,
    prev: Step | None,
    ex: Exercise,
    superset_switch: bool,
    tempo: float,
    brief: bool = False,
) -> str:
    """What is said as a step begins: which set/side (when it changed), the label, the dose.

    `prev` is the step done just before (None right after the setup); `brief` leaves the
    set and side out (just said)."""
    head = ""
    new_unit = prev is None or (prev.set, prev.side, prev.exercise) != (
        step.set,
        step.side,
        step.exercise,
    )
    if superset_switch:
        head = f"Now {ex.name}, {unit(step, ex)}" if unit(step, ex) else f"Now {ex.name}"
    elif step.set > ex.sets.value and new_unit:
        where = f"your {side_name(step.side)}" if step.side else "this exercise"
        head = f"A {ordinal(step.set)} set on {where}"
    elif new_unit and not brief:
        head = unit(step, ex)
    fresh = prev is None or prev.exercise != step.exercise  # after the setup, or a switch
    sides = side_setup(step, ex) if fresh else []  # else the rest before it said them
    hint = OPEN_END if prev is None and until(step, ex) else ""
    return join(head, *sides, step.label, or_until(dose(step, tempo), until(step, ex)), hint)


def next_up(step: Step, prev: Step, routine: Routine, in_superset: bool) -> str:
    """What comes next, said at the start of a rest (with the next side's own setup, so
    there is time to change position)."""
    ex = routine.exercises[step.exercise]
    if step.exercise != prev.exercise:
        if in_superset:
            return join(f"Next: {ex.name}, {unit(step, ex)}", *side_setup(step, ex))
        return sentence(f"Next exercise: {ex.name}")
    if step.side != prev.side:
        return join(f"Next: {unit(step, ex)}", *side_setup(step, ex))
    if step.set != prev.set:
        return sentence(f"Next: {unit(step, ex)}")
    return sentence(f"Next: {step.label}") if step.label else ""


def rest(
    length: float,
    reason: str | None,
    nxt: Step | None,
    prev: Step,
    routine: Routine,
    in_superset: bool,
) -> str:
    """ "Rest 30 seconds. Next: left side, set 1 of 2." or, for a short side change,
    "Switch to your left side." """
    if reason == "side" and nxt is not None and nxt.side and length <= SIDE_SWITCH_SECONDS:
        ex = routine.exercises[nxt.exercise]
        return join(f"Switch to your {side_name(nxt.side)}", *side_setup(nxt, ex))
    text = sentence(f"Rest {span(length)}")
    if nxt is None:
        return text
    return join(text, next_up(nxt, prev, routine, in_superset))


def instructions(step: Step, ex: Exercise, tempo: float) -> str:
    """The `repeat` answer during work: the exercise, the set, what to do, its cues."""
    what = or_until(dose(step, tempo), until(step, ex))
    sides = ex.side_setup.get(step.side, []) if step.side else []
    return join(ex.name, unit(step, ex), *sides, step.label, what, *ex.cues)


def pain(ex: Exercise | None, routine: Routine) -> str:
    """Stop, do not push through pain, the article's cautions and easier options, a doctor."""
    cautions = list(ex.cautions) if ex is not None else []
    cautions += routine.cautions
    easier = ex.easier[:1] if ex is not None else []
    return join(
        "Stop the exercise. Do not push through pain",
        *cautions,
        *(f"An easier option: {e}" for e in easier),
        "If the pain persists, see a doctor or physiotherapist",
        "Say next to skip to the next exercise, or stop to end the workout. "
        "Say resume to carry on gently",
    )


HELP = {
    "intro": "You can say: next to skip the introduction, repeat, pause, or stop.",
    "setup": (
        "Say ready to start, next to skip this exercise, back for the previous one, "
        "repeat to hear the instructions again, pause, or stop."
    ),
    "work": (
        "You can say: pause, next to skip ahead, back, repeat, slower or faster, time, "
        "pain if it hurts, or stop."
    ),
    "rest": "You can say: ready or next to start now, time, repeat, back, pause, or stop.",
    "pause": "Say resume to carry on, next to skip ahead, or stop to end the workout.",
    "confirm": "Say yes to end the workout, or no to carry on.",
    "pain": "Say next to skip to the next exercise, resume to carry on gently, or stop to end.",
    "done": "The workout is finished. Say stop to end now.",
}
HELP["ready"] = HELP["setup"]
HELP["hold"] = HELP["work"]
