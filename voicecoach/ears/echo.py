"""The echo guard: the coach must not obey its own voice, yet still hear "pause" over it.

Two layers, both driven by `ports.EchoReference` (what the voice played, and when):

1. `EchoCanceller`: removes the coach's voice from the microphone before recognition. A
   bulk delay search (FFT cross-correlation of mic against reference, 0..`max_delay`)
   aligns the two; a partitioned-block frequency-domain NLMS filter (overlap-save, 4 x 256
   taps = 64 ms of room response after the bulk delay) learns the loudspeaker-room-mic
   path and subtracts it. Adaptation is frozen while the reference is silent, so the user
   talking alone never disturbs the filter.
2. Text guard: whatever survives, a detection whose command words the coach itself was
   saying in the last `lookback` seconds (e.g. `next` while the coach says "Next: toe
   presses") is dropped. Commands the coach was not saying ("pause" over an exercise
   description) pass.

`EchoGuard(recognizer, reference)` wraps any Recognizer with both. `mix_echo` simulates
the coach's voice leaking into the microphone for `--echo GAIN` replays and the tests.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from voicecoach.ears import phrases
from voicecoach.ports import MIC_RATE, Detection, EchoReference, Recognizer

log = logging.getLogger(__name__)

BLOCK = 256  # samples per filter block (16 ms)
PARTITIONS = 4  # filter length = PARTITIONS * BLOCK samples after the bulk delay


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
    mu: float = 0.5  # NLMS step size
    ref_active: float = 1e-4  # reference block power (of -1..1) that counts as playing
    lookback: float = 2.5  # s: how far back the text guard looks (command + endpointing)
    margin: float = 0.3  # s: coach speech this close before an utterance still counts


class EchoCanceller:
    """Streaming acoustic echo canceller (see the module doc). int16 in, int16 out."""

    def __init__(self, reference: EchoReference, settings: EchoSettings | None = None) -> None:
        self.reference = reference
        self.settings = settings or EchoSettings()
        self.delay = 0  # bulk delay in samples
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
        for i in range(0, n, BLOCK):
            t = start + i / MIC_RATE
            out[i : i + BLOCK] = self._block(self._pending[i : i + BLOCK], t)
        self._pending = self._pending[n:]
        self._t_pending = start + n / MIC_RATE
        return np.clip(np.round(out * 32768.0), -32768, 32767).astype(np.int16), start

    def flush(self) -> tuple[np.ndarray, float]:
        """The last partial block, uncancelled (at most 16 ms)."""
        rest, t = self._pending, self._t_pending
        self._pending = np.zeros(0)
        return np.clip(np.round(rest * 32768.0), -32768, 32767).astype(np.int16), t

    def _block(self, mic: np.ndarray, t: float) -> np.ndarray:
        ref = self.reference.audio(t - self.delay / MIC_RATE, BLOCK, MIC_RATE).astype(np.float64)
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
        return error
        echo = float(np.mean(estimate**2))
        if echo > 0 and float(np.mean(error**2)) < self.settings.residual_ratio * echo:
            return error * self.settings.residual_gain
        return error

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
        if float(np.mean(ref.astype(np.float64) ** 2)) < cfg.ref_active:
            return
        found = best_lag(mic, ref.astype(np.float64), lag_max)
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
            self.delay = lag
            # a new path: start from the direct sound (one tap), NLMS learns the room
            first = np.zeros(2 * BLOCK)
            first[0] = gain
            self._weights[:] = 0
            self._weights[0] = np.fft.rfft(first)
            self._erle = 0.0
            self.path_found = True
        self._searched_until = t_mic + cfg.search_window

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
        self.name = getattr(recognizer, "name", "recognizer")
        self.dropped: list[Detection] = []  # what the text guard rejected (for logs/tests)

    def accept(self, samples: np.ndarray, t0: float) -> list[Detection]:
        if self.canceller is not None:
            samples, t0 = self.canceller.process(samples, t0)
            if len(samples) == 0:
                return []
        return self._guard(self.inner.accept(samples, t0))

    def flush(self, t: float) -> list[Detection]:
        out: list[Detection] = []
        if self.canceller is not None:
            rest, t0 = self.canceller.flush()
            if len(rest):
                out += self.inner.accept(rest, t0)
        return self._guard(out + self.inner.flush(t))

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
        """Was the coach saying this intent around the time the user's utterance ran?"""
        cfg = self.settings
        for _start, _end, text in self.reference.texts(d.t - cfg.lookback - cfg.margin, d.t):
            if d.intent in phrases.find(text)[0]:
                return True
        return False
