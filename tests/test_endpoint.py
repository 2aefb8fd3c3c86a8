"""The endpointer cuts utterances around speech whatever the line did before."""

from __future__ import annotations

import numpy as np

from voicecoach.ears.endpoint import Endpointer
from voicecoach.ports import MIC_RATE


def noise(seconds: float, rms: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(int(seconds * MIC_RATE)) * rms).astype(np.int16)


def utterances(audio: np.ndarray, echo: np.ndarray | None = None) -> list:
    ep = Endpointer()
    out = []
    for i in range(0, len(audio), 1600):
        left = None if echo is None else echo[i : i + 1600]
        out += ep.feed(audio[i : i + 1600], i / MIC_RATE, left)
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


def test_what_is_left_of_the_coachs_echo_is_not_an_utterance_but_a_word_over_it_is():
    """The echo canceller leaves the coach's voice some 30 dB down: still far above a
    quiet room. Told how much is left, the endpointer hears only the user's word in it."""
    room = noise(6.0, 30, seed=1)
    leftover = noise(5.0, 300, seed=2)  # 20 dB over the room for 5 s: the coach, cancelled
    audio = room.copy()
    audio[MIC_RATE : 6 * MIC_RATE] += leftover
    echo = np.zeros(len(audio))
    echo[MIC_RATE : 6 * MIC_RATE] = 300.0**2
    assert [u.too_long for u in utterances(audio)] == [True]  # unaware: one long "utterance"

    audio[3 * MIC_RATE : int(3.5 * MIC_RATE)] += noise(0.5, 3000, seed=3)  # "skip"
    (utt,) = utterances(audio, echo)

    assert not utt.too_long
    assert 2.95 < utt.start < 3.1
    assert 3.4 < utt.end < 3.55


def rumble(seconds: float, rms: float, seed: int) -> np.ndarray:
    """A room's background: pink (1/f) noise plus mains hum, most of it below 200 Hz."""
    n = int(seconds * MIC_RATE)
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    spectrum[1:] /= np.sqrt(np.arange(1, len(spectrum)))
    pink = np.fft.irfft(spectrum, n)
    hum = 0.4 * np.sin(2 * np.pi * 50 * np.arange(n) / MIC_RATE)
    room = pink / np.std(pink) + hum
    return (room * rms / np.std(room)).astype(np.int16)


def test_a_rumbling_room_alone_is_never_an_utterance_and_a_word_in_it_is_one():
    audio = rumble(30.0, 40, seed=4)
    assert utterances(audio) == []

    audio[20 * MIC_RATE : int(20.5 * MIC_RATE)] += noise(0.5, 1500, seed=5)
    (utt,) = utterances(audio)
    assert 19.95 < utt.start < 20.05
    assert 20.45 < utt.end < 20.6


def fed_in_frames(audio: np.ndarray) -> tuple[list, list]:
    """(closed utterances, settled ones as first seen), feeding 10 ms at a time."""
    ep = Endpointer()
    closed, settled = [], []
    for i in range(0, len(audio), 160):
        closed += ep.feed(audio[i : i + 160], i / MIC_RATE)
        now = ep.settled()
        if now is not None and (not settled or settled[-1].start != now.start):
            settled.append(now)
    return closed, settled


def test_an_utterance_settles_a_tail_after_its_speech_with_the_audio_it_will_close_with():
    word = noise(0.5, 3000, seed=2)
    audio = np.concatenate([noise(1.0, 30, seed=1), word, noise(1.0, 30, seed=3)])

    (utt,), (early,) = fed_in_frames(audio)

    assert early.t_decided < utt.t_decided - 0.05  # settled before the hangover ran out
    assert abs(early.t_decided - (utt.end + Endpointer().config.tail)) < 0.011
    assert (early.t_audio, early.start, early.end) == (utt.t_audio, utt.start, utt.end)
    assert np.array_equal(early.audio, utt.audio)


def test_nothing_has_settled_while_the_speaker_may_go_on():
    ep = Endpointer()
    ep.feed(noise(1.0, 30, seed=1), 0.0)
    assert ep.settled() is None  # no speech
    ep.feed(noise(0.5, 3000, seed=2), 1.0)
    assert ep.settled() is None  # speaking
    ep.feed(noise(0.05, 30, seed=3), 1.5)
    assert ep.settled() is None  # a short pause: the word may go on
