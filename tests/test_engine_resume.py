"""A resumed session starts at a given step, says where it picks up in one line, and
counts the steps an earlier run completed as done."""

from __future__ import annotations

import re

from factories import routine_from

from voicecoach.engine import Config
from voicecoach.routine import Routine
from voicecoach.runtime.simulation import Simulation


def two_exercises() -> Routine:
    walk = {"id": "walk", "name": "Walk", "work": {"kind": "timed", "seconds": 10}, "sets": 2}
    heels = {
        "id": "heels",
        "name": "Heel Raises",
        "work": {"kind": "reps", "reps": 3, "tempo": 2},
        "sets": 2,
        "sides": ["right", "left"],
    }
    return routine_from("two", [walk, heels])


def test_a_resumed_session_starts_at_its_step_and_says_where_it_picks_up() -> None:
    # steps: walk 1, walk 2, heels 1 right, heels 1 left, heels 2 right, heels 2 left
    sim = Simulation(two_exercises(), Config(start_step=3, done_before=frozenset({0, 1, 2})))
    sim.finish()
    worked = [r["step"] for r in sim.of_type("state") if r["phase"] in ("work", "hold")]
    assert worked[0] == 3
    assert sorted(set(worked)) == [3, 4, 5]
    assert "Picking up where you left off: Heel Raises, set 1 of 2, left side." in sim.voice.said


def test_a_resumed_session_that_finishes_counts_every_exercise_done() -> None:
    sim = Simulation(two_exercises(), Config(start_step=3, done_before=frozenset({0, 1, 2})))
    sim.finish()
    assert any(text.startswith("You did 2 of 2 exercises") for text in sim.voice.said)
    end = sim.of_type("end")[0]
    assert (end["completed"], end["done"], end["skipped"]) == (True, 2, 0)


def test_a_fresh_session_has_no_recap() -> None:
    sim = Simulation(two_exercises()).finish()
    assert not [text for text in sim.voice.said if "Picking up" in text]


def test_a_resumed_session_opens_in_one_line_with_the_time_left_then_the_safety_words() -> None:
    routine = two_exercises()
    fresh = Simulation(routine, Config(standing="This is your 1st workout today, of 2")).finish()
    sim = Simulation(
        routine,
        Config(
            start_step=3,
            done_before=frozenset({0, 1, 2}),
            standing="This is your 1st workout today, of 2",
        ),
    ).finish()
    first_exercise = next(i for i, t in enumerate(sim.voice.said) if t.startswith("Exercise "))
    intro = sim.voice.said[:first_exercise]
    assert re.fullmatch(rf"{routine.title}: about \d+ minutes? left\.", intro[0]), intro[0]
    assert routine.disclaimer is not None
    assert routine.disclaimer in " ".join(intro)
    assert intro[-1] == "Picking up where you left off: Heel Raises, set 1 of 2, left side."
    # what was heard in this workout's own intro, hours ago at most, is not said again
    assert not [t for t in intro if "workout today" in t or "Say help at any time" in t]
    assert len(intro) < len(fresh.voice.said[: fresh.voice.said.index("Exercise 1 of 2: Walk.")])
