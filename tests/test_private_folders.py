"""No test touches the user's own folders: the config, cache, data (the history) and state
folders are private to the test run when a test module is imported, when a module-wide
fixture runs (the seeds' replays are made once per module), in each test, and in every
program a test starts; a run in which the user's own history is written anyway fails."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from private_folders import XDG

from voicecoach import xdg

TESTS = Path(__file__).resolve().parent
AT_IMPORT = {name: os.environ.get(name, "") for name in XDG}


@pytest.fixture(scope="module")
def in_a_module_fixture() -> dict[str, str]:
    return {name: os.environ.get(name, "") for name in XDG}


def private(folder: str | Path) -> bool:
    return bool(str(folder)) and Path(folder).is_relative_to(tempfile.gettempdir())


def test_importing_a_test_module_sees_private_folders() -> None:
    assert all(private(folder) for folder in AT_IMPORT.values()), AT_IMPORT


def test_a_module_wide_fixture_sees_private_folders(in_a_module_fixture) -> None:
    assert all(private(folder) for folder in in_a_module_fixture.values()), in_a_module_fixture


def test_a_test_and_the_programs_it_starts_see_its_own_folders(tmp_path: Path) -> None:
    assert xdg.data_dir() == tmp_path / "data" / "voicecoach"
    assert xdg.config_dir() == tmp_path / "config" / "voicecoach"
    code = "from voicecoach import xdg; print(xdg.data_dir()); print(xdg.config_dir())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == [str(xdg.data_dir()), str(xdg.config_dir())]


def test_the_state_folder_is_private_too(tmp_path: Path) -> None:
    assert os.environ["XDG_STATE_HOME"] == str(tmp_path / "state")


LEAKS = """
from pathlib import Path

def test_a_careless_test():
    history = Path({users!r}) / "voicecoach" / "history.db"
    history.parent.mkdir(parents=True, exist_ok=True)
    history.write_bytes(b"a session {which}")
"""


def run_inside(pytester: pytest.Pytester, monkeypatch, users: Path, test: str):
    """A test run of `test` with this suite's conftest, `users` the user's data folder."""
    pytester.makeconftest((TESTS / "conftest.py").read_text())
    pytester.makepyfile(test_inside=test)
    monkeypatch.setenv("XDG_DATA_HOME", str(users))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])
    )
    return pytester.runpytest_subprocess("-p", "no:cacheprovider")


def test_a_run_that_writes_the_users_own_history_fails_and_says_so(
    pytester: pytest.Pytester, monkeypatch, tmp_path: Path
) -> None:
    users = tmp_path / "users-data"
    result = run_inside(pytester, monkeypatch, users, LEAKS.format(users=str(users), which=1))
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([f"*the user's own history {users}*was written*", "*1 passed*"])


def test_a_run_whose_user_already_has_a_history_passes_when_it_leaves_it_alone(
    pytester: pytest.Pytester, monkeypatch, tmp_path: Path
) -> None:
    users = tmp_path / "users-data"
    (users / "voicecoach").mkdir(parents=True)
    (users / "voicecoach" / "history.db").write_bytes(b"the user's sessions")
    own = LEAKS.replace("Path({users!r})", "Path(os.environ['XDG_DATA_HOME'])")
    own = "import os\n" + own.format(which=2)
    result = run_inside(pytester, monkeypatch, users, own)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert (users / "voicecoach" / "history.db").read_bytes() == b"the user's sessions"
