"""Voices without sound: the `--text` printer, a silent one, and the fallback that switches
to text when the sound device fails, so a session never stops for want of a speaker."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from voicecoach.errors import AudioError
from voicecoach.ports import Played
from voicecoach.speech import DEFAULT_RATE, cue_seconds, speech_seconds

if TYPE_CHECKING:
    from voicecoach.ports import LiveVoice, Voice


def estimate_duration(text: str, rate: int = DEFAULT_RATE) -> float:
    """How long `text` takes to say at `rate` words per minute (`voicecoach.speech`)."""
    return speech_seconds(text, rate)


class TextVoice:
    """Prints what the coach says ("coach: ...") and pretends to take as long as speech."""

    def __init__(self, out: Callable[[str], None] | None = print, rate: int | None = None) -> None:
        self._out = out
        self._rate = rate or DEFAULT_RATE
        self._end = 0.0  # where what it has "said" so far ends

    def say(self, text: str, at: float) -> Played:
        if self._out is not None:
            self._out(f"coach: {text}")
        return self._queue(at, estimate_duration(text, self._rate))

    def cue(self, name: str, at: float) -> Played:
        duration = cue_seconds(name)  # also rejects unknown names, like the sound voices
        if self._out is not None:
            self._out(f"coach: [{name}]")
        return self._queue(at, duration)

    def _queue(self, at: float, duration: float) -> Played:
        played = Played(max(at, self._end), duration)
        self._end = played.end
        return played

    def interrupt(self, at: float) -> None:
        self._end = min(self._end, at)

    def prerender(self, texts: Iterable[str]) -> None:
        pass

    def close(self) -> None:
        pass


class NullVoice(TextVoice):
    """Silent and invisible, with speech-like durations (tests, benchmarks)."""

    def __init__(self, rate: int | None = None) -> None:
        super().__init__(out=None, rate=rate)


class FallbackVoice:
    """`primary` until it raises AudioError; then one message and `fallback` from there on.

    Nothing is lost: the failing call is repeated on the fallback, and so is what the
    primary had queued but not yet played."""

    def __init__(self, primary: LiveVoice, fallback: Voice, warn: Callable[[str], None]) -> None:
        self._primary: LiveVoice | None = primary
        self._fallback = fallback
        self._warn = warn

    @property
    def active(self) -> Voice:
        return self._primary or self._fallback

    def say(self, text: str, at: float) -> Played:
        if self._primary is not None:
            try:
                return self._primary.say(text, at)
            except AudioError as exc:
                self._switch(exc, at)
        return self._fallback.say(text, at)

    def cue(self, name: str, at: float) -> Played:
        if self._primary is not None:
            try:
                return self._primary.cue(name, at)
            except AudioError as exc:
                self._switch(exc, at)
        return self._fallback.cue(name, at)

    def interrupt(self, at: float) -> None:
        if self._primary is not None:
            try:
                self._primary.interrupt(at)
            except AudioError as exc:
                self._switch(exc, at, replay=False)
        self._fallback.interrupt(at)

    def prerender(self, texts: Iterable[str]) -> None:
        if self._primary is not None:
            try:
                self._primary.prerender(texts)
            except AudioError as exc:
                self._switch(exc, 0.0, replay=False)

    def close(self) -> None:
        if self._primary is not None:
            with contextlib.suppress(AudioError):
                self._primary.close()
        self._fallback.close()

    def _switch(self, exc: AudioError, at: float, replay: bool = True) -> None:
        primary, self._primary = self._primary, None
        self._warn(f"voicecoach: {exc.message}; continuing in text mode")
        unplayed = primary.unplayed() if replay and primary is not None else []
        with contextlib.suppress(Exception):  # the device is gone: closing may fail too
            if primary is not None:
                primary.close()
        for text in unplayed:
            self._fallback.say(text, at)
