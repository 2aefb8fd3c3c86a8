"""Small sample-array helpers shared by the voices and the timeline."""

from __future__ import annotations

from math import gcd
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

SILENCE = 0.01  # |sample| below this (float scale) counts as silence when trimming
_FADE = 0.005  # seconds faded at a trimmed clip's ends, so a cut never clicks


def resample(samples: np.ndarray, src: int, dst: int) -> np.ndarray:
    """float32 `samples` at `src` Hz -> float32 at `dst` Hz (polyphase: exact ratio, no drift)."""
    import numpy as np

    if src == dst or len(samples) == 0:
        return samples.astype(np.float32, copy=False)
    from voicecoach.dsp import resample_poly  # numpy only: scipy.signal takes ~1 s to import

    g = gcd(src, dst)
    out: np.ndarray = resample_poly(samples, dst // g, src // g).astype(np.float32)
    return out


def trim(samples: np.ndarray, rate: int, lead: float = 0.01, tail: float = 0.04) -> np.ndarray:
    """Drop the silence a synthesizer puts around speech, keeping `lead`/`tail` seconds.

    espeak-ng ends every utterance with up to half a second of silence; left in, it would
    count as speech time and every count and cue would come late."""
    import numpy as np

    loud = np.flatnonzero(np.abs(samples) > SILENCE)
    if len(loud) == 0:
        return samples[:0]
    first = max(0, loud[0] - round(lead * rate))
    out = samples[first : loud[-1] + 1 + round(tail * rate)].astype(np.float32, copy=True)
    k = min(len(out) // 2, round(_FADE * rate))
    if k:
        ramp = np.linspace(0.0, 1.0, k, dtype=np.float32)
        out[:k] *= ramp
        out[-k:] *= ramp[::-1]
    return out


def pcm16_to_float(data: bytes) -> np.ndarray:
    import numpy as np

    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


def float_to_pcm16(samples: np.ndarray) -> bytes:
    import numpy as np

    data: bytes = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()
    return data
