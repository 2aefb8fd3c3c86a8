"""Wires a session together in one place: routine -> engine, voice, ears, keys, log, clock.

Choices made here (documented in `voicecoach start --help` terms):
- `--fast` runs on a virtual clock, so nothing real-time can be used: the voice prints
  (or writes `--speak-file`), the microphone and the keyboard are off, and the ready
  timeout starts every exercise. With `--listen-file` the file's audio is the microphone
  and drives the clock; `--echo GAIN` mixes the coach's own output into it.
- The ears are optional: their modules are imported here, inside functions. Missing or
  failing ears are reported once and the session goes on with the keys, unless the user
  asked for them by name (`--engine vosk`, `--listen-file`, `--input-device`): then the
  error is theirs to fix and stops the session.
- The keyboard is used whenever stdin is a terminal (real time only).
"""

from __future__ import annotations

import argparse
import queue
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicecoach.errors import ExitCode, UsageError, VoicecoachError
from voicecoach.records import EndRecord, HeardRecord, Record, SessionRecord

if TYPE_CHECKING:
    from voicecoach.ports import Clock
    from voicecoach.routine import Routine
    from voicecoach.runtime.loops import Ears
    from voicecoach.runtime.runner import Runner


def run_session(args: argparse.Namespace, out: Callable[[str], None] = print) -> int:
    """`voicecoach start`: 0 when the session ended (completed or stopped), 130 on Ctrl-C.
    `out` receives what the coach says in text mode."""
    from voicecoach import catalog
    from voicecoach.engine import Config, initial
    from voicecoach.runtime.clocks import RealClock, VirtualClock
    from voicecoach.runtime.log import LogWriter
    from voicecoach.runtime.printer import InterruptTap, PacedPrinter
    from voicecoach.runtime.runner import Runner
    from voicecoach.voice import make_voice
    from voicecoach.voice.timeline import Timeline

    routine = catalog.find(args.routine)
    start = start_exercise(routine, getattr(args, "start_from", None))
    _check_options(args)
    routine, time_note = fitted(routine, getattr(args, "minutes", None))
    fast = bool(args.fast)
    clock: Clock = VirtualClock() if fast else RealClock()
    log = LogWriter(args.log) if args.log else None
    paced = None if fast else PacedPrinter(clock, out)
    printer = Printer(clock, out, paced)
    timeline = Timeline()
    voice = ears = None
    interrupted = False
    try:
        # the ears first: loading a speech model holds the GIL for a while, which would
        # starve an output stream that is already open
        ears = make_ears(args, timeline, warn, clock)
        voice = make_voice(args, timeline, out=printer, clock=None if fast else clock, warn=warn)
        if paced is not None:
            voice = InterruptTap(voice, paced.cancel_from)
        config = Config(ready_timeout=args.ready_timeout, start_exercise=start, time_note=time_note)
        state = initial(routine, config)
        sinks = [s for s in (log, _heard_printer(printer) if _prints(args) else None) if s]
        sinks.append(_summary_printer(printer, said=_prints(args)))
        runner = Runner(state, voice, clock, _fan_out(sinks))
        printer.runner = runner
        if log is not None:
            log(_header(routine, args, start, voice, ears))
        try:
            if fast:
                from voicecoach.runtime.loops import run_fast

                run_fast(runner, ears)
            else:
                _prerender(voice, state)
                _run_live(runner, ears)
        except KeyboardInterrupt:
            interrupted = True
            runner.abort("interrupted")
            voice.interrupt(clock.now())
            print("\nvoicecoach: interrupted", file=sys.stderr)
            return ExitCode.INTERRUPTED
        return ExitCode.OK
    except KeyboardInterrupt:  # while still setting up: the log still gets its end
        interrupted = True
        if log is not None:
            log(EndRecord(0.0, completed=False, reason="interrupted"))
        print("\nvoicecoach: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    finally:
        if ears is not None:
            ears.close()
        if voice is not None:
            voice.close()
        if paced is not None:
            paced.close(flush=not interrupted)
        if log is not None:
            log.close()


def _fan_out(sinks: list[Callable[[Record], None]]) -> Callable[[Record], None]:
    def write(rec: Record) -> None:
        for sink in sinks:
            sink(rec)

    return write


def warn(message: str) -> None:
    print(message, file=sys.stderr)


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


def fitted(routine: Routine, minutes: float | None) -> tuple[Routine, str]:
    """`--minutes N`: the routine with its doses fitted to N minutes within the article's
    ranges, and what the intro says when N cannot be reached (or, without N, why the
    article's own length cannot be)."""
    from voicecoach import describe, plan

    if minutes is None:
        return routine, describe.article_time_note(routine)
    fit = plan.fit(routine, minutes)
    return fit.routine, describe.fit_note(fit)


def _check_options(args: argparse.Namespace) -> None:
    if getattr(args, "minutes", None) is not None and args.minutes <= 0:
        raise UsageError("--minutes must be more than 0", "for example --minutes 15")
    if args.ready_timeout < 0:
        raise UsageError("--ready-timeout must be 0 or more seconds")
    if args.echo and not args.listen_file:
        raise UsageError(
            "--echo mixes the coach's voice into a --listen-file replay",
            "add --listen-file WAV (and --fast to replay it on the virtual clock)",
        )
    if args.echo < 0:
        raise UsageError("--echo GAIN must be 0 or more")
    if args.listen_file and not Path(args.listen_file).is_file():
        raise UsageError(f"no such file: {args.listen_file}", "check the --listen-file path")


def _prints(args: argparse.Namespace) -> bool:
    return bool(args.text or (args.fast and not args.speak_file))


class Printer:
    """Prints what the coach says with its session time ("[01:05] coach: Hold"); in real
    time through a PacedPrinter, so each line shows when it is heard."""

    def __init__(self, clock: Clock, out: Callable[[str], None], paced: Any = None) -> None:
        self.clock = clock
        self.out = out
        self.paced = paced
        self.runner: Runner | None = None

    def __call__(self, line: str) -> None:
        at = self.runner.sound_at if self.runner is not None else self.clock.now()
        text = f"[{clock_text(at)}] {line}"
        if self.paced is not None:
            self.paced.write(at, text)
        else:
            self.out(text)


def clock_text(t: float) -> str:
    minutes, seconds = divmod(max(0, int(t)), 60)
    return f"{minutes:02d}:{seconds:02d}"


def _heard_printer(printer: Printer) -> Callable[[Record], None]:
    def show(rec: Record) -> None:
        if isinstance(rec, HeardRecord):
            printer.out(f"[{clock_text(rec.t)}] you: {rec.intent} ({rec.source})")

    return show


def _summary_printer(printer: Printer, said: bool) -> Callable[[Record], None]:
    """Prints the session's summary at its end, unless it was just printed as said."""

    def show(rec: Record) -> None:
        if not isinstance(rec, EndRecord) or not rec.summary:
            return
        if not said or rec.reason not in ("completed", "stopped"):  # else printed as said
            for line in ("Summary:", *rec.summary):
                printer.out(line)

    return show


def _header(routine: Routine, args: argparse.Namespace, start: int, voice: Any, ears: Any):
    from voicecoach import __version__, plan

    return SessionRecord(
        0.0,
        routine=routine.name,
        title=routine.title,
        version=__version__,
        exercises=len(routine.exercises),
        start_exercise=start,
        estimate_seconds=plan.estimate_seconds(routine),
        ready_timeout=args.ready_timeout,
        fast=bool(args.fast),
        voice=type(getattr(voice, "inner", voice)).__name__,
        ears=getattr(ears.recognizer, "name", None) if ears is not None else None,
    )


# ------------------------------------------------------------------------- ears


def make_ears(
    args: argparse.Namespace, reference: Any, warn: Callable[[str], None], clock: Clock
) -> Ears | None:
    """The recognizer and its audio, or None (keys only)."""
    if args.engine == "keys" or (args.fast and not args.listen_file):
        return None
    explicit = bool(args.listen_file or args.engine != "auto" or args.input_device)
    try:
        return _build_ears(args, reference, clock)
    except ImportError as exc:
        warn(f"voicecoach: voice commands are not available ({exc}); using the keys only")
    except VoicecoachError as exc:
        if explicit:
            raise
        warn(f"voicecoach: voice commands are off: {exc}\nvoicecoach: using the keys only")
    return None


def _build_ears(args: argparse.Namespace, reference: Any, clock: Clock) -> Ears:
    from voicecoach.ears import choose_engine, make_recognizer
    from voicecoach.ears.echo import EchoGuard, mix_echo
    from voicecoach.runtime.loops import Ears

    choice = choose_engine(args.engine, args.model)
    warn(f"voicecoach: {choice.describe()}")
    recognizer = EchoGuard(make_recognizer(choice=choice), reference)
    mix = None
    if args.echo:
        gain = args.echo

        def mix(chunk, t0):
            return mix_echo(chunk, reference, t0, gain)

    return Ears(recognizer, _audio_source(args, clock), mix)


def _audio_source(args: argparse.Namespace, clock: Clock) -> Any:
    """The microphone, or `--listen-file`; its audio times are session times (a live
    source starts at the session time it is opened)."""
    from voicecoach.ears.sources import MicSource, WavSource

    if args.listen_file:
        return WavSource(args.listen_file, realtime=not args.fast, start=clock.now())
    source = MicSource(args.input_device, start=clock.now())
    source.open()  # no microphone: AudioError now, not in the ears thread later
    source.start = clock.now()
    return source


# ------------------------------------------------------------------------- real time


def _prerender(voice: Any, state: Any) -> None:
    """Render every phrase the session will say ahead of time, from a silent dry run."""
    from voicecoach.runtime.simulation import Simulation
    from voicecoach.voice import prerender

    dry = Simulation(state.routine, state.config).finish()
    prerender(voice, list(dict.fromkeys(dry.voice.said)))


def _run_live(runner: Runner, ears: Ears | None) -> None:
    from voicecoach.keys import HELP_LINE, KeyReader, intent_for_key
    from voicecoach.runtime.loops import KeyPress, listen, run_realtime

    inbox: queue.Queue = queue.Queue()
    stop = threading.Event()
    thread = None
    if ears is not None:
        thread = threading.Thread(target=listen, args=(ears, inbox, stop), daemon=True)
        thread.start()
    try:
        with KeyReader(lambda ch: inbox.put(KeyPress(ch))) as keys:
            if keys.active:
                print(HELP_LINE)
            elif ears is None:
                warn("voicecoach: no keyboard (stdin is not a terminal) and no voice commands")
            run_realtime(runner, inbox, intent_for_key, warn)
    finally:
        stop.set()
        if ears is not None:
            ears.close()
        if thread is not None:
            thread.join(timeout=1.0)
