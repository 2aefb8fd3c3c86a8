"""`voicecoach model`: where the speech model is, which are installed, and downloading one.

    voicecoach model                  the status: the model in use (or none, and how to get
                                      it) and the recognizer `--engine auto` picks
    voicecoach model path [--model PATH] [--lang en]
    voicecoach model list [--available]
    voicecoach model download [NAME] [--dir DIR]

Nothing is ever downloaded unless the user runs `model download`."""

from __future__ import annotations

import argparse
from types import ModuleType

DEFAULT_NAME = "vosk-model-small-en-us-0.15"  # = voicecoach.ears.models.DEFAULT_MODEL (kept cheap)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from voicecoach.infiles import user_path_text

    p = sub.add_parser(
        "model",
        help="find, list or download the Vosk speech model",
        description="Find, list or download the Vosk speech model (optional: without one, "
        "Whisper tiny.en and PocketSphinx, which come with their Python packages, listen). "
        "Without an ACTION: which model is used (or that none is, and how to get it) and "
        "which recognizer --engine auto picks.",
    )
    p.set_defaults(run=run, model_command=None)
    msub = p.add_subparsers(dest="model_command", metavar="[ACTION]")

    path = msub.add_parser("path", help="print the folder of the model voicecoach would use")
    path.add_argument(
        "--model", type=user_path_text, metavar="PATH", help="check this model folder instead"
    )
    path.add_argument("--lang", default="en", help="language code (default: en)")

    lst = msub.add_parser("list", help="list installed models (--available: downloadable)")
    lst.add_argument("--available", action="store_true", help="fetch the official model list")
    lst.add_argument("--lang", default=None, help="only this language (e.g. en)")
    lst.add_argument("--list-url", default=None, help=argparse.SUPPRESS)

    dl = msub.add_parser("download", help=f"download a model (default: {DEFAULT_NAME})")
    dl.add_argument("name", nargs="?", default=DEFAULT_NAME, help="model name from the list")
    dl.add_argument("--dir", default=None, help="where to put it (default: ~/.cache/vosk)")
    dl.add_argument("--list-url", default=None, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from voicecoach.ears import models

    action = args.model_command
    if action is None:
        return _status(models)
    if action == "path":
        print(models.find_vosk_model(args.model, args.lang))
        return 0
    if action == "list":
        return _list(args, models)
    from pathlib import Path

    models.download_model(
        args.name,
        dest_dir=Path(args.dir) if args.dir else None,
        list_url=args.list_url or models.MODEL_LIST_URL,
        progress=models.progress_bar(),
    )
    return 0


def _status(models: ModuleType) -> int:
    """Plain `voicecoach model`: the model in use, or that there is none and how to get
    one (not an error: the other recognizers listen); a broken $VOICECOACH_MODEL is one."""
    import os

    from voicecoach.ears import choose_engine
    from voicecoach.errors import ModelError

    try:
        print(f"Vosk model: {models.find_vosk_model(None, 'en')}")
    except ModelError as exc:
        if os.environ.get("VOICECOACH_MODEL"):
            raise
        print(f"Vosk model: none. {exc.message}")
        print(f"  to get one: {models.MODEL_HINT}")
    print(choose_engine("auto").describe())
    return 0


def _list(args: argparse.Namespace, models: ModuleType) -> int:  # imported late: cheap CLI
    if args.available:
        entries = models.fetch_model_list(args.list_url or models.MODEL_LIST_URL)
        for m in entries:
            if m.obsolete or (args.lang and not m.lang.startswith(args.lang)):
                continue
            print(f"{m.name:45s} {m.lang:8s} {m.size / 1e6:8.0f} MB  {m.type}")
        return 0
    found = models.installed_models()
    if not found:
        print("no Vosk model installed; 'voicecoach model download' fetches the small English one")
        return 0
    for path in found:
        lang = models.model_language(path) or "?"
        if args.lang and lang != args.lang:
            continue
        grammar = "grammar" if models.supports_grammar(path) else "no grammar (big model)"
        print(f"{path}  [{lang}, {grammar}]")
    return 0
