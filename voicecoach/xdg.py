"""Where voicecoach keeps its files, by the XDG base-directory rules: settings and routines
under `$XDG_CONFIG_HOME/voicecoach` (default `~/.config/voicecoach`), the workout history
under `$XDG_DATA_HOME/voicecoach` (default `~/.local/share/voicecoach`), what `list` keeps
to start faster under `$XDG_CACHE_HOME/voicecoach` (default `~/.cache/voicecoach`). A
relative or empty variable is ignored, as the specification says."""

from __future__ import annotations

import os
from pathlib import Path

APP = "voicecoach"


def _base(variable: str, default: str) -> Path:
    value = os.environ.get(variable, "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / default


def config_dir() -> Path:
    return _base("XDG_CONFIG_HOME", ".config") / APP


def data_dir() -> Path:
    return _base("XDG_DATA_HOME", ".local/share") / APP


def cache_dir() -> Path:
    return _base("XDG_CACHE_HOME", ".cache") / APP
