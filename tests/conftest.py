"""Shared fixtures. Every test runs with private config, cache and data folders, so no
test reads the user's own routines and settings or writes the real caches and history:
each test has its own; collection and module- or session-wide fixtures (and every
subprocess they start) share one folder for the run."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

XDG = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")
_saved: dict[str, str | None] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Private XDG folders for the whole run, before any test module is imported."""
    run = tempfile.mkdtemp(prefix="voicecoach-tests-")
    _saved["run"] = run
    for name in XDG:
        _saved[name] = os.environ.get(name)
        os.environ[name] = os.path.join(run, name.removeprefix("XDG_").removesuffix("_HOME"))


def pytest_unconfigure(config: pytest.Config) -> None:
    for name in XDG:
        value = _saved.get(name)
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if _saved.get("run"):
        shutil.rmtree(str(_saved["run"]), ignore_errors=True)


@pytest.fixture(autouse=True)
def _private_config_and_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


pytest_plugins = ["pulse"]  # the `pulse` fixture: private PulseAudio virtual devices


@pytest.fixture
def user_dir(tmp_path):
    """The user's own routines folder (under the private XDG_CONFIG_HOME), created."""
    folder = tmp_path / "config" / "voicecoach" / "routines"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def history_db(tmp_path):
    """Where the history is kept under the private XDG_DATA_HOME."""
    return tmp_path / "data" / "voicecoach" / "history.db"
