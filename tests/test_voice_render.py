"""Rendering speech with pyttsx3 (espeak-ng) and the phrase cache."""

from __future__ import annotations

import ctypes
import sys
import threading
import wave
from dataclasses import dataclass

import numpy as np
import pytest
from voice_fakes import fake_renderer

from voicecoach.errors import AudioError, UsageError
from voicecoach.voice import make_renderer
from voicecoach.voice.render import (
    VoiceInfo,
    _Incomplete,
    callback_errors,
    checked_render,
    list_voices,
    read_wav,
    resolve_voice,
)

SENTENCE = "Lie on your back, lift one foot and draw slow circles with your ankle."


def test_a_repeated_phrase_is_rendered_once_and_then_served_from_the_cache():
    renderer, backend = fake_renderer()
    first = renderer.render("one")
    for _ in range(99):
        assert renderer.render("one") is first
    assert backend.calls == ["one"]
    assert (renderer.hits, renderer.misses) == (99, 1)


def test_phrases_that_differ_only_in_spacing_share_a_cache_entry():
    renderer, backend = fake_renderer()
    renderer.render("Switch  sides.")
    renderer.render(" Switch sides. ")
    assert backend.calls == ["Switch sides."]


def test_prerender_renders_the_first_phrase_at_once_and_the_rest_in_the_background():
    renderer, backend = fake_renderer()
    thread = renderer.prerender(["Get ready.", "one", "two", "one"])
    assert backend.calls[0] == "Get ready."  # done before prerender returned
    thread.join(timeout=5)
    assert sorted(backend.calls) == ["Get ready.", "one", "two"]
    renderer.render("two")
    assert renderer.hits == 1


def test_the_cache_forgets_the_least_recently_used_phrase_when_full():
    renderer, backend = fake_renderer()
    renderer._max = 2
    for text in ("a", "b", "a", "c", "a", "b"):
        renderer.render(text)
    assert backend.calls == ["a", "b", "c", "b"]


class Renders:
    """A synthesizer's successive renders of one utterance: (samples, rate), or an error."""

    def __init__(self, *outcomes: tuple[np.ndarray, int] | Exception) -> None:
        self._outcomes = list(outcomes)
        self.calls = 0

    def __call__(self) -> tuple[np.ndarray, int]:
        outcome = self._outcomes[self.calls]
        self.calls += 1
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def speech(seconds: float = 0.5, rate: int = 22050) -> tuple[np.ndarray, int]:
    t = np.arange(round(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * 200 * t)).astype(np.float32), rate


def silence(seconds: float = 0.5, rate: int = 22050) -> tuple[np.ndarray, int]:
    return np.zeros(round(seconds * rate), dtype=np.float32), rate


def test_a_render_without_sound_is_done_again_and_the_second_one_is_used():
    renders = Renders(silence(), speech(0.5))
    clip = checked_render("Switch sides.", renders)
    assert renders.calls == 2
    assert clip.duration == pytest.approx(0.5, abs=0.02)


def test_a_cancelled_or_half_written_render_is_done_again():
    renders = Renders(_Incomplete("the file holds 10 of 5000 frames"), speech(0.4))
    assert checked_render("one", renders).duration == pytest.approx(0.4, abs=0.02)
    assert renders.calls == 2


def test_a_phrase_that_twice_renders_without_sound_is_an_audio_error_never_a_silent_clip():
    renders = Renders(silence(), _Incomplete("espeak-ng cancelled it"), speech())
    with pytest.raises(AudioError, match=r"rendered 'Hold it there\.' incompletely") as caught:
        checked_render("Hold it there.", renders)
    assert "espeak-ng cancelled it" in caught.value.message
    assert caught.value.hint
    assert renders.calls == 2


def test_punctuation_alone_may_render_as_silence():
    renders = Renders(silence())
    assert len(checked_render("...", renders).samples) == 0
    assert renders.calls == 1


def write_pcm16(path, samples: np.ndarray, rate: int = 22050):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


def test_a_complete_wav_is_read_back_with_its_rate(tmp_path):
    samples, _ = speech(0.25, 16000)
    got, rate = read_wav(write_pcm16(tmp_path / "u.wav", samples, 16000))
    assert rate == 16000
    np.testing.assert_allclose(got, samples, atol=1e-4)


def test_a_wav_shorter_than_its_header_says_is_incomplete(tmp_path):
    """What a reader sees of a file still being written: the header counts every frame."""
    path = write_pcm16(tmp_path / "u.wav", speech(0.5)[0])
    with path.open("r+b") as f:
        f.truncate(44 + 2 * 1000)  # the 44-byte header, then 1000 of its 11025 frames
    with pytest.raises(_Incomplete, match="holds 1000 of 11025 frames"):
        read_wav(path)


def test_a_missing_wav_is_incomplete(tmp_path):
    with pytest.raises(_Incomplete, match="no usable file"):
        read_wav(tmp_path / "never-written.wav")


VOICES = [
    VoiceInfo("gmw/en", "English (Great Britain)", ("en-gb",)),
    VoiceInfo("gmw/en-us", "English (America)", ("en-us",)),
    VoiceInfo("gmw/en-us-nyc", "English (America, New York City)", ("en-us-nyc",)),
]


@pytest.mark.parametrize(
    ("spec", "voice_id"),
    [
        ("gmw/en-us", "gmw/en-us"),
        ("en-us", "gmw/en-us"),  # a language
        ("English (America)", "gmw/en-us"),  # a name, exactly
        ("york", "gmw/en-us-nyc"),  # a substring of a name
        ("en-us+f3", "gmw/en-us+f3"),  # with an espeak-ng variant
        ("EN-GB", "gmw/en"),
    ],
)
def test_a_voice_is_found_by_id_language_name_or_part_of_a_name(spec, voice_id):
    assert resolve_voice(spec, VOICES) == voice_id


def test_an_unknown_voice_is_a_usage_error_pointing_to_the_voices_command():
    with pytest.raises(UsageError, match="no text-to-speech voice matches 'klingon'") as caught:
        resolve_voice("klingon", VOICES)
    assert "voicecoach voices" in str(caught.value)


# ------------------------------------------------------------- the real synthesizer


def test_espeak_renders_speech_trimmed_of_its_silent_ends():
    clip = make_renderer().render("Switch sides.")
    assert 0.4 < clip.duration < 2.0
    assert np.abs(clip.samples).max() > 0.3
    assert np.abs(clip.samples[: round(0.03 * clip.rate)]).max() > 0.01  # speech at once
    assert np.abs(clip.samples[-round(0.005 * clip.rate) :]).max() < 0.05  # faded out


def test_back_to_back_renders_are_complete_every_time():
    """pyttsx3 2.99 as documented loses or truncates files; the backend must not."""
    renderer = make_renderer()
    backend = renderer._backend
    durations = {SENTENCE: [], "one": []}
    for _ in range(8):
        for text in durations:
            durations[text].append(backend.synth(text).duration)
    for text, found in durations.items():
        assert max(found) - min(found) < 0.05, (text, found)
    assert min(durations[SENTENCE]) > 3.0


def test_backends_with_different_voices_and_rates_taking_turns_render_complete_clips():
    """One espeak engine serves every backend in the process (earlier tests' too): a
    voice or rate switch between two utterances must not cut or empty either."""
    from voicecoach.voice.render import Pyttsx3Backend

    backends = [Pyttsx3Backend(), Pyttsx3Backend("en-us+f3", 250), Pyttsx3Backend("en", 120)]
    durations: dict[tuple[int, str], list[float]] = {}
    for _ in range(6):
        for i, backend in enumerate(backends):
            for text in ("one", SENTENCE):
                clip = backend.synth(text)
                assert np.abs(clip.samples).max() > 0.3, (i, text)
                durations.setdefault((i, text), []).append(clip.duration)
    for key, found in durations.items():
        assert max(found) - min(found) < 0.05, (key, found)


def test_a_slower_rate_makes_longer_speech():
    fast = make_renderer(rate=250).render(SENTENCE).duration
    slow = make_renderer(rate=120).render(SENTENCE).duration
    assert slow / fast == pytest.approx(250 / 120, rel=0.25)


def test_a_chosen_voice_changes_the_sound():
    us = make_renderer(voice="en-us").render("Hold it there.").samples
    female = make_renderer(voice="en-us+f3").render("Hold it there.").samples
    assert len(us) != len(female) or not np.allclose(us, female)


def test_the_voices_include_american_english():
    voices = {v.id: v for v in list_voices()}
    assert voices["gmw/en-us"].languages == ("en-us",)


# ------------------------------------------------------------ errors inside C callbacks


def failing_callback(message: str):
    """A Python function C code calls through ctypes (as espeak-ng calls pyttsx3's), which
    raises: ctypes can only report it as unraisable; and the C-callable pointer to it."""

    def on_synth() -> int:
        raise RuntimeError(message)

    return on_synth, ctypes.CFUNCTYPE(ctypes.c_int)(on_synth)


def called_from_another_thread(pointer) -> None:
    """As espeak-ng does, from its own thread."""
    caller = threading.Thread(target=pointer)
    caller.start()
    caller.join()


def test_an_error_inside_the_synthesizers_callback_is_handed_over_not_printed(capsys):
    on_synth, pointer = failing_callback("Error saving WAV file: [Errno 28] No space left")
    failed: list[BaseException] = []
    with callback_errors(on_synth, failed.append):
        called_from_another_thread(pointer)
    assert [str(e) for e in failed] == ["Error saving WAV file: [Errno 28] No space left"]
    assert capsys.readouterr().err == ""  # not "Exception ignored on calling ctypes callback"


def test_other_errors_inside_c_callbacks_still_reach_the_hook_that_was_there():
    on_synth, _ = failing_callback("ours")
    _, pointer = failing_callback("someone else's")
    failed: list[BaseException] = []
    before = sys.unraisablehook
    reached: list[str] = []
    sys.unraisablehook = lambda unraisable: reached.append(str(unraisable.exc_value))
    try:
        with callback_errors(on_synth, failed.append):
            called_from_another_thread(pointer)
    finally:
        sys.unraisablehook = before
    assert (failed, reached) == ([], ["someone else's"])


def test_the_hook_that_was_there_is_put_back_after_the_block_even_when_it_raises():
    on_synth, _ = failing_callback("Error saving WAV file")
    before = sys.unraisablehook
    with pytest.raises(AudioError), callback_errors(on_synth, lambda exc: None):
        raise AudioError("text-to-speech did not finish an utterance")
    assert sys.unraisablehook is before


@dataclass
class Unraisable:
    """What `sys.unraisablehook` is handed (`sys.UnraisableHookArgs`)."""

    exc_type: type[BaseException]
    exc_value: BaseException
    exc_traceback: None
    err_msg: str | None
    object: object


def test_from_python_3_13_on_the_callback_is_known_by_its_name_in_the_message():
    """ctypes 3.13 names the callback in the message and hands over no `object`."""
    on_synth, _ = failing_callback("Error saving WAV file")
    error = RuntimeError("Error saving WAV file")
    ours = f"Exception ignored on calling ctypes callback function {on_synth!r}"
    theirs = f"Exception ignored on calling ctypes callback function {print!r}"
    failed: list[BaseException] = []
    before = sys.unraisablehook
    reached: list[str | None] = []
    sys.unraisablehook = lambda unraisable: reached.append(unraisable.err_msg)
    try:
        with callback_errors(on_synth, failed.append):
            sys.unraisablehook(Unraisable(RuntimeError, error, None, ours, None))
            sys.unraisablehook(Unraisable(RuntimeError, error, None, theirs, None))
    finally:
        sys.unraisablehook = before
    assert (failed, reached) == ([error], [theirs])
