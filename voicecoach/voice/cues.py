"""The coach's short tones. Each cue opens on its own note, so they are told apart by
pitch alone even when only half-heard; all are soft-edged (no clicks) and short, because
they queue like speech and must not delay the words that follow."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# name -> notes as (frequency Hz, seconds). Rising = "go", single = "stop", arpeggio = "done".
CUES: dict[str, tuple[tuple[float, float], ...]] = {
    "start": ((784.0, 0.10), (1046.5, 0.16)),  # G5 -> C6: begin
    "tick": ((1318.5, 0.06),),  # E6 pip: the last seconds of a hold or rest
    "hold_end": ((987.8, 0.28),),  # B5: the hold is over, relax
    "rest_over": ((659.3, 0.10), (880.0, 0.16)),  # E5 -> A5: get ready again
    "done": ((523.3, 0.12), (659.3, 0.12), (784.0, 0.12), (1046.5, 0.30)),  # C major
}
CUE_LEVEL = 0.35  # peak amplitude: clearly audible under speech level (espeak peaks ~0.8)
_EDGE = 0.008  # seconds of raised-cosine fade at each note's ends


def cue_names() -> list[str]:
    return list(CUES)


def cue_duration(name: str) -> float:
    """Length of cue `name` in seconds, without generating it (the text voice needs it)."""
    return sum(seconds for _, seconds in _notes(name))


def tone(name: str, rate: int) -> np.ndarray:
    """Cue `name` as float32 mono samples at `rate`."""
    import numpy as np

    parts = []
    for freq, seconds in _notes(name):
        n = round(seconds * rate)
        t = np.arange(n) / rate
        note = np.sin(2 * np.pi * freq * t) * _envelope(n, rate)
        parts.append(note)
    return (CUE_LEVEL * np.concatenate(parts)).astype(np.float32)


def _notes(name: str) -> tuple[tuple[float, float], ...]:
    try:
        return CUES[name]
    except KeyError:  # the engine asked for a cue that does not exist: a bug, not user error
        raise ValueError(f"unknown cue {name!r}; cues are: {', '.join(CUES)}") from None


def _envelope(n: int, rate: int) -> np.ndarray:
    import numpy as np

    env = np.ones(n)
    k = min(n // 2, round(_EDGE * rate))
    if k:
        ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, k))
        env[:k] = ramp
        env[-k:] = ramp[::-1]
    return env
