"""The ears in noise (issue 15): front-end variants and the endpointer, on DEV clips only.

    # the tuning harness with a front-end variant (FrontendConfig fields), then its args:
    python bench/noise_experiments.py tune --front pad_floor=1 --front denoise=1.0 -- \\
        bench/out/clips/dev --every 3 --out bench/out/tune/X.jsonl --show 0,0.35,0.2,-1.0
    # what the endpointer makes of each command clip, per condition (no decoding):
    python bench/noise_experiments.py segments bench/out/clips/dev [--set on_db=12]

`tune` runs bench/tune_whisper.py on the audio of a front-end variant (`FrontendConfig`)
instead of `frontend.whisper_audio`'s (the utterance, then digital silence):
- `pad_floor=1`: the silence is the room's own noise instead (noise with the spectrum and
  RMS of the preroll before the onset, random phases from a fixed seed), so noisy speech
  is not followed by an abrupt cut to nothing;
- `fade=S` (with `pad_floor`): that noise fades out over S s, then digital silence;
- `denoise=K`: spectral subtraction of K times the preroll's noise power per STFT bin
  (32 ms sqrt-Hann frames, 50 % overlap), each bin's gain kept >= `gain_floor`;
- `level_dbfs=L`: the utterance scaled so that its loud part has an RMS of L dBFS;
- `rnnoise=1`: the utterance (with its 0.3 s preroll) through RNNoise (below) first.
None was adopted (bench/RESULTS.md, 2026-11-30, "the ears in noise").

`--stream rnnoise` (both commands): the whole clip is first run through RNNoise (the
`pyrnnoise` wheel's librnnoise, a recurrent denoiser trained on speech and noise; 48 kHz,
so resampled 3x up and down, its 20 ms delay taken out), as a denoiser in front of the
endpointer would (bench only; `pip install pyrnnoise`).

`segments` streams every command clip through the endpointer as `voicecoach eval` does and
counts, per noise condition, the clips whose speech one utterance covers (what Whisper
could hear), and otherwise why not: the command ran "too long", came out "too short",
was cut in pieces or not found at all; "wide": one utterance holds the command and more
than 0.5 s of other sound (babble, music) around it.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
import tune_whisper

from voicecoach import evaluation
from voicecoach.ears.endpoint import Endpointer, Utterance
from voicecoach.ears.sources import WavSource
from voicecoach.ports import MIC_RATE

NFFT = 512  # 32 ms STFT frames
HOP = NFFT // 2  # sqrt-Hann analysis and synthesis at 50 % overlap: perfect reconstruction
NOISE_GUARD = 0.1  # s of the preroll nearest the onset not used as noise (soft onsets)
MIN_NOISE = 0.05  # s: less preroll than this gives no noise estimate (zeros padding)


@dataclass(frozen=True, slots=True)
class FrontendConfig:
    """What the audio handed to Whisper is made of (the module doc says each)."""

    pad_floor: bool = False  # pad with the preroll's noise instead of zeros
    fade: float = 0.0  # if > 0: that noise fades out linearly over this many s, then zeros
    denoise: float = 0.0  # over-subtraction factor of the noise power (0: off)
    gain_floor: float = 0.2  # the smallest gain the noise reduction applies
    level_dbfs: float | None = None  # RMS of the loud part after scaling (None: as is)
    rnnoise: bool = False  # the utterance (with its preroll) through `rnnoise` first


def variant_audio(utt: Utterance, pad: float, cfg: FrontendConfig) -> np.ndarray:
    """`frontend.whisper_audio` with a front-end variant: float32 audio at 16 kHz, the
    utterance, prepared, then `pad` s of padding (deterministic)."""
    raw = rnnoise(utt.audio) if cfg.rnnoise else utt.audio
    audio = raw.astype(np.float64) / 32768.0
    noise = preroll_noise(utt)
    n_pad = round(pad * MIC_RATE)
    padding = like_noise(noise, n_pad) if cfg.pad_floor and noise is not None else np.zeros(n_pad)
    if cfg.fade > 0:
        padding *= np.clip(1.0 - np.arange(n_pad) / (cfg.fade * MIC_RATE), 0.0, 1.0)
    signal = np.concatenate([audio, padding])
    if cfg.denoise > 0 and noise is not None:
        signal = spectral_subtract(signal, noise_spectrum(noise), cfg.denoise, cfg.gain_floor)
    if cfg.level_dbfs is not None:
        signal = normalised(signal, loud_part(utt, len(signal)), cfg.level_dbfs)
    out: np.ndarray = np.clip(signal, -1.0, 1.0).astype(np.float32)
    return out


def preroll_noise(utt: Utterance) -> np.ndarray | None:
    """The audio before the onset, bar the last `NOISE_GUARD` s (float, [-1, 1]), or None
    when too little of it was kept to say what the background sounds like."""
    n = round((utt.start - utt.t_audio - NOISE_GUARD) * MIC_RATE)
    if n < MIN_NOISE * MIC_RATE:
        return None
    return utt.audio[:n].astype(np.float64) / 32768.0


def loud_part(utt: Utterance, length: int) -> slice:
    """The samples of `utt.audio` between the onset and the last loud frame."""
    start = max(0, round((utt.start - utt.t_audio) * MIC_RATE))
    end = min(length, round((utt.end - utt.t_audio) * MIC_RATE))
    return slice(start, max(start + 1, end))


def _window() -> np.ndarray:
    return np.sqrt(np.hanning(NFFT + 1)[:NFFT])  # periodic: squares overlap-add to 1


def stft(x: np.ndarray) -> np.ndarray:
    """Frames of `x` (zero-padded to whole frames, plus one hop each side), windowed,
    as rows of their rfft."""
    n_frames = -(-len(x) // HOP) + 1
    padded = np.zeros((n_frames + 1) * HOP)
    padded[HOP : HOP + len(x)] = x
    idx = np.arange(NFFT)[None, :] + HOP * np.arange(n_frames)[:, None]
    spectra: np.ndarray = np.fft.rfft(padded[idx] * _window(), axis=1)
    return spectra


def istft(spectra: np.ndarray, length: int) -> np.ndarray:
    """The inverse of `stft`: overlap-add of the windowed frames, `length` samples."""
    frames = np.fft.irfft(spectra, NFFT, axis=1) * _window()
    out = np.zeros((len(frames) + 1) * HOP)
    for i, frame in enumerate(frames):
        out[i * HOP : i * HOP + NFFT] += frame
    result: np.ndarray = out[HOP : HOP + length]
    return result


def noise_spectrum(noise: np.ndarray) -> np.ndarray:
    """Mean power per rfft bin of `noise`'s STFT frames (the frames it fills whole)."""
    spectra = stft(noise)
    inner = spectra[1:-1] if len(spectra) > 2 else spectra
    power: np.ndarray = np.mean(np.abs(inner) ** 2, axis=0)
    return power


def spectral_subtract(
    x: np.ndarray, noise_power: np.ndarray, over: float, gain_floor: float
) -> np.ndarray:
    """`x` with `over` times the noise power taken from each bin's power, each bin's
    gain kept at or above `gain_floor`."""
    spectra = stft(x)
    power = np.abs(spectra) ** 2
    gain = np.sqrt(np.maximum(1.0 - over * noise_power / np.maximum(power, 1e-20), 0.0))
    return istft(spectra * np.maximum(gain, gain_floor), len(x))


def like_noise(noise: np.ndarray, n: int) -> np.ndarray:
    """`n` samples of stationary noise with the spectrum and RMS of `noise` (random
    phases from a fixed seed)."""
    if n == 0:
        return np.zeros(0)
    shape = np.sqrt(noise_spectrum(noise))
    white = np.fft.rfft(np.random.default_rng(0).standard_normal(n))
    bins = np.linspace(0.0, 1.0, len(white))
    shaped = np.fft.irfft(white * np.interp(bins, np.linspace(0.0, 1.0, len(shape)), shape), n)
    rms = float(np.sqrt(np.mean(shaped**2)))
    target = float(np.sqrt(np.mean(noise**2)))
    out: np.ndarray = shaped * (target / rms) if rms > 0 else shaped
    return out


def normalised(signal: np.ndarray, loud: slice, level_dbfs: float) -> np.ndarray:
    """`signal` scaled so that its `loud` part has an RMS of `level_dbfs`."""
    rms = float(np.sqrt(np.mean(signal[loud] ** 2)))
    if rms <= 0:
        return signal
    scaled: np.ndarray = signal * (10 ** (level_dbfs / 20) / rms)
    return scaled


def front_config(pairs: list[str]) -> FrontendConfig:
    fields = {f.name: f for f in dataclasses.fields(FrontendConfig)}
    values: dict[str, object] = {}
    for pair in pairs:
        key, value = pair.split("=", 1)
        if key not in fields:
            raise SystemExit(f"no front-end setting {key!r}: {sorted(fields)}")
        if key in {"pad_floor", "rnnoise"}:
            values[key] = value not in {"0", "false", "no"}
        elif key == "level_dbfs":
            values[key] = None if value == "none" else float(value)
        else:
            values[key] = float(value)
    return FrontendConfig(**values)  # type: ignore[arg-type]


RNNOISE_RATE_FACTOR = 3  # RNNoise runs at 48 kHz
RNNOISE_FRAME = 480  # its 10 ms frames
RNNOISE_DELAY = 320  # samples at 16 kHz (measured by cross-correlation: 20 ms)


def rnnoise(samples: np.ndarray) -> np.ndarray:
    """16 kHz int16 audio through RNNoise, delay removed, same length."""
    import ctypes

    from pyrnnoise import rnnoise as rn  # bench only
    from scipy.signal import resample_poly

    up = resample_poly(samples.astype(np.float32), RNNOISE_RATE_FACTOR, 1).astype(np.float32)
    up = np.concatenate([up, np.zeros(RNNOISE_FRAME * 3, np.float32)])
    out = np.zeros(len(up), np.float32)
    state = rn.lib.rnnoise_create(None)
    buf_in = (ctypes.c_float * RNNOISE_FRAME)()
    buf_out = (ctypes.c_float * RNNOISE_FRAME)()
    for i in range(len(up) // RNNOISE_FRAME):
        ctypes.memmove(buf_in, up[i * RNNOISE_FRAME :].ctypes.data, RNNOISE_FRAME * 4)
        rn.lib.rnnoise_process_frame(state, buf_out, buf_in)
        out[i * RNNOISE_FRAME : (i + 1) * RNNOISE_FRAME] = np.frombuffer(buf_out, np.float32)
    rn.lib.rnnoise_destroy(state)
    down = resample_poly(out, 1, RNNOISE_RATE_FACTOR)[RNNOISE_DELAY : RNNOISE_DELAY + len(samples)]
    return np.clip(np.round(down), -32768, 32767).astype(np.int16)


class DenoisedWavSource(WavSource):
    """A clip as `WavSource` gives it, through `rnnoise` first (the whole clip at once)."""

    def chunks(self):  # type: ignore[no-untyped-def]
        pieces = list(super().chunks())
        if not pieces:
            return
        clean = rnnoise(np.concatenate([c for _, c in pieces]))
        at = 0
        for t0, chunk in pieces:
            yield t0, clean[at : at + len(chunk)]
            at += len(chunk)


def use_stream(name: str | None) -> None:
    if name == "rnnoise":
        tune_whisper.WavSource = DenoisedWavSource  # type: ignore[misc]
    elif name is not None:
        raise SystemExit(f"no stream variant {name!r}: rnnoise")


def tune(argv: list[str]) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--front", action="append", default=[])
    ap.add_argument("--stream", default=None)
    args, rest = ap.parse_known_args(argv)
    use_stream(args.stream)
    config = front_config(args.front)
    print(f"front end: {config}, stream {args.stream}")
    if config != FrontendConfig():  # the harness then decodes this variant's audio
        tune_whisper.whisper_audio = functools.partial(variant_audio, cfg=config)
    sys.argv = ["tune_whisper.py", *[a for a in rest if a != "--"]]
    tune_whisper.main()


WIDE = 0.5  # s of other sound in an utterance around the command: "wide"


def verdict(utts: list[Utterance], start: float, end: float, min_speech: float) -> str:
    """What the endpointer did with speech at [start, end]."""
    near = [u for u in utts if u.end > start - 0.2 and u.start < end + 0.2]
    if not near:
        return "missed"
    if any(u.too_long for u in near):
        return "too long"
    whole = [u for u in near if u.start <= start + 0.15 and u.end >= end - 0.15]
    if whole:
        u = whole[0]
        if u.end - u.start < min_speech:
            return "too short"
        return "wide" if (start - u.start) + (u.end - end) > WIDE else "whole"
    if all(u.end - u.start < min_speech for u in near):
        return "too short"
    return "pieces"


def segments(argv: list[str]) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--every", type=int, default=1)
    ap.add_argument("--stream", default=None)
    args = ap.parse_args(argv)
    use_stream(args.stream)
    cfg = tune_whisper.settings_from(args.set).endpoint
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    nulls: Counter[str] = Counter()
    for clip in evaluation.load_manifest(args.dir)[:: args.every]:
        ep = Endpointer(cfg)
        source = tune_whisper.WavSource(clip.audio)
        utts = []
        for t0, chunk in source.chunks():
            utts += ep.feed(chunk, t0)
        utts += ep.flush(source.duration)
        noise = f"{clip.info.get('noise')} {clip.info.get('snr') or ''}".strip()
        if clip.expect is None:
            nulls[noise] += sum(1 for u in utts if not u.too_long)
            continue
        start = float(clip.info["speech_start"])
        counts[noise][verdict(utts, start, clip.speech_end, cfg.min_speech)] += 1
    kinds = ("whole", "wide", "too long", "too short", "pieces", "missed")
    print(f"{cfg}\n{'condition':12s} " + " ".join(f"{k:>9s}" for k in kinds) + "  null utts")
    total: Counter[str] = Counter()
    for name in sorted(counts):
        c = counts[name]
        total.update(c)
        n = sum(c.values())
        cells = " ".join(f"{100 * c[k] / n:8.0f}%" for k in kinds)
        print(f"{name:12s} {cells}  {nulls[name]:5d}   (n={n})")
    n = sum(total.values())
    print(f"{'all':12s} " + " ".join(f"{100 * total[k] / n:8.0f}%" for k in kinds))


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"tune", "segments"}:
        raise SystemExit(__doc__)
    {"tune": tune, "segments": segments}[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
