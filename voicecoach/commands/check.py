"""`voicecoach check`: one screen that says whether this machine can run a session, and
how to fix what is missing -- speech out, the microphone (with a live level meter), the
recognizer and its model.  Exit 0 when everything needed is usable.

Each check returns `Finding`s instead of printing, so it can be tested with fakes; it
must never crash on a machine without sound devices or models (that is what it is for).
Heavy imports stay inside the functions: `register` must be cheap."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TextIO

OK, WARN, FAIL, INFO = "ok", "warn", "FAIL", "info"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="check speech output, microphone and speech recognition",
        description="Check that speech output, the microphone and speech recognition work, "
        "and print how to fix each problem. Records a few seconds from the microphone: "
        "say something to see the level meter move.",
    )
    p.add_argument("--input-device", metavar="DEV", help="microphone (index or name part)")
    p.add_argument("--device", metavar="DEV", help="speaker (index or name part)")
    p.add_argument("--model", metavar="PATH", help="Vosk model folder to check")
    p.add_argument("--seconds", type=float, default=3.0, help="microphone test length (3)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    out = sys.stdout
    report = Report(out)
    out.write("voicecoach check\n")
    report.section("speech out", check_speech_out(args.device))
    report.section("microphone", check_microphone(args.input_device, args.seconds, out))
    report.section("speech recognition", check_recognizer(args.model))
    return report.finish()


# -- findings and the report ---------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One line of the report; `fix` says what to do when `status` is FAIL or WARN."""

    status: str
    text: str
    fix: str | None = None
    exit_code: int = 1


class Report:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.failures: list[Finding] = []

    def section(self, title: str, findings: Iterable[Finding]) -> None:
        self.out.write(f"\n{title}\n")
        for f in findings:
            self.out.write(f"  {f.status:<5} {f.text}\n")
            if f.fix and f.status != OK:
                self.out.write(f"        fix: {f.fix}\n")
            if f.status == FAIL:
                self.failures.append(f)
        self.out.flush()

    def finish(self) -> int:
        if not self.failures:
            self.out.write("\nEverything needed is usable.\n")
            return 0
        n = len(self.failures)
        self.out.write(f"\n{n} problem{'s' if n > 1 else ''} found: see the fixes above.\n")
        return self.failures[0].exit_code


def _audio_code() -> int:
    from voicecoach.errors import ExitCode

    return int(ExitCode.AUDIO)


def _model_code() -> int:
    from voicecoach.errors import ExitCode

    return int(ExitCode.MODEL)


# -- speech out ----------------------------------------------------------------------------------


def check_speech_out(device: str | None = None) -> list[Finding]:
    """The speech synthesizer and an output device."""
    findings = [_check_synth()]
    from voicecoach.errors import AudioError

    try:
        from voicecoach.voice.devices import find_output

        out = find_output(device)
        findings.append(Finding(OK, f"output device: {out.index}: {out.name}"))
    except AudioError as exc:
        findings.append(Finding(FAIL, exc.message, exc.hint, exit_code=_audio_code()))
    return findings


def _check_synth() -> Finding:
    import shutil

    if sys.platform.startswith("linux") and shutil.which("espeak-ng") is None:
        return Finding(
            FAIL,
            "espeak-ng (the speech synthesizer pyttsx3 uses on Linux) is not installed",
            "sudo apt-get install espeak-ng",
            exit_code=_audio_code(),
        )
    try:
        import pyttsx3  # noqa: F401
    except Exception as exc:  # a broken driver raises anything at import
        return Finding(
            FAIL,
            f"pyttsx3 is not usable ({exc})",
            "pip install pyttsx3==2.99",
            exit_code=_audio_code(),
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


def check_microphone(
    device: str | None,
    seconds: float,
    out: TextIO,
    make_source: Callable[..., Any] | None = None,
) -> list[Finding]:
    """Open the microphone, show a level meter for `seconds`, judge the level."""
    from voicecoach.errors import AudioError

    if make_source is None:
        from voicecoach.ears.sources import MicSource

        make_source = MicSource
    try:
        source = make_source(device=device, stall_timeout=2.0)
    except AudioError as exc:
        return [Finding(FAIL, exc.message, exc.hint, exit_code=_audio_code())]
    name = getattr(source, "device", {}).get("name", "microphone")
    found = [Finding(OK, f"microphone: {name}")]
    out.write(f"  ...   recording {seconds:g} s: say something\n")
    try:
        peak, rms = _meter(source, seconds, out)
    except AudioError as exc:
        return [*found, Finding(FAIL, exc.message, exc.hint, exit_code=_audio_code())]
    finally:
        source.close()
    return found + judge_level(peak, rms, getattr(source, "overflows", 0))


def _meter(source: Any, seconds: float, out: TextIO) -> tuple[int, float]:
    """Consume `seconds` of audio drawing a bar; returns (peak sample, loudest 100 ms RMS)."""
    import numpy as np

    peak, loudest, heard = 0, 0.0, 0.0
    live = out.isatty()
    for _t0, chunk in source.chunks():
        x = chunk.astype(np.float64)
        rms = float(np.sqrt(np.mean(x**2))) if len(x) else 0.0
        peak, loudest = max(peak, int(np.abs(x).max(initial=0))), max(loudest, rms)
        heard += len(chunk) / 16_000
        if live:
            out.write(f"\r        {level_bar(rms)}")
            out.flush()
        if heard >= seconds:
            break
    if live:
        out.write("\r" + " " * 60 + "\r")
    out.write(f"        loudest: {level_bar(loudest)}\n")
    return peak, loudest


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
    """PocketSphinx (the offline default) and Vosk with its model (optional unless
    --model names one).  Usable when at least one recognizer works."""
    sphinx = _check_pocketsphinx()
    vosk = _check_vosk(model)
    findings = [sphinx, *vosk]
    usable = sphinx.status == OK or any(f.status == OK and "model:" in f.text for f in vosk)
    if not usable and not any(f.status == FAIL for f in findings):
        findings.append(
            Finding(
                FAIL,
                "no speech recognizer is usable",
                "pip install pocketsphinx",
                exit_code=_model_code(),
            )
        )
    return findings


def _check_pocketsphinx() -> Finding:
    from pathlib import Path

    try:
        import pocketsphinx
    except Exception as exc:  # ImportError, or OSError from its native library
        return Finding(
            FAIL,
            f"pocketsphinx is not usable ({exc})",
            "pip install pocketsphinx",
            exit_code=_model_code(),
        )
    base = Path(pocketsphinx.get_model_path()) / "en-us"
    needed = [base / "en-us", base / "cmudict-en-us.dict", base / "en-us.lm.bin"]
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        return Finding(
            FAIL,
            f"pocketsphinx's English model is missing ({', '.join(missing)})",
            "pip install --force-reinstall pocketsphinx",
            exit_code=_model_code(),
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
        return [Finding(severity, exc.message, exc.hint, exit_code=_model_code())]
    from voicecoach.ears import models

    try:
        path = models.find_vosk_model(model)
    except ModelError as exc:
        text = exc.message if model else "no Vosk model (optional: more accurate than pocketsphinx)"
        return [Finding(severity, text, exc.hint, exit_code=_model_code())]
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
        return [Finding(FAIL if model else WARN, exc.message, exc.hint, exit_code=_model_code())]
    return [Finding(OK, f"Vosk model: {path}")]
