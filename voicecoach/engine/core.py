"""The session engine: a pure `step(state, event) -> (state, effects)`.

No I/O, no clock, no threads, no randomness: the runtime (`voicecoach.runtime`) feeds
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

from dataclasses import replace

from voicecoach import plan
from voicecoach.engine.commands import heard
from voicecoach.engine.flow import end_session, enter_intro, perform
from voicecoach.engine.state import EPS, Config, State, start_step
from voicecoach.engine.tx import Tx
from voicecoach.messages import Effect, Event, Heard, Spoke, Start, Tick
from voicecoach.plan import Step
from voicecoach.records import HeardRecord
from voicecoach.routine import Routine

MAX_ITEMS_PER_EVENT = 10_000  # a guard against a planning bug looping forever


def initial(
    routine: Routine, config: Config | None = None, steps: list[Step] | None = None
) -> State:
    """The state before `Start`; `steps` defaults to `plan.steps(routine)`."""
    config = config or Config()
    all_steps = tuple(steps if steps is not None else plan.steps(routine))
    if not 0 <= config.start_exercise < len(routine.exercises):
        raise ValueError(f"no exercise number {config.start_exercise}")
    if config.start_step is not None and not 0 <= config.start_step < len(all_steps):
        raise ValueError(f"no step number {config.start_step}")
    state = State(routine=routine, steps=all_steps, config=config, completed=config.done_before)
    return replace(state, index=start_step(state))


def step(state: State, event: Event) -> tuple[State, list[Effect]]:
    """Advance the session by one event. Pure."""
    if state.ended:
        return state, []
    if isinstance(event, Start):
        if state.started is not None:
            return state, []
        tx = Tx(replace(state, started=event.t, now=event.t, speech_end=event.t))
        enter_intro(tx, event.t)
        tx.log_state(event.t)
        _advance(tx, event.t)
        return tx.s, tx.fx
    if state.started is None:
        return state, []
    t = max(event.t, state.now)
    tx = Tx(replace(state, now=t))
    if isinstance(event, Spoke):
        _spoke(tx, event)
    elif isinstance(event, Heard):
        _advance(tx, t)  # a late tick's work comes first: the intent acts on the present
        if tx.s.ended:
            return tx.s, tx.fx
        tx.fx.append(HeardRecord(t, event.intent.value, event.text, event.source))
        heard(tx, event.intent, t)
        tx.log_state(t)
    elif not isinstance(event, Tick):
        raise TypeError(f"not an engine event: {event!r}")
    _advance(tx, t)
    return tx.s, tx.fx


def abort(state: State, t: float, reason: str) -> tuple[State, list[Effect]]:
    """End the session from outside (Ctrl-C, input ran out): the log still gets its end."""
    if state.ended:
        return state, []
    tx = Tx(replace(state, now=max(t, state.now)))
    end_session(tx, tx.s.now, completed=False, reason=reason)
    return tx.s, tx.fx


def _spoke(tx: Tx, ev: Spoke) -> None:
    s = tx.s
    if ev.id < s.cut_id:
        return  # its sound was interrupted
    tx.s = replace(
        tx.s,
        pending=tuple(p for p in s.pending if p[0] != ev.id),
        speech_end=max(s.speech_end, ev.at + ev.duration),
    )


def _advance(tx: Tx, t: float) -> None:
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
        tx.s = replace(tx.s, agenda=s.agenda[:k] + s.agenda[k + 1 :])
        perform(tx, item, x)
        tx.log_state(x)
    raise RuntimeError("the session engine kept finding due items: a planning bug")
