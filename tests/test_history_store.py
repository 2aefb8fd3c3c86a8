"""The history database: one row per session and per set, each committed as it is written,
a schema version with migrations, and a damaged file moved aside."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from voicecoach.errors import HistoryError
from voicecoach.history.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    HistoryCorrupt,
    SetRow,
    Store,
    open_history,
    per_set,
)


def a_set(step: int, outcome: str = "done", at: float = 100.0) -> SetRow:
    return SetRow(step, step, "heel-raises", step + 1, "right", outcome, 30.0, 10, False, at)  # type: ignore[arg-type]


def test_a_new_history_is_created_in_wal_mode_at_the_current_schema(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "deep" / "history.db")
    assert store.version == SCHEMA_VERSION
    store.close()
    conn = sqlite3.connect(tmp_path / "deep" / "history.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_session_starts_as_crashed_and_its_end_says_how_it_ended(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "history.db")
    sid = store.begin("ground-up", "abc", started=1000.0, engine="keys")
    assert store.session(sid).outcome == "crashed"  # type: ignore[union-attr]
    store.finish(sid, ended=1600.0, outcome="stopped", minutes=10.0)
    row = store.session(sid)
    assert (row.outcome, row.ended, row.minutes) == ("stopped", 1600.0, 10.0)  # type: ignore[union-attr]


def test_each_set_is_on_disk_as_soon_as_it_is_added(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    store = Store.open(path)
    sid = store.begin("ground-up", "abc", started=1000.0, engine="keys")
    store.add_set(sid, a_set(0, at=1030.0), minutes=0.5)
    other = Store.open(path)  # another connection sees it without any close
    assert [s.first_step for s in other.sets(sid)] == [0]
    assert other.session(sid).ended == 1030.0  # type: ignore[union-attr]


def test_an_old_database_is_migrated_and_a_newer_one_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    sqlite3.connect(path).close()  # an empty file at version 0
    assert Store.open(path).version == SCHEMA_VERSION
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(HistoryError, match="newer voicecoach"):
        Store.open(path)


def open_by_this_process(path: Path) -> list[str]:
    """The file descriptors of this process open on `path` (Linux: /proc/self/fd)."""
    fds = Path("/proc/self/fd")
    found = []
    for fd in fds.iterdir():
        try:
            target = (fds / fd.name).readlink()
        except OSError:  # the listing's own descriptor, closed meanwhile
            continue
        if target == path:
            found.append(fd.name)
    return found


def a_newer_history(path: Path) -> None:
    sqlite3.connect(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()


def a_damaged_history(path: Path) -> None:
    path.write_bytes(b"this is not a database at all" * 100)


@pytest.mark.parametrize("written", [a_newer_history, a_damaged_history])
def test_a_history_it_refuses_is_left_closed(tmp_path: Path, written) -> None:
    path = tmp_path / "history.db"
    written(path)
    with pytest.raises(HistoryError) as refused:  # (HistoryCorrupt is one)
        Store.open(path)
    assert refused.value is not None  # the refusal (and all it refers to) is still alive
    assert open_by_this_process(path) == []


def test_a_damaged_file_is_reported_moved_aside_and_replaced(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    path.write_bytes(b"this is not a database at all" * 100)
    said: list[str] = []
    store = open_history(path, warn=said.append)
    assert store.sessions() == []
    moved = [p for p in tmp_path.iterdir() if p.name.startswith("history.db.damaged-")]
    assert len(moved) == 1
    assert moved[0].read_bytes().startswith(b"this is not a database")
    assert len(said) == 1
    assert "damaged" in said[0]
    assert str(moved[0]) in said[0]


def test_unfinished_finds_the_latest_session_only_if_it_did_not_finish() -> None:
    store = Store.memory()
    old = store.begin("ground-up", "h", started=100.0, engine="keys")
    store.finish(old, 200.0, "stopped", 1.0)
    assert store.unfinished("ground-up", since=150.0) == store.session(old)
    assert store.unfinished("ground-up", since=250.0) is None  # too long ago
    assert store.unfinished("behind-knee", since=0.0) is None
    new = store.begin("ground-up", "h", started=300.0, engine="keys")
    store.finish(new, 400.0, "finished", 1.0)
    assert store.unfinished("ground-up", since=0.0) is None


def test_a_resumed_session_goes_on_in_its_own_row() -> None:
    store = Store.memory()
    sid = store.begin("ground-up", "h", started=100.0, engine="keys")
    store.finish(sid, 200.0, "interrupted", 1.5)
    store.reopen(sid, at=300.0, engine="vosk")
    row = store.session(sid)
    assert (row.outcome, row.resumes, row.engine) == ("crashed", 1, "vosk")  # type: ignore[union-attr]
    assert len(store.sessions()) == 1


class OpenedAsAnotherVoicecoachMigrates(Store):
    """A Store whose first transaction comes just after another voicecoach, started at
    the same moment on the same old history, has migrated it (two processes, one file)."""

    raced = False

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        if not self.raced:
            self.raced = True
            assert self.path is not None
            Store.open(self.path).close()  # the other one takes the lock first
        with super()._transaction() as conn:
            yield conn


def test_a_history_another_voicecoach_migrates_meanwhile_opens_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")  # schema 1
    conn.execute("INSERT INTO sessions VALUES (1, 'ground-up', 'h', 1, 2, 'stopped', 'keys', 3, 0)")
    conn.commit()
    conn.close()
    store = OpenedAsAnotherVoicecoachMigrates.open(path)  # not HistoryCorrupt: moved aside
    assert store.version == SCHEMA_VERSION
    assert [s.routine for s in store.sessions()] == ["ground-up"]


class MigratedOnAFullDisk(Store):
    """A Store whose migration cannot be written: the disk is full (or the file is
    read-only, which root, running these tests, would ignore)."""

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        raise sqlite3.OperationalError("database or disk is full")
        yield self._conn  # pragma: no cover - a generator's shape


def test_a_healthy_history_that_cannot_be_migrated_is_not_taken_for_damaged(
    tmp_path: Path,
) -> None:
    path = tmp_path / "history.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")  # schema 1
    conn.commit()
    conn.close()
    with pytest.raises(HistoryError, match="disk is full") as raised:
        MigratedOnAFullDisk.open(path)
    assert not isinstance(raised.value, HistoryCorrupt)  # open_history would move it aside
    assert "--no-history" in (raised.value.hint or "")
    assert Store.open(path).version == SCHEMA_VERSION  # the file was fine all along


def test_each_set_counts_once_with_the_best_outcome_it_had() -> None:
    rows = [a_set(0), a_set(1, "skipped"), a_set(1), a_set(2, "cut short"), a_set(0, "cut short")]
    assert [(r.first_step, r.outcome) for r in per_set(rows)] == [
        (0, "done"),  # redone after "back", cut short the second time: done once
        (1, "done"),  # skipped when interrupted, done when resumed
        (2, "cut short"),
    ]


def another_programs_database(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE sessions (x)")  # same table name, none of our columns
    conn.commit()
    conn.close()


def a_file_that_says_it_is_ours_but_is_not(path: Path) -> None:
    another_programs_database(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 1")
    conn.close()


@pytest.mark.parametrize(
    "written", [another_programs_database, a_file_that_says_it_is_ours_but_is_not]
)
def test_a_database_whose_tables_are_not_a_history_is_moved_aside_as_damaged(
    tmp_path: Path, written
) -> None:
    path = tmp_path / "history.db"
    written(path)
    said: list[str] = []
    store = open_history(path, warn=said.append)
    assert store.sessions() == []
    assert len([p for p in tmp_path.iterdir() if p.name.startswith("history.db.damaged-")]) == 1
    assert "damaged" in said[0]
