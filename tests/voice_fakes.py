"""Fakes for the voice tests: a synthesizer that makes recognisable constant signals and an
output stream whose audio callback the test drives by hand (no device, no sleeps)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from voicecoach.voice.render import Clip, Renderer

RATE = 22050


class FakeBackend:
    """Speaks `text` as a constant level: len(text) * 0.1 s long at level `LEVELS[text]`
    (0.05 for other texts), so a test can tell from the samples which phrase played."""

    def __init__(self, levels: dict[str, float] | None = None) -> None:
        self.levels = levels or {}
        self.calls: list[str] = []

    def synth(self, text: str) -> Clip:
        self.calls.append(text)
        n = round(len(text) * 0.1 * RATE)
        return Clip(np.full(n, self.levels.get(text, 0.05), dtype=np.float32), RATE)


def fake_renderer(levels: dict[str, float] | None = None) -> tuple[Renderer, FakeBackend]:
    backend = FakeBackend(levels)
    return Renderer(lambda: backend), backend


class _Flags:
    output_underflow = False


class FakeStream:
    """Stands in for sounddevice.OutputStream: `pump()` runs the callback for one block."""

    def __init__(
        self, rate: int, blocksize: int, callback: Callable[..., None], finished: Callable
    ) -> None:
        self.rate = rate
        self.blocksize = blocksize
        self.latency = 0.0
        self.active = False
        self.closed = False
        self._callback = callback
        self._finished = finished

    def start(self) -> None:
        self.active = True

    def abort(self) -> None:
        self.active = False

    def close(self) -> None:
        self.closed = True

    def pump(self, blocks: int = 1) -> np.ndarray:
        """Run the callback `blocks` times; the audio it produced."""
        out = []
        for _ in range(blocks):
            block = np.full((self.blocksize, 1), np.nan, dtype=np.float32)
            self._callback(block, self.blocksize, None, _Flags())
            out.append(block[:, 0])
        return np.concatenate(out)

    def lose_device(self) -> None:
        """What PortAudio does when the device disappears: the stream finishes by itself."""
        self.active = False
        self._finished()


class StreamFactory:
    """Opens FakeStreams and remembers the last one."""

    def __init__(self) -> None:
        self.stream: FakeStream | None = None

    def __call__(self, rate, blocksize, callback, finished) -> FakeStream:
        self.stream = FakeStream(rate, blocksize, callback, finished)
        return self.stream
