"""Voices without sound (`--text`, `--fast`, a lost device) and the fallback that switches to
one when the sound device fails, so a session never stops for want of a speaker. They show
nothing themselves: the session's printer or panel shows what the coach says from its
records."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from voicecoach.errors import AudioError
from voicecoach.ports import Played
from voicecoach.speech import DEFAULT_RATE, cue_seconds, speech_seconds

if TYPE_CHECKING:
    from voicecoach.ports import LiveVoice


def estimate_duration(text: str, rate: int = DEFAULT_RATE) -> float:
    """How long `text` takes to say at `rate` words per minute (`voicecoach.speech`)."""
    return speech_seconds(text, rate)


class TextVoice:
    """A voice without sound that takes as long as speech (the words are shown from the
    session's records: `--text` prints them, the panel shows them)."""

    def __init__(self, rate: int | None = None) -> None:
        self._rate = rate or DEFAULT_RATE
        self._end = 0.0  # where what it has "said" so far ends

    def say(self, text: str, at: float) -> Played:
        return self._queue(at, estimate_duration(text, self._rate))

    def cue(self, name: str, at: float) -> Played:
        return self._queue(at, cue_seconds(name))  # rejects unknown names, like the others

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


class FallbackVoice:
    """`primary` until it fails; then one message and `fallback` from there on.

    It fails when a call raises AudioError, or when its watchdog calls `lost(why)` (from
    another thread: the device went away while nothing was being said). Nothing is lost:
    the failing call is repeated on the fallback, and so is what the primary had queued
    but not yet played."""

    def __init__(
        self, primary: LiveVoice, fallback: TextVoice, warn: Callable[[str], None]
    ) -> None:
        self._primary: LiveVoice | None = primary
        self._fallback = fallback
        self._warn = warn
        self._lock = threading.RLock()  # the watchdog's lost() against the session's calls

    @property
    def active(self) -> LiveVoice | TextVoice:
        """The voice in use: the primary until it failed, then the fallback."""
        return self._primary or self._fallback

    @property
    def switched(self) -> bool:
        return self._primary is None

    def say(self, text: str, at: float) -> Played:
        with self._lock:
            if self._primary is not None:
                try:
                    return self._primary.say(text, at)
                except AudioError as exc:
                    self._switch(exc.message, at)
            return self._fallback.say(text, at)

    def cue(self, name: str, at: float) -> Played:
        with self._lock:
            if self._primary is not None:
                try:
                    return self._primary.cue(name, at)
                except AudioError as exc:
                    self._switch(exc.message, at)
            return self._fallback.cue(name, at)

    def interrupt(self, at: float) -> None:
        with self._lock:
            if self._primary is not None:
                try:
                    self._primary.interrupt(at)
                except AudioError as exc:
                    self._switch(exc.message, at, replay=False)
            self._fallback.interrupt(at)

    def prerender(self, texts: Iterable[str]) -> None:
        with self._lock:
            if self._primary is not None:
                try:
                    self._primary.prerender(texts)
                except AudioError as exc:
                    self._switch(exc.message, 0.0, replay=False)

    def lost(self, why: str, at: float | None = None) -> None:
        """The device is gone (the watchdog noticed, on its thread): switch now, said once.
        The lost device is closed after the switch, outside the lock: closing a stream on
        a sound server that died can take a while, and the session must not wait for it."""
        with self._lock:
            if self._primary is None:
                return
            primary = self._switch(why, at, close=False)
        with contextlib.suppress(Exception):
            primary.close()

    def close(self) -> None:
        with self._lock:
            if self._primary is not None:
                with contextlib.suppress(AudioError):
                    self._primary.close()
            self._fallback.close()

    def _switch(
        self, why: str, at: float | None, replay: bool = True, close: bool = True
    ) -> LiveVoice:
        primary, self._primary = self._primary, None
        assert primary is not None
        self._warn(f"voicecoach: {why}; continuing in text mode")
        unplayed = primary.unplayed() if replay else []
        if close:
            with contextlib.suppress(Exception):  # the device is gone: closing may fail too
                primary.close()
        for text in unplayed:
            self._fallback.say(text, 0.0 if at is None else at)
        return primary
