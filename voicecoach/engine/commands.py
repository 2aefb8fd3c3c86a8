"""What the engine does with each intent, in each phase (running or paused).

`next`, `back`, `pause`, `stop` and `pain` cut the voice; `help`, `time` and `repeat`
during work wait for it. While paused (pause, the stop question, pain) every timer is
frozen; resuming shifts them by the length of the pause. Once the workout is finished
or a stop is confirmed the session is ending (`_heard_ending`): nothing heard reopens or
pauses it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from voicecoach.engine import texts
from voicecoach.engine.flow import (
    announcement,
    count_rest,
    end_now,
    enter_done,
    enter_intro,
    enter_setup,
    exercise_outcomes,
    finish_step,
    go_back,
    goto,
    intro_text,
    needs_setup,
    set_cues,
    start_countdown,
    stop_session,
    work_intro,
)
from voicecoach.engine.state import (
    Action,
    Item,
    Pause,
    PauseKind,
    State,
    first_step,
    group,
    start_step,
    tempo,
)
from voicecoach.engine.timing import progress_text, rest_left, time_text
from voicecoach.engine.tx import Tx
from voicecoach.intents import Intent
from voicecoach.plan import is_turn

TEMPO_STEP = 1.15  # slower / faster: +-15 % per request
TEMPO_LIMITS = (0.5, 2.0)  # the tempo factor stays within these


def heard(tx: Tx, intent: Intent, t: float) -> None:
    s = tx.s
    if s.phase == "done":  # finished or stopped: its closing words are being said
        _heard_ending(tx, intent, t)
    elif s.pause is not None:
        _heard_paused(tx, intent, t, s.pause.kind)
    else:
        RUNNING[intent](tx, t)


def _on_next(tx: Tx, t: float) -> None:
    s = tx.s
    tx.interrupt(t)
    if s.phase == "intro":
        enter_setup(tx, start_step(s), t)
    elif s.phase in ("setup", "ready"):
        skip_exercise(tx, t)
    elif s.phase in ("work", "hold"):
        tx.s = replace(tx.s, seg_end=None)
        finish_step(tx, t, completed=False)
    else:  # a rest
        tx.s = replace(tx.s, seg_end=None)
        goto(tx, s.index + 1, t)


def skip_exercise(tx: Tx, t: float) -> None:
    """Skip the current exercise (its whole superset): to the next one's setup."""
    s = tx.s
    members = group(s.routine, s.exercise)
    tx.say(texts.sentence(f"Skipping {s.routine.exercises[s.exercise].name}"), t)
    q = 1 + max(i for i, st in enumerate(s.steps) if st.exercise in members)
    if q >= len(s.steps):
        enter_done(tx, t)
    else:
        enter_setup(tx, q, t)


def _on_back(tx: Tx, t: float) -> None:
    """One step back: the previous set or side (from a rest: the one just done); at the
    first set or in the setup, the previous exercise (from a rest between two exercises:
    the one just done)."""
    s = tx.s
    tx.interrupt(t)
    if s.phase == "intro":
        enter_intro(tx, t)
        return
    if s.phase in ("work", "hold", "rest") and not (s.phase == "rest" and _between_exercises(s)):
        q = s.index + 1 if s.phase == "rest" else s.index
        earlier = _unit_starts(s, q)
        if earlier:
            go_back(tx, earlier[-1], t)
            return
    here = s.exercise
    if s.phase == "rest" and _between_exercises(s):
        here += 1
    target = group(s.routine, max(here - 1, 0))[0]
    if here == 0:
        tx.say("This is the first exercise. Starting it again.", t)
    else:
        tx.say(texts.sentence(f"Going back to {s.routine.exercises[target].name}"), t)
    tx.s = replace(tx.s, visited=frozenset())
    enter_setup(tx, first_step(s, target), t)


def _unit_starts(s: State, q: int) -> list[int]:
    """The first steps of the sets and sides of step `q`'s exercise (its superset) that
    come before the set of step `q`."""
    members = group(s.routine, s.steps[q].exercise)
    st = s.steps[q]
    start = q - st.part
    return [i for i in range(start) if s.steps[i].exercise in members and s.steps[i].part == 0]


def _between_exercises(s: State) -> bool:
    q = s.index + 1
    return q >= len(s.steps) or s.steps[q].exercise not in group(s.routine, s.exercise)


def _on_repeat(tx: Tx, t: float) -> None:
    s = tx.s
    if s.phase == "intro":
        tx.interrupt(t)
        enter_intro(tx, t)
    elif s.phase in ("setup", "ready"):
        tx.interrupt(t)
        enter_setup(tx, s.index, t)
    elif s.phase in ("work", "hold"):
        ex = s.routine.exercises[s.exercise]
        unit = s.index - s.step.part  # the set's first step: its parts are one set
        if s.told == unit:  # "repeat" again in this set: all of it, cautions first
            tx.say(texts.instructions_whole(s.step, ex, tempo(s)), t)
        else:
            tx.say(texts.instructions(s.step, ex, tempo(s), set_cues(s, s.index)), t)
        tx.s = replace(tx.s, told=unit)
    else:  # a rest
        _remind_rest(tx, t)


def _remind_rest(tx: Tx, t: float, lead: str = "") -> None:
    """How long the rest has left, in whole seconds, and what comes next, as the rest's
    start said it ("Rest, 17 seconds left. Next: switch to your right side, set 2 of 2.",
    with that side's setup; a turn to the other side within a set is no rest: "4 seconds
    to switch to your left side, set 1 of 2.", with its setup); the seconds it says are
    left once it is said. What "repeat" says in a rest, and "resume" after "Resuming":
    the pause may have cut what the rest's start said (a switch of side, "wiggle your
    toes"). The next set's dose is said once: near the rest's end as usual, or here when
    that has been said already."""
    s = tx.s
    left = max(1, round(rest_left(s) or 0.0))
    q = s.index + 1
    head = f"Rest, {texts.span(left)} left"
    nxt: list[str] = []
    if s.step.rest_reason == "exercise":  # what the article says to do in it, again
        nxt = list(s.routine.exercises[s.exercise].afterwards)
    if q < len(s.steps) and needs_setup(s, q):  # its setup is read once the rest is over
        nxt.append(texts.next_exercise(s.routine.exercises[s.steps[q].exercise]))
    elif q < len(s.steps):
        said = announcement(s, q)
        if is_turn(s.step, s.steps[q]):  # "Next: switch to your left side, set 1 of 2"
            head = f"{texts.span(left)} to {said[0].removeprefix('Next: ')}"
            said = said[1:]
        nxt += said
        if s.announced == q:  # the dose came already (a pause may have cut it): again
            nxt.append(work_intro(s, q))
    tx.say(texts.join(lead, head, *nxt), t)
    count_rest(tx, left, t)


def _on_pause(tx: Tx, t: float, kind: PauseKind = "pause") -> None:
    tx.interrupt(t)
    tx.s = replace(tx.s, pause=Pause(t, kind))
    tx.say(_pause_text(tx.s), t)


def _pause_text(s: State) -> str:
    assert s.pause is not None
    if s.pause.kind == "confirm":
        return texts.CONFIRM_STOP
    if s.pause.kind == "pain":
        ex = s.routine.exercises[s.exercise] if s.phase != "intro" else None
        return texts.pain(ex, s.routine)
    return texts.PAUSED


def _on_ready(tx: Tx, t: float) -> None:
    s = tx.s
    if s.phase in ("setup", "ready") and not _counting(s):
        tx.interrupt(t)
        start_countdown(tx, t)
    elif s.phase in ("intro", "rest"):
        _on_next(tx, t)


def _on_help(tx: Tx, t: float) -> None:
    s = tx.s
    if s.phase == "ready" and _counting(s):  # "ready" was said (or the timeout came)
        tx.say(texts.HELP["countdown"], t)
    else:
        tx.say(texts.HELP[s.phase], t)


def _counting(s: State) -> bool:
    """The countdown into the work has started ("Starting in 3, 2, 1")."""
    return any(i.action in (Action.COUNTDOWN, Action.GO) for i in s.agenda)


def _on_time(tx: Tx, t: float) -> None:
    tx.say(time_text(tx.s), t)


def _on_tempo(tx: Tx, t: float, slower: bool) -> None:
    s = tx.s
    lo, hi = TEMPO_LIMITS
    factor = s.tempo_factor * TEMPO_STEP if slower else s.tempo_factor / TEMPO_STEP
    factor = min(hi, max(lo, factor))
    word = "Slower" if slower else "Faster"
    if abs(factor - s.tempo_factor) < 1e-9:
        tx.say(f"That is as {'slow' if slower else 'fast'} as I count.", t)
        return
    tx.s = replace(tx.s, tempo_factor=factor)
    st = tx.s.step
    if st.kind == "reps" and s.phase == "work":
        tx.say(f"{word}. One every {tempo(tx.s):.1f} seconds.", t)
        agenda = tuple(
            replace(i, due=tx.s.rep_base + tempo(tx.s)) if i.action == Action.COUNT else i
            for i in tx.s.agenda
        )
        tx.s = replace(tx.s, agenda=agenda)
    else:
        tx.say(f"{word} counting, {round(100 / factor)} percent.", t)


def _on_pain(tx: Tx, t: float) -> None:
    _report_pain(tx)
    _on_pause(tx, t, "pain")


def _report_pain(tx: Tx) -> None:
    """Count a pain report with the current exercise (none in the intro)."""
    s = tx.s
    if s.phase != "intro":
        tx.s = replace(tx.s, pains=(*s.pains, s.exercise))


def _on_stop(tx: Tx, t: float) -> None:
    """Ask first (in the goodbye, `_heard_ending` ends at once)."""
    _on_pause(tx, t, "confirm")


RUNNING: dict[Intent, Callable[[Tx, float], None]] = {
    Intent.NEXT: _on_next,
    Intent.BACK: _on_back,
    Intent.REPEAT: _on_repeat,
    Intent.PAUSE: _on_pause,
    Intent.RESUME: lambda tx, t: None,
    Intent.STOP: _on_stop,
    Intent.READY: _on_ready,
    Intent.HELP: _on_help,
    Intent.TIME: _on_time,
    Intent.SLOWER: lambda tx, t: _on_tempo(tx, t, slower=True),
    Intent.FASTER: lambda tx, t: _on_tempo(tx, t, slower=False),
    Intent.YES: lambda tx, t: None,
    Intent.NO: lambda tx, t: None,
    Intent.PAIN: _on_pain,
}


def _heard_ending(tx: Tx, intent: Intent, t: float) -> None:
    """The goodbye of a finished workout, or of a stopped one ("Ending the workout. ...
    Take care."), is being said: the workout is over, and a word heard now (often the
    room, misheard) must not reopen, pause or move it. "stop" or "next" end it at once;
    "repeat" says the summary again; "help" says what can be said now; "pain" still gets
    its safety advice, without the offer to carry on, and is reported with the last
    exercise worked (in the history too). Everything else is ignored."""
    s = tx.s
    if intent in (Intent.STOP, Intent.NEXT):
        end_now(tx, t)
    elif intent == Intent.REPEAT:  # the summary again
        done, cut, skipped, pains = exercise_outcomes(s)
        elapsed = t - (s.started or 0.0)
        tx.say_all(texts.outcome(done, cut, skipped, elapsed, pains, s.stopped), t)
    elif intent == Intent.HELP:
        tx.say(texts.HELP["stopped" if s.stopped else "done"], t)
    elif intent == Intent.PAIN:
        tx.interrupt(t)
        last = _last_worked(s)
        if last is not None:
            tx.s = replace(tx.s, pains=(*s.pains, last))
        tx.say(texts.pain(None, s.routine, ending=True), t)


def _last_worked(s: State) -> int | None:
    """The exercise a pain reported in the goodbye belongs to: the one the session ended
    in, if it was begun, else the last begun before it (none: nothing was worked)."""
    if s.exercise in s.begun:
        return s.exercise
    return max((k for k in s.begun if k < s.exercise), default=None)


def _heard_paused(tx: Tx, intent: Intent, t: float, kind: PauseKind) -> None:
    if intent in (Intent.RESUME, Intent.READY) or (kind == "confirm" and intent == Intent.NO):
        _resume(tx, t)
    elif intent == Intent.STOP and kind == "pause":
        _repause(tx, t, "confirm")
    elif intent == Intent.STOP or (intent == Intent.YES and kind == "confirm"):
        stop_session(tx, t)
    elif intent == Intent.PAUSE:
        _repause(tx, t, "pause")
    elif intent == Intent.PAIN:
        if kind != "pain":  # a new report (said again in its pause: the same one)
            _report_pain(tx)
        _repause(tx, t, "pain")
    elif intent in (Intent.REPEAT, Intent.HELP):
        tx.interrupt(t)
        tx.say(_pause_text(tx.s) if intent == Intent.REPEAT else texts.HELP[kind], t)
    elif intent == Intent.NEXT and kind == "pain":
        tx.interrupt(t)
        _unpause(tx, t)
        if tx.s.phase == "intro":
            _on_next(tx, t)
        else:
            skip_exercise(tx, t)
    elif intent in (Intent.NEXT, Intent.BACK) or kind == "confirm":
        _unpause(tx, t)  # "anything else resumes", then does what was asked
        if intent not in (Intent.NEXT, Intent.BACK, Intent.YES, Intent.NO):
            _resume_speech(tx, t)
        RUNNING[intent](tx, t)
    elif intent in (Intent.TIME, Intent.SLOWER, Intent.FASTER):
        RUNNING[intent](tx, t)


def _repause(tx: Tx, t: float, kind: PauseKind) -> None:
    assert tx.s.pause is not None
    tx.interrupt(t)
    tx.s = replace(tx.s, pause=Pause(tx.s.pause.at, kind))
    tx.say(_pause_text(tx.s), t)


def _unpause(tx: Tx, t: float) -> None:
    """Unfreeze: every timer moves by the length of the pause."""
    s = tx.s
    assert s.pause is not None
    dt = t - s.pause.at
    tx.s = replace(
        tx.s,
        pause=None,
        agenda=tuple(replace(i, due=i.due + dt) for i in s.agenda),
        seg_end=None if s.seg_end is None else s.seg_end + dt,
        rep_base=s.rep_base + dt,
    )


def _resume(tx: Tx, t: float) -> None:
    tx.interrupt(t)
    _unpause(tx, t)
    _resume_speech(tx, t)


def _resume_speech(tx: Tx, t: float) -> None:
    """Say where we are again; re-read what the pause cut off."""
    s = tx.s
    not_started = _counting(s)
    if s.phase == "intro":
        enter_intro(tx, t)
    elif s.phase == "setup":
        enter_setup(tx, s.index, t)
    elif not_started and s.phase == "ready":
        tx.say("Resuming", t)
        start_countdown(tx, t)
    elif not_started:
        tx.say(texts.join("Resuming", intro_text(s, s.index, s.prev)), t)
        tx.plan(Item(t, Action.GO))
    elif s.phase == "ready":
        tx.say(texts.join("Resuming", texts.PROMPT_READY), t)
    elif s.phase == "rest":  # the pause may have cut what comes next: said again
        _remind_rest(tx, t, "Resuming")
    else:
        tx.say(texts.join("Resuming", progress_text(s)), t)
