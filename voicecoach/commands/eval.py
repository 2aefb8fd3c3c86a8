"""`voicecoach eval DIR`: accuracy, false accepts, latency and speed of the ears on clips."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from voicecoach.ports import Recognizer


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from voicecoach.infiles import user_path_text

    p = sub.add_parser(
        "eval",
        help="measure the speech recognizer on a folder of labelled clips",
        description="Stream every clip of DIR/manifest.jsonl through the live recognizer "
        "and report accuracy, false accepts per hour, latency and real-time factor.",
    )
    p.add_argument("dir", metavar="DIR", help="folder with manifest.jsonl (bench/make_clips.py)")
    p.add_argument(
        "--engine",
        choices=("auto", "vosk", "whisper", "pocketsphinx"),
        default="auto",
        help="speech engine (auto: Vosk if an English model is found, else Whisper tiny.en "
        "if installed, else PocketSphinx)",
    )
    p.add_argument(
        "--model", type=user_path_text, default=None, help="path of a Vosk model (implies Vosk)"
    )
    p.add_argument("--limit", type=int, default=None, help="only the first N clips")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--misses",
        action="store_true",
        help="also list, per noise condition and phrase, what was missed and what was "
        'falsely heard (with --json: under "misses")',
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json
    import sys

    from voicecoach import evaluation
    from voicecoach.ears import make_recognizer
    from voicecoach.options import model_folder

    model_folder(args.model)  # one that does not exist: refused before anything, as `start`
    clips = evaluation.load_manifest(args.dir)[: args.limit]
    first = make_recognizer(args.engine, args.model)  # fails early, with a clear message
    engine = first.name
    pending = [first]

    def make() -> Recognizer:
        return pending.pop() if pending else make_recognizer(engine, args.model)

    def progress(n: int) -> None:
        if not args.json and sys.stderr.isatty():
            print(f"\r{n}/{len(clips)} clips", end="", file=sys.stderr, flush=True)

    results = evaluation.evaluate(clips, make, progress)
    if not args.json and sys.stderr.isatty():
        print(file=sys.stderr)
    rep = evaluation.report(results, engine)
    if args.misses:
        rep["misses"] = evaluation.misses(results)
    if args.json:
        print(json.dumps(rep))
    else:
        print(evaluation.table(rep))
        if args.misses:
            print(evaluation.misses_table(rep["misses"]))
    return 0
