"""What the coach actually played, on the session clock.

Every voice that makes sound records each scheduled sound here, and cuts it short when it
is interrupted. The echo guard asks "what was the speaker playing during this microphone
chunk?" (`audio`) and "which words?" (`texts`); `--speak-file` and `--echo` replay mixing
render the same record. Implements `voicecoach.ports.EchoReference`.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from voicecoach.ports import MIC_RATE

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True, slots=True)
class Sound:
    """One scheduled sound: `samples` (float32 mono at `rate`) heard from `start`, cut at
    `end` (earlier than start + length when it was interrupted)."""

    start: float
    end: float
    samples: np.ndarray
    rate: int
    text: str
    kind: str = "speech"  # "speech" | "cue"

    @property
    def duration(self) -> float:
        return self.end - self.start


class Timeline:
    """Thread-safe record of sounds; the voice writes, the ears read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sounds: list[Sound] = []
        self._starts: list[float] = []  # parallel to _sounds, for bisect
        self._longest = 0.0  # the longest sound, bounds the backwards search in `_overlapping`
        self._resampled: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

    def add(
        self, start: float, samples: np.ndarray, rate: int, text: str, kind: str = "speech"
    ) -> Sound:
        """Record that `samples` play from session time `start`."""
        sound = Sound(start, start + len(samples) / rate, samples, rate, text, kind)
        with self._lock:
            i = bisect.bisect_right(self._starts, start)
            self._sounds.insert(i, sound)
            self._starts.insert(i, start)
            self._longest = max(self._longest, sound.duration)
        return sound

    def truncate(self, at: float) -> None:
        """An interrupt at `at`: what was playing stops there, what was queued never plays."""
        with self._lock:
            keep = bisect.bisect_left(self._starts, at)
            del self._sounds[keep:], self._starts[keep:]
            for i in range(keep - 1, -1, -1):
                sound = self._sounds[i]
                if sound.start < at - self._longest:
                    break
                if sound.end > at:
                    self._sounds[i] = replace(sound, end=at)

    def sounds(self) -> list[Sound]:
        with self._lock:
            return list(self._sounds)

    def end(self) -> float:
        """When the last recorded sound ends (0.0 when nothing was played)."""
        with self._lock:
            return max((s.end for s in self._sounds), default=0.0)

    def texts(self, t0: float, t1: float) -> list[tuple[float, float, str]]:
        """The utterances (not the cues) overlapping [t0, t1)."""
        return [(s.start, s.end, s.text) for s in self._overlapping(t0, t1) if s.kind == "speech"]

    def audio(self, t0: float, n: int, rate: int = MIC_RATE) -> np.ndarray:
        """The coach's output for the `n` samples at `rate` from `t0`; zeros where quiet.
        Overlapping sounds (which the voices never schedule) would be summed."""
        import numpy as np

        out = np.zeros(n, dtype=np.float32)
        for sound in self._overlapping(t0, t0 + n / rate):
            samples = self._at_rate(sound, rate)
            first = round((sound.start - t0) * rate)  # index of the sound's first sample in out
            stop = min(n, round((sound.end - t0) * rate), first + len(samples))
            lo = max(0, first)
            if stop > lo:
                out[lo:stop] += samples[lo - first : stop - first]
        return out

    def _overlapping(self, t0: float, t1: float) -> list[Sound]:
        with self._lock:
            i = bisect.bisect_left(self._starts, t1)
            found = []
            while i > 0:
                i -= 1
                sound = self._sounds[i]
                if sound.start < t0 - self._longest:
                    break
                if sound.end > t0 and sound.start < t1:
                    found.append(sound)
            return found[::-1]

    def _at_rate(self, sound: Sound, rate: int) -> np.ndarray:
        """`sound.samples` at `rate`, resampled once per distinct array (counts repeat)."""
        if sound.rate == rate:
            return sound.samples
        key = (id(sound.samples), rate)
        hit = self._resampled.get(key)
        if hit is None or hit[0] is not sound.samples:
            from voicecoach.voice.samples import resample

            hit = (sound.samples, resample(sound.samples, sound.rate, rate))
            self._resampled[key] = hit  # holds the source, so its id cannot be reused
        return hit[1]
