"""The PocketSphinx recognizer on espeak-ng speech generated here (deterministic)."""

from __future__ import annotations

import espeak_clips as espeak
import numpy as np
import pytest

from voicecoach.ears.endpoint import EndpointConfig, Endpointer
from voicecoach.ears.phrases import vocabulary
from voicecoach.ears.pocketsphinx_rec import (
    PocketSphinxRecognizer,
    PocketSphinxSettings,
    language_model,
    verify,
)
from voicecoach.intents import Intent
from voicecoach.ports import MIC_RATE

pytestmark = pytest.mark.skipif(not espeak.available(), reason="needs espeak-ng")

LEAD, TAIL = 0.8, 1.0


def clip(text: str, voice: str = "en-us", snr: float = 30) -> tuple[np.ndarray, float]:
    """`text` spoken with LEAD s of low noise before and TAIL s after; (audio, speech_end)."""
    speech = espeak.synth(text, voice, speed=150)
    return espeak.place(speech, LEAD, TAIL, snr, seed=7), LEAD + len(speech) / MIC_RATE


def stream(recognizer, audio: np.ndarray, chunk: int = 1600):
    out = []
    for i in range(0, len(audio), chunk):
        out += recognizer.accept(audio[i : i + chunk], i / MIC_RATE)
    return out + recognizer.flush(len(audio) / MIC_RATE)


@pytest.mark.parametrize(
    ("text", "intent"),
    [("pause", Intent.PAUSE), ("how much longer", Intent.TIME), ("resume", Intent.RESUME)],
)
def test_a_spoken_command_fires_its_intent_once(text, intent):
    audio, _ = clip(text)
    assert [d.intent for d in stream(PocketSphinxRecognizer(), audio)] == [intent]


def test_the_command_fires_shortly_after_the_speaker_stops():
    audio, speech_end = clip("repeat")
    (detection,) = stream(PocketSphinxRecognizer(), audio)
    assert speech_end < detection.t < speech_end + 0.6


@pytest.mark.parametrize("text", ["this band keeps slipping off my foot", "the kettle is boiling"])
def test_ordinary_talk_fires_nothing(text):
    audio, _ = clip(text)
    assert stream(PocketSphinxRecognizer(), audio) == []


def test_noise_alone_fires_nothing():
    noise = np.random.default_rng(3).standard_normal(3 * MIC_RATE) * 800
    assert stream(PocketSphinxRecognizer(), noise.astype(np.int16)) == []


def test_chunk_size_does_not_change_what_is_heard():
    audio, _ = clip("pause")
    small = stream(PocketSphinxRecognizer(), audio, chunk=320)
    large = stream(PocketSphinxRecognizer(), audio, chunk=1600)
    assert [d.intent for d in small] == [d.intent for d in large] == [Intent.PAUSE]


def test_the_endpointer_cuts_one_utterance_around_the_speech():
    audio, speech_end = clip("how much longer")
    ep = Endpointer(EndpointConfig())
    utts = ep.feed(audio, 0.0) + ep.flush(len(audio) / MIC_RATE)
    assert len(utts) == 1
    assert utts[0].start == pytest.approx(LEAD, abs=0.05)
    assert utts[0].end == pytest.approx(speech_end, abs=0.1)


def test_the_language_model_gives_commands_the_configured_share():
    arpa = language_model(PocketSphinxSettings(words=50, command_mass=0.9))
    probs = {
        w: 10 ** float(p)
        for p, w in (line.split() for line in arpa.splitlines() if line[:1] in ("-", "0"))
        if w not in ("<s>", "</s>")
    }
    own = sum(probs[w] for w in vocabulary())
    assert own == pytest.approx(0.9, abs=0.01)
    assert sum(probs.values()) == pytest.approx(1.0, abs=0.01)


def test_the_open_decode_must_name_the_same_command_as_the_forced_choice():
    assert verify("um faster please", "um faster please", max_extra=1) == (
        Intent.FASTER,
        "agreed",
    )
    assert verify("pause", "um faster", max_extra=1) == (None, "not verified")


def test_talk_that_the_forced_choice_maps_to_a_command_is_rejected():
    assert verify("the kettle is boiling", "um next", max_extra=1) == (None, "no command")


def test_a_single_pass_recognizer_trusts_the_open_decode_alone():
    audio, _ = clip("pause")
    one_pass = PocketSphinxRecognizer(PocketSphinxSettings(two_pass=False))
    assert [d.intent for d in stream(one_pass, audio)] == [Intent.PAUSE]


def test_with_reset_features_an_utterance_is_judged_the_same_whatever_came_before():
    settings = PocketSphinxSettings(reset_features=True, min_prob=-1.0)
    command, _ = clip("faster please")
    talk, _ = clip("the kettle is boiling", voice="en-gb")
    seen = []
    for audio in (command, talk, command):
        stream(PocketSphinxRecognizer(settings, seen.append), audio)
    first, last = seen[0], seen[-1]
    assert (first.text, first.confidence) == (last.text, last.confidence)


def test_in_a_session_pocketsphinx_runs_in_its_worker_process_and_hears_the_same():
    from voicecoach.ears import make_recognizer
    from voicecoach.ears.worker import WorkerRecognizer

    audio, _ = clip("pause")
    here = stream(PocketSphinxRecognizer(), audio)
    worker = make_recognizer("pocketsphinx", worker="sync")
    assert isinstance(worker, WorkerRecognizer)
    try:
        there = stream(worker, audio)
    finally:
        worker.close()
    assert [(d.intent, d.t, d.start, d.end) for d in there] == [
        (d.intent, d.t, d.start, d.end) for d in here
    ]
    assert [d.intent for d in here] == [Intent.PAUSE]
