"""Audio sources: WAV files and the microphone (through a fake sounddevice module)."""

from __future__ import annotations

import logging
import threading
import wave
from pathlib import Path

import numpy as np
import pytest

from voicecoach.ears.sources import (
    CHUNK,
    MicSource,
    StreamResampler,
    WavSource,
    find_input_device,
    resample,
    to_int16,
)
from voicecoach.ears.wav import read_wav
from voicecoach.errors import AudioError
from voicecoach.ports import MIC_RATE


def write_wav(path: Path, samples: np.ndarray, rate: int, width: int = 2) -> Path:
    data = np.asarray(samples)
    channels = 1 if data.ndim == 1 else data.shape[1]
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(data.tobytes())
    return path


def tone(freq: float, seconds: float, rate: int, amp: float = 8000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def dominant_frequency(x: np.ndarray, rate: int = MIC_RATE) -> float:
    spectrum = np.abs(np.fft.rfft(x.astype(np.float64) * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[np.argmax(spectrum)])


# -- WAV files ------------------------------------------------------------------------------------


def test_a_16khz_wav_comes_out_in_fixed_chunks_with_their_audio_times(tmp_path):
    samples = np.arange(4000, dtype=np.int16)
    source = WavSource(write_wav(tmp_path / "a.wav", samples, MIC_RATE), chunk=1600, start=2.0)
    chunks = list(source.chunks())
    assert [t0 for t0, _ in chunks] == [2.0, 2.1, 2.2]
    assert [len(c) for _, c in chunks] == [1600, 1600, 800]
    assert np.array_equal(np.concatenate([c for _, c in chunks]), samples)
    assert all(c.dtype == np.int16 for _, c in chunks)


def test_a_44khz_stereo_wav_becomes_16khz_mono_at_the_same_pitch(tmp_path):
    left = tone(440, 1.0, 44_100)
    stereo = np.stack([left, left], axis=1)
    source = WavSource(write_wav(tmp_path / "s.wav", stereo, 44_100))
    assert source.duration == pytest.approx(1.0, abs=1e-3)
    samples = np.concatenate([c for _, c in source.chunks()])
    assert len(samples) == pytest.approx(MIC_RATE, abs=20)
    assert dominant_frequency(samples) == pytest.approx(440, abs=3)


def test_8bit_and_32bit_wavs_are_scaled_to_int16(tmp_path):
    u8 = (tone(300, 0.2, MIC_RATE, amp=100) + 128).astype(np.uint8)
    i32 = tone(300, 0.2, MIC_RATE).astype(np.int32) << 16
    a = read_wav(write_wav(tmp_path / "u8.wav", u8, MIC_RATE, width=1))
    b = read_wav(write_wav(tmp_path / "i32.wav", i32, MIC_RATE, width=4))
    assert np.abs(a).max() == pytest.approx(100 * 256, rel=0.05)
    assert np.array_equal(b, tone(300, 0.2, MIC_RATE))


def test_float_samples_are_clipped_and_scaled():
    assert list(to_int16(np.array([0.0, 0.5, -1.0, 2.0]))) == [0, 16384, -32767, 32767]


def test_a_missing_wav_says_so_with_a_hint(tmp_path):
    with pytest.raises(AudioError, match="not found") as err:
        WavSource(tmp_path / "nope.wav")
    assert err.value.hint


def test_a_file_that_is_not_a_wav_is_refused_clearly(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"this is not audio at all" * 10)
    with pytest.raises(AudioError, match="cannot read") as err:
        WavSource(bad)
    assert "sox" in err.value.hint


def test_an_empty_wav_is_refused(tmp_path):
    with pytest.raises(AudioError, match="no audio"):
        WavSource(write_wav(tmp_path / "e.wav", np.zeros(0, np.int16), MIC_RATE))


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.slept.append(round(s, 6))
        self.t += s


def test_realtime_replay_releases_each_chunk_when_it_would_have_been_recorded(tmp_path):
    clock = FakeClock()
    path = write_wav(tmp_path / "r.wav", np.zeros(4800, np.int16), MIC_RATE)
    source = WavSource(path, chunk=1600, realtime=True, clock=clock.now, sleep=clock.sleep)
    assert len(list(source.chunks())) == 3
    assert clock.slept == [0.1, 0.1, 0.1]


def test_closing_a_wav_source_ends_its_chunks(tmp_path):
    source = WavSource(write_wav(tmp_path / "c.wav", np.zeros(8000, np.int16), MIC_RATE))
    it = source.chunks()
    next(it)
    source.close()
    assert list(it) == []


# -- resampling ------------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [48_000, 44_100, 8_000])
def test_streamed_resampling_in_random_chunks_keeps_pitch_and_has_no_seams(rate):
    x = tone(1000, 1.0, rate)
    rng = np.random.default_rng(1)
    resampler = StreamResampler(rate)
    pieces, i = [], 0
    while i < len(x):
        n = int(rng.integers(1, 3000))
        pieces.append(resampler.process(x[i : i + n]))
        i += n
    out = np.concatenate(pieces)
    assert abs(len(out) - MIC_RATE) <= 2
    assert dominant_frequency(out) == pytest.approx(1000, abs=3)
    one_shot = StreamResampler(rate).process(x)
    assert np.array_equal(out, one_shot[: len(out)])
    middle = out[1000:-1000].astype(np.float64)
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(8000 / np.sqrt(2), rel=0.05)


def test_whole_file_resampling_is_identity_at_16khz():
    x = tone(500, 0.1, MIC_RATE)
    assert resample(x, MIC_RATE) is x


# -- microphone (fake sounddevice) -----------------------------------------------------------------


class Flags:
    def __init__(self, overflow: bool) -> None:
        self.input_overflow = overflow

    def __bool__(self) -> bool:
        return self.input_overflow


class FakeStream:
    def __init__(self, sd: FakeSoundDevice, **kwargs) -> None:
        self.sd, self.kwargs = sd, kwargs
        self.callback = kwargs["callback"]
        self.started = self.closed = False
        sd.streams.append(self)

    def start(self) -> None:
        if self.sd.fail_open:
            raise RuntimeError("Device unavailable [PaErrorCode -9985]")
        self.started = True

    def stop(self) -> None:
        self.started = False

    def close(self) -> None:
        self.closed = True

    def lose_device(self) -> None:
        """What PortAudio does when the device or the sound server disappears."""
        self.started = False
        self.kwargs["finished_callback"]()

    def feed(self, samples: np.ndarray, overflow: bool = False) -> None:
        """What PortAudio's thread does: call back with a raw buffer."""
        self.callback(memoryview(samples.tobytes()), len(samples), None, Flags(overflow))


class FakeSoundDevice:
    """The parts of the sounddevice module MicSource uses."""

    class default:  # mirrors sounddevice.default
        device = (1, 0)

    def __init__(self, devices: list[dict], rates: tuple[int, ...] = (MIC_RATE,)) -> None:
        self.devices = devices
        self.rates = rates
        self.streams: list[FakeStream] = []
        self.fail_open = False

    def query_devices(self) -> list[dict]:
        return self.devices

    def check_input_settings(self, device, channels, dtype, samplerate) -> None:
        if samplerate not in self.rates:
            raise ValueError("Invalid sample rate")

    def RawInputStream(self, **kwargs) -> FakeStream:
        return FakeStream(self, **kwargs)


def dev(name: str, inputs: int, rate: float = 48_000.0) -> dict:
    return {"name": name, "max_input_channels": inputs, "default_samplerate": rate}


DEVICES = [dev("Speakers", 0), dev("USB Headset Mic", 1), dev("pulse", 32), dev("vmic", 1)]


def test_the_default_microphone_is_the_systems_default_input():
    assert find_input_device(FakeSoundDevice(DEVICES))["name"] == "USB Headset Mic"


@pytest.mark.parametrize(
    ("spec", "name"), [("3", "vmic"), (2, "pulse"), ("usb", "USB Headset Mic")]
)
def test_a_microphone_is_chosen_by_index_or_name_substring(spec, name):
    assert find_input_device(FakeSoundDevice(DEVICES), spec)["name"] == name


def test_an_output_only_device_is_not_a_microphone():
    with pytest.raises(AudioError, match="not a microphone") as err:
        find_input_device(FakeSoundDevice(DEVICES), "0")
    assert "3: vmic" in err.value.hint


def test_an_ambiguous_name_lists_the_candidates():
    sd = FakeSoundDevice([dev("Mic A", 1), dev("Mic B", 1)])
    with pytest.raises(AudioError, match="several") as err:
        find_input_device(sd, "mic")
    assert "Mic A" in err.value.hint
    assert "Mic B" in err.value.hint


def test_no_microphone_at_all_is_an_audio_error_with_a_hint():
    with pytest.raises(AudioError, match="no microphone found") as err:
        MicSource(sd=FakeSoundDevice([dev("Speakers", 0)]))
    assert "--input-device" in err.value.hint


def test_a_microphone_that_cannot_be_opened_is_an_audio_error():
    sd = FakeSoundDevice(DEVICES)
    sd.fail_open = True
    with pytest.raises(AudioError, match="cannot open"):
        next(MicSource(sd=sd).chunks())


def test_microphone_blocks_come_out_as_16khz_chunks_with_sample_counted_times():
    sd = FakeSoundDevice(DEVICES)
    mic = MicSource(sd=sd, start=5.0)
    it = mic.chunks()
    mic.open()
    stream = sd.streams[0]
    assert stream.kwargs["samplerate"] == MIC_RATE
    assert stream.kwargs["dtype"] == "int16"
    assert stream.kwargs["latency"] == "low"
    assert stream.kwargs["channels"] == 1
    blocks = [np.full(CHUNK, i, np.int16) for i in range(3)]
    for b in blocks:
        stream.feed(b)
    got = [next(it) for _ in range(3)]
    assert [t for t, _ in got] == [5.0, 5.1, 5.2]
    assert all(np.array_equal(c, b) for (_, c), b in zip(got, blocks, strict=True))
    mic.close()
    assert list(it) == []
    assert stream.closed


def test_overflows_are_counted_and_logged_but_never_fatal(caplog):
    sd = FakeSoundDevice(DEVICES)
    mic = MicSource(sd=sd)
    it = mic.chunks()
    mic.open()
    sd.streams[0].feed(np.zeros(CHUNK, np.int16), overflow=True)
    sd.streams[0].feed(np.ones(CHUNK, np.int16))
    with caplog.at_level(logging.WARNING):
        first, second = next(it), next(it)
    assert mic.overflows == 1
    assert first[0] == 0.0
    assert second[1][0] == 1
    assert "overflow" in caplog.text


def test_a_consumer_that_falls_behind_drops_blocks_instead_of_blocking_the_callback():
    sd = FakeSoundDevice(DEVICES)
    mic = MicSource(sd=sd, max_queue_s=0.2)  # room for two 100 ms blocks
    mic.open()
    for _ in range(5):
        sd.streams[0].feed(np.zeros(CHUNK, np.int16))
    assert mic.dropped == 3


def test_a_microphone_without_16khz_is_recorded_at_its_rate_and_resampled():
    sd = FakeSoundDevice(DEVICES, rates=(48_000,))
    mic = MicSource(sd=sd)
    it = mic.chunks()
    mic.open()
    stream = sd.streams[0]
    assert stream.kwargs["samplerate"] == 48_000
    x = tone(700, 0.5, 48_000)
    for i in range(0, len(x), stream.kwargs["blocksize"]):
        stream.feed(x[i : i + stream.kwargs["blocksize"]])
    out = np.concatenate([next(it)[1] for _ in range(4)])
    assert dominant_frequency(out) == pytest.approx(700, abs=5)


def test_a_silent_microphone_ends_with_a_clear_error_instead_of_hanging():
    sd = FakeSoundDevice(DEVICES)
    mic = MicSource(sd=sd, stall_timeout=0.01)
    with pytest.raises(AudioError, match="stopped delivering"):
        next(mic.chunks())


def test_a_microphone_that_disappears_ends_its_chunks_with_a_clear_error_at_once():
    sd = FakeSoundDevice(DEVICES)
    mic = MicSource(sd=sd, stall_timeout=60.0)
    it = mic.chunks()
    mic.open()
    sd.streams[0].feed(np.zeros(CHUNK, np.int16))
    assert next(it)[0] == 0.0
    sd.streams[0].lose_device()
    with pytest.raises(AudioError, match="'USB Headset Mic' is gone"):
        next(it)


def test_closing_the_microphone_ends_its_chunks_quietly():
    sd = FakeSoundDevice(DEVICES)
    mic = MicSource(sd=sd, stall_timeout=60.0)
    it = mic.chunks()
    mic.open()
    mic.close()
    sd.streams[0].kwargs["finished_callback"]()  # PortAudio confirms the stream ended
    assert list(it) == []


def test_the_callback_is_safe_to_call_from_another_thread():
    sd = FakeSoundDevice(DEVICES)
    mic = MicSource(sd=sd)
    it = mic.chunks()
    mic.open()
    feeder = threading.Thread(target=sd.streams[0].feed, args=(np.zeros(CHUNK, np.int16),))
    feeder.start()
    t0, chunk = next(it)
    feeder.join()
    assert (t0, len(chunk)) == (0.0, CHUNK)


# -- real (virtual) microphone ---------------------------------------------------------------------


@pytest.mark.device
def test_the_virtual_microphone_hears_what_is_played_into_it(pulse, tmp_path):
    path = write_wav(tmp_path / "t.wav", tone(523, 2.5, MIC_RATE), MIC_RATE)
    mic = MicSource()
    player = threading.Thread(target=pulse.play, args=(path,))
    got = []
    try:
        chunks = mic.chunks()
        player.start()
        for t0, chunk in chunks:
            got.append(chunk)
            if t0 >= 2.0:
                break
    finally:
        mic.close()
        player.join()
    audio = np.concatenate(got)
    assert all(len(c) == CHUNK for c in got)
    assert mic.overflows == 0
    assert dominant_frequency(audio) == pytest.approx(523, abs=5)
