"""Deterministic test speech from espeak-ng, resampled to the ears' 16 kHz int16.

Test-only (kept out of the package): the tests make clips with it on the fly; the real
clip sets come from `bench/make_clips.py`."""

from __future__ import annotations

import io
import shutil
import subprocess
import wave

import numpy as np

from voicecoach.errors import AudioError
from voicecoach.ports import MIC_RATE, Detection, Recognizer


def available() -> bool:
    """True when the espeak-ng program is installed."""
    return shutil.which("espeak-ng") is not None


def synth(text: str, voice: str = "en-us", speed: int = 160, pitch: int = 50) -> np.ndarray:
    """`text` spoken by espeak-ng as int16 samples at MIC_RATE (no padding)."""
    if not available():
        raise AudioError("espeak-ng is not installed", "apt-get install espeak-ng")
    cmd = ["espeak-ng", "--stdout", "-v", voice, "-s", str(speed), "-p", str(pitch), text]
    wav = subprocess.run(cmd, check=True, capture_output=True).stdout
    with wave.open(io.BytesIO(wav)) as w:
        rate = w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    from voicecoach.ears.sources import resample

    return trim(resample(data, rate))


def trim(samples: np.ndarray, floor: float = 0.01) -> np.ndarray:
    """Drop the near-silent start and end espeak-ng adds, so a clip's speech_end is exact."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > floor * 32768)
    return samples[loud[0] : loud[-1] + 1] if len(loud) else samples


def place(speech: np.ndarray, lead: float, tail: float, snr_db: float, seed: int) -> np.ndarray:
    """`speech` with `lead`/`tail` seconds around it, in white noise at `snr_db` (relative to
    the speech's RMS). Never digital zero: pocketsphinx misbehaves on it."""
    rng = np.random.default_rng(seed)
    pad = np.zeros(int(lead * MIC_RATE)), speech.astype(np.float64), np.zeros(int(tail * MIC_RATE))
    x = np.concatenate(pad)
    rms = float(np.sqrt(np.mean(speech.astype(np.float64) ** 2))) or 1000.0
    noise = rng.standard_normal(len(x)) * rms / (10 ** (snr_db / 20))
    return np.clip(np.round(x + noise), -32768, 32767).astype(np.int16)


LEAD, TAIL = 0.8, 1.0  # s of low noise before and after a command clip's speech


def command(text: str, voice: str = "en-us", snr: float = 30) -> tuple[np.ndarray, float]:
    """`text` spoken with LEAD s of low noise before and TAIL s after; (audio, speech_end)."""
    speech = synth(text, voice, speed=150)
    return place(speech, LEAD, TAIL, snr, seed=7), LEAD + len(speech) / MIC_RATE


def stream(recognizer: Recognizer, audio: np.ndarray, chunk: int = 1600) -> list[Detection]:
    """Every detection of `recognizer` fed `audio` in `chunk`s, then flushed."""
    out: list[Detection] = []
    for i in range(0, len(audio), chunk):
        out += recognizer.accept(audio[i : i + chunk], i / MIC_RATE)
    return out + recognizer.flush(len(audio) / MIC_RATE)
