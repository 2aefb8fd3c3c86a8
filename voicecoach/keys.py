"""The keyboard: a fallback that always works in a terminal, next to the voice.

Single key presses, no Enter needed (the terminal is put in cbreak mode, and restored on
exit, whatever happens). Ctrl-C still interrupts. Not used when stdin is not a terminal.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import threading
from collections.abc import Callable
from typing import Any, TextIO

from voicecoach.intents import Intent

KEYS: dict[str, Intent] = {
    "n": Intent.NEXT,
    "b": Intent.BACK,
    "r": Intent.REPEAT,
    "q": Intent.STOP,
    "y": Intent.YES,
    "h": Intent.HELP,
    "?": Intent.HELP,
    "t": Intent.TIME,
    "+": Intent.FASTER,
    "-": Intent.SLOWER,
    "p": Intent.PAIN,
    "\n": Intent.READY,
    "\r": Intent.READY,
    "g": Intent.READY,
}

HELP_LINE = (
    "keys: Enter ready · n next · b back · r repeat · space pause/resume · q stop · "
    "y/n yes/no · h help · t time · +/- faster/slower · p pain"
)


def intent_for_key(char: str, paused: bool, confirming: bool) -> Intent | None:
    """The intent of one key press. Space toggles pause; `n` means no while the coach asks
    "end the workout?", next otherwise."""
    if char == " ":
        return Intent.RESUME if paused else Intent.PAUSE
    char = char.lower()
    if char == "n" and confirming:
        return Intent.NO
    return KEYS.get(char)


class KeyReader:
    """Reads single key presses on a thread and hands each to `put`.

    Use as a context manager; does nothing when `stream` is not a terminal."""

    def __init__(self, put: Callable[[str], None], stream: TextIO | None = None) -> None:
        self._put = put
        self._stream = stream or sys.stdin
        self._saved: list[Any] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def active(self) -> bool:
        return self._thread is not None

    def __enter__(self) -> KeyReader:
        try:
            if not self._stream.isatty():
                return self
            import termios
            import tty

            fd = self._stream.fileno()
            self._saved = termios.tcgetattr(fd)
        except (OSError, ValueError, ImportError):
            return self
        # A signal (Ctrl-C) can come between any two lines from here on, and `with` calls
        # __exit__ only once __enter__ has returned: give the terminal back on the way out.
        # (Thread.start waits for the thread to run: long on a busy machine.)
        try:
            tty.setcbreak(fd)
            self._thread = threading.Thread(target=self._read, args=(fd,), daemon=True)
            self._thread.start()
            return self
        except BaseException:
            self.__exit__()
            raise

    def __exit__(self, *exc: object) -> None:
        try:
            self._stop.set()
            if self._thread is not None:
                with contextlib.suppress(RuntimeError):  # it had not started: it never reads
                    self._thread.join(timeout=1.0)
            self._restore()
        except BaseException:  # a signal came meanwhile (the next ones are ignored)
            self._restore()
            raise

    def _restore(self) -> None:
        if self._saved is not None:
            import termios

            # termios.error: the terminal hung up (SIGHUP), there is nothing to restore
            with contextlib.suppress(OSError, ValueError, termios.error):
                termios.tcsetattr(self._stream.fileno(), termios.TCSADRAIN, self._saved)
            self._saved = None

    def _read(self, fd: int) -> None:
        while not self._stop.is_set():
            try:
                if not select.select([fd], [], [], 0.2)[0]:
                    continue
                data = os.read(fd, 1)
            except OSError:  # the terminal hung up, or is already closed
                return
            if not data:
                return  # end of input
            self._put(data.decode("utf-8", errors="ignore"))
