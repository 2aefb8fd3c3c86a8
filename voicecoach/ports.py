"""The small interfaces the adapters implement. Wired together in one place
(`voicecoach.bootstrap`). Audio into the ears is always 16 kHz mono int16."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from voicecoach.intents import Intent

MIC_RATE = 16_000  # Hz, mono, int16: what every recognizer consumes


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on the session clock."""
        ...


@dataclass(frozen=True, slots=True, order=True)
class Played:
    """Where a queued sound will be heard on the session clock, and for how long."""

    start: float
    duration: float

    @property
    def end(self) -> float:
        return self.start + self.duration


class Voice(Protocol):
    """Speech and cue output. Implementations: text printer, sounddevice player,
    WAV timeline writer (`--speak-file`)."""

    def say(self, text: str, at: float) -> Played:
        """Queue `text` to be heard from session time `at` (or right after what is
        already queued). Returns when it will really start and how long it lasts; never
        blocks on playback."""
        ...

    def cue(self, name: str, at: float) -> Played:
        """Queue a short tone, like `say`."""
        ...

    def interrupt(self, at: float) -> None:
        """Silence whatever plays at `at` and drop the queue (within 100 ms in real time)."""
        ...

    def prerender(self, texts: Iterable[str]) -> None:
        """Render `texts` ahead of time, so that saying them later starts at once (a voice
        that renders nothing does nothing)."""
        ...

    def close(self) -> None: ...


class LiveVoice(Voice, Protocol):
    """A voice on a sound device, which can lose it: what it queued and has not played
    yet is then said by the fallback (`voicecoach.voice.text.FallbackVoice`)."""

    def unplayed(self) -> list[str]:
        """The utterances not yet fully heard."""
        ...

    def watch(self, on_failure: Callable[[str], None]) -> None:
        """Call `on_failure(why)` once, from any thread, as soon as the device is gone
        (within a second), even while nothing is being said."""
        ...


@dataclass(frozen=True, slots=True)
class Detection:
    """A recognizer's verdict: `intent` fired at audio time `t` for the words `text`.
    `start`/`end`: when the speech it heard began and ended, where the recognizer knows
    (the echo guard then checks the coach's words against that span only)."""

    t: float
    intent: Intent
    text: str
    score: float = 1.0
    start: float | None = None
    end: float | None = None


class Recognizer(Protocol):
    """Streams 16 kHz mono int16 audio, in any chunk size, and returns the commands it
    is certain of as soon as it is certain."""

    name: str

    def accept(
        self, samples: np.ndarray, t0: float, echo: np.ndarray | None = None
    ) -> list[Detection]:
        """`samples` start at audio time `t0` (seconds). `echo`, when the echo guard
        cancelled the coach's voice in them: per sample, the power of the echo it left.
        A recognizer with its own endpointer uses it (PocketSphinx, Whisper); one that
        cannot ignores it."""
        ...

    def flush(self, t: float) -> list[Detection]:
        """End of input: finish any pending utterance."""
        ...

    def deliver_to(self, deliver: Callable[[list[Detection]], None]) -> None:
        """The session's ears thread offers `deliver`. A recognizer that decides in its
        own process calls `deliver(detections)` from then on (from another thread) as soon
        as it decides, and `accept`/`flush` return only what was not delivered: waiting
        for the next audio chunk would add up to a chunk of latency. One that decides
        inside `accept` ignores it and keeps returning its detections there."""
        ...


class AudioSource(Protocol):
    """Where the ears' audio comes from: a microphone or a WAV file."""

    def chunks(self) -> Iterator[tuple[float, np.ndarray]]:
        """Yields (t0, int16 samples at MIC_RATE). Ends when the source ends."""
        ...

    def close(self) -> None: ...


class EchoReference(Protocol):
    """What the coach itself played, on the session clock. The voice records it; the echo
    guard and `--echo` mixing read it. Implemented by `voicecoach.voice.timeline.Timeline`."""

    def audio(self, t0: float, n: int, rate: int = MIC_RATE) -> np.ndarray:
        """The coach's output (float32, -1..1, mono) for the n samples starting at t0;
        zeros where it was quiet."""
        ...

    def texts(self, t0: float, t1: float) -> list[tuple[float, float, str]]:
        """(start, end, text) of every utterance overlapping [t0, t1)."""
        ...
