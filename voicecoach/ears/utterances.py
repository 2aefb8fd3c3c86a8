"""What the endpointed recognizers (PocketSphinx, Whisper) share: the endpointer feeds
whole utterances to `decide`, whose `Decision` becomes a `Detection` when accepted."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from voicecoach.ears.endpoint import EndpointConfig, Endpointer, Utterance
from voicecoach.intents import Intent
from voicecoach.ports import MIC_RATE, Detection


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
    forced: str = ""  # what the forced-choice grammar heard (PocketSphinx two-pass only)


class UtteranceRecognizer(ABC):
    """`ports.Recognizer` (echo-aware) over the Endpointer: subclasses decide each
    utterance; `on_decision` sees every decision (eval, tuning)."""

    echo_aware = True  # `accept` takes the echo canceller's residual (endpoint module)

    def __init__(
        self, endpoint: EndpointConfig, on_decision: Callable[[Decision], None] | None
    ) -> None:
        self.on_decision = on_decision
        self._endpoint = endpoint
        self._endpointer = Endpointer(endpoint)

    @abstractmethod
    def decide(self, utt: Utterance, t: float) -> Decision:
        """Judge one endpointed utterance, decided at session time `t`."""

    def accept(
        self, samples: np.ndarray, t0: float, echo: np.ndarray | None = None
    ) -> list[Detection]:
        """`echo`: per sample, the power of the coach's echo left in `samples`."""
        t_end = t0 + len(samples) / MIC_RATE
        return self._decide_all(self._endpointer.feed(samples, t0, echo), t_end)

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
                    Detection(
                        decision.t,
                        decision.intent,
                        decision.text,
                        decision.confidence,
                        start=decision.start,
                        end=decision.end,
                    )
                )
        return out

    def out_of_length(self, utt: Utterance, t: float) -> Decision | None:
        """The rejection of an utterance too long or too short to be a command."""
        if utt.too_long:
            return Decision(utt.start, utt.end, t, "", None, 0.0, False, "too long")
        if utt.end - utt.start < self._endpoint.min_speech:
            return Decision(utt.start, utt.end, t, "", None, 0.0, False, "too short")
        return None
