"""Done-when of issue 13, through the command line: every session is recorded as it goes
(a replay, `--fast` or `--listen-file`, only with `--record`);
a stop (q, y) or a SIGTERM keeps every completed set and says how it ended; `--resume`
picks up at the next set and finishes; the config file's `rate` is used unless `--rate`
overrides it; a damaged history is moved aside and the session still runs."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
from e2e_helpers import Coach, start_coach
from factories import silent_wav

from voicecoach import catalog
from voicecoach.cli import main
from voicecoach.errors import ExitCode
from voicecoach.history.memory import file_hash
from voicecoach.history.recorder import set_spans
from voicecoach.history.store import SetOutcome, SetRow, Store
from voicecoach.plan import steps
from voicecoach.voice.text import estimate_duration

QUICK = """
name = "quick"
title = "Quick"
frequency = { words = "2-3 times a week", times = { default = 2, min = 2, max = 3 }, per = "week" }
disclaimer = "Stop if it hurts."
[source]
title = "Mine"
[[exercises]]
id = "walk"
name = "Walk"
work = { kind = "timed", seconds = 2 }
sets = 4
rest_between_sets = 1
[[exercises]]
id = "stand"
name = "Stand"
work = { kind = "timed", seconds = 2 }
sets = 2
rest_between_sets = 1
"""
QUICK_SETS = 6


@pytest.fixture
def quick(user_dir: Path) -> str:
    (user_dir / "quick.toml").write_text(QUICK)
    return "quick"


def sessions(history_db: Path) -> list[tuple[str, list[tuple[int, str]]]]:
    """(outcome, [(first step, set outcome)...]) per session, oldest first."""
    store = Store.open(history_db)
    try:
        rows = store.sessions()[::-1]
        return [(r.outcome, [(s.first_step, s.outcome) for s in store.sets(r.id)]) for r in rows]
    finally:
        store.close()


def history_json(capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["history", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_finished_fast_session_with_record_adds_one_session_row_and_a_row_per_set(
    history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["start", "behind-knee", "--fast", "--record"]) == 0
    routine = catalog.find("behind-knee")
    ((outcome, sets),) = sessions(history_db)
    assert outcome == "finished"
    assert len(sets) == len(set_spans(steps(routine)))
    assert {o for _, o in sets} == {"done"}
    out = capsys.readouterr().out
    assert "This is your 1st workout today, of 2." in out  # intro and summary
    assert out.rstrip().endswith("behind-knee: 1 of 2 today, streak: 0 days")


def test_no_history_leaves_no_trace_and_cannot_go_with_record(
    history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["start", "behind-knee", "--fast", "--no-history"]) == 0
    assert main(["start", "behind-knee", "--fast", "--record", "--no-history"]) == 2
    assert "--record and --no-history ask for opposite things" in capsys.readouterr().err
    assert not history_db.exists()


def test_a_replay_is_not_a_workout_done_and_leaves_no_trace(
    history_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["start", "behind-knee", "--fast"]) == 0
    wav = silent_wav(tmp_path / "quiet.wav", 1.0)
    assert main(["start", "behind-knee", "--fast", "--listen-file", str(wav)]) == 0
    assert not history_db.exists()
    assert "workout today" not in capsys.readouterr().out


# ------------------------------------------------------------------- real time, keys


def live(quick: str, tmp_path: Path, name: str) -> Coach:
    """`start quick --text` in real time, keys on a pty, speech at 500 words a minute."""
    args = [quick, "--text", "--engine", "keys", "--rate", "500", "--ready-timeout", "3"]
    return start_coach(dict(os.environ), args, tmp_path / f"{name}.jsonl")


def working_on_set(coach: Coach, step: int) -> None:
    found = coach.wait_for(
        lambda r: r["type"] == "state" and r["step"] == step and r["phase"] == "work", 60
    )
    assert found is not None, coach.stderr


@pytest.mark.slow
def test_a_session_stopped_with_q_y_keeps_its_sets_and_resume_finishes_it(
    quick: str, tmp_path: Path, history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with live(quick, tmp_path, "stop") as coach:
        working_on_set(coach, 2)  # walk, set 3
        coach.type("q")
        coach.wait_for(lambda r: r["type"] == "state" and r["phase"] == "paused", 10)
        coach.type("y")
        assert coach.wait(timeout=30) == 0
    ((outcome, sets),) = sessions(history_db)
    assert outcome == "stopped"
    assert sets == [(0, "done"), (1, "done"), (2, "cut short")]
    assert "--resume" in coach.stdout

    assert main(["start", quick, "--fast", "--resume", "--record"]) == 0
    out = capsys.readouterr().out
    assert "Picking up where you left off: Walk, set 3 of 4." in out
    ((outcome, sets),) = sessions(history_db)
    assert outcome == "finished"
    assert [step for step, o in sets if o == "done"] == list(range(QUICK_SETS))
    (routine,) = history_json(capsys)["routines"]
    assert (routine["this_period"], sum(routine["finished"].values())) == (1, 1)


@pytest.mark.slow
def test_a_session_ended_by_sigterm_mid_set_keeps_its_sets_and_resume_finishes_it(
    quick: str, tmp_path: Path, history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with live(quick, tmp_path, "term") as coach:
        working_on_set(coach, 3)  # walk, set 4
        coach.process.send_signal(signal.SIGTERM)
        coach.wait(timeout=30)
    ((outcome, sets),) = sessions(history_db)
    assert outcome == "interrupted"
    assert [s for s in sets if s[1] == "done"] == [(0, "done"), (1, "done"), (2, "done")]

    assert main(["start", quick, "--fast", "--resume", "--record"]) == 0
    assert "Picking up where you left off: Walk, set 4 of 4." in capsys.readouterr().out
    ((outcome, sets),) = sessions(history_db)
    assert outcome == "finished"
    assert [step for step, o in sets if o == "done"] == list(range(QUICK_SETS))
    (routine,) = history_json(capsys)["routines"]
    assert sum(routine["finished"].values()) == 1


def unfinished_today(quick: str, history_db: Path, *outcomes: SetOutcome) -> None:
    """A session of `quick` stopped a minute ago, with these outcomes for its first sets."""
    store = Store.open(history_db)
    digest = file_hash(catalog.locate(quick))  # the file it ran: it can be resumed
    sid = store.begin(quick, digest, started=time.time() - 60, engine="keys")
    for step, outcome in enumerate(outcomes):
        row = SetRow(step, step, "walk", step + 1, None, outcome, 2.0, 0, False, time.time() - 45)
        store.add_set(sid, row, 0.5)
    store.finish(sid, time.time() - 30, "stopped", 0.5)
    store.close()


def test_starting_afresh_after_an_unfinished_session_today_mentions_resume(
    quick: str, history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unfinished_today(quick, history_db, "done", "cut short")
    assert main(["start", quick, "--text", "--fast", "--record"]) == 0
    err = capsys.readouterr().err
    assert err.count("--resume") == 1
    assert "did not finish (1 set done); to continue it: voicecoach start quick --resume" in err


@pytest.mark.parametrize("outcomes", [(), ("cut short",), ("skipped", "cut short")])
def test_an_unfinished_session_with_no_set_done_is_not_offered_for_resume(
    quick: str,
    history_db: Path,
    capsys: pytest.CaptureFixture[str],
    outcomes: tuple[SetOutcome, ...],
) -> None:
    """--resume would begin where a fresh start begins: nothing to continue."""
    unfinished_today(quick, history_db, *outcomes)
    assert main(["start", quick, "--text", "--fast", "--record"]) == 0
    assert "--resume" not in capsys.readouterr().err


# ------------------------------------------------------------------------ config file


def first_say(log: Path) -> dict:
    records = [json.loads(line) for line in log.read_text().splitlines()]
    return next(r for r in records if r["type"] == "say")


@pytest.mark.parametrize(("argv", "rate"), [([], 300), (["--rate", "120"], 120)])
def test_the_config_files_rate_is_used_and_rate_overrides_it(
    tmp_path: Path, argv: list[str], rate: int
) -> None:
    config = tmp_path / "config" / "voicecoach" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("rate = 300\n")
    log = tmp_path / "run.jsonl"
    assert main(["start", "behind-knee", "--fast", "--log", str(log), *argv]) == 0
    say = first_say(log)
    assert say["duration"] == pytest.approx(estimate_duration(say["text"], rate), abs=0.002)


def test_an_invalid_config_stops_start_with_the_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config" / "voicecoach" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('ready_timeout = "soon"\n')
    assert main(["start", "behind-knee", "--fast"]) == 4
    err = capsys.readouterr().err
    assert f"{config}: ready_timeout: " in err
    assert "Traceback" not in err


# ------------------------------------------------------------------------ damaged file


def test_a_damaged_history_is_reported_moved_aside_and_the_session_still_runs(
    history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history_db.parent.mkdir(parents=True)
    history_db.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    assert main(["start", "behind-knee", "--fast", "--record"]) == 0
    err = capsys.readouterr().err
    assert "damaged" in err
    (aside,) = history_db.parent.glob("history.db.damaged-*")
    assert str(aside) in err
    assert aside.read_bytes().startswith(b"SQLite format 3")
    ((outcome, _),) = sessions(history_db)
    assert outcome == "finished"


@pytest.mark.parametrize(
    ("file", "argv", "screen"),
    [
        ("", [], True),
        ("screen = false\n", [], False),
        ("screen = true\n", ["--quiet-screen"], False),
    ],
)
def test_the_screen_setting_comes_from_the_config_file_and_quiet_screen_overrides_it(
    tmp_path: Path, file: str, argv: list[str], screen: bool
) -> None:
    from voicecoach.cli import build_parser
    from voicecoach.commands.start import session_options

    config = tmp_path / "config" / "voicecoach" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(file)
    args = build_parser().parse_args(["start", "behind-knee", *argv])
    assert session_options(args).screen is screen


def test_resume_cannot_go_with_minutes_which_would_change_the_sets_it_picks_up(
    history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # behind-knee has 13 sets as written, 9 with its doses at their low ends (--minutes 5)
    path = catalog.locate("behind-knee")
    store = Store.open(history_db)
    sid = store.begin("behind-knee", file_hash(path), started=time.time() - 600, engine="keys")
    store.add_set(sid, SetRow(0, 0, "toe-walking", 1, None, "done", 60, 0, False, time.time()), 1)
    store.finish(sid, time.time() - 30, "stopped", 5)
    store.close()
    argv = ["start", "behind-knee", "--fast", "--text", "--record", "--resume"]
    assert main([*argv, "--minutes", "5"]) == ExitCode.USAGE
    assert "--minutes would change them" in capsys.readouterr().err
    assert main(argv) == 0
    assert "Picking up where you left off" in capsys.readouterr().out
