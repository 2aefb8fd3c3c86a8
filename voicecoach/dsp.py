"""The few filters voicecoach needs, in numpy alone.

Why not scipy.signal: importing it costs ~1 s of CPU (scipy 1.17 pulls in scipy.stats,
interpolate, optimize...), paid at start by the session process (the coach's echo
reference is resampled while the first words play) and by the ears' worker (the
endpointer's high-pass) before it can hear anything. What is here reproduces the
scipy.signal functions it replaces (`butter` high-pass of order 2, `sosfilt` with state,
`firwin`, `resample_poly`) to floating-point precision (tests/test_dsp.py compares them).
"""

from __future__ import annotations

import math

import numpy as np


def butter_highpass2(cutoff: float, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """(b, a) of the 2nd-order Butterworth high-pass (bilinear, pre-warped), as
    `scipy.signal.butter(2, cutoff, "highpass", fs=rate)` gives them."""
    k = math.tan(math.pi * cutoff / rate)
    norm = 1.0 / (1.0 + math.sqrt(2.0) * k + k * k)
    b = np.array([1.0, -2.0, 1.0]) * norm
    a = np.array([1.0, 2.0 * (k * k - 1.0) * norm, (1.0 - math.sqrt(2.0) * k + k * k) * norm])
    return b, a


def impulse_response(b: np.ndarray, a: np.ndarray, n: int) -> np.ndarray:
    """The first `n` samples of the IIR filter (b, a)'s impulse response."""
    h = np.zeros(n)
    x = np.zeros(n)
    x[0] = 1.0
    for i in range(n):
        acc = sum(b[j] * x[i - j] for j in range(len(b)) if i - j >= 0)
        acc -= sum(a[j] * h[i - j] for j in range(1, len(a)) if i - j >= 0)
        h[i] = acc / a[0]
    return h


class StreamFilter:
    """A stable IIR filter run over a stream in chunks of any size, as one long signal,
    by FFT convolution with its impulse response truncated where it has died away (a
    150 Hz high-pass at 16 kHz decays by 0.96 per sample: after 2048 samples the rest
    weighs ~1e-37 of the first)."""

    def __init__(self, response: np.ndarray) -> None:
        """`response`: the filter's impulse response (`impulse_response`), long enough."""
        self._h = response
        self._history = np.zeros(len(response) - 1)

    def process(self, samples: np.ndarray) -> np.ndarray:
        x = np.concatenate([self._history, np.asarray(samples, dtype=np.float64)])
        taps = len(self._h)
        size = 1 << (len(x) + taps - 1).bit_length()
        full = np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(self._h, size), size)
        self._history = x[len(x) - (taps - 1) :]
        out: np.ndarray = full[taps - 1 : len(x)]
        return out


def firwin(numtaps: int, cutoff: float, window: str = "hamming", beta: float = 5.0) -> np.ndarray:
    """A linear-phase low-pass FIR (`cutoff` relative to Nyquist, 0..1), windowed by
    "hamming" or "kaiser" (`beta`) and scaled to unit gain at 0 Hz: scipy.signal.firwin's
    low-pass."""
    m = np.arange(numtaps) - 0.5 * (numtaps - 1)
    h = cutoff * np.sinc(cutoff * m)
    h *= np.hamming(numtaps) if window == "hamming" else np.kaiser(numtaps, beta)
    normalised: np.ndarray = h / h.sum()
    return normalised


def upfirdn(h: np.ndarray, x: np.ndarray, up: int, down: int) -> np.ndarray:
    """Upsample `x` by `up` (zeros between samples), filter by `h`, keep every `down`th
    sample: the full convolution's length, as scipy.signal.upfirdn. Computed polyphase:
    output k = j + m*up (j < up) meets input samples (j*down)//up + m*down - i through the
    taps h[(j*down) % up + i*up], so each j is one matrix-vector product."""
    x = np.asarray(x, dtype=np.float64)
    n_out = ((len(x) - 1) * up + len(h) - 1) // down + 1
    per_phase = -(-len(h) // up)
    flat = np.zeros(per_phase * up)
    flat[: len(h)] = h
    phases = flat.reshape(per_phase, up).T  # phases[p, i] = h[p + i*up]
    # windows[n, i] = x[n - i] (zero outside x), for every n an output can start from
    last = ((n_out - 1) * down) // up
    padded = np.zeros(per_phase - 1 + max(last + 1, len(x)))
    padded[per_phase - 1 : per_phase - 1 + len(x)] = x
    windows = np.lib.stride_tricks.sliding_window_view(padded, per_phase)[:, ::-1]
    out = np.empty(n_out)
    for j in range(min(up, n_out)):
        base, phase = (j * down) // up, (j * down) % up
        count = len(range(j, n_out, up))
        out[j::up] = windows[base : base + (count - 1) * down + 1 : down] @ phases[phase]
    return out


def resample_poly(x: np.ndarray, up: int, down: int) -> np.ndarray:
    """`x` resampled by up/down (polyphase, Kaiser-windowed low-pass, beta 5, half length
    10 * max(up, down)): scipy.signal.resample_poly with its defaults. float64 out."""
    g = math.gcd(up, down)
    up, down = up // g, down // g
    x = np.asarray(x, dtype=np.float64)
    if up == down == 1:
        return x.copy()
    n_in = len(x)
    n_out = -(-(n_in * up) // down)
    half_len = 10 * max(up, down)
    h = firwin(2 * half_len + 1, 1.0 / max(up, down), window="kaiser") * up
    pre_pad = down - half_len % down
    pre_remove = (half_len + pre_pad) // down
    post_pad = 0
    while ((n_in - 1) * up + len(h) + pre_pad + post_pad - 1) // down + 1 < n_out + pre_remove:
        post_pad += 1
    h = np.concatenate([np.zeros(pre_pad), h, np.zeros(post_pad)])
    y = upfirdn(h, x, up, down)
    out: np.ndarray = y[pre_remove : pre_remove + n_out]
    return out
