"""What the coach says, on the terminal: `[01:05] coach: Hold`, paced in real time."""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable
from typing import Any

IDLE_WAIT = 0.25  # s: the longest the printer thread blocks


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
