"""The echo guard: the coach's own voice never fires a command; the user still can."""

from __future__ import annotations

import espeak_clips as espeak
import numpy as np
import pytest

from voicecoach.ears.echo import EchoCanceller, EchoGuard, best_lag, mix_echo
from voicecoach.ears.pocketsphinx_rec import PocketSphinxRecognizer
from voicecoach.intents import Intent
from voicecoach.ports import MIC_RATE, Detection

pytestmark = pytest.mark.skipif(not espeak.available(), reason="needs espeak-ng")


class FakeReference:
    """What the coach played: a list of (start, float32 samples, text)."""

    def __init__(self, sounds: list[tuple[float, np.ndarray, str]]) -> None:
        self.sounds = sounds

    def audio(self, t0: float, n: int, rate: int = MIC_RATE) -> np.ndarray:
        out = np.zeros(n, np.float32)
        for start, samples, _ in self.sounds:
            first = round((start - t0) * rate)
            lo, hi = max(0, first), min(n, first + len(samples))
            if hi > lo:
                out[lo:hi] += samples[lo - first : hi - first]
        return out

    def texts(self, t0: float, t1: float) -> list[tuple[float, float, str]]:
        spans = [(s, s + len(x) / MIC_RATE, text) for s, x, text in self.sounds]
        return [span for span in spans if span[1] > t0 and span[0] < t1]


def coach(text: str, start: float) -> tuple[float, np.ndarray, str]:
    return start, espeak.synth(text, "en-gb", speed=170).astype(np.float32) / 32768, text


def room(seconds: float, seed: int = 5) -> np.ndarray:
    """A quiet microphone: low noise, never digital zero."""
    return (np.random.default_rng(seed).standard_normal(int(seconds * MIC_RATE)) * 30).astype(
        np.int16
    )


def replay(guard, mic: np.ndarray, reference, gain: float = 0.5) -> list[Detection]:
    """Feed `mic` plus the coach's echo in 100 ms chunks, as `--echo GAIN` replay does."""
    out = []
    for i in range(0, len(mic), 1600):
        t0 = i / MIC_RATE
        out += guard.accept(mix_echo(mic[i : i + 1600], reference, t0, gain), t0)
    return out + guard.flush(len(mic) / MIC_RATE)


def test_the_coach_saying_next_fires_nothing():
    reference = FakeReference([coach("Next: toe presses", 0.5)])
    guard = EchoGuard(PocketSphinxRecognizer(), reference)
    assert replay(guard, room(3.5), reference) == []


def test_the_user_saying_pause_over_the_coach_fires_pause():
    reference = FakeReference(
        [coach("Loop the band around your right foot and point your toes away from you", 0.3)]
    )
    mic = room(5.0)
    pause = espeak.synth("pause", "en-us", speed=150)
    at = int(1.5 * MIC_RATE)
    mic[at : at + len(pause)] += pause
    guard = EchoGuard(PocketSphinxRecognizer(), reference)
    assert [d.intent for d in replay(guard, mic, reference)] == [Intent.PAUSE]


def test_the_canceller_finds_the_delay_and_removes_most_of_the_echo():
    reference = FakeReference([coach("point your toes and hold for five seconds", 0.2)])
    mic = room(3.0)
    echo = np.concatenate(
        [
            mix_echo(mic[i : i + 1600], reference, i / MIC_RATE, 0.5)
            for i in range(0, len(mic), 1600)
        ]
    )
    canceller = EchoCanceller(reference)
    cleaned = np.concatenate(
        [canceller.process(echo[i : i + 1600], i / MIC_RATE)[0] for i in range(0, len(echo), 1600)]
    )
    assert canceller.delay == pytest.approx(0.04 * MIC_RATE, abs=2)
    late = slice(int(1.5 * MIC_RATE), len(cleaned))  # after the filter has converged
    before = np.mean(echo[late].astype(float) ** 2)
    after = np.mean(cleaned[late].astype(float) ** 2)
    assert 10 * np.log10(before / after) > 15


def test_the_echo_is_cancelled_from_the_first_delay_search_on():
    """The first search fits the path's first taps by least squares: no seconds of
    adaptation during which the coach's words reach the recognizer."""
    reference = FakeReference([coach("point your toes and hold for five seconds", 0.2)])
    echo = with_echo(room(2.0), reference)
    canceller = EchoCanceller(reference)
    cleaned = cancel(canceller, echo)
    early = slice(int(0.7 * MIC_RATE), int(1.2 * MIC_RATE))  # 0.5-1 s into the sentence
    before = np.mean(echo[early].astype(float) ** 2)
    after = np.mean(cleaned[early].astype(float) ** 2)
    assert 10 * np.log10(before / after) > 25


def test_the_canceller_says_how_much_echo_it_left():
    reference = FakeReference([coach("point your toes and hold for five seconds", 0.5)])
    mic = room(3.5)
    echo = with_echo(mic, reference)
    canceller = EchoCanceller(reference)
    cleaned, residual = [], []
    for i in range(0, len(echo), 1600):
        cleaned.append(canceller.process(echo[i : i + 1600], i / MIC_RATE)[0])
        residual.append(canceller.residual)
    left = np.concatenate(cleaned).astype(float) ** 2 - np.mean(mic.astype(float) ** 2)
    said = np.concatenate(residual)
    assert said[: int(0.4 * MIC_RATE)].max() == 0  # before the coach: nothing
    first = slice(int(0.5 * MIC_RATE), int(0.6 * MIC_RATE))  # path not searched yet
    assert np.mean(said[first]) > 0.1 * np.mean(echo[first].astype(float) ** 2)
    late = slice(int(1.0 * MIC_RATE), len(said))
    assert np.mean(said[late]) > np.mean(left[late])  # never less than what is really left
    assert np.mean(said[late]) < 0.01 * np.mean(echo[late].astype(float) ** 2)


def with_echo(mic: np.ndarray, reference, gain: float = 0.5) -> np.ndarray:
    chunks = [
        mix_echo(mic[i : i + 1600], reference, i / MIC_RATE, gain) for i in range(0, len(mic), 1600)
    ]
    return np.concatenate(chunks)


def cancel(canceller: EchoCanceller, mic: np.ndarray) -> np.ndarray:
    chunks = [
        canceller.process(mic[i : i + 1600], i / MIC_RATE)[0] for i in range(0, len(mic), 1600)
    ]
    return np.concatenate(chunks)


def test_a_microphone_that_hears_no_echo_passes_through_unchanged():
    """Headphones, or a speaker in another room: the coach plays, the microphone hears
    only the room, and the canceller must not inject the coach's voice into it."""
    reference = FakeReference([coach("point your toes and hold for five seconds", 0.2)])
    mic = room(3.0)
    canceller = EchoCanceller(reference)
    cleaned = np.concatenate(
        [canceller.process(mic[i : i + 1600], i / MIC_RATE)[0] for i in range(0, len(mic), 1600)]
    )
    n = len(cleaned)
    assert not canceller.path_found
    assert np.sqrt(np.mean(cleaned.astype(float) ** 2)) < 1.2 * np.sqrt(
        np.mean(mic[:n].astype(float) ** 2)
    )


def test_the_users_own_voice_over_the_coach_is_not_mistaken_for_an_echo():
    """Speech is correlated with speech by chance; that must not open an echo path that
    would then be subtracted from the user's words."""
    reference = FakeReference(
        [coach("Loop the band around your right foot and point your toes away from you", 0.3)]
    )
    mic = room(5.0)
    for k, word in enumerate(["pause", "wait", "hold on", "it hurts"]):
        said = espeak.synth(word, "en-us", speed=150)
        at = int((0.8 + k) * MIC_RATE)
        mic[at : at + len(said)] += said
    canceller = EchoCanceller(reference)
    cleaned = np.concatenate(
        [canceller.process(mic[i : i + 1600], i / MIC_RATE)[0] for i in range(0, len(mic), 1600)]
    )
    assert not canceller.path_found
    assert np.array_equal(cleaned, mic[: len(cleaned)])


def test_best_lag_recovers_a_known_shift():
    rng = np.random.default_rng(0)
    ref = rng.standard_normal(4000)
    mic = ref[500 - 123 : 500 - 123 + 3000]  # ref starts 500 samples before mic, delay 123
    lag, gain = best_lag(0.5 * mic, ref[: 3000 + 500], 500)
    assert lag == 123
    assert gain == pytest.approx(0.5, abs=0.01)


class Scripted:
    """A recognizer that returns prepared detections, to test the text guard alone."""

    name = "scripted"

    def __init__(self, detections: list[Detection]) -> None:
        self.detections = detections

    def accept(self, samples, t0, echo=None):
        return []

    def flush(self, t):
        return self.detections

    def deliver_to(self, deliver):
        """Decides inside accept."""


def test_the_text_guard_drops_only_what_the_coach_was_saying():
    reference = FakeReference([coach("Next: toe presses", 1.0)])
    heard = [Detection(2.0, Intent.NEXT, "next"), Detection(2.1, Intent.PAUSE, "pause")]
    guard = EchoGuard(Scripted(heard), reference, cancel=False)
    assert [d.intent for d in guard.flush(3.0)] == [Intent.PAUSE]
    assert [d.intent for d in guard.dropped] == [Intent.NEXT]


def test_the_text_guard_forgets_what_the_coach_said_long_ago():
    reference = FakeReference([coach("Next: toe presses", 1.0)])
    guard = EchoGuard(Scripted([Detection(9.0, Intent.NEXT, "next")]), reference, cancel=False)
    assert [d.intent for d in guard.flush(10.0)] == [Intent.NEXT]


def test_the_users_yes_over_the_end_of_the_coachs_question_is_kept():
    """The coach asks "...Say yes to end it, or no to carry on" and the user answers over
    its last words: the coach said "yes" early in the sentence, not where the user did."""
    question = coach("End the workout? Say yes to end it, or no to carry on.", 10.0)
    reference = FakeReference([question])
    end = 10.0 + len(question[1]) / MIC_RATE
    answer = Detection(end + 0.2, Intent.YES, "yes", start=end - 0.5, end=end - 0.1)
    guard = EchoGuard(Scripted([answer]), reference, cancel=False)
    assert guard.flush(end + 1) == [answer]


def test_the_coachs_own_yes_where_it_said_it_is_dropped():
    question = coach("End the workout? Say yes to end it, or no to carry on.", 10.0)
    reference = FakeReference([question])
    length = len(question[1]) / MIC_RATE
    echo = Detection(
        10.0 + 0.6 * length, Intent.YES, "yes", start=10.0 + 0.3 * length, end=10.0 + 0.45 * length
    )
    guard = EchoGuard(Scripted([echo]), reference, cancel=False)
    assert guard.flush(20.0) == []


class Pushing(Scripted):
    """A recognizer that hands its detections over from its own thread (here: at once,
    when told where to)."""

    def deliver_to(self, deliver):
        deliver(self.detections)


def test_detections_pushed_by_the_recognizer_pass_the_text_guard_on_their_way():
    reference = FakeReference([coach("Next: toe presses", 1.0)])
    heard = [Detection(2.0, Intent.NEXT, "next"), Detection(2.1, Intent.PAUSE, "pause")]
    delivered: list[list[Detection]] = []
    EchoGuard(Pushing(heard), reference, cancel=False).deliver_to(delivered.append)
    assert [[d.intent for d in batch] for batch in delivered] == [[Intent.PAUSE]]


def test_a_recognizer_that_cannot_push_keeps_returning_its_detections():
    reference = FakeReference([])
    heard = [Detection(2.1, Intent.PAUSE, "pause")]
    delivered: list[list[Detection]] = []
    guard = EchoGuard(Scripted(heard), reference, cancel=False)
    guard.deliver_to(delivered.append)
    assert delivered == []
    assert guard.flush(3.0) == heard


class Listening:
    """A plain recognizer that keeps the `echo` each `accept` is handed."""

    name = "listening"

    def __init__(self) -> None:
        self.echoes: list[np.ndarray | None] = []
        self.fed = 0

    def accept(self, samples, t0, echo=None):
        self.echoes.append(echo)
        self.fed += len(samples)
        return []

    def flush(self, t):
        return []

    def deliver_to(self, deliver):
        """Decides inside accept."""


def test_every_recognizer_behind_the_guard_is_handed_the_echo_the_canceller_left():
    reference = FakeReference([coach("Next: toe presses", 0.5)])
    inner = Listening()
    replay(EchoGuard(inner, reference), room(3.0), reference)
    assert inner.echoes
    assert all(echo is not None for echo in inner.echoes)
    assert sum(len(echo) for echo in inner.echoes) == inner.fed
    assert max(float(np.max(echo)) for echo in inner.echoes) > 0  # while the coach spoke


def test_a_guard_that_cancels_nothing_passes_the_echo_it_was_given_along():
    inner = Listening()
    guard = EchoGuard(inner, FakeReference([]), cancel=False)
    given = np.full(1600, 7.0)
    guard.accept(room(0.1), 0.0)
    guard.accept(room(0.1), 0.1, given)
    assert inner.echoes[0] is None
    assert inner.echoes[1] is given
