"""No test touches the user's own folders: the config, cache and data folders (the
history) are private to the test run when a test module is imported, when a module-wide
fixture runs (the seeds' replays are made once per module), in each test, and in every
program a test starts."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from voicecoach import xdg

XDG = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")
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
