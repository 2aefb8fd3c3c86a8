"""The audio Whisper decodes for one endpointed utterance. The recognizer
(`WhisperRecognizer.decide`) and the tuning harness (`bench/tune_whisper.py`) both build
it here, so what is tuned is what runs.

The utterance (with the endpointer's preroll before the onset and its tail) is followed
by `pad` seconds of digital silence: Whisper learnt on 30 s windows in which a short
command is followed by quiet (bench/RESULTS.md). Measured on the dev clips and not
adopted (2026-11-30, `bench/noise_experiments.py`): padding with noise shaped like the
preroll instead of zeros, spectral-subtraction noise reduction with the preroll as the
noise estimate, and level normalisation: none heard more commands at the same false
accepts.
"""

from __future__ import annotations

import numpy as np

from voicecoach.ears.endpoint import Utterance
from voicecoach.ports import MIC_RATE


def whisper_audio(utt: Utterance, pad: float, speed: float = 1.0) -> np.ndarray:
    """float32 audio at 16 kHz in [-1, 1): the utterance, then `pad` s of silence. With a
    `speed` other than 1 the utterance is played that many times as fast, tempo and pitch
    together, as a tape would be (shorter and higher above 1; linear interpolation)."""
    audio = utt.audio.astype(np.float32) / 32768.0
    if speed != 1.0:
        n = int(len(audio) / speed)
        audio = np.interp(np.arange(n) * speed, np.arange(len(audio)), audio).astype(np.float32)
    out: np.ndarray = np.concatenate([audio, np.zeros(round(pad * MIC_RATE), np.float32)])
    return out
