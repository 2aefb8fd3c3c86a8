"""The endpointer in loud noise: a command that stands out of hiss or babble is cut out
of it as one utterance of its own."""

from __future__ import annotations

import dataclasses

import numpy as np

from voicecoach.ears.endpoint import EndpointConfig, Endpointer, Utterance
from voicecoach.ports import MIC_RATE


def hiss(seconds: float, rms: float, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(round(seconds * MIC_RATE)) * rms


def voiced(seconds: float, rms: float, f0: float = 150.0) -> np.ndarray:
    """A vowel-like sound: the harmonics of `f0` up to 900 Hz."""
    t = np.arange(round(seconds * MIC_RATE)) / MIC_RATE
    x = sum(np.sin(2 * np.pi * k * f0 * t) for k in range(1, int(900 // f0) + 1))
    return np.asarray(x) * rms / np.std(x)


def babble(seconds: float, rms: float, seed: int) -> np.ndarray:
    """Several talkers far off: speech-band noise whose level changes every syllable
    (80 ms) by up to +-3 dB and drops by 15 dB in one syllable of twelve (all pause)."""
    rng = np.random.default_rng(seed)
    n = round(seconds * MIC_RATE)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / MIC_RATE)
    spectrum[(freqs < 200) | (freqs > 4000)] = 0
    x = np.fft.irfft(spectrum, n)
    syllable = round(0.08 * MIC_RATE)
    db = rng.uniform(-3, 3, n // syllable + 1)
    db[rng.random(len(db)) < 0.08] = -15.0
    envelope = np.repeat(10 ** (db / 20), syllable)[:n]
    y = x * envelope
    return y * rms / np.std(y)


def utterances(audio: np.ndarray, config: EndpointConfig | None = None) -> list[Utterance]:
    ep = Endpointer(config or EndpointConfig())
    out = []
    for i in range(0, len(audio), 1600):
        out += ep.feed(audio[i : i + 1600].astype(np.int16), i / MIC_RATE)
    return out + ep.flush(len(audio) / MIC_RATE)


def around(utts: list[Utterance], start: float, end: float) -> list[Utterance]:
    """The utterances that hold [start, end] whole and little else."""
    return [
        u
        for u in utts
        if not u.too_long and start - 0.1 < u.start <= start + 0.05 and end <= u.end < end + 0.3
    ]


def test_a_vowel_as_loud_as_the_hiss_around_it_is_one_utterance():
    """White noise puts most of its power above 1 kHz, voiced speech most of its below:
    measured there too, the word stands 12 dB out of the hiss (5 dB over all)."""
    audio = hiss(4.0, 2000, seed=1)
    audio[2 * MIC_RATE : round(2.6 * MIC_RATE)] += voiced(0.6, 3000)

    assert len(around(utterances(audio), 2.0, 2.6)) == 1
    over_all_only = dataclasses.replace(EndpointConfig(), low_pass_hz=0.0)
    assert around(utterances(audio, over_all_only), 2.0, 2.6) == []


def test_a_command_louder_than_the_babble_around_it_is_cut_out_of_it():
    """The floor does not drop into the babble's short pauses (it falls at a bounded
    rate), so the babble itself does not count as speech against it."""
    audio = babble(6.0, 1000, seed=5)
    audio[3 * MIC_RATE : round(3.6 * MIC_RATE)] += voiced(0.6, 2500)

    assert len(around(utterances(audio), 3.0, 3.6)) == 1
    falling_at_once = dataclasses.replace(EndpointConfig(), floor_fall_db_s=0.0)
    assert around(utterances(audio, falling_at_once), 3.0, 3.6) == []


def test_the_babble_alone_is_no_utterance_when_the_floor_does_not_drop_into_its_pauses():
    alone = babble(20.0, 1000, seed=3)

    assert utterances(alone) == []
    falling_at_once = dataclasses.replace(EndpointConfig(), floor_fall_db_s=0.0)
    assert [u.too_long for u in utterances(alone, falling_at_once)] == [True]
