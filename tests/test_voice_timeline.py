"""The Timeline: what the coach played, on the session clock (the echo guard's reference)."""

from __future__ import annotations

import numpy as np
import pytest

from voicecoach.ports import MIC_RATE
from voicecoach.voice.timeline import Timeline


def ramp(n: int) -> np.ndarray:
    return np.linspace(0.1, 0.9, n, dtype=np.float32)


def test_audio_is_zero_where_nothing_played():
    timeline = Timeline()
    timeline.add(1.0, np.ones(MIC_RATE, dtype=np.float32), MIC_RATE, "one")
    assert not timeline.audio(2.5, 1000).any()
    assert not timeline.audio(0.0, 1000).any()


def test_audio_places_each_sound_at_its_start_time_to_the_sample():
    timeline = Timeline()
    sound = ramp(800)
    timeline.add(1.0, sound, MIC_RATE, "one")
    out = timeline.audio(0.99, 1600)  # 160 samples of quiet, then the sound
    assert not out[:160].any()
    np.testing.assert_array_equal(out[160:960], sound)
    assert not out[960:].any()


def test_audio_of_an_interval_inside_a_sound_is_that_part_of_it():
    timeline = Timeline()
    sound = ramp(MIC_RATE)
    timeline.add(2.0, sound, MIC_RATE, "long")
    np.testing.assert_array_equal(timeline.audio(2.25, 100), sound[4000:4100])


def test_audio_is_resampled_to_the_rate_asked_for():
    timeline = Timeline()
    rate = 22050
    t = np.arange(rate) / rate
    timeline.add(0.5, (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate, "tone")
    out = timeline.audio(0.0, 2 * MIC_RATE, MIC_RATE)
    loud = np.flatnonzero(np.abs(out) > 0.05)
    assert loud[0] / MIC_RATE == pytest.approx(0.5, abs=0.002)
    assert loud[-1] / MIC_RATE == pytest.approx(1.5, abs=0.002)
    spectrum = np.abs(np.fft.rfft(out))
    assert np.argmax(spectrum) * MIC_RATE / len(out) == pytest.approx(440, abs=1)


def test_an_interrupt_cuts_what_plays_and_drops_what_was_queued():
    timeline = Timeline()
    timeline.add(0.0, np.ones(MIC_RATE, dtype=np.float32), MIC_RATE, "first")
    timeline.add(1.0, np.ones(MIC_RATE, dtype=np.float32), MIC_RATE, "second")
    timeline.truncate(0.5)
    assert timeline.texts(0.0, 10.0) == [(0.0, 0.5, "first")]
    out = timeline.audio(0.0, 2 * MIC_RATE)
    assert out[: MIC_RATE // 2].all()
    assert not out[MIC_RATE // 2 :].any()


def test_texts_lists_the_utterances_overlapping_an_interval_but_not_the_cues():
    timeline = Timeline()
    timeline.add(0.0, np.ones(MIC_RATE, dtype=np.float32), MIC_RATE, "one")
    timeline.add(1.0, np.ones(MIC_RATE // 10, dtype=np.float32), MIC_RATE, "tick", kind="cue")
    timeline.add(2.0, np.ones(MIC_RATE, dtype=np.float32), MIC_RATE, "two")
    assert timeline.texts(0.5, 2.5) == [(0.0, 1.0, "one"), (2.0, 3.0, "two")]
    assert timeline.texts(1.0, 1.1) == []
    assert timeline.texts(3.0, 4.0) == []


def test_a_long_sound_is_found_from_an_interval_near_its_end():
    timeline = Timeline()
    timeline.add(0.0, np.ones(10 * MIC_RATE, dtype=np.float32), MIC_RATE, "long")
    for i in range(20):
        timeline.add(20.0 + i, np.ones(100, dtype=np.float32), MIC_RATE, f"short {i}")
    assert [text for _, _, text in timeline.texts(9.9, 9.95)] == ["long"]


def test_end_is_where_the_last_sound_ends():
    timeline = Timeline()
    assert timeline.end() == 0.0
    timeline.add(3.0, np.ones(MIC_RATE // 2, dtype=np.float32), MIC_RATE, "one")
    assert timeline.end() == pytest.approx(3.5)
