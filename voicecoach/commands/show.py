"""`voicecoach show NAME|PATH`: the whole plan of a routine in words.

Every step with its dose, the article's ranges with the number we use, our own numbers
marked, setup, cues, variations, cautions, frequency, source and disclaimer: what the
coach will say and time, before you start.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import textwrap


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "show",
        help="show a routine's whole plan in words",
        description="Show a routine (a name from 'voicecoach list', or a path to a .toml "
        "file): every exercise and step with its dose, setup, cues and cautions.",
    )
    p.add_argument("routine", metavar="NAME|PATH", help="routine name or path to a .toml file")
    p.add_argument(
        "--brief", action="store_true", help="leave out the step-by-step list of each exercise"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voicecoach import catalog, describe
    from voicecoach.runtime.simulation import estimate_seconds

    routine = catalog.find(args.routine)
    # timed by a dry run: what --fast takes, the same engine and speech model
    text = describe.routine_text(routine, steps=not args.brief, timing=estimate_seconds)
    if sys.stdout.isatty():
        text = wrap(text, shutil.get_terminal_size().columns)
    print(text, end="")
    return 0


_HANG = re.compile(r"^(\s*)(- |[A-Z][\w ]*: |part \d+: |\d+\. )?")


def wrap(text: str, width: int) -> str:
    """Each line of `text` wrapped at `width` columns, continuation lines indented under
    the text after the line's bullet, label or number ("- ", "Dose: ", "2. ")."""
    out = []
    for raw in text.split("\n"):
        found = _HANG.match(raw)
        assert found is not None  # the pattern matches every string
        hang = " " * len(found.group(0) if len(found.group(0)) <= width // 3 else found.group(1))
        lines = textwrap.wrap(
            raw,
            width=max(width, len(hang) + 20),
            subsequent_indent=hang,
            break_on_hyphens=False,
            drop_whitespace=True,
        )
        out += lines or [""]
    return "\n".join(out)
