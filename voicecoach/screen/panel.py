"""The live panel: a `View` as a rich renderable that fits 80x24 and grows with the
terminal. Only rich styles, no hand-written escape sequences."""

from __future__ import annotations

import textwrap

from rich.align import Align
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.style import Style
from rich.table import Table
from rich.text import Text

from voicecoach.screen import digits
from voicecoach.screen.view import Countdown, Reps, View

MODE_WORDS = {
    "intro": "welcome",
    "setup": "get in position",
    "ready": "get ready",
    "work": "work",
    "hold": "hold",
    "rest": "rest",
    "done": "done",
    "ended": "ended early",
}
MODE_STYLES = {"work": "bold green", "hold": "bold yellow", "rest": "bold cyan"}
BANNERS = {
    "paused": "PAUSED — say resume",
    "confirm": "End the workout? — say yes or no",
    "pain": "PAUSED for pain — say resume, or next to skip",
    "ready": "Say READY when you are in position",
    "ended": "Session over",
}
SAYING_LINES = 2  # the sentence being said is cut to this many lines
METER_WIDTH = 10


def render(
    v: View, width: int = 80, height: int = 24, help_line: str = "", notice: str = ""
) -> RenderableType:
    """The whole screen for `v` in a `width` x `height` terminal: the panel, then
    `help_line` and the latest `notice` (a warning) under it."""
    scale = 2 if width >= 110 and height >= 36 else 1
    inner = max(20, width - 4)
    rows: list[RenderableType] = []
    if v.banner is not None:
        rows.append(_banner(v))
    rows += [_headline(v), _set_line(v), Text(""), _big(v, scale, inner), Text("")]
    rows.append(_saying(v, inner))
    if v.next:
        rows.append(Text.assemble(("next: ", "bold"), v.next, overflow="ellipsis", no_wrap=True))
    rows += [_progress(v, inner), _status(v)]
    dim = v.banner in ("paused", "pain", "confirm", "ended")
    panel = Panel(
        Group(*rows),
        title=Text(v.title, style="bold"),
        title_align="left",
        style=Style(dim=True) if dim else "",
        border_style="yellow" if dim else "blue",
        padding=(0, 1),
    )
    screen: list[RenderableType] = [panel]
    if help_line:
        screen.append(Text(help_line, style="dim"))
    if notice:
        screen.append(Text(" ".join(notice.split()), style="yellow", overflow="ellipsis"))
    return Align(Group(*screen), vertical="middle", height=height)


def _banner(v: View) -> Text:
    assert v.banner is not None
    style = "bold reverse not dim" if v.banner != "ready" else "bold reverse green"
    return Text(f" {BANNERS[v.banner]} ", style=style, justify="center")


def _headline(v: View) -> Table:
    grid = Table.grid(expand=True)
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    if v.exercise:
        name = Text(v.exercise.upper(), style="bold magenta")
        where = Text(f"exercise {v.number} of {v.exercises}", style="bold")
    else:
        name = Text(MODE_WORDS[v.mode].upper(), style="bold magenta")
        where = Text(f"{v.exercises} exercises", style="bold")
    grid.add_row(name, where)
    return grid


def _set_line(v: View) -> Text:
    line = Text(no_wrap=True, overflow="ellipsis")
    if v.set is not None:
        line.append(f"set {v.set} of {v.sets}", style="bold")
    if v.side:
        line.append("   ")
        line.append(f" {v.side.upper()} SIDE ", style="bold reverse")
    if v.label:
        line.append(f"   {v.label}", style="italic")
    return line


def _big(v: View, scale: int, inner: int) -> RenderableType:
    """The countdown or the rep count in block digits, and what it counts."""
    count = v.count
    word = MODE_WORDS[v.mode]
    if isinstance(count, Countdown):
        figure = digits.clock(count.seconds)
        caption = "seconds left" if count.seconds < 60 else "left"
        if v.mode == "ready":  # the exercise starts by itself then (the ready timeout)
            caption = f"{'seconds' if count.seconds < 60 else 'left'} until it starts by itself"
    elif isinstance(count, Reps):
        figure = f"{count.done} / {count.total}"
        caption = "reps"
    else:
        figure, caption = "", ""
    if figure and digits.width(figure, scale) > inner - 16:
        scale = 1
    style = MODE_STYLES.get(v.mode, "bold")
    big = Text("\n".join(digits.big(figure, scale)) if figure else "", style=style, no_wrap=True)
    side = Text(no_wrap=True)
    side.append(word.upper(), style=style)
    if v.hold is not None:
        side.append(f"\nhold {v.hold.done} of {v.hold.total}", style="bold")
    if caption:
        side.append(f"\n{caption}")
    grid = Table.grid(padding=(0, 3))
    grid.add_column(no_wrap=True)
    grid.add_column(vertical="middle")
    grid.add_row(big, side)
    height = digits.HEIGHT * scale
    return Align(grid, vertical="middle", height=height)


def _saying(v: View, inner: int) -> Text:
    """The sentence being said, in quotes, cut to SAYING_LINES lines."""
    text = " ".join(v.extras.saying.split())
    if not text:
        return Text("")
    lines = textwrap.wrap(f"“{text}”", width=inner)
    if len(lines) > SAYING_LINES:
        lines = [*lines[: SAYING_LINES - 1], lines[SAYING_LINES - 1][: inner - 2].rstrip() + "…”"]
    return Text("\n".join(lines), style="italic")


def _progress(v: View, inner: int) -> Table:
    grid = Table.grid(padding=(0, 1))
    share = f"{round(v.progress * 100):3d}%"
    label = f"{share}  about {_minutes(v.left)} left"
    if v.sets_done is not None:  # stopped: how much of the workout was done
        label = f"{share}  {v.sets_done.done} of {v.sets_done.total} sets done"
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_row(_bar(v.progress, max(10, inner - len(label) - 1)), label)
    return grid


def _status(v: View) -> Text:
    x = v.extras
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append("heard: ", style="bold")
    line.append(f"{x.heard.intent} ({x.heard.source})" if x.heard else "—")
    if x.level is not None:
        line.append("   mic ", style="bold")
        full = round(max(0.0, min(1.0, x.level)) * METER_WIDTH)
        line.append("■" * full, style="green")
        line.append("·" * (METER_WIDTH - full), style="dim")
    line.append("   engine: ", style="bold")
    line.append(x.engine)
    return line


def _minutes(seconds: float) -> str:
    minutes, rest = divmod(max(0, round(seconds)), 60)
    return f"{minutes}:{rest:02d}"


def _bar(done: float, width: int) -> ProgressBar:
    return ProgressBar(
        total=1.0, completed=done, width=width, complete_style="green", finished_style="green"
    )
