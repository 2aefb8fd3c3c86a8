"""The stderr filter's own program (`voicecoach.voice.noise.QuietStderr` starts it):

    python -I -S .../voicecoach/voice/stderr_filter.py READ OUT ACK

It reads the pipe on descriptor READ until every writer has closed it, writes each line
that is not PortAudio's or alsa-lib's noise to OUT (the real stderr) and, at each end
marker, the number of lines dropped so far to ACK. Run as a file, with no site-packages
and nothing of voicecoach (it imports only os, signal and sys), it starts in a few
milliseconds, and `ps` shows this file's name rather than a whole script."""

from __future__ import annotations

import os
import signal
import sys

# lines PortAudio and alsa-lib print by themselves (nothing a user can act on)
NOISE = (b"Expression '", b"ALSA lib ", b"PaAlsaStream", b"PaUnixThread")
# written into the pipe when a quiet block ends: the filter answers on ACK once it has
# copied everything before it (a child process may still hold the pipe: it goes on)
END = b"\0voicecoach: the filter ends here\0"


def is_noise(line: bytes) -> bool:
    return line.lstrip().startswith(NOISE)


def write(fd: int, data: bytes) -> None:
    while data:
        try:
            data = data[os.write(fd, data) :]
        except OSError:  # a hung-up terminal, a reader gone: nowhere to write
            return


def lines_of(text: bytes) -> list[bytes]:
    parts = text.split(b"\n")
    return [part + b"\n" for part in parts[:-1]] + [parts[-1]]


def run(source: int, out: int, ack: int) -> None:
    dropped = 0

    def sift(lines: list[bytes]) -> None:
        nonlocal dropped
        kept = [line for line in lines if line and not is_noise(line)]
        dropped += sum(1 for line in lines if line) - len(kept)
        write(out, b"".join(kept))

    pending = b""
    while True:
        try:
            data = os.read(source, 65536)
        except OSError:
            data = b""
        if not data:
            sift([pending])  # a last line without its newline: as it is
            return
        *ended, pending = (pending + data).split(END)
        for text in ended:  # everything before an end marker, a line cut short as it is
            sift(lines_of(text))
            write(ack, b"%d\n" % dropped)
        *lines, pending = lines_of(pending)
        sift(lines)


if __name__ == "__main__":
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)  # a background group may write ('stty tostop')
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # it ends when every writer has gone
    run(*(int(a) for a in sys.argv[1:4]))
