"""Small routines for one behaviour at a time, shared by the tests."""

from __future__ import annotations

import tomllib

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
