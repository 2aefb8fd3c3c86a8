"""`python -m voicecoach` and the `voicecoach` console script.

A signal can come at any moment from launch. Until Python runs this file it is Python's
(Ctrl-C while the interpreter imports `site` is its "Fatal Python error"; nothing here can
change that: see `bench/signals.py` for how long that window is). From this file's first
lines on, SIGINT, SIGTERM and SIGHUP end the program quietly with 128 + the signal, also
while the rest of the program is imported; `voicecoach.signals` then takes over (the
session's own ending: its log, the terminal, temporary files)."""

import io
import os
import signal
import sys
from types import FrameType

# One thread each for numpy's OpenBLAS and CTranslate2's OpenMP (the ears' worker, a child
# process, inherits this): their default pools keep idle threads spinning, which cost
# ~1.6x the CPU of a Whisper decode for no speed on matrices this small (0.32 -> 0.19 CPU s
# per utterance, bench/RESULTS.md). Both read it when they load, so before any import; a
# user's own setting wins.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

# A standard descriptor the caller closed (`2>&-`) is /dev/null from here on: otherwise the
# first socket or file opened takes its number, and what is written to "stderr" (PortAudio's
# lines, the stderr filter's copy: voicecoach.voice.noise) would land in that socket or file.
for _fd in (0, 1, 2):
    try:
        os.fstat(_fd)
    except OSError:
        os.set_inheritable(os.open(os.devnull, os.O_RDWR), True)  # the lowest free number
# Python made no sys.stdout (None) for a descriptor closed at launch (`voicecoach list >&-`):
# it is /dev/null now, so is the stream.
if sys.stdin is None:
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the process's own, never closed
if sys.stdout is None:
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
if sys.stderr is None:
    sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
# A character stdout's encoding cannot show (a legacy locale or PYTHONIOENCODING=ascii and
# the coach's "—"; a file name that is not UTF-8) is printed as "?", not a traceback.
if isinstance(sys.stdout, io.TextIOWrapper):
    sys.stdout.reconfigure(errors="replace")


def _leave(signum: int, frame: FrameType | None) -> None:
    """A signal before the program's own handlers are in place: nothing to clean up yet."""
    raise SystemExit(128 + signum)


for _signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    if signal.getsignal(_signum) is not signal.SIG_IGN:  # nohup, background jobs
        signal.signal(_signum, _leave)


def main() -> None:
    try:
        from voicecoach.cli import run

        run()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
