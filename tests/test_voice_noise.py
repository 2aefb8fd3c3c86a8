"""PortAudio's and alsa-lib's own error lines never reach the user's terminal during a
live session, nor while PortAudio starts."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from voicecoach.ears import whisper_available
from voicecoach.voice import stderr_filter
from voicecoach.voice.noise import QuietStderr, is_noise

PORTAUDIO = (
    b"Expression 'alsa_snd_pcm_poll_descriptors_revents( self->pcm, pfds, self->nfds, "
    b"&revents )' failed in 'src/hostapi/alsa/pa_linux_alsa.c', line: 3665\n"
)


def test_portaudio_and_alsa_lines_are_dropped_and_everything_else_passes_in_order(capfd):
    with QuietStderr() as quiet:
        os.write(2, PORTAUDIO)
        print("voicecoach: the audio output stopped; continuing in text mode", file=sys.stderr)
        os.write(2, b"ALSA lib pcm.c:8570:(snd_pcm_recover) underrun occurred\n")
        os.write(2, b"half a li")
        os.write(2, b"ne\n")
    err = capfd.readouterr().err
    assert err == "voicecoach: the audio output stopped; continuing in text mode\nhalf a line\n"
    assert quiet.dropped == 2


def test_stderr_is_the_terminal_again_after_the_session(capfd):
    before = os.fstat(2).st_ino
    with QuietStderr():
        assert os.fstat(2).st_ino != before
    assert os.fstat(2).st_ino == before
    os.write(2, PORTAUDIO)
    assert capfd.readouterr().err == PORTAUDIO.decode()


def test_what_counts_as_noise():
    assert is_noise(PORTAUDIO)
    assert not is_noise(b"voicecoach: voice commands stopped\n")
    assert not is_noise(b"Traceback (most recent call last):\n")


def children_of_this_process() -> dict[int, list[str]]:
    """This process's child processes: pid -> command line (Linux: /proc/PID/stat says
    each process's parent)."""
    found = {}
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError, IndexError, ValueError):  # not a process, or gone
            parent = int(proc.joinpath("stat").read_text().rsplit(")", 1)[1].split()[1])
            if parent == os.getpid():
                raw = proc.joinpath("cmdline").read_bytes()
                found[int(proc.name)] = [arg.decode() for arg in raw.split(b"\0")[:-1]]
    return found


def test_the_filter_process_shows_as_its_file_in_ps_not_as_a_whole_script(capfd):
    before = children_of_this_process()
    with QuietStderr():
        during = children_of_this_process()
    started = [argv for pid, argv in during.items() if pid not in before]
    assert len(started) == 1, during
    (argv,) = started
    assert argv[1:4] == ["-I", "-S", stderr_filter.__file__]
    assert [arg for arg in argv if "\n" in arg] == []


def test_alsa_lib_s_own_messages_are_dropped_by_the_filter(capfd):
    try:
        alsa = ctypes.CDLL("libasound.so.2")
    except OSError:
        pytest.skip("no alsa-lib on this machine")
    handle = ctypes.c_void_p()
    with QuietStderr() as quiet:  # alsa-lib reports it on descriptor 2 by itself
        assert alsa.snd_pcm_open(ctypes.byref(handle), b"voicecoach-no-such-device", 0, 0) < 0
    assert "ALSA lib" not in capfd.readouterr().err
    assert quiet.dropped == 1


LOAD_PORTAUDIO = """
import os
import signal
from voicecoach.voice import devices
before = os.fstat(2)
devices.sounddevice()
devices.refresh()
after = os.fstat(2)
print((before.st_dev, before.st_ino) == (after.st_dev, after.st_ino))
"""


def test_starting_portaudio_prints_nothing_and_gives_stderr_back():
    # PortAudio probes every ALSA device as it starts, and alsa-lib reports every failed
    # probe; on a machine without a sound card, a dozen lines
    done = subprocess.run(
        [sys.executable, "-c", LOAD_PORTAUDIO], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "True\n", "")


def test_the_filter_ends_while_a_child_process_still_holds_it_and_copies_all_before(capfd):
    # the ears' worker process inherits descriptor 2 and lives until it is stopped
    child = None
    try:
        with QuietStderr():
            child = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "import sys, time; print('child here', file=sys.stderr, flush=True); "
                    "print('written', flush=True); time.sleep(60)",
                ],
                stdout=subprocess.PIPE,
            )
            # its line is in the filter's pipe (read from its stdout, not by polling the
            # captured stderr, whose reading races with the filter's writing)
            assert child.stdout is not None
            assert child.stdout.readline() == b"written\n"
            os.write(2, b"ALSA lib pcm.c:8570:(snd_pcm_recover) underrun occurred\n")
            os.write(2, b"voicecoach: interrupted\n")  # as sys.stderr does outside pytest
        ended = child.poll() is None  # the block ended while the child still held the pipe
    finally:
        if child is not None:
            child.kill()
            child.wait()
            if child.stdout is not None:
                child.stdout.close()
    assert ended
    assert capfd.readouterr().err == "child here\nvoicecoach: interrupted\n"


NO_DESCRIPTOR_LEFT = """
import os, resource
from voicecoach.voice.noise import QuietStderr

def open_fds():
    return sorted(int(n) for n in os.listdir("/proc/self/fd"))

highest = max(open_fds())
while (fd := os.open(os.devnull, os.O_RDONLY)) < highest:  # fill the gaps below it
    pass
os.close(fd)
before = open_fds()
free = 2  # room for the filter's two copies of stderr, not for its pipe
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (highest + 1 + free, hard))
with QuietStderr():
    os.write(2, b"still the real stderr\\n")
print(open_fds() == before)
"""


def test_a_filter_that_cannot_open_its_pipe_leaves_stderr_alone_and_keeps_no_descriptor():
    done = subprocess.run(
        [sys.executable, "-c", NO_DESCRIPTOR_LEFT], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "True\n", "still the real stderr\n")


CRASH = """
import ctypes, faulthandler, os, sys
from voicecoach.voice.noise import QuietStderr

faulthandler.enable()
QuietStderr().__enter__()
os.write(2, b"ALSA lib pcm.c:8570:(snd_pcm_recover) underrun occurred\\n")
print("voicecoach: the last words before a crash", file=sys.stderr, flush=True)
ctypes.string_at(0)  # a native crash (SIGSEGV) while the filter is in place
"""


def test_what_a_crashing_session_writes_last_still_reaches_the_terminal():
    done = subprocess.run([sys.executable, "-c", CRASH], capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGSEGV
    assert "voicecoach: the last words before a crash\n" in done.stderr
    assert "Fatal Python error: Segmentation fault" in done.stderr  # and the traceback
    assert "ALSA lib" not in done.stderr


@pytest.mark.parametrize(
    "engine",
    [
        "pocketsphinx",
        pytest.param(
            "whisper",  # the default when no Vosk model is found
            marks=pytest.mark.skipif(not whisper_available(), reason="needs Whisper"),
        ),
    ],
)
def test_the_ears_worker_never_loads_portaudio_so_its_stderr_needs_no_filter(engine):
    # `start` launches it before the filter is in place: it keeps the real stderr
    code = (
        "import sys; from voicecoach.ears import make_recognizer; "
        f"import voicecoach.ears.worker; make_recognizer({engine!r}); "
        "print(sorted(m for m in ('sounddevice', '_sounddevice') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "[]\n"), done.stderr


CLOSED_STDERR = """
import os, socket
import voicecoach.__main__  # the console script's first lines
from voicecoach.voice.noise import QuietStderr

ours, theirs = socket.socketpair()  # the first thing opened, as the signal watcher's socket
with QuietStderr():
    os.write(2, b"ALSA lib pcm.c:8570:(snd_pcm_recover) underrun occurred\\n")
    os.write(2, b"voicecoach: a line for stderr\\n")
theirs.setblocking(False)
try:
    got = theirs.recv(1000)
except BlockingIOError:
    got = b""
print(repr(got), os.readlink("/proc/self/fd/2"))
"""


def test_a_closed_stderr_is_dev_null_so_nothing_meant_for_it_lands_in_a_socket():
    done = subprocess.run(
        [sys.executable, "-c", CLOSED_STDERR],
        stdout=subprocess.PIPE,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.close(2),  # 'voicecoach ... 2>&-'
    )
    assert (done.returncode, done.stdout) == (0, "b'' /dev/null\n")
