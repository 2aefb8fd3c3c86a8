"""Mutations of the packaged routines, for the fuzz test (hypothesis) and the fuzz bench
(`bench/fuzz_routines.py`, a seeded random.Random): both hand in a `Chooser`.

A mutant is a routine file's text: the seed routine's TOML table with a few edits (a number
replaced by an extreme one, a value of the wrong type, a key dropped or added, exercises
repeated, a work kind swapped) or its text cut, spliced or nested deeply. `run` puts one
through `validate` and then, when valid, `start --fast --text`, in this process, and says
what happened."""

from __future__ import annotations

import contextlib
import copy
import io
import math
import re
import time
import tomllib
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import tomli_w

from voicecoach import catalog
from voicecoach.cli import main

SEEDS = sorted(catalog.packaged_dir().glob("*.toml"))

NUMBERS: list[Any] = [
    math.nan,
    math.inf,
    -math.inf,
    0,
    -1,
    0.5,
    5e-324,
    1e-300,
    1e300,
    1e18,
    10**18,
    2**31,
    2**31 - 1,
    2**63 - 1,
    -(2**63),
    100,
    101,
    1000,
    1001,
    14400,
    14401,
    86400,
    3.999,
    # within the ceilings: valid files that run long or count much
    1,
    2,
    3,
    7,
    30,
    60,
    99,
    999,
    3600,
]
OTHERS: list[Any] = [
    "",
    "x" * 3000,
    "until",
    "weaker",
    True,
    [],
    {},
    [1, 2],
    {"default": 1},
    {"default": 5, "min": 9},
    {"kind": "reps"},
]
KINDS = ["timed", "reps", "holds", "circles", "sequence", "nope"]
KEYS = ["reps", "seconds", "sets", "sides", "superset", "extra_sets", "pause", "until", "zzz"]


class Chooser(Protocol):
    def integer(self, low: int, high: int) -> int: ...  # inclusive

    def pick(self, options: list[Any]) -> Any: ...


def _paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in the table, containers included (the root is left out)."""
    out = [at] if at else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*at, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*at, i))
    return out


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


def _mutate_table(data: dict[str, Any], c: Chooser) -> None:
    paths = _paths(data)
    numbers = [p for p in paths if isinstance(_get(data, p), int | float)]
    dicts = [p for p in paths if isinstance(_get(data, p), dict)]
    how = c.integer(0, 7)
    if how <= 2 and numbers:  # the common case: a number out of bounds
        path = c.pick(numbers)
        holder = _parent(data, path)
        holder[path[-1]] = c.pick(NUMBERS)
        if path[-1] == "default":  # keep the amount's range from refusing it outright
            holder.pop("min", None)
            holder.pop("max", None)
    elif how == 3:
        path = c.pick(paths)
        _parent(data, path)[path[-1]] = c.pick(NUMBERS + OTHERS)
    elif how == 4:
        path = c.pick(paths)
        holder = _parent(data, path)
        del holder[path[-1]]
    elif how == 5 and dicts:
        holder = _get(data, c.pick(dicts))
        holder[c.pick(KEYS)] = c.pick(NUMBERS + OTHERS)
    elif how == 6:
        exercises = data.get("exercises")
        if isinstance(exercises, list) and exercises:
            one = exercises[c.integer(0, len(exercises) - 1)]
            copies = [copy.deepcopy(one) for _ in range(c.pick([1, 10, 199, 250]))]
            if c.integer(0, 1) and all(isinstance(x, dict) for x in copies):
                for k, x in enumerate(copies):  # unique ids, no superset: may be valid
                    x["id"] = f"copy-{k}"
                    x.pop("superset", None)
            exercises += copies
    else:
        works = [p for p in dicts if p[-1] == "work"]
        if works:
            _get(data, c.pick(works))["kind"] = c.pick(KINDS)


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _mutate_text(text: str, c: Chooser) -> str:
    how = c.integer(0, 3)
    at = c.integer(0, len(text))
    if how == 0:
        return text[:at]  # cut short
    if how == 1:
        return (
            text[:at]
            + c.pick(["[", "]", "{", '"', "'''", "\x00", "\ufeff", "=", "\n[["])
            + text[at:]
        )
    if how == 2:
        depth = c.pick([10, 17, 100, 1000])
        return text + "\nzz = " + "[" * depth + "]" * depth + "\n"
    return text + "\n" + ".".join(["a"] * c.pick([10, 100, 1000])) + " = 1\n"


def mutant(c: Chooser) -> tuple[str, str]:
    """(file stem, TOML text) of one mutated seed routine."""
    seed = c.pick(SEEDS)
    data = tomllib.loads(seed.read_text(encoding="utf-8"))
    for _ in range(c.integer(1, 3)):
        _mutate_table(data, c)
    name = data.get("name")
    stem = name if isinstance(name, str) and re.fullmatch(catalog_slug(), name) else "fuzz"
    try:
        text = tomli_w.dumps(data)
    except (TypeError, ValueError):  # a shape TOML cannot hold (a table in a mixed array...)
        text = seed.read_text(encoding="utf-8")
    if c.integer(0, 4) == 0:
        text = _mutate_text(text, c)
    return stem, text


def catalog_slug() -> str:
    from voicecoach.routine import SLUG

    return SLUG


@dataclass
class Outcome:
    file: Path
    validate: int
    start: int | None  # None: not started (validate refused it)
    seconds: float  # wall time of the slower of the two commands
    cpu: float  # its CPU time (the machine may be shared)
    traceback: str | None


def _timed(argv: list[str]) -> tuple[int, float, float, str | None]:
    """(exit code, wall seconds, CPU seconds, traceback or None) of one command."""
    out, err = io.StringIO(), io.StringIO()
    began, cpu = time.perf_counter(), time.process_time()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    except Exception:
        code, tb = -1, traceback.format_exc()
    else:
        tb = err.getvalue() if "Traceback" in err.getvalue() else None
    return code, time.perf_counter() - began, time.process_time() - cpu, tb


def run(path: Path) -> Outcome:
    """`validate` the file, then `start --fast --text` it when it is valid."""
    code, wall, cpu, tb = _timed(["validate", str(path)])
    if tb is not None or code != 0:
        return Outcome(path, code, None, wall, cpu, tb)
    started, wall2, cpu2, tb = _timed(["start", str(path), "--fast", "--text"])
    return Outcome(path, code, started, max(wall, wall2), max(cpu, cpu2), tb)
