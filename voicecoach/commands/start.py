"""`voicecoach start NAME`: run a guided session.

The settings come from the defaults, then the config file
(`$XDG_CONFIG_HOME/voicecoach/config.toml`, see `voicecoach.settings`), then these options;
the history (`voicecoach.history`) adds where a `--resume` picks up and the standing
sentence, and records the session unless `--no-history` (or it is a replay: `--fast`,
`--listen-file`, without `--record`). `SessionOptions` is made once,
here, from all of them."""

from __future__ import annotations

import argparse
import contextlib
import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from voicecoach.errors import UsageError

if TYPE_CHECKING:
    from voicecoach.ears.worker import WorkerRecognizer
    from voicecoach.history.memory import Memory
    from voicecoach.options import EarsOptions, SessionOptions
    from voicecoach.routine import Routine
    from voicecoach.settings import Settings


# every phrase of `voicecoach.ears.phrases.PHRASES` and the keys' help line, checked by
# tests/test_start_cli.py (importing the phrase table here would slow every command down)
DURING = """\
during a workout, say (alone, or in a short phrase: "okay, next please"):
  ready (i'm ready)       start now: the exercise (it starts by itself after
                          --ready-timeout seconds), or the next set
  next (next one, okay next, done, skip)
                          skip ahead: the intro, a set or side, an exercise
  back (go back, previous)
                          the set or side before (at a first set: the
                          exercise before)
  repeat (again, say that again)
                          what to do now; said twice: its cautions and setup
  pause (wait, hold on)   pause; resume (continue) carries on
  stop (end workout)      it asks "end the workout?": say yes (or no)
  help (what can i say)   what you can say at that moment
  time (how long, how much longer, time left)
                          the time left
  slower, faster          count the reps slower or faster
  pain (it hurts)         its safety advice; the pain is recorded
keys: Enter ready · n next · b back · r repeat · space pause/resume ·
q stop · y/n yes/no · h help · t time · +/- faster/slower · p pain

examples:
  voicecoach start back-hip-knee
      a workout, with sound and the live panel
  voicecoach start behind-knee --from ankle-circles
      begin at an exercise: its id, number or name, as 'voicecoach show' lists
  voicecoach start back-hip-knee --minutes 32
      its doses fitted to about 32 minutes, within the article's ranges
  voicecoach start back-hip-knee --resume
      continue an unfinished session where you left it
  voicecoach start behind-knee --text
      no sound: read what the coach says, answer with the keys
  voicecoach start behind-knee --fast --text
      the whole session in seconds
  voicecoach start ./my-feet.toml
      your own routine file"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "start",
        help="start a guided workout session",
        description="Start a guided workout: the coach reads each exercise aloud, counts\n"
        "your reps, times your holds and rests, and listens for your commands.",
        epilog=DURING,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
        metavar="S",
        help="start each exercise by itself after S seconds (default 15, or the config file's)",
    )
    s.add_argument(
        "--from",
        dest="start_from",
        metavar="EXERCISE",
        help="begin at this exercise: its id, its number or its name (see 'voicecoach show "
        "NAME'), after a one-line intro",
    )
    s.add_argument(
        "--minutes",
        type=float,
        metavar="N",
        help=(
            "fit the session to about N minutes: doses move within the article's ranges, "
            "never outside them ('voicecoach show NAME' gives the range they allow; a N "
            "out of it is said as the session starts)"
        ),
    )
    s.add_argument(
        "--resume",
        action="store_true",
        help="continue the unfinished session of this routine from the last 24 hours, at the "
        "set after the furthest one completed",
    )
    s.add_argument(
        "--no-history",
        action="store_true",
        help="leave no trace: do not record this session (see 'voicecoach history')",
    )
    s.add_argument(
        "--record",
        action="store_true",
        help="record this --fast or --listen-file replay in the history (a replay is not a "
        "workout done: by default it leaves no trace)",
    )
    s.add_argument(
        "--quiet-screen",
        dest="screen",
        action="store_const",
        const=False,
        default=None,
        help="no live panel in the terminal: print the plain transcript (config: screen = false)",
    )
    s.add_argument(
        "--cues",
        action="store_true",
        help='show cue tones in the printed transcript, as the words "beep" and "tick"',
    )
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
        choices=["auto", "vosk", "whisper", "pocketsphinx", "keys"],
        help="speech recognizer (default auto: Vosk if a model is found, else Whisper tiny.en if "
        "installed, else PocketSphinx)",
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
    from voicecoach import catalog  # cheap: no pydantic, no routine parsing

    settings = effective_settings(args)
    path = catalog.locate(args.routine)  # a mistyped name starts no model
    worker = _early_worker(args, settings)  # its model loads while the rest is imported
    try:
        return _run(args, settings, worker, path)
    finally:
        if worker is not None:
            worker.close()


def _early_worker(args: argparse.Namespace, settings: Settings) -> WorkerRecognizer | None:
    """The ears' worker process, started before anything heavy is imported (the session
    reports any problem with its options in their turn)."""
    from voicecoach.bootstrap import start_ears_worker

    try:
        return start_ears_worker(ears_options(args, settings), args.fast)
    except UsageError:
        return None


def _run(
    args: argparse.Namespace, settings: Settings, worker: WorkerRecognizer | None, path: Path
) -> int:
    from voicecoach import catalog
    from voicecoach.bootstrap import build_session, warn
    from voicecoach.history.memory import prepare
    from voicecoach.voice.noise import QuietStderr

    routine = catalog.load(path)
    if args.resume and args.start_from:
        raise UsageError("--resume picks up where you left off; --from cannot go with it")
    if args.resume and args.minutes is not None:  # its sets are those of the session left
        raise UsageError(
            "--resume picks up the sets of the session you left; --minutes would change them",
            "drop --minutes (a session fitted with --minutes resumes with the same doses)",
        )
    memory = prepare(
        routine,
        path,
        resume=args.resume,
        no_history=args.no_history,
        replay=args.fast or args.listen_file is not None,
        record=args.record,
        warn=warn,
        ref=args.routine,
    )
    try:
        options = session_options(args, routine, settings, memory, warn=warn)
        observers = [memory.recorder] if memory.recorder is not None else []
        # in real time, PortAudio's and alsa-lib's own lines stay off the terminal from
        # before the devices open until after they close (`voicecoach.voice.noise`)
        with contextlib.nullcontext() if options.fast else QuietStderr():
            build_session(options, observers=observers, worker=worker).run()
    finally:  # also after Ctrl-C: how the user stands, and how to resume
        memory.close()
        if memory.recorder is not None and memory.recorder.summary:
            print(memory.recorder.summary)
    return 0


def effective_settings(args: argparse.Namespace) -> Settings:
    """The config file's settings with this command line's options on top."""
    from voicecoach.settings import resolve

    given = {
        "voice": args.voice,
        "rate": args.rate,
        "volume": args.volume,
        "output_device": args.device,
        "input_device": args.input_device,
        "engine": args.engine,
        "model": args.model,
        "ready_timeout": args.ready_timeout,
        "screen": args.screen,
    }
    return resolve(given).settings


def session_options(
    args: argparse.Namespace,
    routine: Routine | None = None,
    settings: Settings | None = None,
    memory: Memory | None = None,
    warn: Callable[[str], None] | None = None,
) -> SessionOptions:
    """The one place the command line, the config file and the history become typed,
    checked options (what is not handed in is read here; no history: a fresh start).
    `warn` is told, before the session starts, what the intro will say of a `--minutes N`
    out of reach."""
    from voicecoach import catalog, describe
    from voicecoach.history.memory import Memory
    from voicecoach.options import SessionOptions, VoiceOptions, given_path

    settings = settings or effective_settings(args)
    memory = memory or Memory()
    # --resume of a session fitted with --minutes: the routine with the doses it ran
    routine = memory.routine or routine or catalog.find(args.routine)

    voice = VoiceOptions(
        text=args.text,
        fast=args.fast,
        speak_file=given_path(args.speak_file, "--speak-file"),
        voice=settings.voice,
        rate=settings.rate,
        volume=1.0 if settings.volume is None else settings.volume,
        device=settings.output_device,
    )
    ears = ears_options(args, settings)
    options = SessionOptions(
        routine=routine,
        start_exercise=start_exercise(routine, args.start_from),
        ready_timeout=settings.ready_timeout,
        fast=args.fast,
        text=args.text,
        log=given_path(args.log, "--log"),
        cues=args.cues,
        voice=voice,
        ears=ears,
        screen=settings.screen,
        standing=memory.standing,
        start_step=memory.start_step,
        done_before=memory.done_before,
    )
    if memory.dose_fit is not None:  # fitted already, as the session it resumes was
        return replace(
            options,
            time_note=describe.resumed_fit_note(memory.dose_fit.minutes),
            dose_fit=memory.dose_fit,
        )
    if memory.start_step is not None:  # resumed: the article's note on the whole session
        return options  # ("its own numbers add up to more") was in the intro heard today
    return fitted(options, args.minutes, warn)


def ears_options(args: argparse.Namespace, settings: Settings) -> EarsOptions:
    from voicecoach.options import EarsOptions, given_path, model_folder

    named = "--model" if args.model is not None else "the config file's model"
    return EarsOptions(
        engine=settings.engine,
        model=model_folder(settings.model, named),
        input_device=settings.input_device,
        listen_file=given_path(args.listen_file, "--listen-file"),
        echo=args.echo,
    )


def fitted(
    options: SessionOptions, minutes: float | None, warn: Callable[[str], None] | None = None
) -> SessionOptions:
    """`--minutes N`: the session with its routine's doses fitted to N minutes within the
    article's ranges, and what the intro says when N cannot be reached (or, without N, why
    the article's own length cannot be). Timed with the session's own options (its speech
    rate, ready timeout, first exercise...: `bootstrap.timing`)."""
    from voicecoach import describe, plan
    from voicecoach.bootstrap import timing

    if minutes is not None and not minutes > 0:  # nan too
        raise UsageError("--minutes must be more than 0", "for example --minutes 15")
    if minutes is not None and not minutes * 60 < math.inf:
        raise UsageError(
            f"--minutes {minutes:g} is more than a session can last", "for example --minutes 15"
        )
    seconds = timing(options)
    if minutes is None:
        note = describe.article_time_note(options.routine, seconds, spoken=True)
        return replace(options, time_note=note)
    fit = plan.fit(options.routine, minutes, seconds=seconds)
    if warn is not None and not fit.reachable:  # on the terminal too, as the session starts
        warn(f"voicecoach: {describe.fit_note(fit, subject=options.routine.name)}")
    return replace(
        options,
        routine=fit.routine,
        time_note=describe.fit_note(fit),
        dose_fit=plan.DoseFit(minutes, fit.scale),
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
