"""A routine file that `validate` accepts is one `start` can run: every number is finite and
under a ceiling no real routine reaches, the file is a regular file of a sane size, its
nesting is limited before it is parsed, and each problem names the file and the field."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from factories import USER_ROUTINE

from voicecoach import catalog
from voicecoach.cli import main
from voicecoach.errors import ExitCode, RoutineInvalid
from voicecoach.routine import Routine

TIMED = 'work = { kind = "timed", seconds = 60 }'


def mine(work: str = TIMED, extra: str = "") -> str:
    """The one-exercise user routine 'mine', with this work line and extra exercise fields."""
    return USER_ROUTINE.format(name="mine", title="Mine").replace(TIMED, f"{work}\n{extra}")


def first_problem(path: Path) -> str:
    with pytest.raises(RoutineInvalid) as info:
        catalog.load(path)
    return info.value.problems[0].removeprefix(f"{path}: ")


# (the exercise's work line, more exercise fields) -> the field named in the first problem
OUT_OF_BOUNDS = {
    "nan seconds": ('work = { kind = "timed", seconds = { default = nan } }', "", "seconds"),
    "inf seconds": ('work = { kind = "timed", seconds = inf }', "", "work.seconds"),
    "a hold of 1e18 s": (
        'work = { kind = "holds", reps = 3, hold = 1e18 }',
        "",
        "work.hold: must be at most 14400",
    ),
    "reps of 1e18": ('work = { kind = "reps", reps = 1000000000000000000 }', "", "work.reps"),
    "2**31 sets": (TIMED, "sets = 2147483648", "sets: must be at most"),
    "101 sets": (TIMED, "sets = 101", "at most 100 sets"),
    "an infinite max": (TIMED, "sets = { default = 2, max = inf }", "sets.max"),
    "a tempo of 5 hours": (
        'work = { kind = "reps", reps = 10, tempo = 18000 }',
        "",
        "work.tempo: must be at most 14400",
    ),
    "a rest of 1e300 s": (TIMED, "rest_after = 1e300", "rest_after: must be at most"),
    "too many reps in all": (
        'work = { kind = "reps", reps = 1000, tempo = 1 }',
        "sets = 11",
        "counts 11000 reps in all; at most 3000",
    ),
    "a plan of 4 days": (
        'work = { kind = "timed", seconds = 14400 }',
        "sets = 24",
        "takes about 96 hours; at most 24",
    ),
    "1200 sets and parts": (
        'work = { kind = "sequence", parts = ['
        + ", ".join(['{ work = { kind = "timed", seconds = 1 } }'] * 6)
        + "] }",
        'sets = 100\nsides = ["right", "left"]',
        "1200 sets and parts in all; at most 1000",
    ),
    "51 sequence parts": (
        'work = { kind = "sequence", parts = ['
        + ", ".join(['{ work = { kind = "timed", seconds = 1 } }'] * 51)
        + "] }",
        "",
        "work.parts: List should have at most 50 items",
    ),
    "21 setup lines": (  # 20,000 of them took minutes to plan
        TIMED,
        "setup = [" + ", ".join(['"Lie down."'] * 21) + "]",
        "setup: List should have at most 20 items",
    ),
    "21 setup lines for one side": (
        TIMED,
        'sides = ["right", "left"]\nside_setup = { right = [' + ", ".join(['"x"'] * 21) + "] }",
        "side_setup.right: List should have at most 20 items",
    ),
    "an escape sequence in a cue": (
        TIMED,
        'cues = ["Breathe.", "Clear \\u001b[2J the screen"]',
        "cues[1]: a control character (U+001B)",
    ),
    "a bell in the work's label": (
        'work = { kind = "timed", seconds = 60, label = "ding\\u0007" }',
        "",
        "work.label: a control character (U+0007)",
    ),
}


@pytest.mark.parametrize("case", OUT_OF_BOUNDS)
def test_a_number_start_cannot_run_is_refused_naming_the_field(case, tmp_path):
    work, extra, expected = OUT_OF_BOUNDS[case]
    path = tmp_path / "mine.toml"
    path.write_text(mine(work, extra))
    assert expected in first_problem(path)


def test_the_ceilings_leave_room_for_any_real_routine(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(mine('work = { kind = "reps", reps = 1000, tempo = 1 }', "sets = 3"))
    assert catalog.load(path).exercises[0].sets.value == 3


def test_more_than_200_exercises_are_refused():
    walk = {"id": "w", "name": "Walk", "work": {"kind": "timed", "seconds": 1}}
    exercises = [dict(walk, id=f"w{i}") for i in range(201)]
    with pytest.raises(ValueError, match="at most 200 items"):
        Routine.model_validate({"name": "x", "title": "X", "exercises": exercises})


def test_every_repeated_id_is_named_once():
    walk = {"id": "w", "name": "Walk", "work": {"kind": "timed", "seconds": 1}}
    exercises = [dict(walk, id=f"w{i % 100}") for i in range(150)]
    with pytest.raises(ValueError, match="repeated: w0, w1, w10,"):
        Routine.model_validate({"name": "x", "title": "X", "exercises": exercises})


def test_text_longer_than_2000_characters_is_refused(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(mine(extra=f'cues = ["{"a" * 2001}"]'))
    assert "cues[0]: String should have at most 2000 characters" in first_problem(path)


# -------------------------------------------------------------------------- the file


def test_a_toml_nested_1000_deep_is_refused_before_parsing(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text('name = "deep"\nx = ' + "[" * 1000 + "]" * 1000 + "\n")
    assert "nest more than 16 levels" in first_problem(path)


def test_dotted_keys_1000_deep_are_refused_too(tmp_path):
    path = tmp_path / "dotted.toml"
    path.write_text(".".join(["a"] * 1000) + " = 1\n")
    assert "nest more than 16 levels" in first_problem(path)


def test_brackets_inside_strings_and_comments_do_not_count_as_nesting():
    text = "a = \"[[[[[[[[[[[[[[[[[[[\"  # {{{{{{{{{{{{{{{{{{\nb = '''\n[[[[[[[[[[[[[[[[[['''\n"
    assert catalog.nesting_depth(text) == 0
    assert catalog.nesting_depth("x = [[1], {a = [2]}]") == 3


def test_a_file_over_1_mb_is_refused(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(mine() + "# padding\n" * 110_000)
    assert "larger than 1000 kB" in first_problem(path)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_symlink_to_a_device_is_refused_at_once(device, tmp_path):
    path = tmp_path / "mine.toml"
    path.symlink_to(device)
    assert "not a regular file" in first_problem(path)


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    path = tmp_path / "mine.toml"
    os.mkfifo(path)
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(first_problem(path)), daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert found, "reading a FIFO must not wait for a writer"
    assert "not a regular file" in found[0]


@pytest.mark.parametrize("command", ["validate", "show", "start"])
def test_every_command_reports_a_device_cleanly(command, tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.symlink_to("/dev/zero")
    extra = ["--fast", "--text"] if command == "start" else []
    assert main([command, str(path), *extra]) == ExitCode.INVALID
    out, err = capsys.readouterr()
    assert "not a regular file" in out + err
    assert "Traceback" not in out + err


# ----------------------------------------------------------------------- own routines


SHORT = """
name = "my-feet"
title = "My feet"
[[exercises]]
id = "circles"
name = "Ankle circles"
work = { kind = "circles", reps = 10 }
"""


def test_a_short_personal_routine_needs_no_source_frequency_or_disclaimer(user_dir, capsys):
    (user_dir / "my-feet.toml").write_text(SHORT)
    assert main(["validate", str(user_dir / "my-feet.toml")]) == ExitCode.OK
    assert main(["show", "my-feet"]) == ExitCode.OK
    assert main(["start", "my-feet", "--fast", "--text"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "Ankle circles" in out
    assert "How often" not in out


def test_a_file_whose_name_differs_from_its_name_field_says_how_to_fix_it(user_dir, capsys):
    path = user_dir / "my-routine.toml"
    path.write_text(SHORT)
    assert main(["validate", str(path)]) == ExitCode.INVALID
    out = capsys.readouterr().out
    assert "name: 'my-feet' is not the file's name 'my-routine'" in out
    assert "rename the file to 'my-feet.toml' or set name = \"my-routine\"" in out
    main(["list"])
    assert "my-routine (yours)  BROKEN: name: 'my-feet'" in capsys.readouterr().out
    assert main(["show", "my-feet"]) == ExitCode.NOT_FOUND
    err = capsys.readouterr().err
    assert f"no routine 'my-feet': {path} says name = \"my-feet\"" in err
    assert "rename the file to 'my-feet.toml'" in err


def test_devices_and_fifos_in_the_routine_folder_are_listed_as_broken(user_dir, capsys):
    (user_dir / "zero.toml").symlink_to("/dev/zero")
    (user_dir / "random.toml").symlink_to("/dev/urandom")
    os.mkfifo(user_dir / "pipe.toml")
    for _ in range(2):  # validated, then from the cache
        assert main(["list"]) == ExitCode.OK
        out = capsys.readouterr().out
        assert "ground-up" in out
        for name in ("zero", "random", "pipe"):
            assert f"{name} (yours)  BROKEN: cannot read: not a regular file" in out
