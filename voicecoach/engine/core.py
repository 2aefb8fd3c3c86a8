"""The session engine: a pure `step(state, event) -> (state, effects)`.

No I/O, no clock, no threads, no randomness: the runtime (`voicecoach.session`) feeds
events and performs effects. The flow a user hears:

    intro -> for each exercise: setup -> ready (say ready, or the timeout) -> countdown
          -> work / hold (reps counted, holds timed) -> rest ("next: ...") -> ... -> done

Speech planning: every `Say`/`Cue` is queued after what the voice is already saying
(`at` = max(now, end of confirmed speech)); the runtime answers each with a `Spoke`
carrying its real length, which moves `speech_end`. Agenda items (see `state.py`) either
happen at a fixed time (a hold ends on time), wait for silence (rep counts), or are
dropped when they would be late ("3, 2, 1"). Timers are absolute session times, frozen
by a pause and shifted by its length on resume.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from voicecoach import plan
from voicecoach.engine import texts
from voicecoach.engine.state import (
    EPS,
    SECONDS_PER_CUE,
    Config,
    Item,
    Pause,
    PauseKind,
    State,
    estimate_speech,
)
from voicecoach.intents import Intent
from voicecoach.messages import (
    Cue,
    Effect,
    End,
    Event,
    Heard,
    Interrupt,
    Log,
    Say,
    Spoke,
    Start,
    Tick,
)
from voicecoach.plan import Step
from voicecoach.routine import Routine

MAX_ITEMS_PER_EVENT = 10_000  # a guard against a planning bug looping forever
TEMPO_STEP = 1.15  # slower / faster: +-15 % per request
TEMPO_LIMITS = (0.5, 2.0)  # the tempo factor stays within these
MIN_TEMPO = 1.0  # seconds per rep: faster than this cannot be counted aloud
COUNTDOWN_MIN_HOLD = 6.0  # holds shorter than this get no "3, 2, 1"
HALFWAY_MIN = 20.0  # "halfway" on holds / timed work at least this long
MINUTE_MARKS_MIN = 120.0  # timed work this long also hears "N minutes left" each minute
CUE_MIN_SECONDS = 10.0  # timed work this long gets one of the exercise's cues
COUNTDOWN_SECONDS = 3.0  # "starting in 3, 2, 1"
BRIEF_REST = 15.0  # after a rest this short the next set's side and number are not repeated
CUE_MIN_TEMPO = 2.5  # an exercise cue fits between counts only at this tempo or slower

# ------------------------------------------------------------------------- construction


def initial(
    routine: Routine, config: Config | None = None, steps: list[Step] | None = None
) -> State:
    """The state before `Start`; `steps` defaults to `plan.steps(routine)`."""
    config = config or Config()
    all_steps = tuple(steps if steps is not None else plan.steps(routine))
    if not 0 <= config.start_exercise < len(routine.exercises):
        raise ValueError(f"no exercise number {config.start_exercise}")
    state = State(routine=routine, steps=all_steps, config=config)
    return replace(state, index=first_step(state, config.start_exercise))


def first_step(state: State, exercise: int) -> int:
    return next(i for i, s in enumerate(state.steps) if s.exercise == exercise)


def group(routine: Routine, exercise: int) -> list[int]:
    """The exercises of `exercise`'s superset (just itself when it has none)."""
    name = routine.exercises[exercise].superset
    if not name:
        return [exercise]
    return [i for i, e in enumerate(routine.exercises) if e.superset == name]


def tempo(state: State, step: Step | None = None) -> float:
    """Seconds per rep for `step` after slower / faster."""
    step = step or state.step
    floor = min(MIN_TEMPO, step.tempo)
    return max(floor, step.tempo * state.tempo_factor)


# ------------------------------------------------------------------------- transaction


class _Tx:
    """The state being built by one `step` call, and the effects it produces. Local to
    that call (so `step` stays pure)."""

    def __init__(self, state: State) -> None:
        self.s = state
        self.fx: list[Effect] = []

    def set(self, **changes: object) -> None:
        self.s = replace(self.s, **changes)  # type: ignore[arg-type]

    def _queue(self, estimate: float, x: float) -> tuple[int, float]:
        sid, at = self.s.next_id, max(x, self.s.speech_end)
        self.set(
            next_id=sid + 1, pending=(*self.s.pending, (sid, max(at, self.s.busy_until) + estimate))
        )
        return sid, at

    def say(self, text: str, x: float) -> None:
        if text:
            sid, at = self._queue(estimate_speech(text), x)
            self.fx.append(Say(sid, text, at))

    def say_all(self, lines: list[str], x: float) -> None:
        for line in lines:
            self.say(line, x)

    def cue(self, name: str, x: float) -> None:
        sid, at = self._queue(SECONDS_PER_CUE, x)
        self.fx.append(Cue(sid, name, at))

    def interrupt(self, t: float) -> None:
        self.fx.append(Interrupt(t))
        self.set(speech_end=min(self.s.speech_end, t), pending=(), cut_id=self.s.next_id)

    def plan(self, *items: Item) -> None:
        """Replace the agenda."""
        self.set(agenda=tuple(items))

    def add(self, *items: Item) -> None:
        self.set(agenda=(*self.s.agenda, *items))

    def quiet_at(self, x: float) -> bool:
        return self.s.busy_until <= x + 0.05

    def log_state(self, t: float) -> None:
        key = state_record(self.s)
        if key != self.s.logged:
            self.set(logged=key)
            self.fx.append(Log(t, "state", dict(key)))


def state_record(s: State) -> tuple:
    """The fields of a `state` log record, as a hashable tuple of pairs."""
    in_exercise = s.phase not in ("intro", "done")
    step = s.step if in_exercise else None
    return (
        ("exercise", s.routine.exercises[step.exercise].id if step else None),
        ("index", step.exercise if step else None),
        ("set", step.set if step else None),
        ("side", step.side if step else None),
        ("phase", s.shown_phase),
        ("step", s.index if step else None),
    )


# ------------------------------------------------------------------------------ step


def step(state: State, event: Event) -> tuple[State, list[Effect]]:
    """Advance the session by one event. Pure."""
    if state.ended:
        return state, []
    if isinstance(event, Start):
        if state.started is not None:
            return state, []
        tx = _Tx(replace(state, started=event.t, now=event.t, speech_end=event.t))
        _enter_intro(tx, event.t)
        tx.log_state(event.t)
        _advance(tx, event.t)
        return tx.s, tx.fx
    if state.started is None:
        return state, []
    t = max(event.t, state.now)
    tx = _Tx(replace(state, now=t))
    if isinstance(event, Spoke):
        _spoke(tx, event)
    elif isinstance(event, Heard):
        _advance(tx, t)  # a late tick's work comes first: the intent acts on the present
        if tx.s.ended:
            return tx.s, tx.fx
        tx.fx.append(
            Log(
                t,
                "heard",
                {"intent": event.intent.value, "text": event.text, "source": event.source},
            )
        )
        _heard(tx, event.intent, t)
        tx.log_state(t)
    elif not isinstance(event, Tick):
        raise TypeError(f"not an engine event: {event!r}")
    _advance(tx, t)
    return tx.s, tx.fx


def abort(state: State, t: float, reason: str) -> tuple[State, list[Effect]]:
    """End the session from outside (Ctrl-C, input ran out): the log still gets its end."""
    if state.ended:
        return state, []
    tx = _Tx(replace(state, now=max(t, state.now)))
    _end(tx, tx.s.now, completed=False, reason=reason)
    return tx.s, tx.fx


def _spoke(tx: _Tx, ev: Spoke) -> None:
    s = tx.s
    if ev.id < s.cut_id:
        return  # its sound was interrupted
    tx.set(
        pending=tuple(p for p in s.pending if p[0] != ev.id),
        speech_end=max(s.speech_end, ev.at + ev.duration),
    )


def _advance(tx: _Tx, t: float) -> None:
    """Do every agenda item due by `t`, in time order, each at its own time."""
    for _ in range(MAX_ITEMS_PER_EVENT):
        s = tx.s
        if s.ended or s.pause is not None or not s.agenda:
            return
        k = min(range(len(s.agenda)), key=lambda j: (s.effective(s.agenda[j]), j))
        item = s.agenda[k]
        x = s.effective(item)
        if x > t + EPS:
            return
        tx.set(agenda=s.agenda[:k] + s.agenda[k + 1 :])
        ACTIONS[item.action](tx, item, x)
        tx.log_state(x)
    raise RuntimeError("the session engine kept finding due items: a planning bug")


# ------------------------------------------------------------------------- the flow


def _enter_intro(tx: _Tx, x: float) -> None:
    s = tx.s
    q = first_step(s, s.config.start_exercise)
    minutes = max(1, round(estimate_from(s, q) / 60))
    start = s.routine.exercises[s.config.start_exercise] if s.config.start_exercise else None
    tx.set(phase="intro")
    tx.say_all(texts.intro(s.routine, minutes, start), x)
    tx.plan(Item(x, "intro_done"))


def _enter_setup(tx: _Tx, q: int, x: float) -> None:
    """Read the exercise of step `q`, its setup and first set; then the ready prompt."""
    s = tx.s
    k = s.steps[q].exercise
    tx.set(phase="setup", index=q, prev=None, rep=0, seg_end=None, visited=s.visited | {k})
    n = len(s.routine.exercises)
    tx.say_all(texts.setup(s.routine.exercises[k], k + 1, n), x)
    tx.say(_intro_text(tx.s, q, None), x)
    tx.set(announced=q)
    tx.plan(Item(x, "prompt"))


def _intro_text(s: State, q: int, prev: int | None, brief: bool = False) -> str:
    """What is said before step `q` starts, coming from step `prev`; `brief` leaves out
    the side and set (a short rest has just said them)."""
    st = s.steps[q]
    before = s.steps[prev] if prev is not None else None
    switch = before is not None and before.exercise != st.exercise
    ex = s.routine.exercises[st.exercise]
    return texts.step_intro(st, before, ex, switch, tempo(s, st), brief=brief)


def _prompt(tx: _Tx, item: Item, x: float) -> None:
    tx.set(phase="ready")
    tx.say(texts.PROMPT_READY, x)
    wait = max(0.0, tx.s.config.ready_timeout - COUNTDOWN_SECONDS)
    tx.plan(Item(x, "auto_start", after=wait))


def _start_countdown(tx: _Tx, x: float) -> None:
    """ "Starting in 3, 2, 1", then the work: the ready timeout includes it."""
    tx.set(phase="ready")
    tx.plan(Item(x, "countdown", n=3))


def _countdown(tx: _Tx, item: Item, x: float) -> None:
    tx.say("Starting in 3" if item.n == 3 else str(item.n), x)
    tx.plan(Item(x + 1, "countdown", n=item.n - 1) if item.n > 1 else Item(x + 1, "go"))


def _go(tx: _Tx, item: Item, x: float) -> None:
    """The work starts now (`n=1`: silently, its label is being said over it)."""
    s = tx.s
    st = s.step
    ex = s.routine.exercises[st.exercise]
    quiet = item.n == 1
    tx.set(phase="hold" if st.kind == "holds" else "work", rep=0, rep_base=x)
    if st.kind == "holds":
        tx.plan(Item(x, "hold", n=1))
        return
    if not quiet:
        tx.say("Go", x)
    if st.kind == "reps":
        tx.plan(Item(x + tempo(s), "count", n=1))
        return
    end = x + st.seconds
    tx.set(seg_end=end)
    tx.plan(*_countdown_items(end, st.seconds, ticks=True), Item(end, "timed_end", "fixed"))
    if ex.cues and st.seconds >= CUE_MIN_SECONDS:
        cue = ex.cues[(st.set - 1 + st.part) % len(ex.cues)]
        tx.add(Item(x + (4 if quiet else 2), "say_drop", "drop", text=cue))


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
        out += [Item(end - left, "say_drop", "drop", text=text) for left, text in marks.items()]
    elif length >= HALFWAY_MIN:
        out.append(Item(end - length / 2, "say_drop", "drop", text="Halfway"))
    if ticks and length >= 5:
        out += [Item(end - k, "cue_drop", "drop", text="tick") for k in (3, 2, 1)]
    elif not ticks and length >= COUNTDOWN_MIN_HOLD:
        out += [Item(end - k, "say_drop", "drop", text=str(k)) for k in (3, 2, 1)]
    return out


def _count(tx: _Tx, item: Item, x: float) -> None:
    s = tx.s
    st = s.step
    tx.say(str(item.n), x)
    tx.set(rep=item.n, rep_base=x)
    if item.n >= st.reps:
        _finish(tx, x, completed=True)
        return
    tx.plan(Item(x + tempo(s), "count", n=item.n + 1))
    ex = s.routine.exercises[st.exercise]
    if item.n == 1 and ex.cues and tempo(s) >= CUE_MIN_TEMPO and st.reps >= 4:
        cue = ex.cues[(st.set - 1 + st.part) % len(ex.cues)]
        tx.add(Item(x + 0.8, "say_drop", "drop", text=cue))


def _hold(tx: _Tx, item: Item, x: float) -> None:
    s = tx.s
    st = s.step
    end = x + st.hold
    tx.say("Hold", x)
    tx.set(seg_end=end)
    tx.plan(*_countdown_items(end, st.hold, ticks=False), Item(end, "release", "fixed", n=item.n))
    ex = s.routine.exercises[st.exercise]
    if item.n == 1 and ex.cues and st.hold >= 8:
        tx.add(Item(x + 1.5, "say_drop", "drop", text=ex.cues[0]))


def _release(tx: _Tx, item: Item, x: float) -> None:
    st = tx.s.step
    tx.set(rep=item.n, seg_end=None)
    tx.say("Release" if st.reps == 1 else f"Release. {item.n} of {st.reps}", x)
    if item.n >= st.reps:
        _finish(tx, x, completed=True)
    else:
        tx.plan(Item(x + st.release, "hold", n=item.n + 1))


def _timed_end(tx: _Tx, item: Item, x: float) -> None:
    tx.cue("hold_end", x)
    tx.set(seg_end=None)
    _finish(tx, x, completed=True)


def _say_drop(tx: _Tx, item: Item, x: float) -> None:
    if tx.quiet_at(x):
        tx.say(item.text, x)


def _cue_drop(tx: _Tx, item: Item, x: float) -> None:
    if tx.quiet_at(x):
        tx.cue(item.text, x)


def _finish(tx: _Tx, x: float, completed: bool) -> None:
    """The current step is over (done, or skipped): its rest, or what follows."""
    s = tx.s
    if completed:
        tx.set(completed=s.completed | {s.index})
    if s.step.rest_after > 0:
        _enter_rest(tx, x)
    else:
        _goto(tx, s.index + 1, x)


def _enter_rest(tx: _Tx, x: float) -> None:
    """Rest, say what comes next; near its end, announce the next set so that it starts
    on time."""
    s = tx.s
    st = s.step
    q = s.index + 1
    nxt = s.steps[q] if q < len(s.steps) else None
    superset = nxt is not None and nxt.exercise in group(s.routine, st.exercise)
    length = st.rest_after
    end = x + length
    tx.set(phase="rest", seg_end=end, rep=0)
    tx.say(texts.rest(length, st.rest_reason, nxt, st, s.routine, superset), x)
    tx.plan(Item(end, "rest_end", "fixed"))
    if length >= 30:
        tx.add(Item(end - 10, "say_drop", "drop", text="10 seconds left"))
    if nxt is not None and not _needs_setup(s, q):
        text = _intro_text(s, q, s.index, brief=length < BRIEF_REST)
        tx.add(Item(end - estimate_speech(text) - 0.5, "prep", text=text))


def _prep(tx: _Tx, item: Item, x: float) -> None:
    tx.say(item.text, x)
    tx.set(announced=tx.s.index + 1)


def _rest_end(tx: _Tx, item: Item, x: float) -> None:
    tx.cue("rest_over", x)
    tx.set(seg_end=None)
    _goto(tx, tx.s.index + 1, x)


def _needs_setup(s: State, q: int) -> bool:
    """Step `q` starts an exercise that needs its setup read (a superset's members are set
    up once, then alternate)."""
    here, there = s.step, s.steps[q]
    if there.exercise == here.exercise:
        return False
    return not (there.exercise in group(s.routine, here.exercise) and there.exercise in s.visited)


def _goto(tx: _Tx, q: int, x: float) -> None:
    """Move on from the current step to step `q`: its setup if it starts a new exercise,
    else straight into it (timed parts of one set run on without a gap)."""
    s = tx.s
    if q >= len(s.steps):
        _enter_done(tx, x)
        return
    if _needs_setup(s, q):
        _enter_setup(tx, q, x)
        return
    here, there = s.step, s.steps[q]
    same_set = (here.exercise, here.set, here.side) == (there.exercise, there.set, there.side)
    announced = s.announced == q
    tx.set(index=q, prev=s.index, rep=0, seg_end=None, announced=q)
    tx.set(phase="hold" if there.kind == "holds" else "work")
    if not announced:
        tx.say(_intro_text(tx.s, q, s.index), x)
    if there.kind == "timed" and same_set and not announced:
        _go(tx, Item(x, "go", n=1), x)
    else:
        tx.plan(Item(x, "go"))


def _enter_done(tx: _Tx, x: float) -> None:
    s = tx.s
    done, skipped = exercise_outcomes(s)
    elapsed = x - (s.started or 0.0)
    tx.set(phase="done", seg_end=None)
    tx.cue("done", x)
    tx.say_all(texts.summary(s.routine, done, skipped, elapsed), x)
    tx.plan(Item(x, "finish"))


def _finish_session(tx: _Tx, item: Item, x: float) -> None:
    _end(tx, x, completed=True, reason="completed")


def _end(tx: _Tx, x: float, completed: bool, reason: str) -> None:
    done, skipped = exercise_outcomes(tx.s)
    fields = {"completed": completed, "reason": reason, "done": len(done), "skipped": len(skipped)}
    tx.fx += [Log(x, "end", fields), End(x, completed, reason)]
    tx.set(ended=True, agenda=(), pause=None)


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


ACTIONS: dict[str, Callable[[_Tx, Item, float], None]] = {
    "intro_done": lambda tx, item, x: _enter_setup(
        tx, first_step(tx.s, tx.s.config.start_exercise), x
    ),
    "prompt": _prompt,
    "auto_start": lambda tx, item, x: _start_countdown(tx, x),
    "prep": _prep,
    "countdown": _countdown,
    "go": _go,
    "count": _count,
    "hold": _hold,
    "release": _release,
    "timed_end": _timed_end,
    "say_drop": _say_drop,
    "cue_drop": _cue_drop,
    "rest_end": _rest_end,
    "finish": _finish_session,
}

# ------------------------------------------------------------------------- intents


def _heard(tx: _Tx, intent: Intent, t: float) -> None:
    s = tx.s
    if s.pause is not None:
        _heard_paused(tx, intent, t, s.pause.kind)
    else:
        RUNNING[intent](tx, t)


def _on_next(tx: _Tx, t: float) -> None:
    s = tx.s
    tx.interrupt(t)
    if s.phase == "intro":
        _enter_setup(tx, first_step(s, s.config.start_exercise), t)
    elif s.phase in ("setup", "ready"):
        _skip_exercise(tx, t)
    elif s.phase in ("work", "hold"):
        tx.set(seg_end=None)
        _finish(tx, t, completed=False)
    elif s.phase == "rest":
        tx.set(seg_end=None)
        _goto(tx, s.index + 1, t)
    else:
        _end(tx, t, completed=True, reason="completed")


def _skip_exercise(tx: _Tx, t: float) -> None:
    """Skip the current exercise (its whole superset): to the next one's setup."""
    s = tx.s
    members = group(s.routine, s.exercise)
    tx.say(f"Skipping {s.routine.exercises[s.exercise].name}", t)
    q = 1 + max(i for i, st in enumerate(s.steps) if st.exercise in members)
    if q >= len(s.steps):
        _enter_done(tx, t)
    else:
        _enter_setup(tx, q, t)


def _on_back(tx: _Tx, t: float) -> None:
    s = tx.s
    tx.interrupt(t)
    if s.phase == "intro":
        _enter_intro(tx, t)
        return
    here = len(s.routine.exercises) if s.phase == "done" else s.exercise
    target = group(s.routine, max(here - 1, 0))[0]
    if here == 0:
        tx.say("This is the first exercise. Starting it again", t)
    else:
        tx.say(f"Going back to {s.routine.exercises[target].name}", t)
    tx.set(visited=frozenset())
    _enter_setup(tx, first_step(s, target), t)


def _on_repeat(tx: _Tx, t: float) -> None:
    s = tx.s
    if s.phase == "intro":
        tx.interrupt(t)
        _enter_intro(tx, t)
    elif s.phase in ("setup", "ready"):
        tx.interrupt(t)
        _enter_setup(tx, s.index, t)
    elif s.phase in ("work", "hold"):
        ex = s.routine.exercises[s.exercise]
        tx.say(texts.instructions(s.step, ex, tempo(s)), t)
    elif s.phase == "rest":
        nxt = s.steps[s.index + 1] if s.index + 1 < len(s.steps) else None
        text = texts.sentence(f"Rest, {texts.span(segment_left(s) or 0)} left")
        if nxt is not None:
            superset = nxt.exercise in group(s.routine, s.exercise)
            text = texts.join(text, texts.next_up(nxt, s.step, s.routine, superset))
        tx.say(text, t)
    else:
        done, skipped = exercise_outcomes(s)
        tx.say_all(texts.summary(s.routine, done, skipped, t - (s.started or 0.0)), t)


def _on_pause(tx: _Tx, t: float, kind: PauseKind = "pause") -> None:
    tx.interrupt(t)
    tx.set(pause=Pause(t, kind))
    tx.say(_pause_text(tx.s), t)


def _pause_text(s: State) -> str:
    assert s.pause is not None
    if s.pause.kind == "confirm":
        return texts.CONFIRM_STOP
    if s.pause.kind == "pain":
        ex = s.routine.exercises[s.exercise] if s.phase not in ("intro", "done") else None
        return texts.pain(ex, s.routine)
    return texts.PAUSED


def _on_ready(tx: _Tx, t: float) -> None:
    s = tx.s
    counting = any(i.action in ("countdown", "go") for i in s.agenda)
    if s.phase in ("setup", "ready") and not counting:
        tx.interrupt(t)
        _start_countdown(tx, t)
    elif s.phase in ("intro", "rest"):
        _on_next(tx, t)


def _on_help(tx: _Tx, t: float) -> None:
    s = tx.s
    tx.say(texts.HELP[s.pause.kind if s.pause else s.phase], t)


def _on_time(tx: _Tx, t: float) -> None:
    tx.say(time_text(tx.s), t)


def _on_tempo(tx: _Tx, t: float, slower: bool) -> None:
    s = tx.s
    lo, hi = TEMPO_LIMITS
    factor = s.tempo_factor * TEMPO_STEP if slower else s.tempo_factor / TEMPO_STEP
    factor = min(hi, max(lo, factor))
    word = "Slower" if slower else "Faster"
    if abs(factor - s.tempo_factor) < 1e-9:
        tx.say(f"That is as {'slow' if slower else 'fast'} as I count", t)
        return
    tx.set(tempo_factor=factor)
    st = tx.s.step
    if st.kind == "reps" and s.phase == "work":
        tx.say(f"{word}. One every {tempo(tx.s):.1f} seconds", t)
        agenda = tuple(
            replace(i, due=tx.s.rep_base + tempo(tx.s)) if i.action == "count" else i
            for i in tx.s.agenda
        )
        tx.set(agenda=agenda)
    else:
        tx.say(f"{word} counting, {round(100 / factor)} percent", t)


def _on_pain(tx: _Tx, t: float) -> None:
    _on_pause(tx, t, "pain")


RUNNING: dict[Intent, Callable[[_Tx, float], None]] = {
    Intent.NEXT: _on_next,
    Intent.BACK: _on_back,
    Intent.REPEAT: _on_repeat,
    Intent.PAUSE: _on_pause,
    Intent.RESUME: lambda tx, t: None,
    Intent.STOP: lambda tx, t: _on_pause(tx, t, "confirm"),
    Intent.READY: _on_ready,
    Intent.HELP: _on_help,
    Intent.TIME: _on_time,
    Intent.SLOWER: lambda tx, t: _on_tempo(tx, t, slower=True),
    Intent.FASTER: lambda tx, t: _on_tempo(tx, t, slower=False),
    Intent.YES: lambda tx, t: None,
    Intent.NO: lambda tx, t: None,
    Intent.PAIN: _on_pain,
}


def _heard_paused(tx: _Tx, intent: Intent, t: float, kind: PauseKind) -> None:
    if intent in (Intent.RESUME, Intent.READY) or (kind == "confirm" and intent == Intent.NO):
        _resume(tx, t)
    elif intent == Intent.STOP and kind == "pause":
        _repause(tx, t, "confirm")
    elif intent == Intent.STOP or (intent == Intent.YES and kind == "confirm"):
        tx.interrupt(t)
        tx.say("Ending the workout. Take care", t)
        _end(tx, t, completed=False, reason="stopped")
    elif intent == Intent.PAUSE:
        _repause(tx, t, "pause")
    elif intent == Intent.PAIN:
        _repause(tx, t, "pain")
    elif intent in (Intent.REPEAT, Intent.HELP):
        tx.interrupt(t)
        tx.say(_pause_text(tx.s) if intent == Intent.REPEAT else texts.HELP[kind], t)
    elif intent == Intent.NEXT and kind == "pain":
        tx.interrupt(t)
        _unpause(tx, t)
        if tx.s.phase == "intro":
            _on_next(tx, t)
        elif tx.s.phase != "done":
            _skip_exercise(tx, t)
        else:
            _end(tx, t, completed=True, reason="completed")
    elif intent in (Intent.NEXT, Intent.BACK) or kind == "confirm":
        _unpause(tx, t)  # "anything else resumes", then does what was asked
        if intent not in (Intent.NEXT, Intent.BACK, Intent.YES, Intent.NO):
            _resume_speech(tx, t)
        RUNNING[intent](tx, t)
    elif intent in (Intent.TIME, Intent.SLOWER, Intent.FASTER):
        RUNNING[intent](tx, t)


def _repause(tx: _Tx, t: float, kind: PauseKind) -> None:
    assert tx.s.pause is not None
    tx.interrupt(t)
    tx.set(pause=Pause(tx.s.pause.at, kind))
    tx.say(_pause_text(tx.s), t)


def _unpause(tx: _Tx, t: float) -> None:
    """Unfreeze: every timer moves by the length of the pause."""
    s = tx.s
    assert s.pause is not None
    dt = t - s.pause.at
    tx.set(
        pause=None,
        agenda=tuple(replace(i, due=i.due + dt) for i in s.agenda),
        seg_end=None if s.seg_end is None else s.seg_end + dt,
        rep_base=s.rep_base + dt,
    )


def _resume(tx: _Tx, t: float) -> None:
    tx.interrupt(t)
    _unpause(tx, t)
    _resume_speech(tx, t)


def _resume_speech(tx: _Tx, t: float) -> None:
    """Say where we are again; re-read what the pause cut off."""
    s = tx.s
    not_started = any(i.action in ("countdown", "go") for i in s.agenda)
    if s.phase == "intro":
        _enter_intro(tx, t)
    elif s.phase == "setup":
        _enter_setup(tx, s.index, t)
    elif not_started and s.phase == "ready":
        tx.say("Resuming", t)
        _start_countdown(tx, t)
    elif not_started:
        tx.say(texts.join("Resuming", _intro_text(s, s.index, s.prev)), t)
        tx.plan(Item(t, "go"))
    elif s.phase == "done":
        _enter_done(tx, t)
    elif s.phase == "ready":
        tx.say(texts.join("Resuming", texts.PROMPT_READY), t)
    else:
        tx.say(texts.join("Resuming", _where(s)), t)


def _where(s: State) -> str:
    """Where the current step stands: "hold, 6 seconds left", "5 of 15 done"."""
    left = segment_left(s)
    if s.phase == "rest":
        return f"Rest, {texts.span(left or 0)} left"
    if s.step.kind == "reps":
        return f"{s.rep} of {s.step.reps} done"
    if s.step.kind == "holds":
        return f"Hold, {texts.span(left)} left" if left is not None else ""
    return f"{texts.span(left or 0)} left"


# ------------------------------------------------------------------------- time


def segment_left(s: State) -> float | None:
    """Seconds left in the current hold, rest or timed work (frozen while paused);
    None when no such timer runs."""
    if s.seg_end is None:
        return None
    ref = s.pause.at if s.pause is not None else s.now
    return s.seg_end - ref


def _step_seconds(s: State, st: Step) -> float:
    work = st.reps * tempo(s, st) if st.kind == "reps" else st.work_seconds
    return work + st.rest_after


def estimate_from(s: State, q: int) -> float:
    """The session length from the intro when starting at step `q`: plan.estimate_seconds
    for a whole routine, with the current tempo."""
    rest = s.steps[q:]
    exercises = {st.exercise for st in rest}
    body = sum(_step_seconds(s, st) for st in rest)
    return plan.INTRO_SECONDS + plan.SETUP_SECONDS * len(exercises) + body + plan.OUTRO_SECONDS


def workout_left(s: State) -> float:
    """A best guess of the seconds left in the whole session."""
    if s.phase == "intro":
        return estimate_from(s, s.index)
    if s.phase == "done":
        return 0.0
    later = s.steps[s.index + 1 :]
    setups = {st.exercise for st in later} - {s.exercise}
    total = sum(_step_seconds(s, st) for st in later)
    total += plan.SETUP_SECONDS * len(setups) + plan.OUTRO_SECONDS
    st = s.step
    left = segment_left(s) or 0.0
    if s.phase in ("setup", "ready"):
        return total + plan.SETUP_SECONDS / 2 + _step_seconds(s, st)
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
    left = segment_left(s)
    here = ""
    if s.phase == "rest" and left is not None:
        here = f"{texts.span(max(0, round(left)))} left in this rest"
    elif s.phase == "hold" and left is not None:
        here = f"{texts.span(max(0, round(left)))} left in this hold"
    elif s.phase == "work" and s.step.kind == "reps":
        n = s.step.reps - s.rep
        here = f"{n} rep{'s' if n != 1 else ''} to go"
    elif s.phase == "work" and left is not None:
        here = f"{texts.span(max(0, round(left)))} left"
    whole = f"{texts.duration(workout_left(s))} left in the workout"
    return texts.join(here, whole)
