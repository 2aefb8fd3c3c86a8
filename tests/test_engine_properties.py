"""Random commands at random times: the engine never crashes, never lets a timer go
negative or a deadline slip into the past, never talks over itself, and "stop" then "yes"
always ends the session, after saying its summary; once that stop is confirmed, or the
workout is finished, nothing heard reopens it."""

from __future__ import annotations

import itertools

from factories import routine_from
from hypothesis import example, given, settings
from hypothesis import strategies as st

from voicecoach.engine import segment_left, workout_left
from voicecoach.intents import Intent
from voicecoach.runtime.simulation import Simulation

MIXED = routine_from(
    "mixed",
    [
        {
            "id": "raises",
            "name": "Raises",
            "cues": ["Slowly."],
            "sides": ["right", "left"],
            "sets": 2,
            "rest_between_sets": 12,
            "extra_sets": [{"side": "weaker", "sets": 1}],
            "work": {"kind": "reps", "reps": 4, "tempo": 2.5},
        },
        {
            "id": "toes",
            "name": "Toes",
            "sets": 2,
            "superset": "pair",
            "rest_between_sets": 10,
            "work": {"kind": "holds", "reps": 2, "hold": 7, "release": 2},
        },
        {
            "id": "heels",
            "name": "Heels",
            "sets": 2,
            "superset": "pair",
            "work": {
                "kind": "sequence",
                "parts": [
                    {"work": {"kind": "timed", "seconds": 22, "label": "walk"}},
                    {"work": {"kind": "circles", "reps": 2}, "rest_after": 4},
                ],
            },
        },
    ],
)

commands = st.lists(
    st.tuples(
        st.one_of(st.floats(min_value=0, max_value=5), st.floats(min_value=0, max_value=200)),
        st.sampled_from(list(Intent)),
    ),
    max_size=30,
)


def check(sim: Simulation) -> None:
    state = sim.state
    left = segment_left(state)
    assert left is None or left >= -1e-6
    assert workout_left(state) >= 0
    assert state.next_deadline is None or state.next_deadline >= sim.now - 1e-6
    assert state.tempo_factor > 0
    sounds = sorted(sim.voice.sounds, key=lambda s: s.start)
    for a, b in itertools.pairwise(sounds):
        assert b.start >= a.end - 1e-9


@settings(max_examples=200, deadline=None)
@given(script=commands)
@example(  # "help" said while a rest's seconds wait for silence moves the rest's end
    script=[(0.0, Intent.NEXT), (106.0, Intent.REPEAT), (4.0, Intent.HELP), (5.0, Intent.PAUSE)]
)
def test_random_commands_at_random_times_keep_the_session_sound(
    script: list[tuple[float, Intent]],
) -> None:
    sim = Simulation(MIXED)
    for wait, intent in script:
        sim.until(sim.now + wait)
        check(sim)
        if sim.runner.ended:
            break
        sim.hear(intent)
        check(sim)
    if not sim.runner.ended:
        ending = sim.state.phase == "done"  # its summary is being said: stop ends it
        sim.hear(Intent.STOP).hear(Intent.YES).until(sim.now + 120)
        reason = sim.of_type("end")[-1]["reason"]
        assert reason in ("completed", "stopped") if ending else reason == "stopped"
        said = [s.text for s in sim.voice.sounds if s.kind == "say"]
        assert ending or any(text.startswith("You did") for text in said)
    assert sim.runner.ended
    assert len(sim.of_type("end")) == 1
    assert sim.records[-1]["type"] == "end"


def hear_all_in_the_goodbye(sim: Simulation, script: list[tuple[float, Intent]]) -> None:
    """Each command of `script` heard in the goodbye: the session stays ending, unpaused."""
    for wait, intent in script:
        if sim.runner.ended:
            break
        sim.until(sim.now + wait).hear(intent)
        assert sim.state.phase == "done"
        assert not sim.state.paused
    sim.finish()


@settings(max_examples=100, deadline=None)
@given(before=st.floats(min_value=0, max_value=300), script=commands)
def test_once_a_stop_is_confirmed_nothing_heard_reopens_the_session(
    before: float, script: list[tuple[float, Intent]]
) -> None:
    sim = Simulation(MIXED).until(before)
    if sim.runner.ended:
        return
    sim.hear(Intent.STOP).hear(Intent.YES)
    if not sim.state.stopped:  # the stop came in the closing words of a finished one
        return
    hear_all_in_the_goodbye(sim, script)
    assert [(e["completed"], e["reason"]) for e in sim.of_type("end")] == [(False, "stopped")]


@settings(max_examples=100, deadline=None)
@given(script=commands)
def test_once_the_workout_is_finished_nothing_heard_reopens_it(
    script: list[tuple[float, Intent]],
) -> None:
    sim = Simulation(MIXED).until_phase("done")
    hear_all_in_the_goodbye(sim, script)
    assert [(e["completed"], e["reason"]) for e in sim.of_type("end")] == [(True, "completed")]
