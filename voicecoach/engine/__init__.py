"""The pure session engine: `step(state, event) -> (state, effects)`.

    state = initial(routine, Config(ready_timeout=15))
    state, effects = step(state, Start(0.0))
    ... the runtime performs effects, answers each Say/Cue with a Spoke, and sends a
    Tick at `state.next_deadline` (`voicecoach.runtime.runner.Runner` does all that) ...

Modules: `core` (step), `state` (the immutable state and its agenda), `flow` (what the
user hears, phase by phase), `commands` (what each intent does), `timing` (time left),
`texts` (the wording), `tx` (one step in progress). Nothing here imports the runtime,
the voice, the ears or any I/O.
"""

from voicecoach.engine.core import abort, initial, step
from voicecoach.engine.flow import exercise_outcomes
from voicecoach.engine.state import (
    Action,
    Config,
    Item,
    Pause,
    State,
    estimate_speech,
    first_step,
    tempo,
)
from voicecoach.engine.timing import segment_left, time_text, workout_left

__all__ = [
    "Action",
    "Config",
    "Item",
    "Pause",
    "State",
    "abort",
    "estimate_speech",
    "exercise_outcomes",
    "first_step",
    "initial",
    "segment_left",
    "step",
    "tempo",
    "time_text",
    "workout_left",
]
