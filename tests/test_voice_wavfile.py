"""`--speak-file`: the coach's voice written on the session timeline."""

from __future__ import annotations

import errno
import itertools
import os
import wave

import numpy as np
import pytest
from voice_fakes import fake_renderer

from voicecoach.errors import OutputError, SystemRefused
from voicecoach.options import VoiceOptions
from voicecoach.ports import MIC_RATE
from voicecoach.voice import make_voice
from voicecoach.voice.timeline import Timeline
from voicecoach.voice.wavfile import WavTimelineVoice


def read(path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return data.astype(np.float32) / 32768, w.getframerate()


def onsets(samples: np.ndarray, rate: int, gap: float = 0.3) -> list[float]:
    """Times where sound starts after at least `gap` seconds of silence."""
    loud = np.flatnonzero(np.abs(samples) > 0.02)
    starts = [loud[0]] + [b for a, b in itertools.pairwise(loud) if b - a > gap * rate]
    return [s / rate for s in starts]


def test_each_sound_starts_in_the_file_at_the_time_it_was_asked_for(tmp_path):
    path = tmp_path / "coach.wav"
    voice = make_voice(VoiceOptions(speak_file=path, fast=True), Timeline())
    plan = [("say", "Get ready.", 0.5), ("cue", "start", 2.0), ("say", "one", 3.25)]
    plan += [("say", "two", 5.0), ("cue", "tick", 7.4), ("say", "Well done.", 9.1)]
    for kind, what, at in plan:
        getattr(voice, kind)(what, at)
    voice.close()
    samples, rate = read(path)
    assert rate == MIC_RATE
    found = onsets(samples, rate)
    assert found == pytest.approx([at for _, _, at in plan], abs=0.05)


def test_a_sound_asked_for_while_another_plays_follows_it(tmp_path):
    renderer, _ = fake_renderer({"first": 0.5, "second": 0.25})
    timeline = Timeline()
    voice = WavTimelineVoice(renderer, timeline, tmp_path / "coach.wav")
    first = voice.say("first", 1.0).duration  # 0.5 s long
    voice.say("second", 1.1)
    voice.close()
    samples, rate = read(tmp_path / "coach.wav")
    levels = np.round(samples, 2)  # (resampled: the edges ring, look 50 ms inside)
    assert levels[round(1.05 * rate)] == 0.5
    assert levels[round((1.05 + first) * rate)] == 0.25  # right after, not on top
    assert [s.start for s in timeline.sounds()] == pytest.approx([1.0, 1.0 + first])


def test_an_interrupt_cuts_the_sound_in_the_file(tmp_path):
    renderer, _ = fake_renderer({"a long sentence": 0.5, "next": 0.3})
    voice = WavTimelineVoice(renderer, Timeline(), tmp_path / "coach.wav")
    voice.say("a long sentence", 0.0)  # 1.5 s
    voice.say("next", 0.0)
    voice.interrupt(0.4)
    voice.say("next", 2.0)
    voice.close()
    samples, rate = read(tmp_path / "coach.wav")
    loud = np.abs(samples) > 0.01
    assert loud[: round(0.4 * rate)].all()
    assert not loud[round(0.4 * rate) + 1 : round(2.0 * rate)].any()
    assert round(float(samples[round(2.1 * rate)]), 2) == 0.3


def test_a_speak_file_in_a_missing_folder_is_refused_before_the_session(tmp_path):
    renderer, _ = fake_renderer()
    with pytest.raises(OutputError, match="does not exist"):
        WavTimelineVoice(renderer, Timeline(), tmp_path / "nope" / "coach.wav")


@pytest.mark.parametrize(
    ("target", "why"), [("/dev/full", "a device"), (".", "a folder"), ("fifo", "a FIFO")]
)
def test_a_speak_file_that_names_a_device_a_folder_or_a_fifo_is_refused_before_the_session(
    tmp_path, monkeypatch, target, why
):
    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / "fifo")
    renderer, _ = fake_renderer()
    with pytest.raises(OutputError, match=why):
        WavTimelineVoice(renderer, Timeline(), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]


def test_the_speak_file_replaces_the_old_one_whole_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "coach.wav"
    path.write_bytes(b"old")
    renderer, _ = fake_renderer({"Rest.": 0.5})
    voice = WavTimelineVoice(renderer, Timeline(), path)
    voice.say("Rest.", 0.0)
    assert path.read_bytes() == b"old"  # nothing is touched while the session runs
    voice.close()
    samples, rate = read(path)
    assert round(float(samples[round(0.25 * rate)]), 2) == 0.5
    assert [p.name for p in tmp_path.iterdir()] == ["coach.wav"]


def test_a_speak_file_that_cannot_be_written_at_the_end_is_an_error_and_leaves_no_part(
    tmp_path, monkeypatch
):
    renderer, _ = fake_renderer()
    voice = WavTimelineVoice(renderer, Timeline(), tmp_path / "coach.wav")
    voice.say("Rest.", 0.0)

    def disk_full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(wave.Wave_write, "writeframes", disk_full)
    with pytest.raises(SystemRefused, match="No space left on device"):  # exit 8, a full disk
        voice.close()
    assert list(tmp_path.iterdir()) == []
