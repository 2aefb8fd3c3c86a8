"""The plain transcript printed when stdout is not a terminal."""

from __future__ import annotations

from factories import routine_from

from voicecoach.runtime.simulation import Simulation
from voicecoach.screen import lines

ROUTINE = routine_from(
    "lines",
    [
        {
            "id": "raises",
            "name": "Heel Raises",
            "sides": ["right", "left"],
            "sets": 2,
            "work": {"kind": "reps", "reps": 3, "tempo": 2},
        }
    ],
)


def test_a_line_has_the_time_the_place_and_the_words():
    assert lines.line(65.4, "Heel Raises · set 2 of 3 · left", "Go") == (
        "[01:05] Heel Raises · set 2 of 3 · left · Go"
    )


def test_a_line_without_a_place_has_just_the_words():
    assert lines.line(0, "", "Welcome.") == "[00:00] Welcome."


def test_control_characters_never_reach_the_transcript():
    line = lines.line(1, "A\tB", "bad \x1b[31mred\x1b[0m\nnext line\x07")
    assert line == "[00:01] A B · bad [31mred [0m next line"
    assert all(ch.isprintable() for ch in line)


def test_cues_are_words_not_internal_names():
    assert lines.cue_word("tick") == "tick"
    assert {lines.cue_word(n) for n in ("start", "hold_end", "rest_over", "done")} == {"beep"}


def test_the_place_follows_the_session():
    sim = Simulation(ROUTINE)
    assert lines.place(sim.state) == ""
    sim.until_phase("work")
    assert lines.place(sim.state) == "Heel Raises · set 1 of 2 · right"
    sim.finish()
    assert lines.place(sim.state) == ""
