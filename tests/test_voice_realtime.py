"""Real-time playback logic, with the audio callback driven by hand (tests/voice_fakes.py)."""

from __future__ import annotations

import signal
import threading

import numpy as np
import pytest
from voice_fakes import RATE, StreamFactory, fake_renderer

from voicecoach.errors import AudioError
from voicecoach.runtime.clocks import VirtualClock
from voicecoach.signals import SIGNALS
from voicecoach.voice.mixer import Mixer
from voicecoach.voice.realtime import BLOCK, STALL, WATCH, RealtimeVoice, play_to_end
from voicecoach.voice.timeline import Timeline

LEVELS = {"first": 0.1, "second": 0.2, "third": 0.3}


def make(clock=None, wall=None):
    renderer, backend = fake_renderer(LEVELS)
    factory = StreamFactory()
    timeline = Timeline()
    kwargs = {"wall": wall} if wall else {}
    voice = RealtimeVoice(renderer, timeline, factory, rate=RATE, clock=clock, **kwargs)
    return voice, factory.stream, timeline, backend


def levels_heard(audio: np.ndarray) -> list[float]:
    """The distinct non-zero levels in `audio`, in the order they play."""
    found: list[float] = []
    for value in audio[audio != 0].astype(float).round(3):
        if not found or found[-1] != value:
            found.append(float(value))
    return found


def test_say_returns_the_duration_before_anything_is_played():
    voice, stream, _, _ = make()
    duration = voice.say("first", at=0.0).duration
    assert duration == pytest.approx(0.5)  # FakeBackend: 0.1 s per character
    assert voice._mixer.frames == 0  # the callback has not run: say() did not wait for it
    audio = stream.pump(60)
    assert np.count_nonzero(audio) == round(duration * RATE)


def test_the_stream_is_started_up_front_and_plays_silence_when_idle():
    _, stream, _, _ = make()
    assert stream.active
    assert not stream.pump(5).any()


def test_queued_phrases_play_one_after_the_other_without_gaps_or_overlap():
    voice, stream, _, _ = make()
    voice.say("first", 0.0)
    voice.say("second", 0.0)
    audio = stream.pump(80)
    assert levels_heard(audio) == [0.1, 0.2]
    loud = np.flatnonzero(audio)
    assert len(loud) == loud[-1] - loud[0] + 1  # contiguous
    assert len(loud) == round((0.5 + 0.6) * RATE)


def test_an_interrupt_silences_the_next_block_and_drops_the_queue():
    voice, stream, _, _ = make()
    voice.say("first", 0.0)
    voice.say("second", 0.0)
    assert stream.pump(5).any()
    voice.interrupt(0.1)
    assert not stream.pump(1).any()  # silent from the very next block
    assert not stream.pump(100).any()  # and "second" never plays
    voice.say("third", 0.2)
    assert levels_heard(stream.pump(80)) == [0.3]


def test_an_interrupt_cuts_the_timeline_where_the_sound_stopped():
    clock = VirtualClock(0.0)
    voice, stream, timeline, _ = make(clock)
    voice.say("first", 0.0)
    voice.say("second", 0.0)
    played = stream.pump(5)
    clock.advance_to(5 * BLOCK)
    voice.interrupt(clock.now())
    (sound,) = timeline.sounds()
    assert sound.text == "first"
    # heard: from its first loud sample to the end of the blocks already handed out
    first = np.flatnonzero(played)[0]
    assert sound.end - sound.start == pytest.approx((len(played) - first) / RATE, abs=1e-6)


def test_a_sound_asked_for_later_waits_for_its_time():
    clock = VirtualClock(0.0)
    voice, stream, timeline, _ = make(clock)
    voice.say("first", at=1.0)
    audio = stream.pump(round(2.0 / BLOCK))
    onset = np.flatnonzero(audio)[0] / RATE
    assert onset == pytest.approx(1.0, abs=0.001)
    assert timeline.sounds()[0].start == pytest.approx(1.0, abs=0.001)


def test_the_timeline_records_each_sound_when_it_is_heard():
    clock = VirtualClock(2.0)
    voice, stream, timeline, _ = make(clock)
    stream.pump(3)
    voice.say("first", at=2.0)
    voice.cue("tick", at=2.0)
    audio = stream.pump(80)
    speech, tick = timeline.sounds()
    onset = np.flatnonzero(audio)[0] / RATE
    assert speech.start == pytest.approx(2.0 + onset, abs=0.001)
    assert tick.start == pytest.approx(speech.end)
    assert (speech.kind, tick.kind) == ("speech", "cue")
    assert timeline.texts(0.0, 10.0) == [(speech.start, speech.end, "first")]


def test_a_repeated_phrase_is_rendered_once():
    voice, _, _, backend = make()
    for i in range(100):
        voice.say("first", float(i))
    assert backend.calls == ["first"]


def test_volume_scales_the_samples():
    renderer, _ = fake_renderer(LEVELS)
    factory = StreamFactory()
    voice = RealtimeVoice(renderer, Timeline(), factory, rate=RATE, volume=0.5)
    voice.say("first", 0.0)
    assert levels_heard(factory.stream.pump(40)) == [0.05]


def test_a_lost_device_raises_audio_error_on_the_next_call():
    voice, stream, _, _ = make()
    voice.say("first", 0.0)
    stream.lose_device()
    with pytest.raises(AudioError, match="stopped"):
        voice.say("second", 0.0)


def look_every(voice: RealtimeVoice, wall: VirtualClock, step: float, until: float) -> list:
    """What `health()` says at each look of a watchdog looking every `step` s."""
    seen = []
    while wall.now() < until - 1e-9:
        wall.advance_to(wall.now() + step)
        seen.append(voice.health())
    return seen


def test_a_device_that_stops_asking_for_audio_counts_as_lost_within_a_second():
    wall = VirtualClock(0.0)
    voice, stream, _, _ = make(wall=wall.now)
    voice.say("first", 0.0)
    stream.pump(2)
    assert set(look_every(voice, wall, WATCH, until=STALL)) == {None}  # not yet
    stream.pump(1)  # it moved since the last look: fine
    seen = look_every(voice, wall, WATCH, until=wall.now() + 1.0)
    assert "the audio output stopped playing" in seen
    assert seen.index("the audio output stopped playing") * WATCH < 1.0
    with pytest.raises(AudioError, match="stopped playing"):
        voice.say("second", 0.0)


def test_a_watchdog_that_was_itself_starved_does_not_call_the_device_lost():
    wall = VirtualClock(0.0)
    voice, stream, _, _ = make(wall=wall.now)
    stream.pump(2)
    voice.health()
    wall.advance_to(3.0)  # another thread held the CPU: neither the callback nor we ran
    assert voice.health() is None
    stream.pump(1)
    assert set(look_every(voice, wall, WATCH, until=3.4)) == {None}


def test_a_stream_that_ends_by_itself_is_reported_by_the_watchdog_once(monkeypatch):
    voice, stream, _, _ = make()
    reports: list[str] = []
    done = threading.Event()

    def lost(why: str) -> None:
        reports.append(why)
        done.set()

    voice.watch(lost, every=0.001)
    stream.lose_device()
    assert done.wait(timeout=5.0)
    voice.close()
    assert reports == ["the audio output stopped"]


def test_what_was_not_heard_yet_is_reported_as_unplayed():
    voice, stream, _, _ = make()
    voice.say("first", 0.0)
    voice.say("second", 0.0)
    stream.pump(round(0.6 / BLOCK))  # all of "first", a little of "second"
    assert voice.unplayed() == ["second"]


def test_close_releases_the_stream():
    voice, stream, _, _ = make()
    voice.close()
    assert stream.closed
    assert not stream.active


def test_a_late_item_plays_whole_instead_of_losing_its_start():
    mixer = Mixer(lead=0)
    mixer.schedule(np.full(100, 0.5, dtype=np.float32), 0)
    mixer.frames = 50  # the callback ran past the item's slot before it saw the item
    out = np.zeros(200, dtype=np.float32)
    mixer.fill(out)
    assert np.count_nonzero(out) == 100
    assert mixer.late == 1


def test_a_signal_silences_the_voice_from_the_next_block_and_nothing_more_plays():
    voice, stream, _, _ = make()
    voice.say("first", 0.0)
    assert levels_heard(stream.pump(5)) == [0.1]
    SIGNALS.notify(signal.SIGTERM)  # what the signal watcher thread does at once
    voice.say("second", 0.0)
    assert levels_heard(stream.pump(20)) == []
    voice.close()
    SIGNALS.notify(signal.SIGTERM)  # a closed voice no longer listens


# -- one clip played to its end (voicecoach check) ---------------------------------------------


class FakeBlockingOutput:
    """A callback-less output stream: keeps what is written; `stop()` plays it out."""

    def __init__(self, fail_after_writes: int | None = None) -> None:
        self.events: list[str] = []
        self.written: list[np.ndarray] = []
        self.played = 0  # frames the "device" has played
        self._fail_after = fail_after_writes

    def start(self) -> None:
        self.events.append("start")

    def write(self, data: np.ndarray) -> bool:
        if self._fail_after is not None and len(self.written) == self._fail_after:
            raise KeyboardInterrupt
        self.written.append(data.copy())
        self.events.append("write")
        return False

    def stop(self) -> None:
        self.played = sum(len(block) for block in self.written)
        self.events.append("stop")

    def close(self) -> None:
        self.events.append("close")


def test_a_clip_is_written_block_by_block_and_played_out_before_the_stream_closes():
    samples = np.linspace(-0.5, 0.5, 1000, dtype=np.float32)
    stream = FakeBlockingOutput()
    play_to_end(stream, samples, block=300)
    assert [len(block) for block in stream.written] == [300, 300, 300, 100]
    np.testing.assert_array_equal(np.concatenate(stream.written), samples)
    assert stream.events[-2:] == ["stop", "close"]  # stop() returns once all was played
    assert stream.played == len(samples)


def test_an_interrupted_clip_closes_the_stream_without_waiting_for_the_rest():
    stream = FakeBlockingOutput(fail_after_writes=2)
    with pytest.raises(KeyboardInterrupt):
        play_to_end(stream, np.zeros(1000, dtype=np.float32), block=300)
    assert stream.events == ["start", "write", "write", "close"]


class UnstartableOutput(FakeBlockingOutput):
    """A stream the device refuses to start (a PortAudio error, or Ctrl-C right then)."""

    def start(self) -> None:
        raise KeyboardInterrupt


def test_a_stream_that_cannot_start_is_closed_all_the_same():
    stream = UnstartableOutput()
    with pytest.raises(KeyboardInterrupt):
        play_to_end(stream, np.zeros(1000, dtype=np.float32), block=300)
    assert stream.events == ["close"]
