"""The routine format accepts every kind of dose the articles use and rejects nonsense
with a message naming the field."""

from __future__ import annotations

import tomllib

import pytest
from pydantic import ValidationError

from voicecoach.routine import Routine

BASE = """
name = "demo"
title = "Demo"
frequency = "twice a week"
disclaimer = "Stop if it hurts."
[source]
title = "An article"
"""


def routine(exercises: str) -> Routine:
    return Routine.model_validate(tomllib.loads(BASE + exercises))


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
