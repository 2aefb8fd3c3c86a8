"""Finding and loading routine files.

Routines are looked up, in order, in the user's config folder
(`$XDG_CONFIG_HOME/voicecoach/routines`, default `~/.config/voicecoach/routines`), then in
the routines packaged with voicecoach. `show` and `start` also take a path to a file.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from voicecoach.errors import CONTROL, RoutineInvalid, RoutineNotFound, UsageError
from voicecoach.infiles import user_path

if TYPE_CHECKING:
    from pydantic import ValidationError

    from voicecoach.routine import Routine

SUFFIX = ".toml"
MAX_BYTES = 1_000_000  # a routine file; the longest packaged one is about 30 kB
MAX_DEPTH = 16  # nesting of tables and arrays; a routine needs 5


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
    if not ref.strip():
        raise UsageError(
            "the routine's name is empty",
            "give a routine's name from 'voicecoach list', or the path of a routine file",
        )
    if _looks_like_path(ref):
        path = user_path(ref)
        if path.exists():
            return path  # `load` says it when it is not a regular file
        raise RoutineNotFound(
            f"no routine file '{ref}'",
            "check the path, or give a routine name from 'voicecoach list'",
        )
    for entry in entries():
        if entry.name == ref:
            return entry.path
    misnamed = _file_named_inside(ref)
    if misnamed is not None:
        raise RoutineNotFound(
            f"no routine '{ref}': {misnamed} says name = \"{ref}\", but a routine is found "
            "by its file name",
            f"rename the file to '{ref}{SUFFIX}'",
        )
    names = [e.name for e in entries()]
    close = difflib.get_close_matches(ref, names, n=3, cutoff=0.5)
    close += [n for n in names if ref in n and n not in close]
    message = f"no routine '{ref}'"
    if close:
        message += "; did you mean " + " or ".join(f"'{c}'" for c in close[:3]) + "?"
    raise RoutineNotFound(message, "run 'voicecoach list' to see every routine")


def _file_named_inside(ref: str) -> Path | None:
    """The user's routine file whose `name` field is `ref` under another file name."""
    folder = user_dir()
    for entry in entries():
        if entry.path.parent != folder:
            continue
        try:
            name = parse(entry.path).get("name")
        except RoutineInvalid:
            continue
        if isinstance(name, str) and name.strip() == ref:
            return entry.path
    return None


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


def read_bytes(path: Path) -> bytes:
    """A routine file's bytes: only a regular file of at most MAX_BYTES is read (a FIFO,
    a device such as /dev/zero, or a huge file is refused at once, never waited on)."""
    from voicecoach.infiles import Unreadable, read_small

    try:
        return read_small(path, MAX_BYTES)
    except FileNotFoundError:
        raise RoutineNotFound(f"{path}: no such file", "check the path") from None
    except Unreadable as exc:
        why = exc.why.replace("a folder, not a file", "a folder, not a routine file")
        if why.startswith("larger than"):
            why += "; no routine is that long"
        raise _unreadable(path, why) from None


def _unreadable(path: Path, why: str) -> RoutineInvalid:
    return RoutineInvalid(
        f"cannot read {path}", [f"{path}: cannot read: {why}"], "give a routine .toml file"
    )


# a string, a comment, or one bracket: brackets inside strings and comments do not nest
_TOKENS = re.compile(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}]',
    re.DOTALL,
)


def nesting_depth(text: str) -> int:
    """How deeply arrays and inline tables nest in TOML text, counted before parsing it
    (the parser recurses per level: 1000 levels would overflow its stack)."""
    depth = deepest = 0
    for token in _TOKENS.finditer(text):
        c = token.group()
        if c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth = max(0, depth - 1)
    return deepest


def _data_depth(value: object) -> int:
    """Nesting of parsed data (dotted keys nest without brackets), without recursion."""
    deepest, todo = 0, [(value, 0)]
    while todo:
        item, depth = todo.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        if isinstance(item, dict):
            todo += [(v, depth + 1) for v in item.values()]
        elif isinstance(item, list):
            todo += [(v, depth + 1) for v in item]
    return deepest


def parse(path: Path) -> dict[str, object]:
    """The TOML table of a routine file, or RoutineInvalid saying why it cannot be read."""
    try:
        text = read_bytes(path).decode("utf-8-sig")  # tolerate a BOM from Windows editors
    except UnicodeDecodeError as exc:
        raise RoutineInvalid(
            f"cannot read {path}", [f"{path}: cannot read: {exc}"], "is it a UTF-8 text file?"
        ) from None
    too_deep = RoutineInvalid(
        f"{path} nests too deeply",
        [f"{path}: tables and arrays nest more than {MAX_DEPTH} levels deep"],
        "a routine needs five levels at most: see 'voicecoach schema'",
    )
    if nesting_depth(text) > MAX_DEPTH:
        raise too_deep
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RoutineInvalid(
            f"{path} is not valid TOML",
            [f"{path}: invalid TOML: {exc}"],
            "fix the syntax at the line shown (quotes, '=', brackets)",
        ) from None
    if _data_depth(data) > MAX_DEPTH:
        raise too_deep
    controls = [f"{path}: {field}: {why}" for field, why in _control_characters(data)]
    if controls:
        raise RoutineInvalid(
            f"{path} has control characters in its text",
            controls,
            "remove them: the terminal would obey them (clear the screen, retitle the window)",
        )
    return data


def _control_characters(data: dict[str, object]) -> list[tuple[str, str]]:
    """(field, which character) for each string of the parsed file holding a control
    character, field named as `problems_of` names it (`exercises[0].name`)."""
    found: list[tuple[str, str]] = []
    todo: list[tuple[object, tuple[str | int, ...]]] = [(data, ())]
    while todo:
        item, loc = todo.pop()
        if isinstance(item, dict):
            todo += [(v, (*loc, k)) for k, v in item.items()]
        elif isinstance(item, list):
            todo += [(v, (*loc, i)) for i, v in enumerate(item)]
        elif isinstance(item, str) and (bad := CONTROL.search(item)):
            found.append((_field_path(loc), f"a control character (U+{ord(bad.group()):04X})"))
    return sorted(found)


def _name_problem(path: Path, data: dict[str, object]) -> list[str]:
    """A routine is found by its file name, so the file is named after its `name`."""
    from voicecoach.routine import SLUG

    name = data.get("name")
    if not isinstance(name, str) or not re.match(SLUG, name.strip()):
        return []  # the schema reports a missing or malformed name
    name = name.strip()
    if name == path.stem:
        return []
    return [
        f"{path}: name: '{name}' is not the file's name '{path.stem}' (a routine is found "
        f"by its file name): rename the file to '{name}{SUFFIX}' or set name = \"{path.stem}\""
    ]


def load(path: Path | str) -> Routine:
    """Read and validate one routine file; RoutineInvalid lists every problem."""
    from pydantic import ValidationError

    from voicecoach.routine import Routine

    path = Path(path)
    data = parse(path)
    problems = _name_problem(path, data)
    try:
        routine = Routine.model_validate(data)
    except ValidationError as exc:
        problems += problems_of(path, exc)
    if problems:
        raise RoutineInvalid(
            f"{path} is not a valid routine", problems, "see 'voicecoach schema' for every field"
        )
    return routine


def find(ref: str) -> Routine:
    """Load a routine by name or path."""
    return load(locate(ref))
