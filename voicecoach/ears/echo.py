"""The echo guard: the coach must not obey its own voice, yet still hear "pause" over it.

Two layers, both driven by `ports.EchoReference` (what the voice played, and when):

1. `EchoCanceller`: removes the coach's voice from the microphone before recognition. A
   bulk delay search (FFT cross-correlation of mic against reference, 0..`max_delay`)
   aligns the two, and a least-squares fit over that same window gives the first 4 ms of
   the room's response at once (so the echo is cancelled from the first search on, not
   after seconds of adaptation); a partitioned-block frequency-domain NLMS filter
   (overlap-save, 4 x 256 taps = 64 ms of room response after the bulk delay) then learns
   the rest of the loudspeaker-room-mic path and subtracts it. Adaptation is frozen while
   the reference is silent, so the user talking alone never disturbs the filter.
   Whatever the filter cannot remove is estimated too (`residual`: the echo estimate's
   power times the measured echo return loss), so that an echo-aware endpointer can
   tell the user's words from the coach's leftovers instead of hearing one long
   utterance whenever the coach talks.
2. Text guard: whatever survives, a detection whose command words the coach itself was
   saying in the last `lookback` seconds (e.g. `next` while the coach says "Next: toe
   presses") is dropped. Commands the coach was not saying ("pause" over an exercise
   description) pass.

`EchoGuard(recognizer, reference)` wraps any Recognizer with both. `mix_echo` simulates
the coach's voice leaking into the microphone for `--echo GAIN` replays and the tests.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from voicecoach.ears import phrases
from voicecoach.ports import (
    MIC_RATE,
    Detection,
    EchoReference,
    Recognizer,
)

log = logging.getLogger(__name__)

BLOCK = 256  # samples per filter block (16 ms)
PARTITIONS = 4  # filter length = PARTITIONS * BLOCK samples after the bulk delay
FIT_TAPS = 64  # taps of the least-squares fit that starts a new echo path (4 ms)
FIT_PRE = 8  # of which before the correlation peak (a fractional delay rings both ways)


def mix_echo(
    mic: np.ndarray, reference: EchoReference, t0: float, gain: float, delay: float = 0.04
) -> np.ndarray:
    """`mic` (int16, starting at audio time t0) plus the coach's output delayed by `delay`
    seconds and scaled by `gain`: what a microphone next to the speaker would hear."""
    ref = reference.audio(t0 - delay, len(mic), MIC_RATE)
    mixed = np.asarray(mic, dtype=np.float64) + gain * 32767.0 * ref.astype(np.float64)
    return np.clip(np.round(mixed), -32768, 32767).astype(np.int16)


@dataclass(frozen=True, slots=True)
class EchoSettings:
    max_delay: float = 0.3  # s: longest loudspeaker -> microphone delay searched
    search_window: float = 0.4  # s of audio per delay search
    mu: float = 0.1  # NLMS step size (larger follows the room noise: measured 34 dB of
    # echo loss after the least-squares start at 0, 29 at 0.2, 26 at 0.5)
    ref_active: float = 1e-4  # reference block power (of -1..1) that counts as playing
    lookback: float = 2.5  # s: how far back the text guard looks (command + endpointing)
    margin: float = 0.3  # s: coach speech this close before an utterance still counts
    word_slack: float = 0.4  # s: error of a word's estimated time within a coach sentence
    max_erle: float = 40.0  # dB: the residual estimate never trusts more echo loss than this


class EchoCanceller:
    """Streaming acoustic echo canceller (see the module doc). int16 in, int16 out."""

    def __init__(self, reference: EchoReference, settings: EchoSettings | None = None) -> None:
        self.reference = reference
        self.settings = settings or EchoSettings()
        self.delay = 0  # the echo's delay in samples (where the correlation peaks)
        self._bulk = 0  # the filter's start: a few samples before `delay`
        self.path_found = False  # adapt only once the coach is heard in the microphone
        self._pending = np.zeros(0, np.float64)
        self._t_pending = 0.0
        self._x_prev = np.zeros(BLOCK)
        self._spectra = np.zeros((PARTITIONS, BLOCK + 1), complex)
        self._weights = np.zeros((PARTITIONS, BLOCK + 1), complex)
        self._power = np.full(BLOCK + 1, 1e-6)
        self._mic_hist = np.zeros(0, np.float64)  # for the delay search
        self._t_hist = 0.0
        self._searched_until = -1.0
        self._erle = 0.0  # running echo reduction (dB), for double-talk detection
        self._misses = 0  # delay searches in a row that found no echo of the coach
        self._candidate: int | None = None  # a new delay seen once, not yet confirmed
        self._judged = False  # has a delay search decided whether the mic hears the coach?
        self._held = 0.0  # residual power of the previous block (decays like a room tail)
        self.residual = np.zeros(0)  # echo power left in the last output, per sample

    def process(self, samples: np.ndarray, t0: float) -> tuple[np.ndarray, float]:
        """Cancel echo in `samples` (from t0); returns (cleaned int16, its start time).
        Output is produced in whole blocks, so it may lag the input by < 16 ms."""
        x = np.asarray(samples, dtype=np.float64) / 32768.0
        if len(self._pending) == 0:
            self._t_pending = t0
        self._pending = np.concatenate([self._pending, x])
        self._track_delay(x, t0)
        n = len(self._pending) // BLOCK * BLOCK
        start = self._t_pending
        out = np.empty(n)
        residual = np.empty(n)
        for i in range(0, n, BLOCK):
            t = start + i / MIC_RATE
            out[i : i + BLOCK], residual[i : i + BLOCK] = self._block(
                self._pending[i : i + BLOCK], t
            )
        self._pending = self._pending[n:]
        self._t_pending = start + n / MIC_RATE
        self.residual = residual * 32768.0**2
        return np.clip(np.round(out * 32768.0), -32768, 32767).astype(np.int16), start

    def flush(self) -> tuple[np.ndarray, float]:
        """The last partial block, uncancelled (at most 16 ms)."""
        rest, t = self._pending, self._t_pending
        self._pending = np.zeros(0)
        self.residual = np.full(len(rest), self._held * 32768.0**2)
        return np.clip(np.round(rest * 32768.0), -32768, 32767).astype(np.int16), t

    def _block(self, mic: np.ndarray, t: float) -> tuple[np.ndarray, float]:
        """Cancel one block; returns (error signal, power of the echo estimated to be
        left in it, both on the -1..1 scale)."""
        ref = self.reference.audio(t - self._bulk / MIC_RATE, BLOCK, MIC_RATE).astype(np.float64)
        spectrum = np.fft.rfft(np.concatenate([self._x_prev, ref]))
        self._x_prev = ref
        self._spectra = np.roll(self._spectra, 1, axis=0)
        self._spectra[0] = spectrum
        estimate = np.fft.irfft(np.sum(self._weights * self._spectra, axis=0))[BLOCK:]
        error = mic - estimate
        if (
            self.path_found
            and float(np.mean(ref**2)) > self.settings.ref_active
            and not self._double_talk(mic, error)
        ):
            self._adapt(error, spectrum)
        self._held = max(self._residual(estimate, t), 0.5 * self._held)
        return error, self._held

    def _residual(self, estimate: np.ndarray, t: float) -> float:
        """The echo power this block still holds after cancellation. Before any delay
        search has run the path is unknown: then the coach may be heard at full level,
        up to `max_delay` late. A search that found no echo: nothing. A known path: the
        estimated echo, reduced by the echo loss measured so far."""
        if not self._judged:
            cfg = self.settings
            late = self.reference.audio(t - cfg.max_delay, int(cfg.max_delay * MIC_RATE) + BLOCK)
            late = late.astype(np.float64)
            frames = late[: len(late) // BLOCK * BLOCK].reshape(-1, BLOCK)
            return float(np.max(np.mean(frames**2, axis=1)))
        if not self.path_found:
            return 0.0
        erle = min(max(self._erle, 0.0), self.settings.max_erle)
        return float(np.mean(estimate**2)) * 10 ** (-erle / 10)

    def _double_talk(self, mic: np.ndarray, error: np.ndarray) -> bool:
        """Is the user talking over the echo? Then the error is their voice, and adapting
        on it would teach the filter to cancel them. Detected as the echo return loss
        enhancement of this block falling far below its running value."""
        erle = 10 * np.log10((float(np.mean(mic**2)) + 1e-12) / (float(np.mean(error**2)) + 1e-12))
        if self._erle > 10.0 and erle < self._erle - 10.0:
            return True
        self._erle = 0.95 * self._erle + 0.05 * erle
        return False

    def _adapt(self, error: np.ndarray, spectrum: np.ndarray) -> None:
        """One constrained NLMS step on every partition."""
        self._power = 0.8 * self._power + 0.2 * np.abs(spectrum) ** 2
        # regularised: quiet bins of the reference must not blow up the step (that taught
        # the filter to inject the coach's voice into a microphone that hears no echo)
        norm = self._power + 0.1 * float(np.mean(self._power)) + 1e-8
        err_f = np.fft.rfft(np.concatenate([np.zeros(BLOCK), error]))
        for p in range(PARTITIONS):
            grad = np.fft.irfft(np.conj(self._spectra[p]) * err_f / norm)[:BLOCK]
            self._weights[p] += (self.settings.mu / PARTITIONS) * np.fft.rfft(
                np.concatenate([grad, np.zeros(BLOCK)])
            )

    def _track_delay(self, x: np.ndarray, t0: float) -> None:
        """Re-estimate the bulk delay once per `search_window` of audio with echo in it."""
        cfg = self.settings
        if len(self._mic_hist) == 0:
            self._t_hist = t0
        self._mic_hist = np.concatenate([self._mic_hist, x])
        window = int(cfg.search_window * MIC_RATE)
        if len(self._mic_hist) < window:
            return
        mic = self._mic_hist[-window:]
        t_mic = self._t_hist + (len(self._mic_hist) - window) / MIC_RATE
        self._mic_hist = self._mic_hist[-window:]
        self._t_hist = t_mic
        if t_mic < self._searched_until:
            return
        lag_max = int(cfg.max_delay * MIC_RATE)
        ref = self.reference.audio(t_mic - cfg.max_delay, window + lag_max, MIC_RATE)
        ref = ref.astype(np.float64)
        if not self._enough_coach(ref):
            return
        found = best_lag(mic, ref, lag_max)
        self._judged = True
        self._misses = 0 if found is not None else self._misses + 1
        if self._misses >= 2 and self.path_found:
            # the coach plays but the microphone no longer hears it (headphones, another
            # room): cancel nothing rather than subtract a stale echo path
            log.debug("echo path lost")
            self._weights[:] = 0
            self.path_found = False
        if found is not None and self._confirmed(found[0]):
            lag, gain = found
            log.debug("echo delay %.1f ms, gain %.2f", 1000 * lag / MIC_RATE, gain)
            # a new path: start from a least-squares fit of its first taps over this
            # window (the direct sound and what rings around it); NLMS learns the room
            self.delay = lag
            self._bulk = lag - min(FIT_PRE, lag)
            first = np.zeros(2 * BLOCK)
            first[:FIT_TAPS] = fit_taps(mic, ref, lag_max - self._bulk)
            self._weights[:] = 0
            self._weights[0] = np.fft.rfft(first)
            self._erle = 0.0
            self.path_found = True
        self._searched_until = t_mic + cfg.search_window

    def _enough_coach(self, ref: np.ndarray) -> bool:
        """Does this window hold enough of the coach to fit an echo path on? Half of its
        blocks playing: a fit on the first few syllables alone would be poor, and it
        would stand until the next window."""
        blocks = ref[: len(ref) // BLOCK * BLOCK].reshape(-1, BLOCK)
        playing = np.mean(blocks**2, axis=1) > self.settings.ref_active
        return bool(np.mean(playing) >= 0.5)

    def _confirmed(self, lag: int) -> bool:
        """Take a (new) delay? The first one at once; a change of an established path only
        when two searches in a row agree on it: one window where the user talks over the
        coach can peak at a chance lag, and every switch restarts the filter."""
        if not self.path_found:
            return True
        if abs(lag - self.delay) <= 2:
            self._candidate = None
            return False
        if self._candidate is not None and abs(lag - self._candidate) <= 2:
            self._candidate = None
            return True
        self._candidate = lag
        return False


def best_lag(
    mic: np.ndarray, ref: np.ndarray, lag_max: int, min_correlation: float = 0.2
) -> tuple[int, float] | None:
    """(delay in samples, gain) at which `ref` best explains `mic`; `ref` starts
    `lag_max` samples before `mic`. None when the correlation is too weak to trust:
    measured, an echo at gain 0.5 peaks at 0.5-0.97 (normalised), and unrelated audio (the
    room, the user's own voice) at 0.03-0.05, so 0.2 keeps chance peaks from "finding" an
    echo path that the canceller would then subtract from the user's words."""
    n = len(mic)
    size = 1 << int(np.ceil(np.log2(n + len(ref))))
    corr = np.fft.irfft(np.fft.rfft(ref, size) * np.conj(np.fft.rfft(mic, size)), size)
    # corr[k] = sum_i ref[i + k] * mic[i]: mic[i] ~ ref[i + lag_max - delay]
    cand = corr[: lag_max + 1][::-1]  # index = delay
    energy = np.sqrt(np.sum(mic**2) * np.sum(ref**2)) + 1e-12
    delay = int(np.argmax(np.abs(cand)))
    if abs(cand[delay]) / energy <= min_correlation:
        return None
    aligned = ref[lag_max - delay : lag_max - delay + n]
    gain = float(cand[delay] / (np.sum(aligned**2) + 1e-12))
    return delay, gain


def fit_taps(mic: np.ndarray, ref: np.ndarray, base: int, taps: int = FIT_TAPS) -> np.ndarray:
    """The filter h (ridge least squares) with mic[i] ~ sum_j h[j] * ref[i + base - j]."""
    rows = np.arange(max(0, taps - 1 - base), min(len(mic), len(ref) - base))
    windows = np.lib.stride_tricks.sliding_window_view(ref, taps)
    x = windows[rows + base - taps + 1][:, ::-1]  # x[r, j] = ref[rows[r] + base - j]
    gram = x.T @ x
    ridge = 1e-6 * float(np.trace(gram)) / taps + 1e-12
    return np.linalg.solve(gram + ridge * np.eye(taps), x.T @ mic[rows])


class EchoGuard:
    """A Recognizer that cancels the coach's echo and ignores the coach's own words."""

    def __init__(
        self,
        recognizer: Recognizer,
        reference: EchoReference,
        settings: EchoSettings | None = None,
        cancel: bool = True,
    ) -> None:
        self.inner = recognizer
        self.reference = reference
        self.settings = settings or EchoSettings()
        self.canceller = EchoCanceller(reference, self.settings) if cancel else None
        self.name = recognizer.name
        self.dropped: list[Detection] = []  # what the text guard rejected (for logs/tests)

    def accept(
        self, samples: np.ndarray, t0: float, echo: np.ndarray | None = None
    ) -> list[Detection]:
        """Cancels the coach's echo and hands the recognizer the echo it left (`echo`,
        from a canceller further up, is passed along only when this guard cancels none)."""
        if self.canceller is None:
            return self._guard(self.inner.accept(samples, t0, echo))
        samples, t0 = self.canceller.process(samples, t0)
        if len(samples) == 0:
            return []
        return self._guard(self.inner.accept(samples, t0, self.canceller.residual))

    def flush(self, t: float) -> list[Detection]:
        out: list[Detection] = []
        if self.canceller is not None:
            rest, t0 = self.canceller.flush()
            if len(rest):
                out += self.inner.accept(rest, t0, self.canceller.residual)
        return self._guard(out + self.inner.flush(t))

    def deliver_to(self, deliver: Callable[[list[Detection]], None]) -> None:
        """The inner recognizer's detections, guarded, go to `deliver` as soon as it
        makes them when it decides in its own process (see `ports.Recognizer`)."""
        self.inner.deliver_to(lambda found: _deliver_kept(deliver, self._guard(found)))

    def _guard(self, detections: list[Detection]) -> list[Detection]:
        kept = []
        for d in detections:
            if self._coach_said(d):
                log.info("ignored %r: the coach was saying it", d.text)
                self.dropped.append(d)
            else:
                kept.append(d)
        return kept

    def _coach_said(self, d: Detection) -> bool:
        """Was the coach saying this intent while the user's utterance ran?

        With the utterance's span known, only the coach's own command words count that
        could have reached the microphone inside it: the phrase's place in the sentence
        (by letters, +- `word_slack`) plus the echo's delay. "Say yes to end it, or no to
        carry on" then does not swallow the user's "yes" said over its last words.
        Without a span, any mention in the last `lookback` seconds counts."""
        cfg = self.settings
        if d.start is None or d.end is None:
            for _start, _end, text in self.reference.texts(d.t - cfg.lookback - cfg.margin, d.t):
                if d.intent in phrases.find(text)[0]:
                    return True
            return False
        delay = cfg.max_delay
        if self.canceller is not None and self.canceller.path_found:
            delay = self.canceller.delay / MIC_RATE + 0.05
        reach = delay + cfg.word_slack
        for start, end, text in self.reference.texts(d.start - reach - 0.5, d.end):
            for intent, a, b in phrases.locate(text):
                said_from = start + a * (end - start) - cfg.word_slack
                said_to = start + b * (end - start) + reach
                if intent == d.intent and said_from < d.end and d.start < said_to:
                    return True
        return False


def _deliver_kept(deliver: Callable[[list[Detection]], None], kept: list[Detection]) -> None:
    if kept:
        deliver(kept)
