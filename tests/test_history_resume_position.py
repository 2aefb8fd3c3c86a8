"""A resume goes on where the user stopped, in the routine they were doing. A session
fitted with `--minutes N`, stopped, then resumed (`--resume`, which cannot take
`--minutes`) runs the doses it was fitted to, at the set after the last one completed, and
says so; a session started `--from` an exercise and stopped before any set was done picks
up at that exercise. `voicecoach history` shows a fitted session with the minutes it was
fitted to. On a virtual clock, with fakes."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

from voicecoach import catalog, plan
from voicecoach.cli import build_parser, main
from voicecoach.engine.state import State
from voicecoach.history.memory import prepare
from voicecoach.history.recorder import set_spans
from voicecoach.history.store import Store
from voicecoach.intents import Intent
from voicecoach.runtime.clocks import VirtualClock
from voicecoach.runtime.simulation import RecordingVoice, estimate_seconds

# behind-knee fitted to 5 minutes: its doses at their low ends, 9 steps instead of 13:
# toe walking 1 set (not 5), toe presses, ankle circles right (2 steps) and left, ...
FITTED_STEP = 2  # ankle circles, right: "Toe Walking, set 3 of 5" as the file has it


def fitted_plan() -> list[plan.Step]:
    routine = catalog.find("behind-knee")
    return plan.steps(plan.fit(routine, 5, seconds=estimate_seconds).routine)


def every_set(plan_steps: list[plan.Step]) -> list[int]:
    """The first step of every set (an exercise's set on one side) of a plan."""
    return [first for first, _ in set_spans(plan_steps)]


def stop_a_fitted_session_at(step: int) -> None:
    """`voicecoach start behind-knee --minutes 5`, stopped at plan step `step`."""
    stop_a_session_at(step, "--minutes", "5")


def stop_a_session_at(step: int, *argv: str) -> None:
    """`voicecoach start behind-knee ARGV`, stopped while the work of plan step `step`
    goes on."""
    stop_a_session_when(lambda s: s.index == step and s.phase in ("work", "hold"), *argv)


def stop_a_session_when(
    when: Callable[[State], bool],
    *argv: str,
    routine_ref: str = "behind-knee",
    going_back_at: Callable[[State], bool] | None = None,
) -> str:
    """`voicecoach start ROUTINE_REF ARGV`, recorded, stopped ("stop", "yes") as soon as
    `when(state)` (after saying "back" twice once `going_back_at(state)`, if given): what
    `commands/start.py` does, with
    a recording voice on a virtual clock. What it prints last (how the user stands, how
    to resume)."""
    from voicecoach.bootstrap import build_session
    from voicecoach.commands.start import session_options

    args = build_parser().parse_args(["start", routine_ref, "--fast", "--record", *argv])
    path = catalog.locate(routine_ref)
    routine = catalog.load(path)
    memory = prepare(
        routine,
        path,
        resume=args.resume,
        replay=True,
        record=True,
        warn=lambda _: None,
        ref=routine_ref,
    )
    assert memory.recorder is not None
    options = session_options(args, routine, None, memory)
    session = build_session(
        options,
        observers=[memory.recorder],
        voice=RecordingVoice(),
        clock=VirtualClock(),
        out=lambda line: None,
    )
    runner = session.runner
    runner.start()

    def run_until(test: Callable[[State], bool]) -> None:
        while not test(runner.state):
            deadline = runner.state.next_deadline
            assert deadline is not None
            runner.run_until(deadline)

    if going_back_at is not None:
        run_until(going_back_at)
        runner.hear(Intent.BACK)
        runner.hear(Intent.BACK)
    run_until(when)
    runner.hear(Intent.STOP)
    runner.hear(Intent.YES)
    runner.run_to_end()  # the summary, said
    assert runner.end is not None
    assert runner.end.reason == "stopped"
    memory.close()
    return memory.recorder.summary


def done_steps(history_db: Path) -> tuple[str, list[int]]:
    store = Store.open(history_db)
    try:
        (row,) = store.sessions()
        return row.outcome, [s.first_step for s in store.sets(row.id) if s.outcome == "done"]
    finally:
        store.close()


def test_the_fitted_plan_differs_from_the_files_at_the_step_these_tests_stop_at() -> None:
    as_written = plan.steps(catalog.find("behind-knee"))
    assert len(fitted_plan()) < len(as_written)
    assert fitted_plan()[FITTED_STEP].exercise != as_written[FITTED_STEP].exercise


def test_a_fitted_session_resumed_without_minutes_picks_up_at_the_set_the_user_stopped_at(
    history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stop_a_fitted_session_at(FITTED_STEP)
    assert done_steps(history_db) == ("stopped", [0, 1])
    capsys.readouterr()
    assert main(["start", "behind-knee", "--fast", "--text", "--record", "--resume"]) == 0
    out = capsys.readouterr().out
    assert "Picking up where you left off: Ankle Circles, set 1 of 1, right side." in out


def test_a_resumed_fitted_session_keeps_the_doses_it_was_fitted_to_and_says_so(
    history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stop_a_fitted_session_at(FITTED_STEP)
    capsys.readouterr()
    assert main(["start", "behind-knee", "--fast", "--text", "--record", "--resume"]) == 0
    out = capsys.readouterr().out
    # 5 minutes is less than the article's ranges allow (the session left said so): the
    # resumed one does not claim its doses were fitted to it
    assert out.count("Same doses as the session you left, which asked for 5 minutes.") == 1
    assert "fitted to" not in out
    outcome, done = done_steps(history_db)
    assert outcome == "finished"
    assert done == every_set(fitted_plan())  # every set of the fitted plan, once


def test_a_resumed_fitted_session_can_be_stopped_and_resumed_again_with_the_same_doses(
    history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stop_a_fitted_session_at(1)  # toe presses: toe walking's one set is done
    stop_a_session_at(6, "--resume")  # toe pickup, right: ankle circles done
    assert done_steps(history_db) == ("stopped", [0, 1, 2, 4])  # circles: sets of 2 steps
    capsys.readouterr()
    resumed = ["start", "behind-knee", "--fast", "--text", "--record", "--resume"]
    assert main(resumed) == 0
    out = capsys.readouterr().out
    assert "Picking up where you left off: Toe Object Pick-up, set 1 of 1, right side." in out
    assert "Same doses as the session you left, which asked for 5 minutes." in out
    assert done_steps(history_db) == ("finished", every_set(fitted_plan()))


def test_history_shows_the_minutes_a_session_was_fitted_to(
    history_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")  # the table on one line per session
    stop_a_fitted_session_at(FITTED_STEP)
    assert main(["start", "behind-knee", "--fast", "--text", "--record"]) == 0  # as written
    capsys.readouterr()
    assert main(["history", "--json"]) == 0
    newest, fitted = json.loads(capsys.readouterr().out)["sessions"]
    assert (fitted["fit_minutes"], fitted["sets"]["done"], fitted["outcome"]) == (5, 2, "stopped")
    assert newest["fit_minutes"] is None
    assert main(["history"]) == 0
    table = capsys.readouterr().out
    (line,) = [line for line in table.splitlines() if "stopped" in line]
    assert "5 min" in line  # in the Fitted column
    assert "2/" in line


# ----------------------------------------------------------------- an older history

SCHEMA_1 = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY, routine TEXT NOT NULL, routine_hash TEXT NOT NULL,
    started REAL NOT NULL, ended REAL NOT NULL, outcome TEXT NOT NULL, engine TEXT NOT NULL,
    minutes REAL NOT NULL DEFAULT 0, resumes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_by_routine ON sessions (routine, started);
CREATE TABLE sets (
    id INTEGER PRIMARY KEY,
    session INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    first_step INTEGER NOT NULL, last_step INTEGER NOT NULL, exercise TEXT NOT NULL,
    set_number INTEGER NOT NULL, side TEXT, outcome TEXT NOT NULL, seconds REAL NOT NULL,
    reps INTEGER NOT NULL, pain INTEGER NOT NULL, at REAL NOT NULL
);
CREATE INDEX sets_by_session ON sets (session, id);
PRAGMA user_version = 1;
"""


def an_old_history_with_a_stopped_session(history_db: Path) -> None:
    """A history written before sessions kept the minutes they were fitted to (schema
    1): behind-knee stopped after toe walking's first two sets, an hour ago."""
    import sqlite3
    import time

    from voicecoach.history.memory import file_hash

    history_db.parent.mkdir(parents=True)
    conn = sqlite3.connect(history_db)
    conn.executescript(SCHEMA_1)
    at = time.time() - 3600
    digest = file_hash(catalog.locate("behind-knee"))
    conn.execute(
        "INSERT INTO sessions VALUES (1, 'behind-knee', ?, ?, ?, 'stopped', 'keys', 3, 0)",
        (digest, at - 180, at),
    )
    for step in (0, 1):
        conn.execute(
            "INSERT INTO sets (session, first_step, last_step, exercise, set_number, side,"
            " outcome, seconds, reps, pain, at) VALUES (1, ?, ?, 'toe-walking', ?, NULL,"
            " 'done', 60, 0, 0, ?)",
            (step, step, step + 1, at),
        )
    conn.commit()
    conn.close()


def test_an_old_history_opens_shows_its_sessions_and_resumes_with_the_files_doses(
    history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from voicecoach.history.store import SCHEMA_VERSION

    an_old_history_with_a_stopped_session(history_db)
    assert main(["history", "--json"]) == 0
    (old,) = json.loads(capsys.readouterr().out)["sessions"]
    assert (old["outcome"], old["sets"]["done"], old["fit_minutes"]) == ("stopped", 2, None)
    store = Store.open(history_db)
    assert store.version == SCHEMA_VERSION
    store.close()
    assert main(["start", "behind-knee", "--fast", "--text", "--record", "--resume"]) == 0
    out = capsys.readouterr().out
    assert "Picking up where you left off: Toe Walking, set 3 of 5." in out
    assert "Same doses" not in out
    as_written = plan.steps(catalog.find("behind-knee"))
    assert done_steps(history_db) == ("finished", every_set(as_written))


# ----------------------------------------------------------------------------- --from


def test_a_session_started_from_an_exercise_and_stopped_before_any_set_was_done_resumes_there(
    history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stop_a_session_at(6, "--from", "ankle-circles")  # its first set, right side, cut short
    assert done_steps(history_db) == ("stopped", [])
    capsys.readouterr()
    assert main(["start", "behind-knee", "--fast", "--text", "--record", "--resume"]) == 0
    out = capsys.readouterr().out
    assert "Picking up where you left off: Ankle Circles, set 1 of 1, right side." in out
    as_written = every_set(plan.steps(catalog.find("behind-knee")))
    assert done_steps(history_db) == ("finished", [s for s in as_written if s >= 6])


def test_a_session_started_from_an_exercise_and_stopped_in_its_intro_resumes_at_that_exercise(
    history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stop_a_session_when(lambda s: s.phase == "intro", "--from", "ankle-circles")
    assert done_steps(history_db) == ("stopped", [])
    capsys.readouterr()
    assert main(["start", "behind-knee", "--fast", "--text", "--record", "--resume"]) == 0
    out = capsys.readouterr().out
    assert "Picking up where you left off: Ankle Circles, set 1 of 1, right side." in out


# ------------------------------------------------------------- a routine from a file

MY_FEET = """
name = "my-feet"
title = "My feet"
[[exercises]]
id = "walk"
name = "Walk"
work = { kind = "timed", seconds = 20 }
sets = 3
rest_between_sets = 5
"""


def test_a_routine_run_from_a_file_is_resumed_from_that_file_as_every_hint_says(
    tmp_path: Path, history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "my-feet.toml"  # not in any routines folder: found by its path only
    path.write_text(MY_FEET)
    summary = stop_a_session_when(
        lambda s: s.index == 1 and s.phase == "work", routine_ref=str(path)
    )
    assert f"to continue this session: voicecoach start {path} --resume" in summary
    assert main(["start", str(path), "--fast", "--text", "--record"]) == 0
    assert f"to continue it: voicecoach start {path} --resume" in capsys.readouterr().err
    stop_a_session_when(lambda s: s.index == 1 and s.phase == "work", routine_ref=str(path))
    assert main(["start", str(path), "--fast", "--text", "--record", "--resume"]) == 0
    assert "Picking up where you left off: Walk, set 2 of 3." in capsys.readouterr().out


# ------------------------------------------------------------------------------ back


def test_a_session_stopped_after_going_back_resumes_after_the_furthest_set_done(
    history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # toe walking's sets 1-3 done, set 4 begun; "back", "back": to the start of toe
    # walking; its set 1 done again, set 2 begun again (kept done), and stop
    stop_a_session_when(
        lambda s: s.index == 1 and s.phase == "work",
        going_back_at=lambda s: s.index == 3 and s.phase == "work",
    )
    assert done_steps(history_db) == ("stopped", [0, 1, 2, 0, 1])
    capsys.readouterr()
    assert main(["start", "behind-knee", "--fast", "--text", "--record", "--resume"]) == 0
    out = capsys.readouterr().out
    assert "Picking up where you left off: Toe Walking, set 4 of 5." in out


def the_command_in(hint: str) -> list[str]:
    """The shell words of the command a hint ends with ("...: voicecoach start ...")."""
    return shlex.split(hint[hint.index("voicecoach start") :].rstrip(")"))


@pytest.mark.parametrize("folder", ["my feet", "Jo's feet"])
def test_the_resume_hints_for_a_path_with_a_space_or_a_quote_are_one_shell_command(
    folder: str, tmp_path: Path, history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / folder / "my-feet.toml"  # (a routine's file is named after it)
    path.parent.mkdir()
    path.write_text(MY_FEET)
    summary = stop_a_session_when(
        lambda s: s.index == 1 and s.phase == "work", routine_ref=str(path)
    )
    assert the_command_in(summary) == ["voicecoach", "start", str(path), "--resume"]
    assert main(["start", str(path), "--fast", "--text", "--record"]) == 0
    (hint,) = [line for line in capsys.readouterr().err.splitlines() if "to continue it" in line]
    resume = the_command_in(hint)
    assert resume == ["voicecoach", "start", str(path), "--resume"]
    assert "'\"'\"'" not in summary + hint  # "Jo's feet", as a person would quote it
    stop_a_session_when(lambda s: s.index == 1 and s.phase == "work", routine_ref=str(path))
    assert main([*resume[1:], "--fast", "--text", "--record"]) == 0
    assert "Picking up where you left off: Walk, set 2 of 3." in capsys.readouterr().out


def unfinished_elsewhere(folder: Path, user_dir: Path) -> Path:
    """my-feet run from `folder` and stopped in its set 2, while the name my-feet finds
    another file (in the user's routines): the file it ran from."""
    ran = folder / "my-feet.toml"
    ran.parent.mkdir()
    ran.write_text(MY_FEET)
    (user_dir / "my-feet.toml").write_text(MY_FEET.replace("sets = 3", "sets = 4"))
    stop_a_session_when(lambda s: s.index == 1 and s.phase == "work", routine_ref=str(ran))
    return ran


def test_a_routine_run_from_a_file_then_resumed_by_a_name_that_finds_another_file_says_so(
    tmp_path: Path, user_dir: Path, history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = unfinished_elsewhere(tmp_path / "my feet", user_dir)
    capsys.readouterr()
    assert main(["start", "my-feet", "--fast", "--text", "--record", "--resume"]) == 2
    err = capsys.readouterr().err
    assert "changed" not in err
    assert (
        f"my-feet finds {user_dir / 'my-feet.toml'}, but the unfinished session of my-feet "
        f"ran from a different file, {ran}"
    ) in err
    assert the_command_in(err.splitlines()[-1]) == ["voicecoach", "start", str(ran), "--resume"]


def test_a_routine_started_afresh_by_a_name_that_finds_another_file_says_how_to_continue(
    tmp_path: Path, user_dir: Path, history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = unfinished_elsewhere(tmp_path / "Jo's feet", user_dir)
    capsys.readouterr()
    assert main(["start", "my-feet", "--fast", "--text", "--record"]) == 0
    (hint,) = [line for line in capsys.readouterr().err.splitlines() if "did not finish" in line]
    assert (
        f"it ran from a different file, {ran}, not {user_dir / 'my-feet.toml'}; to continue it:"
    ) in hint
    resume = the_command_in(hint)
    assert resume == ["voicecoach", "start", str(ran), "--resume"]
    stop_a_session_when(lambda s: s.index == 1 and s.phase == "work", routine_ref=str(ran))
    assert main([*resume[1:], "--fast", "--text", "--record"]) == 0
    assert "Picking up where you left off: Walk, set 2 of 3." in capsys.readouterr().out


def test_no_command_is_offered_for_an_unfinished_session_whose_file_changed_since(
    tmp_path: Path, user_dir: Path, history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = unfinished_elsewhere(tmp_path / "elsewhere", user_dir)
    ran.write_text(MY_FEET.replace("sets = 3", "sets = 5"))  # it would not resume now
    capsys.readouterr()
    assert main(["start", "my-feet", "--fast", "--text", "--record"]) == 0
    assert "--resume" not in capsys.readouterr().err


def test_a_routine_resumed_by_a_path_to_another_file_names_each_file_once(
    tmp_path: Path, user_dir: Path, history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a path is not a name that "finds" a file: "/x/my-feet.toml finds /x/my-feet.toml"
    (user_dir / "my-feet.toml").write_text(MY_FEET)
    other = tmp_path / "other" / "my-feet.toml"
    other.parent.mkdir()
    other.write_text(MY_FEET.replace("sets = 3", "sets = 4"))
    stop_a_session_when(lambda s: s.index == 1 and s.phase == "work", routine_ref="my-feet")
    capsys.readouterr()
    assert main(["start", str(other), "--fast", "--text", "--record", "--resume"]) == 2
    err = capsys.readouterr().err
    assert f"{other} finds" not in err
    assert (
        "the unfinished session of my-feet ran from a different file, "
        f"{user_dir / 'my-feet.toml'}, not {other}"
    ) in err
    resume = ["voicecoach", "start", str(user_dir / "my-feet.toml"), "--resume"]
    assert the_command_in(err.splitlines()[-1]) == resume


def test_a_fitted_session_keeps_one_fit_in_its_log_header_and_in_its_history_row(
    history_db: Path, tmp_path: Path
) -> None:
    log = tmp_path / "run.jsonl"
    fitted = ["behind-knee", "--minutes", "5", "--fast", "--text", "--record", "--log", str(log)]
    assert main(["start", *fitted]) == 0
    header = json.loads(log.read_text().splitlines()[0])
    assert header["type"] == "session"
    assert header["fit_minutes"] == 5  # the log's format: two flat fields
    assert 0 <= header["dose_scale"] <= 1
    store = Store.open(history_db)
    (row,) = store.sessions()
    store.close()
    assert row.dose_fit == plan.DoseFit(5, header["dose_scale"])


def test_a_resumed_session_does_not_say_the_articles_note_on_the_whole_length_again(
    history_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """back-hip-knee's first intro explains why it takes more than the article's 20
    minutes ("toe walking alone takes 7 minutes..."): heard within the day, and about a
    whole session, not the minutes left of this one."""
    note = "The article says some 20 minutes, but its own numbers add up to more"
    assert main(["start", "back-hip-knee", "--fast", "--text", "--no-history"]) == 0
    assert note in capsys.readouterr().out  # the first intro says it
    stop_a_session_when(lambda s: s.index == 2 and s.phase == "work", routine_ref="back-hip-knee")
    assert main(["start", "back-hip-knee", "--fast", "--text", "--record", "--resume"]) == 0
    out = capsys.readouterr().out
    assert "Picking up where you left off" in out
    assert note not in out
