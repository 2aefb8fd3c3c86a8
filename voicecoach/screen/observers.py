"""The two ways a session shows itself, as session observers: the live panel (stdout is
a terminal) and the plain transcript (piped, CI, `--fast`, `--quiet-screen`).

Both are called on the main-loop thread after every engine dispatch; they only hand
facts on (the panel redraws on its own thread; the transcript is paced by a printer
thread in real time), so neither delays speech or timing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from voicecoach.engine.state import State
from voicecoach.records import (
    CueRecord,
    EndRecord,
    HeardRecord,
    InterruptRecord,
    Record,
    SayRecord,
    SessionRecord,
)
from voicecoach.screen import lines
from voicecoach.screen.live import LiveScreen


class LinePrinter(Protocol):
    """Where transcript lines go: at once (`--fast`) or when their sound starts."""

    def write(self, at: float, line: str) -> None: ...

    def cancel_from(self, at: float) -> None: ...


class Immediate:
    """A LinePrinter that prints every line at once (virtual time)."""

    def __init__(self, out: Callable[[str], None]) -> None:
        self._out = out

    def write(self, at: float, line: str) -> None:
        self._out(line)

    def cancel_from(self, at: float) -> None:
        pass  # already printed: a virtual session's transcript is what was queued


class Transcript:
    """`[mm:ss] exercise · set · side · what is said`, one line per utterance; cues as
    the words "beep"/"tick" only with `cues`; the commands heard."""

    def __init__(self, printer: LinePrinter, *, cues: bool = False) -> None:
        self._printer = printer
        self._cues = cues

    def started(self, header: SessionRecord) -> None:
        pass

    def update(self, state: State, records: Sequence[Record], now: float) -> None:
        place = lines.place(state)
        heard: list[tuple[float, str]] = []  # an interrupt cuts speech, not what was heard
        for rec in records:
            if isinstance(rec, SayRecord):
                self._printer.write(rec.t, lines.line(rec.t, place, rec.text))
            elif isinstance(rec, CueRecord) and self._cues:
                self._printer.write(rec.t, lines.line(rec.t, place, lines.cue_word(rec.name)))
            elif isinstance(rec, HeardRecord):
                text = lines.heard_text(rec.intent, rec.source)
                heard.append((rec.t, lines.line(rec.t, "", text)))
                self._printer.write(*heard[-1])
            elif isinstance(rec, InterruptRecord):
                self._printer.cancel_from(rec.t)
                for t, line in heard:
                    if t >= rec.t:
                        self._printer.write(t, line)

    def ended(self, end: EndRecord, state: State) -> None:
        pass


class Panel:
    """The live panel: shown from the session's start to its end."""

    def __init__(
        self,
        screen: LiveScreen,
        after: Callable[[str], None] = print,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self._screen = screen
        self._after = after
        self._warn = warn or after
        self._closing: list[str] = []

    def started(self, header: SessionRecord) -> None:
        self._screen.start()

    def update(self, state: State, records: Sequence[Record], now: float) -> None:
        self._screen.show_state(state)
        for rec in records:
            if isinstance(rec, SayRecord):
                self._screen.said(rec.t, rec.duration, rec.text)
                if state.phase == "done":
                    self._closing.append(lines.line(rec.t, "", rec.text))
            elif isinstance(rec, InterruptRecord):
                self._screen.interrupted(rec.t)
            elif isinstance(rec, HeardRecord):
                self._screen.heard(rec.intent, rec.source)

    def ended(self, end: EndRecord, state: State) -> None:
        """Leave the panel; the closing words (the summary) stay on the terminal."""
        self._screen.show_state(state)
        self._screen.end()
        self._screen.stop()
        last = [lines.line(end.t, "", text) for text in self._screen.last_said(end.t)]
        for message in self._screen.notices:  # shown on the panel; kept on the terminal
            self._warn(message)
        for line in self._closing or last:
            self._after(line)
        self._after(lines.line(end.t, "", ending(end)))


def ending(end: EndRecord) -> str:
    """ "Session completed: 5 exercises done, 1 skipped." """
    how = {"completed": "completed", "stopped": "stopped"}.get(end.reason, f"ended ({end.reason})")
    counts = ""
    if end.done is not None:
        counts = f": {end.done} exercise{'s' if end.done != 1 else ''} done"
        counts += f", {end.skipped} skipped" if end.skipped else ""
    return f"Session {how}{counts}."
