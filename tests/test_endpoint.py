"""The endpointer cuts utterances around speech whatever the line did before."""

from __future__ import annotations

import numpy as np

from voicecoach.ears.endpoint import Endpointer
from voicecoach.ports import MIC_RATE


def noise(seconds: float, rms: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(int(seconds * MIC_RATE)) * rms).astype(np.int16)


def utterances(audio: np.ndarray) -> list:
    ep = Endpointer()
    out = []
    for i in range(0, len(audio), 1600):
        out += ep.feed(audio[i : i + 1600], i / MIC_RATE)
    return out + ep.flush(len(audio) / MIC_RATE)


def test_digital_silence_before_the_room_does_not_make_the_room_sound_like_speech():
    muted = np.zeros(2 * MIC_RATE, np.int16)  # an idle sound server sends exact zeros
    room = noise(2.0, 30, seed=1)
    word = noise(0.5, 3000, seed=2)
    audio = np.concatenate([muted, room, word, noise(1.0, 30, seed=3)])

    (utt,) = utterances(audio)

    assert not utt.too_long
    assert utt.start > 3.9
    assert utt.end < 4.6
