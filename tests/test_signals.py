"""SIGTERM and SIGHUP end a session exactly like Ctrl-C (SIGINT), whenever they come: the
log ends with an `end` giving the reason, the exit code is 128 + the signal, the coach
falls silent (nothing printed later than `signal_runs.SILENT_WITHIN`; the 0.1 s target is
measured by bench/signals.py), the terminal is restored and no temporary file is left
behind.

The random moments change from run to run; a failure names its seed: rerun it with
VOICECOACH_SIGNAL_SEED=<seed>."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time

import pytest
import signal_runs

from voicecoach.signals import Signalled, Signals

SIGNALS_SENT = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


def test_a_signal_raises_in_the_main_thread_and_a_second_one_is_ignored():
    signals = Signals()
    with pytest.raises(Signalled) as caught:
        signals.handle(signal.SIGTERM)
    assert (caught.value.signum, caught.value.reason, caught.value.exit_code) == (
        signal.SIGTERM,
        "terminated",
        143,
    )
    signals.handle(signal.SIGINT)  # while the first one is being handled: nothing


def test_a_signal_during_cleanup_waits_for_the_cleanup_to_finish():
    signals = Signals()
    done = []

    def cleanup() -> None:
        with signals.deferred():
            signals.handle(signal.SIGHUP)
            done.append("log closed")

    with pytest.raises(Signalled) as caught:
        cleanup()
    assert done == ["log closed"]
    assert caught.value.reason == "hangup"


def test_listeners_hear_of_a_signal_at_once_even_one_that_came_before_they_listened():
    signals = Signals()
    heard: list[int] = []
    with signals.listen(heard.append):
        signals.notify(signal.SIGTERM)
    signals.notify(signal.SIGINT)  # no longer listening
    with pytest.raises(Signalled):
        signals.handle(signal.SIGHUP)
    with signals.listen(heard.append):
        pass
    assert heard == [signal.SIGTERM, signal.SIGHUP]


def test_any_thread_sees_a_signal_the_instant_it_arrives_before_the_watcher_has_run():
    # the audio callback asks on every block: the voice is silent even when the watcher
    # thread has not run yet (another thread held the GIL, the machine is busy)
    signals = Signals()
    signals._wake, c_handler = socket.socketpair()  # what `install` sets up
    heard: list[int] = []
    try:
        with signals.listen(heard.append):
            assert not signals.arrived()
            c_handler.send(bytes([signal.SIGWINCH]))  # a signal voicecoach does not handle
            assert not signals.arrived()
            c_handler.send(bytes([signal.SIGTERM]))  # what Python's C-level handler writes
            assert signals.arrived()
            assert heard == []  # the watcher has not run
            assert signals._wake_once()  # now it does
            assert heard == [signal.SIGTERM]
            assert signals.arrived()  # and it stays so
    finally:
        signals._wake.close()
        c_handler.close()


def test_ctrl_c_while_portaudio_starts_ends_the_session_with_130_and_a_complete_log(tmp_path):
    # PortAudio probes every ALSA device as it starts (a text session still opens the
    # microphone). A Python callback from C there (alsa-lib's error hook) once swallowed
    # the Ctrl-C, and the session ran on, deaf to every later signal.
    runs = [
        signal_runs.run_with_signal(
            tmp_path / f"run{i}",
            ["behind-knee", "--text", "--quiet-screen"],
            signal.SIGINT,
            0.0,
            after_library="libportaudio",
        )
        for i in range(3)
    ]
    assert [run.notes for run in runs] == [[], [], []]
    assert [p for run in runs for p in run.problems()] == []


CONSOLE_SCRIPT = """
import os, signal, sys, time
from voicecoach.__main__ import main  # what the console script does first
os.kill(os.getpid(), signal.{name})  # before main() runs
time.sleep(5)
main()
"""


@pytest.mark.parametrize("signum", SIGNALS_SENT, ids=lambda s: signal.Signals(s).name)
def test_a_signal_before_the_program_runs_but_after_python_started_it_exits_quietly(signum):
    done = subprocess.run(
        [sys.executable, "-c", CONSOLE_SCRIPT.format(name=signal.Signals(signum).name)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (128 + signum, "")


WRAPPED = """
import os, signal, sys
from voicecoach import cli
from voicecoach.commands import schema
from voicecoach.signals import SIGNALS

def run(args):  # a library calls back into Python, the signal's exception is raised there
    try:  # and the library turns it into its own error, as pydantic-core does
        os.kill(os.getpid(), signal.SIGTERM)
        sum(range(1000))
    except KeyboardInterrupt as exc:
        raise RuntimeError(f"Error building `model` serializer: {exc!r}") from None

SIGNALS.install()
schema.run = run
sys.exit(cli.main(["schema"]))
"""


def test_a_signal_that_a_library_turns_into_its_own_error_still_ends_the_program_quietly():
    done = subprocess.run(
        [sys.executable, "-c", WRAPPED], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 143, done.stderr
    assert done.stderr == "\nvoicecoach: stopped (SIGTERM)\n"


def test_the_harness_counts_the_plain_transcripts_lines_as_what_the_coach_says():
    """What it counts after a signal must be what the transcript prints: it looked for
    "coach:" lines, which the transcript stopped printing, and could no longer fail."""
    from voicecoach.screen.lines import line

    said = line(83.0, "Toe Walking · set 1 of 6", "Walk forward on your tiptoes.")
    plain = ["behind-knee", "--text", "--quiet-screen"]
    assert signal_runs.said_line(said, plain)
    assert not signal_runs.said_line("Summary: You did 0 of 5 exercises in 2 seconds.", plain)
    assert not signal_runs.said_line(said, ["behind-knee", "--text"])  # the panel's last words


def seed() -> int:
    return int(os.environ.get("VOICECOACH_SIGNAL_SEED") or random.SystemRandom().randrange(10**6))


@pytest.mark.slow
def test_sigterm_sighup_and_sigint_at_20_random_moments_end_a_text_session_cleanly(tmp_path):
    chosen = seed()
    rng = random.Random(chosen)
    runs = []
    with signal_runs.seed_noted(chosen):  # whatever fails, the seed is in the report
        for i in range(20):
            signum = SIGNALS_SENT[i % 3]
            # half while starting (imports, routine, speech model), half in the session
            moment = rng.uniform(0.0, 3.0)
            screen = ["--quiet-screen"] if i % 2 else []  # the plain transcript, or the panel
            args = ["behind-knee", "--text", *screen]
            run = signal_runs.run_with_signal(
                tmp_path / f"run{i}", args, signum, moment, after_start=i >= 10
            )
            runs.append(run)
    problems = [p for run in runs for p in run.problems()]
    began = sum(run.session_began for run in runs)
    exits = sorted(round(run.exit * 1000) for run in runs if run.exit is not None)
    slow = sorted(runs, key=lambda run: -(run.exit or 0))[:3]
    print(
        f"\nsignals (seed {chosen}): {began}/20 sessions had begun (the rest came while "
        f"starting: the old log untouched); exit {exits[0]}..{exits[-1]} ms after the signal; "
        f"handlers ready {min(r.ready for r in runs) * 1000:.0f}.."
        f"{max(r.ready for r in runs) * 1000:.0f} ms after launch; slowest exits: "
        + "; ".join(
            f"{signal.Signals(r.signum).name} at {r.moment:.2f} s: {r.exit:.2f} s" for r in slow
        )
    )
    assert problems == [], f"seed {chosen}"
    assert began >= 10, f"seed {chosen}: too few signals reached a running session"


def test_a_closed_terminal_ends_the_session_like_ctrl_c_without_writing_to_it(tmp_path):
    coach = signal_runs.Running(tmp_path, ["behind-knee", "--text", "--quiet-screen"])
    coach.wait_ready()
    deadline = time.monotonic() + 60.0
    while not coach.records() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)
    coach.hang_up()
    coach.process.send_signal(signal.SIGHUP)
    code, _ = coach.finish(timeout=signal_runs.END_WITHIN)
    records = coach.records()
    assert code == 129, coach.stderr
    assert "Traceback" not in coach.stderr
    assert records[-1]["type"] == "end"
    assert records[-1]["reason"] == "hangup"
    assert coach.leftovers() == []
