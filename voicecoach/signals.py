"""SIGINT (Ctrl-C), SIGTERM and SIGHUP end a session the same way, whenever they come.

`install()` (called once by the console script, from the main thread) sets one handler for
the three (a signal the process was started to ignore, as by `nohup`, stays ignored). A
signal then:
- is seen at once by `arrived()`, from any thread: Python's C-level handler writes the
  signal's number into a socket (`signal.set_wakeup_fd`) whose bytes `arrived()` peeks
  at. The audio callback asks on every block, so the live voice falls silent within one
  block even when the signal came while some thread held the GIL (a library loading, a
  model decoding): whoever gets the GIL first afterwards, the callback plays no more;
- calls every `listen`er at once on a watcher thread (woken by that socket, so it runs
  even while the main thread is inside a long C call such as loading a speech model or
  rendering speech): the live voice silences itself there too, the printer stops;
- raises `Signalled` in the main thread (a KeyboardInterrupt, so every `except
  KeyboardInterrupt` that ends a session on Ctrl-C ends it on SIGTERM/SIGHUP too), unless
  the main thread is inside `deferred()` (cleaning up: closing the log, removing temporary
  files), in which case it is raised when that block ends;
- a second signal while the first is being handled does nothing, so it cannot cut the
  cleanup short.

So the main thread must never run Python code as a callback from C (a ctypes or cffi
callback called on the main thread): `Signalled` raised there would be swallowed (ctypes
only reports it as "unraisable"), and the session would run on, deaf to later signals.
That is why alsa-lib's messages are filtered from descriptor 2
(`voicecoach.voice.noise`), not caught with its error-handler hook; sounddevice's audio
callbacks and espeak-ng's synthesis callbacks run on their own threads, where Python
never raises a signal's exception.

`cli.main` maps `Signalled` to the exit code 128 + the signal number, like a shell does.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType

HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
REASONS = {
    signal.SIGINT: "interrupted",
    signal.SIGTERM: "terminated",
    signal.SIGHUP: "hangup",
}


class Signalled(KeyboardInterrupt):
    """The process was asked to stop by a signal (Ctrl-C is SIGINT)."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def reason(self) -> str:
        """The session's end reason: interrupted, terminated or hangup."""
        return reason(self.signum)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def reason(signum: int) -> str:
    return REASONS.get(signal.Signals(signum), signal.Signals(signum).name.lower())


def signum_of(exc: KeyboardInterrupt) -> int:
    """The signal behind a KeyboardInterrupt (a plain one is Ctrl-C)."""
    return exc.signum if isinstance(exc, Signalled) else int(signal.SIGINT)


class Signals:
    """The process's signal state (one instance: `SIGNALS`)."""

    def __init__(self) -> None:
        self.received: int | None = None  # the first signal (later ones are ignored)
        self._pending = False  # received inside deferred(): raise when it ends
        self._deferring = 0
        self._listeners: list[Callable[[int], None]] = []
        self._lock = threading.Lock()
        self._installed = False
        self._wake: socket.socket | None = None  # the wakeup socket's reading end
        self._wake_write: socket.socket | None = None  # its writing end (Python's C handler)
        self._arrived: int | None = None  # the first signal the watcher has seen

    def install(self) -> None:
        """Handle SIGINT, SIGTERM and SIGHUP from now on (main thread only; once)."""
        if self._installed or threading.current_thread() is not threading.main_thread():
            return
        for signum in HANDLED:
            if signal.getsignal(signum) is not signal.SIG_IGN:  # nohup, background jobs
                signal.signal(signum, self.handle)
        self._wake, self._wake_write = socket.socketpair()
        self._wake_write.setblocking(False)
        signal.set_wakeup_fd(self._wake_write.fileno(), warn_on_full_buffer=False)
        watcher = threading.Thread(target=self._watch, name="voicecoach-signals", daemon=True)
        watcher.start()
        self._installed = True

    def arrived(self) -> bool:
        """Has SIGINT, SIGTERM or SIGHUP arrived? True from the instant Python's C-level
        handler ran, in any thread, without waiting for the watcher or the main thread:
        cheap enough for an audio callback (one non-blocking system call)."""
        if self._arrived is not None:
            return True
        wake = self._wake
        if wake is None:
            return False
        try:
            data = wake.recv(64, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except OSError:  # nothing there (BlockingIOError), or closed
            return False
        return any(signum in HANDLED for signum in data)

    @contextlib.contextmanager
    def listen(self, callback: Callable[[int], None]) -> Iterator[None]:
        """Call `callback(signum)` on the watcher thread as soon as a signal arrives (and
        at once if one already has), while the block runs. It must be quick and must not
        raise: e.g. silence the sound card."""
        with self._lock:
            self._listeners.append(callback)
            already = self.received
        if already is not None:
            _call(callback, already)
        try:
            yield
        finally:
            with self._lock:
                self._listeners.remove(callback)

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Cleanup that a signal must not cut short: one that arrives meanwhile is raised
        when the block ends."""
        self._deferring += 1
        try:
            yield
        finally:
            self._deferring -= 1
        if not self._deferring and self._pending:
            self._pending = False
            assert self.received is not None
            raise Signalled(self.received)

    def handle(self, signum: int, frame: FrameType | None = None) -> None:
        """Python's handler, in the main thread between two bytecodes."""
        if self.received is not None:
            return
        self.received = signum
        if self._deferring:
            self._pending = True
            return
        raise Signalled(signum)

    def _watch(self) -> None:
        """The watcher thread: woken by the C-level handler through the wakeup socket."""
        while self._wake_once():
            pass

    def _wake_once(self) -> bool:
        """Wait for signal numbers in the wakeup socket, tell the listeners of the handled
        ones, and only then take them out (so `arrived()` sees them meanwhile). False when
        the socket is closed."""
        wake = self._wake
        if wake is None:
            return False
        try:
            data = wake.recv(64, socket.MSG_PEEK)
        except OSError:
            return False
        if not data:
            return False
        for signum in data:
            if signum in HANDLED:
                if self._arrived is None:
                    self._arrived = signum
                self.notify(signum)
        with contextlib.suppress(OSError):
            wake.recv(len(data))
        return True

    def notify(self, signum: int) -> None:
        """Tell every listener that `signum` arrived (the watcher thread does this)."""
        with self._lock:
            listeners = list(self._listeners)
        for callback in listeners:
            _call(callback, signum)

    def ignore(self) -> None:
        """From now on a signal is only recorded (the program is ending anyway)."""
        self._deferring += 1

    def reset(self) -> None:
        """Forget a received signal (tests that deliver one by hand)."""
        self.received = None
        self._arrived = None
        self._pending = False


def _call(callback: Callable[[int], None], signum: int) -> None:
    with contextlib.suppress(Exception):  # a listener's bug must not stop the others
        callback(signum)


SIGNALS = Signals()


def terminal_hung_up() -> bool:
    """Whether stdout or stderr is a terminal that is gone (its ioctls fail with EIO):
    after a SIGHUP from a closed terminal, as opposed to a `kill -HUP`."""
    import errno
    import termios

    for fd in (1, 2):
        try:
            termios.tcgetattr(fd)
        except termios.error as exc:
            if exc.args and exc.args[0] == errno.EIO:
                return True
        except (OSError, ValueError):
            continue
    return False


def detach_terminal() -> None:
    """Point stdout and stderr at /dev/null: the terminal hung up (SIGHUP), and what is
    still written (the session's last lines, a message) must not fail on it."""

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        for fd in (1, 2):
            os.dup2(null, fd)
        os.close(null)
