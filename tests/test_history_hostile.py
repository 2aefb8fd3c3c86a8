"""The history when something stands in its way: two sessions writing it at once, another
program's lock, a file from a newer voicecoach, a folder or a loop of symbolic links where
the file should be, a disk that fills up mid-session. Each ends with our message and exit
code (a session runs unrecorded and says so), never a traceback, and never costs the
sessions recorded before."""

from __future__ import annotations

import resource
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from voicecoach import catalog
from voicecoach.cli import main
from voicecoach.errors import ExitCode, HistoryError
from voicecoach.history.recorder import set_spans
from voicecoach.history.store import SCHEMA_VERSION, HistoryCorrupt, Store, open_history
from voicecoach.plan import steps

BEHIND_KNEE_SETS = len(set_spans(steps(catalog.find("behind-knee"))))
GROUND_UP_SETS = len(set_spans(steps(catalog.find("ground-up"))))


def recorded(history_db: Path) -> list[tuple[str, str, int]]:
    """(routine, outcome, sets) per session, oldest first, read without writing."""
    conn = sqlite3.connect(f"file:{history_db}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = conn.execute(
            "SELECT s.routine, s.outcome, COUNT(t.id) FROM sessions s"
            " LEFT JOIN sets t ON t.session = s.id GROUP BY s.id ORDER BY s.id"
        )
        return [(str(r), str(o), int(n)) for r, o, n in rows]
    finally:
        conn.close()


@pytest.fixture
def one_session(history_db: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A history holding one finished behind-knee session."""
    assert main(["start", "behind-knee", "--fast", "--record"]) == 0
    capsys.readouterr()
    assert recorded(history_db) == [("behind-knee", "finished", BEHIND_KNEE_SETS)]
    return history_db


def voicecoach(*args: str, limit_file_size: int | None = None) -> subprocess.Popen[str]:
    """`voicecoach ARGS` in a process of its own (the test's XDG folders)."""

    def limit() -> None:
        if limit_file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.Popen(
        [sys.executable, "-m", "voicecoach", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limit,
    )


def test_two_sessions_recording_at_once_both_keep_every_set(one_session: Path) -> None:
    record = ("--fast", "--quiet-screen", "--record")
    runs = [voicecoach("start", "behind-knee", *record), voicecoach("start", "ground-up", *record)]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        assert "Traceback" not in err
        assert "stopped recording" not in err
    assert sorted(recorded(one_session)) == sorted(
        [
            ("behind-knee", "finished", BEHIND_KNEE_SETS),
            ("behind-knee", "finished", BEHIND_KNEE_SETS),
            ("ground-up", "finished", GROUND_UP_SETS),
        ]
    )


@pytest.fixture
def short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """A lock is waited on for a twentieth of a second, not five."""
    monkeypatch.setattr(Store, "WAIT_FOR_LOCK", 0.05)


@pytest.fixture
def locked(one_session: Path) -> Iterator[Path]:
    """The history, with another program in the middle of writing it."""
    other = sqlite3.connect(one_session, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    yield one_session
    other.execute("ROLLBACK")
    other.close()


def test_a_session_while_another_program_writes_the_history_runs_unrecorded_and_says_why(
    locked: Path, short_waits: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["start", "ground-up", "--fast", "--record"]) == ExitCode.OK
    err = capsys.readouterr().err
    assert err.count("stopped recording") == 1
    assert "database is locked" in err
    assert "hint: close the other voicecoach" in err
    assert "Traceback" not in err


def test_a_history_locked_in_the_old_journal_mode_is_refused_not_taken_for_damaged(
    tmp_path: Path, short_waits: None
) -> None:
    path = tmp_path / "history.db"
    Store.open(path).close()
    plain = sqlite3.connect(path, isolation_level=None)
    plain.execute("PRAGMA journal_mode=DELETE")  # as another tool may leave it
    plain.execute("BEGIN EXCLUSIVE")
    plain.execute("PRAGMA user_version = 4")
    said: list[str] = []
    with pytest.raises(HistoryError, match="locked by another program") as raised:
        open_history(path, warn=said.append)
    assert not isinstance(raised.value, HistoryCorrupt)
    assert said == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.db", "history.db-journal"]
    plain.execute("ROLLBACK")


def test_a_history_from_a_newer_voicecoach_is_left_as_it_is(
    one_session: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = sqlite3.connect(one_session)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    assert main(["start", "ground-up", "--fast", "--record"]) == ExitCode.OK
    assert main(["history"]) == ExitCode.FILES
    err = capsys.readouterr().err
    assert err.count("written by a newer voicecoach") == 2
    assert "hint: upgrade voicecoach, or run with --no-history" in err
    assert "this session is not recorded" in err
    assert not [p for p in one_session.parent.iterdir() if "damaged" in p.name]
    assert recorded(one_session) == [("behind-knee", "finished", BEHIND_KNEE_SETS)]


def a_folder(path: Path) -> str:
    path.mkdir(parents=True)
    return "is a folder, not a file"


def a_loop_of_links(path: Path) -> str:
    path.parent.mkdir(parents=True)
    (path.parent / "other.db").symlink_to(path.name)
    path.symlink_to("other.db")
    return "is a loop of symbolic links"


def a_link_to_nowhere(path: Path) -> str:
    path.parent.mkdir(parents=True)
    gone = path.parent / "gone" / "history.db"  # a folder that does not exist
    path.symlink_to(gone)
    return f"is a symbolic link to {gone}, which cannot be made"


@pytest.mark.parametrize("standing", [a_folder, a_loop_of_links, a_link_to_nowhere])
def test_what_stands_where_the_history_should_be_is_named_and_left_alone(
    history_db: Path, standing, capsys: pytest.CaptureFixture[str]
) -> None:
    why = standing(history_db)
    before = sorted(p.name for p in history_db.parent.iterdir())
    assert main(["history"]) == ExitCode.FILES
    assert main(["start", "behind-knee", "--fast", "--record"]) == ExitCode.OK
    err = capsys.readouterr().err
    assert err.count(why) == 2
    assert "hint: move it out of the way" in err
    assert "this session is not recorded" in err
    assert sorted(p.name for p in history_db.parent.iterdir()) == before


def test_a_disk_that_fills_up_mid_session_keeps_the_history_written_before(
    one_session: Path,
) -> None:
    """The file may grow a few pages, then the disk is full (a file size limit): the
    session goes on, says so once, and the history keeps everything written before."""
    room = one_session.stat().st_size + 16 * 1024
    run = voicecoach("start", "ground-up", "--fast", "--record", limit_file_size=room)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    assert err.count("the history stopped recording this session") == 1
    assert "what it recorded before is kept" in err
    assert "hint: make room on the disk" in err
    assert "Traceback" not in err
    first, *later = recorded(one_session)
    assert first == ("behind-knee", "finished", BEHIND_KNEE_SETS)
    assert [(r, o) for r, o, _ in later] == [("ground-up", "crashed")]  # as far as it got
    assert later[0][2] < GROUND_UP_SETS
