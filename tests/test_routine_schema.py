"""The routine format accepts every kind of dose the articles use and rejects nonsense
with a message naming the field."""

from __future__ import annotations

import tomllib

import pytest
from factories import HEADER
from factories import routine_from_toml as routine
from pydantic import ValidationError

from voicecoach import plan
from voicecoach.routine import Routine


def errors(exercises: str) -> list[str]:
    with pytest.raises(ValidationError) as info:
        routine(exercises)
    return [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in info.value.errors()]


def test_a_bare_number_is_a_dose_without_a_range():
    r = routine('[[exercises]]\nid = "a"\nname = "A"\nwork = { kind = "reps", reps = 12 }\n')
    reps = r.exercises[0].work.reps
    assert (reps.value, reps.min, reps.max, reps.assumed) == (12, None, None, False)


def test_a_range_keeps_both_ends_and_the_default_used():
    r = routine(
        '[[exercises]]\nid = "a"\nname = "A"\n'
        'work = { kind = "reps", reps = { default = 15, min = 10, max = 20 } }\n'
    )
    reps = r.exercises[0].work.reps
    assert (reps.min, reps.value, reps.max, reps.is_range) == (10, 15, 20, True)


def test_an_assumed_number_is_marked_as_ours():
    r = routine(
        '[[exercises]]\nid = "a"\nname = "A"\n'
        'work = { kind = "timed", seconds = { default = 30, assumed = true } }\n'
    )
    assert r.exercises[0].work.seconds.assumed


def test_negative_reps_are_rejected_with_the_field_named():
    problems = errors('[[exercises]]\nid = "a"\nname = "A"\nwork = { kind = "reps", reps = -3 }\n')
    assert any("exercises.0.work.reps" in p and "greater than 0" in p for p in problems)


def test_a_default_outside_its_range_is_rejected():
    problems = errors(
        '[[exercises]]\nid = "a"\nname = "A"\n'
        'work = { kind = "reps", reps = { default = 30, min = 10, max = 20 } }\n'
    )
    assert any("above max" in p for p in problems)


def test_unknown_fields_are_rejected_everywhere():
    problems = errors(
        '[[exercises]]\nid = "a"\nname = "A"\nrepz = 3\nwork = { kind = "reps", reps = 3 }\n'
    )
    assert any("repz" in p for p in problems)


def test_circles_need_exactly_one_of_count_or_time():
    problems = errors(
        '[[exercises]]\nid = "a"\nname = "A"\nwork = { kind = "circles", reps = 5, seconds = 10 }\n'
    )
    assert any("exactly one" in p for p in problems)


def test_exercise_ids_must_be_unique():
    one = '[[exercises]]\nid = "a"\nname = "A"\nwork = { kind = "reps", reps = 3 }\n'
    assert any("unique" in p for p in errors(one + one))


def test_a_superset_needs_neighbouring_members_with_equal_sets():
    ex = (
        '[[exercises]]\nid = "{id}"\nname = "X"\nsuperset = "pair"\nsets = {sets}\n'
        'work = {{ kind = "reps", reps = 25 }}\n'
    )
    problems = errors(ex.format(id="a", sets=2) + ex.format(id="b", sets=3))
    assert any("same sets" in p for p in problems)


def test_routines_are_immutable():
    r = routine('[[exercises]]\nid = "a"\nname = "A"\nwork = { kind = "reps", reps = 3 }\n')
    with pytest.raises(ValidationError):
        r.exercises[0].name = "B"  # type: ignore[misc]


def test_an_exercise_is_found_by_id_number_or_name():
    r = routine(
        '[[exercises]]\nid = "heel-raises"\nname = "Heel Raises"\n'
        'work = { kind = "reps", reps = 3 }\n'
        '[[exercises]]\nid = "toe-walk"\nname = "Toe Walking"\n'
        'work = { kind = "timed", seconds = 20 }\n'
    )
    assert r.exercise_index("toe-walk") == 1
    assert r.exercise_index("2") == 1
    assert r.exercise_index("Heel Raises") == 0
    assert r.exercise_index("toe") == 1
    assert r.exercise_index("squats") is None


def test_an_open_ended_dose_keeps_the_articles_until_next_to_the_default_used():
    r = routine(
        '[[exercises]]\nid = "a"\nname = "A"\n'
        'work = { kind = "reps", reps = { default = 20, assumed = true }, '
        'until = "Until your feet feel tired." }\n'
    )
    work = r.exercises[0].work
    assert (work.reps.value, work.until) == (20, "until your feet feel tired")


@pytest.mark.parametrize("kind", ["timed", "holds", "circles"])
def test_every_simple_work_kind_takes_an_until(kind):
    dose = {
        "timed": "seconds = 15",
        "holds": "reps = 5, hold = 10",
        "circles": "seconds = 10",
    }[kind]
    r = routine(
        f'[[exercises]]\nid = "a"\nname = "A"\n'
        f'work = {{ kind = "{kind}", {dose}, until = "until you have to stop" }}\n'
    )
    assert r.exercises[0].work.until == "until you have to stop"


@pytest.mark.parametrize("words", ["your feet feel tired", "", "until"])
def test_an_until_that_does_not_read_on_from_the_dose_is_rejected(words):
    problems = errors(
        '[[exercises]]\nid = "a"\nname = "A"\n'
        f'work = {{ kind = "reps", reps = 5, until = "{words}" }}\n'
    )
    assert any("work.reps.until" in p and "must start with 'until'" in p for p in problems)


def test_reps_pause_at_the_top_unless_the_article_says_the_bottom():
    ex = (
        '[[exercises]]\nid = "{id}"\nname = "X"\n'
        'work = {{ kind = "reps", reps = 10, tempo = 5, pause = 1{at} }}\n'
    )
    r = routine(ex.format(id="a", at="") + ex.format(id="b", at=', pause_at = "bottom"'))
    assert [e.work.pause_at for e in r.exercises] == ["top", "bottom"]


def test_a_pause_place_without_a_pause_or_outside_the_rep_is_rejected():
    no_pause = errors(
        '[[exercises]]\nid = "a"\nname = "A"\n'
        'work = { kind = "reps", reps = 10, pause_at = "bottom" }\n'
    )
    assert any("'pause_at' needs 'pause'" in p for p in no_pause)
    middle = errors(
        '[[exercises]]\nid = "a"\nname = "A"\n'
        'work = { kind = "reps", reps = 10, pause = 1, pause_at = "middle" }\n'
    )
    assert any("work.reps.pause_at" in p for p in middle)


def test_alternatives_and_side_setup_are_kept_per_exercise():
    r = routine(
        '[[exercises]]\nid = "a"\nname = "A"\nsides = ["left", "right"]\n'
        'alternatives = ["The Deadmill, 5 minutes."]\n'
        'side_setup.left = ["Right hand on the wall, facing left."]\n'
        'work = { kind = "reps", reps = 25 }\n'
    )
    e = r.exercises[0]
    assert [a.text for a in e.alternatives] == ["The Deadmill, 5 minutes."]
    assert e.side_setup == {"left": ["Right hand on the wall, facing left."]}


def test_side_setup_for_a_side_the_exercise_does_not_work_is_rejected():
    problems = errors(
        '[[exercises]]\nid = "a"\nname = "A"\nsides = ["right", "left"]\n'
        'side_setup.weaker = ["Your stiffer leg."]\n'
        'work = { kind = "reps", reps = 25 }\n'
    )
    assert any("'side_setup' names a side" in p and "weaker" in p for p in problems)
    bad_key = errors(
        '[[exercises]]\nid = "a"\nname = "A"\nsides = ["right"]\n'
        'side_setup.front = ["Face the wall."]\nwork = { kind = "reps", reps = 25 }\n'
    )
    assert any("side_setup" in p for p in bad_key)


def test_what_to_do_afterwards_needs_a_rest_after_the_exercise_to_be_said_in():
    problems = errors(
        '[[exercises]]\nid = "a"\nname = "A"\nafterwards = ["Wiggle your toes."]\n'
        'work = { kind = "reps", reps = 5 }\n'
    )
    assert any("'afterwards'" in p and "rest_after" in p for p in problems)


def test_side_setup_may_name_the_weaker_side_of_an_extra_set():
    r = routine(
        '[[exercises]]\nid = "a"\nname = "A"\nsides = ["left", "right"]\n'
        'extra_sets = [{ side = "weaker", sets = 1 }]\n'
        'side_setup.weaker = ["Stand on your stiffer leg."]\n'
        'work = { kind = "reps", reps = 25 }\n'
    )
    assert "weaker" in r.exercises[0].side_setup


def test_a_frequency_is_the_articles_unless_marked_as_ours():
    exercise = '[[exercises]]\nid = "a"\nname = "A"\nwork = { kind = "reps", reps = 3 }\n'
    assert not routine(exercise).frequency_assumed
    ours = Routine.model_validate(
        tomllib.loads(
            HEADER.replace('"twice a week"', '"once a day"\nfrequency_assumed = true') + exercise
        )
    )
    assert (ours.frequency.words, ours.frequency_assumed) == ("once a day", True)
    assert ours.frequency.times is None  # words only: no streaks against it


def test_step_works_has_one_work_item_per_planned_step_of_a_set():
    r = routine(
        '[[exercises]]\nid = "a"\nname = "A"\n[exercises.work]\nkind = "sequence"\n'
        '[[exercises.work.parts]]\nwork = { kind = "timed", seconds = 20 }\n'
        "[[exercises.work.parts]]\n"
        'work = { kind = "circles", reps = 5, until = "until your ankle feels loose" }\n'
    )
    works = r.exercises[0].step_works()
    steps = plan.steps(r)
    assert len(works) == steps[0].parts == 3  # walk, clockwise, counter-clockwise
    assert [w.kind for w in works] == ["timed", "circles", "circles"]
    assert [s.kind for s in steps] == ["timed", "reps", "reps"]
    assert works[2].until == "until your ankle feels loose"


def test_a_frequency_table_counts_times_per_day_or_week_and_keeps_the_words():
    freq = 'frequency = { words = "2-3 times a week", times = { default = 2, min = 2, max = 3 }, '
    r = Routine.model_validate(
        tomllib.loads(
            HEADER.replace('frequency = "twice a week"', freq + 'per = "week" }')
            + '[[exercises]]\nid = "a"\nname = "A"\nwork = { kind = "timed", seconds = 5 }\n'
        )
    )
    assert (r.frequency.words, r.frequency.least, r.frequency.times_text) == (
        "2-3 times a week",
        2,
        "2-3",
    )


@pytest.mark.parametrize(
    "table",
    [
        '{ words = "twice a week", times = 2 }',
        '{ words = "twice a week", per = "week" }',
        '{ words = "twice a week", times = 2, per = "fortnight" }',
    ],
)
def test_a_frequency_needs_both_times_and_a_day_or_week(table):
    with pytest.raises(ValidationError, match="frequency"):
        Routine.model_validate(
            tomllib.loads(
                HEADER.replace('frequency = "twice a week"', f"frequency = {table}")
                + '[[exercises]]\nid = "a"\nname = "A"\nwork = { kind = "timed", seconds = 5 }\n'
            )
        )
