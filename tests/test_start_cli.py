"""`voicecoach start`: whole sessions through the command line, on the virtual clock."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from factories import silent_wav

from voicecoach import catalog, plan, xdg
from voicecoach.bootstrap import build_session
from voicecoach.cli import build_parser, main
from voicecoach.commands.start import session_options
from voicecoach.errors import ExitCode
from voicecoach.runtime import simulation

SEEDS = sorted(p.stem for p in catalog.packaged_dir().glob("*.toml"))


def read_log(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("name", SEEDS)
def test_start_fast_text_runs_the_whole_routine_and_logs_every_exercise_and_side(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "x.jsonl"
    assert main(["start", name, "--fast", "--text", "--log", str(log)]) == 0

    records = read_log(log)
    routine = catalog.load(catalog.packaged_dir() / f"{name}.toml")
    assert records[0]["type"] == "session"
    assert records[0]["routine"] == name
    worked = {(r["index"], r["side"]) for r in records if r["type"] == "state"}
    for i, ex in enumerate(routine.exercises):
        for side in ex.sides or [None]:
            assert (i, side) in worked, f"no state record for {ex.id} {side}"
    end = records[-1]
    assert (end["type"], end["completed"], end["reason"]) == ("end", True, "completed")
    assert end["t"] == pytest.approx(plan.rough_seconds(routine), rel=0.3)
    says = [r["t"] for r in records if r["type"] in ("say", "cue")]
    assert all(a <= b for a, b in itertools.pairwise(says))  # one voice, one sound at a time
    out = capsys.readouterr().out
    assert re.search(
        rf"^\[\d\d:\d\d\] {re.escape(routine.exercises[0].name)} · set 1 of ", out, re.M
    )


def test_fast_without_text_prints_the_coach_because_nothing_can_play_in_virtual_time(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["start", "behind-knee", "--fast"]) == 0
    out = capsys.readouterr().out
    assert " · Exercise 1 of " in out


def test_from_starts_the_session_at_the_named_exercise(tmp_path: Path) -> None:
    log = tmp_path / "x.jsonl"
    assert main(["start", "behind-knee", "--fast", "--from", "2", "--log", str(log)]) == 0
    indexes = {r["index"] for r in read_log(log) if r["type"] == "state"} - {None}
    assert min(indexes) == 1


def test_a_shorter_ready_timeout_makes_a_shorter_session(tmp_path: Path) -> None:
    ends = []
    for timeout in ("15", "3"):
        log = tmp_path / f"{timeout}.jsonl"
        main(["start", "behind-knee", "--fast", "--ready-timeout", timeout, "--log", str(log)])
        ends.append(read_log(log)[-1]["t"])
    exercises = len(catalog.find("behind-knee").exercises)
    assert ends[0] - ends[1] == pytest.approx(12 * exercises, abs=1)


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["start", "behind-knee", "--fast", "--from", "nope"], ExitCode.USAGE, "no exercise"),
        (["start", "no-such-routine", "--fast"], ExitCode.NOT_FOUND, "no routine"),
        (["start", "behind-knee", "--fast", "--echo", "0.5"], ExitCode.USAGE, "--listen-file"),
        (["start", "behind-knee", "--fast", "--ready-timeout", "-1"], ExitCode.USAGE, "ready"),
        (
            ["start", "behind-knee", "--fast", "--listen-file", "missing.wav"],
            ExitCode.NOT_FOUND,
            "--listen-file: no such file: missing.wav",
        ),
        # an empty path is no path (Path("") would be the current folder)
        (["validate", ""], ExitCode.USAGE, "validate was given an empty path"),
        (["validate", "a.toml", " "], ExitCode.USAGE, "('.' for the current folder)"),
        (["show", ""], ExitCode.USAGE, "the routine's name is empty"),
        (["start", "", "--fast"], ExitCode.USAGE, "give a routine's name from 'voicecoach list'"),
        (["start", "behind-knee", "--fast", "--log", ""], ExitCode.USAGE, "--log is empty"),
        (["start", "behind-knee", "--fast", "--model", ""], ExitCode.USAGE, "--model is empty"),
    ],
)
def test_user_mistakes_exit_with_a_message_and_no_traceback(
    argv: list[str], code: ExitCode, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == code
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["start", "missing.toml", "--fast"],
        ["start", "behind-knee", "--fast", "--listen-file", "missing.wav"],
        ["eval", "missing-clips"],
        # a --model that is not there, whether or not the session would listen
        ["start", "behind-knee", "--fast", "--text", "--model", "missing-model"],
        ["start", "behind-knee", "--fast", "--engine", "keys", "--model", "missing-model"],
        ["start", "behind-knee", "--fast", "--engine", "whisper", "--model", "missing-model"],
        ["check", "--model", "missing-model"],
        ["eval", "clips", "--model", "missing-model"],
    ],
)
def test_a_file_or_folder_the_user_named_that_does_not_exist_has_one_exit_code(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == ExitCode.NOT_FOUND
    err = capsys.readouterr().err
    assert err.startswith("voicecoach: ")
    assert "missing" in err
    assert "\n  hint: " in err
    assert "Traceback" not in err


def test_a_missing_model_is_refused_naming_it_and_saying_what_to_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["start", "behind-knee", "--fast", "--model", "/nope"]) == ExitCode.NOT_FOUND
    assert capsys.readouterr().err == (
        "voicecoach: --model /nope: not found\n"
        "  hint: give the folder of an unpacked Vosk model ('voicecoach model' shows the one "
        "found, 'voicecoach model download' fetches the small English one), or leave --model "
        "out\n"
    )


def test_a_missing_model_in_the_config_file_is_named_as_the_config_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "voicecoach").mkdir()
    (tmp_path / "voicecoach" / "config.toml").write_text('model = "/nope"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert main(["start", "behind-knee", "--fast", "--text"]) == ExitCode.NOT_FOUND
    assert "the config file's model /nope: not found" in capsys.readouterr().err


def test_ctrl_c_ends_the_session_cleanly_with_a_complete_log(tmp_path: Path) -> None:
    log = tmp_path / "x.jsonl"
    args = build_parser().parse_args(["start", "behind-knee", "--fast", "--log", str(log)])
    lines: list[str] = []

    def impatient(line: str) -> None:
        lines.append(line)
        if len(lines) == 40:
            raise KeyboardInterrupt

    session = build_session(session_options(args), out=impatient)
    with pytest.raises(KeyboardInterrupt):  # cli.main turns it into ExitCode.INTERRUPTED
        session.run()
    end = read_log(log)[-1]
    assert (end["type"], end["completed"], end["reason"]) == ("end", False, "interrupted")


def test_ctrl_c_while_the_ears_load_still_ends_the_log(tmp_path: Path) -> None:
    def interrupted_while_loading(*args: object) -> None:
        raise KeyboardInterrupt

    log = tmp_path / "x.jsonl"
    args = build_parser().parse_args(["start", "behind-knee", "--fast", "--log", str(log)])
    with pytest.raises(KeyboardInterrupt):  # cli.main turns it into ExitCode.INTERRUPTED
        build_session(session_options(args), load_ears=interrupted_while_loading)

    end = read_log(log)[-1]
    assert (end["type"], end["completed"], end["reason"]) == ("end", False, "interrupted")


def write_quiet(path: Path) -> None:
    """One second of a quiet room, as a WAV for --listen-file."""
    import wave

    import numpy as np

    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16_000)
        w.writeframes((np.random.default_rng(0).standard_normal(16_000) * 30).astype("<i2"))


def test_a_listening_session_says_at_start_which_recognizer_runs_and_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    quiet = tmp_path / "quiet.wav"
    write_quiet(quiet)
    args = ["start", "behind-knee", "--fast", "--text", "--from", "3", "--ready-timeout", "1"]
    assert main([*args, "--listen-file", str(quiet), "--engine", "pocketsphinx"]) == 0
    err = capsys.readouterr().err
    assert "voicecoach: speech recognizer: pocketsphinx (chosen with --engine pocketsphinx)" in err


def test_a_session_whose_stdout_is_closed_early_still_runs_to_its_end(tmp_path: Path) -> None:
    """`voicecoach start ... | head -3`: the transcript stops, the session does not."""
    import subprocess
    import sys

    log = tmp_path / "x.jsonl"
    command = [sys.executable, "-m", "voicecoach", "start", "behind-knee", "--fast", "--text"]
    run = subprocess.run(
        f"{' '.join(command)} --log {log} --no-history | head -3",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert len(run.stdout.splitlines()) == 3
    assert "Traceback" not in run.stderr
    assert "Exception ignored" not in run.stderr
    end = read_log(log)[-1]
    assert (end["type"], end["completed"]) == ("end", True)


def test_the_ears_worker_starts_early_only_for_a_session_that_listens_through_one() -> None:
    from voicecoach.bootstrap import start_ears_worker
    from voicecoach.ears.worker import WorkerRecognizer
    from voicecoach.options import EarsOptions

    assert start_ears_worker(EarsOptions(engine="keys"), fast=False) is None
    assert start_ears_worker(EarsOptions(engine="pocketsphinx"), fast=True) is None  # no file
    worker = start_ears_worker(EarsOptions(engine="pocketsphinx"), fast=False)
    try:
        assert isinstance(worker, WorkerRecognizer)
        assert worker.name == "pocketsphinx"
    finally:
        if worker is not None:
            worker.close()
    assert worker.closed


def test_a_worker_started_for_another_engine_is_ended_and_the_right_one_used(
    tmp_path: Path,
) -> None:
    from voicecoach.bootstrap import start_ears_worker
    from voicecoach.options import EarsOptions

    log, quiet = tmp_path / "x.jsonl", tmp_path / "quiet.wav"
    write_quiet(quiet)
    wrong = start_ears_worker(EarsOptions(engine="whisper"), fast=False)
    assert wrong is not None
    argv = ["start", "behind-knee", "--fast", "--engine", "pocketsphinx", "--from", "5"]
    argv += ["--ready-timeout", "1", "--listen-file", str(quiet), "--log", str(log)]
    build_session(session_options(build_parser().parse_args(argv)), worker=wrong).run()
    assert wrong.closed
    assert read_log(log)[0]["ears"] == "pocketsphinx"


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--minutes", "nan", "--minutes must be more than 0"),
        ("--minutes", "inf", "--minutes inf is more than a session can last"),
        ("--minutes", "1e308", "--minutes 1e+308 is more than a session can last"),
        ("--ready-timeout", "nan", "--ready-timeout must be 0 to 3600 seconds"),
        ("--ready-timeout", "inf", "--ready-timeout must be 0 to 3600 seconds"),
        ("--ready-timeout", "1e308", "--ready-timeout must be 0 to 3600 seconds"),
    ],
)
def test_a_number_no_session_can_use_is_a_usage_error_not_a_traceback(
    option: str, value: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["start", "behind-knee", "--fast", "--text", option, value]) == ExitCode.USAGE
    assert said in capsys.readouterr().err


@pytest.mark.parametrize("gain", ["nan", "inf"])
def test_an_echo_gain_that_is_no_number_is_a_usage_error(
    gain: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wav = silent_wav(tmp_path / "quiet.wav", 0.1)
    argv = ["start", "behind-knee", "--fast", "--listen-file", str(wav), "--echo", gain]
    assert main([*argv, "--engine", "pocketsphinx"]) == ExitCode.USAGE
    assert "--echo GAIN must be 0 or more" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("ready_timeout = inf", "ready_timeout: Input should be a finite number"),
        ("rate = 1000", "rate: Input should be less than or equal to 500"),
    ],
)
def test_a_bad_value_in_the_config_file_is_the_file_s_error_not_an_option_s(
    line: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = xdg.config_dir() / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(line + "\n", encoding="utf-8")
    assert main(["start", "behind-knee", "--fast", "--text"]) == ExitCode.INVALID
    err = capsys.readouterr().err
    assert f"{config}: {problem}" in err
    assert "--rate" not in err  # the user typed neither option
    assert "--ready-timeout" not in err


@pytest.mark.parametrize(
    ("argv", "help_of"),
    [
        (["start", "behind-knee", "--engine", "kaldi"], "voicecoach start --help"),
        (["history", "--today", "2020-13-01"], "voicecoach history --help"),
        (["lsit"], "voicecoach --help"),
    ],
)
def test_a_command_line_argparse_refuses_points_at_the_help_of_that_command(
    argv: list[str], help_of: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.endswith(f"hint: run '{help_of}'\n"), err
    assert "Traceback" not in err


def help_text(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main([*argv, "--help"]) == ExitCode.OK
    return capsys.readouterr().out


def example_commands(text: str) -> list[list[str]]:
    """The command lines a help text gives as examples ("  voicecoach start x  what")."""
    found = re.findall(r"^  voicecoach (\S+(?: (?! )\S+)*)", text, re.M)
    return [line.split() for line in found]


def test_start_help_names_every_phrase_and_key_a_user_has_during_a_session(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from voicecoach.ears.phrases import PHRASES
    from voicecoach.keys import HELP_LINE

    text = help_text(capsys, "start")
    said = text[text.index("during a workout, say") :]
    for intent, phrases in PHRASES.items():
        for phrase in phrases:
            assert re.search(rf"\b{re.escape(phrase)}\b", said), (intent, phrase)
    assert " ".join(HELP_LINE.split()) in " ".join(said.split())


@pytest.mark.parametrize("argv", [[], ["start"]])
def test_the_help_fits_an_80_column_terminal(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    text = help_text(capsys, *argv)
    assert [line for line in text.splitlines() if len(line) > 80] == []


@pytest.mark.parametrize("argv", [[], ["start"]])
def test_every_example_in_the_help_is_a_command_that_works_as_written(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    examples = example_commands(help_text(capsys, *argv))
    assert len(examples) >= 5
    for example in examples:
        args = build_parser().parse_args(example)  # every option exists, every value parses
        if args.command != "start":
            continue
        if args.routine.endswith(".toml"):  # the user's own file: nothing to find here
            continue
        routine = catalog.load(catalog.locate(args.routine))
        if args.start_from is not None:
            assert routine.exercise_index(args.start_from) is not None, example
        if args.minutes is not None:  # an example of --minutes that it can keep
            assert simulation.fit(routine, args.minutes).reachable, example


def test_a_live_session_with_neither_keyboard_nor_voice_says_how_it_goes_on_and_ends() -> None:
    import os
    import select
    import signal
    import subprocess
    import sys
    import time

    from terminal import ROOT, environment

    argv = ["start", "behind-knee", "--text", "--engine", "keys", "--ready-timeout", "7"]
    child = subprocess.Popen(
        [sys.executable, "-m", "voicecoach", *argv, "--no-history"],
        stdin=subprocess.DEVNULL,  # no keyboard
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=environment(),
        cwd=str(ROOT),
    )
    try:
        assert child.stderr is not None
        err, deadline = "", time.monotonic() + 60
        while "Ctrl-C ends" not in err and time.monotonic() < deadline:
            ready, _, _ = select.select([child.stderr], [], [], 0.5)
            if ready:
                chunk = os.read(child.stderr.fileno(), 65536)
                if not chunk:
                    break
                err += chunk.decode(errors="replace")
    finally:
        child.send_signal(signal.SIGTERM)
        child.communicate(timeout=30)  # and closes its pipe
    assert (
        "voicecoach: no keyboard (stdin is not a terminal) and no voice commands: each "
        "exercise starts by itself after 7 s (--ready-timeout), and Ctrl-C ends the session"
    ) in err
