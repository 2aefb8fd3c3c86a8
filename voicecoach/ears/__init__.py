"""The ears: audio sources, recognizers and the phrase table that turn speech into intents.

`make_recognizer` is the one place that picks an engine, so the session and `eval` measure
exactly the same thing."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from voicecoach.errors import UsageError

if TYPE_CHECKING:
    from voicecoach.ports import Recognizer

log = logging.getLogger(__name__)

ENGINES = ("auto", "vosk", "pocketsphinx")


def make_recognizer(engine: str = "auto", model_path: str | None = None) -> Recognizer:
    """A ready recognizer. Its `name` ("vosk" or "pocketsphinx") says which was chosen.

    auto: Vosk when an English Vosk model is found (`voicecoach.ears.models`), otherwise the
    bundled PocketSphinx model (offline, zero downloads). vosk: that model or ModelError.
    A `model_path` implies Vosk under auto."""
    if engine not in ENGINES:
        raise UsageError(f"unknown speech engine {engine!r}", f"use one of {', '.join(ENGINES)}")
    if engine == "pocketsphinx":
        return _pocketsphinx()
    from voicecoach.ears.models import find_vosk_model
    from voicecoach.errors import ModelError

    try:
        path = find_vosk_model(model_path)
    except ModelError as exc:
        if engine == "vosk" or model_path:
            raise
        log.info("no Vosk English model (%s): using PocketSphinx", exc.message)
        return _pocketsphinx()
    from voicecoach.ears.vosk_rec import VoskRecognizer

    return VoskRecognizer(path)


def _pocketsphinx() -> Recognizer:
    from voicecoach.ears.pocketsphinx_rec import PocketSphinxRecognizer

    return PocketSphinxRecognizer()
