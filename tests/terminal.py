"""A pseudo-terminal for tests: run `voicecoach` in one (pexpect) and read what a person
would see on it (pyte renders the output as a terminal would)."""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pexpect
import pyte

ROOT = Path(__file__).resolve().parent.parent
QUIET = 0.03  # s without output: a redraw is complete
ESCAPE = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>78]")


def environment(**extra: str) -> dict[str, str]:
    """This checkout's package first, colours allowed, the test's private XDG folders."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env.update(PYTHONPATH=str(ROOT), TERM="xterm-256color", **extra)
    return env


def spawn(*args: str, cols: int = 80, rows: int = 24) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "voicecoach", *args],
        dimensions=(rows, cols),
        env=environment(),
        cwd=str(ROOT),
    )


def output_lines(*args: str, cols: int = 80, timeout: float = 60.0) -> list[str]:
    """Everything a command printed in a `cols`-wide terminal, as lines without escape
    sequences (a line longer than the terminal shows here as one long line)."""
    child = spawn(*args, cols=cols)
    data = _read_all(child, timeout)
    child.close()
    text = ESCAPE.sub(b"", data).decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").split("\n")


def _read_all(child: pexpect.spawn, timeout: float) -> bytes:
    chunks = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunks.append(child.read_nonblocking(65536, timeout=0.2))
        except pexpect.TIMEOUT:
            continue
        except pexpect.EOF:
            break
    return b"".join(chunks)


class Screen:
    """A running program on an 80x24 pseudo-terminal, and the screen it draws."""

    def __init__(self, *args: str, cols: int = 80, rows: int = 24) -> None:
        self.child = spawn(*args, cols=cols, rows=rows)
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = b""
        self.ended = False

    @property
    def text(self) -> str:
        return "\n".join(self.screen.display)

    def pump(self, seconds: float) -> str:
        """Read what the program draws for `seconds`; the screen then (a whole frame)."""
        self.wait_for(lambda text: False, seconds)
        self.wait_for(lambda text: True, 5.0)
        return self.text

    def wait_for(self, test: Callable[[str], bool], timeout: float) -> bool:
        """Read until `test(screen text)` holds (True) or `timeout` seconds pass (False).
        The screen is tested only when the output pauses, so never half-way through a
        redraw."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                data = self.child.read_nonblocking(65536, timeout=QUIET)
            except pexpect.TIMEOUT:
                if test(self.text):
                    return True
                continue
            except pexpect.EOF:
                self.ended = True
                return test(self.text)
            self.raw += data
            self.stream.feed(data)
        return False

    def wait_exit(self, timeout: float) -> int | None:
        """Read everything until the program exits; its exit status."""
        self.wait_for(lambda text: self.ended, timeout)
        assert self.ended, f"still running after {timeout} s"
        self.child.close()
        return self.child.exitstatus

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def close(self) -> None:
        self.child.close(force=True)
