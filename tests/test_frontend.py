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
