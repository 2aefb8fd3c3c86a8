"""The WAV reader: every malformed file is a clear AudioError (no struct.error, division by
zero or huge allocation), nothing hangs, and good files stream in bounded blocks."""

from __future__ import annotations

import os
import struct
import threading
from pathlib import Path

import numpy as np
import pytest

from voicecoach.cli import main
from voicecoach.ears.wav import WavReader, read_header, read_wav
from voicecoach.errors import AudioError, ExitCode
from voicecoach.ports import MIC_RATE


def chunk(kind: bytes, body: bytes, length: int | None = None) -> bytes:
    size = len(body) if length is None else length
    return kind + struct.pack("<I", size) + body + (b"\0" if len(body) % 2 else b"")


def fmt(tag=1, channels=1, rate=16_000, bits=16, align=None, sub=None) -> bytes:
    align = channels * bits // 8 if align is None else align
    body = struct.pack("<HHIIHH", tag, channels, rate, (rate * align) & 0xFFFFFFFF, align, bits)
    if sub is not None:  # WAVE_FORMAT_EXTENSIBLE: cbSize, valid bits, mask, GUID
        body += struct.pack("<HHI", 22, bits, 0) + struct.pack("<H", sub) + b"\0" * 14
    return chunk(b"fmt ", body)


def riff(*chunks: bytes, form: bytes = b"WAVE") -> bytes:
    body = form + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


SECOND = np.zeros(MIC_RATE, np.int16).tobytes()
DATA = chunk(b"data", SECOND)

# file bytes -> words the error must contain
MALFORMED: dict[str, tuple[bytes, str]] = {
    "an empty file": (b"", "RIFF/WAVE header"),
    "a header cut after 10 bytes": (riff(fmt(), DATA)[:10], "RIFF/WAVE header"),
    "a format chunk cut short": (riff(fmt(), DATA)[:30], "format chunk is cut short"),
    "no format chunk at all": (riff(), "no format"),
    "a RIFF that is not WAVE": (riff(fmt(), DATA, form=b"AVI "), "RIFF/WAVE header"),
    "big-endian RIFX": (b"RIFX" + riff(fmt(), DATA)[4:], "RIFF/WAVE header"),
    "text, not audio": (b"this is not audio at all" * 10, "RIFF/WAVE header"),
    "0 channels": (riff(fmt(channels=0, align=0), DATA), "0 channels"),
    "9 channels": (riff(fmt(channels=9), DATA), "9 channels"),
    "7-bit samples": (riff(fmt(bits=7, align=1), DATA), "7-bit integer samples"),
    "12-bit samples": (riff(fmt(bits=12, align=2), DATA), "12-bit integer samples"),
    "16-bit float": (riff(fmt(tag=3, bits=16), DATA), "16-bit float samples"),
    "a rate of 0": (riff(fmt(rate=0), DATA), "sample rate of 0 Hz"),
    "a rate of 7999 Hz": (riff(fmt(rate=7999), DATA), "7999 Hz"),
    "a rate of 2**31-1": (riff(fmt(rate=2**31 - 1), DATA), "2147483647 Hz"),
    "a rate of 4 GHz": (riff(fmt(rate=2**32 - 1), DATA), "4294967295 Hz"),
    "ADPCM": (riff(fmt(tag=2, bits=4, align=256), DATA), "compressed"),
    "mu-law": (riff(fmt(tag=7, bits=8), DATA), "compressed"),
    "an extensible MP3": (riff(fmt(tag=0xFFFE, sub=0x55), DATA), "compressed"),
    "an extensible header cut short": (
        riff(chunk(b"fmt ", fmt(tag=0xFFFE)[8:] + b"\0\0"), DATA),
        "extensible format chunk is cut short",
    ),
    "a block size that does not fit": (riff(fmt(align=3), DATA), "block size"),
    "no data chunk": (riff(fmt()), "no audio"),
    "audio before its format": (riff(DATA, fmt()), "before its format"),
    "an empty data chunk": (riff(fmt(), chunk(b"data", b"")), "contains no audio"),
    "less than one frame": (riff(fmt(channels=2), chunk(b"data", b"\1\2")), "contains no audio"),
    "a chunk longer than the file": (
        riff(fmt(), chunk(b"LIST", b"", length=2**32 - 1)),
        "no audio",
    ),
    "thousands of empty chunks": (riff(fmt(), *[chunk(b"junk", b"")] * 5000, DATA), "no audio"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_wav_is_a_clear_error(case, tmp_path):
    content, words = MALFORMED[case]
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(AudioError) as info:
        read_header(path)
    assert words in info.value.message
    assert str(path) in info.value.message
    if "contains no audio" not in words:
        assert "sox" in (info.value.hint or "")


def test_a_missing_file_and_a_folder_are_named(tmp_path):
    with pytest.raises(AudioError, match="not found"):
        read_header(tmp_path / "nope.wav")
    with pytest.raises(AudioError, match="is a folder"):
        read_header(tmp_path)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_refused_at_once(device, tmp_path):
    path = tmp_path / "mic.wav"
    path.symlink_to(device)
    with pytest.raises(AudioError, match="not a regular file"):
        read_header(path)


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    path = tmp_path / "mic.wav"
    os.mkfifo(path)
    errors: list[AudioError] = []

    def read() -> None:
        try:
            read_header(path)
        except AudioError as exc:
            errors.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert errors, "reading a FIFO must not wait for a writer"
    assert "not a regular file" in errors[0].message


# ------------------------------------------------------------------------- good files


def tone(rate: int, seconds: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return 0.5 * np.sin(2 * np.pi * 440 * t)


def pcm(x: np.ndarray, bits: int) -> bytes:
    if bits == 8:
        return (np.round(x * 127) + 128).astype(np.uint8).tobytes()
    scaled = np.round(x * (2 ** (bits - 1) - 1)).astype("<i4")
    return scaled.view(np.uint8).reshape(-1, 4)[:, : bits // 8].tobytes()


@pytest.mark.parametrize(
    ("tag", "bits", "encode"),
    [
        (1, 8, lambda x: pcm(x, 8)),
        (1, 16, lambda x: pcm(x, 16)),
        (1, 24, lambda x: pcm(x, 24)),
        (1, 32, lambda x: pcm(x, 32)),
        (3, 32, lambda x: x.astype("<f4").tobytes()),
        (3, 64, lambda x: x.astype("<f8").tobytes()),
        (0xFFFE, 16, lambda x: pcm(x, 16)),
    ],
)
def test_every_readable_sample_format_gives_the_same_int16(tag, bits, encode, tmp_path):
    x = tone(MIC_RATE)
    sub = 1 if tag == 0xFFFE else None
    path = tmp_path / "ok.wav"
    path.write_bytes(riff(fmt(tag=tag, bits=bits, sub=sub), chunk(b"data", encode(x))))
    expected = np.round(x * 32767)
    tolerance = 256 if bits == 8 else 2
    assert np.abs(read_wav(path).astype(np.float64) - expected).max() <= tolerance


def test_eight_channels_are_averaged_to_mono(tmp_path):
    x = np.repeat(tone(MIC_RATE)[:, None], 8, axis=1)
    path = tmp_path / "8ch.wav"
    path.write_bytes(riff(fmt(channels=8), chunk(b"data", pcm(x.ravel(), 16))))
    assert np.array_equal(read_wav(path), np.round(tone(MIC_RATE) * 32767).astype(np.int16))


def test_a_streamed_wav_with_an_unknown_data_length_reads_to_the_end(tmp_path):
    path = tmp_path / "streamed.wav"
    odd = chunk(b"LIST", b"abc")  # an odd-length chunk is padded to an even one
    path.write_bytes(riff(fmt(), odd, chunk(b"data", SECOND, length=2**32 - 1)))
    assert len(read_wav(path)) == MIC_RATE


def test_a_cut_off_last_frame_is_dropped(tmp_path):
    path = tmp_path / "cut.wav"
    path.write_bytes(riff(fmt(channels=2), chunk(b"data", b"\0" * 4001)))
    assert len(read_wav(path)) == 1000


def test_a_long_file_is_read_one_second_at_a_time(tmp_path):
    path = tmp_path / "long.wav"
    path.write_bytes(riff(fmt(rate=48_000), chunk(b"data", b"\0" * 2 * 48_000 * 30)))
    reader = WavReader(path)
    assert reader.duration == 30
    sizes = [len(b) for b in reader.blocks()]
    assert max(sizes) <= MIC_RATE
    assert sum(sizes) == pytest.approx(30 * MIC_RATE, abs=10)


# ----------------------------------------------------------------------- on the command line


def test_a_bad_listen_file_is_reported_before_the_session_starts(tmp_path, capsys):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(riff(fmt(channels=0, align=0), DATA))
    log = tmp_path / "keep.jsonl"
    code = main(["start", "behind-knee", "--fast", "--listen-file", str(bad), "--log", str(log)])
    out, err = capsys.readouterr()
    assert code == ExitCode.USAGE
    assert f"voicecoach: --listen-file: cannot read {bad} as a WAV file: 0 channels" in err
    assert "Traceback" not in err
    assert out == ""  # nothing was said
    assert not Path(log).exists()
