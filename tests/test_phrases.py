"""The one phrase table: what counts as a command and what is just talk."""

from __future__ import annotations

import pytest

from voicecoach.ears import phrases
from voicecoach.ears.phrases import PHRASES, match
from voicecoach.intents import Intent


def test_every_intent_has_at_least_one_phrase():
    assert set(PHRASES) == set(Intent)


@pytest.mark.parametrize(("intent", "phrase"), [(i, p) for i, ps in PHRASES.items() for p in ps])
def test_every_phrase_alone_matches_its_own_intent(intent, phrase):
    assert match(phrase) == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("okay next please", Intent.NEXT),
        ("Um, pause!", Intent.PAUSE),
        ("could you please go back", Intent.BACK),
        ("say that again", Intent.REPEAT),
        ("how much longer", Intent.TIME),
        ("I'm ready", Intent.READY),
        ("im ready", Intent.READY),
        ("OK next", Intent.NEXT),
    ],
)
def test_a_phrase_inside_a_short_utterance_still_counts(text, intent):
    assert match(text) == intent


@pytest.mark.parametrize(
    "text",
    [
        "this band keeps slipping off my foot",
        "no I think the next one is harder than this",
        "the kettle is boiling",
        "okay",
        "",
        "um uh",
    ],
)
def test_ordinary_talk_and_fillers_are_not_commands(text):
    assert match(text) is None


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("hmm, next", Intent.NEXT),
        ("next, thanks", Intent.NEXT),
        ("pause, thank you", Intent.PAUSE),
        ("erm slower", Intent.SLOWER),
        ("oh faster please", Intent.FASTER),
        ("well, go back", Intent.BACK),
        ("right, continue", Intent.RESUME),
    ],
)
def test_hesitations_and_courtesies_around_a_command_are_not_extra_words(text, intent):
    assert match(text, max_extra=0) == intent


@pytest.mark.parametrize("text", ["thank you", "hmm", "oh well", "right thanks"])
def test_hesitations_and_courtesies_alone_are_not_commands(text):
    assert match(text) is None


def test_asides_stay_out_of_the_grammars_the_sphinx_and_vosk_settings_were_tuned_on():
    assert not set(phrases.ASIDES) & set(phrases.vocabulary())
    assert "hmm" not in phrases.jsgf()


def test_the_longest_phrase_wins_so_its_words_are_not_counted_as_extra():
    assert phrases.find("say that again") == ([Intent.REPEAT], 0, 3)


def test_a_stricter_recognizer_can_allow_fewer_extra_words():
    assert match("could you go back") == Intent.BACK
    assert match("could you go back", max_extra=1) is None


def test_safety_intents_win_over_other_intents_in_one_utterance():
    assert match("stop it hurts") == Intent.PAIN
    assert match("next stop") == Intent.STOP
    assert match("pause go back") == Intent.PAUSE


def test_yes_or_no_next_to_another_intent_is_an_acknowledgement():
    assert match("yes next") == Intent.NEXT
    assert match("no go back") == Intent.BACK


def test_two_ordinary_intents_in_one_utterance_are_ambiguous():
    assert match("next back") is None


def test_vocabulary_covers_every_phrase_word_and_filler():
    vocab = set(phrases.vocabulary())
    for phrase in phrases.all_phrases():
        assert set(phrase.split()) <= vocab
    assert set(phrases.FILLERS) <= vocab


def test_the_jsgf_grammar_lists_every_phrase():
    grammar = phrases.jsgf()
    assert grammar.startswith("#JSGF V1.0;")
    for phrase in phrases.all_phrases():
        assert phrase in grammar


def test_locate_says_where_in_a_sentence_each_phrase_lies():
    (found,) = phrases.locate("End the workout? Say yes to end it.")
    intent, start, end = found
    assert intent == Intent.YES
    assert 0.5 < start < end < 0.75
    assert [i for i, _, _ in phrases.locate("Next: toe presses, then stop")] == [
        Intent.NEXT,
        Intent.STOP,
    ]
