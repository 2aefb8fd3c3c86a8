"""PortAudio's own error lines kept off the user's terminal.

When a sound device disappears mid-session, PortAudio's ALSA host API prints lines like
"Expression 'alsa_snd_pcm_poll_descriptors_revents( ... )' failed in
'src/hostapi/alsa/pa_linux_alsa.c', line: 3665" straight to file descriptor 2 (its
`PaUtil_SetDebugPrintFunction` is not exported by Debian's libportaudio2, so it cannot be
redirected). voicecoach already says what happened in plain words, so for a live session
`QuietStderr` puts a pipe in place of descriptor 2, and a small filter process
(`voicecoach.voice.stderr_filter`) copies every line to the real stderr except PortAudio's
and alsa-lib's own, which it counts.
alsa-lib's lines come from the audio threads (an underrun: "ALSA lib
pcm.c:8570:(snd_pcm_recover) underrun occurred") and from opening a stream; they are
filtered here rather than through alsa-lib's error-handler hook, which would call Python
code from C in the main thread, where a signal's exception cannot be raised.

The noise comes at any moment of a session (an underrun, a device lost), not only while
the devices open and close, so the filter covers the whole of it. It is a process of its
own, not a thread, so that what a crashing voicecoach writes last (a native crash's
"Fatal Python error" and traceback, glibc's abort message) still reaches the terminal: the
filter reads on to the end of the pipe after voicecoach is gone.

A command that uses the sound devices in real time holds one `QuietStderr` from before it
opens them until after it closes them (`start` without `--fast`, `check`). The ears'
worker process never loads PortAudio, so the one `start` launches first, before the
filter, keeps the real stderr.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import sys
from types import TracebackType

from voicecoach.signals import SIGNALS
from voicecoach.voice import stderr_filter

log = logging.getLogger(__name__)


def is_noise(line: bytes) -> bool:
    """A line PortAudio or alsa-lib printed by itself (nothing a user can act on)."""
    return stderr_filter.is_noise(line)


_END = stderr_filter.END  # written into the pipe when the block ends
ACK_WAIT = 2.0  # s: how long the end of the block waits for the filter to catch up


class QuietStderr:
    """For the duration of a `with` block, descriptor 2 minus PortAudio's noise.

    Child processes started meanwhile (the ears' worker when it starts late) inherit the
    filtered descriptor; what they write after the block ends is still copied, as long
    as they live. `dropped`: the lines kept off, once the block has ended."""

    def __init__(self, fd: int = 2) -> None:
        self._fd = fd
        self._saved: int | None = None  # the real descriptor 2, put back at the end
        self._write: int | None = None  # our own end of the pipe, for the end marker
        self._ack: int | None = None  # the filter's answers
        self._pid: int | None = None
        self.dropped = 0

    def __enter__(self) -> QuietStderr:
        try:
            with SIGNALS.deferred():  # never a pipe in place of stderr that nobody reads
                self._start()
        except KeyboardInterrupt:  # a signal came meanwhile: undo, then end like Ctrl-C
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self) -> None:
        opened: list[int] = []
        try:
            saved = os.dup(self._fd)
            opened.append(saved)
            read, write = os.pipe()
            opened += (read, write)
            ack_read, ack_write = os.pipe()
            opened += (ack_read, ack_write)
            pid = _spawn_filter(read, saved, ack_write)
        except OSError:  # no stderr to filter, no descriptor left, no Python to run:
            for fd in opened:  # leave it alone
                os.close(fd)
            return
        os.close(read)
        os.close(ack_write)
        _flush()
        os.dup2(write, self._fd)
        self._saved, self._write, self._ack, self._pid = saved, write, ack_read, pid

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._saved is None or self._write is None or self._ack is None:
            return
        with SIGNALS.deferred():  # the message a signal ends with must reach the terminal
            _flush()
            os.dup2(self._saved, self._fd)
            os.close(self._saved)
            with contextlib.suppress(OSError):
                os.write(self._write, _END)
            os.close(self._write)
            self.dropped = _answer(self._ack)
            os.close(self._ack)
            self._saved = self._write = self._ack = None
            if self.dropped:
                log.debug("stderr: %d lines of PortAudio's and alsa-lib's kept off", self.dropped)
            if self._pid is not None:
                _unreaped.append(self._pid)
            self._pid = None
            _reap()


def _spawn_filter(source: int, out: int, ack: int) -> int:
    """The filter process, in a process group of its own: a Ctrl-C or a hang-up sent to
    voicecoach's group does not end it before it has copied the last lines."""
    if not sys.executable:
        raise OSError("no Python interpreter to run the filter")
    fds = (source, out, ack)
    for fd in fds:
        os.set_inheritable(fd, True)
    try:
        script = stderr_filter.__file__  # run as a file: no site-packages, no voicecoach
        argv = [sys.executable, "-I", "-S", script, *map(str, fds)]
        return os.posix_spawn(sys.executable, argv, os.environ, setpgroup=0)
    finally:
        for fd in fds:
            os.set_inheritable(fd, False)


def _answer(ack: int) -> int:
    """The filter's count of dropped lines, once it has copied everything up to the end
    marker (0 if it does not answer in time)."""
    with contextlib.suppress(OSError, ValueError):
        if select.select([ack], [], [], ACK_WAIT)[0]:
            return int(os.read(ack, 64).split(b"\n")[0])
    return 0


_unreaped: list[int] = []  # filters whose block ended: they end with their pipe's last writer


def _reap() -> None:
    """Collect the filters that have ended."""
    for pid in list(_unreaped):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            _unreaped.remove(pid)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
