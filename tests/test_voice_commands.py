"""`voicecoach voices`, `voicecoach devices` and `--device` lookup."""

from __future__ import annotations

import subprocess
import sys

import pytest

import voicecoach.voice.devices as devices_module
from voicecoach.cli import main
from voicecoach.errors import AudioError, ExitCode
from voicecoach.voice.devices import Device, find_output

DEVICES = [
    Device(0, "HDA Intel PCH: ALC3246 Analog (hw:0,0)", 2, 2, 48000.0, False, False),
    Device(1, "USB Headset: Audio (hw:1,0)", 1, 0, 44100.0, False, False),
    Device(2, "pulse", 32, 32, 44100.0, False, False),
    Device(3, "default", 32, 32, 44100.0, True, True),
]


def test_voices_lists_ids_names_and_languages(capsys):
    assert main(["voices", "en-us"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["ID", "NAME", "LANGUAGES"]
    line = next(line for line in out.splitlines() if line.startswith("gmw/en-us "))
    assert "English (America)" in line
    assert line.endswith("en-us")


def test_voices_with_a_filter_that_matches_nothing_says_so(capsys):
    assert main(["voices", "no-such-language"]) == ExitCode.USAGE
    assert "no voice matches 'no-such-language'" in capsys.readouterr().err


def test_devices_lists_index_name_channels_and_defaults(monkeypatch, capsys):
    monkeypatch.setattr(devices_module, "list_devices", lambda: DEVICES)
    assert main(["devices"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["#", "NAME", "IN", "OUT", "RATE", "DEFAULT"]
    assert lines[2].split()[0] == "1"
    assert lines[2].split()[-3:] == ["1", "0", "44100"]  # input-only, no default mark
    assert lines[4].split() == ["3", "default", "32", "32", "44100", "input,", "output"]


def test_devices_without_any_device_hints_at_starting_a_sound_server(monkeypatch, capsys):
    monkeypatch.setattr(devices_module, "list_devices", list)
    assert main(["devices"]) == ExitCode.AUDIO
    err = capsys.readouterr().err
    assert "no audio devices found" in err
    assert "PulseAudio" in err


@pytest.mark.parametrize(
    ("spec", "index"),
    [(None, 3), ("0", 0), ("pulse", 2), ("PULSE", 2), ("alc3246", 0), ("default", 3)],
)
def test_an_output_device_is_found_by_index_or_name(spec, index):
    assert find_output(spec, DEVICES).index == index


def test_an_input_only_device_is_not_an_output():
    with pytest.raises(AudioError, match="no audio output device matches 'USB'"):
        find_output("USB", DEVICES)


def test_an_unknown_output_device_error_lists_the_outputs():
    with pytest.raises(AudioError) as caught:
        find_output("bluetooth", DEVICES)
    hint = caught.value.hint or ""
    assert "0: HDA Intel PCH" in hint
    assert "2: pulse" in hint
    assert "USB" not in hint


def test_no_output_device_at_all_is_an_audio_error():
    with pytest.raises(AudioError, match="no audio output device found"):
        find_output(None, [DEVICES[1]])


def test_the_voice_modules_import_nothing_heavy():
    code = (
        "import sys, voicecoach.voice, voicecoach.commands.voices, voicecoach.commands.devices;"
        "print(sorted(m for m in ('numpy', 'sounddevice', 'pyttsx3', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
