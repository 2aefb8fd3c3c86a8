"""The live panel as a session observer (the plain transcript is the other way a session
shows itself: `voicecoach.runtime.printer.Printer`).

Called on the main-loop thread after every engine dispatch, it only hands facts on; the
panel redraws on its own thread, so it never delays speech or timing."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from voicecoach.engine.state import State
from voicecoach.records import (
    EndRecord,
    HeardRecord,
    InterruptRecord,
    Record,
    SayRecord,
    SessionRecord,
)
from voicecoach.screen import lines
from voicecoach.screen.live import LiveScreen


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
        self._closed = False

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
        """Leave the panel; the closing words (the summary) stay on the terminal. A
        session cut off before it said them (Ctrl-C, a signal) leaves its last words and
        the summary it would have said: printed after the panel has left the screen,
        never on it, where they would vanish with it."""
        self._screen.show_state(state)
        self._screen.end()
        last = [lines.line(end.t, "", text) for text in self._screen.last_said(end.t)]
        self.close()
        for line in self._closing or [*last, lines.summary(end)]:
            if line:
                self._after(line)
        self._after(lines.line(end.t, "", ending(end)))

    def close(self) -> None:
        """Give the terminal back (also when the session fails before its end); the
        warnings shown on the panel stay on the terminal. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._screen.stop()
        for message in self._screen.notices:
            self._warn(message)


def ending(end: EndRecord) -> str:
    """ "Session completed: 5 exercises done, 1 skipped."; "Session stopped: 2 exercises
    done, 1 cut short, 2 skipped." """
    how = {"completed": "completed", "stopped": "stopped"}.get(end.reason, f"ended ({end.reason})")
    counts = ""
    if end.done is not None:
        counts = f": {end.done} exercise{'s' if end.done != 1 else ''} done"
        counts += f", {end.cut_short} cut short" if end.cut_short else ""
        counts += f", {end.skipped} skipped" if end.skipped else ""
    return f"Session {how}{counts}."
