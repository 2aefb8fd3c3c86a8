"""The coach's short tones. Each cue opens on its own note, so they are told apart by
pitch alone even when only half-heard; all are soft-edged (no clicks) and short, because
they queue like speech and must not delay the words that follow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from voicecoach.speech import CUES, cue_notes, cue_seconds

if TYPE_CHECKING:
    import numpy as np

CUE_LEVEL = 0.35  # peak amplitude: clearly audible under speech level (espeak peaks ~0.8)
_EDGE = 0.008  # seconds of raised-cosine fade at each note's ends


def cue_names() -> list[str]:
    return list(CUES)


def cue_duration(name: str) -> float:
    """Length of cue `name` in seconds, without generating it (`speech.cue_seconds`)."""
    return cue_seconds(name)


def tone(name: str, rate: int) -> np.ndarray:
    """Cue `name` as float32 mono samples at `rate`."""
    import numpy as np

    parts = []
    for freq, seconds in cue_notes(name):
        n = round(seconds * rate)
        t = np.arange(n) / rate
        note = np.sin(2 * np.pi * freq * t) * _envelope(n, rate)
        parts.append(note)
    return (CUE_LEVEL * np.concatenate(parts)).astype(np.float32)


def _envelope(n: int, rate: int) -> np.ndarray:
    import numpy as np

    env = np.ones(n)
    k = min(n // 2, round(_EDGE * rate))
    if k:
        ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, k))
        env[:k] = ramp
        env[-k:] = ramp[::-1]
    return env
