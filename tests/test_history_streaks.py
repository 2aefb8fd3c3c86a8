"""Streaks against a routine's frequency: times in the current day or week, and the days or
weeks in a row that kept to it."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from voicecoach.history.streaks import calendar, period_start, standing
from voicecoach.routine import CountValue, Frequency

TWO_TO_THREE_A_WEEK = Frequency(
    words="2-3 times a week", times=CountValue(default=2, min=2, max=3), per="week"
)
TWICE_A_DAY = Frequency(words="twice a day", times=CountValue(default=2), per="day")


def test_a_week_that_spans_new_year_is_one_week() -> None:
    assert period_start(date(2026, 1, 2), "week") == period_start(date(2025, 12, 29), "week")


def test_weeks_kept_in_a_row_across_new_year_make_one_streak() -> None:
    done = [
        date(2025, 12, 16), date(2025, 12, 18),  # week of Dec 15: 2
        date(2025, 12, 22), date(2025, 12, 24), date(2025, 12, 26),  # week of Dec 22: 3
        date(2025, 12, 30), date(2026, 1, 2),  # the week of Dec 29 spans New Year: 2
        date(2026, 1, 6),  # this week (Jan 5) so far: 1
    ]  # fmt: skip
    now = standing(done, TWO_TO_THREE_A_WEEK, today=date(2026, 1, 7))
    assert now is not None
    assert (now.count, now.streak) == (1, 3)  # this week is still open: not broken
    assert now.short == "1 of 2-3 this week, streak: 3 weeks"


def test_the_current_week_counts_once_it_is_kept() -> None:
    done = [date(2026, 1, 5), date(2026, 1, 7), date(2025, 12, 30), date(2026, 1, 1)]
    now = standing(done, TWO_TO_THREE_A_WEEK, today=date(2026, 1, 8))
    assert now is not None
    assert (now.count, now.streak) == (2, 2)


def test_a_week_below_the_range_breaks_the_streak() -> None:
    done = [date(2025, 12, 1), date(2025, 12, 2), date(2025, 12, 9), date(2025, 12, 15)]
    now = standing(done, TWO_TO_THREE_A_WEEK, today=date(2025, 12, 17))
    assert now is not None
    assert (now.count, now.streak) == (1, 0)  # the week of Dec 8 had one: broken


def test_a_daily_prescription_counts_today_and_days_in_a_row() -> None:
    today = date(2026, 3, 10)
    done = [today, today - timedelta(days=1), today - timedelta(days=1)]
    done += [today - timedelta(days=2)] * 2
    now = standing(done, TWICE_A_DAY, today=today)
    assert now is not None
    assert now.short == "1 of 2 today, streak: 2 days"


def test_words_alone_or_no_frequency_give_no_standing() -> None:
    assert standing([date(2026, 1, 1)], Frequency(words="now and then"), date(2026, 1, 1)) is None
    assert standing([date(2026, 1, 1)], None, date(2026, 1, 1)) is None


def test_the_intro_sentence_says_the_count_and_the_streak() -> None:
    done = [date(2025, 12, 30), date(2026, 1, 2), date(2026, 1, 6)]
    now = standing(done, TWO_TO_THREE_A_WEEK, today=date(2026, 1, 7))
    assert now is not None
    assert now.sentence == (
        "So far this week you have done this routine 1 of 2 to 3 times, "
        "and kept to it 1 week in a row."
    )


def test_the_calendar_has_a_row_per_weekday_and_a_column_per_week() -> None:
    today = date(2026, 1, 7)  # a Wednesday
    grid = calendar([today, today, date(2025, 12, 29)], today, weeks=12)
    assert len(grid) == 7
    assert all(len(row) == 12 for row in grid)
    assert grid[2][-1] == 2  # Wednesday, this week: two sessions
    assert grid[0][-2] == 1  # Monday of the week before
    assert grid[3][-1] is None  # Thursday has not come yet


@given(
    offsets=st.lists(st.integers(min_value=0, max_value=120), max_size=40),
    today_offset=st.integers(min_value=0, max_value=130),
    weeks=st.integers(min_value=-600, max_value=600),
)
def test_moving_a_history_by_whole_weeks_keeps_its_standing(
    offsets: list[int], today_offset: int, weeks: int
) -> None:
    """Across any New Year (and leap day): weeks are counted by their Monday, not by
    week numbers, so shifting every day by whole weeks changes nothing."""
    base = date(2024, 11, 4)  # a Monday
    done = [base + timedelta(days=d) for d in offsets]
    today = base + timedelta(days=today_offset)
    shift = timedelta(weeks=weeks)
    for frequency in (TWO_TO_THREE_A_WEEK, TWICE_A_DAY):
        assert standing(done, frequency, today) == standing(
            [d + shift for d in done], frequency, today + shift
        )
