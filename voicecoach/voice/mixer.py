"""The part of real-time playback that runs inside the audio callback.

The callback must never wait: it only copies from arrays prepared beforehand. The main
thread appends items; only the callback removes them. An interrupt bumps a generation
number instead of touching the queue, so the callback drops stale items on its next block
(at most one block late) and there is no lock for either side to wait on.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


@dataclass(slots=True)
class _Item:
    samples: np.ndarray
    start: int  # frame at which it should begin (moved later if it arrived late)
    generation: int
    started: bool = False


class Mixer:
    """Plays float32 mono arrays at given frame positions on the output stream's frame count.

    `frames` is how many frames the callback has produced so far: anything scheduled at or
    after `frames + lead` is sure to be heard from its first sample."""

    def __init__(self, lead: int) -> None:
        self.lead = lead
        self.frames = 0  # written only by fill()
        self.late = 0  # items that arrived after their start frame had passed (diagnostics)
        self._items: deque[_Item] = deque()
        self._generation = 0
        self._end = 0  # main thread: frame where the last scheduled item ends

    def schedule(self, samples: np.ndarray, frame: int) -> int:
        """Queue `samples` to start at `frame`, or as soon after it as possible: never before
        what is already queued has ended. Returns the frame it will start at."""
        start = max(frame, self._end, self.frames + self.lead)
        self._items.append(_Item(samples, start, self._generation))
        self._end = start + len(samples)
        return start

    def interrupt(self) -> int:
        """Drop what plays and what is queued; returns the first frame that will be silent
        (frames before it are already in the device's buffer)."""
        self._generation += 1
        self._end = self.frames
        return self.frames

    @property
    def queued_until(self) -> int:
        """The frame where everything scheduled has finished."""
        return max(self._end, self.frames)

    def fill(self, out: np.ndarray) -> None:
        """Audio callback body: write the next len(out) frames of output into `out` (1-D)."""
        f0 = self.frames
        n = len(out)
        self.frames = f0 + n
        out.fill(0.0)
        generation = self._generation
        cursor = f0
        items = self._items
        while items and cursor < f0 + n:
            item = items[0]
            if item.generation != generation:
                items.popleft()
                continue
            if not item.started:
                if item.start < cursor:  # appended too late for its slot: play it whole
                    item.start = cursor
                    self.late += 1
                if item.start >= f0 + n:
                    break
                item.started = True
            begin = max(cursor, item.start)
            src = begin - item.start
            k = min(f0 + n - begin, len(item.samples) - src)
            out[begin - f0 : begin - f0 + k] = item.samples[src : src + k]
            cursor = begin + k
            if src + k >= len(item.samples):
                items.popleft()
