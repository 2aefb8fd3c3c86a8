"""`voicecoach voices`: the text-to-speech voices `--voice` can name."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "voices",
        help="list the coach's text-to-speech voices",
        description="List the pyttsx3 (espeak-ng) voices. Give one to 'voicecoach start "
        "--voice' by id, name or language, e.g. --voice en-us, or with an espeak-ng variant, "
        "e.g. --voice en-us+f3.",
    )
    p.add_argument("filter", nargs="?", help="only voices whose id, name or language has this")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voicecoach.errors import UsageError
    from voicecoach.voice.render import list_voices

    want = (args.filter or "").lower()
    voices = [
        v
        for v in list_voices()
        if want in v.id.lower() or want in v.name.lower() or any(want in x for x in v.languages)
    ]
    if not voices:
        raise UsageError(f"no voice matches {args.filter!r}", "run 'voicecoach voices'")
    width = max(len(v.id) for v in voices)
    name_width = max(len(v.name) for v in voices)
    print(f"{'ID':<{width}}  {'NAME':<{name_width}}  LANGUAGES")
    for v in voices:
        print(f"{v.id:<{width}}  {v.name:<{name_width}}  {', '.join(v.languages)}")
    print(f"\n{len(voices)} voices; use one with 'voicecoach start NAME --voice ID'")
    return 0
