"""Real-time playback through one sounddevice OutputStream that runs for the whole session.

The stream is opened and started up front (so the first words do not wait for the device
to start) and plays silence when there is nothing to say. Speech is rendered and prepared
(resampled, volume applied) in the calling thread; the audio callback only copies prepared
arrays (`Mixer`), so an interrupt silences the output within one block plus the device's
own buffer.

Session time <-> stream frames: when the queue is idle, the next sound is anchored at the
frame the callback writes next, which is heard `stream.latency` seconds from now; every
sound is recorded in the Timeline at the session time it will be heard.

`play_clip` plays one clip on its own stream to the end (`voicecoach check`).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

from voicecoach.errors import AudioError
from voicecoach.ports import Played
from voicecoach.signals import SIGNALS
from voicecoach.voice.mixer import Mixer
from voicecoach.voice.render import Prepared

if TYPE_CHECKING:
    import numpy as np

    from voicecoach.ports import Clock
    from voicecoach.voice.render import Renderer
    from voicecoach.voice.timeline import Timeline

BLOCK = 0.02  # seconds per callback: an interrupt is heard within one block (+ device buffer)
LATENCY = 0.04  # seconds of device buffer asked for; lower underruns through ALSA's pulse plugin
STALL = 0.5  # seconds without the callback running, while we watch on time = device gone
WATCH = 0.1  # seconds between two looks of the watchdog (a lost device is noticed < 1 s)
WRITE = 0.1  # seconds per write in play_to_end (a signal waits at most this long)
_PREFERRED_RATE = 22050  # espeak-ng's own rate: no resampling on the way out


class OutputStream(Protocol):
    """The part of `sounddevice.OutputStream` used here (fakes implement it in tests)."""

    latency: float
    active: bool

    def start(self) -> None: ...
    def abort(self) -> None: ...
    def close(self) -> None: ...


class CallbackFlags(Protocol):
    """The part of `sounddevice.CallbackFlags` used here."""

    output_underflow: bool


# (rate, blocksize, callback, finished_callback) -> a started-or-not stream
StreamFactory = Callable[[int, int, Callable[..., None], Callable[[], None]], OutputStream]


def sounddevice_stream(device: int | None = None) -> StreamFactory:
    """A factory for real output streams on `device` (index; None = default)."""

    def open_stream(
        rate: int, blocksize: int, callback: Callable[..., None], finished: Callable[[], None]
    ) -> OutputStream:
        from voicecoach.voice.devices import sounddevice

        sd = sounddevice()
        try:
            stream: OutputStream = sd.OutputStream(
                samplerate=rate,
                blocksize=blocksize,
                device=device,
                channels=1,
                dtype="float32",
                latency=LATENCY,
                callback=callback,
                finished_callback=finished,
            )
            return stream
        except (sd.PortAudioError, ValueError) as exc:
            raise AudioError(
                f"cannot open the audio output ({exc})",
                "check 'voicecoach devices', pick one with --device, or use --text",
            ) from exc

    return open_stream


def output_rate(device: int | None) -> int:
    """22050 Hz when the device takes it (espeak's rate), else the device's own rate."""
    from voicecoach.voice.devices import sounddevice

    sd = sounddevice()
    try:
        sd.check_output_settings(
            device=device, samplerate=_PREFERRED_RATE, channels=1, dtype="float32"
        )
        return _PREFERRED_RATE
    except (sd.PortAudioError, ValueError):
        try:
            return int(sd.query_devices(device, "output")["default_samplerate"])
        except (sd.PortAudioError, ValueError) as exc:
            raise AudioError(f"no usable audio output ({exc})", "use --text") from exc


class BlockingOutput(Protocol):
    """The part of a callback-less `sounddevice.OutputStream` that `play_to_end` uses."""

    def start(self) -> None: ...
    def write(self, data: np.ndarray) -> object: ...
    def stop(self) -> None: ...
    def close(self) -> None: ...


def play_to_end(stream: BlockingOutput, samples: np.ndarray, block: int) -> None:
    """Play `samples` once on `stream` and return when the device has played the last one.

    Written `block` frames at a time (a signal is handled between two writes); `stop()`
    waits until every written frame has been played, then the stream is closed. An
    exception (in `start()` too) closes it at once, dropping what is left.
    (`sounddevice.play(blocking=True)` does not do this: once its callback runs out of data
    it aborts the stream and drops what the device still holds, through ALSA's pulse plugin
    up to the whole clip.)"""
    try:
        stream.start()
        for start in range(0, len(samples), block):
            stream.write(samples[start : start + block])
        stream.stop()
    finally:
        stream.close()


def play_clip(samples: np.ndarray, rate: int, device: int | None) -> None:
    """Play float32 mono `samples` at `rate` on `device`, to the end (`play_to_end`)."""
    from voicecoach.voice.devices import sounddevice

    sd = sounddevice()
    try:
        stream: BlockingOutput = sd.OutputStream(
            samplerate=rate, device=device, channels=1, dtype="float32"
        )
        play_to_end(stream, samples.astype("float32", copy=False), max(1, round(WRITE * rate)))
    except (sd.PortAudioError, ValueError) as exc:
        raise AudioError(f"cannot play on output device {device} ({exc})", "use --device") from None


class RealtimeVoice:
    """The coach's voice on a sound device. Implements `voicecoach.ports.Voice`."""

    def __init__(
        self,
        renderer: Renderer,
        timeline: Timeline,
        stream_factory: StreamFactory,
        rate: int = _PREFERRED_RATE,
        volume: float = 1.0,
        clock: Clock | None = None,
        wall: Callable[[], float] = time.monotonic,
    ) -> None:
        self._renderer = renderer
        self._prepared = Prepared(renderer, rate, volume)
        self._timeline = timeline
        self._clock = clock
        self.rate = rate
        blocksize = max(1, round(BLOCK * rate))
        self._mixer = Mixer(lead=2 * blocksize)
        self._scheduled: list[tuple[int, int, str]] = []  # (start, end frame, text) of speech
        self._anchor: tuple[float, int] | None = None  # (session time, frame) heard together
        self._failed: str | None = None
        self._closing = False
        self._hushed = False  # a signal came: the session is ending, play nothing more
        self._wall = wall  # real time, to notice a device that stopped consuming audio
        self._progress = (wall(), 0)  # (when, frames) of the last progress seen
        self._last_look = wall()
        self._watchdog: threading.Thread | None = None
        self.underruns = 0
        self._stream = stream_factory(rate, blocksize, self._callback, self._finished)
        self._latency = float(self._stream.latency or 0.0)
        try:
            self._stream.start()
        except Exception as exc:  # PortAudioError and friends, whatever the backend raises
            self._stream.close()
            raise AudioError(f"cannot start the audio output ({exc})", "use --text") from exc
        # Ctrl-C, SIGTERM, SIGHUP: silent within one block, whatever the main thread is
        # doing (rendering, loading a model); the session then ends as usual
        self._signals = contextlib.ExitStack()
        self._signals.enter_context(SIGNALS.listen(self._silence))

    # ---------------------------------------------------------------- Voice protocol

    def say(self, text: str, at: float) -> Played:
        self._check()
        return self._play(self._prepared.speech(text), at, text, "speech")

    def cue(self, name: str, at: float) -> Played:
        self._check()
        return self._play(self._prepared.cue(name), at, name, "cue")

    def interrupt(self, at: float) -> None:
        cut = self._mixer.interrupt()
        self._scheduled.clear()
        self._timeline.truncate(self._time_of(cut) if self._anchor else at)

    def close(self, drain: float = 10.0) -> None:
        """Let what is queued finish (at most `drain` seconds), then release the device."""
        if self._closing:
            return
        self._signals.close()
        deadline = time.monotonic() + drain
        done = self._mixer.queued_until + round(self._latency * self.rate)
        while (
            self._failed is None
            and self._stream.active
            and self._mixer.frames < done
            and time.monotonic() < deadline
        ):
            time.sleep(0.01)
        self._closing = True
        # a lost device or a signal: the session must not wait for the phrase being rendered
        self._renderer.close(wait=self._failed is None and not self._hushed)
        with contextlib.suppress(Exception):  # a lost device may fail to close; it is gone anyway
            # abort, not stop: what is queued has been heard (above); stop() would wait for
            # the device to play out its buffer, up to seconds on an idle PulseAudio sink
            self._stream.abort()
            self._stream.close()

    # ---------------------------------------------------------------- extras

    def prerender(self, texts: Iterable[str]) -> None:
        """Render a routine's fixed phrases ahead (the first now, the rest in background)."""
        self._renderer.prerender(texts)

    def unplayed(self) -> list[str]:
        """The utterances not yet fully heard (re-said in text when the device is lost)."""
        heard = self._mixer.frames
        return [text for _, end, text in self._scheduled if end > heard]

    @property
    def failed(self) -> str | None:
        return self._failed

    def health(self) -> str | None:
        """Why the device is gone (the stream ended, or stopped asking for audio for STALL
        seconds while we looked on time), or None while it plays. A look that comes late
        (this process was starved of CPU, so the callback may have been too) restarts the
        count instead of calling the device lost."""
        now, frames = self._wall(), self._mixer.frames
        late = now - self._last_look > STALL / 2
        self._last_look = now
        if frames != self._progress[1] or late or frames == 0:
            self._progress = (now, frames)  # (frames == 0: a sleepy sound server wakes up)
        elif now - self._progress[0] > STALL and self._failed is None:
            self._failed = "the audio output stopped playing"
        return self._failed

    def watch(self, on_failure: Callable[[str], None], every: float = WATCH) -> None:
        """Look at `health()` every `every` s on a thread; call `on_failure(why)` once when
        the device is gone (the session goes on without it), then stop looking."""

        def run() -> None:
            while not self._closing:
                why = self.health()
                if why is not None:
                    if not self._closing:
                        on_failure(why)
                    return
                time.sleep(every)

        self._watchdog = threading.Thread(target=run, name="voicecoach-output-watch", daemon=True)
        self._watchdog.start()

    # ---------------------------------------------------------------- internals

    def _silence(self, signum: int) -> None:
        """From the signal watcher thread: the callback plays silence from its next block,
        and nothing queued after it will play (the session is ending)."""
        self._hushed = True
        self._mixer.interrupt()

    def _callback(
        self, outdata: np.ndarray, frames: int, time_info: object, status: CallbackFlags | None
    ) -> None:
        """PortAudio's thread: copy prepared samples, nothing else (and nothing at all
        once a signal has arrived, even if the watcher thread has not run yet)."""
        if status is not None and status.output_underflow:
            self.underruns += 1
        if not self._hushed and SIGNALS.arrived():
            self._silence(0)
        try:
            self._mixer.fill(outdata[:, 0])
        except Exception as exc:  # never let a bug kill the audio thread silently
            outdata.fill(0.0)
            self._failed = f"playback failed ({exc!r})"

    def _finished(self) -> None:
        if not self._closing:
            self._failed = "the audio output stopped"

    def _check(self) -> None:
        """Raise AudioError when the device is gone: the stream ended or stopped moving."""
        if self._failed:
            raise AudioError(self._failed, "check the speaker/headphones ('voicecoach devices')")

    def _play(self, samples: np.ndarray, at: float, text: str, kind: str) -> Played:
        if self._hushed:  # the session is ending: nothing more is heard
            return Played(at, len(samples) / self.rate)
        if self._anchor is None or self._mixer.queued_until <= self._mixer.frames:
            # idle: re-anchor (absorbs drift between the sound card's and the session's clocks)
            now = self._clock.now() if self._clock is not None else at
            self._anchor = (now + self._latency, self._mixer.frames)
        t0, f0 = self._anchor
        start = self._mixer.schedule(samples, f0 + round((at - t0) * self.rate))
        self._timeline.add(self._time_of(start), samples, self.rate, text, kind)
        if kind == "speech":
            heard = self._mixer.frames
            self._scheduled = [s for s in self._scheduled if s[1] > heard]
            self._scheduled.append((start, start + len(samples), text))
        return Played(self._time_of(start), len(samples) / self.rate)

    def _time_of(self, frame: int) -> float:
        t0, f0 = self._anchor or (0.0, 0)
        return t0 + (frame - f0) / self.rate
