"""The one WAV reader for audio input (`--listen-file`, eval clips, replays).

`read_header` checks a file before anything else happens: a regular file, RIFF/WAVE, PCM
(8/16/24/32-bit) or IEEE float (32/64-bit), 1-8 channels, 8-192 kHz, with audio in it.
`WavReader.blocks` then streams the audio in fixed-size blocks, as 16 kHz mono int16, so a
60-minute file is never held in memory. Every failure is an `AudioError` that says what is
wrong with the file and how to make one that works.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from voicecoach.errors import AudioError
from voicecoach.infiles import Folder, Unreadable, open_regular
from voicecoach.ports import MIC_RATE

MIN_RATE, MAX_RATE = 8_000, 192_000
MAX_CHANNELS = 8
PCM, FLOAT, EXTENSIBLE = 0x0001, 0x0003, 0xFFFE
SAMPLE_BITS = {PCM: (8, 16, 24, 32), FLOAT: (32, 64)}
BLOCK_SECONDS = 1.0  # audio read from the file at a time
MAX_CHUNKS = 1000  # RIFF chunks looked at before "fmt " and "data" must have been found
CONVERT_HINT = "convert it, e.g. 'sox input.mp3 -r 16000 -c 1 -b 16 output.wav'"


@dataclass(frozen=True)
class WavFormat:
    """What the header of a WAV file says, checked."""

    channels: int
    rate: int
    bits: int
    is_float: bool
    frames: int  # complete frames in the data chunk (a cut-off last frame is dropped)
    data_offset: int

    @property
    def duration(self) -> float:
        return self.frames / self.rate

    @property
    def frame_bytes(self) -> int:
        return self.channels * self.bits // 8


def _open(path: Path) -> BinaryIO:
    """The file, opened without blocking on a FIFO; only a regular file is accepted."""
    try:
        return os.fdopen(open_regular(path), "rb")
    except FileNotFoundError:
        raise AudioError(f"audio file not found: {path}", "check the path (a .wav file)") from None
    except Folder:
        raise AudioError(
            f"{path} is a folder, not a WAV file", "give the path of a .wav file"
        ) from None
    except Unreadable as exc:
        raise AudioError(f"cannot open {path}: {exc.why}", "give the path of a .wav file") from None


def _bad(path: Path, why: str) -> AudioError:
    return AudioError(f"cannot read {path} as a WAV file: {why}", CONVERT_HINT)


def _header(path: Path, f: BinaryIO) -> WavFormat:
    size = os.fstat(f.fileno()).st_size
    head = f.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise _bad(path, "it does not start with a RIFF/WAVE header")
    fmt: tuple[int, int, int, int, int] | None = None
    for _ in range(MAX_CHUNKS):
        chunk = f.read(8)
        if len(chunk) < 8:
            break
        kind, length = chunk[:4], struct.unpack("<I", chunk[4:])[0]
        start = f.tell()
        if kind == b"fmt ":
            fmt = _fmt(path, f.read(min(length, 64)))
        elif kind == b"data":
            if fmt is None:
                raise _bad(path, "the audio comes before its format ('fmt ' chunk)")
            return _format(path, fmt, start, min(length, size - start))
        f.seek(start + length + (length & 1))  # chunks are padded to an even length
    raise _bad(path, "no audio ('data' chunk) in it" if fmt else "no format ('fmt ' chunk)")


def _fmt(path: Path, body: bytes) -> tuple[int, int, int, int, int]:
    if len(body) < 16:
        raise _bad(path, "its format chunk is cut short")
    tag, channels, rate, _byte_rate, align, bits = struct.unpack("<HHIIHH", body[:16])
    if tag == EXTENSIBLE:
        if len(body) < 26:
            raise _bad(path, "its extensible format chunk is cut short")
        tag = struct.unpack("<H", body[24:26])[0]  # the sub-format GUID starts with the tag
    return tag, channels, rate, align, bits


def _format(path: Path, fmt: tuple[int, int, int, int, int], offset: int, size: int) -> WavFormat:
    tag, channels, rate, align, bits = fmt
    if tag not in SAMPLE_BITS:
        raise _bad(path, f"format {tag:#06x} is compressed; only PCM and float WAVs are read")
    if bits not in SAMPLE_BITS[tag]:
        kind = "float" if tag == FLOAT else "integer"
        allowed = "/".join(map(str, SAMPLE_BITS[tag]))
        raise _bad(path, f"{bits}-bit {kind} samples (readable: {allowed}-bit)")
    if not 1 <= channels <= MAX_CHANNELS:
        raise _bad(path, f"{channels} channels (readable: 1 to {MAX_CHANNELS})")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise _bad(path, f"a sample rate of {rate} Hz (readable: {MIN_RATE} to {MAX_RATE} Hz)")
    if align != channels * bits // 8:
        raise _bad(path, f"its block size ({align} bytes) does not fit {channels} x {bits} bits")
    frames = max(size, 0) // align
    if frames == 0:
        raise AudioError(f"{path} contains no audio", "record or choose a longer file")
    return WavFormat(channels, rate, bits, tag == FLOAT, frames, offset)


def read_header(path: str | os.PathLike[str]) -> WavFormat:
    """The checked format of a WAV file, or an AudioError saying what is wrong with it."""
    path = Path(path)
    with _open(path) as f:
        return _header(path, f)


def _samples(raw: bytes, fmt: WavFormat) -> np.ndarray:
    """Raw frames as an int16 mono array at the file's rate."""
    width = fmt.bits // 8
    if fmt.is_float:
        x = np.frombuffer(raw, dtype=f"<f{width}")
        x = np.round(np.clip(np.nan_to_num(x), -1.0, 1.0) * 32767).astype(np.int16)
    elif width == 1:
        x = ((np.frombuffer(raw, np.uint8).astype(np.int16) - 128) << 8).astype(np.int16)
    else:  # the two most significant bytes of each little-endian sample
        x = np.frombuffer(raw, np.uint8).reshape(-1, width)[:, -2:].copy().view("<i2").ravel()
    if fmt.channels == 1:
        return x.astype(np.int16, copy=False)
    mono: np.ndarray = np.round(x.reshape(-1, fmt.channels).astype(np.float64).mean(axis=1))
    return mono.astype(np.int16)


class WavReader:
    """A checked WAV file read block by block as 16 kHz mono int16."""

    def __init__(self, path: str | os.PathLike[str], block_seconds: float = BLOCK_SECONDS) -> None:
        self.path = Path(path)
        self.format = read_header(self.path)
        self.block_frames = max(1, int(block_seconds * self.format.rate))

    @property
    def duration(self) -> float:
        return self.format.duration

    def blocks(self) -> Iterator[np.ndarray]:
        """The audio in order, resampled as one continuous stream (no seams)."""
        from voicecoach.ears.sources import StreamResampler

        fmt = self.format
        resampler = StreamResampler(fmt.rate) if fmt.rate != MIC_RATE else None
        left = fmt.frames
        with _open(self.path) as f:
            f.seek(fmt.data_offset)
            while left > 0:
                want = min(left, self.block_frames)
                raw = f.read(want * fmt.frame_bytes)
                got = len(raw) // fmt.frame_bytes
                if got == 0:
                    return  # the file shrank while being read: what was there is the audio
                left -= got
                block = _samples(raw[: got * fmt.frame_bytes], fmt)
                yield resampler.process(block) if resampler is not None else block


def read_wav(path: str | os.PathLike[str]) -> np.ndarray:
    """A whole (short) WAV file as 16 kHz mono int16: clips, tests, benchmarks."""
    blocks = list(WavReader(path).blocks())
    return np.concatenate(blocks) if blocks else np.zeros(0, np.int16)
