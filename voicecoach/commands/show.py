"""`voicecoach show NAME|PATH`: the whole plan of a routine in words.

Every step with its dose, the article's ranges with the number we use, our own numbers
marked, setup, cues, variations, cautions, frequency, source and disclaimer: what the
coach will say and time, before you start.
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
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

    routine = catalog.find(args.routine)
    print(describe.routine_text(routine, steps=not args.brief), end="")
    return 0
