"""Routines are found by name (the user's folder first, then the packaged ones) or by path,
and a file that cannot be used says, per problem, which field is wrong and why."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import USER_ROUTINE

from voicecoach import catalog
from voicecoach.errors import RoutineInvalid, RoutineNotFound

PACKAGED = ("back-hip-knee", "back-hip-knee-20", "behind-knee", "ground-up", "knee-strength")


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(RoutineInvalid) as info:
        catalog.load(path)
    assert info.value.problems
    assert all(line.startswith(f"{path}: ") for line in info.value.problems)
    return info.value.problems


def test_the_packaged_routines_are_all_listed(user_dir):
    assert [e.name for e in catalog.entries()] == list(PACKAGED)


def test_a_user_routine_adds_to_the_list(user_dir):
    write(user_dir / "mine.toml", USER_ROUTINE.format(name="mine", title="My routine"))
    assert "mine" in [e.name for e in catalog.entries()]
    assert catalog.find("mine").title == "My routine"


def test_a_user_routine_hides_the_packaged_one_of_the_same_name(user_dir):
    write(user_dir / "ground-up.toml", USER_ROUTINE.format(name="ground-up", title="My ground-up"))
    assert [e.name for e in catalog.entries()].count("ground-up") == 1
    assert catalog.locate("ground-up").parent == user_dir
    assert catalog.find("ground-up").title == "My ground-up"


def test_a_path_finds_a_file_anywhere(tmp_path, user_dir):
    path = write(tmp_path / "elsewhere.toml", USER_ROUTINE.format(name="elsewhere", title="T"))
    assert catalog.find(str(path)).name == "elsewhere"


def test_an_unknown_name_suggests_close_ones(user_dir):
    with pytest.raises(RoutineNotFound) as info:
        catalog.locate("back-hip")
    assert "'back-hip-knee'" in info.value.message
    assert "did you mean" in info.value.message


def test_a_missing_path_is_not_found(tmp_path, user_dir):
    with pytest.raises(RoutineNotFound):
        catalog.locate(str(tmp_path / "nope.toml"))


def test_broken_toml_names_the_line(tmp_path):
    (line,) = problems(write(tmp_path / "x.toml", 'name = "x"\ntitle = \n'))
    assert "invalid TOML" in line
    assert "line 2" in line


@pytest.mark.parametrize(
    ("old", "new", "field", "says"),
    [
        ("seconds = 60", 'seconds = "sixty"', "exercises[0].work.seconds", "valid"),
        ("seconds = 60", "seconds = -5", "exercises[0].work.seconds", "greater than 0"),
        ('id = "walk"', 'id = "walk"\nspeed = 3', "exercises[0].speed", "unknown field"),
        ('kind = "timed"', 'kind = "jog"', "exercises[0].work", "does not match"),
    ],
)
def test_each_problem_names_the_field_and_what_is_wrong(tmp_path, old, new, field, says):
    source = USER_ROUTINE.format(name="x", title="T").replace(old, new)
    lines = problems(write(tmp_path / "x.toml", source))
    assert any(f": {field}: " in line and says in line for line in lines), lines


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    source = USER_ROUTINE.format(name="Bad Name", title="T").replace("seconds = 60", "seconds = 0")
    lines = problems(write(tmp_path / "x.toml", source))
    assert len(lines) == 2


def test_a_file_that_is_not_utf8_cannot_be_read(tmp_path):
    (line,) = problems(write(tmp_path / "x.toml", "title = 'caf\xe9'".encode("latin-1")))
    assert "cannot read" in line


def test_a_byte_order_mark_from_a_windows_editor_is_fine(tmp_path):
    text = USER_ROUTINE.format(name="bom", title="T").encode("utf-8-sig")
    assert catalog.load(write(tmp_path / "bom.toml", text)).name == "bom"


def test_a_folder_is_not_a_routine_file(tmp_path):
    (line,) = problems(tmp_path)
    assert "cannot read" in line


def test_a_pause_longer_than_the_rep_is_rejected(tmp_path):
    source = USER_ROUTINE.format(name="x", title="T").replace(
        'work = { kind = "timed", seconds = 60 }',
        'work = { kind = "reps", reps = 10, tempo = 2, pause = 3 }',
    )
    lines = problems(write(tmp_path / "x.toml", source))
    assert any("pause" in line and "shorter than 'tempo'" in line for line in lines)


def test_extra_sets_on_a_side_the_exercise_does_not_use_are_rejected(tmp_path):
    source = USER_ROUTINE.format(name="x", title="T").replace(
        'name = "Walk"',
        'name = "Walk"\nsides = ["right"]\nextra_sets = [{ side = "left", sets = 1 }]',
    )
    lines = problems(write(tmp_path / "x.toml", source))
    assert any("not in 'sides'" in line for line in lines)
