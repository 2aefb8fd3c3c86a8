"""The messages between the pure session engine and the world: one type per meaning.

Events go into `voicecoach.engine.step(state, event)`; effects come out. Times are
seconds on the session clock (0.0 = session start), never wall-clock readings.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicecoach.intents import Intent
from voicecoach.records import EndRecord, HeardRecord, StateRecord

# ---------------------------------------------------------------- events (world -> engine)


@dataclass(frozen=True, slots=True)
class Start:
    """The session begins at time t."""

    t: float


@dataclass(frozen=True, slots=True)
class Tick:
    """Time has advanced to t (sent at least at every deadline the engine asked for)."""

    t: float


@dataclass(frozen=True, slots=True)
class Heard:
    """A command was recognized (voice or keyboard) at time t."""

    t: float
    intent: Intent
    text: str = ""
    source: str = "voice"  # "voice" | "keys"


@dataclass(frozen=True, slots=True)
class Spoke:
    """The voice's answer to a `Say`/`Cue`: the sound `id` lasts `duration` seconds from `at`."""

    t: float
    id: int
    at: float
    duration: float


Event = Start | Tick | Heard | Spoke

# --------------------------------------------------------------- effects (engine -> world)


@dataclass(frozen=True, slots=True)
class Say:
    """Speak `text`, starting at session time `at` (after whatever is already playing)."""

    id: int
    text: str
    at: float


@dataclass(frozen=True, slots=True)
class Cue:
    """Play a short tone. Names: start, tick, hold_end, rest_over, done."""

    id: int
    name: str
    at: float


@dataclass(frozen=True, slots=True)
class Interrupt:
    """Silence the voice now and drop everything queued (pause, stop, next...)."""

    at: float


# The engine's log records are effects too (`voicecoach.records`): `StateRecord`,
# `HeardRecord`, and `EndRecord`, which also says the session is over.
Effect = Say | Cue | Interrupt | StateRecord | HeardRecord | EndRecord
