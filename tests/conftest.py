"""Shared fixtures. Every test runs with private config and cache folders, so no test
reads the user's own routines or writes the real caches."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_config_and_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


pytest_plugins = ["pulse"]  # the `pulse` fixture: private PulseAudio virtual devices


@pytest.fixture
def user_dir(tmp_path):
    """The user's own routines folder (under the private XDG_CONFIG_HOME), created."""
    folder = tmp_path / "config" / "voicecoach" / "routines"
    folder.mkdir(parents=True)
    return folder
