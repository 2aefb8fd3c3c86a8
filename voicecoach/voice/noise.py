"""PortAudio's own error lines kept off the user's terminal.

When a sound device disappears mid-session, PortAudio's ALSA host API prints lines like
"Expression 'alsa_snd_pcm_poll_descriptors_revents( ... )' failed in
'src/hostapi/alsa/pa_linux_alsa.c', line: 3665" straight to file descriptor 2 (its
`PaUtil_SetDebugPrintFunction` is not exported by Debian's libportaudio2, so it cannot be
redirected). voicecoach already says what happened in plain words, so for a live session
`QuietStderr` puts a pipe in place of descriptor 2 and a thread copies every line to the
real stderr except PortAudio's and alsa-lib's own, which are counted and sent to the debug
log. alsa-lib's lines come from the audio threads (an underrun: "ALSA lib
pcm.c:8570:(snd_pcm_recover) underrun occurred") and from opening a stream; they are
filtered here rather than through alsa-lib's error-handler hook, which would call Python
code from C in the main thread, where a signal's exception cannot be raised.

A command that uses the sound devices in real time holds one `QuietStderr` from before it
opens them until after it closes them (`start` without `--fast`, `check`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from types import TracebackType

from voicecoach.signals import SIGNALS

log = logging.getLogger(__name__)

NOISE = (b"Expression '", b"ALSA lib ", b"PaAlsaStream", b"PaUnixThread")


def is_noise(line: bytes) -> bool:
    """A line PortAudio or alsa-lib printed by itself (nothing a user can act on)."""
    return line.lstrip().startswith(NOISE)


# written into the pipe when the block ends: everything before it has been copied once the
# reader has seen it (a child process may still hold the pipe: the reader goes on for it)
_END = b"\0voicecoach: the filter ends here\0"


class QuietStderr:
    """For the duration of a `with` block, descriptor 2 minus PortAudio's noise.

    Child processes started meanwhile (the ears' worker) inherit the filtered descriptor;
    what they write after the block ends is still copied, as long as they live."""

    def __init__(self, fd: int = 2) -> None:
        self._fd = fd
        self._saved: int | None = None  # the real descriptor 2, put back at the end
        self._write: int | None = None  # our own end of the pipe, for the end marker
        self._copied = threading.Event()  # the reader has copied up to the end marker
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
            out = os.dup(self._fd)  # the reader's own: it closes it when the pipe ends
            opened.append(out)
            read, write = os.pipe()
        except OSError:  # no stderr to filter (or no descriptor left): leave it alone
            for fd in opened:
                os.close(fd)
            return
        _flush()
        os.dup2(write, self._fd)
        self._saved, self._write = saved, write
        threading.Thread(
            target=self._copy, args=(read, out), name="voicecoach-stderr", daemon=True
        ).start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._saved is None or self._write is None:
            return
        with SIGNALS.deferred():  # the message a signal ends with must reach the terminal
            _flush()
            os.dup2(self._saved, self._fd)
            os.close(self._saved)
            with contextlib.suppress(OSError):
                os.write(self._write, _END)
            os.close(self._write)
            self._saved = self._write = None
            self._copied.wait(timeout=2.0)

    def _copy(self, read: int, out: int) -> None:
        pending = b""
        with contextlib.ExitStack() as stack:
            stack.callback(os.close, read)
            stack.callback(os.close, out)
            while True:
                try:
                    data = os.read(read, 4096)
                except OSError:
                    data = b""
                if not data:
                    self._pass(pending, out)
                    self._copied.set()
                    return
                data = pending + data
                if _END in data:
                    data = data.replace(_END, b"")
                    end = True
                else:
                    end = False
                lines = data.split(b"\n")
                pending = lines.pop()
                for line in lines:
                    self._pass(line + b"\n", out)
                if end:
                    self._pass(pending, out)  # a line cut short by the end: as it is
                    pending = b""
                    self._copied.set()

    def _pass(self, line: bytes, out: int) -> None:
        if not line:
            return
        if is_noise(line):
            self.dropped += 1
            log.debug("stderr: %s", line.decode("utf-8", "replace").rstrip())
            return
        with contextlib.suppress(OSError):  # a hung-up terminal: nowhere to write
            os.write(out, line)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
