"""Shared fixtures. Every test runs with private config, cache and data folders, so no
test reads the user's own routines and settings or writes the real caches and history."""

from __future__ import annotations

import pytest


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
