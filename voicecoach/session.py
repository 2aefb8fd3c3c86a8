"""The session runtime: clocks, the JSON Lines log, and the two main loops.

- Real time (`run_realtime`): one queue receives every input (keys, heard commands from the
  ears thread); the main loop waits on it with a timeout until the engine's next deadline,
  then ticks. Speech is queued on the voice ahead of time, so a slow loop never delays it.
- Virtual time (`run_fast`, `--fast`): the clock jumps from deadline to deadline. With a
  `--listen-file`, the file's audio drives the clock: before each chunk the engine is ticked
  up to the chunk's end, the coach's own output is mixed in (`--echo`), and what the
  recognizer detects becomes `Heard` at that time; after the file, the virtual clock runs on.

`voicecoach.bootstrap` builds the pieces; nothing here parses options.
"""

from __future__ import annotations

import heapq
import json
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.engine.runner import Runner
from voicecoach.errors import UsageError
from voicecoach.intents import Intent
from voicecoach.messages import Heard, Tick
from voicecoach.ports import MIC_RATE, AudioSource, Detection, Recognizer

IDLE_WAIT = 0.25  # s: the longest the real-time loop blocks (keeps Ctrl-C responsive)


class RealClock:
    """Seconds since the session began, from the monotonic clock."""

    def __init__(self) -> None:
        self._t0 = time.monotonic()

    def now(self) -> float:
        return time.monotonic() - self._t0


class LogWriter:
    """`--log FILE`: one JSON object per line, flushed per line (Ctrl-C leaves it whole)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._file = self.path.open("w", encoding="utf-8")
        except OSError as exc:
            raise LogError(f"cannot write the log {self.path}: {exc.strerror}") from None

    def __call__(self, rec: dict[str, Any]) -> None:
        if self._file.closed:
            return
        self._file.write(json.dumps(rec, ensure_ascii=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


class LogError(UsageError):
    def __init__(self, message: str) -> None:
        super().__init__(message, "check the folder exists and is writable")


@dataclass
class Ears:
    """Speech input for a session: a source, a recognizer, and for replays the coach's own
    output to mix into the microphone (`mix(chunk, t0) -> chunk`)."""

    recognizer: Recognizer
    source: AudioSource
    mix: Callable[[np.ndarray, float], np.ndarray] | None = None

    def close(self) -> None:
        self.source.close()


# ------------------------------------------------------------------------- virtual time


def run_fast(runner: Runner, ears: Ears | None = None) -> None:
    """As fast as the CPU allows; a listen file's audio drives the clock while it lasts."""
    runner.start()
    if ears is not None:
        end = 0.0
        for t0, chunk in ears.source.chunks():
            end = t0 + len(chunk) / MIC_RATE
            runner.run_until(end)  # what the speaker plays during the chunk is now queued
            if runner.ended:
                break
            if ears.mix is not None:
                chunk = ears.mix(chunk, t0)
            _hear_all(runner, ears.recognizer.accept(chunk, t0))
        if not runner.ended:
            _hear_all(runner, ears.recognizer.flush(end))
    runner.run_to_end()


def _hear_all(runner: Runner, detections: list[Detection]) -> None:
    for det in detections:
        if runner.ended:
            return
        runner.run_until(det.t)  # no-op for a detection inside the chunk just ticked
        runner.dispatch(Heard(runner.clock.now(), det.intent, det.text, "voice"))


# ------------------------------------------------------------------------- real time


@dataclass(frozen=True)
class KeyPress:
    char: str


@dataclass(frozen=True)
class EarsFailed:
    error: Exception


Inbox = queue.Queue  # of KeyPress | Detection | EarsFailed


def listen(ears: Ears, inbox: Inbox, stop: threading.Event) -> None:
    """The ears thread: audio in, detections onto the inbox. Errors go there too."""
    try:
        for t0, chunk in ears.source.chunks():
            if stop.is_set():
                return
            if ears.mix is not None:
                chunk = ears.mix(chunk, t0)
            for det in ears.recognizer.accept(chunk, t0):
                inbox.put(det)
    except Exception as exc:  # reported once by the main loop; the keys keep working
        inbox.put(EarsFailed(exc))


def run_realtime(
    runner: Runner,
    inbox: Inbox,
    intent_for_key: Callable[[str, bool, bool], Intent | None],
    warn: Callable[[str], None] = print,
) -> None:
    """Wait for input until the next deadline, tick, repeat, until the session ends."""
    runner.start()
    while not runner.ended:
        deadline = runner.state.next_deadline
        now = runner.clock.now()
        timeout = IDLE_WAIT if deadline is None else min(IDLE_WAIT, max(0.0, deadline - now))
        try:
            item = inbox.get(timeout=timeout)
        except queue.Empty:
            if deadline is not None and runner.clock.now() >= deadline:
                runner.dispatch(Tick(runner.clock.now()))
            continue
        _handle(runner, item, intent_for_key, warn)


def _handle(
    runner: Runner,
    item: object,
    intent_for_key: Callable[[str, bool, bool], Intent | None],
    warn: Callable[[str], None],
) -> None:
    if isinstance(item, KeyPress):
        state = runner.state
        intent = intent_for_key(item.char, state.paused, state.confirming)
        if intent is not None:
            runner.hear(intent, f"key {item.char!r}", "keys")
    elif isinstance(item, Detection):
        runner.hear(item.intent, item.text, "voice")
    elif isinstance(item, EarsFailed):
        warn(f"voicecoach: voice commands stopped ({item.error}); the keys still work")


# ------------------------------------------------------------------------- --text, live


class PacedPrinter:
    """Real-time `--text`: each line appears when its sound would start, not when it is
    queued (a whole setup is queued at once); an interrupt drops the lines it cancels."""

    def __init__(self, clock: Any, out: Callable[[str], None] = print) -> None:
        self._clock = clock
        self._out = out
        self._cond = threading.Condition()
        self._lines: list[tuple[float, int, str]] = []
        self._seq = 0
        self._closed = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def write(self, at: float, line: str) -> None:
        with self._cond:
            heapq.heappush(self._lines, (at, self._seq, line))
            self._seq += 1
            self._cond.notify()

    def cancel_from(self, at: float) -> None:
        with self._cond:
            self._lines = [item for item in self._lines if item[0] < at]
            heapq.heapify(self._lines)

    def close(self, flush: bool = True) -> None:
        """Stop; with `flush`, print what is still waiting (the session ended normally)."""
        with self._cond:
            self._closed = True
            rest = [heapq.heappop(self._lines)[2] for _ in range(len(self._lines))]
            self._cond.notify()
        self._thread.join(timeout=1.0)
        if flush:
            for line in rest:
                self._out(line)

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._closed:
                    return
                now = self._clock.now()
                if not self._lines or self._lines[0][0] > now:
                    wait = IDLE_WAIT if not self._lines else self._lines[0][0] - now
                    self._cond.wait(timeout=min(IDLE_WAIT, wait))
                    continue
                line = heapq.heappop(self._lines)[2]
            self._out(line)


class InterruptTap:
    """A Voice that also tells `on_interrupt` when it is interrupted (for PacedPrinter)."""

    def __init__(self, voice: Any, on_interrupt: Callable[[float], None]) -> None:
        self.inner = voice
        self._on_interrupt = on_interrupt

    def say(self, text: str, at: float) -> float:
        return self.inner.say(text, at)

    def cue(self, name: str, at: float) -> float:
        return self.inner.cue(name, at)

    def interrupt(self, at: float) -> None:
        self._on_interrupt(at)
        self.inner.interrupt(at)

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:  # prerender, unplayed, ...
        return getattr(self.inner, name)
