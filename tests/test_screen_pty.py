"""The live panel on a real pseudo-terminal of 80x24, at known moments of a session on a
virtual clock: the runner is stepped to a moment, the panel redrawn, and the screen read
back through pyte, as a person would see it. The space key goes through the real
KeyReader (cbreak mode on the same terminal)."""

from __future__ import annotations

import fcntl
import os
import queue
import select
import struct
import termios
from collections.abc import Iterator

import pyte
import pytest
from factories import routine_from
from rich.console import Console

from voicecoach.bootstrap import build_session
from voicecoach.intents import Intent
from voicecoach.keys import HELP_LINE, KeyReader, intent_for_key
from voicecoach.options import SessionOptions
from voicecoach.runtime.clocks import VirtualClock
from voicecoach.runtime.simulation import RecordingVoice
from voicecoach.screen import digits
from voicecoach.screen.live import LiveScreen
from voicecoach.screen.observers import Panel

ROUTINE = routine_from(
    "short",
    [
        {
            "id": "wall-sit",
            "name": "Wall Sit",
            "setup": ["Back to the wall."],
            "sides": ["right", "left"],
            "side_order": "block",
            "sets": 2,
            "rest_between_sets": 3,
            "work": {"kind": "timed", "seconds": 12},
        }
    ],
)
ROWS, COLS = 24, 80


class Terminal:
    """A pseudo-terminal: the program writes to (and reads keys from) the slave side;
    the test reads the master side into a pyte screen and types into it."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.output = os.fdopen(self.slave, "w", encoding="utf-8", closefd=False)
        self.input = os.fdopen(self.slave, "r", encoding="utf-8", closefd=False)
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        self.marks = 0

    def snapshot(self) -> str:
        """The screen once everything written so far has arrived: a title-setting
        sequence written after it marks the end (pyte sets `screen.title`)."""
        self.marks += 1
        mark = f"mark-{self.marks}"
        self.output.write(f"\x1b]2;{mark}\x07")
        self.output.flush()
        while self.screen.title != mark:
            ready, _, _ = select.select([self.master], [], [], 5.0)
            assert ready, "the terminal went quiet before the mark arrived"
            self.stream.feed(os.read(self.master, 65536))
        return "\n".join(self.screen.display)

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self) -> None:
        self.output.close()
        self.input.close()
        os.close(self.slave)
        os.close(self.master)


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    term = Terminal()
    yield term
    term.close()


def countdown(text: str) -> int | None:
    """The big-digit number on the screen (None: no countdown shown)."""
    rows = text.splitlines()
    found = [
        s
        for s in range(100)
        if any(
            all(g in row for g, row in zip(digits.big(str(s)), rows[top:], strict=False))
            and len(rows[top:]) >= digits.HEIGHT
            for top in range(len(rows))
        )
    ]
    return max(found) if found else None  # "10" also contains the glyphs of "1" and "0"


def test_the_panel_at_known_virtual_moments(terminal: Terminal) -> None:
    clock = VirtualClock()
    console = Console(file=terminal.output, width=COLS, height=ROWS)  # rich asks stdout
    assert console.is_terminal
    screen = LiveScreen(console, clock, engine="keys only", help_line=HELP_LINE, auto_refresh=False)
    after: list[str] = []
    session = build_session(
        SessionOptions(routine=ROUTINE, ready_timeout=0.0, text=True),
        voice=RecordingVoice(),
        clock=clock,
        out=lambda line: None,
        observers=[Panel(screen, after.append)],
    )
    runner = session.runner
    runner.start()
    while not (runner.state.step.set == 2 and runner.state.seg_end is not None):
        deadline = runner.state.next_deadline
        assert deadline is not None
        runner.run_until(deadline)
    work_start = runner.state.seg_end - 12.0

    runner.run_until(work_start + 2.5)  # the known moment: 2.5 s into set 2
    screen.refresh()
    first = terminal.snapshot()
    runner.run_until(work_start + 3.5)  # one second later
    screen.refresh()
    second = terminal.snapshot()

    assert "WALL SIT" in first
    assert "set 2 of 2" in first
    assert "RIGHT SIDE" in first
    assert countdown(first) == 10
    assert countdown(second) == 9
    assert max(len(line.rstrip()) for line in first.splitlines()) <= COLS

    keys: queue.Queue[str] = queue.Queue()
    with KeyReader(keys.put, stream=terminal.input) as reader:
        assert reader.active
        terminal.type(" ")
        key = keys.get(timeout=5.0)
    intent = intent_for_key(key, runner.state.paused, runner.state.confirming)
    assert intent == Intent.PAUSE
    runner.hear(intent, f"key {key!r}", "keys")
    runner.run_until(work_start + 10.0)  # the timer is frozen while paused
    screen.refresh()
    paused = terminal.snapshot()
    assert "PAUSED — say resume" in paused
    assert countdown(paused) == 9
    assert "heard: pause (keys)" in paused

    runner.hear(Intent.STOP)
    runner.hear(Intent.YES)
    runner.run_to_end()
    session.close()
    assert after[-1].endswith("Session stopped: 0 exercises done, 1 cut short.")
