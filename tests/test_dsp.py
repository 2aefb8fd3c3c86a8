"""The numpy filters of voicecoach.dsp give what the scipy.signal functions they replace
give (scipy is only imported here, by the tests)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import signal

from voicecoach import dsp


def noise(n: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 3000, n)


def test_the_high_pass_has_scipys_butterworth_coefficients():
    b, a = dsp.butter_highpass2(150.0, 16000)
    want_b, want_a = signal.butter(2, 150.0, "highpass", fs=16000)
    np.testing.assert_allclose(b, want_b, rtol=1e-12)
    np.testing.assert_allclose(a, want_a, rtol=1e-12)


@pytest.mark.parametrize("sizes", [[1600] * 7, [160, 1, 999, 3000, 17, 4000]])
def test_a_stream_filtered_in_chunks_of_any_size_is_the_whole_signal_filtered(sizes):
    x = noise(sum(sizes))
    b, a = dsp.butter_highpass2(150.0, 16000)
    stream = dsp.StreamFilter(dsp.impulse_response(b, a, 2048))
    cuts = np.cumsum([0, *sizes])
    got = np.concatenate([stream.process(x[i:j]) for i, j in itertools.pairwise(cuts)])
    want = signal.sosfilt(signal.butter(2, 150.0, "highpass", fs=16000, output="sos"), x)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-7)


@pytest.mark.parametrize(
    ("numtaps", "cutoff", "window"), [(480, 1 / 3, "hamming"), (41, 0.2, "kaiser")]
)
def test_firwin_is_scipys_low_pass(numtaps, cutoff, window):
    want = signal.firwin(numtaps, cutoff, window=("kaiser", 5.0) if window == "kaiser" else window)
    np.testing.assert_allclose(dsp.firwin(numtaps, cutoff, window), want, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize(
    ("up", "down", "n"), [(320, 147, 22050), (2, 3, 1001), (160, 441, 4410), (3, 1, 10)]
)
def test_resample_poly_is_scipys(up, down, n):
    x = noise(n) / 30000
    want = signal.resample_poly(x, up, down)
    np.testing.assert_allclose(dsp.resample_poly(x, up, down), want, atol=1e-9)


def test_upfirdn_is_scipys():
    x = noise(30001)
    h = dsp.firwin(61, 0.4)
    np.testing.assert_allclose(dsp.upfirdn(h, x, 3, 2), signal.upfirdn(h, x, 3, 2), atol=1e-8)
