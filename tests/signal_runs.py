"""Signal harness: `voicecoach start` as a real process on a pseudo-terminal (its keyboard
and its screen), a signal sent at a chosen moment, and everything it left behind.

`moment` is counted from the instant the process has installed its handlers (seen in
/proc/PID/status: SIGHUP caught). Before that, Python itself is starting up (its `site`
imports), and the signal is Python's, not the program's: see `handlers_ready`.

Each run returns its figures and leftovers without judging them; tests/test_signals.py
and the device tests assert on them. So: no pytest in here.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OLD_LOG = '{"old": "a log from an earlier session"}\n'


@dataclass
class SignalRun:
    """One session stopped by a signal: what it printed when, and what it left."""

    signum: int
    moment: float  # s after the handlers were ready
    code: int | None = None
    ready: float | None = None  # s from launch to handlers installed
    exit: float | None = None  # s from the signal to the process gone
    last_line: float | None = None  # s from the signal to the last line printed ("coach: ...")
    stderr: str = ""
    lines: list[tuple[float, str]] = field(default_factory=list)  # (perf time, line)
    log_text: str = ""
    leftovers: list[str] = field(default_factory=list)  # files in the temp and log folders
    terminal_restored: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log_text.splitlines()]

    def problems(self) -> list[str]:
        """Everything that is not how a signal must end a session."""
        found = []
        name = signal.Signals(self.signum).name
        if self.code != 128 + self.signum:
            found.append(f"exit code {self.code}, not {128 + self.signum}")
        if "Traceback" in self.stderr:
            found.append(f"a traceback: {self.stderr[-400:]}")
        found += self._log_problems()
        if self.leftovers:
            found.append(f"files left behind: {self.leftovers}")
        if not self.terminal_restored:
            found.append("the terminal was not restored")
        if self.last_line is not None and self.last_line > 0.1:
            found.append(f"printed {self.last_line * 1000:.0f} ms after the signal")
        return [f"{name} at {self.moment:.2f} s: {p}" for p in found]

    def _log_problems(self) -> list[str]:
        if self.log_text == OLD_LOG:
            return []  # came before the session began: the old log is untouched
        if not self.log_text.endswith("\n"):
            return ["the log's last line is cut"]
        try:
            records = self.records
        except json.JSONDecodeError:
            return ["the log has a line that is not JSON"]
        end = records[-1] if records else {}
        want = {"type": "end", "completed": False, "reason": _reason(self.signum)}
        if {k: end.get(k) for k in want} != want:
            return [f"the log does not end with {want}: {end}"]
        return []

    @property
    def session_began(self) -> bool:
        return self.log_text != OLD_LOG


def _reason(signum: int) -> str:
    return {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}.get(
        signal.Signals(signum), "hangup"
    )


def handlers_ready(pid: int) -> bool:
    """Has process `pid` installed voicecoach's handlers (SIGHUP caught)?"""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) & (1 << (signal.SIGHUP - 1)))
    except OSError:
        pass
    return False


def run_with_signal(
    folder: Path,
    args: Sequence[str],
    signum: int,
    moment: float,
    env: dict[str, str] | None = None,
    timeout: float = 20.0,
) -> SignalRun:
    """`voicecoach start ARGS --log LOG` on a pty, `signum` sent `moment` s after its
    handlers are ready; LOG held an earlier session's log, TMPDIR is a private folder."""
    run = SignalRun(signum, moment)
    logs, tmp = folder / "logs", folder / "tmp"
    logs.mkdir(parents=True)
    tmp.mkdir()
    log = logs / "run.jsonl"
    log.write_text(OLD_LOG)
    master, slave = os.openpty()
    before = termios.tcgetattr(slave)
    environ = {**os.environ, **(env or {})}
    environ.update(PYTHONPATH=str(ROOT), TMPDIR=str(tmp), COLUMNS="200")
    for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        environ.setdefault(name, str(folder / name.lower()))
    launched = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "voicecoach", "start", *args, "--log", str(log)],
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=environ,
        cwd=folder,
    )
    reader = threading.Thread(target=_read_lines, args=(master, run.lines), daemon=True)
    reader.start()
    try:
        while not handlers_ready(process.pid) and process.poll() is None:
            time.sleep(0.001)
        run.ready = time.perf_counter() - launched
        time.sleep(moment)
        sent = time.perf_counter()
        if process.poll() is None:
            process.send_signal(signum)
        else:
            run.notes.append("the process had already ended")
        try:
            _, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
            run.notes.append(f"still running {timeout} s after the signal: killed")
        run.exit = time.perf_counter() - sent
        run.code = process.returncode
        run.stderr = err.decode("utf-8", "replace")
        run.terminal_restored = termios.tcgetattr(slave) == before
    finally:
        os.close(slave)
        reader.join(timeout=2.0)
        os.close(master)
    printed = [t for t, line in run.lines if "coach:" in line]
    after = [t - sent for t in printed if t > sent]
    run.last_line = max(after) if after else None
    run.log_text = log.read_text(encoding="utf-8") if log.exists() else ""
    run.leftovers = sorted(
        str(p.relative_to(folder)) for p in [*tmp.rglob("*"), *logs.iterdir()] if p != log
    )
    return run


def _read_lines(master: int, lines: list[tuple[float, str]]) -> None:
    """Everything the process prints on its terminal, line by line, with arrival times."""
    pending = b""
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # the last holder of the terminal closed it
            break
        if not data:
            break
        now = time.perf_counter()
        *done, pending = (pending + data).split(b"\n")
        lines.extend((now, line.decode("utf-8", "replace")) for line in done)
    if pending:
        lines.append((time.perf_counter(), pending.decode("utf-8", "replace")))
