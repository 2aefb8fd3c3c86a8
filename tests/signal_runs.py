"""Signal harness: `voicecoach start` as a real process on a pseudo-terminal (its keyboard
and its screen), a signal sent at a chosen moment, and everything it left behind.

`moment` is counted from the instant the process has installed its first handlers (seen in
/proc/PID/status: SIGHUP caught), the first lines of `voicecoach/__main__.py`: from there
on, while the program is still importing, a signal is the program's. Before that, Python
itself is starting up (its `site` imports), and the signal is Python's: see
`handlers_ready`, and bench/signals.py for how long that window is.

Each run returns its figures and leftovers without judging them; tests/test_signals.py
and the device tests assert on them. So: no pytest in here.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import signal
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OLD_LOG = '{"old": "a log from an earlier session"}\n'
# s from a signal to the last line printed or the last sound heard that the test suite
# accepts: a session that goes on talking exceeds it, a loaded machine does not. The
# target (0.1 s) is a benchmark: bench/signals.py measures it.
SILENT_WITHIN = 1.0
# s the harness waits for the process to end after the signal before it kills it: as
# every other wait of the harness (for the handlers, for the session to start), long
# enough that only a process that will not end reaches it, however loaded the machine.
# The exit's speed is `SignalRun.exit`, which bench/signals.py judges (at load 11 a
# session took up to 5.3 s to end; a fixed 20 s was within reach of a busier machine).
END_WITHIN = 60.0


@dataclass
class SignalRun:
    """One session stopped by a signal: what it printed when, and what it left."""

    signum: int
    moment: float  # s after the handlers were ready
    sent: float = 0.0  # perf_counter time the signal was sent
    code: int | None = None
    ready: float | None = None  # s from launch to handlers installed
    exit: float | None = None  # s from the signal to the process gone
    last_line: float | None = None  # s from the signal to the last line said (`said_line`)
    stderr: str = ""
    lines: list[tuple[float, str]] = field(default_factory=list)  # (perf time, line)
    log_text: str = ""
    leftovers: list[str] = field(default_factory=list)  # files in the temp and log folders
    terminal_restored: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log_text.splitlines()]

    def problems(self, printed_within: float = SILENT_WITHIN) -> list[str]:
        """Everything that is not how a signal must end a session (a line printed more
        than `printed_within` s after the signal counts as one)."""
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
            found.append("the terminal settings were not restored")
        screen = "\n".join(line for _, line in self.lines)
        for enter, leave, what in (
            ("\x1b[?1049h", "\x1b[?1049l", "the alternate screen (the panel) was not left"),
            ("\x1b[?25l", "\x1b[?25h", "the cursor was left hidden"),
        ):
            if screen.rfind(enter) > screen.rfind(leave):
                found.append(what)
        if self.last_line is not None and self.last_line > printed_within:
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


@contextlib.contextmanager
def seed_noted(seed: int) -> Iterator[None]:
    """Add "rerun with VOICECOACH_SIGNAL_SEED=<seed>" to any exception the block raises
    (a harness error, a timeout), so that a failure at random moments can be repeated."""
    try:
        yield
    except BaseException as exc:
        exc.add_note(f"random moments from seed {seed}: rerun with VOICECOACH_SIGNAL_SEED={seed}")
        raise


def _reason(signum: int) -> str:
    return {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}.get(
        signal.Signals(signum), "hangup"
    )


def handlers_ready(pid: int) -> bool:
    """Has process `pid` installed voicecoach's handlers (SIGHUP caught)? The first ones
    (`voicecoach/__main__.py`) or those of a session (`voicecoach.signals`)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) & (1 << (signal.SIGHUP - 1)))
    except OSError:
        pass
    return False


def _as_from_a_terminal() -> None:
    """In the child before it runs voicecoach: SIGHUP and SIGINT as a terminal's shell
    gives them. Tests run under `nohup` or as a background job inherit them ignored, and
    voicecoach rightly keeps an ignored signal ignored; its handlers would never come."""
    for signum in (signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, signal.SIG_DFL)


class Running:
    """`voicecoach start ARGS --log LOG` running on a pty (its keyboard and screen), its
    stderr read line by line; both kept with arrival times (perf_counter). LOG held an
    earlier session's log; TMPDIR and the XDG folders are private to `folder`."""

    def __init__(
        self, folder: Path, args: Sequence[str], env: dict[str, str] | None = None
    ) -> None:
        self.folder = folder
        self.logs, self.tmp = folder / "logs", folder / "tmp"
        self.logs.mkdir(parents=True)
        self.tmp.mkdir()
        self.log = self.logs / "run.jsonl"
        self.log.write_text(OLD_LOG)
        self.lines: list[tuple[float, str]] = []  # on the terminal
        self.errors: list[tuple[float, str]] = []  # on stderr
        master, slave = os.openpty()
        self._master: int | None = master
        self._slave: int | None = slave
        self.terminal = termios.tcgetattr(slave)
        environ = {**os.environ, **(env or {})}
        environ.update(PYTHONPATH=str(ROOT), TMPDIR=str(self.tmp), COLUMNS="200")
        # as in a desktop session: the sound library's runtime folder is not in TMPDIR
        runtime = folder / "xdg_runtime_dir"
        runtime.mkdir(mode=0o700)
        environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
        for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            environ.setdefault(name, str(folder / name.lower()))
        self.launched = time.perf_counter()
        self.ended: float | None = None  # perf_counter time the process was seen gone
        self.process = subprocess.Popen(
            [sys.executable, "-m", "voicecoach", "start", *args, "--log", str(self.log)],
            stdin=slave,
            stdout=slave,
            stderr=subprocess.PIPE,
            env=environ,
            cwd=folder,
            preexec_fn=_as_from_a_terminal,
        )
        assert self.process.stderr is not None
        self._stop = threading.Event()
        self._readers = [
            threading.Thread(
                target=_read_lines, args=(master, self.lines, self._stop), daemon=True
            ),
            threading.Thread(
                target=_read_lines,
                args=(self.process.stderr.fileno(), self.errors, threading.Event()),
                daemon=True,
            ),
        ]
        for reader in self._readers:
            reader.start()

    def hang_up(self) -> None:
        """Close the terminal, as when its window is closed (then send SIGHUP: the kernel
        does so only to the terminal's own session)."""
        self._stop.set()
        self._readers[0].join(timeout=2.0)  # a read in progress would keep it open
        if self._master is not None:
            os.close(self._master)
            self._master = None
        os.close(self._slave)
        self._slave = None

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Seconds from launch until the handlers are installed (or `timeout` passed, or
        the process ended: `handlers_ready` tells which)."""
        deadline = time.monotonic() + timeout
        while not handlers_ready(self.process.pid) and self.process.poll() is None:
            if time.monotonic() > deadline:
                break
            time.sleep(0.001)
        return time.perf_counter() - self.launched

    def wait_for_line(self, text: str, timeout: float) -> float | None:
        """When a terminal or stderr line containing `text` arrived, or None."""
        deadline = time.monotonic() + timeout
        while True:
            found = [t for t, line in [*self.lines, *self.errors] if text in line]
            if found:
                return min(found)
            if time.monotonic() > deadline or self.process.poll() is not None:
                return None
            time.sleep(0.01)

    def records(self) -> list[dict[str, Any]]:
        """The log's whole lines so far (once the session has replaced the old log)."""
        text = self.log.read_text(encoding="utf-8") if self.log.exists() else ""
        if text == OLD_LOG:
            return []
        return [json.loads(line) for line in text.split("\n")[:-1]]

    def finish(self, timeout: float) -> tuple[int, bool]:
        """Wait for the end (kill it after `timeout` s): its exit code and whether the
        terminal settings are as they were before it started."""
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.ended = time.perf_counter()
        restored = True
        if self._slave is not None:
            restored = termios.tcgetattr(self._slave) == self.terminal
            os.close(self._slave)
        for reader in self._readers:
            reader.join(timeout=2.0)
        if self._master is not None:
            os.close(self._master)
        assert self.process.stderr is not None
        self.process.stderr.close()
        return code, restored

    @property
    def stderr(self) -> str:
        return "\n".join(line for _, line in self.errors)

    def leftovers(self) -> list[str]:
        """Files in the private temp folder, and in the log's folder besides the log."""
        found = [*self.tmp.rglob("*"), *(p for p in self.logs.iterdir() if p != self.log)]
        return sorted(str(p.relative_to(self.folder)) for p in found)


_SAID = re.compile(r"\[\d\d:\d\d\] ")  # "[01:23] Toe Walking · set 1 of 6 · ..."


def said_line(line: str, args: Sequence[str]) -> bool:
    """Whether a terminal line is something the coach says, as the plain transcript prints
    it (`--quiet-screen`). The live panel draws what is said among escape sequences, and
    as it ends leaves the last words said on the terminal, on purpose, after a signal too:
    its lines are not counted (the device tests hear the coach fall silent instead)."""
    return "--quiet-screen" in args and _SAID.match(line) is not None


def maps_library(pid: int, name: str) -> bool:
    """Has process `pid` loaded a shared library whose file name contains `name`?"""
    try:
        with open(f"/proc/{pid}/maps") as maps:
            return any(name in line for line in maps)
    except OSError:
        return False


def run_with_signal(
    folder: Path,
    args: Sequence[str],
    signum: int,
    moment: float,
    env: dict[str, str] | None = None,
    timeout: float = END_WITHIN,
    after_start: bool = False,
    after_library: str | None = None,
) -> SignalRun:
    """`voicecoach start ARGS` (see `Running`), `signum` sent `moment` s after its handlers
    are ready (`after_start`: after the session has started, its log header written;
    `after_library`: after it has loaded that shared library, e.g. "libportaudio": the
    signal then lands while the library starts)."""
    run = SignalRun(signum, moment)
    coach = Running(folder, args, env)
    run.ready = coach.wait_ready()
    if coach.process.poll() is None and not handlers_ready(coach.process.pid):
        run.notes.append(f"its signal handlers were not installed within {run.ready:.0f} s")
    if after_library is not None:
        deadline = time.monotonic() + 60.0
        while not maps_library(coach.process.pid, after_library):
            if time.monotonic() > deadline or coach.process.poll() is not None:
                run.notes.append(f"{after_library} was not loaded within 60 s")
                break
            time.sleep(0.0005)
    if after_start:
        deadline = time.monotonic() + 60.0
        while not coach.records() and coach.process.poll() is None:
            if time.monotonic() > deadline:
                run.notes.append("the session did not start within 60 s")
                break
            time.sleep(0.01)
    time.sleep(moment)
    run.sent = time.perf_counter()
    if coach.process.poll() is None:
        coach.process.send_signal(signum)
    else:
        run.notes.append("the process had already ended")
    run.code, run.terminal_restored = coach.finish(timeout)
    run.exit = coach.ended - run.sent
    if run.exit > timeout:
        run.notes.append(f"still running {timeout} s after the signal: killed")
    run.stderr = coach.stderr
    run.lines = coach.lines
    after = [t - run.sent for t, line in coach.lines if t > run.sent and said_line(line, args)]
    run.last_line = max(after) if after else None
    run.log_text = coach.log.read_text(encoding="utf-8") if coach.log.exists() else ""
    run.leftovers = coach.leftovers()
    return run


@dataclass
class LiveRun:
    """A real-audio session stopped by a signal, its speaker recorded meanwhile."""

    run: SignalRun
    cut: float | None  # s from the signal to the end of the last sound (None: no sound)

    @property
    def talking(self) -> bool:
        """Was the coach heard at most 0.5 s before the signal (or after it)?"""
        return self.cut is not None and self.cut > -0.5


def run_live(
    server: Any, folder: Path, args: Sequence[str], signum: int, moment: float, after_start: bool
) -> LiveRun:
    """`run_with_signal` on the private PulseAudio `server` (tests/pulse.py), its speaker's
    monitor recorded: when did the last sound end, relative to the signal?"""
    import e2e_helpers as e2e

    with server.record() as recording:
        run = run_with_signal(
            folder, args, signum, moment, env=server.environ(), after_start=after_start
        )
        time.sleep(0.2)  # the monitor's last chunk is on its way
    end = e2e.last_sound_end(recording.samples)
    cut = None if end is None else recording.time_of(end) - run.sent
    return LiveRun(run, cut)


def _read_lines(fd: int, lines: list[tuple[float, str]], stop: threading.Event) -> None:
    """Everything the process prints on `fd`, line by line, with arrival times (until
    `stop` is set)."""
    pending = b""
    while not stop.is_set():
        try:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if not ready:
                continue
            data = os.read(fd, 4096)
        except OSError:  # the last holder of the terminal closed it
            break
        if not data:
            break
        now = time.perf_counter()
        *done, pending = (pending + data).split(b"\n")
        lines.extend((now, line.decode("utf-8", "replace")) for line in done)
    if pending:
        lines.append((time.perf_counter(), pending.decode("utf-8", "replace")))
