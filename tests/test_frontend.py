"""What Whisper is given for an utterance: the utterance, then digital silence."""

from __future__ import annotations

import numpy as np

from voicecoach.ears.endpoint import Utterance
from voicecoach.ears.frontend import whisper_audio
from voicecoach.ports import MIC_RATE


def test_whisper_hears_the_utterance_as_recorded_then_the_padding_in_silence():
    rng = np.random.default_rng(1)
    recorded = (rng.standard_normal(MIC_RATE) * 3000).astype(np.int16)
    utt = Utterance(audio=recorded, t_audio=9.7, start=10.0, end=10.9, t_decided=11.1)

    audio = whisper_audio(utt, 9.8)

    assert audio.dtype == np.float32
    assert len(audio) == len(recorded) + round(9.8 * MIC_RATE)
    np.testing.assert_array_equal(audio[: len(recorded)] * 32768.0, recorded)
    assert not audio[len(recorded) :].any()


def test_an_utterance_played_faster_is_shorter_and_higher_and_keeps_its_silence_after():
    t = np.arange(MIC_RATE) / MIC_RATE
    tone = (np.sin(2 * np.pi * 200 * t) * 10000).astype(np.int16)  # 1 s at 200 Hz
    utt = Utterance(audio=tone, t_audio=0.0, start=0.0, end=1.0, t_decided=1.2)

    faster = whisper_audio(utt, 9.8, speed=1.25)
    slower = whisper_audio(utt, 9.8, speed=0.8)

    assert len(faster) == round(0.8 * MIC_RATE) + round(9.8 * MIC_RATE)
    assert len(slower) == round(1.25 * MIC_RATE) + round(9.8 * MIC_RATE)
    spoken = faster[: round(0.8 * MIC_RATE)]
    peak = np.argmax(np.abs(np.fft.rfft(spoken))) * MIC_RATE / len(spoken)
    assert peak == 250  # 200 Hz played 1.25 times as fast
    assert not faster[round(0.8 * MIC_RATE) :].any()
