"""A private PulseAudio with virtual devices, for the `@pytest.mark.device` tests.

Import the fixtures from tests/conftest.py (`from tests.pulse import pulse, pulse_server`
or `pytest_plugins = ["tests.pulse"]`). The server runs in a temp dir, never touches a
user's sound setup, and has:
- sink `speaker` (the default sink): what the coach says; record it from `speaker.monitor`;
- sink `micsink` and source `vmic` (the default source, a remap of `micsink.monitor`):
  play a WAV into `micsink` and it "comes out of the microphone".

Null sinks sleep up to 2 s per cycle while no client asks for low latency, which would
delay every first sound by up to 2 s; a silent low-latency recorder on each sink's monitor
("keeper") keeps them running at 10 ms for the whole session.

`pulse_server` (session scope) starts it once; `pulse` (function scope) exports
PULSE_SERVER, PULSE_RUNTIME_PATH and PULSE_STATE_PATH into os.environ for one test, makes
PortAudio enumerate devices again (it does so only at import), and restores both after.
Tests must close their audio streams before they end.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

PULSE_VARS = ("PULSE_SERVER", "PULSE_RUNTIME_PATH", "PULSE_STATE_PATH")
START_TIMEOUT = 10.0  # seconds for the daemon to accept clients
WAKE_TIMEOUT = 5.0  # seconds for a null sink to start its 10 ms cycle (normally <= 2 s)


class Recording:
    """What a monitor recorded: float32 `samples` at `rate`, with arrival times to map a
    sample index onto time.perf_counter()."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._chunks: list[bytes] = []
        self._marks: list[tuple[float, int]] = []  # (arrival time, samples so far)
        self._count = 0

    def add(self, data: bytes, arrived: float) -> None:
        self._chunks.append(data)
        self._count += len(data) // 4
        self._marks.append((arrived, self._count))

    @property
    def samples(self) -> np.ndarray:
        return np.frombuffer(b"".join(self._chunks), dtype="<f4")

    def time_of(self, index: int) -> float:
        """perf_counter() time at which sample `index` was captured, an upper bound: each
        chunk arrives after its last sample was captured, the earliest arrival is closest."""
        if not self._marks:
            raise ValueError("nothing was recorded")
        start = min(t - n / self.rate for t, n in self._marks)
        return start + index / self.rate


class PulseServer:
    """One private pulseaudio process (owned: started and killed by pid) and its env."""

    def __init__(self, root: Path, keep_awake: bool = True) -> None:
        self.root = root
        self.keep_awake = keep_awake
        self.env = {
            "PULSE_SERVER": f"unix:{root / 'native'}",
            "PULSE_RUNTIME_PATH": str(root / "run"),
            "PULSE_STATE_PATH": str(root / "state"),
        }
        self._process: subprocess.Popen[bytes] | None = None
        self._helpers: list[tuple[subprocess.Popen[bytes], threading.Thread]] = []

    def start(self) -> None:
        for sub in ("run", "state"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        with (self.root / "pulseaudio.log").open("wb") as log:
            self._process = self._daemon(log)
        self._wait_ready()
        self.pactl("set-default-sink", "speaker")
        self.pactl("set-default-source", "vmic")
        if self.keep_awake:
            self._keep_awake(["speaker.monitor", "micsink.monitor"])

    def _daemon(self, log) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                "pulseaudio",
                "--daemonize=no",
                "-n",
                "--exit-idle-time=-1",
                "--use-pid-file=no",
                "-L",
                f"module-native-protocol-unix socket={self.root / 'native'} auth-anonymous=1",
                "-L",
                "module-null-sink sink_name=speaker",
                "-L",
                "module-null-sink sink_name=micsink",
                "-L",
                "module-remap-source source_name=vmic master=micsink.monitor",
            ],
            env=self.environ(),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )

    def stop(self) -> None:
        for helper, reader in self._helpers:
            _end(helper, reader)
        self._helpers.clear()
        if self._process is not None:
            _end(self._process)
            self._process = None

    def kill(self) -> None:
        """Kill the server without warning: a sound device lost mid-session."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None

    def pactl(self, *args: str) -> str:
        done = subprocess.run(
            ["pactl", *args], env=self.environ(), capture_output=True, text=True, timeout=10
        )
        if done.returncode != 0:
            raise RuntimeError(f"pactl {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def play(self, wav: str | os.PathLike[str], sink: str = "micsink") -> None:
        """Play a WAV into `sink` and wait for it to end (micsink = into the microphone)."""
        subprocess.run(["paplay", "-d", sink, str(wav)], env=self.environ(), check=True, timeout=60)

    @contextmanager
    def record(self, source: str = "speaker.monitor", rate: int = 16_000) -> Iterator[Recording]:
        """Record `source` (float32 mono) while the block runs, with arrival timestamps."""
        recording = Recording(rate)
        process = self._parec(source, rate)
        reader = threading.Thread(target=_drain, args=(process, recording), daemon=True)
        reader.start()
        try:
            _first_data(recording, WAKE_TIMEOUT)
            yield recording
        finally:
            time.sleep(0.05)  # the last chunk is still on its way
            _end(process, reader)

    def _parec(self, source: str, rate: int) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                "parec",
                "-d",
                source,
                f"--rate={rate}",
                "--channels=1",
                "--format=float32le",
                "--latency-msec=10",
            ],
            env=self.environ(),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def _keep_awake(self, sources: list[str]) -> None:
        keepers = [self._parec(source, 8000) for source in sources]
        readers = [threading.Thread(target=_discard, args=(k,), daemon=True) for k in keepers]
        self._helpers.extend(zip(keepers, readers, strict=True))
        waiting = {keeper.stdout: source for keeper, source in zip(keepers, sources, strict=True)}
        deadline = time.monotonic() + WAKE_TIMEOUT
        while waiting:  # all null sinks wake within one cycle (<= 2 s) of each other
            ready, _, _ = select.select(
                list(waiting), [], [], max(0.0, deadline - time.monotonic())
            )
            if not ready:
                raise RuntimeError(f"{', '.join(waiting.values())} deliver no audio")
            for stream in ready:
                del waiting[stream]
        for reader in readers:
            reader.start()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert self._process is not None
            if self._process.poll() is not None:
                log = (self.root / "pulseaudio.log").read_text(errors="replace")
                raise RuntimeError(f"pulseaudio exited at start:\n{log}")
            probe = subprocess.run(["pactl", "info"], env=self.environ(), capture_output=True)
            if probe.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError("pulseaudio did not start accepting clients")
            time.sleep(0.05)

    def environ(self) -> dict[str, str]:
        """os.environ plus this server's variables: the env for a process that uses it."""
        return {**os.environ, **self.env}


def _drain(process: subprocess.Popen[bytes], recording: Recording) -> None:
    assert process.stdout is not None
    while True:
        data = process.stdout.read1(4096)
        if not data:
            return
        recording.add(data, time.perf_counter())


def _discard(process: subprocess.Popen[bytes]) -> None:
    assert process.stdout is not None
    while process.stdout.read1(65536):
        pass


def _first_data(recording: Recording, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not recording._marks:
        if time.monotonic() > deadline:
            raise RuntimeError("the recorder delivers no audio")
        time.sleep(0.01)


def _end(process: subprocess.Popen[bytes], reader: threading.Thread | None = None) -> None:
    """Stop `process`, let `reader` see the end of its output, then close the pipe."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if reader is not None and reader.is_alive():
        reader.join(timeout=5)
    if process.stdout is not None:
        process.stdout.close()


def start_server(root: Path, keep_awake: bool = True) -> PulseServer:
    """A running private server under `root` (skips the test when pulseaudio is missing).
    `keep_awake=False` saves the ~2 s its null sinks take to wake, for tests that do not
    listen to what plays."""
    missing = [
        tool for tool in ("pulseaudio", "pactl", "parec", "paplay") if not shutil.which(tool)
    ]
    if missing:
        pytest.skip(
            f"device tests need PulseAudio ({', '.join(missing)} not installed: "
            "apt-get install pulseaudio pulseaudio-utils)"
        )
    server = PulseServer(root, keep_awake)
    try:
        server.start()
    except (RuntimeError, OSError):
        server.stop()
        raise
    return server


@contextmanager
def exported(server: PulseServer) -> Iterator[PulseServer]:
    """`server`'s variables in os.environ (and PortAudio's device list) for the block."""
    saved = {name: os.environ.get(name) for name in PULSE_VARS}
    os.environ.update(server.env)
    _refresh_portaudio()
    try:
        yield server
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _refresh_portaudio()


def _refresh_portaudio() -> None:
    """PortAudio lists devices once, at initialisation: re-initialise it if loaded."""
    sd = sys.modules.get("sounddevice")
    if sd is not None:
        sd._terminate()
        sd._initialize()


@pytest.fixture(scope="session")
def pulse_server() -> Iterator[PulseServer]:
    with tempfile.TemporaryDirectory(prefix="voicecoach-pulse-") as root:
        server = start_server(Path(root))
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def pulse(pulse_server: PulseServer) -> Iterator[PulseServer]:
    with exported(pulse_server) as server:
        yield server
