"""`voicecoach list`: every routine with its title, size, estimated time and equipment.

`list` must start fast (budget 150 ms, see bench/startup.py), and validating a routine
means importing pydantic (about 100 ms on its own). So each file's summary is cached,
keyed by a hash of the file's bytes and of the code that validates and times it
(routine.py, plan.py): a file is validated whenever it or that code changes, and a broken
file keeps its problems in the cache too. The cache is only an optimisation: when it
cannot be read or written, `list` validates everything.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from voicecoach.catalog import Entry

CACHE_VERSION = 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "list",
        help="list the routines you can start",
        description="List every routine: packaged ones and yours, from "
        "$XDG_CONFIG_HOME/voicecoach/routines (yours hide packaged ones of the same name).",
    )
    p.add_argument("--no-cache", action="store_true", help="validate every file again")
    p.set_defaults(run=run)


@dataclass
class Summary:
    """What `list` shows of one routine file, or the problems that make it unusable."""

    name: str
    path: str
    title: str = ""
    exercises: int = 0
    minutes: int = 0
    equipment: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def run(args: argparse.Namespace) -> int:
    from voicecoach import catalog

    summaries = summarize(catalog.entries(), use_cache=not args.no_cache)
    good = [s for s in summaries if not s.problems]
    if good and sys.stdout.isatty():
        print_table(good, user=catalog.user_dir())
    elif good:
        print(table(good, user=catalog.user_dir()))
    else:
        print("no routines found", file=sys.stderr)
    for s in summaries:
        if s.problems:
            print(broken_line(s, user=catalog.user_dir()))
    return 0


def broken_line(s: Summary, *, user: Path) -> str:
    """A routine that cannot be used: its name, its first problem, how to see them all."""
    mine = " (yours)" if Path(s.path).parent == user else ""
    first = s.problems[0].removeprefix(f"{s.path}: ")
    more = len(s.problems) - 1
    also = f" (and {more} more)" if more else ""
    return f"{s.name}{mine}  BROKEN: {first}{also}; see 'voicecoach validate {s.path}'"


def table(rows: list[Summary], *, user: Path) -> str:
    """Aligned columns of whole, plain lines (piped: nothing is cut, `grep` finds any
    word of a title); the routines from the user's folder are marked."""
    head = ("NAME", "TITLE", "EXERCISES", "MINUTES", "EQUIPMENT")
    body = [
        (
            r.name + (" (yours)" if Path(r.path).parent == user else ""),
            r.title,
            str(r.exercises),
            str(r.minutes),
            ", ".join(r.equipment) or "-",
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in (head, *body)) for i in range(len(head) - 1)]
    lines = []
    for row in (head, *body):
        cells = [
            cell.ljust(w) if i < 2 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=False))
        ]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


def print_table(rows: list[Summary], *, user: Path, width: int | None = None) -> None:
    """The same table for a terminal: rich wraps the title and equipment columns to fit
    the terminal's width (or `width`)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    grid = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    grid.add_column("NAME", no_wrap=True, style="bold")
    grid.add_column("TITLE", ratio=1)
    grid.add_column("EXERCISES", justify="right", no_wrap=True)
    grid.add_column("MINUTES", justify="right", no_wrap=True)
    grid.add_column("EQUIPMENT", ratio=1)
    for r in rows:
        mine = Path(r.path).parent == user
        grid.add_row(
            r.name + (" (yours)" if mine else ""),
            r.title,
            str(r.exercises),
            str(r.minutes),
            ", ".join(r.equipment) or "-",
        )
    Console(width=width, highlight=False).print(grid)


# ----------------------------------------------------------------------------- summaries


def summarize(entries: list[Entry], *, use_cache: bool = True) -> list[Summary]:
    """A Summary per catalog entry, from the cache when the file and the code are unchanged."""
    cache_file = _cache_file()
    code = _code_key()
    cached = _read_cache(cache_file, code) if use_cache else {}
    fresh: dict[str, dict[str, Any]] = {}
    out = []
    for entry in entries:
        key = _file_key(entry.path)
        summary = _from_cache(cached.get(key), entry.name, entry.path)
        if summary is None:
            summary = _validate(entry.name, entry.path)
        fresh[key] = asdict(summary)
        out.append(summary)
    if fresh != cached:
        _write_cache(cache_file, code, fresh)
    return out


def _from_cache(hit: object, name: str, path: Path) -> Summary | None:
    if not isinstance(hit, dict) or hit.get("path") != str(path) or hit.get("name") != name:
        return None
    try:
        return Summary(**hit)
    except TypeError:  # written by another version: validate again
        return None


def _validate(name: str, path: Path) -> Summary:
    from voicecoach import catalog
    from voicecoach.errors import RoutineInvalid, VoicecoachError
    from voicecoach.runtime.simulation import estimate_minutes  # a dry run: what --fast takes

    try:
        routine = catalog.load(path)
    except VoicecoachError as exc:
        problems = exc.problems if isinstance(exc, RoutineInvalid) else []
        problems = problems or [f"{path}: {exc.message}"]
        return Summary(name=name, path=str(path), problems=list(problems))
    return Summary(
        name=name,
        path=str(path),
        title=routine.title,
        exercises=len(routine.exercises),
        minutes=estimate_minutes(routine),
        equipment=routine.equipment,
    )


# --------------------------------------------------------------------------------- cache


def _cache_file() -> Path:
    from voicecoach import xdg

    return xdg.cache_dir() / "list.json"


def _file_key(path: Path) -> str:
    """The file's path and bytes: any edit, however quick, gives a new key."""
    from voicecoach import catalog
    from voicecoach.errors import VoicecoachError

    try:
        data = catalog.read_bytes(path)  # never a FIFO or /dev/zero
    except VoicecoachError as exc:
        data = str(exc).encode()
    return hashlib.blake2b(str(path).encode() + b"\0" + data, digest_size=16).hexdigest()


# what a summary depends on: the schema, the planner, and the dry run that times it
CODE = (
    *("routine.py", "plan.py", "catalog.py", "speech.py", "describe.py", "engine/*.py"),
    *("runtime/simulation.py", "runtime/runner.py"),
)


def _code_key() -> str:
    """The code a summary depends on (`CODE`) and the package version."""
    from voicecoach import __version__

    here = Path(__file__).resolve().parent.parent
    h = hashlib.blake2b(f"{CACHE_VERSION}:{__version__}".encode(), digest_size=16)
    for pattern in CODE:
        for path in sorted(here.glob(pattern)) or [here / pattern]:
            try:
                h.update(path.read_bytes())
            except OSError:
                h.update(pattern.encode())
    return h.hexdigest()


def _read_cache(path: Path, code: str) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("code") != code:
        return {}
    files = data.get("files")
    return files if isinstance(files, dict) else {}


def _write_cache(path: Path, code: str, files: dict[str, dict[str, Any]]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"code": code, "files": files}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home: list still works, just slower
