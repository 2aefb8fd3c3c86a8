"""`voicecoach schema`: the JSON Schema of routine files, for editors and checkers."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "schema",
        help="print the JSON Schema of routine files",
        description="Print the JSON Schema of routine TOML files (every field, its type and "
        "meaning), e.g. for an editor's TOML language server.",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json

    from voicecoach.routine import Routine

    print(json.dumps(Routine.model_json_schema(), indent=2))
    return 0
