"""`voicecoach start NAME`: run a guided session."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from voicecoach.errors import UsageError

if TYPE_CHECKING:
    from voicecoach.options import SessionOptions
    from voicecoach.routine import Routine


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("start", help="start a guided workout session")
    p.add_argument("routine", metavar="NAME", help="routine name, or path to a .toml file")
    s = p.add_argument_group("session")
    s.add_argument("--text", action="store_true", help="no audio: print what the coach says")
    s.add_argument(
        "--fast",
        action="store_true",
        help=(
            "virtual clock, as fast as the CPU allows: prints what the coach says (or writes "
            "--speak-file), no keyboard or microphone, each exercise starts by its ready "
            "timeout; with --listen-file the file's audio drives the clock"
        ),
    )
    s.add_argument("--log", metavar="FILE", help="write a JSON Lines event log")
    s.add_argument(
        "--ready-timeout",
        type=float,
        default=15.0,
        metavar="S",
        help="start each exercise by itself after S seconds (default 15)",
    )
    s.add_argument("--from", dest="start_from", metavar="EXERCISE", help="begin at this exercise")
    v = p.add_argument_group("voice")
    v.add_argument("--voice", help="pyttsx3 voice id or name (see 'voicecoach voices')")
    v.add_argument("--rate", type=int, help="speaking rate in words per minute")
    v.add_argument("--volume", type=float, help="volume, 0.0 to 1.0")
    v.add_argument("--device", help="output device, by index or name substring")
    v.add_argument(
        "--speak-file",
        metavar="WAV",
        help="write the coach's voice and cues to this WAV on the session timeline",
    )
    e = p.add_argument_group("ears")
    e.add_argument(
        "--engine",
        choices=["auto", "vosk", "pocketsphinx", "keys"],
        default="auto",
        help="speech recognizer (default auto: Vosk if a model is found, else PocketSphinx)",
    )
    e.add_argument("--model", metavar="PATH", help="Vosk model folder")
    e.add_argument("--input-device", help="microphone, by index or name substring")
    e.add_argument(
        "--listen-file",
        metavar="WAV",
        help="read the microphone from this WAV (with --fast its audio drives the clock)",
    )
    e.add_argument(
        "--echo",
        type=float,
        default=0.0,
        metavar="GAIN",
        help="mix the coach's own output into what the ears hear (replay test of the echo guard)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voicecoach.bootstrap import build_session

    build_session(session_options(args)).run()
    return 0


def session_options(args: argparse.Namespace) -> SessionOptions:
    """The one place the command line becomes typed, checked options."""
    from voicecoach import catalog
    from voicecoach.options import EarsOptions, SessionOptions, VoiceOptions

    routine = catalog.find(args.routine)
    voice = VoiceOptions(
        text=args.text,
        fast=args.fast,
        speak_file=_path(args.speak_file),
        voice=args.voice,
        rate=args.rate,
        volume=1.0 if args.volume is None else args.volume,
        device=args.device,
    )
    ears = EarsOptions(
        engine=args.engine,
        model=_path(args.model),
        input_device=args.input_device,
        listen_file=_path(args.listen_file),
        echo=args.echo,
    )
    return SessionOptions(
        routine=routine,
        start_exercise=start_exercise(routine, args.start_from),
        ready_timeout=args.ready_timeout,
        fast=args.fast,
        text=args.text,
        log=_path(args.log),
        voice=voice,
        ears=ears,
    )


def start_exercise(routine: Routine, key: str | None) -> int:
    """`--from`: an exercise id, number or name."""
    if key is None:
        return 0
    index = routine.exercise_index(key)
    if index is None:
        ids = ", ".join(e.id for e in routine.exercises)
        raise UsageError(
            f"no exercise '{key}' in {routine.name}",
            f"give an id, a number (1-{len(routine.exercises)}) or a name: {ids}",
        )
    return index


def _path(value: str | None) -> Path | None:
    return None if value is None else Path(value)
