"""In a session the recognizer runs in its own process (`voicecoach/ears/worker.py`): it
must hear exactly what the same recognizer hears in the session's own process."""

from __future__ import annotations

import espeak_clips as espeak
import pytest

from voicecoach.ears import make_recognizer, whisper_available
from voicecoach.ears.pocketsphinx_rec import PocketSphinxRecognizer
from voicecoach.ears.worker import WorkerRecognizer
from voicecoach.intents import Intent
from voicecoach.ports import Recognizer

pytestmark = pytest.mark.skipif(not espeak.available(), reason="needs espeak-ng")


def in_process(engine: str) -> Recognizer:
    if engine == "whisper":
        from voicecoach.ears.whisper_rec import WhisperRecognizer

        return WhisperRecognizer()
    return PocketSphinxRecognizer()


@pytest.mark.parametrize(
    ("engine", "said"),
    [
        ("pocketsphinx", "pause"),
        pytest.param(
            "whisper",
            "hold on",
            marks=pytest.mark.skipif(not whisper_available(), reason="needs Whisper"),
        ),
    ],
)
def test_the_worker_process_hears_what_the_recognizer_hears_in_process(engine, said):
    audio, _ = espeak.command(said)
    here = espeak.stream(in_process(engine), audio)
    worker = make_recognizer(engine, worker="sync")
    assert isinstance(worker, WorkerRecognizer)
    try:
        there = espeak.stream(worker, audio)
    finally:
        worker.close()
    assert [(d.intent, d.t, d.start, d.end) for d in there] == [
        (d.intent, d.t, d.start, d.end) for d in here
    ]
    assert [d.intent for d in here] == [Intent.PAUSE]
