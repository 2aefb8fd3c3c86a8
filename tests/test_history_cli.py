"""`voicecoach history`: the last sessions, a 12-week calendar and the streak per routine,
as a table or as JSON; and `voicecoach config`."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from voicecoach.cli import main
from voicecoach.history.store import SetRow, Store
from voicecoach.plan import DoseFit


def at(day: str, hour: int = 18) -> float:
    """A local wall-clock time as Unix seconds."""
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00").timestamp()


def add_session(store: Store, routine: str, day: str, outcome: str = "finished") -> int:
    sid = store.begin(routine, "hash", at(day), "keys")
    store.add_set(sid, SetRow(0, 0, "lunge-stretch", 1, None, "done", 30.0, 10, False, at(day)), 1)
    store.finish(sid, at(day, 19), outcome, 25.0)  # type: ignore[arg-type]
    return sid


def history_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["history", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_history_json_counts_the_streak_against_2_to_3_a_week_across_new_year(
    history_db, capsys
) -> None:
    store = Store.open(history_db)
    for day in (
        "2025-12-09", "2025-12-11",  # week of Dec 8: 2 -> kept
        "2025-12-16",  # week of Dec 15: 1 -> broken
        "2025-12-22", "2025-12-23", "2025-12-27",  # week of Dec 22: 3
        "2025-12-31", "2026-01-03",  # week of Dec 29 (across New Year): 2
        "2026-01-05", "2026-01-07",  # week of Jan 5: 2
        "2026-01-13",  # this week (Jan 12) so far: 1
    ):  # fmt: skip
        add_session(store, "knee-strength", day)
    add_session(store, "knee-strength", "2026-01-14", outcome="stopped")  # does not count
    store.close()
    report = history_json(capsys, "--today", "2026-01-14")
    (knee,) = report["routines"]
    assert knee["routine"] == "knee-strength"
    assert (knee["per"], knee["times"]) == ("week", "2-3")
    assert (knee["this_period"], knee["streak"]) == (1, 3)
    assert knee["standing"] == "1 of 2-3 this week, streak: 3 weeks"
    assert knee["finished"]["2025-12-31"] == 1
    assert len(report["sessions"]) == 12
    assert report["sessions"][0]["outcome"] == "stopped"


def test_history_json_counts_the_week_of_new_year_once_it_is_kept(history_db, capsys) -> None:
    store = Store.open(history_db)
    for day in ("2025-12-22", "2025-12-24", "2025-12-31", "2026-01-02"):
        add_session(store, "knee-strength", day)
    store.close()
    (knee,) = history_json(capsys, "--today", "2026-01-02")["routines"]
    assert (knee["this_period"], knee["streak"]) == (2, 2)


def test_history_shows_a_table_a_calendar_and_the_standing(history_db, capsys) -> None:
    store = Store.open(history_db)
    add_session(store, "ground-up", "2026-01-05")
    add_session(store, "ground-up", "2026-01-07")
    store.close()
    assert main(["history", "--today", "2026-01-08"]) == 0
    out = capsys.readouterr().out
    assert "Last sessions" in out
    assert "ground-up: 2 of 2 this week, streak: 1 week" in out
    assert "How often: 2 times a week" in out
    calendar = out.split("How often")[1].splitlines()
    rows = [line for line in calendar if line.strip().startswith(("Mon", "Wed", "Thu"))]
    assert [line.split()[0] for line in rows] == ["Mon", "Wed", "Thu"]
    assert rows[0].split()[-1] == "▪"  # Monday of this week: one session
    assert rows[1].split()[-1] == "▪"  # Wednesday
    assert rows[2].split()[-1] == "·"  # Thursday is today: nothing yet
    assert "Sun" in out


def the_widest_sessions(history_db) -> None:
    """The widest row there is: the longest packaged routine name, fitted with --minutes,
    resumed twice, interrupted, by the longest recognizer name; and a plain one."""
    store = Store.open(history_db)
    sid = store.begin(
        "back-hip-knee-20", "hash", at("2026-01-12"), "pocketsphinx", dose_fit=DoseFit(15, 0.4)
    )
    for day in ("2026-01-13", "2026-01-14"):
        store.reopen(sid, at(day), "pocketsphinx")
    store.finish(sid, at("2026-01-14", 19), "interrupted", 125.0)
    add_session(store, "ground-up", "2026-01-11")
    store.close()


def sessions_table(capsys, monkeypatch, columns: int) -> list[str]:
    """The lines of the table `voicecoach history` prints on a terminal COLUMNS wide."""
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["history", "--today", "2026-01-14"]) == 0
    return capsys.readouterr().out.split("\n\n")[0].splitlines()


def test_on_80_columns_each_session_is_one_line_with_its_fit_and_how_it_ended(
    history_db, capsys, monkeypatch
) -> None:
    the_widest_sessions(history_db)
    table = sessions_table(capsys, monkeypatch, 80)
    assert max(len(line) for line in table) <= 80
    rows = [line for line in table if any(ch.isdigit() for ch in line)]  # not the headers
    assert len(rows) == 2  # no row wrapped onto a second line
    for shown in ("back-hip-knee-20", "interrupted (resumed 2x)", "15 min", "125"):
        assert shown in rows[0]
    assert "ground-up" in rows[1]  # (started before)


def test_a_long_frequency_wraps_under_itself_on_80_columns(history_db, capsys, monkeypatch) -> None:
    store = Store.open(history_db)
    add_session(store, "behind-knee", "2026-01-13")  # its frequency: two lines on 80 columns
    store.close()
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["history", "--today", "2026-01-14"]) == 0
    out = capsys.readouterr().out
    lines = out[out.index("How often") - 2 :].splitlines()
    assert lines[0].startswith("  How often: twice a day")
    assert "2 to 3 times a week" in lines[2]  # its third line...
    assert lines[2].startswith("  ")  # ...indented as the first


def test_a_wider_terminal_shows_the_recognizer_too(history_db, capsys, monkeypatch) -> None:
    the_widest_sessions(history_db)
    rows = [line for line in sessions_table(capsys, monkeypatch, 100) if "Jan" in line]
    assert [row.split()[-1] for row in rows] == ["pocketsphinx", "keys"]


def test_history_with_no_sessions_says_how_to_make_one(capsys) -> None:
    assert main(["history"]) == 0
    assert "No sessions yet" in capsys.readouterr().out


def test_history_of_a_routine_never_run_says_so_not_that_there_are_no_sessions(
    history_db, capsys
) -> None:
    the_widest_sessions(history_db)
    assert main(["history", "behind-kne"]) == 0  # mistyped
    out = capsys.readouterr().out
    assert out.startswith("No sessions of 'behind-kne' yet: 'voicecoach history' shows every")
    assert "voicecoach list" in out


def test_a_limit_below_one_says_what_to_give(capsys) -> None:
    assert main(["history", "--limit", "0"]) == 2
    assert "--limit must be 1 or more\n  hint: for example --limit 20" in capsys.readouterr().err


def test_a_damaged_history_is_moved_aside_and_history_still_answers(history_db, capsys) -> None:
    history_db.parent.mkdir(parents=True)
    history_db.write_bytes(b"\x00garbage" * 500)
    assert main(["history", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["sessions"] == []
    assert "damaged" in captured.err
    assert list(history_db.parent.glob("history.db.damaged-*"))


# ------------------------------------------------------------------------------ config


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "config" / "voicecoach" / "config.toml"
    path.parent.mkdir(parents=True)
    return path


def test_config_shows_each_setting_and_where_it_comes_from(config_file, capsys) -> None:
    config_file.write_text('rate = 150\nengine = "keys"\ninput_device = 2\nscreen = false\n')
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert f"config file: {config_file}" in out
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:]}
    assert lines["rate"] == ["150", "config", "file"]
    assert lines["input_device"] == ["2", "config", "file"]
    assert lines["screen"] == ["false", "config", "file"]
    assert lines["ready_timeout"] == ["15.0", "default"]
    assert lines["voice"] == ["gmw/en-us", "(US", "English)", "default"]  # not British
    assert lines["volume"] == ["1.0", "default"]  # what a session uses when nothing says
    assert lines["model"] == ["(found", "by", "itself)", "default"]
    assert "(not set)" not in out


def test_config_without_a_file_says_how_to_write_one(config_file, capsys) -> None:
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert "(no such file: defaults only)" in out
    assert out.rstrip().endswith("write it into that file, e.g.: rate = 150")
    config_file.write_text("rate = 150\n")  # the example is a valid config file
    assert main(["config"]) == 0
    assert "write it into" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("rate = -5\n", "rate: Input should be greater than or equal to 40"),
        ("rate = 1000\n", "rate: Input should be less than or equal to 500"),  # start's range
        ("ready_timeout = 7200\n", "ready_timeout: Input should be less than or equal to 3600"),
        ("ready_timeout = inf\n", "ready_timeout: Input should be a finite number"),
        ("volume = 2\n", "volume: Input should be less than or equal to 1"),
        ('engine = "kaldi"\n', "engine: Input should be 'auto', 'vosk', 'whisper', 'pocketsphinx'"),
        ("voise = 'en'\n", "voise: unknown key"),
        ("rate = \n", "invalid TOML"),
    ],
)
def test_an_invalid_config_is_an_error_naming_the_file_and_the_key(
    config_file, capsys, content, problem
) -> None:
    config_file.write_text(content)
    assert main(["config"]) == 4
    err = capsys.readouterr().err
    assert f"{config_file}: " in err
    assert problem in err
    assert "Traceback" not in err


def test_a_resumed_session_counts_each_set_once_by_its_best_outcome(
    history_db, capsys, monkeypatch
) -> None:
    """Interrupted before the second set's work began (written skipped), resumed there
    and finished: two sets, both done, although the history holds three rows."""
    store = Store.open(history_db)
    sid = store.begin("behind-knee", "hash", at("2026-01-05"), "keys")
    for step, outcome in ((0, "done"), (1, "skipped"), (1, "done")):
        row = SetRow(step, step, "toe-walking", step + 1, None, outcome, 30.0, 10, False, 0.0)
        store.add_set(sid, row, 1)  # type: ignore[arg-type]
    store.finish(sid, at("2026-01-05", 19), "finished", 5.0)
    store.close()
    (session,) = history_json(capsys, "--today", "2026-01-05")["sessions"]
    assert session["sets"] == {"done": 2, "skipped": 0, "cut short": 0}
    monkeypatch.setenv("COLUMNS", "160")
    assert main(["history", "--today", "2026-01-05"]) == 0
    table = capsys.readouterr().out.split("How often")[0]
    (line,) = [line for line in table.splitlines() if "behind-knee" in line and "Jan" in line]
    assert " 2/2 " in line
