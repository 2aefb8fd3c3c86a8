"""PocketSphinx command recognizer with real rejection (`ports.Recognizer`).

Works offline with zero downloads: the US-English model ships inside the `pocketsphinx`
wheel. A plain grammar decode always returns *some* command, even for "the kettle is
boiling", so every utterance goes through three steps:

1. Endpointing (`endpoint.Endpointer`): an adaptive energy detector cuts the stream into
   utterances; too short (a click) or too long (conversation) is dropped undecoded.
2. Grammar decode: the command phrases, optionally wrapped in filler words
   ("okay next please"), as a finite-state grammar.
3. Confidence test against an unconstrained decode: the same audio through a phone-loop
   decoder (any phone sequence, weak phone bigram). Both decoders score every senone in
   every frame (`compallsen`), so their path scores share one per-frame normalisation and
   their difference is a log-likelihood ratio: how much worse the best *command*
   explanation is than the best explanation by *any* sounds. Per frame of speech it is
   near zero for a real command and strongly negative for other talk or noise. The
   utterance fires only if that ratio clears `threshold` and the words map to an intent
   through the shared phrase table (`phrases.match`).

The decodes run on the whole utterance when the endpointer closes it (batch CMN over the
utterance, measurably more accurate than live CMN on short words); at ~0.02 CPU seconds
per second of speech per decoder this adds a few tens of milliseconds of wall time.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from voicecoach.ears import phrases
from voicecoach.ears.endpoint import FRAME_S, EndpointConfig, Endpointer, Utterance
from voicecoach.errors import ModelError
from voicecoach.intents import Intent
from voicecoach.ports import MIC_RATE, Detection

log = logging.getLogger(__name__)

_LOG_BASE = math.log(1.0001)  # pocketsphinx's integer log base (config "logbase")


@dataclass(frozen=True, slots=True)
class PocketSphinxSettings:
    """Knobs of the rejection test (tuned on the dev clips by bench/tune_pocketsphinx.py)."""

    threshold: float = -6.0  # min (grammar - phone loop) log-score per frame of speech
    fillers: bool = True  # let the grammar wrap commands in filler words
    endpoint: EndpointConfig = field(default_factory=EndpointConfig)


@dataclass(frozen=True, slots=True)
class Decision:
    """What the recognizer concluded about one utterance (for eval and tuning)."""

    start: float
    end: float
    t: float
    text: str
    intent: Intent | None
    confidence: float
    accepted: bool
    reason: str


def _import_pocketsphinx():  # noqa: ANN202 - the module object
    try:
        import pocketsphinx
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise ModelError(
            "the pocketsphinx package is not installed", "pip install 'pocketsphinx>=5'"
        ) from exc
    return pocketsphinx


def _decoder(ps, **extra: object):  # noqa: ANN001, ANN202
    """A decoder on the bundled en-us model that scores all senones every frame."""
    config = ps.Config(lm=None, loglevel="FATAL", compallsen=True)
    for key, value in extra.items():
        config[key] = value
    try:
        return ps.Decoder(config)
    except (RuntimeError, ValueError) as exc:
        raise ModelError(
            f"cannot load the pocketsphinx en-us model: {exc}",
            "reinstall pocketsphinx ('pip install --force-reinstall pocketsphinx')",
        ) from exc


# Loading a decoder takes ~0.2 s; a session needs one pair, eval one per clip: share them.
# Utterances are decoded one at a time (batch CMN per utterance), so sharing is safe
# within one thread.
ALLPHONE_CI = False
ALLPHONE_LW = 2.0
_DECODERS: dict[bool, tuple[object, object]] = {}


def _decoders(fillers: bool) -> tuple[object, object]:
    """The (grammar, phone loop) decoder pair, created once per process."""
    if fillers not in _DECODERS:
        ps = _import_pocketsphinx()
        grammar = _decoder(ps)
        grammar.add_jsgf_string("commands", phrases.jsgf(fillers))
        grammar.activate_search("commands")
        free = _decoder(ps, allphone_ci=ALLPHONE_CI, lw=ALLPHONE_LW)
        free.add_allphone_file("phones", ps.get_model_path("en-us/en-us-phone.lm.bin"))
        free.activate_search("phones")
        _DECODERS[fillers] = (grammar, free)
    return _DECODERS[fillers]


def _log_score(hyp) -> float | None:  # noqa: ANN001
    """The hypothesis' path score in pocketsphinx log units, None when there is none.

    The Python binding hands back 1.0001**score as a float; it underflows to 0 only for
    hopeless paths, which are rejections anyway."""
    if hyp is None or hyp.score <= 0.0:
        return None
    return math.log(hyp.score) / _LOG_BASE


class PocketSphinxRecognizer:
    """Endpointing + grammar decode + phone-loop confidence test. See the module doc."""

    name = "pocketsphinx"

    def __init__(
        self,
        settings: PocketSphinxSettings | None = None,
        on_decision: Callable[[Decision], None] | None = None,
    ) -> None:
        self.settings = settings or PocketSphinxSettings()
        self.on_decision = on_decision
        self._grammar, self._free = _decoders(self.settings.fillers)
        self._fsg = self._grammar.get_fsg("commands")
        self._endpointer = Endpointer(self.settings.endpoint)

    def accept(self, samples: np.ndarray, t0: float) -> list[Detection]:
        t_end = t0 + len(samples) / MIC_RATE
        return self._decide_all(self._endpointer.feed(samples, t0), t_end)

    def flush(self, t: float) -> list[Detection]:
        return self._decide_all(self._endpointer.flush(t), t)

    def _decide_all(self, utterances: list[Utterance], t_known: float) -> list[Detection]:
        out = []
        for utt in utterances:
            decision = self.decide(utt, max(t_known, utt.t_decided))
            if self.on_decision is not None:
                self.on_decision(decision)
            if decision.accepted and decision.intent is not None:
                out.append(
                    Detection(decision.t, decision.intent, decision.text, decision.confidence)
                )
        return out

    def decide(self, utt: Utterance, t: float) -> Decision:
        """Decode one endpointed utterance and apply the rejection rules."""
        cfg = self.settings.endpoint
        speech_s = utt.end - utt.start
        if utt.too_long:
            return Decision(utt.start, utt.end, t, "", None, -math.inf, False, "too long")
        if speech_s < cfg.min_speech:
            return Decision(utt.start, utt.end, t, "", None, -math.inf, False, "too short")
        text, g_score = self._decode(self._grammar, utt.audio)
        _, f_score = self._decode(self._free, utt.audio)
        intent = phrases.match(text)
        if text and not self._complete(text):
            return Decision(utt.start, utt.end, t, text, None, -math.inf, False, "incomplete")
        if g_score is None or f_score is None:
            return Decision(utt.start, utt.end, t, text, intent, -math.inf, False, "no path")
        confidence = (g_score - f_score) / max(1.0, speech_s / FRAME_S)
        if intent is None:
            return Decision(utt.start, utt.end, t, text, None, confidence, False, "no command")
        ok = confidence >= self.settings.threshold
        reason = "accepted" if ok else "low confidence"
        return Decision(utt.start, utt.end, t, text, intent, confidence, ok, reason)

    def _complete(self, text: str) -> bool:
        """Did the decode reach the end of the grammar? (Otherwise pocketsphinx returns
        the best partial path, whose score covers fewer frames and means nothing.)"""
        return bool(self._fsg.accept(text))

    @staticmethod
    def _decode(decoder, audio: np.ndarray) -> tuple[str, float | None]:  # noqa: ANN001
        decoder.start_utt()
        decoder.process_raw(audio.astype(np.int16).tobytes(), False, True)
        decoder.end_utt()
        hyp = decoder.hyp()
        return (hyp.hypstr if hyp else ""), _log_score(hyp)
