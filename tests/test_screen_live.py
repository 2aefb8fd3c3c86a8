"""The live panel's plumbing: the sentence of the moment, the microphone meter, and a
frame drawn from the latest state at the clock's time (no Live thread started here)."""

from __future__ import annotations

import io

import numpy as np
from factories import routine_from
from rich.console import Console

from voicecoach.runtime.clocks import VirtualClock
from voicecoach.runtime.simulation import Simulation
from voicecoach.screen import digits
from voicecoach.screen.live import LiveScreen, Sayings
from voicecoach.screen.meter import LevelMeter, MeteredSource, level

ROUTINE = routine_from(
    "live",
    [
        {
            "id": "bridge",
            "name": "Bridge",
            "sets": 2,
            "rest_between_sets": 10,
            "work": {"kind": "timed", "seconds": 30},
        }
    ],
)


def test_the_sentence_shown_is_the_last_one_heard_not_one_still_queued():
    sayings = Sayings()
    sayings.add(1.0, 2.0, "Lie on your back.")
    sayings.add(3.0, 2.0, "Lift your hips.")
    assert sayings.at(0.5) == ""
    assert sayings.at(2.0) == "Lie on your back."
    assert sayings.at(3.5) == "Lift your hips."
    assert sayings.at(60.0) == "Lift your hips."


def test_an_interrupt_drops_the_sentences_it_cut_before_they_started():
    sayings = Sayings()
    sayings.add(1.0, 2.0, "Lie on your back.")
    sayings.add(3.0, 2.0, "Lift your hips.")
    sayings.cut(2.0)
    assert sayings.at(10.0) == "Lie on your back."


def silence(n: int = 1600) -> np.ndarray:
    return np.zeros(n, dtype=np.int16)


def tone(amplitude: int, n: int = 1600) -> np.ndarray:
    return (amplitude * np.sin(np.arange(n) / 5.0)).astype(np.int16)


def test_the_meter_is_empty_for_silence_and_fuller_for_louder_audio():
    assert level(silence()) == 0.0
    assert 0.0 < level(tone(300)) < level(tone(3000)) < level(tone(30000)) == 1.0


def test_the_meter_falls_to_zero_when_the_audio_stops():
    clock = VirtualClock()
    meter = LevelMeter(clock)
    meter.feed(tone(3000))
    assert meter.level > 0.0
    clock.advance_to(2.0)
    assert meter.level == 0.0


class ListSource:
    def __init__(self, chunks: list[np.ndarray]) -> None:
        self.items = chunks
        self.closed = False

    def chunks(self):
        for i, chunk in enumerate(self.items):
            yield i * 0.1, chunk

    def close(self) -> None:
        self.closed = True


def test_a_metered_source_passes_the_audio_through_unchanged():
    clock = VirtualClock()
    meter = LevelMeter(clock)
    inner = ListSource([silence(), tone(3000)])
    source = MeteredSource(inner, meter)
    out = list(source.chunks())
    assert [t for t, _ in out] == [0.0, 0.1]
    assert out[1][1] is inner.items[1]
    assert meter.level == level(tone(3000))
    source.close()
    assert inner.closed


def frame_text(screen: LiveScreen) -> str:
    screen.console.print(screen.frame())
    return screen.console.export_text()


def test_a_frame_counts_down_with_the_clock_and_shows_what_was_said_and_heard():
    sim = Simulation(ROUTINE).until_phase("work")
    clock = VirtualClock(sim.now)
    console = Console(file=io.StringIO(), width=80, height=24, record=True)
    screen = LiveScreen(console, clock, engine="pocketsphinx", meter=LevelMeter(clock))
    screen.show_state(sim.state)
    screen.said(sim.now, 1.0, "Lift your hips.")
    screen.heard("ready", "keys")
    first = frame_text(screen)
    clock.advance_to(sim.now + 10)
    later = frame_text(screen)
    for words in ("BRIDGE", "set 1 of 2", "“Lift your hips.”", "ready (keys)", "pocketsphinx"):
        assert words in first
    assert shows_big(first, "30")
    assert shows_big(later, "20")
    assert not shows_big(later, "30")


def shows_big(text: str, figure: str) -> bool:
    return all(row in text for row in digits.big(figure))
