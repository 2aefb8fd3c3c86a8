"""The keyboard fallback: which key means what, and a terminal left as it was found."""

from __future__ import annotations

import io
import os
import termios
import threading

import pytest

from voicecoach.intents import Intent
from voicecoach.keys import KeyReader, intent_for_key


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
