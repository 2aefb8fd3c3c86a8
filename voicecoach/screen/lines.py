"""The plain transcript, for a stdout that is not a terminal (piped, CI, `--fast`):

    [01:05] Heel Raises · set 2 of 3 · left · Slowly raise and lower your heel.

one line per utterance, where the session stands then, and what is said; no internal cue
names (cues appear as the words "beep" and "tick", and only when asked for) and no
control characters."""

from __future__ import annotations

import re

from voicecoach.engine.state import State
from voicecoach.records import EndRecord, StateRecord
from voicecoach.screen.view import where

SEPARATOR = " · "
CUE_WORDS = {"tick": "tick"}  # every other cue is a beep
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def clock_text(t: float) -> str:
    minutes, seconds = divmod(max(0, int(t)), 60)
    return f"{minutes:02d}:{seconds:02d}"


def clean(text: str) -> str:
    """`text` on one line, without control characters (escape sequences, tabs, newlines)."""
    return " ".join(_CONTROL.sub(" ", text).split())


def place(state: State) -> str:
    """Where the session stands (`State.place`): "Heel Raises · set 2 of 3 · left"; "" in
    the intro and after the last exercise."""
    if state.phase in ("intro", "done"):
        return ""
    return where(state, state.steps[state.place])


def place_of(state: State, record: StateRecord) -> str:
    """Where a `state` record says the session stood (`state`: the session's, for its
    plan): "Heel Raises · set 2 of 3 · left"; "" in the intro and at the end."""
    if record.step is None or record.phase in ("intro", "done"):
        return ""
    return where(state, state.steps[record.step])


def line(t: float, where_text: str, what: str) -> str:
    """One transcript line: `[mm:ss] where · what`."""
    parts = [p for p in (clean(where_text), clean(what)) if p]
    return f"[{clock_text(t)}] {SEPARATOR.join(parts)}"


def cue_word(name: str) -> str:
    """What a cue sounds like, in a word: "tick" or "beep"."""
    return CUE_WORDS.get(name, "beep")


def heard_text(intent: str, source: str) -> str:
    return f"heard: {intent} ({source})"


def summary(end: EndRecord) -> str:
    """The summary the session said (or would have said) at its end, on one line: "Summary:
    You did 3 of 5 exercises in 9 minutes. Skipped: ..."; "" when it has none."""
    return "Summary: " + " ".join(end.summary) if end.summary else ""
