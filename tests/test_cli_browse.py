"""Browsing routines from the command line: `list`, `show`, `validate` and `schema` give
plain answers and exit codes, and no user mistake ever shows a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from factories import USER_ROUTINE

from voicecoach import catalog
from voicecoach.cli import main
from voicecoach.commands import list as list_command
from voicecoach.errors import ExitCode
from voicecoach.runtime.simulation import estimate_minutes

BROKEN = {
    "broken-toml": ('name = "x"\ntitle = \n', "invalid TOML"),
    "wrong-type": (USER_ROUTINE.replace("seconds = 60", 'seconds = "a minute"'), "work.seconds"),
    "negative": (USER_ROUTINE.replace("seconds = 60", "seconds = -1"), "greater than 0"),
    "unknown-field": (
        USER_ROUTINE.replace('id = "walk"', 'id = "walk"\nreps = 3'),
        "unknown field",
    ),
    "non-utf8": ("title = 'caf\xe9'".encode("latin-1"), "cannot read"),
}


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content.format(name=path.stem, title=f"Title of {path.stem}"))
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def rows(out: str) -> dict[str, list[str]]:
    """`list` table rows by name: the columns split on runs of 2+ spaces."""
    lines = out.strip().splitlines()
    assert lines[0].split() == ["NAME", "TITLE", "EXERCISES", "MINUTES", "EQUIPMENT"]
    return {re.split(r"\s{2,}", line)[0]: re.split(r"\s{2,}", line) for line in lines[1:]}


# --------------------------------------------------------------------------------- list


def test_list_shows_every_routine_with_its_size_time_and_equipment(user_dir, capsys):
    code, out, err = run(capsys, "list")
    assert code == 0
    assert err == ""
    table = rows(out)
    assert sorted(table) == [e.name for e in catalog.entries()]
    r = catalog.find("ground-up")
    _name, _title, exercises, minutes, equipment = table["ground-up"]
    assert (exercises, minutes) == (str(len(r.exercises)), str(estimate_minutes(r)))
    assert "wall" in equipment


def test_piped_list_gives_each_routine_s_whole_title_on_one_plain_line(user_dir, capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    table = rows(out)
    for entry in catalog.entries():
        assert table[entry.name][1] == catalog.find(entry.name).title  # not cut with "…"
    assert "…" not in out
    assert len(out.splitlines()) == len(table) + 1  # no row wrapped


def test_a_user_routine_is_listed_and_marked_as_yours(user_dir, capsys):
    write(user_dir / "mine.toml", USER_ROUTINE)
    code, out, _ = run(capsys, "list")
    assert code == 0
    minutes = str(estimate_minutes(catalog.find("mine")))
    assert rows(out)["mine (yours)"][1:] == ["Title of mine", "1", minutes, "mat"]


def test_a_user_routine_overrides_the_packaged_one_in_the_list(user_dir, capsys):
    write(user_dir / "ground-up.toml", USER_ROUTINE)
    _, out, _ = run(capsys, "list")
    table = rows(out)
    assert "ground-up" not in table
    assert table["ground-up (yours)"][1] == "Title of ground-up"


def test_an_invalid_user_routine_is_listed_as_broken_with_its_first_error(user_dir, capsys):
    write(user_dir / "broken.toml", BROKEN["broken-toml"][0])
    for _ in range(2):  # validated, then from the cache
        code, out, _ = run(capsys, "list")
        assert code == 0
        assert "back-hip-knee" in rows(out)
        (line,) = [x for x in out.splitlines() if "BROKEN" in x]
        assert line.startswith("broken (yours)  BROKEN: invalid TOML")
        assert f"voicecoach validate {user_dir / 'broken.toml'}" in line


def test_a_routine_that_cannot_run_does_not_hide_the_others(user_dir, capsys):
    nan = USER_ROUTINE.replace("seconds = 60", "seconds = {{ default = nan }}")
    write(user_dir / "nan.toml", nan)
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert "ground-up" in rows(out)
    assert "nan (yours)  BROKEN: exercises[0].work.seconds.default: Input should be a finite" in out


def test_list_sees_an_edit_even_with_the_cache_filled(user_dir, capsys):
    path = write(user_dir / "mine.toml", USER_ROUTINE)
    run(capsys, "list")
    path.write_text(USER_ROUTINE.format(name="mine", title="Renamed"))
    _, out, _ = run(capsys, "list")
    assert rows(out)["mine (yours)"][1] == "Renamed"
    path.write_text("not = [valid")
    _, out, _ = run(capsys, "list")
    assert "mine (yours)  BROKEN: invalid TOML" in out


def test_a_cached_summary_is_used_without_validating_again(user_dir, capsys, monkeypatch):
    write(user_dir / "mine.toml", USER_ROUTINE)
    run(capsys, "list")
    validated = []
    real = list_command._validate
    monkeypatch.setattr(list_command, "_validate", lambda *a: validated.append(a) or real(*a))
    _, out, _ = run(capsys, "list")
    assert validated == []
    assert "mine (yours)" in rows(out)
    run(capsys, "list", "--no-cache")
    assert len(validated) == len(catalog.entries())


def test_a_corrupt_cache_is_ignored(user_dir, capsys, tmp_path):
    cache = tmp_path / "cache" / "voicecoach" / "list.json"
    cache.parent.mkdir(parents=True)
    cache.write_text('{"code": 1, "files": [')
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert "ground-up" in rows(out)
    assert json.loads(cache.read_text())["files"]


# --------------------------------------------------------------------------------- show


def test_show_an_unknown_name_suggests_close_ones(user_dir, capsys):
    code, _, err = run(capsys, "show", "back-hip")
    assert code == ExitCode.NOT_FOUND
    assert "no routine 'back-hip'; did you mean 'back-hip-knee'" in err


def test_show_prints_ranges_with_the_number_used_and_marks_ours(user_dir, capsys):
    code, out, _ = run(capsys, "show", "back-hip-knee")
    assert code == 0
    assert "10-20 reps (using 10)" in out
    assert "2-3 sets (using 2)" in out
    assert "right then left" in out
    assert "* our number" in out
    assert "Disclaimer (ours: the article gives none):" in out  # the article has none
    assert "the article says 20 minutes" in out
    assert "its own numbers add up to more" in out  # why the estimate is longer


def test_show_spells_out_a_superset_and_the_weaker_side(user_dir, capsys):
    _, out, _ = run(capsys, "show", "ground-up")
    assert "Steps (alternating):" in out
    assert "Tibialis Raise, set 1 of 2" in out
    assert "Calf Raise, set 1 of 2" in out
    assert "set 3 of 3, weaker side" in out
    assert "2 times a week" in out


def test_show_takes_a_path(tmp_path, user_dir, capsys):
    path = write(tmp_path / "mine.toml", USER_ROUTINE)
    code, out, _ = run(capsys, "show", str(path))
    assert code == 0
    assert out.startswith("Title of mine  [mine]")


def test_show_brief_leaves_out_the_steps(user_dir, capsys):
    _, out, _ = run(capsys, "show", "behind-knee", "--brief")
    assert "Toe Presses" in out
    assert "Steps" not in out


def test_show_an_invalid_file_lists_its_problems(tmp_path, user_dir, capsys):
    path = write(tmp_path / "bad.toml", BROKEN["negative"][0])
    code, _, err = run(capsys, "show", str(path))
    assert code == ExitCode.INVALID
    assert "greater than 0" in err


# ----------------------------------------------------------------------------- validate


def test_validate_says_ok_for_each_good_file(tmp_path, user_dir, capsys):
    a, b = write(tmp_path / "a.toml", USER_ROUTINE), write(tmp_path / "b.toml", USER_ROUTINE)
    code, out, _ = run(capsys, "validate", str(a), str(b))
    assert code == 0
    assert out.splitlines() == [f"ok: {a}", f"ok: {b}"]


def test_validate_without_files_checks_every_routine(user_dir, capsys):
    code, out, _ = run(capsys, "validate")
    assert code == 0
    assert len(out.splitlines()) == len(catalog.entries())


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_validate_reports_a_bad_file_by_name_without_a_traceback(tmp_path, user_dir, capsys, case):
    content, says = BROKEN[case]
    path = write(tmp_path / f"{case}.toml", content)
    code, out, _ = run(capsys, "validate", str(path))
    assert code == ExitCode.INVALID
    assert all(line.startswith(f"{path}: ") for line in out.splitlines())
    assert says in out


def test_validate_a_missing_file_or_an_empty_folder(tmp_path, user_dir, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, _ = run(capsys, "validate", str(tmp_path / "nope.toml"), str(empty))
    assert code == ExitCode.INVALID
    assert out.splitlines() == [
        f"{tmp_path / 'nope.toml'}: no such file",
        f"{empty}: a folder with no .toml files",
    ]


def test_validate_a_folder_checks_its_files_and_reports_each(tmp_path, user_dir, capsys):
    write(tmp_path / "good.toml", USER_ROUTINE)
    write(tmp_path / "bad.toml", BROKEN["unknown-field"][0])
    code, out, _ = run(capsys, "validate", str(tmp_path))
    assert code == ExitCode.INVALID
    lines = out.splitlines()
    assert f"ok: {tmp_path / 'good.toml'}" in lines
    assert f"{tmp_path / 'bad.toml'}: exercises[0].reps: unknown field" in lines[0]


# ------------------------------------------------------------------------------- schema


def test_schema_prints_the_routine_json_schema(user_dir, capsys):
    code, out, _ = run(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["title"] == "Routine"
    assert {"name", "exercises", "disclaimer"} <= set(schema["properties"])
    assert "exercises" in schema["required"]
