"""What the coach says: pure functions from the routine and its steps to sentences.

Kept apart from the state machine so the wording can change without touching timing, and
so tests can ask for "the sentence the engine would say" instead of copying strings.
"""

from __future__ import annotations

from voicecoach.describe import or_until
from voicecoach.plan import Step
from voicecoach.routine import AlternativeValue, Exercise, RepsWork, Routine

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
GOOD = "Good."  # an exercise's last set done: before what comes next
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


def intro(routine: Routine, minutes: int, standing: str = "", time_note: str = "") -> list[str]:
    """Title, the standing this week, equipment, the disclaimer (once, marked when it is
    ours), how long it takes, and how to get help."""
    out = [sentence(routine.title), sentence(standing)]
    if routine.equipment:
        out.append(sentence(f"You will need: {items(routine.equipment)}"))
    out += safety(routine)
    out.append(join(f"This takes about {minutes} minute{'s' if minutes != 1 else ''}", time_note))
    out.append("Say help at any time to hear what you can say.")
    return [line for line in out if line]


def safety(routine: Routine) -> list[str]:
    """The disclaimer (marked when it is ours) and the routine's cautions: said by every
    intro, `--from`'s too."""
    out = []
    if routine.disclaimer and routine.disclaimer_assumed:
        out.append(join("A word from us, not from the article", routine.disclaimer))
    elif routine.disclaimer:
        out.append(sentence(routine.disclaimer))
    return out + [sentence(c) for c in routine.cautions]


def intro_from(routine: Routine, minutes: int, start: Exercise) -> list[str]:
    """`--from`: the title, where it starts and how long it takes, in one line; then the
    disclaimer and the routine's cautions (a session that skips exercises still hears them)."""
    many = "s" if minutes != 1 else ""
    line = sentence(f"{routine.title}, from {start.name}: about {minutes} minute{many}")
    return [line, *safety(routine)]


def outcome(
    done: list[str],
    cut: list[str],
    skipped: list[str],
    elapsed: float,
    pains: list[str],
    stopped: bool = False,
) -> list[str]:
    """What this session did: exercises done, cut short, skipped, the time, pain reports.
    A session ended early did not skip the exercises it never reached: they are "not
    done", and more than two are counted, not read out one by one."""
    total = len(done) + len(cut) + len(skipped)
    head = f"You did {len(done)} of {total} exercise{'s' if total != 1 else ''}"
    head += f" in {duration(elapsed).removeprefix('about ')}"
    out = [sentence(head)]
    if cut:
        out.append(sentence(f"Cut short: {items(cut)}"))
    if skipped and not stopped:
        out.append(sentence(f"Skipped: {items(skipped)}"))
    elif skipped:
        names = items(skipped) if len(skipped) <= 2 else f"{len(skipped)} exercises"
        out.append(sentence(f"Not done: {names}"))
    if pains:
        out.append(sentence(f"You reported pain during {items(list(dict.fromkeys(pains)))}"))
        out.append("If the pain persists, see a doctor or physiotherapist.")
    return out


def intro_resumed(routine: Routine, minutes: int, time_note: str = "") -> list[str]:
    """A resumed session (its workout's whole intro was heard, within the day): the title
    and the time left in one line, the note on its doses (fitted with `--minutes`), then
    the disclaimer and the routine's cautions; the recap (`resumed`) follows."""
    many = "s" if minutes != 1 else ""
    line = sentence(f"{routine.title}: about {minutes} minute{many} left")
    return [line for line in (line, sentence(time_note), *safety(routine)) if line]


def resumed(step: Step, ex: Exercise) -> str:
    """The one-line recap of a resumed session: where it picks up."""
    where = f"{ex.name}, set {step.set} of {step.sets}"
    if step.side:
        where += f", {side_name(step.side)}"
    return sentence(f"Picking up where you left off: {where}")


def summary(
    routine: Routine,
    done: list[str],
    cut: list[str],
    skipped: list[str],
    elapsed: float,
    pains: list[str],
    standing: str = "",
) -> list[str]:
    """The end of a finished workout: the outcome, the standing this week, the article's
    frequency (when the routine gives one) and closing advice."""
    out = [
        "That is the end of the workout. Well done!",
        *outcome(done, cut, skipped, elapsed, pains),
        sentence(standing),
    ]
    if routine.frequency is not None:
        often = f"How often: {routine.frequency.words}"
        if routine.frequency_assumed:
            often += ", our suggestion"  # the article does not say
        out.append(sentence(often))
    out += [sentence(tip) for tip in routine.closing_tips]
    return [line for line in out if line]


def stopped(
    done: list[str],
    cut: list[str],
    skipped: list[str],
    elapsed: float,
    pains: list[str],
) -> list[str]:
    """The end of a stopped workout: the outcome, then goodbye."""
    return [
        "Ending the workout.",
        *outcome(done, cut, skipped, elapsed, pains, stopped=True),
        "Take care.",
    ]


# --------------------------------------------------------------------------- exercises


def setup(ex: Exercise, number: int, total: int) -> list[str]:
    """Name, every caution (first, as the articles put them: "not suitable for those with
    back pain" is heard before getting into position), how often the article says to do
    this one when it says so for each exercise ("How often: 2-3 times a week": not at
    every workout of a routine done twice a day), every setup instruction, then where the
    reps pause and each alternative (with its own dose)."""
    out = [sentence(f"Exercise {number} of {total}: {ex.name}")]
    out += [caution(c) for c in ex.cautions]
    if ex.frequency:
        out.append(sentence(f"How often: {ex.frequency}"))
    out += map(sentence, ex.setup)
    pauses = [
        sentence(f"Pause {seconds(w.pause.value)} at the {w.pause_at} of each rep")
        for w in ex.step_works()
        if isinstance(w, RepsWork) and w.pause is not None
    ]
    out += dict.fromkeys(pauses)  # once, however many parts pause alike
    out += [alternative(a) for a in ex.alternatives]
    return out


def caution(text: str) -> str:
    """ "Careful. This is not suitable for those with back pain." (a long one as it is)."""
    return join("Careful", text) if len(text) < 60 else sentence(text)


def alternative(alt: AlternativeValue) -> str:
    """ "Alternative: the Deadmill, 5 minutes of backwards walking ... Place a mat on your
    back for comfort. If you do the Deadmill, say next after 5 minutes." All of the
    article's words: how to do it safely is in them ("keep your hips forward")."""
    text = sentence(f"Alternative: {alt.text}")
    if alt.work is not None and alt.work.kind == "timed":
        name = alt.name or "it"
        text = join(text, f"If you do {name}, say next after {span(alt.work.seconds.value)}")
    return text


def options(ex: Exercise, named: bool = False, harder: bool = True, easier: bool = True) -> str:
    """Every `harder` and `easier` option: "If this is easy: do it on a single leg. Add
    weight." (the lead once for each kind). `named`: the exercise by its name, for options
    offered after the next one is announced (a superset's rest: "Next exercise: Calf
    Raise. If Tibialis Raise is easy: ...")."""
    this = ex.name if named else "this"
    name = ex.name if named else None
    return join(
        *(_options(f"If {this} is easy", ex.harder, name) if harder else []),
        *(_options(f"If {this} is too hard", ex.easier, name) if easier else []),
    )


def _options(lead: str, lines: list[str], name: str | None) -> list[str]:
    return [_option(lead, t, name) if i == 0 else t for i, t in enumerate(lines)]


def _option(lead: str, text: str, name: str | None) -> str:
    """ "If this is easy: add weights", unless the article's words already say when
    (then, named: "For Tibialis Raise: if this is too difficult, ...")."""
    if not text.lower().startswith("if "):
        return f"{lead}: {_going_on(text)}"
    return f"For {name}: {text[0].lower()}{text[1:]}" if name else text


def _going_on(text: str) -> str:
    """The article's sentence going on after a colon: "If this is easy: do it on a single
    leg", not "...: Do it"; "I", a name in capitals ("ACL") stay as they are."""
    return text[0].lower() + text[1:] if text[1:2].islower() else text


def alternative_done(alt: AlternativeValue) -> str:
    """Said when an alternative's shorter dose is done: "That is the Deadmill's 5 minutes"."""
    assert alt.work is not None
    assert alt.work.kind == "timed"
    name = alt.name or "the alternative"
    return join(f"That is {span(alt.work.seconds.value)}", f"If you are doing {name}, say next")


def until(step: Step, ex: Exercise) -> str | None:
    """The article's open end of the step's dose ("until your feet feel tired"), if any."""
    return ex.step_works()[step.part].until


def side_setup(step: Step, prev: Step | None, ex: Exercise) -> list[str]:
    """The setup words for the step's side ("left hand on the wall, facing right")
    whenever the person moves to that side: when the exercise is set up (`prev` None: its
    start, a resume, "back") and at every switch of side, the second time round too (on
    the floor, the words are all there is to go by). Not between sets on the same side."""
    if step.side is None or step.part != 0:
        return []
    if prev is not None and (prev.exercise, prev.side) == (step.exercise, step.side):
        return []
    return list(ex.side_setup.get(step.side, []))


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


def unit_head(step: Step, prev: Step | None, ex: Exercise, switch: bool) -> str:
    """Which set and side come next, when they change: "set 2 of 3", "switch to your left
    side, set 2 of 3" (the other side), "Now Calf Raise, set 1 of 2" (a superset's switch),
    "a third set on your left side"."""
    new_unit = prev is None or (prev.set, prev.side, prev.exercise) != (
        step.set,
        step.side,
        step.exercise,
    )
    if switch:
        return f"{ex.name}, {unit(step, ex)}" if unit(step, ex) else ex.name
    if step.set > ex.sets.value and new_unit:
        where = f"your {side_name(step.side)}" if step.side else "this exercise"
        return f"a {ordinal(step.set)} set on {where}"
    if switches_side(step, prev):
        return f"switch to your {unit(step, ex)}"
    return unit(step, ex) if new_unit else ""


def switches_side(step: Step, prev: Step | None) -> bool:
    """Whether `step` goes on with the same exercise on the other side: said as a switch
    ("Switch to your left side"), however long the rest before it."""
    return (
        prev is not None
        and prev.exercise == step.exercise
        and None not in (prev.side, step.side)
        and prev.side != step.side
    )


def announce(step: Step, prev: Step | None, ex: Exercise, switch: bool) -> list[str]:
    """The one announcement of a set or side, as sentences: which one (first), the side's
    own setup when the person moves to that side, and for a superset's switch the other
    exercise's first setup line."""
    first = ex.setup[:1] if switch else []
    return [unit_head(step, prev, ex, switch), *side_setup(step, prev, ex), *first]


def work_intro(step: Step, ex: Exercise, tempo: float, cues: list[str], first: bool) -> str:
    """What is said just before the work starts: the label, the dose, and the cues of this
    set (`first`: right after the setup, with how to stop an open-ended dose early)."""
    hint = OPEN_END if first and until(step, ex) else ""
    return join(step.label, or_until(dose(step, tempo), until(step, ex)), hint, *cues)


def rest(length: float, reason: str | None, announcement: list[str], side: str | None) -> str:
    """ "Rest 30 seconds. Next: switch to your left side, set 1 of 2." or, for a side change with no
    rest but the time it takes, "Switch to your left side." (`side`) or for a superset's
    switch "Now Calf Raise, set 1 of 2." with its first setup line."""
    head, *more = announcement or [""]
    if reason == "switch":
        return join(f"Now {head}", *more)
    if side is not None:
        return join(f"Switch to your {side_name(side)}", *more)
    return join(f"Rest {span(length)}", f"Next: {head}" if head else "", *more)


def next_exercise(ex: Exercise) -> str:
    return sentence(f"Next exercise: {ex.name}")


def instructions(step: Step, ex: Exercise, tempo: float, cues: list[str]) -> str:
    """The `repeat` answer during work, short: mid-set the instruction is wanted again
    quickly (and the counting waits for it). The exercise, the set, what to do and `cues`
    (those of this set), then how to hear the rest (`instructions_whole`)."""
    what = or_until(dose(step, tempo), until(step, ex))
    sides = ex.side_setup.get(step.side, []) if step.side else []
    if ex.cautions:
        more = f"Say repeat again for its cautions{' and setup' if ex.setup or sides else ''}"
    elif ex.setup or sides or set(ex.cues) - set(cues):
        more = "Say repeat again for the full instructions"
    else:
        more = ""
    return join(ex.name, unit(step, ex), step.label, what, *cues, more)


def instructions_whole(step: Step, ex: Exercise, tempo: float) -> str:
    """A second `repeat` in the same set: the exercise, the set, its cautions (first, as
    at setup: "stop if it causes knee pain"), its setup, what to do and every cue."""
    what = or_until(dose(step, tempo), until(step, ex))
    sides = ex.side_setup.get(step.side, []) if step.side else []
    careful = [caution(c) for c in ex.cautions]
    return join(ex.name, unit(step, ex), *careful, *ex.setup, *sides, step.label, what, *ex.cues)


def pain(ex: Exercise | None, routine: Routine, ending: bool = False) -> str:
    """Stop, do not push through pain, the article's cautions and easier options, a doctor
    (in the article's words when a caution names one: "begin to experience pain ... please
    see a doctor" is not "if the pain persists"); then what can be said (`ending`: the
    workout is ending already, nothing to carry on)."""
    cautions = list(ex.cautions) if ex is not None else []
    cautions += routine.cautions
    easier = ex.easier[:1] if ex is not None else []
    named = any("doctor" in c.lower() for c in cautions)
    return join(
        "Stop the exercise. Do not push through pain",
        *cautions,
        *(e if e.lower().startswith("if ") else f"An easier option: {e}" for e in easier),
        "" if named else "If the pain persists, see a doctor or physiotherapist",
        "The workout is ending. Take care"
        if ending
        else "Say next to skip to the next exercise, or stop to end the workout. "
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
    # the goodbyes: they obey repeat, pain and stop (and next, as stop)
    "done": (
        "The workout is finished. Say repeat to hear the summary again, pain if something "
        "hurts, or stop to end now."
    ),
    # "ready" was said: the set starts after "3, 2, 1"
    "countdown": (
        "Starting now. You can say: pause, next to skip this exercise, back for the "
        "previous one, repeat to hear the instructions again, or stop."
    ),
    # a stopped workout's goodbye
    "stopped": (
        "The workout is ending. Say repeat to hear the summary again, pain if something "
        "hurts, or stop to end now."
    ),
}
HELP["ready"] = HELP["setup"]
HELP["hold"] = HELP["work"]
