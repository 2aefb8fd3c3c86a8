"""Vosk (Kaldi) recognizer restricted to the command phrases (`ports.Recognizer`).

Why these choices:
- A restricted grammar (the phrases, the fillers and "[unk]") makes a small model fast
  and accurate on a few words; "[unk]" gives other speech somewhere to go, so it is not
  forced onto a command.  Grammar words the model does not know are dropped and
  reported (`unknown_words`), never silently ignored.
- Firing early: Vosk only ends an utterance after 0.5-2 s of silence, too slow for
  "pause".  So a command also fires when the partial result maps to an intent, has not
  changed for `stable_s` of audio, and the last `quiet_s` of audio was quiet (the speaker
  stopped, measured against a running noise floor).  After an early fire the recognizer
  is reset, so the same words never fire twice and a repeated "next ... next" is two.
- Word times: every detection carries the span of the words it heard (`start`/`end`, on
  the session timeline), so the echo guard checks only the coach's words that overlap
  them. A final result has Vosk's own word times; an early fire has no final result (the
  recognizer is reset), and Vosk's partial word times come back empty with a grammar, so
  its span is the loud stretch the partial was decoded from (`Levels.onset` ..
  `Levels.last_loud`, 10 ms frames against the noise floor).
- Rejecting forced matches on final results: command words with low confidence, more
  "[unk]" than allowed, an utterance too long to be a command, or text the phrase
  matcher does not accept (too many extra words, conflicting intents).

The words -> intent decision is `voicecoach.ears.phrases.match` unless a `matcher` is
given (tests use a Korean table with the real Korean model).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.ears.models import MODEL_HINT, check_vosk_model, supports_grammar
from voicecoach.errors import ModelError
from voicecoach.infiles import user_path
from voicecoach.intents import Intent
from voicecoach.ports import MIC_RATE, Detection

log = logging.getLogger(__name__)

UNK = "[unk]"
STEP = 1600  # samples fed to Vosk at a time (100 ms): the resolution of detection times


@dataclass
class VoskSettings:
    """Knobs of the early-firing and rejection rules (tune on the dev clips only)."""

    early: bool = True  # fire on stable partials, not only on Vosk's end of utterance
    stable_s: float = 0.25  # the partial must stay the same this long
    quiet_s: float = 0.25  # ... and the audio must have been quiet this long
    quiet_db: float = 8.0  # "quiet": frame energy within this many dB of the noise floor
    min_conf: float = 0.6  # lowest word confidence a command word may have (final results)
    max_unk: int = 1  # more "[unk]" than this in an utterance: it is talk, not a command
    max_utterance_s: float = 3.0  # commands are short
    min_modulation_db: float = 1.5  # below: steady noise, not speech (see Levels)


# -- model loading -------------------------------------------------------------------------

_MODELS: dict[Path, Any] = {}
_LOCK = threading.Lock()


def load_model(path: str | Path) -> Any:
    """A vosk.Model for `path`, loaded once per process (loading takes seconds)."""
    folder = check_vosk_model(user_path(str(path))).resolve()
    with _LOCK:
        if folder not in _MODELS:
            vosk = import_vosk()
            try:
                _MODELS[folder] = vosk.Model(str(folder))
            except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
                raise ModelError(
                    f"the Vosk model in {folder} could not be loaded ({exc}); it may be damaged",
                    "download it again ('voicecoach model download') or choose another --model",
                ) from None
        return _MODELS[folder]


def import_vosk() -> Any:
    try:
        import vosk
    except (ImportError, OSError) as exc:
        raise ModelError(f"the vosk package is not usable ({exc})", "pip install vosk") from None
    vosk.SetLogLevel(-2)  # errors only: we check vocabulary and layout ourselves
    return vosk


# -- rules (pure, tested without a model) --------------------------------------------------


@dataclass
class Heard:
    """One final Vosk result: the words with their confidence and times."""

    text: str
    words: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_json(cls, raw: str) -> Heard:
        d = json.loads(raw)
        return cls(text=str(d.get("text", "")).strip(), words=list(d.get("result", [])))


def reject_reason(
    heard: Heard,
    command_words: frozenset[str],
    settings: VoskSettings,
    modulation_db: float | None = None,
) -> str | None:
    """Why a final result must not fire even though its text matches a command.
    `modulation_db`: the loudness spread over the words (Levels.modulation)."""
    if modulation_db is not None and modulation_db < settings.min_modulation_db:
        return f"steady noise ({modulation_db:.1f} dB modulation), not speech"
    tokens = heard.text.split()
    if tokens.count(UNK) > settings.max_unk:
        return f"{tokens.count(UNK)} unknown words"
    if heard.words:
        span = float(heard.words[-1].get("end", 0)) - float(heard.words[0].get("start", 0))
        if span > settings.max_utterance_s:
            return f"utterance of {span:.1f} s is too long for a command"
        confs = [float(w.get("conf", 1.0)) for w in heard.words if w.get("word") in command_words]
        if confs and min(confs) < settings.min_conf:
            return f"low confidence {min(confs):.2f}"
    return None


class Levels:
    """Loudness of the stream in 10 ms frames, on the recognizer's own timeline (seconds
    of audio fed, the timeline of Vosk's word times).

    - `quiet_s`: how long the audio has been quiet, i.e. within `quiet_db` of a running
      noise floor that follows dips at once and rises slowly (3 dB/s), so speech does
      not raise it but a louder room does within seconds.
    - `onset` / `last_loud`: where the current loud stretch began (the first loud frame
      after at least `ONSET_GAP` of quiet) and where the last loud frame ended.
    - `modulation(t0, t1)`: spread (std, dB) of 50 ms energies.  Speech rises and falls
      with its syllables (> 2.9 dB even at 5 dB SNR on the dev clips); steady noise such
      as a fan or white noise stays under 0.5 dB, so a "command" heard in it is forced."""

    FRAME = 160  # 10 ms
    KEEP = 3000  # frames of history (30 s)
    ONSET_GAP = 30  # frames (300 ms) of quiet that separate two utterances

    def __init__(self, quiet_db: float) -> None:
        self.quiet_db = quiet_db
        self.floor: float | None = None
        self.quiet_frames = 0
        self.frames = 0  # frames seen
        self.last_loud = -1.0  # stream time (s) at the end of the last frame that was not quiet
        self.onset = -1.0  # stream time (s) at the start of the current loud stretch
        self._rest = np.zeros(0, np.float64)
        self._power = np.zeros(0, np.float64)  # mean square per frame
        self._first = 0  # frame index of _power[0]

    def update(self, samples: np.ndarray) -> None:
        x = np.concatenate([self._rest, samples.astype(np.float64)])
        n = len(x) // self.FRAME
        self._rest = x[n * self.FRAME :]
        if n == 0:
            return
        power = np.mean(x[: n * self.FRAME].reshape(n, -1) ** 2, axis=1)
        rise = 3.0 * self.FRAME / MIC_RATE
        for e in 10 * np.log10(power + 1.0):
            self.floor = e if self.floor is None else min(e, self.floor + rise)
            quiet = e < self.floor + self.quiet_db
            if not quiet and (self.quiet_frames >= self.ONSET_GAP or self.onset < 0):
                self.onset = self.frames * self.FRAME / MIC_RATE
            self.quiet_frames = self.quiet_frames + 1 if quiet else 0
            self.frames += 1
            if not quiet:
                self.last_loud = self.frames * self.FRAME / MIC_RATE
        self._power = np.concatenate([self._power, power])
        if len(self._power) > 2 * self.KEEP:
            drop = len(self._power) - self.KEEP
            self._power, self._first = self._power[drop:], self._first + drop

    @property
    def quiet_s(self) -> float:
        return self.quiet_frames * self.FRAME / MIC_RATE

    def modulation(self, t0: float, t1: float) -> float:
        """Std (dB) of the 50 ms energies between t0 and t1 (0.0 if under 100 ms known)."""
        step = MIC_RATE // self.FRAME
        a = max(int(t0 * step) - self._first, 0)
        b = min(int(t1 * step) - self._first, len(self._power))
        n = (b - a) // 5
        if n < 2:
            return 0.0
        blocks = self._power[a : a + 5 * n].reshape(n, 5).mean(axis=1)
        return float(np.std(10 * np.log10(blocks + 1.0)))


# -- the recognizer ------------------------------------------------------------------------


class VoskRecognizer:
    """Streams 16 kHz int16 audio into Vosk and returns commands as soon as certain."""

    name = "vosk"

    def __init__(
        self,
        model_path: str | Path,
        phrases: Sequence[str] | None = None,
        fillers: Sequence[str] | None = None,
        matcher: Callable[[str], Intent | None] | None = None,
        settings: VoskSettings | None = None,
    ) -> None:
        if phrases is None or matcher is None:
            from voicecoach.ears import phrases as table

            phrases = table.all_phrases() if phrases is None else phrases
            fillers = table.FILLERS if fillers is None else fillers
            matcher = table.match if matcher is None else matcher
        self.settings = settings or VoskSettings()
        self.matcher = matcher
        path = check_vosk_model(user_path(str(model_path)))
        if not supports_grammar(path):
            log.warning("%s cannot restrict its vocabulary: expect more false commands", path)
        self.model = load_model(path)
        self.grammar, self.unknown_words = self._grammar(list(phrases), list(fillers or ()))
        self.command_words = frozenset(w for p in phrases for w in p.lower().split())
        self._rec = self._new_recognizer()
        self._levels = Levels(self.settings.quiet_db)
        self._fed = 0  # samples fed to Vosk: the timeline of its word times
        self._fired_at = -1.0  # stream time of the last early fire
        self._partial = ""
        self._partial_since = 0.0
        self._t = 0.0

    def _grammar(self, phrases: list[str], fillers: list[str]) -> tuple[list[str], list[str]]:
        """The phrases whose every word the model knows (+ fillers, + [unk] if known)."""
        known = self.model.vosk_model_find_word
        unknown = sorted({w for p in phrases + fillers for w in p.lower().split() if known(w) < 0})
        usable = [p.lower() for p in phrases if all(known(w) >= 0 for w in p.lower().split())]
        if not usable:
            raise ModelError(
                "the speech model knows none of the command words "
                f"({', '.join(unknown[:8])}...); is it a model for the right language?",
                MODEL_HINT,
            )
        if unknown:
            log.warning("the model lacks the words %s; those phrases are off", ", ".join(unknown))
        extra = [f for f in fillers if known(f.lower()) >= 0]
        if known(UNK) >= 0:
            extra.append(UNK)
        return usable + extra, unknown

    def _new_recognizer(self) -> Any:
        vosk = import_vosk()
        rec = vosk.KaldiRecognizer(
            self.model, MIC_RATE, json.dumps(self.grammar, ensure_ascii=False)
        )
        rec.SetWords(True)
        return rec

    # -- Recognizer protocol ---------------------------------------------------------------

    def accept(
        self, samples: np.ndarray, t0: float, echo: np.ndarray | None = None
    ) -> list[Detection]:
        """Feed audio starting at `t0`; commands found, with the time they were certain.
        Vosk has no use for the `echo` left by the echo canceller."""
        del echo  # Vosk's own endpointer takes only the audio
        out: list[Detection] = []
        samples = np.asarray(samples, dtype=np.int16)
        for i in range(0, len(samples), STEP):
            block = samples[i : i + STEP]
            self._t = t0 + (i + len(block)) / MIC_RATE
            self._levels.update(block)
            self._fed += len(block)
            if self._rec.AcceptWaveform(block.tobytes()):
                out += self._final(Heard.from_json(self._rec.Result()))
            else:
                out += self._on_partial(json.loads(self._rec.PartialResult()).get("partial", ""))
        return out

    def flush(self, t: float) -> list[Detection]:
        """End of input: decide on whatever was being said."""
        self._t = max(self._t, t)
        found = self._final(Heard.from_json(self._rec.FinalResult()))
        self._rec.Reset()
        return found

    def deliver_to(self, deliver: Callable[[list[Detection]], None]) -> None:
        """Decides inside `accept`: its detections come from there (`ports.Recognizer`)."""
        del deliver  # not needed

    # -- internals -------------------------------------------------------------------------

    def _on_partial(self, text: str) -> list[Detection]:
        text = text.strip()
        if text != self._partial:
            self._partial, self._partial_since = text, self._t
        s = self.settings
        if not (s.early and text and self._spoken_since_fire()):
            return []
        stable = self._t - self._partial_since >= s.stable_s - 1e-9
        quiet = self._levels.quiet_s >= s.quiet_s - 1e-9
        if not (stable and quiet) or text.split().count(UNK) > s.max_unk:
            return []
        now = self._fed / MIC_RATE
        if self._levels.modulation(now - s.quiet_s - 1.0, now) < s.min_modulation_db:
            return []
        intent = self.matcher(text)
        if intent is None:
            return []
        self._rec.Reset()  # this utterance is decided: never fire it twice
        self._partial = ""
        start = max(self._levels.onset, self._fired_at, 0.0)
        self._fired_at = self._fed / MIC_RATE
        return [self._detection(intent, text, 0.9, start, self._levels.last_loud)]

    def _detection(
        self, intent: Intent, text: str, score: float, start: float, end: float
    ) -> Detection:
        """A detection now, its word span moved from Vosk's timeline (seconds fed since
        this recognizer was made: Vosk keeps counting across resets) onto the session's."""
        offset = self._t - self._fed / MIC_RATE
        return Detection(
            t=self._t, intent=intent, text=text, score=score, start=start + offset, end=end + offset
        )

    def _spoken_since_fire(self) -> bool:
        """After an early fire the decoder is reset in the quiet that follows; what it
        makes of that quiet (or of the word's last echo) is not a new command.  Only
        audio louder than the noise floor after the fire can be."""
        return self._levels.last_loud > self._fired_at

    def _final(self, heard: Heard) -> list[Detection]:
        self._partial = ""
        if not heard.text or not self._spoken_since_fire():
            return []
        intent = self.matcher(heard.text)
        if intent is None:
            return []
        modulation = None
        if heard.words:
            t0 = float(heard.words[0].get("start", 0)) - 0.1
            modulation = self._levels.modulation(t0, float(heard.words[-1].get("end", 0)) + 0.1)
        why = reject_reason(heard, self.command_words, self.settings, modulation)
        if why:
            log.debug("rejected %r: %s", heard.text, why)
            return []
        confs = [float(w.get("conf", 1.0)) for w in heard.words] or [1.0]
        if heard.words:
            start = float(heard.words[0].get("start", 0))
            end = float(heard.words[-1].get("end", 0))
        else:  # no word times (SetWords off): the loud stretch, as for an early fire
            start, end = max(self._levels.onset, self._fired_at, 0.0), self._levels.last_loud
        return [self._detection(intent, heard.text, min(confs), start, end)]
