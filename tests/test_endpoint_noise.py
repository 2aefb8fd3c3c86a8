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


FULL_BAND = EndpointConfig(low_pass_hz=0.0)
BELOW_1_KHZ_TOO = EndpointConfig(low_pass_hz=1000.0)
FLOOR_AT_ONCE = EndpointConfig(floor_fall_db_s=0.0)
FLOOR_BOUNDED = EndpointConfig(floor_fall_db_s=10.0, floor_dip_s=0.3)


def test_measured_below_1_khz_too_a_vowel_as_loud_as_the_hiss_is_one_utterance():
    """White noise puts most of its power above 1 kHz, voiced speech most of its below:
    measured there too, the word stands 12 dB out of the hiss (5 dB over all)."""
    audio = hiss(4.0, 2000, seed=1)
    audio[2 * MIC_RATE : round(2.6 * MIC_RATE)] += voiced(0.6, 3000)

    assert len(around(utterances(audio, BELOW_1_KHZ_TOO), 2.0, 2.6)) == 1
    assert around(utterances(audio, FULL_BAND), 2.0, 2.6) == []


def test_a_floor_that_falls_at_a_bounded_rate_cuts_a_louder_command_out_of_babble():
    """Following the babble's short pauses down at once, the floor ends up so low that the
    babble itself counts as speech, and the command drowns in one long utterance."""
    audio = babble(6.0, 1000, seed=5)
    audio[3 * MIC_RATE : round(3.6 * MIC_RATE)] += voiced(0.6, 2500)

    assert len(around(utterances(audio, FLOOR_BOUNDED), 3.0, 3.6)) == 1
    assert around(utterances(audio, FLOOR_AT_ONCE), 3.0, 3.6) == []


def test_babble_alone_is_no_utterance_against_a_floor_that_falls_at_a_bounded_rate():
    alone = babble(20.0, 1000, seed=3)

    assert utterances(alone, FLOOR_BOUNDED) == []
    assert [u.too_long for u in utterances(alone, FLOOR_AT_ONCE)] == [True]


def test_a_background_that_stays_quieter_is_followed_down_at_once_all_the_same():
    """A fan switched off: after `floor_dip_s` of the quieter room the floor drops to it,
    so a word said half a second later is heard (at 10 dB/s the floor would still be
    ~35 dB above the room)."""
    audio = np.concatenate([hiss(3.0, 3000, seed=4), hiss(2.0, 30, seed=5)])
    audio[round(3.5 * MIC_RATE) : 4 * MIC_RATE] += voiced(0.5, 1000)

    assert len(around(utterances(audio, FLOOR_BOUNDED), 3.5, 4.0)) == 1
    never_at_once = dataclasses.replace(FLOOR_BOUNDED, floor_dip_s=0.0)
    assert around(utterances(audio, never_at_once), 3.5, 4.0) == []
