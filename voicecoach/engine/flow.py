"""The session flow a user hears, as agenda actions:

    intro -> for each exercise: setup -> ready (say ready, or the timeout) -> countdown
          -> work / hold (reps counted, holds timed) -> rest ("next: ...") -> ... -> done

Each action runs at its own time `x` on the session clock and plans the next ones.
"""

from __future__ import annotations

from dataclasses import replace
from typing import assert_never

from voicecoach.engine import texts
from voicecoach.engine.state import Action, Item, State, estimate_speech, group, start_step, tempo
from voicecoach.engine.timing import estimate_from
from voicecoach.engine.tx import Tx
from voicecoach.records import EndRecord

COUNTDOWN_MIN_HOLD = 6.0  # holds shorter than this get no "3, 2, 1"
HALFWAY_MIN = 20.0  # "halfway" on holds / timed work at least this long
MINUTE_MARKS_MIN = 120.0  # timed work this long also hears "N minutes left" each minute
CUE_MIN_SECONDS = 10.0  # timed work this long gets one of the exercise's cues
COUNTDOWN_SECONDS = 3.0  # "starting in 3, 2, 1"
BRIEF_REST = 15.0  # after a rest this short the next set's side and number are not repeated
CUE_MIN_TEMPO = 2.5  # an exercise cue fits between counts only at this tempo or slower


def enter_intro(tx: Tx, x: float) -> None:
    s = tx.s
    q = start_step(s)
    minutes = max(1, round(estimate_from(s, q) / 60))
    resumed = s.config.start_step is not None
    start = s.routine.exercises[s.steps[q].exercise] if q and not resumed else None
    tx.s = replace(tx.s, phase="intro")
    tx.say_all(texts.intro(s.routine, minutes, start), x)
    if resumed:
        st = s.steps[q]
        tx.say(texts.resumed(st, s.routine.exercises[st.exercise]), x)
    tx.plan(Item(x, Action.INTRO_DONE))


def enter_setup(tx: Tx, q: int, x: float) -> None:
    """Read the exercise of step `q`, its setup and first set; then the ready prompt."""
    s = tx.s
    k = s.steps[q].exercise
    tx.s = replace(
        tx.s, phase="setup", index=q, prev=None, rep=0, seg_end=None, visited=s.visited | {k}
    )
    n = len(s.routine.exercises)
    tx.say_all(texts.setup(s.routine.exercises[k], k + 1, n), x)
    tx.say(intro_text(tx.s, q, None), x)
    tx.s = replace(tx.s, announced=q)
    tx.plan(Item(x, Action.PROMPT))


def intro_text(s: State, q: int, prev: int | None, brief: bool = False) -> str:
    """What is said before step `q` starts, coming from step `prev`; `brief` leaves out
    the side and set (a short rest has just said them)."""
    st = s.steps[q]
    before = s.steps[prev] if prev is not None else None
    switch = before is not None and before.exercise != st.exercise
    ex = s.routine.exercises[st.exercise]
    return texts.step_intro(st, before, ex, switch, tempo(s, st), brief=brief)


def _prompt(tx: Tx, item: Item, x: float) -> None:
    tx.s = replace(tx.s, phase="ready")
    tx.say(texts.PROMPT_READY, x)
    wait = max(0.0, tx.s.config.ready_timeout - COUNTDOWN_SECONDS)
    tx.plan(Item(x, Action.AUTO_START, after=wait))


def start_countdown(tx: Tx, x: float) -> None:
    """ "Starting in 3, 2, 1", then the work: the ready timeout includes it."""
    tx.s = replace(tx.s, phase="ready")
    tx.plan(Item(x, Action.COUNTDOWN, n=3))


def _countdown(tx: Tx, item: Item, x: float) -> None:
    tx.say("Starting in 3" if item.n == 3 else str(item.n), x)
    tx.plan(Item(x + 1, Action.COUNTDOWN, n=item.n - 1) if item.n > 1 else Item(x + 1, Action.GO))


def _go(tx: Tx, item: Item, x: float) -> None:
    """The work starts now (`n=1`: silently, its label is being said over it)."""
    s = tx.s
    st = s.step
    ex = s.routine.exercises[st.exercise]
    quiet = item.n == 1
    tx.s = replace(tx.s, phase="hold" if st.kind == "holds" else "work", rep=0, rep_base=x)
    if st.kind == "holds":
        tx.plan(Item(x, Action.HOLD, n=1))
        return
    if not quiet:
        tx.say("Go", x)
    if st.kind == "reps":
        tx.plan(Item(x + tempo(s), Action.COUNT, n=1))
        return
    end = x + st.seconds
    tx.s = replace(tx.s, seg_end=end)
    tx.plan(*_countdown_items(end, st.seconds, ticks=True), Item(end, Action.TIMED_END, "fixed"))
    if ex.cues and st.seconds >= CUE_MIN_SECONDS:
        cue = ex.cues[(st.set - 1 + st.part) % len(ex.cues)]
        tx.add(Item(x + (4 if quiet else 2), Action.SAY_DROP, "drop", text=cue))


def _countdown_items(end: float, length: float, ticks: bool) -> list[Item]:
    """ "halfway", "N minutes left" in long work, and the last three seconds (ticks for
    timed work, "3, 2, 1" for holds)."""
    out = []
    marks = {
        float(60 * k): f"{texts.span(60 * k)} left" for k in range(1, int((length - 1) // 60) + 1)
    }
    if length >= HALFWAY_MIN:
        left = length / 2
        marks[left] = texts.join("Halfway", marks.get(left, "")).rstrip(".")
    if length >= MINUTE_MARKS_MIN:
        out += [
            Item(end - left, Action.SAY_DROP, "drop", text=text) for left, text in marks.items()
        ]
    elif length >= HALFWAY_MIN:
        out.append(Item(end - length / 2, Action.SAY_DROP, "drop", text="Halfway"))
    if ticks and length >= 5:
        out += [Item(end - k, Action.CUE_DROP, "drop", text="tick") for k in (3, 2, 1)]
    elif not ticks and length >= COUNTDOWN_MIN_HOLD:
        out += [Item(end - k, Action.SAY_DROP, "drop", text=str(k)) for k in (3, 2, 1)]
    return out


def _count(tx: Tx, item: Item, x: float) -> None:
    s = tx.s
    st = s.step
    tx.say(str(item.n), x)
    tx.s = replace(tx.s, rep=item.n, rep_base=x)
    if item.n >= st.reps:
        finish_step(tx, x, completed=True)
        return
    tx.plan(Item(x + tempo(s), Action.COUNT, n=item.n + 1))
    ex = s.routine.exercises[st.exercise]
    if item.n == 1 and ex.cues and tempo(s) >= CUE_MIN_TEMPO and st.reps >= 4:
        cue = ex.cues[(st.set - 1 + st.part) % len(ex.cues)]
        tx.add(Item(x + 0.8, Action.SAY_DROP, "drop", text=cue))


def _hold(tx: Tx, item: Item, x: float) -> None:
    s = tx.s
    st = s.step
    end = x + st.hold
    tx.say("Hold", x)
    tx.s = replace(tx.s, seg_end=end)
    tx.plan(
        *_countdown_items(end, st.hold, ticks=False), Item(end, Action.RELEASE, "fixed", n=item.n)
    )
    ex = s.routine.exercises[st.exercise]
    if item.n == 1 and ex.cues and st.hold >= 8:
        tx.add(Item(x + 1.5, Action.SAY_DROP, "drop", text=ex.cues[0]))


def _release(tx: Tx, item: Item, x: float) -> None:
    st = tx.s.step
    tx.s = replace(tx.s, rep=item.n, seg_end=None)
    tx.say("Release" if st.reps == 1 else f"Release. {item.n} of {st.reps}", x)
    if item.n >= st.reps:
        finish_step(tx, x, completed=True)
    else:
        tx.plan(Item(x + st.release, Action.HOLD, n=item.n + 1))


def _timed_end(tx: Tx, item: Item, x: float) -> None:
    tx.cue("hold_end", x)
    tx.s = replace(tx.s, seg_end=None)
    finish_step(tx, x, completed=True)


def _say_drop(tx: Tx, item: Item, x: float) -> None:
    if tx.quiet_at(x):
        tx.say(item.text, x)


def _cue_drop(tx: Tx, item: Item, x: float) -> None:
    if tx.quiet_at(x):
        tx.cue(item.text, x)


def finish_step(tx: Tx, x: float, completed: bool) -> None:
    """The current step is over (done, or skipped): its rest, or what follows.

    Open-ended work ("or until your feet feel tired") ended early is done, not skipped:
    stopping when you get there is what the article asks."""
    s = tx.s
    if not completed and s.phase in ("work", "hold"):
        completed = texts.until(s.step, s.routine.exercises[s.exercise]) is not None
    if completed:
        tx.s = replace(tx.s, completed=s.completed | {s.index})
    if s.step.rest_after > 0:
        _enter_rest(tx, x)
    else:
        goto(tx, s.index + 1, x)


def _enter_rest(tx: Tx, x: float) -> None:
    """Rest, say what comes next; near its end, announce the next set so that it starts
    on time."""
    s = tx.s
    st = s.step
    q = s.index + 1
    nxt = s.steps[q] if q < len(s.steps) else None
    superset = nxt is not None and nxt.exercise in group(s.routine, st.exercise)
    length = st.rest_after
    end = x + length
    tx.s = replace(tx.s, phase="rest", seg_end=end, rep=0)
    tx.say(texts.rest(length, st.rest_reason, nxt, st, s.routine, superset), x)
    tx.plan(Item(end, Action.REST_END, "fixed"))
    if length >= 30:
        tx.add(Item(end - 10, Action.SAY_DROP, "drop", text="10 seconds left"))
    if nxt is not None and not needs_setup(s, q):
        text = intro_text(s, q, s.index, brief=length < BRIEF_REST)
        tx.add(Item(end - estimate_speech(text) - 0.5, Action.PREP, text=text))


def _prep(tx: Tx, item: Item, x: float) -> None:
    tx.say(item.text, x)
    tx.s = replace(tx.s, announced=tx.s.index + 1)


def _rest_end(tx: Tx, item: Item, x: float) -> None:
    tx.cue("rest_over", x)
    tx.s = replace(tx.s, seg_end=None)
    goto(tx, tx.s.index + 1, x)


def needs_setup(s: State, q: int) -> bool:
    """Step `q` starts an exercise that needs its setup read (a superset's members are set
    up once, then alternate)."""
    here, there = s.step, s.steps[q]
    if there.exercise == here.exercise:
        return False
    return not (there.exercise in group(s.routine, here.exercise) and there.exercise in s.visited)


def goto(tx: Tx, q: int, x: float) -> None:
    """Move on from the current step to step `q`: its setup if it starts a new exercise,
    else straight into it (timed parts of one set run on without a gap)."""
    s = tx.s
    if q >= len(s.steps):
        enter_done(tx, x)
        return
    if needs_setup(s, q):
        enter_setup(tx, q, x)
        return
    here, there = s.step, s.steps[q]
    same_set = (here.exercise, here.set, here.side) == (there.exercise, there.set, there.side)
    announced = s.announced == q
    tx.s = replace(tx.s, index=q, prev=s.index, rep=0, seg_end=None, announced=q)
    tx.s = replace(tx.s, phase="hold" if there.kind == "holds" else "work")
    if not announced:
        tx.say(intro_text(tx.s, q, s.index), x)
    if there.kind == "timed" and same_set and not announced:
        _go(tx, Item(x, Action.GO, n=1), x)
    else:
        tx.plan(Item(x, Action.GO))


def enter_done(tx: Tx, x: float) -> None:
    s = tx.s
    done, skipped = exercise_outcomes(s)
    elapsed = x - (s.started or 0.0)
    tx.s = replace(tx.s, phase="done", seg_end=None)
    tx.cue("done", x)
    tx.say_all(texts.summary(s.routine, done, skipped, elapsed), x)
    tx.plan(Item(x, Action.FINISH))


def _finish_session(tx: Tx, item: Item, x: float) -> None:
    end_session(tx, x, completed=True, reason="completed")


def end_session(tx: Tx, x: float, completed: bool, reason: str) -> None:
    done, skipped = exercise_outcomes(tx.s)
    tx.fx.append(EndRecord(x, completed, reason, len(done), len(skipped)))
    tx.s = replace(tx.s, ended=True, agenda=(), seg_end=None, pause=None)


def exercise_outcomes(s: State) -> tuple[list[str], list[str]]:
    """Names of the exercises done (every step finished) and skipped, among those this
    session covered (from `--from` on, and any earlier one it went back to)."""
    done, skipped = [], []
    for k, ex in enumerate(s.routine.exercises):
        mine = [i for i, st in enumerate(s.steps) if st.exercise == k]
        if all(i in s.completed for i in mine):
            done.append(ex.name)
        elif k >= s.config.start_exercise or any(i in s.completed for i in mine):
            skipped.append(ex.name)
    return done, skipped


def perform(tx: Tx, item: Item, x: float) -> None:
    """Do what the agenda item `item` says, at its time `x`."""
    match item.action:
        case Action.INTRO_DONE:
            enter_setup(tx, start_step(tx.s), x)
        case Action.PROMPT:
            _prompt(tx, item, x)
        case Action.AUTO_START:
            start_countdown(tx, x)
        case Action.PREP:
            _prep(tx, item, x)
        case Action.COUNTDOWN:
            _countdown(tx, item, x)
        case Action.GO:
            _go(tx, item, x)
        case Action.COUNT:
            _count(tx, item, x)
        case Action.HOLD:
            _hold(tx, item, x)
        case Action.RELEASE:
            _release(tx, item, x)
        case Action.TIMED_END:
            _timed_end(tx, item, x)
        case Action.SAY_DROP:
            _say_drop(tx, item, x)
        case Action.CUE_DROP:
            _cue_drop(tx, item, x)
        case Action.REST_END:
            _rest_end(tx, item, x)
        case Action.FINISH:
            _finish_session(tx, item, x)
        case _:
            assert_never(item.action)
