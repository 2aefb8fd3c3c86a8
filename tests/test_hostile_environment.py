"""What an outside tester throws at the command line: paths the system refuses (too long,
through a file), a config file that is a FIFO, an unusable history folder, a stdout that is
closed, on a full disk (/dev/full) or in a legacy encoding. Each is a message that says what
happened and what to do, with its exit code; never a traceback or a hang."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import espeak_clips as espeak
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voicecoach.cli import main
from voicecoach.errors import ExitCode

ROOT = Path(__file__).resolve().parent.parent
TOO_LONG = "/tmp/" + "x/" * 3000 + "a"  # 6,000 characters: the system says ENAMETOOLONG
BUFFERED = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
CLEAN_EXITS = {
    ExitCode.OK,
    ExitCode.USAGE,
    ExitCode.NOT_FOUND,
    ExitCode.INVALID,
    ExitCode.MODEL,
    ExitCode.FILES,
}


def voicecoach(
    *args: str, env: dict[str, str] | None = None, **kw: object
) -> subprocess.CompletedProcess[str]:
    """`python -m voicecoach ARGS` as a user's shell runs it (the console script's start:
    stdout buffered, as it is unless PYTHONUNBUFFERED is set)."""
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "voicecoach", *args],
        env={**BUFFERED, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=kw.pop("capture_output", True),
        text=True,
        timeout=60,
        cwd=ROOT,
        **kw,
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["show", TOO_LONG + ".toml"],
        ["start", TOO_LONG + ".toml", "--fast", "--text"],
        ["start", "behind-knee", "--fast", "--text", "--listen-file", TOO_LONG],
        ["eval", TOO_LONG],
        ["check", "--model", TOO_LONG, "--seconds", "0.1"],
    ],
    ids=["show", "start", "listen-file", "eval", "check-model"],
)
def test_a_path_too_long_for_the_system_is_a_message_not_a_traceback(argv, capsys):
    code = main(argv)
    err = capsys.readouterr().err
    assert code in CLEAN_EXITS - {ExitCode.OK}
    assert "voicecoach:" in err
    assert "hint:" in err
    assert len(err) < 1000  # the path is shortened in the message


def test_validate_reports_a_path_too_long_as_that_files_problem_and_checks_the_others(capsys):
    code = main(["validate", TOO_LONG + ".toml", str(ROOT / "routines" / "behind-knee.toml")])
    out = capsys.readouterr().out
    assert code == ExitCode.INVALID
    assert "File name too long" in out
    assert "ok: " in out
    assert "behind-knee.toml" in out


@pytest.mark.parametrize(
    ("variable", "command"),
    [
        ("XDG_CONFIG_HOME", ["list"]),
        ("XDG_CONFIG_HOME", ["show", "behind-knee"]),
        ("XDG_CONFIG_HOME", ["validate"]),
        ("XDG_DATA_HOME", ["history"]),
    ],
)
def test_an_xdg_folder_the_system_refuses_is_a_message_not_a_traceback(
    command, variable, monkeypatch, capsys
):
    monkeypatch.setenv(variable, TOO_LONG)
    code = main(command)
    err = capsys.readouterr().err
    assert code in CLEAN_EXITS
    assert code == ExitCode.OK or ("voicecoach:" in err and "hint:" in err)


def test_a_history_folder_that_cannot_be_made_exits_with_the_files_code(monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", os.devnull)  # a device, not a folder
    assert main(["history"]) == ExitCode.FILES
    assert "cannot open the history" in capsys.readouterr().err


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ref=st.lists(
        st.one_of(st.text(min_size=0, max_size=300), st.just("x" * 300), st.just("..")),
        min_size=1,
        max_size=30,
    ).map("/".join)
)
def test_any_routine_reference_is_a_routine_or_a_clean_refusal(ref, capsys):
    for command in (["show", "--brief", ref], ["validate", ref]):
        if "\x00" in ref:
            continue  # argv cannot carry a NUL
        assert main(command) in CLEAN_EXITS
        capsys.readouterr()


def test_a_config_file_that_is_a_fifo_is_refused_at_once_not_waited_on(tmp_path):
    folder = tmp_path / "config" / "voicecoach"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "config.toml")
    done = voicecoach("config", env={"XDG_CONFIG_HOME": str(tmp_path / "config")})
    assert done.returncode == ExitCode.INVALID
    assert "not a regular file" in done.stderr
    assert "hint:" in done.stderr


def test_a_config_file_too_big_to_be_one_is_refused(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "voicecoach"
    folder.mkdir()
    (folder / "config.toml").write_text("# " + "x" * 200_000 + "\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert main(["config"]) == ExitCode.INVALID
    assert "larger than 100 kB" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["list"], ["show", "behind-knee"], ["history"], ["config"]])
def test_a_command_whose_stdout_was_closed_at_launch_runs_to_its_end(command):
    done = voicecoach(
        *command,
        stdout=None,
        capture_output=False,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),
    )
    assert "Traceback" not in done.stderr
    assert done.returncode == ExitCode.OK


@pytest.mark.parametrize(
    "command", [["schema"], ["show", "behind-knee"], ["history"], ["list"], ["config"]]
)
def test_output_to_a_full_disk_says_so_and_exits_with_the_files_code(command):
    with open("/dev/full", "w") as full:
        done = voicecoach(*command, stdout=full, capture_output=False, stderr=subprocess.PIPE)
    assert "Traceback" not in done.stderr
    assert "Exception ignored" not in done.stderr
    assert done.returncode == ExitCode.FILES
    assert "No space left on device" in done.stderr
    assert "hint:" in done.stderr


def test_a_session_whose_transcript_fills_the_disk_says_so_once_and_goes_on(tmp_path):
    log = tmp_path / "x.jsonl"
    with open("/dev/full", "w") as full:
        done = voicecoach(
            *("start", "behind-knee", "--fast", "--text", "--no-history", "--log", str(log)),
            stdout=full,
            capture_output=False,
            stderr=subprocess.PIPE,
        )
    assert done.returncode == ExitCode.OK, done.stderr
    assert done.stderr.count("cannot write the transcript (No space left on device)") == 1
    assert '"reason": "completed"' in log.read_text().splitlines()[-1]


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_stdout_in_a_legacy_encoding_shows_what_it_cannot_encode_as_question_marks(encoding):
    done = voicecoach("show", "behind-knee", env={"PYTHONIOENCODING": encoding})
    assert done.returncode == ExitCode.OK, done.stderr
    assert "Toe Walking" in done.stdout


def limited_file_size(limit: int) -> Callable[[], None]:
    """For a child process: files larger than `limit` bytes fail with EFBIG (a disk that
    fills up, without needing one): SIGXFSZ ignored, so the write reports it."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


SESSION = ("start", "behind-knee", "--fast", "--text", "--quiet-screen", "--no-history")


@pytest.mark.skipif(not espeak.available(), reason="needs espeak-ng")
def test_a_speak_file_the_disk_cannot_hold_is_an_error_not_a_truncated_wav(tmp_path):
    wav = tmp_path / "coach.wav"  # the session's is about 20 MB; each utterance well under 1
    done = voicecoach(*SESSION, "--speak-file", str(wav), preexec_fn=limited_file_size(10**6))
    assert done.returncode == ExitCode.FILES, done.stderr
    assert f"cannot write --speak-file {wav} (File too large)" in done.stderr
    assert not wav.exists()
    assert list(tmp_path.glob(".coach.wav*")) == []  # nor its temporary file


@pytest.mark.skipif(not espeak.available(), reason="needs espeak-ng")
def test_speech_that_cannot_be_saved_is_an_error_not_a_hang(tmp_path):
    """pyttsx3 saves each utterance to a file; when that fails its loop never ends."""
    wav = tmp_path / "coach.wav"
    done = voicecoach(*SESSION, "--speak-file", str(wav), preexec_fn=limited_file_size(2 * 10**5))
    assert done.returncode == ExitCode.AUDIO, done.stderr
    assert "text-to-speech did not finish an utterance: Error saving WAV file" in done.stderr
    assert "(a full disk?)" in done.stderr
    # only ours: not pyttsx3's "Exception ignored on calling ctypes callback function"
    assert "Exception ignored" not in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_the_handlers_are_being_installed_exits_with_that_signals_code(
    signum, monkeypatch
):
    """bench/signal_replays.py: a SIGHUP 0.15 s after launch, under load, exited 130."""
    from voicecoach import cli
    from voicecoach.signals import SIGNALS, Signalled

    def install() -> None:
        raise Signalled(signum)  # as the handler raises it, once it is in place

    monkeypatch.setattr(SIGNALS, "install", install)
    monkeypatch.setattr(SIGNALS, "ignore", lambda: None)
    try:
        cli.run()
    except SystemExit as ended:
        code: object = ended.code
    except KeyboardInterrupt as escaped:  # out of run(): `python -m voicecoach` says 130
        code = f"{type(escaped).__name__} escaped"
    assert code == 128 + signum


@pytest.mark.parametrize("command", [["list"], ["config"], ["schema"], ["history", "--json"]])
def test_output_into_a_pipe_closed_before_it_is_read_ends_quietly(command):
    """`voicecoach list | head -c1`, where the shell shows only head's exit code."""
    run = subprocess.Popen(
        [sys.executable, "-m", "voicecoach", *command],
        env={**BUFFERED, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert run.stdout is not None
    run.stdout.close()
    _, err = run.communicate(timeout=60)
    assert err.decode() == ""
    assert run.returncode == ExitCode.OK
