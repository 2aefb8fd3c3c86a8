"""Small routines for one behaviour at a time, shared by the tests."""

from __future__ import annotations

import tomllib
import wave
from pathlib import Path

from voicecoach.routine import Routine

HEADER = """
name = "demo"
title = "Demo"
frequency = "twice a week"
disclaimer = "Stop if it hurts."
[source]
title = "An article"
author = "A. Writer"
"""


def routine_from_toml(exercises: str) -> Routine:
    """A valid routine header plus the given `[[exercises]]` TOML."""
    return Routine.model_validate(tomllib.loads(HEADER + exercises))


def routine_from(name: str, exercises: list[dict], **fields: object) -> Routine:
    """A valid routine called `name` with these exercises; `fields` add to or replace
    the header (title, frequency, disclaimer, cautions, closing_tips...)."""
    data: dict[str, object] = {
        "name": name,
        "title": name.title(),
        "source": {"title": "an article"},
        "frequency": "daily",
        "disclaimer": "Not medical advice.",
        "exercises": exercises,
    }
    data.update(fields)
    return Routine.model_validate(data)


USER_ROUTINE = """
name = "{name}"
title = "{title}"
frequency = "daily"
disclaimer = "Stop if it hurts."
[source]
title = "Mine"
[[exercises]]
id = "walk"
name = "Walk"
equipment = ["mat"]
work = {{ kind = "timed", seconds = 60 }}
"""
"""A valid one-exercise routine file; `.format(name=..., title=...)` before writing."""


def silent_wav(path: Path, seconds: float) -> Path:
    """A 16 kHz mono 16-bit WAV of silence (a quiet microphone for `--listen-file`)."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\0\0" * int(16000 * seconds))
    return path
