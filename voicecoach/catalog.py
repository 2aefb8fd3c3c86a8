"""Finding and loading routine files.

Routines are looked up, in order, in the user's config folder
(`$XDG_CONFIG_HOME/voicecoach/routines`, default `~/.config/voicecoach/routines`), then in
the routines packaged with voicecoach. `show` and `start` also take a path to a file.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from voicecoach.errors import RoutineInvalid, RoutineNotFound

if TYPE_CHECKING:
    from pydantic import ValidationError

    from voicecoach.routine import Routine

SUFFIX = ".toml"


def packaged_dir() -> Path:
    """`voicecoach/routines` inside an installed wheel; the repository's `routines/` in a
    source checkout (an editable install)."""
    here = Path(__file__).resolve().parent
    inside = here / "routines"
    return inside if inside.is_dir() else here.parent / "routines"


def user_dir() -> Path:
    from voicecoach import xdg

    return xdg.config_dir() / "routines"


def search_dirs() -> list[Path]:
    return [user_dir(), packaged_dir()]


@dataclass(frozen=True)
class Entry:
    name: str
    path: Path


def entries() -> list[Entry]:
    """Every routine file, by name; a user's file hides a packaged one of the same name."""
    found: dict[str, Entry] = {}
    for folder in search_dirs():
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(f"*{SUFFIX}")):
            found.setdefault(path.stem, Entry(path.stem, path))
    return sorted(found.values(), key=lambda e: e.name)


def _looks_like_path(ref: str) -> bool:
    return ref.endswith(SUFFIX) or os.sep in ref or "/" in ref


def locate(ref: str) -> Path:
    """The file for a routine name or path, or RoutineNotFound with close matches."""
    if _looks_like_path(ref):
        path = Path(ref).expanduser()
        if path.is_file():
            return path
        raise RoutineNotFound(
            f"no routine file '{ref}'",
            "check the path, or give a routine name from 'voicecoach list'",
        )
    for entry in entries():
        if entry.name == ref:
            return entry.path
    names = [e.name for e in entries()]
    close = difflib.get_close_matches(ref, names, n=3, cutoff=0.5)
    close += [n for n in names if ref in n and n not in close]
    message = f"no routine '{ref}'"
    if close:
        message += "; did you mean " + " or ".join(f"'{c}'" for c in close[:3]) + "?"
    raise RoutineNotFound(message, "run 'voicecoach list' to see every routine")


def problems_of(path: Path | str, error: ValidationError) -> list[str]:
    """One line per problem: `file: field.path: what is wrong`."""
    lines = []
    for err in error.errors(include_url=False):
        loc = _field_path(err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check its spelling; see 'voicecoach schema')"
        lines.append(f"{path}: {loc or '(top level)'}: {msg}")
    return lines


def _field_path(loc: tuple[str | int, ...]) -> str:
    out = ""
    prev: str | int | None = None
    for part in loc:
        if prev == "work" and part in {"timed", "reps", "holds", "circles", "sequence"}:
            prev = None  # pydantic's union tag (the work's kind), not a field of the file
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
        prev = part
    return out


def load(path: Path | str) -> Routine:
    """Read and validate one routine file; RoutineInvalid lists every problem."""
    from pydantic import ValidationError

    from voicecoach.routine import Routine

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # tolerate a BOM from Windows editors
    except FileNotFoundError:
        raise RoutineNotFound(f"{path}: no such file", "check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RoutineInvalid(
            f"cannot read {path}", [f"{path}: cannot read: {exc}"], "is it a UTF-8 text file?"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RoutineInvalid(
            f"{path} is not valid TOML",
            [f"{path}: invalid TOML: {exc}"],
            "fix the syntax at the line shown (quotes, '=', brackets)",
        ) from None
    try:
        return Routine.model_validate(data)
    except ValidationError as exc:
        raise RoutineInvalid(
            f"{path} is not a valid routine",
            problems_of(path, exc),
            "see 'voicecoach schema' for every field",
        ) from None


def find(ref: str) -> Routine:
    """Load a routine by name or path."""
    return load(locate(ref))
