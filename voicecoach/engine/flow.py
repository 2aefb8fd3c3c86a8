"""The session flow a user hears, as agenda actions:

    intro -> for each exercise: setup -> ready (say ready, or the timeout) -> countdown
          -> work / hold (reps counted, holds timed) -> rest ("next: ...") -> ... -> done

Each action runs at its own time `x` on the session clock and plans the next ones.
"""

from __future__ import annotations

from dataclasses import replace
from typing import assert_never

from voicecoach.engine import texts
from voicecoach.engine.state import (
    COUNTDOWN_SECONDS,
    Action,
    Item,
    Phase,
    State,
    estimate_speech,
    group,
    start_step,
    tempo,
)
from voicecoach.engine.timing import estimate_from
from voicecoach.engine.tx import Tx
from voicecoach.plan import Step, is_turn
from voicecoach.records import EndRecord
from voicecoach.routine import Exercise, RepsWork

COUNTDOWN_MIN_HOLD = 5.0  # holds shorter than this get no "3, 2, 1" ("hold for a count of 5" does)
HALFWAY_MIN = 20.0  # "halfway" on holds / timed work at least this long
MINUTE_MARKS_MIN = 120.0  # timed work this long also hears "N minutes left" each minute
CUE_MIN_SECONDS = 10.0  # timed work this long hears its set's cues during the work
MARK_GAP = 1.0  # s: a cue in timed work keeps this far from "Halfway" and the other marks
OPTIONS_MIN_REST = 10.0  # harder options are offered in a rest at least this long
PREP_LEAD = 0.5  # s: the next set's intro, said in a rest, ends this long before the rest
GROUP_TEMPO = 2.0  # reps faster than this are counted in groups of five ("5 more")
GROUP = 5
LAST_ONE_FILL = 0.7  # "9, last one" is said when it fills at most this much of a beat


def enter_intro(tx: Tx, x: float) -> None:
    """The whole intro; with `--from` one line; resumed, one line and the recap."""
    s = tx.s
    q = start_step(s)
    estimate = s.config.estimate if s.config.estimate is not None else estimate_from(s, q)
    minutes = max(1, round(estimate / 60))
    tx.s = replace(tx.s, phase="intro")
    if s.config.start_step is not None:  # resumed: this workout's intro was heard
        st = s.steps[q]
        tx.say_all(texts.intro_resumed(s.routine, minutes, s.config.time_note), x)
        tx.say(texts.resumed(st, s.routine.exercises[st.exercise]), x)
    elif s.config.start_exercise:
        start = s.routine.exercises[s.config.start_exercise]
        tx.say_all(texts.intro_from(s.routine, minutes, start), x)
    else:
        tx.say_all(texts.intro(s.routine, minutes, s.config.standing, s.config.time_note), x)
    tx.plan(Item(x, Action.INTRO_DONE))


def enter_setup(tx: Tx, q: int, x: float, cue: str | None = None) -> None:
    """Read the exercise of step `q` (after `cue`, the rest's end): its setup, cautions and
    first set; then the ready prompt."""
    s = tx.s
    k = s.steps[q].exercise
    ex = s.routine.exercises[k]
    tx.s = replace(
        tx.s, phase="setup", index=q, prev=None, rep=0, seg_end=None, visited=s.visited | {k}
    )
    if cue:
        tx.cue(cue, x)
    tx.say_all(texts.setup(ex, k + 1, len(s.routine.exercises)), x)
    # the easier options are part of the setup: what makes the exercise possible (a band
    # on an overhead bar) is needed before the first set; the harder ones once, in its
    # first long rest, when it has one (after a set, when it may have felt easy)
    harder = k not in s.offered and not _has_long_rest(s, k)
    tx.say(texts.options(ex, harder=harder), x)
    if harder:
        tx.s = replace(tx.s, offered=tx.s.offered | {k})
    st = s.steps[q]
    tx.say(texts.join(*texts.announce(st, None, ex, False), work_intro(tx.s, q, first=True)), x)
    tx.s = replace(tx.s, announced=q)
    tx.plan(Item(x, Action.PROMPT))


def _has_long_rest(s: State, k: int) -> bool:
    """Whether exercise `k` has a rest inside it long enough to offer its options."""
    mine = [i for i, st in enumerate(s.steps) if st.exercise == k]
    return any(
        s.steps[i].rest_after >= OPTIONS_MIN_REST
        and i + 1 < len(s.steps)
        and s.steps[i + 1].exercise in group(s.routine, k)
        for i in mine[:-1]
    )


def unit_cues(s: State, q: int) -> list[str]:
    """The cues of the set that step `q` begins, rotating over the sets so that every cue
    is said and no set repeats the one before (a lone cue: on the first set, and once
    more halfway through a long exercise)."""
    st = s.steps[q]
    cues = s.routine.exercises[st.exercise].cues
    if st.part != 0 or not cues:
        return []
    starts = [i for i, x in enumerate(s.steps) if x.exercise == st.exercise and x.part == 0]
    u, n = starts.index(q), len(starts)
    if len(cues) == 1:
        return list(cues) if u == 0 or (n >= 4 and u == n // 2) else []
    k = -(-len(cues) // n)
    return [cues[(u * k + j) % len(cues)] for j in range(k)]


def set_cues(s: State, q: int) -> list[str]:
    """The cues said for the set that step `q` belongs to (all of the exercise's, when
    that set had none: a lone cue is said on the first set only)."""
    cues = unit_cues(s, q - s.steps[q].part)
    return cues or list(s.routine.exercises[s.steps[q].exercise].cues)


def _hold_fits(st: Step, cue: str) -> bool:
    """A cue fits inside a hold when all that is said in it leaves half of it quiet."""
    speech = estimate_speech("Hold") + estimate_speech(cue)
    if st.hold >= COUNTDOWN_MIN_HOLD:
        speech += 3 * estimate_speech("3")
    return speech <= st.hold / 2


def cues_inside(s: State, q: int) -> list[str]:
    """The cues of step `q` said during its work (long timed work; holds they fit in)."""
    st, cues = s.steps[q], unit_cues(s, q)
    if st.kind == "timed" and st.seconds >= CUE_MIN_SECONDS:
        return cues
    if st.kind == "holds" and len(cues) <= st.reps and all(_hold_fits(st, c) for c in cues):
        return cues
    return []


def work_intro(s: State, q: int, first: bool = False) -> str:
    """The label, dose and the cues said before the work of step `q` starts."""
    st = s.steps[q]
    ex = s.routine.exercises[st.exercise]
    inside = cues_inside(s, q)
    before = [c for c in unit_cues(s, q) if c not in inside]
    return texts.work_intro(st, ex, tempo(s, st), before, first)


def announcement(s: State, q: int) -> list[str]:
    """What a rest says comes next, step `q` after the current one, as sentences: "Next:
    switch to your left side, set 2 of 3.", the side's setup; "Next: Calf Raise, set 2 of
    2." and its first setup line for a superset's switch."""
    st = s.steps[q]
    ex = s.routine.exercises[st.exercise]
    head, *more = texts.announce(st, s.step, ex, st.exercise != s.exercise)
    return [f"Next: {head}" if head else "", *more]


def intro_text(s: State, q: int, prev: int | None) -> str:
    """All that is said before step `q` starts, coming from step `prev` (a resume)."""
    st = s.steps[q]
    before = s.steps[prev] if prev is not None else None
    switch = before is not None and before.exercise != st.exercise
    ex = s.routine.exercises[st.exercise]
    head, *more = texts.announce(st, before, ex, switch)
    head = f"Now {head}" if switch and head else head
    return texts.join(head, *more, work_intro(s, q, prev is None))


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


def _along(s: State, st: Step) -> list[str]:
    """The count-along words of a slow rep, if the routine gives them."""
    work = s.routine.exercises[st.exercise].step_works()[st.part]
    return list(work.count_along) if isinstance(work, RepsWork) else []


def _grouped(s: State, st: Step) -> bool:
    """Fast reps are counted in groups ("5 more"), not one by one."""
    return tempo(s, st) < GROUP_TEMPO and not _along(s, st)


def _next_count(s: State, st: Step, done: int) -> int:
    """The next rep that is counted aloud after `done` reps."""
    if not _grouped(s, st):
        return done + 1
    return next(m for m in range(done + 1, st.reps + 1) if (st.reps - m) % GROUP == 0)


def _plan_rep(tx: Tx, x: float, done: int) -> None:
    """Plan what is said until the next counted rep, from `x` with `done` reps done."""
    s = tx.s
    st = s.step
    m = _next_count(s, st, done)
    words = _along(s, st)
    if words:
        dt = tempo(s) / len(words)
        last = len(words) - 1
        tx.add(
            *(
                Item(x + j * dt, Action.SAY, text=f"{w}, {m}" if j == last else w)
                for j, w in enumerate(words)
            )
        )
    tx.add(Item(x + tempo(s) * (m - done), Action.COUNT, n=m))


GO_SAID, GO_OVER_LABEL, GO_AFTER_LABEL = 0, 1, 2  # how a GO item starts the work (its `n`)


def _go(tx: Tx, item: Item, x: float) -> None:
    """The work starts now: with "Go" (`GO_SAID`), or silently while its label is being
    said over it (`GO_OVER_LABEL`; reps wait for the label's end: `GO_AFTER_LABEL`, so the
    first count comes a whole rep after the words that say what to do, as after "Go")."""
    s = tx.s
    st = s.step
    ex = s.routine.exercises[st.exercise]
    quiet = item.n != GO_SAID
    # a set begun (again, after "back") gets the short "repeat" first; its later parts
    # ("counter-clockwise") go on with the set's; a set `goto` began is in its work
    # already (it cleared `told`: a "repeat" said over its words was this set's)
    phase: Phase = "hold" if st.kind == "holds" else "work"
    told = None if st.part == 0 and s.phase not in ("work", "hold") else s.told
    tx.s = replace(tx.s, phase=phase, rep=0, rep_base=x, told=told)
    tx.s = replace(tx.s, begun=s.begun | {st.exercise})
    if st.kind == "holds":
        tx.plan(Item(x, Action.HOLD, n=1))
        return
    if st.kind == "reps" and item.n == GO_OVER_LABEL:
        tx.plan(Item(x, Action.GO, n=GO_AFTER_LABEL))  # due when the voice falls silent
        return
    if not quiet:
        tx.say("Go", x)
    if st.kind == "reps":
        tx.plan()
        _plan_rep(tx, x, 0)
        return
    end = x + st.seconds
    tx.s = replace(tx.s, seg_end=end)
    marks = _countdown_items(end, st.seconds, ticks=True)
    for alt in ex.alternatives:
        if (
            alt.work is not None
            and alt.work.kind == "timed"
            and alt.work.seconds.value < st.seconds
        ):
            text = texts.alternative_done(alt)
            marks.append(Item(x + alt.work.seconds.value, Action.SAY, "fixed", text=text))
    tx.plan(*marks, Item(end, Action.TIMED_END, "fixed"))
    cues = cues_inside(s, s.index)
    start = x + (4 if quiet else 2)
    gap = (st.seconds - (start - x) - 5) / max(len(cues), 1)
    spans = [(i.due, i.due + estimate_speech(i.text)) for i in marks if i.text != "tick"]
    tx.add(
        *(
            Item(_clear_of(start + j * gap, c, spans, end), Action.SAY, "fixed", text=c)
            for j, c in enumerate(cues)
        )
    )


def _clear_of(at: float, cue: str, spans: list[tuple[float, float]], end: float) -> float:
    """When to say `cue`, planned at `at` in timed work: after any mark ("Halfway", "5
    minutes left", an alternative's end) it would silence or push late (marks are said only
    into silence), if it still ends before the work's last seconds."""
    length = estimate_speech(cue)
    moved = at
    for begin, finish in sorted(spans):
        if moved < finish and moved + length + MARK_GAP > begin:
            moved = finish + MARK_GAP
    return moved if moved + length <= end - 4 else at


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
    if _grouped(s, st):
        if item.n < st.reps:
            tx.say(f"{st.reps - item.n} more", x)
        else:
            tx.cue("hold_end", x)
    elif not _along(s, st):
        tx.say(_count_words(s, st, item.n), x)
    tx.s = replace(tx.s, rep=item.n, rep_base=x)
    if item.n >= st.reps:
        finish_step(tx, x, completed=True)
        return
    tx.plan()
    _plan_rep(tx, x, item.n)


def _count_words(s: State, st: Step, n: int) -> str:
    """The count said after rep `n`: the one before the last adds "last one" ("9, last
    one") when both still leave some of the beat quiet before the last count (at most
    `LAST_ONE_FILL` of it, by the speech model; espeak-ng says them in about 60 %)."""
    if n == st.reps - 1:
        words = f"{n}, last one"
        if estimate_speech(words) <= tempo(s) * LAST_ONE_FILL:
            return words
    return str(n)


def _hold(tx: Tx, item: Item, x: float) -> None:
    s = tx.s
    st = s.step
    end = x + st.hold
    tx.say("Hold", x)
    tx.s = replace(tx.s, seg_end=end)
    tx.plan(
        *_countdown_items(end, st.hold, ticks=False), Item(end, Action.RELEASE, "fixed", n=item.n)
    )
    cues = cues_inside(s, s.index)
    if item.n <= len(cues):
        tx.add(Item(x, Action.SAY, text=cues[item.n - 1]))


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
    stopping when you get there is what the article asks; so is timed work ended after an
    alternative's shorter dose (the Deadmill's 5 minutes)."""
    s = tx.s
    if not completed and s.phase in ("work", "hold"):
        ex = s.routine.exercises[s.exercise]
        completed = texts.until(s.step, ex) is not None or _alternative_done(s, ex, x)
    if completed:
        tx.s = replace(tx.s, completed=s.completed | {s.index})
    later = [st for st in s.steps[s.index + 1 :] if st.exercise == s.exercise]
    if completed and not later and s.index + 1 < len(s.steps):
        tx.say(texts.GOOD, x)  # the exercise is done; the session's end says "Well done!"
    if s.step.rest_after > 0:
        _enter_rest(tx, x)
    else:
        goto(tx, s.index + 1, x)


def _alternative_done(s: State, ex: Exercise, x: float) -> bool:
    if s.step.kind != "timed" or s.phase != "work":
        return False
    return any(
        a.work is not None and a.work.kind == "timed" and x - s.rep_base >= a.work.seconds.value
        for a in ex.alternatives
    )


def _enter_rest(tx: Tx, x: float) -> None:
    """Rest: say what comes next, once (with the side's own setup, so there is time to
    change position); offer the harder options once per exercise (the easier ones came
    with its setup); then the rest's seconds count (`count_rest`)."""
    s = tx.s
    st = s.step
    ex = s.routine.exercises[st.exercise]
    q = s.index + 1
    nxt = s.steps[q] if q < len(s.steps) else None
    length = st.rest_after
    tx.s = replace(tx.s, phase="rest", rep=0)
    tx.say(_rest_text(s, st, nxt, q), x)
    inside = nxt is not None and nxt.exercise in group(s.routine, st.exercise)
    if inside and st.exercise not in s.offered and length >= OPTIONS_MIN_REST:
        # after "Next: Tibialis Raise" the options of the exercise just done name it
        named = nxt is not None and nxt.exercise != st.exercise
        tx.say(texts.options(ex, named=named, easier=False), x)
        tx.s = replace(tx.s, offered=tx.s.offered | {st.exercise})
    count_rest(tx, length, x)


def count_rest(tx: Tx, seconds: float, x: float) -> None:
    """The rest's `seconds` count from the end of what is being said, not from `x`: the
    rest the article gives (or the time left that "repeat" just said) is time to rest and
    move, not time spent listening, however short it is. Until the voice falls silent the
    rest's end is the estimate."""
    tx.s = replace(tx.s, seg_end=tx.s.busy_until + seconds)
    tx.plan(Item(x, Action.REST_CLOCK, seconds=seconds))


def _rest_clock(tx: Tx, item: Item, x: float) -> None:
    """The voice fell silent in a rest: its seconds count from now. The next set's dose
    and cues are said near its end, so that the set starts on time, when that leaves at
    least half of the rest quiet; otherwise once the rest is over, before its "Go"."""
    s = tx.s
    end = x + item.seconds
    tx.s = replace(tx.s, seg_end=end)
    tx.plan(Item(end, Action.REST_END, "fixed"))
    if s.step.rest_after >= 30 and item.seconds > 10:
        tx.add(Item(end - 10, Action.SAY_DROP, "drop", text="10 seconds left"))
    q = s.index + 1
    if q < len(s.steps) and not needs_setup(s, q) and s.announced != q:
        text = work_intro(s, q)
        lead = estimate_speech(text) + PREP_LEAD
        if lead <= item.seconds / 2:
            tx.add(Item(end - lead, Action.PREP, text=text))


def _rest_text(s: State, st: Step, nxt: Step | None, q: int) -> str:
    # the rest after an exercise: what the article says to do then ("wiggle your toes")
    after = s.routine.exercises[st.exercise].afterwards if st.rest_reason == "exercise" else []
    if nxt is None:
        return texts.join(texts.rest(st.rest_after, st.rest_reason, [], None), *after)
    if needs_setup(s, q):
        following = texts.next_exercise(s.routine.exercises[nxt.exercise])
        if st.rest_reason == "switch":  # into a superset's other exercise, set up first
            return following
        rest = texts.rest(st.rest_after, st.rest_reason, [], None)
        return texts.join(rest, *after, following)
    ex = s.routine.exercises[nxt.exercise]
    switch = nxt.exercise != st.exercise
    announcement = texts.announce(nxt, st, ex, switch)
    if is_turn(st, nxt):
        return texts.rest(st.rest_after, "side", announcement, nxt.side)
    return texts.rest(st.rest_after, st.rest_reason, announcement, None)


def _prep(tx: Tx, item: Item, x: float) -> None:
    """The next set's intro, near the rest's end: said where that set stands
    (`State.place`), since it describes it."""
    tx.s = replace(tx.s, announced=tx.s.index + 1)
    tx.say(item.text, x)


def _rest_end(tx: Tx, item: Item, x: float) -> None:
    """The rest is over: its beep opens what comes next, and is logged where that stands."""
    tx.s = replace(tx.s, seg_end=None)
    goto(tx, tx.s.index + 1, x, cue="rest_over")


def needs_setup(s: State, q: int) -> bool:
    """Step `q` starts an exercise that needs its setup read (a superset's members are set
    up once, then alternate)."""
    here, there = s.step, s.steps[q]
    if there.exercise == here.exercise:
        return False
    return not (there.exercise in group(s.routine, here.exercise) and there.exercise in s.visited)


def goto(tx: Tx, q: int, x: float, cue: str | None = None) -> None:
    """Move on from the current step to step `q`: its setup if it starts a new exercise,
    else straight into it (the parts of one set run on without a "Go"). A `cue` (the
    rest's end) is played first, where step `q` stands."""
    s = tx.s
    if q >= len(s.steps):
        if cue:
            tx.cue(cue, x)
        enter_done(tx, x)
        return
    if needs_setup(s, q):
        enter_setup(tx, q, x, cue)
        return
    here, there = s.step, s.steps[q]
    same_set = (here.exercise, here.set, here.side) == (there.exercise, there.set, there.side)
    announced = s.announced == q
    rested = s.phase == "rest"  # its start announced the set: only the rest is left to say
    told = None if there.part == 0 else s.told  # a new set: its first "repeat" is short
    tx.s = replace(tx.s, index=q, prev=s.index, rep=0, seg_end=None, announced=q, told=told)
    tx.s = replace(tx.s, phase="hold" if there.kind == "holds" else "work")
    if cue:
        tx.cue(cue, x)
    if not announced:
        tx.say(work_intro(tx.s, q) if rested else intro_text(tx.s, q, s.index), x)
    if same_set and not announced and there.kind != "holds":
        _go(tx, Item(x, Action.GO, n=GO_OVER_LABEL), x)
    else:
        tx.plan(Item(x, Action.GO))


def go_back(tx: Tx, q: int, x: float) -> None:
    """Start step `q` again, a set or side back: its announcement (with its side's setup
    when that is another side), then a countdown."""
    s = tx.s
    st = s.steps[q]
    ex = s.routine.exercises[st.exercise]
    # the side being left: in a rest, the one it announced (the person may be on it)
    here = s.steps[s.index + 1] if s.phase == "rest" and s.index + 1 < len(s.steps) else s.step
    tx.s = replace(tx.s, index=q, prev=None, rep=0, seg_end=None, announced=q, phase="ready")
    head = texts.unit_head(st, None, ex, False) or ex.name
    sides = texts.side_setup(st, here, ex)
    tx.say(texts.join(f"Going back to {head}", *sides, work_intro(tx.s, q)), x)
    tx.plan(Item(x, Action.COUNTDOWN, n=3))


def enter_done(tx: Tx, x: float) -> None:
    """The workout is finished: the summary, said and logged."""
    s = tx.s
    tx.s = replace(tx.s, phase="done", seg_end=None, summed_at=x)
    tx.cue("done", x)
    done, cut, skipped, pains = exercise_outcomes(s)
    elapsed = x - (s.started or 0.0)
    lines = texts.summary(s.routine, done, cut, skipped, elapsed, pains, s.config.standing)
    tx.say_all(lines, x)
    tx.plan(Item(x, Action.FINISH))


def ending_reason(s: State) -> str:
    """Why the session in its `done` phase ends: it was finished or stopped."""
    return "stopped" if s.stopped else "completed"


def end_now(tx: Tx, x: float) -> None:
    """End a session in its `done` phase at once (its closing words are being said), as
    finished or as stopped: whatever is heard then does not change which."""
    reason = ending_reason(tx.s)
    end_session(tx, x, completed=reason == "completed", reason=reason)


def stop_session(tx: Tx, x: float) -> None:
    """The user ended the workout: the summary, said, then the end."""
    s = tx.s
    tx.interrupt(x)
    tx.s = replace(tx.s, phase="done", seg_end=None, pause=None, summed_at=x, stopped=True)
    done, cut, skipped, pains = exercise_outcomes(s)
    elapsed = x - (s.started or 0.0)
    # no standing here: it counts this workout as done, and a stopped one is not
    tx.say_all(texts.stopped(done, cut, skipped, elapsed, pains), x)
    tx.plan(Item(x, Action.STOPPED))


def _finish_session(tx: Tx, item: Item, x: float) -> None:
    end_session(tx, x, completed=True, reason="completed")


def end_session(tx: Tx, x: float, completed: bool, reason: str) -> None:
    done, cut, skipped, pains = exercise_outcomes(tx.s)
    said_at = tx.s.summed_at if tx.s.summed_at is not None else x
    elapsed = said_at - (tx.s.started or 0.0)  # as the summary said it
    tx.fx.append(
        EndRecord(
            x,
            completed,
            reason,
            len(done),
            len(skipped),
            cut_short=len(cut),
            pain_reports=len(pains),
            summary=tuple(texts.outcome(done, cut, skipped, elapsed, pains, not completed)),
        )
    )
    tx.s = replace(tx.s, ended=True, agenda=(), seg_end=None, pause=None)


def exercise_outcomes(s: State) -> tuple[list[str], list[str], list[str], list[str]]:
    """Names of the exercises done (every step finished), cut short (begun, not all
    finished) and skipped, among those this session covered (from `--from` on, and any
    earlier one it went back to); and the exercise of each pain report."""
    done, cut, skipped = [], [], []
    for k, ex in enumerate(s.routine.exercises):
        mine = [i for i, st in enumerate(s.steps) if st.exercise == k]
        if all(i in s.completed for i in mine):
            done.append(ex.name)
        elif k in s.begun or any(i in s.completed for i in mine):
            cut.append(ex.name)
        elif k >= s.config.start_exercise:
            skipped.append(ex.name)
    pains = [s.routine.exercises[k].name for k in s.pains]
    return done, cut, skipped, pains


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
        case Action.REST_CLOCK:
            _rest_clock(tx, item, x)
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
        case Action.SAY:
            tx.say(item.text, x)
        case Action.SAY_DROP:
            _say_drop(tx, item, x)
        case Action.CUE_DROP:
            _cue_drop(tx, item, x)
        case Action.REST_END:
            _rest_end(tx, item, x)
        case Action.FINISH:
            _finish_session(tx, item, x)
        case Action.STOPPED:
            end_session(tx, x, completed=False, reason="stopped")
        case _:
            assert_never(item.action)
