"""Rendering speech with pyttsx3 (espeak-ng) and the phrase cache."""

from __future__ import annotations

import numpy as np
import pytest
from voice_fakes import fake_renderer

from voicecoach.errors import UsageError
from voicecoach.voice import make_renderer
from voicecoach.voice.render import VoiceInfo, list_voices, resolve_voice

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
