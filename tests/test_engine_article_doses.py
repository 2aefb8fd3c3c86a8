"""What the coach says and counts for the article's open-ended doses ("until your feet
feel tired"), alternatives, pauses at the bottom, each side's own setup and a frequency
that is our suggestion."""

from __future__ import annotations

import pytest
from test_engine_flow import make  # a small routine for one behaviour at a time

from voicecoach.engine import Config
from voicecoach.engine import texts as T
from voicecoach.intents import Intent
from voicecoach.runtime.simulation import Simulation


def exercise(id_: str, work: dict, **kw: object) -> dict:
    return {"id": id_, "name": id_.replace("-", " ").title(), "work": work, **kw}


FOOTWORK = exercise(
    "footwork",
    {"kind": "reps", "reps": 6, "tempo": 2, "until": "until your feet feel tired"},
    setup=["Sit down with a towel under your feet."],
    alternatives=[
        "Pick up marbles with your toes. Move them from one bowl to another, one by one."
    ],
)
CLOSED = exercise("march", {"kind": "reps", "reps": 6, "tempo": 2})


def said(sim: Simulation) -> list[str]:
    return [s.text for s in sim.voice.sounds if s.kind == "say"]


def containing(sim: Simulation, part: str) -> list[str]:
    return [text for text in said(sim) if part in text]


# ------------------------------------------------------------------------------- until


def test_an_open_ended_dose_is_said_with_the_articles_until_and_how_to_stop_early() -> None:
    sim = Simulation(make(FOOTWORK)).until_phase("ready")
    assert "6 times, or until your feet feel tired. If you finish early, say next." in said(sim)


def test_later_sets_repeat_the_until_but_not_how_to_stop_early() -> None:
    footwork = {**FOOTWORK, "sets": 2, "rest_between_sets": 20}
    sim = Simulation(make(footwork)).finish()
    intros = containing(sim, "or until your feet feel tired")
    assert intros[0].endswith(T.OPEN_END)
    assert intros[1] == "6 times, or until your feet feel tired."
    assert containing(sim, "set 2 of 2") == ["Rest 20 seconds. Next: set 2 of 2."]  # once


def test_a_closed_dose_has_no_until_and_no_early_stop_hint() -> None:
    sim = Simulation(make(CLOSED)).finish()
    assert not containing(sim, "until")
    assert not containing(sim, T.OPEN_END)


def test_repeat_during_open_ended_work_says_the_until_again() -> None:
    sim = Simulation(make(FOOTWORK)).until_state(lambda s: s.rep == 2)
    sim.hear(Intent.REPEAT)
    assert containing(sim, "Footwork. 6 times, or until your feet feel tired.")


@pytest.mark.parametrize(
    ("work", "phase"),
    [
        ({"kind": "reps", "reps": 6, "tempo": 2}, "work"),
        ({"kind": "holds", "reps": 3, "hold": 10}, "hold"),
        ({"kind": "timed", "seconds": 30}, "work"),
    ],
)
def test_next_during_open_ended_work_counts_it_as_done(work: dict, phase: str) -> None:
    open_ended = exercise("open", {**work, "until": "until you have to stop"})
    sim = Simulation(make(open_ended, CLOSED)).until_phase(phase)
    sim.hear(Intent.NEXT, sim.now + 3)
    assert 0 in sim.state.completed
    sim.finish()
    assert "You did 2 of 2 exercises" in containing(sim, "You did")[0]
    assert sim.of_type("end")[0]["skipped"] == 0


def test_next_during_closed_work_still_skips_it() -> None:
    sim = Simulation(make(CLOSED, FOOTWORK)).until_phase("work")
    sim.hear(Intent.NEXT, sim.now + 3)
    assert 0 not in sim.state.completed
    sim.finish()
    assert "You did 1 of 2 exercises" in containing(sim, "You did")[0]
    assert "Cut short: March." in said(sim)  # begun, not finished
    assert (sim.of_type("end")[0]["skipped"], sim.of_type("end")[0]["cut_short"]) == (0, 1)


def test_next_during_the_setup_of_open_ended_work_still_skips_the_exercise() -> None:
    sim = Simulation(make(FOOTWORK, CLOSED)).until_phase("setup")
    sim.hear(Intent.NEXT)
    sim.finish()
    assert "Skipped: Footwork." in said(sim)


def test_only_the_open_ended_part_of_a_sequence_ends_as_done() -> None:
    walk = exercise(
        "walk",
        {
            "kind": "sequence",
            "parts": [
                {"work": {"kind": "timed", "seconds": 20}},
                {"work": {"kind": "timed", "seconds": 20, "until": "until you have to stop"}},
            ],
        },
    )
    sim = Simulation(make(walk)).until_phase("work")
    sim.hear(Intent.NEXT, sim.now + 3)  # the first, closed part: skipped
    sim.until_state(lambda s: s.index == 1 and s.phase == "work")
    sim.hear(Intent.NEXT, sim.now + 3)  # the open-ended part: done
    assert sim.state.completed == frozenset({1})


# ------------------------------------------------------------------------ alternatives


def test_the_setup_says_each_alternative_whole_before_the_ready_prompt() -> None:
    # the article's later sentences say how to do it ("keep your hips and glutes forward")
    sim = Simulation(make(FOOTWORK)).until_phase("ready")
    lines = said(sim)
    alternative = (
        "Alternative: Pick up marbles with your toes. "
        "Move them from one bowl to another, one by one."
    )
    assert lines.count(alternative) == 1
    assert lines.index("Sit down with a towel under your feet.") < lines.index(alternative)
    assert lines.index(alternative) < lines.index(T.PROMPT_READY)


def test_an_alternative_with_its_own_dose_says_all_its_words_then_when_to_stop() -> None:
    deadmill = {
        "text": "The Deadmill, 5 minutes on a powered-off treadmill. Place a mat on your back.",
        "name": "the Deadmill",
        "work": {"kind": "timed", "seconds": 300},
    }
    walk = exercise("walk", {"kind": "timed", "seconds": 600}, alternatives=[deadmill])
    sim = Simulation(make(walk)).until_phase("ready")
    assert containing(sim, "Alternative:") == [
        "Alternative: The Deadmill, 5 minutes on a powered-off treadmill. Place a mat on your "
        "back. If you do the Deadmill, say next after 5 minutes."
    ]


def test_the_alternative_is_said_at_setup_only() -> None:
    sim = Simulation(make({**FOOTWORK, "sets": 3, "rest_between_sets": 20})).finish()
    assert len(containing(sim, "Alternative:")) == 1


# ------------------------------------------------------------------------------ pauses


def test_the_setup_says_where_each_rep_pauses() -> None:
    squat = exercise(
        "split-squat",
        {"kind": "reps", "reps": 10, "tempo": 5, "pause": 1, "pause_at": "bottom"},
    )
    raises = exercise("tibialis-raise", {"kind": "reps", "reps": 25, "tempo": 2.5, "pause": 1})
    sim = Simulation(make(squat, raises)).finish()
    assert containing(sim, "Pause") == [
        "Pause 1 second at the bottom of each rep.",
        "Pause 1 second at the top of each rep.",
    ]


# ------------------------------------------------------------------------ side setup

PATRICK = exercise(
    "patrick-step",
    {"kind": "reps", "reps": 4, "tempo": 2},
    sides=["left", "right"],
    sets=2,
    setup=["Stand side-on to a wall."],
    side_setup={
        "left": ["Right hand on the wall, facing left."],
        "right": ["Left hand on the wall, facing right."],
    },
)


def test_each_sides_setup_is_said_at_every_switch_to_it_the_second_time_round_too() -> None:
    """Lying on the floor, a person switching sides after a rest has only the words to
    set up by: set 2 needs the side's setup as much as set 1."""
    sim = Simulation(make({**PATRICK, "rest_between_sets": 20})).finish()
    assert containing(sim, "facing left") == [
        "Left side, set 1 of 2. Right hand on the wall, facing left. 4 times.",
        "Rest 20 seconds. Next: switch to your left side, set 2 of 2. Right hand on the wall,"
        " facing left.",
    ]
    # a short switch to the right side: said as the switch starts, time to turn round
    assert (
        containing(sim, "facing right")
        == [
            "Switch to your right side. Left hand on the wall, facing right.",
        ]
        * 2
    )


def test_a_session_resumed_at_a_later_set_says_that_sides_setup() -> None:
    sim = Simulation(make({**PATRICK, "rest_between_sets": 20}), Config(start_step=3))
    sim.until_phase("ready")
    assert containing(sim, "Right side, set 2 of 2") == [
        "Right side, set 2 of 2. Left hand on the wall, facing right. 4 times."
    ]


def test_going_back_to_the_other_side_says_its_setup_and_to_the_same_side_does_not() -> None:
    sim = Simulation(make({**PATRICK, "rest_between_sets": 20}))
    sim.until_state(lambda s: s.index == 1 and s.phase == "work" and s.rep == 1)
    sim.hear(Intent.BACK)  # from the right side back to the left
    assert said(sim)[-1] == (
        "Going back to left side, set 1 of 2. Right hand on the wall, facing left. 4 times."
    )
    sim.until_state(lambda s: s.index == 2 and s.phase == "work" and s.rep == 1)
    sim.hear(Intent.BACK)  # from the left side's set 2 back to the right side's set 1
    assert said(sim)[-1].startswith("Going back to right side, set 1 of 2. Left hand on the")
    block = {**PATRICK, "side_order": "block", "rest_between_sets": 20}
    sim = Simulation(make(block)).until_state(lambda s: s.index == 1 and s.rep == 1)
    sim.hear(Intent.BACK)  # left side, set 2 back to its set 1: the person stays put
    assert said(sim)[-1] == "Going back to left side, set 1 of 2. 4 times."


def test_sets_on_the_same_side_do_not_say_its_setup_again() -> None:
    block = {**PATRICK, "side_order": "block", "rest_between_sets": 30}
    sim = Simulation(make(block)).finish()
    assert len(containing(sim, "facing left")) == 1  # set 1 only: set 2 stays on that side


def test_a_side_setup_comes_with_the_next_side_at_the_start_of_a_long_rest() -> None:
    block = {**PATRICK, "side_order": "block", "rest_between_sets": 30}
    sim = Simulation(make(block)).finish()
    assert containing(sim, "facing right") == [
        "Rest 30 seconds. Next: switch to your right side, set 1 of 2. Left hand on the wall,"
        " facing right."
    ]
    assert not containing(sim, "Right side")  # as the set starts: not again


def test_a_second_repeat_during_work_says_the_sides_setup_on_any_set() -> None:
    sim = Simulation(make({**PATRICK, "rest_between_sets": 20}))
    sim.until_state(lambda s: s.index == 2 and s.phase == "work" and s.rep == 1)
    sim.hear(Intent.REPEAT).until(sim.voice.sounds[-1].end + 1).hear(Intent.REPEAT)
    assert containing(sim, "Left side, set 2 of 2. Stand side-on to a wall. Right hand on the wall")


# ------------------------------------------------------------------------- frequency


@pytest.mark.parametrize(
    ("assumed", "line"),
    [(True, "How often: twice a week, our suggestion."), (False, "How often: twice a week.")],
)
def test_the_summary_says_when_the_frequency_is_our_suggestion(assumed: bool, line: str) -> None:
    sim = Simulation(make(CLOSED, frequency_assumed=assumed)).finish()
    assert containing(sim, "How often") == [line]


# --------------------------------------------------------------------- harder / easier

BRIDGES = exercise(
    "glute-bridges",
    {"kind": "reps", "reps": 4, "tempo": 2},
    sets=2,
    rest_between_sets=20,
    harder=["Do it on a single leg.", "Add weight."],
    easier=["Use a higher step.", "Go half as deep."],
)


def test_every_harder_and_easier_option_is_offered_once_going_on_after_its_colon() -> None:
    sim = Simulation(make(BRIDGES)).finish()
    assert containing(sim, "single leg") == ["If this is easy: do it on a single leg. Add weight."]
    assert containing(sim, "higher step") == [
        "If this is too hard: use a higher step. Go half as deep."
    ]


def test_the_easier_options_come_with_the_setup_before_the_first_set() -> None:
    """ground-up's reverse Nordic: "if this is too difficult, use a resistance band" (on an
    overhead bar) is for before the first set, not in the rest after it."""
    sim = Simulation(make(BRIDGES)).until_phase("ready")
    assert said(sim)[-3:] == [
        "If this is too hard: use a higher step. Go half as deep.",
        "Set 1 of 2. 4 times.",
        "Say ready when you are in position.",
    ]


def test_the_harder_options_come_in_the_first_long_rest_after_a_set_has_been_tried() -> None:
    sim = Simulation(make(BRIDGES)).until_phase("rest")
    sim.until(sim.voice.sounds[-1].end)
    assert said(sim)[-1] == "If this is easy: do it on a single leg. Add weight."
    assert "single leg" not in " ".join(said(sim)[:-1])


def test_without_a_long_rest_both_options_come_with_the_setup() -> None:
    once = {**BRIDGES, "sets": 1}
    sim = Simulation(make(once)).until_phase("ready")
    assert said(sim)[-3] == (
        "If this is easy: do it on a single leg. Add weight. "
        "If this is too hard: use a higher step. Go half as deep."
    )


def test_an_option_in_the_articles_own_if_words_keeps_them() -> None:
    plank = {**BRIDGES, "harder": ["If the exercise becomes too easy, add ankle weights."]}
    sim = Simulation(make({**plank, "easier": []})).finish()
    assert containing(sim, "ankle weights") == [
        "If the exercise becomes too easy, add ankle weights."
    ]


def test_an_exercises_own_frequency_is_said_at_its_setup_before_getting_into_position() -> None:
    """behind-knee's pick-ups are "2-3 times a week" in a routine done twice a day: the
    person hears it before setting up, and can say next."""
    pickup = {**CLOSED, "frequency": "2-3 times a week", "setup": ["Put a pencil down."]}
    sim = Simulation(make(pickup)).until_phase("ready")
    assert said(sim)[-4:-2] == ["How often: 2-3 times a week.", "Put a pencil down."]
