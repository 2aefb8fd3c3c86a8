"""Cue tones: short, click-free, and each recognisable by its pitch."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from voicecoach.voice.cues import cue_duration, cue_names, tone

RATE = 22050
NAMES = ["start", "tick", "hold_end", "rest_over", "done"]


def opening_pitch(samples: np.ndarray, rate: int) -> float:
    """The dominant frequency of a cue's first 50 ms."""
    head = samples[: rate // 20] * np.hanning(rate // 20)
    spectrum = np.abs(np.fft.rfft(head, 16 * len(head)))
    return np.argmax(spectrum) * rate / (16 * len(head))


def test_the_engine_s_cue_names_all_exist():
    assert cue_names() == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_a_cue_is_short_and_starts_and_ends_silently(name):
    samples = tone(name, RATE)
    assert len(samples) / RATE == pytest.approx(cue_duration(name), abs=1 / RATE)
    assert 0.05 <= cue_duration(name) <= 0.8
    assert abs(samples[0]) < 0.01
    assert abs(samples[-1]) < 0.01
    assert 0.2 < np.abs(samples).max() <= 0.5


def test_every_cue_opens_on_its_own_note_at_least_two_semitones_from_the_others():
    pitches = {name: opening_pitch(tone(name, RATE), RATE) for name in NAMES}
    for a, b in itertools.combinations(NAMES, 2):
        semitones = abs(12 * np.log2(pitches[a] / pitches[b]))
        assert semitones >= 2, f"{a} ({pitches[a]:.0f} Hz) vs {b} ({pitches[b]:.0f} Hz)"


def test_a_cue_sounds_the_same_at_any_rate():
    assert opening_pitch(tone("tick", 16000), 16000) == pytest.approx(
        opening_pitch(tone("tick", 48000), 48000), rel=0.01
    )


def test_an_unknown_cue_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown cue 'gong'"):
        tone("gong", RATE)
