"""`voicecoach history`: the last sessions, a 12-week calendar per routine, and how the
user stands against each routine's frequency ("2 of 2-3 this week, streak: 4 weeks").
`--json` gives the same for scripts."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from voicecoach.errors import UsageError

WEEKS = 12
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "history",
        help="past sessions, a 12-week calendar and streaks per routine",
        description="Past sessions from $XDG_DATA_HOME/voicecoach/history.db, a calendar of "
        "the last 12 weeks per routine, and how you stand against each routine's frequency.",
    )
    p.add_argument("routine", nargs="?", metavar="NAME", help="only this routine")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--limit",
        type=int,
        default=10,
        metavar="N",
        help="sessions in the table (default 10; --json lists them all)",
    )
    p.add_argument(
        "--today",
        type=_date,
        metavar="YYYY-MM-DD",
        help="count streaks and draw the calendar as of this day (default: today)",
    )
    p.set_defaults(run=run)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


@dataclass(frozen=True, slots=True)
class RoutineReport:
    name: str
    frequency: str | None  # the words ("" when the routine gives none); None: file gone
    standing: Any  # streaks.Standing | None
    finished: list[date]


def run(args: argparse.Namespace) -> int:
    from voicecoach.history.store import open_history

    if args.limit < 1:
        raise UsageError("--limit must be 1 or more", "for example --limit 20")
    today = args.today or date.today()
    store = open_history(warn=_warn)
    try:
        sessions = store.sessions(routine=args.routine)
        shown = sessions if args.json else sessions[: args.limit]
        counts = {s.id: _set_counts(store.sets(s.id)) for s in shown}
    finally:
        store.close()
    reports = routine_reports(sessions, today)
    if args.json:
        print(json.dumps(as_json(sessions, counts, reports, today), indent=2))
    else:
        _print(sessions[: args.limit], counts, reports, today, args.routine)
    return 0


def _warn(message: str) -> None:
    import sys

    print(message, file=sys.stderr)


def local_day(timestamp: float) -> date:
    return datetime.fromtimestamp(timestamp).date()


def _set_counts(sets: list[Any]) -> dict[str, int]:
    """How many of a session's sets were done, skipped, cut short (each set once)."""
    from voicecoach.history.store import per_set

    out = {"done": 0, "skipped": 0, "cut short": 0}
    for s in per_set(sets):
        out[s.outcome] += 1
    return out


def routine_reports(sessions: list[Any], today: date) -> list[RoutineReport]:
    """One report per routine in the history (most recently used first): the days it
    was finished and where the user stands against its frequency."""
    from voicecoach import catalog
    from voicecoach.errors import VoicecoachError
    from voicecoach.history.streaks import standing

    names = list(dict.fromkeys(s.routine for s in sessions))
    reports = []
    for name in names:
        finished = [
            local_day(s.ended) for s in sessions if s.routine == name and s.outcome == "finished"
        ]
        try:
            frequency = catalog.find(name).frequency
        except VoicecoachError:
            reports.append(RoutineReport(name, None, None, finished))
            continue
        if frequency is None:  # your own routine may leave it out: no streaks
            reports.append(RoutineReport(name, "", None, finished))
            continue
        reports.append(
            RoutineReport(name, frequency.words, standing(finished, frequency, today), finished)
        )
    return reports


def as_json(
    sessions: list[Any],
    counts: dict[int, dict[str, int]],
    reports: list[RoutineReport],
    today: date,
) -> dict[str, Any]:
    first = today - timedelta(weeks=WEEKS)
    return {
        "today": today.isoformat(),
        "sessions": [
            {
                "id": s.id,
                "routine": s.routine,
                "started": datetime.fromtimestamp(s.started).isoformat(timespec="seconds"),
                "ended": datetime.fromtimestamp(s.ended).isoformat(timespec="seconds"),
                "outcome": s.outcome,
                "engine": s.engine,
                "minutes": round(s.minutes, 1),
                "resumes": s.resumes,
                "fit_minutes": s.fit_minutes,
                "sets": counts.get(s.id),
            }
            for s in sessions
        ],
        "routines": [
            {
                "routine": r.name,
                "frequency": r.frequency,
                "per": r.standing.per if r.standing else None,
                "times": r.standing.times if r.standing else None,
                "this_period": r.standing.count if r.standing else None,
                "streak": r.standing.streak if r.standing else None,
                "standing": r.standing.short if r.standing else None,
                "finished": {
                    d.isoformat(): r.finished.count(d)
                    for d in sorted(set(r.finished))
                    if first < d <= today
                },
            }
            for r in reports
        ],
    }


def _print(
    sessions: list[Any],
    counts: dict[int, dict[str, int]],
    reports: list[RoutineReport],
    today: date,
    routine: str | None = None,
) -> None:
    from rich.console import Console
    from rich.padding import Padding

    console = Console(highlight=False)
    if not sessions and routine:  # a name never run, or mistyped: not "no sessions at all"
        console.print(
            f"No sessions of '{routine}' yet: 'voicecoach history' shows every routine's, "
            "'voicecoach list' names the routines."
        )
        return
    if not sessions:
        console.print("No sessions yet: run 'voicecoach start NAME' and they will show here.")
        return
    table = sessions_table(sessions, counts, today, engine=True)
    wide = console.options.update_width(10_000)
    if console.measure(table, options=wide).maximum > console.width:  # 80 columns: no engine
        table = sessions_table(sessions, counts, today, engine=False)
    console.print(table)
    for r in reports:
        console.print()
        how = r.standing.short if r.standing else "no streaks (the frequency is words only)"
        if r.frequency == "":
            how = "no streaks (the routine gives no frequency)"
        if r.frequency is None:
            how = "routine file not found"
        console.print(f"[bold]{r.name}[/bold]: {how}")
        if r.frequency:  # a long one wraps under itself, not under the calendar's edge
            console.print(Padding(f"How often: {r.frequency}", (0, 0, 0, 2)))
        for line in heat_map(r.finished, today):
            console.print(line)


def sessions_table(
    sessions: list[Any], counts: dict[int, dict[str, int]], today: date, *, engine: bool
) -> Any:
    """The last sessions, one line each (a rich Table): when, the routine, how it ended
    (and how often it was resumed), the `--minutes N` it was fitted to (if one was), its
    minutes and sets done, and the recognizer (`_print` leaves it out when 80 columns
    have no room for it: the worst case, a resumed and fitted back-hip-knee-20, fills
    them)."""
    from rich import box
    from rich.table import Table

    table = Table(
        title="Last sessions",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    fitted = any(s.fit_minutes is not None for s in sessions)  # else no such column
    columns = ["When", "Routine", "Ended", *(["Fitted"] if fitted else []), "Min", "Sets"]
    for column in columns + (["Engine"] if engine else []):
        right = column in ("Fitted", "Min", "Sets")
        table.add_column(column, justify="right" if right else "left", no_wrap=True)
    for s in sessions:
        c = counts[s.id]
        started = datetime.fromtimestamp(s.started)
        when = "%a %d %b %H:%M" if started.year == today.year else "%d %b %Y %H:%M"
        ended = s.outcome + (f" (resumed {s.resumes}x)" if s.resumes else "")
        fit = [] if not fitted else ["" if s.fit_minutes is None else f"{s.fit_minutes:g} min"]
        sets = f"{c['done']}/{sum(c.values())}"
        row = [started.strftime(when), s.routine, ended, *fit, f"{s.minutes:.0f}", sets]
        table.add_row(*row, *([s.engine] if engine else []))
    return table


CELLS = {0: "[grey50]·[/grey50]", 1: "[green]▪[/green]"}
MANY = "[bold bright_green]■[/bold bright_green]"


def heat_map(finished: list[date], today: date) -> list[str]:
    """The last 12 weeks, one cell per day (rows Monday to Sunday, oldest week first):
    · none, ▪ one session, ■ two or more. Rich markup."""
    from voicecoach.history.streaks import calendar, period_start

    grid = calendar(finished, today, WEEKS)
    first = period_start(today, "week") - timedelta(weeks=WEEKS - 1)
    months = [" "] * (2 * WEEKS + 2)
    free = 0  # month names go where a month starts, if the previous one left room
    for week in range(WEEKS):
        monday = first + timedelta(weeks=week)
        if (week == 0 or monday.day <= 7) and 2 * week >= free:
            name = monday.strftime("%b")
            months[2 * week : 2 * week + len(name)] = name
            free = 2 * week + len(name) + 1
    lines = ["      " + "".join(months).rstrip()]
    for weekday, row in enumerate(grid):
        cells = " ".join(" " if n is None else CELLS.get(n, MANY) for n in row)
        lines.append(f"  {WEEKDAYS[weekday]} {cells}")
    lines.append(f"      {CELLS[0]} none  {CELLS[1]} once  {MANY} more")
    return lines
