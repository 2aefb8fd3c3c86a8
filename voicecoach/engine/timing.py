"""How much time is left: in the current hold or rest, and in the whole workout."""

from __future__ import annotations

from voicecoach import plan
from voicecoach.engine import texts
from voicecoach.engine.state import COUNTDOWN_SECONDS, Action, State, start_step, tempo
from voicecoach.plan import Step


def segment_left(s: State) -> float | None:
    """Seconds left in the current hold, rest or timed work (frozen while paused);
    None when no such timer runs. A rest whose seconds wait for the voice to fall silent
    (`flow.count_rest`) ends that many seconds after all that is queued to be said, which
    moves when more is said ("help" in it)."""
    if s.seg_end is None:
        return None
    ref = s.pause.at if s.pause is not None else s.now
    waiting = _rest_waiting(s)
    end = s.seg_end if waiting is None else s.busy_until + waiting
    return end - ref


def _rest_waiting(s: State) -> float | None:
    """The seconds of a rest that waits for the voice to fall silent (`Action.REST_CLOCK`
    still in the agenda), else None."""
    return next((i.seconds for i in s.agenda if i.action is Action.REST_CLOCK), None)


def rest_left(s: State) -> float | None:
    """Seconds of the rest still to count: its whole length while what starts it is being
    said (the rest counts from the end of it: `flow.count_rest`), else what is left of it;
    None outside a rest."""
    if s.phase != "rest":
        return None
    waiting = _rest_waiting(s)
    return segment_left(s) if waiting is None else waiting


def start_left(s: State) -> float | None:
    """Seconds until an exercise waiting for "ready" starts by itself (the ready timeout,
    then "starting in 3, 2, 1"; frozen while paused); None when nothing waits for it."""
    if s.phase != "ready":
        return None
    ref = s.pause.at if s.pause is not None else s.now
    starts = []
    for item in s.agenda:
        if item.action is Action.AUTO_START:
            starts.append(s.effective(item) + COUNTDOWN_SECONDS)
        elif item.action is Action.COUNTDOWN:  # "starting in n": the work n seconds later
            starts.append(s.effective(item) + item.n)
        elif item.action is Action.GO:
            starts.append(s.effective(item))
    return min(starts) - ref if starts else None


def step_seconds(s: State, st: Step) -> float:
    work = st.reps * tempo(s, st) if st.kind == "reps" else st.work_seconds
    return work + st.rest_after


def estimate_from(s: State, q: int) -> float:
    """A rough session length from the intro when starting at step `q` (the plan's formula,
    `plan.rough_seconds`, with the current tempo): what the intro says when the session was
    not given its dry run's length (`Config.estimate`)."""
    rest = s.steps[q:]
    exercises = {st.exercise for st in rest}
    body = sum(step_seconds(s, st) for st in rest)
    return plan.INTRO_SECONDS + _setups(s, exercises) + body + plan.OUTRO_SECONDS


def _setups(s: State, exercises: set[int]) -> float:
    ready = s.config.ready_timeout
    return sum(plan.setup_seconds(s.routine.exercises[i], ready) for i in exercises)


def workout_left(s: State) -> float:
    """A best guess of the seconds left in the whole session: the plan's formula, scaled so
    that from the start it is the dry run's length (`Config.estimate`, what the intro says)
    when the session has one (the formula leaves out much of what is said)."""
    left = _formula_left(s)
    if s.config.estimate is None:
        return left
    whole = estimate_from(s, start_step(s))
    return left * s.config.estimate / whole if whole > 0 else left


def _formula_left(s: State) -> float:
    if s.phase == "intro":
        return estimate_from(s, s.index)
    if s.phase == "done":
        return 0.0
    later = s.steps[s.index + 1 :]
    setups = {st.exercise for st in later} - {s.exercise}
    total = sum(step_seconds(s, st) for st in later)
    total += _setups(s, setups) + plan.OUTRO_SECONDS
    st = s.step
    left = segment_left(s) or 0.0
    if s.phase in ("setup", "ready"):
        return total + _setups(s, {s.exercise}) / 2 + step_seconds(s, st)
    if s.phase == "rest":
        return total + left
    if st.kind == "reps":
        return total + (st.reps - s.rep) * tempo(s) + st.rest_after
    if st.kind == "holds":
        cycles = st.reps - s.rep - (1 if s.seg_end is not None else 0)
        return total + left + cycles * (st.hold + st.release) + st.rest_after
    return total + left + st.rest_after


def time_text(s: State) -> str:
    """The `time` answer: this hold / rest / set, then the whole workout."""
    left = rest_left(s) if s.phase == "rest" else segment_left(s)
    here = ""
    if s.phase == "rest" and left is not None:
        q = s.index + 1
        turn = q < len(s.steps) and plan.is_turn(s.step, s.steps[q])  # no rest: a turn
        here = f"{texts.span(max(0, round(left)))} left {'to turn' if turn else 'in this rest'}"
    elif s.phase == "hold" and left is not None:
        here = f"{texts.span(max(0, round(left)))} left in this hold"
    elif s.phase == "work" and s.step.kind == "reps":
        n = s.step.reps - s.rep
        here = f"{n} rep{'s' if n != 1 else ''} to go"
    elif s.phase == "work" and left is not None:
        here = f"{texts.span(max(0, round(left)))} left"
    whole = f"{texts.duration(workout_left(s))} left in the workout"
    return texts.join(here, whole)


def progress_text(s: State) -> str:
    """Where the current set stands: "Hold, 6 seconds left", "5 of 15 done" (a rest says
    what comes next too: `commands._remind_rest`)."""
    left = segment_left(s)
    if s.step.kind == "reps":
        return f"{s.rep} of {s.step.reps} done"
    if s.step.kind == "holds":
        return f"Hold, {texts.span(max(0, round(left)))} left" if left is not None else ""
    return f"{texts.span(max(0, round(left or 0)))} left"
