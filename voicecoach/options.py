"""Typed, validated options for a session and its adapters: made once from the command line
(`voicecoach.commands.start.session_options`), read everywhere else. Each raises
UsageError when built with a value that cannot work, so a mistake is reported before the
session starts."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from voicecoach.errors import AudioError, NotFound, UsageError
from voicecoach.outfiles import check_target
from voicecoach.routine import Routine

if TYPE_CHECKING:
    from voicecoach.plan import DoseFit

Engine = Literal["auto", "vosk", "whisper", "pocketsphinx", "keys"]
RATE_LIMITS = (40, 500)  # words per minute


def given_path(value: str | None, option: str) -> Path | None:
    """The path the user gave `option` ("--log"), `~` expanded; None when not given. An
    empty one is a usage error: `Path("")` is the current folder, which nobody means."""
    if value is None:
        return None
    if not value.strip():
        raise UsageError(f"{option} is empty", f"give {option} a path, or leave it out")
    from voicecoach.infiles import user_path

    return user_path(value)


def model_folder(value: str | None, option: str = "--model") -> Path | None:
    """The Vosk model folder the user named (`--model`, or `model` in the config file):
    one that does not exist is refused at once, whichever recognizer would be used and
    whether or not it listens (whether a folder holds a usable model is said when it is
    loaded: a ModelError)."""
    path = given_path(value, option)
    if path is not None and not path.exists():
        raise NotFound(
            f"{option} {path}: not found",
            "give the folder of an unpacked Vosk model ('voicecoach model' shows the one "
            "found, 'voicecoach model download' fetches the small English one), or leave "
            f"{option} out",
        )
    return path


@dataclass(frozen=True, slots=True)
class VoiceOptions:
    """How the coach speaks.

    - `speak_file`: write the voice onto the session timeline in this WAV;
    - `text`, or `fast` (a virtual clock cannot drive a sound card): print instead of play;
    - otherwise live playback on `device` (index or name substring; None: the default).
    `voice` is a pyttsx3 voice id or name, `rate` words per minute (None: the
    synthesizer's default), `volume` 0.0 to 1.0."""

    text: bool = False
    fast: bool = False
    speak_file: Path | None = None
    voice: str | None = None
    rate: int | None = None
    volume: float = 1.0
    device: str | None = None

    def __post_init__(self) -> None:
        lo, hi = RATE_LIMITS
        if self.rate is not None and not lo <= self.rate <= hi:
            raise UsageError(
                f"--rate {self.rate} is out of range", f"use {lo} to {hi} words per minute"
            )
        if not 0.0 <= self.volume <= 1.0:
            raise UsageError(f"--volume {self.volume} is out of range", "use 0.0 to 1.0")
        if self.speak_file is not None:  # a device, FIFO or folder: refused now, not after
            check_target(self.speak_file, "--speak-file")

    @property
    def plays(self) -> bool:
        """Whether the voice plays on a sound device (not printed, not written)."""
        return not (self.speak_file or self.text or self.fast)


@dataclass(frozen=True, slots=True)
class EarsOptions:
    """How the coach listens: `engine` (keys: no voice commands), a Vosk `model` folder,
    the microphone `input_device`, or a `listen_file` WAV in its place, with the coach's
    own output mixed in at `echo` gain (a replay test of the echo guard)."""

    engine: Engine = "auto"
    model: Path | None = None
    input_device: str | None = None
    listen_file: Path | None = None
    echo: float = 0.0

    def used(self, fast: bool) -> bool:
        """Whether a session (`fast`: on the virtual clock) listens at all with these
        options: not keys only; `--fast` only with a file."""
        return self.engine != "keys" and (not fast or self.listen_file is not None)

    def __post_init__(self) -> None:
        if not 0 <= self.echo < math.inf:  # nan and inf too
            raise UsageError("--echo GAIN must be 0 or more", "for example --echo 0.5")
        if self.echo and not self.listen_file:
            raise UsageError(
                "--echo mixes the coach's voice into a --listen-file replay",
                "add --listen-file WAV (and --fast to replay it on the virtual clock)",
            )
        if self.listen_file:
            from voicecoach.ears.wav import read_header

            if not self.listen_file.exists():
                raise NotFound(
                    f"--listen-file: no such file: {self.listen_file}",
                    "check the path (a .wav file)",
                )
            try:  # a bad file is reported before anything else happens
                read_header(self.listen_file)
            except AudioError as exc:
                raise UsageError(f"--listen-file: {exc.message}", exc.hint) from None

    @property
    def explicit(self) -> bool:
        """Whether the user asked for these ears by name: then failing ears are an error to
        fix, not a reason to go on with the keys only."""
        return bool(self.listen_file or self.engine != "auto" or self.input_device)


READY_TIMEOUT_MAX = 3600.0  # s: an hour is no short wait already (1e308 overflowed the estimate)


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """Everything `voicecoach start` was asked for, checked."""

    routine: Routine
    start_exercise: int = 0
    time_note: str = ""  # why the session cannot take the minutes asked for (plan.fit)
    dose_fit: DoseFit | None = None  # --minutes N: how `routine`'s doses were fitted to N
    ready_timeout: float = 15.0
    fast: bool = False
    text: bool = False
    log: Path | None = None
    screen: bool = True  # the live panel when stdout is a terminal (--quiet-screen or the
    # config file's `screen = false`: off)
    cues: bool = False  # cues as the words "beep"/"tick" in the printed transcript
    voice: VoiceOptions = field(default_factory=VoiceOptions)
    ears: EarsOptions = field(default_factory=EarsOptions)
    standing: str = ""  # the history's sentence for the intro and the summary
    start_step: int | None = None  # --resume: the step to pick up at
    done_before: frozenset[int] = frozenset()  # --resume: the steps done before

    def __post_init__(self) -> None:
        if not 0 <= self.ready_timeout <= READY_TIMEOUT_MAX:  # nan and inf too (the config
            raise UsageError(  # file's: TOML has them)
                f"--ready-timeout must be 0 to {READY_TIMEOUT_MAX:g} seconds",
                "for example --ready-timeout 15",
            )
        if not 0 <= self.start_exercise < len(self.routine.exercises):
            raise UsageError(
                f"no exercise number {self.start_exercise + 1} in {self.routine.name}",
                f"give a number from 1 to {len(self.routine.exercises)}",
            )
        if self.log is not None:  # a device, FIFO or folder: refused before anything starts
            check_target(self.log, "--log")

    @property
    def prints(self) -> bool:
        """Whether the session prints what the coach says (`--text`, or `--fast` with
        nothing else to show it)."""
        return bool(self.text or (self.fast and not self.voice.speak_file))

    @property
    def listens(self) -> bool:
        """Whether the session has ears at all (not keys only; `--fast` only with a file)."""
        return self.ears.used(self.fast)
