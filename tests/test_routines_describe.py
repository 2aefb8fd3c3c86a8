"""Doses read well aloud, and `show`'s detailed wording keeps the article's ranges next to
the number we use and marks every number that is ours."""

from __future__ import annotations

import tomllib

import pytest
from factories import HEADER
from factories import routine_from_toml as routine

from voicecoach import describe, plan
from voicecoach.routine import Routine, count, seconds
from voicecoach.runtime.simulation import estimate_minutes, estimate_seconds

HEEL = """
[[exercises]]
id = "heel-raises"
name = "Heel Raises"
sides = ["right", "left"]
sets = { default = 2, min = 2, max = 3 }
rest_between_sets = { default = 30, assumed = true }
[exercises.work]
kind = "reps"
reps = { default = 15, min = 10, max = 20 }
tempo = { default = 3, assumed = true }
"""


def test_durations_read_as_words():
    assert describe.duration(1) == "1 second"
    assert describe.duration(2.5) == "2.5 seconds"
    assert describe.duration(600) == "10 minutes"
    assert describe.duration(90) == "1 minute 30 seconds"


def test_a_range_shows_the_articles_ends_and_the_number_used():
    reps = count(15, min=10, max=20)
    assert describe.amount(reps, "rep") == "15 reps"
    assert describe.amount(reps, "rep", detail=True) == "10-20 reps (using 15)"


def test_an_upper_limit_alone_reads_up_to():
    assert describe.amount(count(5, max=5), "set", detail=True) == "up to 5 sets"
    assert describe.amount(count(3, max=5), "set", detail=True) == "up to 5 sets (using 3)"


def test_our_own_numbers_carry_the_mark_only_in_detail():
    rest = seconds(30, assumed=True)
    assert describe.amount(rest, "second") == "30 seconds"
    assert describe.amount(rest, "second", detail=True) == "30 seconds" + describe.MARK


def test_the_spoken_dose_says_sets_reps_and_side_order():
    heel = routine(HEEL).exercises[0]
    assert describe.dose_text(heel) == "2 sets of 15 reps, right then left, alternating each set"


def test_the_detailed_dose_adds_ranges_tempo_and_rests():
    text = describe.dose_text(routine(HEEL).exercises[0], detail=True)
    assert "2-3 sets (using 2)" in text
    assert "10-20 reps (using 15)" in text
    assert f"3 s{describe.MARK} per rep" in text
    assert f"rest 30 seconds{describe.MARK} between sets" in text


def test_block_order_and_extra_sets_are_spelled_out():
    r = routine(
        '[[exercises]]\nid = "p"\nname = "P"\nsets = 2\nsides = ["left", "right"]\n'
        'side_order = "block"\nextra_sets = [{ side = "weaker", sets = 1 }]\n'
        'work = { kind = "reps", reps = 25 }\n'
    )
    assert describe.dose_text(r.exercises[0]) == (
        "2 sets of 25 reps, all sets left, then right, then 1 more set on the weaker side"
    )


def test_holds_and_timed_circles_read_naturally():
    r = routine(
        '[[exercises]]\nid = "a"\nname = "A"\n'
        'work = { kind = "holds", reps = 10, hold = 3 }\n'
        '[[exercises]]\nid = "b"\nname = "B"\nsides = ["right", "left"]\n'
        'work = { kind = "circles", seconds = 10 }\n'
    )
    holds, circles = (describe.dose_text(e) for e in r.exercises)
    assert holds == "10 holds of 3 seconds"
    assert circles == "10 seconds each way (clockwise, then counter-clockwise), right then left"


def test_a_sequence_of_equal_parts_is_said_once():
    r = routine(
        '[[exercises]]\nid = "walk"\nname = "Walk"\nsets = 6\n[exercises.work]\n'
        'kind = "sequence"\n'
        + '[[exercises.work.parts]]\nwork = { kind = "timed", seconds = 20 }\n'
        * 3
    )
    assert describe.dose_text(r.exercises[0]) == "6 sets of 3 parts of 20 seconds each"


def test_a_step_names_its_set_side_count_and_the_rest_after_it():
    r = routine(HEEL)
    first = plan.steps(r)[0]
    text = describe.step_text(first, r.exercises[0])
    assert text == (
        f"set 1 of 2, right: 15 reps (3 s each); then switch sides, "
        f"{describe.duration(plan.SIDE_SWITCH_SECONDS)}"
    )


def test_circle_steps_count_circles_not_reps():
    r = routine('[[exercises]]\nid = "c"\nname = "C"\nwork = { kind = "circles", reps = 5 }\n')
    text = describe.step_text(plan.steps(r)[0], r.exercises[0])
    assert text.startswith("5 circles")
    assert "clockwise" in text


def test_assumed_numbers_are_found_by_their_field_path():
    paths = describe.assumed_numbers(routine(HEEL))
    assert "exercises[0].rest_between_sets" in paths
    assert "exercises[0].work.tempo" in paths
    assert "exercises[0].work.reps" not in paths


@pytest.mark.parametrize(("extra", "legend"), [("", True), ("tempo = 2", False)])
def test_the_legend_appears_only_when_a_number_is_ours(extra, legend):
    r = routine(
        f'[[exercises]]\nid = "a"\nname = "A"\n'
        f'[exercises.work]\nkind = "reps"\nreps = 10\n{extra}\n'
    )
    assert (describe.LEGEND in describe.routine_text(r, timing=estimate_seconds)) is legend


def test_the_whole_plan_names_source_time_and_every_step():
    r = routine(HEEL)
    text = describe.routine_text(r, timing=estimate_seconds)
    assert '"An article" by A. Writer' in text
    assert f"about {estimate_minutes(r)} minute" in text
    assert text.count("\n     - ") == len(plan.steps(r))
    assert "Steps" not in describe.routine_text(r, timing=estimate_seconds, steps=False)


OPEN = """
[[exercises]]
id = "footwork"
name = "Footwork"
alternatives = ["Pick up marbles with your toes. Move them from one bowl to another."]
[exercises.work]
kind = "reps"
reps = { default = 20, assumed = true }
tempo = { default = 2, assumed = true }
until = "until your feet feel tired"
"""


def test_an_open_ended_dose_reads_the_default_or_the_articles_until():
    r = routine(OPEN)
    footwork = r.exercises[0]
    assert describe.dose_text(footwork) == "20 reps, or until your feet feel tired"
    assert describe.dose_text(footwork, detail=True).startswith(
        f"20 reps{describe.MARK}, or until your feet feel tired, 2 s{describe.MARK} per rep"
    )
    step = describe.step_text(plan.steps(r)[0], footwork)
    assert step == "20 reps (2 s each), or until your feet feel tired"


def test_an_open_ended_timed_or_held_dose_reads_naturally():
    r = routine(
        '[[exercises]]\nid = "a"\nname = "A"\n'
        'work = { kind = "timed", seconds = 15, until = "until you have to stop" }\n'
        '[[exercises]]\nid = "b"\nname = "B"\n'
        'work = { kind = "holds", reps = 5, hold = 10, until = "until the pain eases" }\n'
    )
    timed, holds = (describe.dose_text(e) for e in r.exercises)
    assert timed == "15 seconds, or until you have to stop"
    assert holds == "5 holds of 10 seconds, or until the pain eases"


def test_show_prints_alternatives_in_full():
    text = describe.routine_text(routine(OPEN), timing=estimate_seconds)
    assert (
        "   Alternative: Pick up marbles with your toes. Move them from one bowl to another."
        in text
    )


def test_a_pause_at_the_bottom_is_worded_as_such():
    r = routine(
        '[[exercises]]\nid = "s"\nname = "Split Squat"\n'
        'work = { kind = "reps", reps = 10, tempo = 5, pause = 1, pause_at = "bottom" }\n'
        '[[exercises]]\nid = "t"\nname = "Tibialis Raise"\n'
        'work = { kind = "reps", reps = 25, tempo = 2.5, pause = 1 }\n'
    )
    squat, raises = (describe.dose_text(e) for e in r.exercises)
    assert squat == "10 reps with a 1-second pause at the bottom"
    assert raises == "25 reps with a 1-second pause at the top"


def test_show_prints_each_sides_own_setup():
    r = routine(
        '[[exercises]]\nid = "p"\nname = "Patrick Step"\nsides = ["left", "right"]\n'
        'setup = ["Stand side-on to a wall."]\n'
        'side_setup.left = ["Right hand on the wall, facing left."]\n'
        'side_setup.right = ["Left hand on the wall, facing right."]\n'
        'work = { kind = "reps", reps = 25 }\n'
    )
    lines = describe.routine_text(r, timing=estimate_seconds).splitlines()
    assert "   On the left side: Right hand on the wall, facing left." in lines
    assert "   On the right side: Left hand on the wall, facing right." in lines


@pytest.mark.parametrize(("assumed", "marked"), [("true", True), ("false", False)])
def test_show_marks_a_frequency_the_article_does_not_give(assumed, marked):
    r = Routine.model_validate(
        tomllib.loads(
            HEADER.replace('"twice a week"', f'"twice a week"\nfrequency_assumed = {assumed}')
            + HEEL
        )
    )
    lines = describe.routine_text(r, timing=estimate_seconds).splitlines()
    expected = "How often: twice a week (our suggestion: the article does not say)"
    assert (expected in lines) is marked
    assert ("How often: twice a week" in lines) is not marked
