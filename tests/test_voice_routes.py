"""A stream the sound server moves to another device (its own was removed) is noticed and
said once; a microphone moved onto a speaker's monitor turns the ears off."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from voicecoach.voice.routes import NO_INDEX, StreamWatch

ME, OTHER = 4242, 999


@dataclass
class Device:
    name: str
    description: str
    monitor_of_sink: int = NO_INDEX


@dataclass
class Stream:
    index: int
    pid: int
    sink: int = 0
    source: int = 0
    proplist: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.proplist = {"application.process.id": str(self.pid)}


class FakePulse:
    """The sound server's view: devices by index, and the streams on them."""

    def __init__(self) -> None:
        self.sinks = {0: Device("speaker", "Headphones"), 1: Device("hdmi", "HDMI Output")}
        self.sources = {
            0: Device("mic", "USB Microphone"),
            1: Device("speaker.monitor", "Monitor of Headphones", monitor_of_sink=0),
            2: Device("webcam", "Webcam Microphone"),
        }
        self.playing = [Stream(7, ME, sink=0), Stream(8, OTHER, sink=0)]
        self.recording = [Stream(3, ME, source=0)]
        self.closed = False
        self.asked_on: set[str] = set()  # the threads that called it

    def sink_input_list(self) -> list[Stream]:
        self._asked()
        return self.playing

    def source_output_list(self) -> list[Stream]:
        self._asked()
        return self.recording

    def sink_info(self, index: int) -> Device:
        self._asked()
        return self.sinks[index]

    def source_info(self, index: int) -> Device:
        self._asked()
        return self.sources[index]

    def close(self) -> None:
        self._asked()
        self.closed = True

    def _asked(self) -> None:
        self.asked_on.add(threading.current_thread().name)


def watch(server: FakePulse) -> tuple[StreamWatch, list[str], list[str]]:
    said: list[str] = []
    ears_off: list[str] = []
    watcher = StreamWatch(server, said.append, lambda: ears_off.append("off"), pid=ME)
    watcher.look()
    return watcher, said, ears_off


def test_nothing_is_said_while_the_streams_stay_where_they_are():
    server = FakePulse()
    watcher, said, _ = watch(server)
    watcher.look()
    server.playing[1].sink = 1  # another program's stream moved: not ours
    watcher.look()
    assert said == []


def test_the_coach_s_voice_moved_to_another_speaker_is_said_once():
    server = FakePulse()
    watcher, said, ears_off = watch(server)
    server.playing[0].sink = 1
    watcher.look()
    watcher.look()
    assert said == [
        "voicecoach: the speaker 'speaker' is gone; the sound server now plays the coach on "
        "'HDMI Output'"
    ]
    assert ears_off == []


def test_the_microphone_moved_onto_the_speaker_s_monitor_turns_the_ears_off():
    server = FakePulse()
    watcher, said, ears_off = watch(server)
    server.recording[0].source = 1
    watcher.look()
    assert said == [
        "voicecoach: the microphone 'mic' is gone, and the sound server moved voice commands "
        "onto a speaker's own sound ('Monitor of Headphones'): voice commands are off; the "
        "keys still work"
    ]
    assert ears_off == ["off"]


def test_the_microphone_moved_to_another_microphone_is_said_and_the_ears_go_on():
    server = FakePulse()
    watcher, said, ears_off = watch(server)
    server.recording[0].source = 2
    watcher.look()
    assert said == [
        "voicecoach: the microphone 'mic' is gone; voice commands now listen to 'Webcam Microphone'"
    ]
    assert ears_off == []


def test_closing_the_watch_closes_the_connection():
    server = FakePulse()
    watcher, _, _ = watch(server)
    watcher.close()
    assert server.closed


def test_a_stream_re_created_on_another_device_counts_as_moved():
    server = FakePulse()
    watcher, said, _ = watch(server)
    server.playing[0] = Stream(12, ME, sink=1)  # the ALSA plugin opened a new one there
    watcher.look()
    assert said == [
        "voicecoach: the speaker 'speaker' is gone; the sound server now plays the coach on "
        "'HDMI Output'"
    ]


def test_a_stream_closed_for_a_moment_is_not_a_move():
    server = FakePulse()
    watcher, said, _ = watch(server)
    server.playing = []
    watcher.look()
    server.playing = [Stream(13, ME, sink=0)]
    watcher.look()
    assert said == []


def test_a_started_watch_asks_the_server_only_on_its_own_thread_never_the_main_one():
    # libpulse calls back into Python on the thread that asks it: a Ctrl-C's exception
    # raised in such a callback on the main thread was swallowed (the session then deaf to
    # every later signal) or made libpulse abort the process
    server = FakePulse()
    watcher = StreamWatch(server, lambda line: None, pid=ME)
    watcher.start(every=0.01)
    watcher.close()
    assert server.closed
    assert server.asked_on == {"voicecoach-stream-watch"}
