"""The ears: audio sources, recognizers and the phrase table that turn speech into intents.

`choose_engine` is the one place that decides which recognizer runs and says why;
`make_recognizer` builds what it chose, so the session, `check` and `eval` measure exactly
the same thing.

`--engine auto` order: Vosk with an English model (if one is found: `voicecoach model
download`, `--model`, `$VOICECOACH_MODEL`, `models/`), then PocketSphinx, whose US-English
model ships inside its package (offline, zero downloads)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from voicecoach.errors import UsageError

if TYPE_CHECKING:
    from voicecoach.ports import Recognizer

log = logging.getLogger(__name__)

ENGINES = ("auto", "vosk", "pocketsphinx")
AUTO_ORDER = ("vosk", "pocketsphinx")  # what `--engine auto` tries, best first


@dataclass(frozen=True)
class EngineChoice:
    """Which recognizer runs (`engine`), the Vosk model it uses, and why, in words."""

    engine: str
    reason: str
    model: Path | None = None

    def describe(self) -> str:
        """One line for the start of a session and for `check`."""
        return f"speech recognizer: {self.engine} ({self.reason})"


def choose_engine(engine: str = "auto", model_path: str | None = None) -> EngineChoice:
    """The recognizer `engine` stands for, and why. Raises UsageError for an unknown
    engine and ModelError when Vosk is asked for (by name or by `model_path`) and its
    model is missing; under auto, a missing model means the next engine in AUTO_ORDER."""
    if engine not in ENGINES:
        raise UsageError(f"unknown speech engine {engine!r}", f"use one of {', '.join(ENGINES)}")
    if engine == "pocketsphinx":
        return EngineChoice("pocketsphinx", "chosen with --engine pocketsphinx")
    from voicecoach.ears.models import find_vosk_model
    from voicecoach.errors import ModelError

    try:
        path = find_vosk_model(model_path)
    except ModelError as exc:
        if engine == "vosk" or model_path:
            raise
        log.info("no Vosk English model (%s): using PocketSphinx", exc.message)
        return EngineChoice(
            "pocketsphinx",
            "auto: no Vosk English model found, so the bundled PocketSphinx model; "
            "'voicecoach model download' installs the Vosk one",
        )
    why = "chosen with --engine vosk" if engine == "vosk" else "auto: Vosk English model found"
    if model_path:
        why = "the model given with --model"
    return EngineChoice("vosk", f"{why}: {path}", path)


def install_summary() -> str:
    """Two lines for the end of install.sh: the Vosk English model, and the engine
    `--engine auto` picks with its reason."""
    from voicecoach.ears.models import find_vosk_model
    from voicecoach.errors import ModelError

    try:
        model = f"Vosk English model: {find_vosk_model()}"
    except ModelError:
        model = (
            "Vosk English model: not installed (no network, or --no-model); "
            "run 'voicecoach model download' when online"
        )
    return f"{model}\n{choose_engine().describe()}"


def make_recognizer(
    engine: str = "auto", model_path: str | None = None, choice: EngineChoice | None = None
) -> Recognizer:
    """A ready recognizer for `choice` (default: `choose_engine(engine, model_path)`).
    Its `name` ("vosk" or "pocketsphinx") says which was chosen."""
    choice = choice or choose_engine(engine, model_path)
    if choice.engine == "vosk" and choice.model is not None:
        from voicecoach.ears.vosk_rec import VoskRecognizer

        return VoskRecognizer(choice.model)
    from voicecoach.ears.pocketsphinx_rec import PocketSphinxRecognizer

    return PocketSphinxRecognizer()
