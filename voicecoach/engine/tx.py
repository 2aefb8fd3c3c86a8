"""One `step` call in progress: the state being built and the effects it produces.

Local to that call, so `step` stays pure. Speech goes through here so that every
`Say`/`Cue` is queued after the speech the voice has confirmed, and is remembered as
pending (with an estimated length) until its `Spoke` arrives.
"""

from __future__ import annotations

from dataclasses import replace

from voicecoach.engine.state import Item, State, estimate_speech
from voicecoach.messages import Cue, Effect, Interrupt, Say
from voicecoach.records import StateRecord
from voicecoach.speech import cue_seconds


class Tx:
    """The state being built by one `step` call, and the effects it produces."""

    def __init__(self, state: State) -> None:
        self.s = state
        self.fx: list[Effect] = []

    def _queue(self, estimate: float, x: float) -> tuple[int, float]:
        sid, at = self.s.next_id, max(x, self.s.speech_end)
        self.s = replace(
            self.s,
            next_id=sid + 1,
            pending=(*self.s.pending, (sid, max(at, self.s.busy_until) + estimate)),
        )
        return sid, at

    def say(self, text: str, x: float) -> None:
        if text:
            self.log_state(x)  # the log (and transcript) say where the session stood
            sid, at = self._queue(estimate_speech(text), x)
            self.fx.append(Say(sid, text, at))

    def say_all(self, lines: list[str], x: float) -> None:
        for line in lines:
            self.say(line, x)

    def cue(self, name: str, x: float) -> None:
        self.log_state(x)
        sid, at = self._queue(cue_seconds(name), x)
        self.fx.append(Cue(sid, name, at))

    def interrupt(self, t: float) -> None:
        self.fx.append(Interrupt(t))
        self.s = replace(
            self.s, speech_end=min(self.s.speech_end, t), pending=(), cut_id=self.s.next_id
        )

    def plan(self, *items: Item) -> None:
        """Replace the agenda."""
        self.s = replace(self.s, agenda=tuple(items))

    def add(self, *items: Item) -> None:
        self.s = replace(self.s, agenda=(*self.s.agenda, *items))

    def quiet_at(self, x: float) -> bool:
        return self.s.busy_until <= x + 0.05

    def log_state(self, t: float) -> None:
        rec = state_record(self.s, t)
        if not rec.same_place(self.s.logged) and not self.s.ended:
            self.s = replace(self.s, logged=rec)
            self.fx.append(rec)


def state_record(s: State, t: float) -> StateRecord:
    """Where the session is at `t`, as a `state` log record."""
    in_exercise = s.phase not in ("intro", "done")
    step = s.steps[s.place] if in_exercise else None
    return StateRecord(
        t,
        exercise=s.routine.exercises[step.exercise].id if step else None,
        index=step.exercise if step else None,
        set=step.set if step else None,
        side=step.side if step else None,
        phase=s.shown_phase,
        step=s.place if step else None,
    )
