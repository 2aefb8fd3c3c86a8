"""What the coach says, as plain lines (`voicecoach.screen.lines`), paced in real time."""

from __future__ import annotations

import contextlib
import heapq
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

from voicecoach.engine import State
from voicecoach.outfiles import stdout_to_devnull
from voicecoach.ports import Clock
from voicecoach.records import (
    CueRecord,
    EndRecord,
    HeardRecord,
    InterruptRecord,
    Record,
    SayRecord,
    SessionRecord,
    StateRecord,
)
from voicecoach.screen import lines
from voicecoach.signals import SIGNALS

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
            if SIGNALS.arrived():  # the watcher may not have run yet: print nothing more
                return
            self._out(line)


class Pacer(Protocol):
    """What the Printer needs of a PacedPrinter: lines at their time, and cut from one."""

    def write(self, at: float, line: str) -> None: ...

    def cancel_from(self, at: float) -> None: ...


class Printer:
    """A SessionObserver that prints the plain transcript: one line per utterance,
    `[01:05] Heel Raises · set 2 of 3 · left · Hold`, and the commands heard
    (`[01:07] heard: pause (keys)`); cues only with `cues`, as the words "beep"/"tick"
    (`voicecoach.screen.lines`). In real time each line goes through a PacedPrinter, so
    it shows when it is heard, and an interrupt drops the lines it cancels. Its lines come
    from the records alone, whatever the voice is (a lost device loses no line)."""

    def __init__(
        self,
        out: Callable[[str], None],
        paced: Pacer | None = None,
        *,
        cues: bool = False,
    ) -> None:
        self.out = out
        self.paced = paced
        self.cues = cues
        self._place: str | None = None  # where the session stood after the last step

    def started(self, header: SessionRecord) -> None:
        pass

    def update(self, state: State, records: Sequence[Record], now: float) -> None:
        now_place = lines.place(state)
        place = now_place if self._place is None else self._place  # before this step
        self._place = now_place
        heard: list[tuple[float, str]] = []  # an interrupt cuts speech, not what was heard
        for record in records:  # each line where the session stood when it was said
            if isinstance(record, StateRecord):
                place = lines.place_of(state, record)
            elif isinstance(record, SayRecord):
                self._write(record.t, lines.line(record.t, place, record.text))
            elif isinstance(record, CueRecord) and self.cues:
                self._write(record.t, lines.line(record.t, place, lines.cue_word(record.name)))
            elif isinstance(record, HeardRecord):
                text = lines.heard_text(record.intent, record.source)
                heard.append((record.t, lines.line(record.t, "", text)))
                self._write(*heard[-1])
            elif isinstance(record, InterruptRecord) and self.paced is not None:
                self.paced.cancel_from(record.t)
                for t, line in heard:
                    if t >= record.t:
                        self.paced.write(t, line)

    def ended(self, end: EndRecord, state: State) -> None:
        if end.reason not in ("completed", "stopped"):
            print_summary(end, self.out)  # else it was just printed as said

    def _write(self, at: float, line: str) -> None:
        if self.paced is not None:
            self.paced.write(at, line)
        else:
            self.out(line)


class SummaryPrinter:
    """A SessionObserver for a session that does not print what the coach says: at the
    end it prints the summary the coach said."""

    def __init__(self, out: Callable[[str], None]) -> None:
        self.out = out

    def started(self, header: SessionRecord) -> None:
        pass

    def update(self, state: State, records: Sequence[Record], now: float) -> None:
        pass

    def ended(self, end: EndRecord, state: State) -> None:
        print_summary(end, self.out)


def print_summary(end: EndRecord, out: Callable[[str], None]) -> None:
    if end.summary:
        out(lines.summary(end))


def stdout_lines() -> Callable[[str], None]:
    """`print`, for a stdout that may be closed under the session (`... | head`): once a
    write finds the pipe closed, the transcript stops and the session goes on (the log,
    the history and the voice are not the terminal's business); stdout then points at
    os.devnull so the interpreter's last flush has nothing to complain about."""
    closed = False

    def write(line: str) -> None:
        nonlocal closed
        if closed:
            return
        try:
            print(line, flush=True)
        except BrokenPipeError:
            closed = True
            stdout_to_devnull()
        except OSError as exc:  # `> file` on a disk that filled up: say it once, go on
            closed = True
            stdout_to_devnull()
            with contextlib.suppress(OSError, ValueError):
                print(
                    f"voicecoach: cannot write the transcript ({exc.strerror}); the session "
                    "goes on",
                    file=sys.stderr,
                )

    return write
