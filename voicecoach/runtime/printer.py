"""What the coach says, on the terminal: `[01:05] coach: Hold`, paced in real time."""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Sequence

from voicecoach.engine import State
from voicecoach.ports import Clock
from voicecoach.records import (
    CueRecord,
    EndRecord,
    HeardRecord,
    InterruptRecord,
    Record,
    SayRecord,
    SessionRecord,
)

IDLE_WAIT = 0.25  # s: the longest the printer thread blocks


class PacedPrinter:
    """Real-time `--text`: each line appears when its sound would start, not when it is
    queued (a whole setup is queued at once); an interrupt drops the lines it cancels."""

    def __init__(self, clock: Clock, out: Callable[[str], None] = print) -> None:
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

    def hush(self) -> None:
        """Print nothing more, from now on (any thread: a signal's watcher)."""
        with self._cond:
            self._closed = True
            self._lines = []
            self._cond.notify()

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


class Printer:
    """A SessionObserver that prints what the coach says with its session time
    ("[01:05] coach: Hold") and what it heard ("[01:07] you: pause (keys)"). In real time
    each line goes through a PacedPrinter, so it shows when it is heard, and an interrupt
    drops the lines it cancels."""

    def __init__(
        self, clock: Clock, out: Callable[[str], None], paced: PacedPrinter | None = None
    ) -> None:
        self.clock = clock
        self.out = out
        self.paced = paced

    def started(self, header: SessionRecord) -> None:
        pass

    def update(self, state: State, records: Sequence[Record], now: float) -> None:
        for record in records:
            if isinstance(record, SayRecord):
                self._coach(record.t, record.text)
            elif isinstance(record, CueRecord):
                self._coach(record.t, f"[{record.name}]")
            elif isinstance(record, InterruptRecord) and self.paced is not None:
                self.paced.cancel_from(record.t)
            elif isinstance(record, HeardRecord):
                self.out(f"[{clock_text(record.t)}] you: {record.intent} ({record.source})")

    def ended(self, end: EndRecord, state: State) -> None:
        pass

    def now(self, line: str) -> None:
        """Print `line` stamped with the time now (a voice that fell back to text)."""
        self.out(f"[{clock_text(self.clock.now())}] {line}")

    def _coach(self, at: float, text: str) -> None:
        line = f"[{clock_text(at)}] coach: {text}"
        if self.paced is not None:
            self.paced.write(at, line)
        else:
            self.out(line)


def clock_text(t: float) -> str:
    minutes, seconds = divmod(max(0, int(t)), 60)
    return f"{minutes:02d}:{seconds:02d}"
