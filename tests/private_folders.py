"""The user's own folders stay out of test runs and benchmarks: every program the suite or
a benchmark starts gets private XDG folders (config, cache, data: the history, state), so
no test, device run or benchmark session lands in the user's `history.db`. The tests'
conftest uses these, and so does every benchmark that starts `voicecoach` (outside pytest
the environment is the user's own)."""

from __future__ import annotations

import os
from pathlib import Path

XDG = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")


def private_xdg(folder: Path | str) -> dict[str, str]:
    """XDG_CONFIG_HOME=FOLDER/config, XDG_CACHE_HOME=FOLDER/cache, ...: variable -> folder."""
    folder = Path(folder)
    return {
        name: str(folder / name.removeprefix("XDG_").removesuffix("_HOME").lower()) for name in XDG
    }


def keep_private(folder: Path | str) -> None:
    """This process, and every program it starts from now on, uses folders under FOLDER."""
    os.environ.update(private_xdg(folder))


def users_history() -> Path:
    """Where the user's own history is (the environment as it was before `keep_private`)."""
    base = os.environ.get("XDG_DATA_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / "voicecoach" / "history.db"


def footprint(history: Path) -> tuple[tuple[int, int] | None, ...]:
    """(size, mtime) of the history and of its write-ahead log, None where absent or (the
    log) empty: a session written changes it, reading the history does not."""
    out: list[tuple[int, int] | None] = []
    for part in (history, Path(f"{history}-wal")):
        try:
            stat = part.stat()
        except OSError:
            out.append(None)
            continue
        empty = part != history and stat.st_size == 0
        out.append(None if empty else (stat.st_size, stat.st_mtime_ns))
    return tuple(out)
