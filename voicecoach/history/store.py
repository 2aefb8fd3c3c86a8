"""The workout history in SQLite: the one module that owns its SQL.

`history.db` (under `xdg.data_dir()`) holds a row per session and a row per exercise set.
WAL mode, and each write is its own committed transaction, so whatever ends a session
(Ctrl-C, SIGTERM, a lost device, a crash) keeps everything up to the last completed set.
The schema version is SQLite's `user_version`; `MIGRATIONS[n]` takes a database from
version n to n + 1. A file SQLite cannot read is `HistoryCorrupt`: `open_history` moves
it aside and starts a new one, so a session still runs.

Times are Unix seconds (wall clock); a session's `outcome` is one of `OUTCOMES`. A new
session is written as `crashed` and corrected when it ends, so a process that dies
without a word leaves the truth behind.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from voicecoach.errors import HistoryError

if TYPE_CHECKING:
    from voicecoach.plan import DoseFit

Outcome = Literal["finished", "stopped", "interrupted", "crashed"]
SetOutcome = Literal["done", "skipped", "cut short"]
OUTCOMES: tuple[Outcome, ...] = ("finished", "stopped", "interrupted", "crashed")
FILENAME = "history.db"

MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: sessions and their sets
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        routine TEXT NOT NULL,
        routine_hash TEXT NOT NULL,
        started REAL NOT NULL,
        ended REAL NOT NULL,
        outcome TEXT NOT NULL,
        engine TEXT NOT NULL,
        minutes REAL NOT NULL DEFAULT 0,
        resumes INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX sessions_by_routine ON sessions (routine, started);
    CREATE TABLE sets (
        id INTEGER PRIMARY KEY,
        session INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        first_step INTEGER NOT NULL,
        last_step INTEGER NOT NULL,
        exercise TEXT NOT NULL,
        set_number INTEGER NOT NULL,
        side TEXT,
        outcome TEXT NOT NULL,
        seconds REAL NOT NULL,
        reps INTEGER NOT NULL,
        pain INTEGER NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX sets_by_session ON sets (session, id);
    """,
    # 1 -> 2: the doses of a session fitted with `--minutes N` (N, and where within the
    # article's ranges: `plan.scaled_doses`), for `--resume` to run the same sets again
    """
    ALTER TABLE sessions ADD COLUMN fit_minutes REAL;
    ALTER TABLE sessions ADD COLUMN dose_scale REAL;
    """,
    # 2 -> 3: the exercise a session started with (`--from`), where a `--resume` of a
    # session stopped before its first set picks up
    """
    ALTER TABLE sessions ADD COLUMN start_exercise INTEGER NOT NULL DEFAULT 0;
    """,
    # 3 -> 4: the routine file a session ran from, so that a `--resume` by a name that now
    # finds another file of the same name says so (and how to resume from that file)
    """
    ALTER TABLE sessions ADD COLUMN source TEXT;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryCorrupt(HistoryError):
    """The file is not a database SQLite can read."""


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: int
    routine: str
    routine_hash: str
    started: float
    ended: float
    outcome: Outcome
    engine: str
    minutes: float
    resumes: int
    fit_minutes: float | None = None  # `--minutes N`: the length its doses were fitted to
    dose_scale: float | None = None  # where in the article's ranges (None: as written)
    start_exercise: int = 0  # `--from`: the index of the exercise it started with
    source: str | None = None  # the routine file it ran from (None: an older voicecoach)

    @property
    def dose_fit(self) -> DoseFit | None:
        """`fit_minutes` and `dose_scale` as one value (the database keeps two columns)."""
        from voicecoach.plan import DoseFit

        return DoseFit.of(self.fit_minutes, self.dose_scale)


@dataclass(frozen=True, slots=True)
class SetRow:
    """One set of one exercise (on one side): plan steps `first_step..last_step`."""

    first_step: int
    last_step: int
    exercise: str
    set_number: int
    side: str | None
    outcome: SetOutcome
    seconds: float
    reps: int
    pain: bool
    at: float


_BEST_FIRST: tuple[SetOutcome, ...] = ("done", "cut short", "skipped")


def per_set(rows: Iterable[SetRow]) -> list[SetRow]:
    """One row per set (its plan steps), the one with the best outcome (done, then cut
    short, then skipped), in the order the sets were first written: a set taken up again
    by `--resume`, or redone after "back", has a row for each time."""
    best: dict[int, SetRow] = {}
    for row in rows:
        kept = best.get(row.first_step)
        if kept is None or _BEST_FIRST.index(row.outcome) < _BEST_FIRST.index(kept.outcome):
            best[row.first_step] = row
    return list(best.values())


class Store:
    """An open history database. Every write commits before it returns."""

    WAIT_FOR_LOCK = 5.0  # seconds a write waits for another voicecoach's to end

    def __init__(self, conn: sqlite3.Connection, path: Path | None) -> None:
        self._conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path | str) -> Store:
        """Open (creating it and its folder if needed) and migrate to `SCHEMA_VERSION`."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=cls.WAIT_FOR_LOCK, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise _unopenable(path, exc) from None
        store = cls(conn, path)
        try:
            store._prepare(wal=True)
        except BaseException as exc:  # every refusal (a newer schema too) closes the file
            conn.close()
            if isinstance(exc, sqlite3.OperationalError):  # locked, read-only, disk full
                raise _unwritable(path, exc) from None
            if isinstance(exc, sqlite3.DatabaseError):
                raise HistoryCorrupt(f"the history {path} is damaged ({exc})") from None
            raise
        return store

    @classmethod
    def memory(cls) -> Store:
        """A history that lives only as long as this object (tests, `--no-history`)."""
        store = cls(sqlite3.connect(":memory:", isolation_level=None), None)
        store._prepare(wal=False)
        return store

    def _prepare(self, wal: bool) -> None:
        c = self._conn
        check = c.execute("PRAGMA quick_check").fetchone()
        if check is None or check[0] != "ok":
            raise sqlite3.DatabaseError(f"integrity check: {check[0] if check else 'no answer'}")
        if wal:
            c.execute("PRAGMA journal_mode=WAL")
        c.execute("PRAGMA foreign_keys=ON")
        version = int(c.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"the history {self.path} was written by a newer voicecoach "
                f"(schema {version}; this one knows {SCHEMA_VERSION})",
                "upgrade voicecoach, or run with --no-history",
            )
        if version == 0 and _tables(c):  # another program's database under our name
            raise sqlite3.DatabaseError(f"tables of another program: {', '.join(_tables(c))}")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self._transaction() as tx:
                if self.version >= target:  # another voicecoach migrated it meanwhile
                    continue
                for statement in _statements(MIGRATIONS[target - 1]):
                    tx.execute(statement)
                tx.execute(f"PRAGMA user_version = {target}")
        for table, columns in _schema().items():  # a file that says it is ours but is not
            missing = columns - {row[1] for row in c.execute(f"PRAGMA table_info({table})")}
            if missing:
                raise sqlite3.DatabaseError(f"table {table} lacks {', '.join(sorted(missing))}")

    @property
    def version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def close(self) -> None:
        self._conn.close()

    # ------------------------------------------------------------------- writes

    def begin(
        self,
        routine: str,
        routine_hash: str,
        started: float,
        engine: str,
        *,
        dose_fit: DoseFit | None = None,
        start_exercise: int = 0,
        source: str | None = None,
    ) -> int:
        """A new session row, `crashed` until `finish` says how it ended; a session
        fitted with `--minutes` keeps its doses (`SessionRow.dose_fit`),
        one started `--from` an exercise keeps which (`start_exercise`), and every one the
        routine file it ran from (`source`)."""
        with self._transaction() as c:
            cur = c.execute(
                "INSERT INTO sessions (routine, routine_hash, started, ended, outcome, engine,"
                " fit_minutes, dose_scale, start_exercise, source)"
                " VALUES (?, ?, ?, ?, 'crashed', ?, ?, ?, ?, ?)",
                (
                    routine,
                    routine_hash,
                    started,
                    started,
                    engine,
                    None if dose_fit is None else dose_fit.minutes,
                    None if dose_fit is None else dose_fit.scale,
                    start_exercise,
                    source,
                ),
            )
        return int(cur.lastrowid or 0)

    def reopen(self, session: int, at: float, engine: str) -> None:
        """A resumed session goes on in its own row (`crashed` again until it ends)."""
        with self._transaction() as c:
            c.execute(
                "UPDATE sessions SET outcome = 'crashed', ended = ?, engine = ?,"
                " resumes = resumes + 1 WHERE id = ?",
                (at, engine, session),
            )

    def add_set(self, session: int, row: SetRow, minutes: float) -> None:
        with self._transaction() as c:
            c.execute(
                "INSERT INTO sets (session, first_step, last_step, exercise, set_number, side,"
                " outcome, seconds, reps, pain, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session,
                    row.first_step,
                    row.last_step,
                    row.exercise,
                    row.set_number,
                    row.side,
                    row.outcome,
                    row.seconds,
                    row.reps,
                    int(row.pain),
                    row.at,
                ),
            )
            c.execute(
                "UPDATE sessions SET ended = ?, minutes = ? WHERE id = ?",
                (row.at, minutes, session),
            )

    def mark_pain(self, session: int, exercise: str) -> None:
        """A pain reported once the sets were over (in the goodbye): it goes with the last
        set of `exercise` worked in `session` (none worked: nothing to mark)."""
        with self._transaction() as c:
            c.execute(
                "UPDATE sets SET pain = 1 WHERE id = (SELECT MAX(id) FROM sets"
                " WHERE session = ? AND exercise = ? AND outcome != 'skipped')",
                (session, exercise),
            )

    def finish(self, session: int, ended: float, outcome: Outcome, minutes: float) -> None:
        with self._transaction() as c:
            c.execute(
                "UPDATE sessions SET ended = ?, outcome = ?, minutes = ? WHERE id = ?",
                (ended, outcome, minutes, session),
            )

    # -------------------------------------------------------------------- reads

    def sessions(self, routine: str | None = None, limit: int | None = None) -> list[SessionRow]:
        """Newest first."""
        sql = f"SELECT {_SESSION_COLUMNS} FROM sessions"
        params: list[object] = []
        if routine is not None:
            sql += " WHERE routine = ?"
            params.append(routine)
        sql += " ORDER BY started DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_session(r) for r in self._conn.execute(sql, params)]

    def session(self, session: int) -> SessionRow | None:
        row = self._conn.execute(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?", (session,)
        ).fetchone()
        return _session(row) if row else None

    def sets(self, session: int) -> list[SetRow]:
        """In the order they were written."""
        rows = self._conn.execute(
            "SELECT first_step, last_step, exercise, set_number, side, outcome, seconds, reps,"
            " pain, at FROM sets WHERE session = ? ORDER BY id",
            (session,),
        )
        return [
            SetRow(a, b, ex, n, side, outcome, secs, reps, bool(pain), at)
            for a, b, ex, n, side, outcome, secs, reps, pain, at in rows
        ]

    def unfinished(self, routine: str, since: float) -> SessionRow | None:
        """The latest session of `routine` that did not finish and was last active at or
        after `since` (None if the latest session since then finished)."""
        row = self._conn.execute(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE routine = ? AND ended >= ?"
            " ORDER BY ended DESC, id DESC LIMIT 1",
            (routine, since),
        ).fetchone()
        if row is None:
            return None
        found = _session(row)
        return None if found.outcome == "finished" else found


_SESSION_COLUMNS = (
    "id, routine, routine_hash, started, ended, outcome, engine, minutes, resumes,"
    " fit_minutes, dose_scale, start_exercise, source"
)


def _unwritable(path: Path, exc: sqlite3.OperationalError) -> HistoryError:
    """A healthy history this voicecoach cannot write now: not damaged."""
    if "locked" in str(exc):
        return HistoryError(f"the history {path} is locked by another program", write_hint(exc))
    return HistoryError(f"cannot write to the history {path} ({exc})", write_hint(exc))


def write_hint(exc: sqlite3.Error) -> str:
    """What to do about a history that cannot be written (`exc` says why)."""
    if "locked" in str(exc):
        return "close the other voicecoach, or run this one with --no-history"
    return "make room on the disk or make the file writable, or run with --no-history"


def _unopenable(path: Path, exc: OSError | sqlite3.Error) -> HistoryError:
    """The history's file cannot be opened at all: what stands in its place, if that is
    the reason (a folder, a loop of symbolic links, a link to where no file can be)."""
    aside = "move it out of the way (a new history is started), or run with --no-history"
    try:
        if path.is_dir():
            return HistoryError(f"the history {path} is a folder, not a file", aside)
        path.stat()
    except OSError as err:
        if err.errno == errno.ELOOP:
            return HistoryError(f"the history {path} is a loop of symbolic links", aside)
    if path.is_symlink() and not path.exists():
        target = os.readlink(path)
        return HistoryError(
            f"the history {path} is a symbolic link to {target}, which cannot be made ({exc})",
            aside,
        )
    return HistoryError(f"cannot open the history {path}: {exc}", "check the folder is writable")


def _session(row: tuple[object, ...]) -> SessionRow:
    return SessionRow(*row)  # type: ignore[arg-type]


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _tables(c: sqlite3.Connection) -> list[str]:
    rows = c.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    return [str(name) for (name,) in rows]


@cache
def _schema() -> dict[str, frozenset[str]]:
    """Every table of the current schema and its columns (the migrations run in memory)."""
    c = sqlite3.connect(":memory:")
    try:
        for script in MIGRATIONS:
            for statement in _statements(script):
                c.execute(statement)
        return {
            table: frozenset(row[1] for row in c.execute(f"PRAGMA table_info({table})"))
            for table in _tables(c)
        }
    finally:
        c.close()


def history_path() -> Path:
    from voicecoach import xdg

    return xdg.data_dir() / FILENAME


def open_history(
    path: Path | None = None,
    warn: Callable[[str], None] = print,
    wall: Callable[[], float] = time.time,
) -> Store:
    """The history, or a new one when the file is damaged: the damaged file is moved aside
    (`history.db.damaged-YYYYmmdd-HHMMSS`) and the user is told where it went."""
    path = path or history_path()
    try:
        return Store.open(path)
    except HistoryCorrupt as exc:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(wall()))
        aside = path.with_name(f"{path.name}.damaged-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{path}{suffix}")
            if part.exists():
                part.replace(Path(f"{aside}{suffix}"))
        warn(
            f"voicecoach: {exc.message}; moved it to {aside} and started a new history"
            " (this session is recorded in the new one)"
        )
        return Store.open(path)
