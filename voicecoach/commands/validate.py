"""`voicecoach validate [FILE|DIR ...]`: check routine files, one line per problem.

Each problem names the file, the field (`exercises[2].work.reps`) and what is wrong, so a
person editing a routine can fix it without reading a traceback. A directory means every
.toml file in it; no argument means every routine `voicecoach list` sees.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "validate",
        help="check routine files and report every problem",
        description="Check routine files. Prints 'ok: FILE' for each valid one and one line "
        "per problem otherwise (file: field: what is wrong); exits 4 if any file is not a "
        "valid routine. A directory means every .toml file in it; no FILE means every "
        "routine 'voicecoach list' sees.",
    )
    p.add_argument("files", nargs="*", metavar="FILE", help="routine .toml files or folders")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voicecoach.errors import ExitCode, UsageError

    if any(not arg.strip() for arg in args.files):  # Path("") would be the current folder
        raise UsageError(
            "validate was given an empty path",
            "give routine files or folders ('.' for the current folder), or nothing to check "
            "every routine 'voicecoach list' sees",
        )
    bad = 0
    for path, problems in results(args.files):
        bad += bool(problems)
        print("\n".join(problems) if problems else f"ok: {path}")
    return ExitCode.INVALID if bad else ExitCode.OK


def results(args: list[str]) -> Iterator[tuple[Path | str, list[str]]]:
    """(file, its problems) in the order given; folders expand to their .toml files."""
    from voicecoach import catalog
    from voicecoach.infiles import user_path

    if not args:
        for entry in catalog.entries():
            yield entry.path, check(entry.path)
        return
    for arg in args:
        path = user_path(arg)
        try:
            folder = path.is_dir()
        except OSError:  # a path too long, a loop of links: check() says it for this file
            folder = False
        if not folder:
            yield path, check(path)
            continue
        found = sorted(path.glob(f"*{catalog.SUFFIX}"))
        if not found:
            yield arg, [f"{arg}: a folder with no {catalog.SUFFIX} files"]
        for file in found:
            yield file, check(file)


def check(path: Path) -> list[str]:
    """The problems of one file; empty when it is a valid routine."""
    from voicecoach import catalog
    from voicecoach.errors import RoutineInvalid, VoicecoachError

    try:
        if not path.exists():
            return [f"{path}: no such file"]
    except OSError as exc:  # [Errno 36] File name too long
        return [f"{path}: {exc.strerror}"]
    try:
        catalog.load(path)
    except RoutineInvalid as exc:
        return list(exc.problems) or [f"{path}: {exc.message}"]
    except VoicecoachError as exc:
        return [f"{path}: {exc.message}"]
    return []
