"""Builds a session in one place: options -> engine state, voice, ears, clock, log, printer.
It builds and nothing else: `Session.run()` (`voicecoach.runtime.session`) runs it.

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
- The live panel (`voicecoach.screen`) shows whenever stdout is a terminal, in real time,
  unless `--quiet-screen` (or the config's `screen = false`) or the caller hands in its
  own `out`; then, and whenever stdout is not a terminal, `--text` prints plain lines.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from voicecoach.errors import VoicecoachError
from voicecoach.records import EndRecord
from voicecoach.signals import SIGNALS, reason, signum_of

if TYPE_CHECKING:
    import numpy as np

    from voicecoach.ears.sources import MicSource, WavSource
    from voicecoach.ears.worker import WorkerRecognizer
    from voicecoach.engine import Config
    from voicecoach.options import EarsOptions, SessionOptions
    from voicecoach.ports import Clock, EchoReference, Voice
    from voicecoach.routine import Routine
    from voicecoach.runtime.loops import Ears
    from voicecoach.runtime.observer import SessionObserver
    from voicecoach.runtime.session import Session
    from voicecoach.screen.live import LiveScreen
    from voicecoach.screen.meter import LevelMeter


def build_session(
    options: SessionOptions,
    *,
    voice: Voice | None = None,
    ears: Ears | None = None,
    load_ears: EarsLoader | None = None,
    clock: Clock | None = None,
    out: Callable[[str], None] | None = None,
    observers: Sequence[SessionObserver] = (),
    worker: WorkerRecognizer | None = None,
) -> Session:
    """A session ready to run. What is not handed in is made from `options`: the clock
    (virtual with `fast`), the ears (none with `fast` and no listen file), the voice, the
    `--log` writer and, when the session prints, the printer (on `out`, default stdout).
    `observers` see the session after the log and the printer do. `load_ears` loads the
    ears when none are handed in (default `make_ears`; a test hands in one that fails).
    `worker`: the recognizer's worker process, already started for `options.ears`
    (`start_ears_worker`), which `make_ears` then uses.

    Ctrl-C while building (a speech model can take seconds to load) still ends the log."""
    from voicecoach.engine import initial
    from voicecoach.runtime.clocks import RealClock, VirtualClock
    from voicecoach.runtime.log import LogWriter
    from voicecoach.runtime.printer import PacedPrinter, Printer, SummaryPrinter, stdout_lines
    from voicecoach.runtime.runner import Runner, session_header
    from voicecoach.runtime.session import Session
    from voicecoach.screen.meter import LevelMeter
    from voicecoach.voice import make_voice
    from voicecoach.voice.timeline import Timeline

    config = engine_config(options)
    # before the log: nothing to end if it is cut
    # timed as `list`, `show` and `--minutes` time it: without the intro's note on the
    # length itself, so "This takes about 8 minutes" and the note's "at least 8 minutes"
    # (or `list`'s 26 and the intro's) are the same number (the note only adds its words)
    dry = dry_run(options.routine, replace(config, time_note=""), options.voice.rate)
    state = initial(options.routine, replace(config, estimate=dry.seconds))
    # the log first: a signal from here on still gets its end record
    log = LogWriter(options.log, warn) if options.log else None
    panel_wanted = out is None and shows_panel(options)
    out = out or stdout_lines()
    clock = clock or (VirtualClock() if options.fast else RealClock())
    # without the panel the session prints its plain transcript: `--text`, a `--fast`
    # run with nothing else to show, and a live session speaking aloud (stdout piped,
    # `--quiet-screen`); a `--fast` replay into `--speak-file` prints only its summary
    prints = (options.prints or not options.fast) and not panel_wanted
    paced = PacedPrinter(clock, out) if prints and not options.fast else None
    printer = Printer(out, paced, cues=options.cues) if prints else None
    meter = LevelMeter(clock) if panel_wanted else None
    screen = _live_screen(clock, meter) if panel_wanted else None
    later_warn = screen.notice if screen is not None else warn  # the panel holds the terminal
    timeline = Timeline()
    try:
        # the ears first: loading a speech model holds the GIL for a while, which would
        # starve an output stream that is already open
        if ears is None:
            if load_ears is not None:
                ears = load_ears(options, timeline, clock)
            else:
                ears = make_ears(options, timeline, clock, worker=worker)
        if voice is None:
            voice = make_voice(
                options.voice,
                timeline,
                clock=None if options.fast else clock,
                warn=later_warn,
            )
    except BaseException as exc:
        with SIGNALS.deferred():  # a second signal must not cut this short
            if ears is not None:
                ears.close()
            if paced is not None:
                paced.close(flush=False)
            if log is not None:
                if isinstance(exc, KeyboardInterrupt):  # Ctrl-C, SIGTERM, SIGHUP
                    log(EndRecord(0.0, completed=False, reason=reason(signum_of(exc))))
                log.close()  # otherwise (an error) the old log stays as it was
        if worker is not None and ears is None:
            worker.close()
        raise
    panel = None
    if screen is not None:
        from voicecoach.screen.meter import MeteredSource
        from voicecoach.screen.observers import Panel

        if ears is not None and meter is not None:
            ears.source = MeteredSource(ears.source, meter)
        screen.set_engine(ears.recognizer.name if ears is not None else "keys only")
        panel = Panel(screen, warn=warn)
    # the summary is printed at the end (the printer prints it when it has not been said;
    # the panel leaves it on the terminal after leaving the screen)
    summary = printer or (SummaryPrinter(out) if panel is None else None)
    outputs: list[SessionObserver] = [o for o in (log, summary, panel) if o]
    header = session_header(
        state,
        fast=options.fast,
        voice=type(voice).__name__,
        ears=ears.recognizer.name if ears is not None else None,
        dose_fit=options.dose_fit,
    )
    runner = Runner(state, voice, clock, [*outputs, *observers], header)
    return Session(
        runner,
        fast=options.fast,
        ears=ears,
        log=log,
        paced=paced,
        phrases=lambda: dry.phrases,
        warn=later_warn,
        closers=[panel.close] if panel is not None else [],
        show_keys=panel is None,
    )


EarsLoader = Callable[["SessionOptions", "EchoReference", "Clock"], "Ears | None"]


def shows_panel(options: SessionOptions) -> bool:
    """Whether a session shows the live panel: in real time, in a terminal, unless asked
    not to."""
    return options.screen and not options.fast and sys.stdout.isatty()


def _live_screen(clock: Clock, meter: LevelMeter | None) -> LiveScreen:
    from rich.console import Console

    from voicecoach.keys import HELP_LINE
    from voicecoach.screen.live import LiveScreen

    help_line = HELP_LINE if sys.stdin.isatty() else ""
    return LiveScreen(Console(), clock, engine="keys only", help_line=help_line, meter=meter)


def warn(message: str) -> None:
    print(message, file=sys.stderr)


@dataclass(frozen=True)
class DryRun:
    """What a silent dry run of the session found: how long it lasts when nobody
    interrupts it (the intro says it, the log's header keeps it) and every phrase it says
    (rendered ahead of a real-time session; the intro's line on the length is not among
    them: its number is the one this run finds)."""

    seconds: float
    phrases: list[str]


def dry_run(routine: Routine, config: Config, rate: int | None = None) -> DryRun:
    from voicecoach.runtime.simulation import Simulation, speech_seconds

    dry = Simulation(routine, config, lambda text: speech_seconds(text, rate)).finish()
    return DryRun(dry.now, list(dict.fromkeys(dry.voice.said)))


def engine_config(options: SessionOptions) -> Config:
    """What the engine needs of the session's options."""
    from voicecoach.engine import Config

    return Config(
        ready_timeout=options.ready_timeout,
        start_exercise=options.start_exercise,
        time_note=options.time_note,
        standing=options.standing,
        start_step=options.start_step,
        done_before=options.done_before,
    )


def timing(options: SessionOptions) -> Callable[[Routine], float]:
    """How long a session of a routine lasts with these options (the speech rate, the
    ready timeout, where it starts...): the dry run of `build_session`, which the intro's
    estimate says, for `--minutes` to fit a routine with."""
    config, rate = engine_config(options), options.voice.rate
    return lambda routine: dry_run(routine, config, rate).seconds


# ------------------------------------------------------------------------- ears


def start_ears_worker(ears: EarsOptions, fast: bool) -> WorkerRecognizer | None:
    """The recognizer's worker process, started now when a session with these options
    uses one (listening with Whisper or PocketSphinx), so that its model loads while the
    rest of the program does: hand it to `build_session`. None otherwise, or when it
    cannot start (the ears say why as they are built)."""
    if not ears.used(fast):
        return None
    from voicecoach.ears import WORKER_ENGINES, choose_engine, start_worker

    try:
        choice = choose_engine(ears.engine, str(ears.model) if ears.model else None)
        if choice.engine not in WORKER_ENGINES:
            return None
        return start_worker(choice, live=not fast)
    except VoicecoachError:
        return None


def make_ears(
    options: SessionOptions,
    reference: EchoReference,
    clock: Clock,
    warn: Callable[[str], None] = warn,
    *,
    worker: WorkerRecognizer | None = None,
) -> Ears | None:
    """The recognizer (in `worker` when it was started early) and its audio, or None
    (keys only)."""
    if not options.listens:
        return None
    try:
        return _build_ears(options.ears, options.fast, reference, clock, worker)
    except ImportError as exc:
        warn(f"voicecoach: voice commands are not available ({exc}); using the keys only")
    except VoicecoachError as exc:
        if options.ears.explicit:
            raise
        warn(f"voicecoach: voice commands are off: {exc}\nvoicecoach: using the keys only")
    return None


def _build_ears(
    options: EarsOptions,
    fast: bool,
    reference: EchoReference,
    clock: Clock,
    worker: WorkerRecognizer | None,
) -> Ears:
    from voicecoach.ears import WORKER_ENGINES, choose_engine, make_recognizer, start_worker
    from voicecoach.ears.echo import EchoGuard, mix_echo
    from voicecoach.ears.sources import MicSource
    from voicecoach.runtime.loops import Ears

    engine = "auto" if options.engine == "keys" else options.engine
    choice = choose_engine(engine, str(options.model) if options.model else None)
    warn(f"voicecoach: {choice.describe()}")
    if worker is not None and worker.name != choice.engine:  # started for other options
        worker.close()
        worker = None
    if worker is None and choice.engine in WORKER_ENGINES:  # decode in their own process
        worker = start_worker(choice, live=not fast)
    guard = EchoGuard(worker or make_recognizer(choice=choice), reference)
    mix = None
    if options.echo:
        gain = options.echo

        def mix(chunk: np.ndarray, t0: float) -> np.ndarray:
            return mix_echo(chunk, reference, t0, gain)

    try:
        source = _audio_source(options, fast, clock)
    except BaseException:
        if worker is not None:
            worker.close()
        raise
    watch = source.watch if isinstance(source, MicSource) else None
    return Ears(guard, source, mix, watch, closers=[worker.close] if worker is not None else [])


def _audio_source(options: EarsOptions, fast: bool, clock: Clock) -> WavSource | MicSource:
    """The microphone, or `--listen-file`; its audio times are session times (a live
    source starts at the session time it is opened)."""
    from voicecoach.ears.sources import MicSource, WavSource

    if options.listen_file:
        return WavSource(str(options.listen_file), realtime=not fast, start=clock.now())
    source = MicSource(options.input_device, start=clock.now())
    source.open()  # no microphone: AudioError now, not in the ears thread later
    source.start = clock.now()
    return source
