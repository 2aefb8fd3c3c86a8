"""A microphone level meter: the ears' audio passes through, its loudness is kept for the
panel. Written by the ears thread, read by the panel's refresh thread: one float and one
time, each replaced whole (no lock needed for a meter)."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from voicecoach.ports import AudioSource, Clock

FLOOR_DB = -60.0  # dBFS shown as an empty meter
CEILING_DB = -12.0  # dBFS shown as a full one (a voice close to the microphone)
STALE_SECONDS = 0.5  # no audio for this long: the meter falls to zero


def level(samples: np.ndarray) -> float:
    """The loudness of int16 `samples` on the meter's 0..1 scale."""
    if samples.size == 0:
        return 0.0
    rms = float(np.sqrt(np.mean(np.square(samples.astype(np.float64) / 32768.0))))
    if rms <= 0.0:
        return 0.0
    db = 20.0 * math.log10(rms)
    return min(1.0, max(0.0, (db - FLOOR_DB) / (CEILING_DB - FLOOR_DB)))


class LevelMeter:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._reading: tuple[float, float] = (-math.inf, 0.0)  # (when, level)

    def feed(self, samples: np.ndarray) -> None:
        self._reading = (self._clock.now(), level(samples))

    @property
    def level(self) -> float:
        when, value = self._reading
        return value if self._clock.now() - when <= STALE_SECONDS else 0.0


class MeteredSource:
    """An AudioSource that shows its audio on `meter` on the way to the recognizer."""

    def __init__(self, source: AudioSource, meter: LevelMeter) -> None:
        self.inner = source
        self.meter = meter

    def chunks(self) -> Iterator[tuple[float, np.ndarray]]:
        for t0, chunk in self.inner.chunks():
            self.meter.feed(chunk)
            yield t0, chunk

    def close(self) -> None:
        self.inner.close()
