"""The keyboard fallback: which key means what, and a terminal left as it was found."""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import signal
import sys
import termios
import threading
import tty
from collections.abc import Iterator
from types import FrameType
from typing import Any

import pytest

from voicecoach.intents import Intent
from voicecoach.keys import KeyReader, intent_for_key
from voicecoach.signals import SIGNALS, Signalled


@pytest.mark.parametrize(
    ("char", "paused", "confirming", "intent"),
    [
        ("n", False, False, Intent.NEXT),
        ("N", False, False, Intent.NEXT),
        ("n", True, True, Intent.NO),
        ("y", True, True, Intent.YES),
        (" ", False, False, Intent.PAUSE),
        (" ", True, False, Intent.RESUME),
        ("b", False, False, Intent.BACK),
        ("r", False, False, Intent.REPEAT),
        ("q", False, False, Intent.STOP),
        ("h", False, False, Intent.HELP),
        ("t", False, False, Intent.TIME),
        ("\n", False, False, Intent.READY),
        ("+", False, False, Intent.FASTER),
        ("-", False, False, Intent.SLOWER),
        ("p", False, False, Intent.PAIN),
        ("z", False, False, None),
    ],
)
def test_each_key_means_one_intent_depending_on_the_moment(
    char: str, paused: bool, confirming: bool, intent: Intent | None
) -> None:
    assert intent_for_key(char, paused, confirming) == intent


def test_the_keys_are_not_read_when_stdin_is_not_a_terminal() -> None:
    with KeyReader(lambda ch: None, stream=io.StringIO("n")) as keys:
        assert not keys.active


def test_key_presses_arrive_one_by_one_and_the_terminal_is_restored() -> None:
    master, slave = os.openpty()
    try:
        with os.fdopen(slave, "r", closefd=False) as tty:
            before = termios.tcgetattr(slave)
            got: list[str] = []
            arrived = threading.Event()

            def put(ch: str) -> None:
                got.append(ch)
                if len(got) == 2:
                    arrived.set()

            with KeyReader(put, stream=tty) as keys:
                assert keys.active
                assert not termios.tcgetattr(slave)[3] & termios.ICANON  # no Enter needed
                os.write(master, b"n ")
                assert arrived.wait(timeout=5)
            assert got == ["n", " "]
            assert termios.tcgetattr(slave) == before
    finally:
        os.close(master)
        os.close(slave)


@contextlib.contextmanager
def signalled_at_line(n: int) -> Iterator[list[int]]:
    """Ctrl-C at the `n`-th line that runs, in this thread, of the keyboard taking the
    terminal (`KeyReader.__enter__`, `tty.setcbreak`) or giving it back (`__exit__` and what
    it calls, from its first line on: a signal *before* that line, the instant a session
    ends by itself, escapes any Python code): the program's handler called there, as
    Python calls it between two lines (it raises `Signalled`). Yields a list that holds `n`
    once the signal came."""
    hit: list[int] = []
    count = itertools.count(1)
    code = {KeyReader.__enter__.__code__.co_filename, tty.__file__}
    skip = {KeyReader.__exit__.__code__}  # its first line

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename not in code or frame.f_code is KeyReader.__init__.__code__:
            return None
        if event == "line" and frame.f_code in skip:
            skip.discard(frame.f_code)
        elif event == "line" and next(count) == n:
            hit.append(n)
            SIGNALS.handle(signal.SIGINT)  # what it raises is raised right there
        return trace

    sys.settrace(trace)
    try:
        yield hit
    finally:
        sys.settrace(None)
        SIGNALS.reset()


def test_a_signal_at_any_moment_of_taking_or_giving_back_the_terminal_leaves_it_as_it_was():
    # a Ctrl-C just after the terminal was put in cbreak mode, before the reader's thread had
    # started (Thread.start waits for it: long on a busy machine), left it in cbreak mode
    master, slave = os.openpty()
    try:
        with os.fdopen(slave, "r", closefd=False) as terminal:
            before = termios.tcgetattr(slave)
            for n in itertools.count(1):
                with (
                    contextlib.suppress(Signalled),
                    signalled_at_line(n) as hit,
                    KeyReader(lambda ch: None, stream=terminal),
                ):
                    pass
                assert termios.tcgetattr(slave) == before, f"a signal at line {n} of it"
                if not hit:
                    break
            assert n > 20  # the signal came at every line of taking and giving it back
    finally:
        os.close(master)
        os.close(slave)
