"""Where the ears' audio comes from: the microphone or a WAV file (`ports.AudioSource`).

Both yield `(t0, int16 samples at MIC_RATE)` in fixed-size chunks, where `t0` is the audio
time of the chunk's first sample counted in samples (drift-free) from `start`.

The microphone callback runs on PortAudio's real-time thread, so it ONLY copies the bytes
into a queue (the pattern of python-sounddevice's examples/rec_unlimited.py); counting an
overflow is the one other thing it does.  Logging, resampling and everything else happen
in the consumer, `MicSource.chunks()`.  Overflows are counted (`overflows`), logged and
never fatal: a lost block of audio must not end a workout.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import time
from collections.abc import Callable, Iterator
from math import gcd
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from voicecoach.errors import AudioError
from voicecoach.ports import MIC_RATE

log = logging.getLogger(__name__)

CHUNK = 1600  # samples per chunk at MIC_RATE: 100 ms, a good step for every recognizer
NO_MIC_HINT = (
    "connect a microphone or pick one with --input-device (see 'voicecoach devices'); "
    "if none is listed, start PulseAudio/PipeWire ('pulseaudio --start') or check PULSE_SERVER"
)


# -- resampling ----------------------------------------------------------------------------


def to_int16(data: np.ndarray) -> np.ndarray:
    """Any PCM sample array (ints of any width, unsigned 8-bit, float -1..1) as int16;
    several channels (last axis) are averaged to mono."""
    x = np.asarray(data)
    if x.ndim == 2:
        x = x.astype(np.float64).mean(axis=1) if x.dtype.kind == "f" else _mono_int(x)
    if x.dtype == np.int16:
        return x
    if x.dtype.kind == "f":
        pcm: np.ndarray = np.round(np.clip(x, -1.0, 1.0) * 32767).astype(np.int16)
        return pcm
    if x.dtype == np.uint8:
        return ((x.astype(np.int16) - 128) << 8).astype(np.int16)
    if x.dtype.kind == "i":
        return (x.astype(np.int64) >> (8 * x.dtype.itemsize - 16)).astype(np.int16)
    raise AudioError(f"unsupported sample format {x.dtype}", "use 16-bit PCM WAV files")


def _mono_int(x: np.ndarray) -> np.ndarray:
    """Average integer channels without overflow, keeping the integer type."""
    mono: np.ndarray = np.round(x.astype(np.float64).mean(axis=1)).astype(x.dtype)
    return mono


def resample(samples: np.ndarray, rate: int) -> np.ndarray:
    """Whole int16 signal from `rate` to MIC_RATE (polyphase, exact ratio)."""
    if rate == MIC_RATE:
        return samples
    from voicecoach.voice.samples import resample as resample_float

    out = resample_float(samples.astype(np.float32), rate, MIC_RATE)
    return np.clip(np.round(out), -32768, 32767).astype(np.int16)


class StreamResampler:
    """Polyphase resampler that keeps its state between chunks, so a stream cut into any
    chunk sizes resamples exactly like the whole signal would (no clicks at the seams).
    Used when a microphone cannot deliver 16 kHz itself."""

    def __init__(self, rate_in: int, rate_out: int = MIC_RATE, taps_per_phase: int = 24) -> None:
        g = gcd(rate_in, rate_out)
        self.up, self.down = rate_out // g, rate_in // g
        from voicecoach.dsp import firwin

        n = taps_per_phase * self.up
        cutoff = 0.9 / max(self.up, self.down)  # of the upsampled Nyquist
        h = firwin(n, cutoff) * self.up
        # phases[p][i] = h[p + i*up]: the taps that meet input sample (m0 - i) at phase p
        self.phases = h.reshape(taps_per_phase, self.up).T.astype(np.float64)
        self.taps = taps_per_phase
        self.history = np.zeros(taps_per_phase - 1)
        self.n_in = 0  # input samples seen
        self.n_out = 0  # output samples produced

    def process(self, samples: np.ndarray) -> np.ndarray:
        """int16 in, int16 out: every output whose input is complete."""
        buf = np.concatenate([self.history, samples.astype(np.float64)])
        self.n_in += len(samples)
        # output k sits at upsampled index k*down, i.e. input index m0 = k*down // up
        last = (self.n_in * self.up - 1) // self.down  # last output fully covered
        ks = np.arange(self.n_out, last + 1)
        if len(ks) == 0:
            self.history = buf[-(self.taps - 1) :]
            return np.zeros(0, np.int16)
        pos = ks * self.down
        m0 = pos // self.up  # absolute input index
        phase = pos % self.up
        base = self.n_in - len(buf)  # absolute index of buf[0]
        idx = (m0 - base)[:, None] - np.arange(self.taps)[None, :]
        y = np.einsum("ki,ki->k", self.phases[phase], buf[idx])
        self.n_out = int(ks[-1]) + 1
        self.history = buf[-(self.taps - 1) :]
        pcm: np.ndarray = np.clip(np.round(y), -32768, 32767).astype(np.int16)
        return pcm


# -- WAV file ------------------------------------------------------------------------------


class WavSource:
    """A WAV file as the ears' input (`--listen-file`, eval, replayed sessions).

    Read through `voicecoach.ears.wav.WavReader`: the header is checked when the source is
    made, and the audio is streamed (16 kHz mono int16) while `chunks()` is consumed, so
    a long file is never held in memory. With `realtime=True` chunks are released at the
    pace they were recorded (for a live session fed from a file); otherwise as fast as
    they are consumed."""

    def __init__(
        self,
        path: str | Path,
        chunk: int = CHUNK,
        start: float = 0.0,
        realtime: bool = False,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from voicecoach.ears.wav import WavReader

        self.path = Path(path)
        self.chunk = chunk
        self.start = start
        self.realtime = realtime
        self._clock = clock
        self._sleep = sleep
        self._closed = False
        self._reader = WavReader(self.path)

    @property
    def duration(self) -> float:
        return self._reader.duration

    def chunks(self) -> Iterator[tuple[float, np.ndarray]]:
        began = self._clock()
        pending = np.zeros(0, np.int16)
        produced = 0
        for block in self._reader.blocks():
            pending = np.concatenate([pending, block]) if len(pending) else block
            while len(pending) >= self.chunk:
                if not self._release(began, produced):
                    return
                yield self.start + produced / MIC_RATE, pending[: self.chunk]
                produced += self.chunk
                pending = pending[self.chunk :]
        if len(pending) and self._release(began, produced):
            yield self.start + produced / MIC_RATE, pending

    def _release(self, began: float, produced: int) -> bool:
        """Wait, in real time, until the next chunk would have been recorded; False once
        the source is closed."""
        if self._closed:
            return False
        if self.realtime:
            wait = began + (produced + self.chunk) / MIC_RATE - self._clock()
            if wait > 0:
                self._sleep(wait)
        return not self._closed

    def close(self) -> None:
        self._closed = True


# -- microphone ----------------------------------------------------------------------------


def import_sounddevice() -> ModuleType:
    """sounddevice, or an AudioError when the PortAudio library is missing (one place for
    speech out and in: `voicecoach.voice.devices.sounddevice`)."""
    from voicecoach.voice.devices import sounddevice

    sd: ModuleType = sounddevice()
    return sd


def find_input_device(sd: Any, spec: str | int | None = None) -> dict[str, Any]:
    """The microphone to use (`voicecoach.voice.devices.find_device`, the one lookup for
    speech out and in), as sounddevice describes it, with its `index`."""
    from voicecoach.voice.devices import find_input

    device = find_input(spec, sd)
    return dict(sd.query_devices()[device.index], index=device.index)


class MicSource:
    """The microphone, 16 kHz mono int16 in CHUNK-sample blocks.

    If the device refuses 16 kHz it is opened at its own rate and resampled here (never
    in the callback).  `overflows` counts blocks PortAudio reported as overflowed plus
    blocks dropped because the consumer fell behind by more than `max_queue_s`."""

    def __init__(
        self,
        device: str | int | None = None,
        chunk: int = CHUNK,
        start: float = 0.0,
        stall_timeout: float = 1.0,
        max_queue_s: float = 10.0,
        latency: str | float = "low",
        sd: Any = None,
    ) -> None:
        self._sd = sd if sd is not None else import_sounddevice()
        self.device = find_input_device(self._sd, device)
        self.chunk = chunk
        self.start = start
        self.stall_timeout = stall_timeout
        self.latency = latency  # "low": a command's audio reaches the recognizer sooner
        self.rate = self._pick_rate()
        self.blocksize = chunk if self.rate == MIC_RATE else max(1, chunk * self.rate // MIC_RATE)
        self._queue: queue.Queue[bytes | None] = queue.Queue(
            maxsize=max(1, int(max_queue_s * self.rate / self.blocksize))
        )
        self.overflows = 0  # written by the callback thread (int increments are atomic)
        self.dropped = 0
        self._logged = 0
        self._stream: Any = None
        self._closed = False
        self._lost = False  # the stream ended by itself: the device or sound server is gone
        self._on_lost: Callable[[str], None] | None = None

    def _pick_rate(self) -> int:
        """16 kHz if the device takes it, else its default rate (resampled later)."""
        try:
            self._sd.check_input_settings(
                device=self.device["index"], channels=1, dtype="int16", samplerate=MIC_RATE
            )
            return MIC_RATE
        except Exception:
            return int(self.device.get("default_samplerate") or 48_000)

    def _callback(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        """PortAudio thread: copy the bytes, count problems, nothing else."""
        if status:
            self.overflows += 1
        try:
            self._queue.put_nowait(bytes(indata))
        except queue.Full:
            self.dropped += 1

    def watch(self, on_lost: Callable[[str], None]) -> None:
        """Call `on_lost(why)` as soon as the microphone is gone (from PortAudio's thread),
        not when the consumer of `chunks()` next gets there."""
        self._on_lost = on_lost

    def _finished(self) -> None:
        """PortAudio thread: the stream ended. Unless we closed it, the device is gone."""
        if not self._closed:
            self._lost = True
            with contextlib.suppress(queue.Full):
                self._queue.put_nowait(None)
            if self._on_lost is not None:
                self._on_lost(self._gone())

    def _gone(self) -> str:
        return f"the microphone {self.device['name']!r} is gone"

    def open(self) -> None:
        """Start recording (chunks() calls this itself)."""
        if self._stream is not None:
            return
        try:
            self._stream = self._sd.RawInputStream(
                samplerate=self.rate,
                blocksize=self.blocksize,
                device=self.device["index"],
                channels=1,
                dtype="int16",
                latency=self.latency,
                callback=self._callback,
                finished_callback=self._finished,
            )
            self._stream.start()
        except Exception as exc:
            self._stream = None
            raise AudioError(
                f"cannot open the microphone {self.device['name']!r} ({exc})", NO_MIC_HINT
            ) from None
        log.info("recording from %s at %d Hz", self.device["name"], self.rate)

    def chunks(self) -> Iterator[tuple[float, np.ndarray]]:
        self.open()
        resampler = StreamResampler(self.rate) if self.rate != MIC_RATE else None
        pending = np.zeros(0, np.int16)
        produced = 0
        while not self._closed:
            data = None if self._lost else self._next_block()  # gone: drop the backlog
            if data is None:
                if self._lost and not self._closed:
                    raise AudioError(
                        self._gone(), "check that it is still connected, then start again"
                    )
                break
            self._report_overflows()
            block = np.frombuffer(data, dtype=np.int16)
            if resampler is not None:
                block = resampler.process(block)
            pending = np.concatenate([pending, block]) if len(pending) else block
            while len(pending) >= self.chunk:
                yield self.start + produced / MIC_RATE, pending[: self.chunk]
                produced += self.chunk
                pending = pending[self.chunk :]

    def _next_block(self) -> bytes | None:
        """The next block, or None at the end; AudioError when the device stopped
        delivering for `stall_timeout` s (a wait that overran because this process was
        starved of CPU, so the callback may have been too, is given another chance)."""
        while True:
            asked = time.monotonic()
            try:
                return self._queue.get(timeout=self.stall_timeout)
            except queue.Empty:
                if time.monotonic() - asked < 1.5 * self.stall_timeout:
                    raise AudioError(
                        f"the microphone {self.device['name']!r} stopped delivering audio",
                        "check that it is still connected, then start again",
                    ) from None

    def _report_overflows(self) -> None:
        lost = self.overflows + self.dropped
        if lost > self._logged:
            log.warning("microphone input overflowed (%d blocks so far); audio was lost", lost)
            self._logged = lost

    def close(self) -> None:
        self._closed = True
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception as exc:  # closing must never raise during shutdown
                log.debug("closing the input stream failed: %s", exc)
        with contextlib.suppress(queue.Full):  # a full queue wakes the consumer anyway
            self._queue.put_nowait(None)
