"""The live panel during a session: a rich `Live` display in the terminal's alternate
screen, redrawn by rich's own thread at most `REFRESH_PER_SECOND` times a second.

The session's main loop only hands over facts (`show_state`, `said`, `interrupted`,
`heard`): cheap assignments under a lock, so the panel never delays speech or timing.
Each redraw computes the view from the latest state and the clock's reading then."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from rich.align import Align
from rich.console import Console, RenderableType
from rich.live import Live
from rich.text import Text

from voicecoach.engine.state import State
from voicecoach.ports import Clock
from voicecoach.screen.meter import LevelMeter
from voicecoach.screen.panel import render
from voicecoach.screen.view import Extras, Heard, view

REFRESH_PER_SECOND = 5.0  # the issue allows at most 10; a countdown in seconds needs no more
WAITING = "Getting the coach's voice ready…"


@dataclass(frozen=True, slots=True)
class Utterance:
    start: float
    end: float
    text: str


class Sayings:
    """What the coach says, on the session clock: the sentence of the moment is the last
    one that has started (queued speech is not shown before it is heard; an interrupt
    drops what it cut before it started)."""

    KEEP = 50

    def __init__(self) -> None:
        self._items: list[Utterance] = []

    def add(self, start: float, duration: float, text: str) -> None:
        self._items = [*self._items[-self.KEEP :], Utterance(start, start + duration, text)]

    def cut(self, t: float) -> None:
        self._items = [u for u in self._items if u.start < t]

    def at(self, now: float) -> str:
        started = [u for u in self._items if u.start <= now]
        return started[-1].text if started else ""


class LiveScreen:
    """The panel on `console`, for a session on `clock`."""

    def __init__(
        self,
        console: Console,
        clock: Clock,
        *,
        engine: str,
        help_line: str = "",
        meter: LevelMeter | None = None,
        refresh_per_second: float = REFRESH_PER_SECOND,
        auto_refresh: bool = True,
    ) -> None:
        self.console = console
        self._clock = clock
        self._engine = engine
        self._help = help_line
        self._meter = meter
        self._lock = threading.Lock()
        self._state: State | None = None
        self._sayings = Sayings()
        self._heard: Heard | None = None
        self._ended = False
        self._notices: list[str] = []
        self._live = Live(
            console=console,
            screen=True,
            auto_refresh=auto_refresh,
            refresh_per_second=min(refresh_per_second, 10.0),
            redirect_stdout=False,
            redirect_stderr=False,
            get_renderable=self.frame,
        )

    # ---------------------------------------------------------------- main-loop side

    def show_state(self, state: State) -> None:
        with self._lock:
            self._state = state

    def said(self, start: float, duration: float, text: str) -> None:
        with self._lock:
            self._sayings.add(start, duration, text)

    def interrupted(self, t: float) -> None:
        with self._lock:
            self._sayings.cut(t)

    def heard(self, intent: str, source: str) -> None:
        with self._lock:
            self._heard = Heard(intent, source)

    def last_said(self, now: float) -> list[str]:
        """The sentence of the moment (none before the first)."""
        with self._lock:
            text = self._sayings.at(now)
        return [text] if text else []

    def notice(self, message: str) -> None:
        """A message for the user (a warning): shown under the panel, and kept."""
        with self._lock:
            self._notices.append(message)

    @property
    def notices(self) -> list[str]:
        with self._lock:
            return list(self._notices)

    def end(self) -> None:
        with self._lock:
            self._ended = True

    def set_engine(self, engine: str) -> None:
        with self._lock:
            self._engine = engine

    # ---------------------------------------------------------------- display

    def start(self) -> None:
        self._live.start(refresh=True)

    def refresh(self) -> None:
        """Redraw now (without `auto_refresh`: tests on a virtual clock draw at will)."""
        self._live.refresh()

    def stop(self) -> None:
        """Leave the alternate screen and give the terminal back as it was."""
        self._live.stop()

    def frame(self) -> RenderableType:
        """The panel as it should look now (rich's refresh thread calls this)."""
        now = self._clock.now()
        with self._lock:
            state = self._state
            extras = Extras(
                saying=self._sayings.at(now),
                heard=self._heard,
                level=self._meter.level if self._meter is not None else None,
                engine=self._engine,
                ended=self._ended,
            )
            help_line = self._help
            notice = self._notices[-1] if self._notices else ""
        width, height = self.console.size
        if state is None:
            return Align(Text(WAITING, style="bold"), align="center", vertical="middle")
        return render(view(state, now, extras), width, height, help_line, notice)
