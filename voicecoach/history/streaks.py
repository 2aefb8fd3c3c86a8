"""How the user stands against a routine's prescription ("2-3 times per week"): how many
times in the current day or week, and the streak of days or weeks in a row that kept to it.

Pure functions of dates. Weeks start on Monday and are counted by their Monday's date, so
a week that spans New Year is one week. The current period is still open: until it is
kept, the streak counts the periods before it (it is not broken yet).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from voicecoach.routine import Frequency


def period_start(day: date, per: str) -> date:
    """The first day of the day or week (Monday) that `day` falls in."""
    return day - timedelta(days=day.weekday()) if per == "week" else day


def _previous(start: date, per: str) -> date:
    return start - timedelta(days=7 if per == "week" else 1)


@dataclass(frozen=True, slots=True)
class Standing:
    per: str  # "day" | "week"
    times: str  # the prescription: "2-3", "2"
    least: int  # the fewest times that keep to it
    count: int  # times done in the current period
    streak: int  # periods in a row kept, the current one included once kept

    @property
    def period_word(self) -> str:
        return "today" if self.per == "day" else "this week"

    @property
    def unit(self) -> str:
        return self.per if self.streak == 1 else f"{self.per}s"

    @property
    def short(self) -> str:
        """ "2 of 2-3 this week, streak: 4 weeks" (tables, the end of a session)."""
        return f"{self.count} of {self.times} {self.period_word}, streak: {self.streak} {self.unit}"

    @property
    def times_said(self) -> str:
        """The prescription as a coach says it: "2 to 3" (a speech engine reads "2-3" as
        "two dash three")."""
        return self.times.replace("-", " to ")

    @property
    def sentence(self) -> str:
        """One spoken sentence for the intro."""
        done = f"So far {self.period_word} you have done this routine {self.count} of "
        done += self.times_said
        done += " times" if self.times != "1" else " time"
        if self.streak:
            return f"{done}, and kept to it {self.streak} {self.unit} in a row."
        return f"{done}."


def standing(done: Iterable[date], frequency: Frequency | None, today: date) -> Standing | None:
    """Where the user stands on `today`, given the days a session was finished (one entry
    per finished session). None when the routine gives no frequency, or words only."""
    if frequency is None:
        return None
    least, per = frequency.least, frequency.per
    if least is None or per is None:
        return None
    counts = Counter(period_start(d, per) for d in done if d <= today)
    current = period_start(today, per)
    streak = 0
    start = current if counts[current] >= least else _previous(current, per)
    while counts[start] >= least:
        streak += 1
        start = _previous(start, per)
    return Standing(per, frequency.times_text, least, counts[current], streak)


def calendar(done: Iterable[date], today: date, weeks: int = 12) -> list[list[int | None]]:
    """Sessions per day for the last `weeks` weeks: one row per weekday (Monday first),
    one column per week (oldest first); days after `today` are None."""
    counts = Counter(done)
    first = period_start(today, "week") - timedelta(weeks=weeks - 1)
    grid: list[list[int | None]] = []
    for weekday in range(7):
        row: list[int | None] = []
        for week in range(weeks):
            day = first + timedelta(weeks=week, days=weekday)
            row.append(counts[day] if day <= today else None)
        grid.append(row)
    return grid
