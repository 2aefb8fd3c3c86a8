"""What the endpointed recognizers (PocketSphinx, Whisper) share: the endpointer feeds
whole utterances to `decide`, whose `Decision` becomes a `Detection` when accepted.

Decoding in the hangover: an utterance's audio is complete once it has been quiet for the
endpointer's `tail` (0.1 s), but it closes only after the `hangover` (0.2 s), in case the
speaker goes on. The decode (0.1-0.3 s of CPU) starts at the first point, on exactly the
audio the close will hand over, and its verdict is kept for the close: in a worker
process the command then fires up to a `hangover - tail` earlier. If speech comes back,
the verdict is dropped (the utterance changed) and the close decodes again. Decisions are
the same either way; only their timing changes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from voicecoach.ears.endpoint import EndpointConfig, Endpointer, Utterance
from voicecoach.intents import Intent
from voicecoach.ports import MIC_RATE, Detection

# Decode as soon as the audio is complete (see the module doc). It costs the decodes
# thrown away when speech resumes within the hangover: on the dev clips, Whisper's RTF
# 0.132 -> 0.157 for a p95 from end of speech to command 0.56 -> 0.45 s in quiet.
DECODE_IN_HANGOVER = True


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
    detail: str = ""  # what else it saw (the forced choice's words; Whisper's N-best)


class UtteranceRecognizer(ABC):
    """`ports.Recognizer` over the Endpointer: subclasses decide each utterance;
    `on_decision` sees every decision (eval, tuning). `accept`'s `echo` (the echo
    canceller's residual) lowers the endpointer's trust in loud echo (endpoint module)."""

    def __init__(
        self, endpoint: EndpointConfig, on_decision: Callable[[Decision], None] | None
    ) -> None:
        self.on_decision = on_decision
        self._endpoint = endpoint
        self._endpointer = Endpointer(endpoint)
        self._early: tuple[tuple[float, float, float, int], Decision] | None = None

    @abstractmethod
    def decide(self, utt: Utterance, t: float) -> Decision:
        """Judge one endpointed utterance, decided at session time `t`."""

    def accept(
        self, samples: np.ndarray, t0: float, echo: np.ndarray | None = None
    ) -> list[Detection]:
        """`echo`: per sample, the power of the coach's echo left in `samples`."""
        t_end = t0 + len(samples) / MIC_RATE
        out = self._decide_all(self._endpointer.feed(samples, t0, echo), t_end)
        settled = self._endpointer.settled() if DECODE_IN_HANGOVER else None
        if settled is not None and (self._early is None or self._early[0] != _key(settled)):
            self._early = (_key(settled), self.decide(settled, settled.t_decided))
        return out

    def flush(self, t: float) -> list[Detection]:
        return self._decide_all(self._endpointer.flush(t), t)

    def deliver_to(self, deliver: Callable[[list[Detection]], None]) -> None:
        """Decides inside `accept`: its detections come from there (`ports.Recognizer`)."""
        del deliver  # not needed

    def _decide(self, utt: Utterance, t: float) -> Decision:
        """`decide`, or the verdict already reached in the hangover on the same audio."""
        early, self._early = self._early, None
        if early is not None and early[0] == _key(utt):
            return replace(early[1], t=t)
        return self.decide(utt, t)

    def _decide_all(self, utterances: list[Utterance], t_known: float) -> list[Detection]:
        out = []
        for utt in utterances:
            decision = self._decide(utt, max(t_known, utt.t_decided))
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


def _key(utt: Utterance) -> tuple[float, float, float, int]:
    """What identifies an utterance's audio: where it starts and ends, and its length."""
    return (utt.t_audio, utt.start, utt.end, len(utt.audio))
