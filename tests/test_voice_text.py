"""The text voice, the fallback to text when the sound device fails, and `make_voice`."""

from __future__ import annotations

import glob
import re
from pathlib import Path

import numpy as np
import pytest
from voice_fakes import RATE, StreamFactory, fake_renderer

from voicecoach.errors import AudioError, UsageError
from voicecoach.options import VoiceOptions
from voicecoach.ports import Played
from voicecoach.voice import make_renderer, make_voice
from voicecoach.voice.realtime import RealtimeVoice
from voicecoach.voice.text import FallbackVoice, TextVoice, estimate_duration
from voicecoach.voice.timeline import Timeline
from voicecoach.voice.wavfile import WavTimelineVoice

ROUTINES = Path(__file__).resolve().parent.parent / "routines"


class ShownVoice(TextVoice):
    """A text voice that remembers what it said, and when (the fallback's words)."""

    def __init__(self) -> None:
        super().__init__()
        self.said: list[tuple[float, str]] = []

    def say(self, text: str, at: float) -> Played:
        played = super().say(text, at)
        self.said.append((played.start, text))
        return played

    def cue(self, name: str, at: float) -> Played:
        played = super().cue(name, at)
        self.said.append((played.start, f"[{name}]"))
        return played


def test_the_text_voice_takes_as_long_as_speech_one_sound_after_the_other():
    voice = TextVoice()
    first = voice.say("Ankle circles.", 0.0)
    assert first == Played(0.0, estimate_duration("Ankle circles."))
    assert voice.cue("tick", 0.0).start == first.end  # queued after, not on top
    assert voice.say("one", 9.0).start == 9.0


def test_a_faster_rate_makes_shorter_text_durations():
    assert TextVoice(rate=250).say("Rest now.", 0) < TextVoice(rate=120).say("Rest now.", 0)


def routine_phrases() -> list[str]:
    """Sentences from the packaged routines: what the coach actually says."""
    text = " ".join(Path(p).read_text(encoding="utf-8") for p in glob.glob(f"{ROUTINES}/*.toml"))
    found = {m for m in re.findall(r'"([A-Z][^"\n]{8,160}[.!?])"', text)}
    return [*sorted(found)[:60], "one", "two", "seven", "Rest.", "Switch sides."]


def test_text_durations_match_espeak_within_a_quarter_on_average():
    phrases = routine_phrases()
    assert len(phrases) > 20
    renderer = make_renderer(rate=175)
    real = np.array([renderer.render(p).duration for p in phrases])
    guess = np.array([estimate_duration(p, 175) for p in phrases])
    assert np.mean(np.abs(guess - real) / real) < 0.25


# ------------------------------------------------------------------ fallback to text


class BrokenVoice:
    """A primary voice whose device is gone after `works` calls; remembers what it has
    queued but not played."""

    def __init__(self, works: int = 0) -> None:
        self.works = works
        self.queued: list[str] = []
        self.closed = False

    def say(self, text: str, at: float) -> float:
        return self._use(text)

    def cue(self, name: str, at: float) -> float:
        return self._use(f"[{name}]")

    def _use(self, what: str) -> float:
        if self.works <= 0:
            raise AudioError("the audio output stopped")
        self.works -= 1
        self.queued.append(what)
        return 1.0

    def unplayed(self) -> list[str]:
        return [q for q in self.queued if not q.startswith("[")]

    def interrupt(self, at: float) -> None:
        raise AudioError("the audio output stopped")

    def close(self) -> None:
        self.closed = True


def test_a_failing_device_gives_one_message_then_text_and_nothing_is_lost():
    lines: list[str] = []
    primary = BrokenVoice(works=2)
    text = ShownVoice()
    voice = FallbackVoice(primary, text, warn=lines.append)
    assert voice.say("Ankle circles.", 0.0) == 1.0
    voice.cue("start", 1.0)
    voice.say("one", 2.0)  # the device fails here
    voice.say("two", 9.0)
    voice.cue("tick", 12.0)
    voice.interrupt(15.0)
    voice.close()
    assert lines == ["voicecoach: the audio output stopped; continuing in text mode"]
    assert [said for _, said in text.said] == [
        "Ankle circles.",  # queued on the lost device, never heard: it takes its time
        "one",
        "two",
        "[tick]",
    ]
    assert text.said[1][0] == pytest.approx(2.0 + estimate_duration("Ankle circles."))
    assert primary.closed


def test_a_device_lost_while_nothing_is_said_switches_at_once_and_says_so_once():
    renderer, _ = fake_renderer()
    factory = StreamFactory()
    live = RealtimeVoice(renderer, Timeline(), factory, rate=RATE)
    lines: list[str] = []
    text = ShownVoice()
    voice = FallbackVoice(live, text, warn=lines.append)
    voice.say("Hold it.", 0.0)
    factory.stream.lose_device()
    voice.lost("the audio output stopped")  # what the watchdog calls
    voice.lost("the audio output stopped")
    assert voice.switched
    assert lines == ["voicecoach: the audio output stopped; continuing in text mode"]
    voice.say("Rest.", 1.0)
    assert [said for _, said in text.said] == ["Hold it.", "Rest."]
    assert factory.stream.closed


def test_the_fallback_returns_the_text_voice_s_duration_once_switched():
    voice = FallbackVoice(BrokenVoice(), TextVoice(), warn=lambda _: None)
    assert voice.say("Rest.", 0.0).duration == pytest.approx(estimate_duration("Rest."))


def test_a_real_time_voice_whose_stream_dies_falls_back_to_text():
    renderer, _ = fake_renderer()
    factory = StreamFactory()
    live = RealtimeVoice(renderer, Timeline(), factory, rate=RATE)
    lines: list[str] = []
    text = ShownVoice()
    voice = FallbackVoice(live, text, warn=lines.append)
    voice.say("Get ready.", 0.0)
    factory.stream.pump(2)
    factory.stream.lose_device()
    voice.say("one", 1.0)
    assert lines == ["voicecoach: the audio output stopped; continuing in text mode"]
    assert [said for _, said in text.said] == ["Get ready.", "one"]  # its unplayed rest first
    assert factory.stream.closed


# ------------------------------------------------------------------ make_voice


def test_text_mode_makes_a_text_voice():
    assert isinstance(make_voice(VoiceOptions(text=True), Timeline()), TextVoice)


def test_the_virtual_clock_without_a_speak_file_prints_instead_of_playing():
    assert isinstance(make_voice(VoiceOptions(fast=True), Timeline()), TextVoice)


def test_a_speak_file_makes_a_wav_timeline_voice(tmp_path):
    options = VoiceOptions(speak_file=tmp_path / "c.wav", fast=True)
    assert isinstance(make_voice(options, Timeline()), WavTimelineVoice)


def test_no_usable_output_means_one_message_and_a_text_session():
    def no_device() -> RealtimeVoice:
        raise AudioError("no audio output device found", "start PulseAudio")

    warnings: list[str] = []
    voice = make_voice(VoiceOptions(), Timeline(), warn=warnings.append, live=no_device)
    assert isinstance(voice, TextVoice)
    assert len(warnings) == 1
    assert "no audio output device found" in warnings[0]
    assert "continuing in text mode" in warnings[0]


@pytest.mark.parametrize(
    ("option", "value"), [("rate", 5), ("rate", 900), ("volume", 1.5), ("volume", -0.1)]
)
def test_out_of_range_rate_or_volume_is_a_usage_error(option, value):
    with pytest.raises(UsageError, match=f"--{option}"):
        make_voice(VoiceOptions(text=True, **{option: value}), Timeline())


def test_an_unknown_voice_is_refused_before_the_session(tmp_path):
    options = VoiceOptions(speak_file=tmp_path / "c.wav", voice="no-such-voice")
    with pytest.raises(UsageError, match="no-such-voice"):
        make_voice(options, Timeline())
