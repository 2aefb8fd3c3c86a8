"""Shared fixtures. Every test runs with private config, cache, data and state folders, so
no test reads the user's own routines and settings or writes the real caches and history:
each test has its own; collection and module- or session-wide fixtures (and every
subprocess they start) share one folder for the run. If the user's own history changes
while the suite runs anyway, the run fails and says so."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from private_folders import XDG, footprint, keep_private, private_xdg, users_history

_saved: dict[str, str | None] = {}
_users: dict[str, object] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Private XDG folders for the whole run, before any test module is imported."""
    history = users_history()
    _users.update(history=history, before=footprint(history))
    run = tempfile.mkdtemp(prefix="voicecoach-tests-")
    _saved["run"] = run
    for name in XDG:
        _saved[name] = os.environ.get(name)
    keep_private(run)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The tripwire: the run failed if the user's own history was written meanwhile."""
    history = _users.get("history")
    if not isinstance(history, Path) or footprint(history) == _users.get("before"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"the user's own history {history} was written during this test run: a test or a "
            "program it started used the real XDG folders (unless another program on this "
            "machine wrote it meanwhile)",
            red=True,
            bold=True,
        )
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


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
    for name, folder in private_xdg(tmp_path).items():
        monkeypatch.setenv(name, folder)


# the `pulse` fixture: private PulseAudio virtual devices; `pytester`: a run inside a test
pytest_plugins = ["pulse", "pytester"]


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
