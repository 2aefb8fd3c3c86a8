"""The PocketSphinx recognizer on espeak-ng speech generated here (deterministic)."""

from __future__ import annotations

import espeak_clips as espeak
import numpy as np
import pytest

from voicecoach.ears.endpoint import EndpointConfig, Endpointer
from voicecoach.ears.phrases import vocabulary
from voicecoach.ears.pocketsphinx_rec import (
    ForcedChoice,
    PocketSphinxRecognizer,
    PocketSphinxSettings,
    language_model,
    verify,
)
from voicecoach.intents import Intent
from voicecoach.ports import MIC_RATE

pytestmark = pytest.mark.skipif(not espeak.available(), reason="needs espeak-ng")

LEAD = espeak.LEAD
clip, stream = espeak.command, espeak.stream


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


def test_the_forced_choice_names_the_command_spoken_and_some_command_for_talk():
    """Why Whisper only asks it to confirm: alone, it names a command for anything."""
    audio, _ = clip("how much longer")
    assert ForcedChoice().choose(audio)[0] == Intent.TIME
    talk, _ = clip("the kettle is boiling")
    choice, words = ForcedChoice().choose(talk)
    assert choice is not None
    assert words


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


class Counting(PocketSphinxRecognizer):
    """Counts its decodes and remembers when each decision was handed over."""

    def __init__(self) -> None:
        super().__init__(on_decision=lambda d: self.handed.append(d))
        self.decodes = 0
        self.handed: list = []

    def decide(self, utt, t):
        self.decodes += 1
        return super().decide(utt, t)


def test_an_utterance_is_decoded_in_the_hangover_and_its_verdict_handed_over_at_the_close():
    audio, _ = clip("pause")
    rec = Counting()
    heard, settled_at = [], None
    for i in range(0, len(audio), 160):  # 10 ms chunks: see the decode happen early
        heard += rec.accept(audio[i : i + 160], i / MIC_RATE)
        if rec.decodes and settled_at is None:
            settled_at = (i + 160) / MIC_RATE
    heard += rec.flush(len(audio) / MIC_RATE)

    (detection,) = heard
    assert detection.intent == Intent.PAUSE
    assert rec.decodes == 1  # the close reused it
    assert settled_at is not None
    assert settled_at <= detection.t - 0.09  # decoded a hangover - tail before the close
    assert [d.t for d in rec.handed] == [detection.t]  # handed over once, at the close
    assert [d.intent for d in stream(PocketSphinxRecognizer(), audio)] == [Intent.PAUSE]


def test_a_verdict_reached_in_the_hangover_is_dropped_when_the_speaker_goes_on():
    rng = np.random.default_rng(3)

    def burst(seconds: float, rms: float) -> np.ndarray:
        return (rng.standard_normal(int(seconds * MIC_RATE)) * rms).astype(np.int16)

    # a word, a 0.15 s pause (longer than the tail, shorter than the hangover), a word
    audio = np.concatenate([burst(1.0, 30), burst(0.3, 3000), burst(0.15, 30)])
    audio = np.concatenate([audio, burst(0.3, 3000), burst(1.0, 30)])
    rec = Counting()
    for i in range(0, len(audio), 160):
        rec.accept(audio[i : i + 160], i / MIC_RATE)

    (decision,) = rec.handed
    assert rec.decodes == 2  # the first word alone, then both
    assert decision.end > 1.7  # the verdict is on both words
