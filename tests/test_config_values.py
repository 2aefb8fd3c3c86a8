"""Every key of the config file with a value of the wrong type or out of its range, and
the paths and environment variables the program reads: each is refused with the file,
the key, the value found and what the key holds, or read as the user meant it; never a
traceback, never a slip taken silently (`rate = true` is not 1 word a minute)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from voicecoach import xdg
from voicecoach.cli import main
from voicecoach.errors import ExitCode
from voicecoach.settings import EXPECTED, KEYS


def write_config(text: str) -> Path:
    config = xdg.config_dir() / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text + "\n", encoding="utf-8")
    return config


def test_every_key_says_what_it_holds() -> None:
    assert set(EXPECTED) == set(KEYS)


BAD = [
    ("voice", "5", "Input should be a valid string"),
    ("voice", '""', "empty"),
    ("voice", '"   "', "empty"),
    ("voice", '"en\\u001b[2J"', "a control character (U+001B)"),
    ("rate", '"fast"', "Input should be a valid integer"),
    ("rate", "true", "Input should be a valid integer"),
    ("rate", "150.5", "Input should be a valid integer"),
    ("rate", "10", "Input should be greater than or equal to 40"),
    ("rate", "1e400", "Input should be a valid integer"),
    ("rate", "{ a = 1 }", "Input should be a valid integer"),
    ("volume", '"loud"', "Input should be a valid number"),
    ("volume", "true", "Input should be a valid number"),
    ("volume", "nan", "Input should be a finite number"),
    ("volume", "inf", "Input should be a finite number"),
    ("volume", "-0.1", "Input should be greater than or equal to 0"),
    ("volume", "1.5", "Input should be less than or equal to 1"),
    ("output_device", "1.5", "Input should be a valid string"),
    ("output_device", "true", "Input should be a valid string"),
    ("output_device", '""', "empty"),
    ("input_device", "[]", "Input should be a valid string"),
    ("input_device", '"mic\\u0007"', "a control character (U+0007)"),
    ("engine", '"VOSK"', "Input should be 'auto', 'vosk', 'whisper', 'pocketsphinx' or 'keys'"),
    ("engine", "1", "Input should be 'auto', 'vosk', 'whisper', 'pocketsphinx' or 'keys'"),
    ("model", "3", "Input should be a valid string"),
    ("model", '""', "empty"),
    ("ready_timeout", "-1", "Input should be greater than or equal to 0"),
    ("ready_timeout", "nan", "Input should be a finite number"),
    ("ready_timeout", "true", "Input should be a valid number"),
    ("ready_timeout", '"20"', "Input should be a valid number"),
    ("ready_timeout", "4000", "Input should be less than or equal to 3600"),
    ("screen", '"no"', "Input should be a valid boolean"),
    ("screen", "1", "Input should be a valid boolean"),
    ("screen", '"maybe"', "Input should be a valid boolean"),
]


@pytest.mark.parametrize(("key", "value", "problem"), BAD)
def test_a_bad_value_is_refused_naming_the_file_the_key_the_value_and_what_it_holds(
    key: str, value: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(f"{key} = {value}")
    assert main(["config"]) == ExitCode.INVALID
    assert main(["start", "behind-knee", "--fast", "--text"]) == ExitCode.INVALID
    err = capsys.readouterr().err
    line = f"voicecoach: {config}: {key}: {problem} (got "
    assert err.count(line) == 2, err
    assert f"; {key} is {EXPECTED[key]}" in err
    assert "hint: fix the value in the file, or remove the key to use the default" in err
    assert "\x1b" not in err
    assert "\x07" not in err


@pytest.mark.parametrize(
    ("value", "shown"),
    [("true", "(got true)"), ('"fast"', "(got 'fast')"), ('"a\\u001bb"', "(got 'a\\x1bb')")],
)
def test_the_value_found_is_shown_as_the_file_wrote_it(
    value: str, shown: str, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "voice" if "u001b" in value else "rate"
    write_config(f"{key} = {value}")
    assert main(["config"]) == ExitCode.INVALID
    assert shown in capsys.readouterr().err


def test_an_unknown_key_lists_the_keys(capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config("Rate = 150")
    assert main(["config"]) == ExitCode.INVALID
    err = capsys.readouterr().err
    assert f"{config}: Rate: unknown key" in err
    assert "hint: the keys are: voice, rate, volume" in err


@pytest.mark.parametrize(
    "line",
    [
        "rate = 150",
        "volume = 1",  # a whole number is a number
        "volume = 0.5",
        "output_device = 3",  # an index
        'input_device = "USB"',
        "ready_timeout = 0",
        "ready_timeout = 20.5",
        "screen = false",
        'engine = "keys"',
        'voice = "english-us"',
    ],
)
def test_a_good_value_is_taken(line: str, capsys: pytest.CaptureFixture[str]) -> None:
    write_config(line)
    assert main(["config"]) == ExitCode.OK
    key = line.split()[0]
    (row,) = [r for r in capsys.readouterr().out.splitlines() if r.split()[:1] == [key]]
    assert row.rstrip().endswith("config file")


@pytest.mark.parametrize(
    ("argv", "code", "said"),
    [
        (["show", "~nosuchuser/feet.toml"], ExitCode.NOT_FOUND, "no routine file"),
        (["start", "~nosuchuser/feet.toml", "--fast"], ExitCode.NOT_FOUND, "no routine file"),
        (["validate", "~nosuchuser/feet.toml"], ExitCode.INVALID, "no such file"),
        (["model", "path", "--model", "~nosuchuser/m"], ExitCode.MODEL, "does not exist"),
    ],
)
def test_a_path_of_a_user_who_does_not_exist_is_a_path_that_does_not_exist(
    argv: list[str], code: ExitCode, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """As a shell leaves `~nosuchuser` as it is; pathlib raised RuntimeError (exit 1)."""
    assert main(argv) == code
    captured = capsys.readouterr()
    assert said in captured.out + captured.err


def test_a_relative_cache_folder_is_ignored_as_the_xdg_rules_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`list` keeps what it validated in the cache; a relative XDG_CACHE_HOME wrote it
    into whatever folder the command ran in."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative-cache")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert main(["list"]) == ExitCode.OK
    assert os.listdir(work) == []
    assert (tmp_path / "home" / ".cache" / "voicecoach" / "list.json").is_file()


@pytest.mark.parametrize("typed", ["\x1b[2Jfeet", "x\x1b]0;title\x07"])
def test_a_message_repeating_what_was_typed_shows_its_control_characters_as_escapes(
    typed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The terminal would obey them: clear the screen, retitle the window."""
    assert main(["show", typed]) == ExitCode.NOT_FOUND
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert "\x07" not in err
    assert "\\x1b" in err
