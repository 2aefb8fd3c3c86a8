"""The runtime around the engine: the log, the replayed microphone, the real-time loop."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from factories import routine_from

from voicecoach.engine import Config, State, initial
from voicecoach.errors import AudioError, UsageError
from voicecoach.intents import Intent
from voicecoach.keys import intent_for_key
from voicecoach.ports import MIC_RATE, Detection
from voicecoach.records import EndRecord, Record, SayRecord, SessionRecord, as_json
from voicecoach.runtime.clocks import VirtualClock
from voicecoach.runtime.log import LogWriter
from voicecoach.runtime.loops import (
    Ears,
    EarsFailed,
    KeyPress,
    listen,
    run_fast,
    run_realtime,
)
from voicecoach.runtime.runner import Runner
from voicecoach.runtime.simulation import RecordingVoice

ROUTINE = routine_from(
    "runtime",
    [
        {"id": "walk", "name": "Walk", "work": {"kind": "timed", "seconds": 60}},
        {"id": "lift", "name": "Lift", "work": {"kind": "reps", "reps": 5, "tempo": 2}},
    ],
)
CHUNK = 1600  # 0.1 s


class SilentFile:
    """An AudioSource: `seconds` of silence in 0.1 s chunks."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.closed = False

    def chunks(self) -> Iterator[tuple[float, np.ndarray]]:
        for i in range(round(self.seconds * 10)):
            yield i * 0.1, np.zeros(CHUNK, np.int16)

    def close(self) -> None:
        self.closed = True


class ScriptedEars:
    """A Recognizer that 'hears' each scripted intent in the chunk holding its time."""

    name = "scripted"

    def __init__(self, script: dict[float, Intent]) -> None:
        self.script = dict(script)
        self.flushed_at: float | None = None

    def accept(
        self, samples: np.ndarray, t0: float, echo: np.ndarray | None = None
    ) -> list[Detection]:
        t1 = t0 + len(samples) / MIC_RATE
        due = [t for t in self.script if t0 <= t < t1]
        return [Detection(t, self.script.pop(t), self.script_text(t)) for t in due]

    @staticmethod
    def script_text(t: float) -> str:
        return f"said at {t}"

    def flush(self, t: float) -> list[Detection]:
        self.flushed_at = t
        return []

    def deliver_to(self, deliver: Callable[[list[Detection]], None]) -> None:
        """Decides inside accept."""


class Logged(list[dict[str, Any]]):
    """A SessionObserver that keeps the records as `--log` would write them."""

    def started(self, header: SessionRecord) -> None:
        pass

    def update(self, state: State, records: Sequence[Record], now: float) -> None:
        self.extend(map(as_json, records))

    def ended(self, end: EndRecord, state: State) -> None:
        pass


def runner(records: Logged | None = None) -> Runner:
    return Runner(
        initial(ROUTINE, Config(ready_timeout=10)),
        RecordingVoice(),
        VirtualClock(),
        [records] if records is not None else [],
    )


# ---------------------------------------------------------------------- the log


def session_header() -> SessionRecord:
    return SessionRecord(
        0.0,
        routine="runtime",
        title="Runtime",
        version="0",
        exercises=2,
        start_exercise=0,
        estimate_seconds=100.0,
        ready_timeout=10.0,
        fast=True,
        voice="RecordingVoice",
        ears=None,
    )


def test_the_log_writes_each_record_as_a_json_line_at_once(tmp_path: Path) -> None:
    log = LogWriter(tmp_path / "x.jsonl")
    log.started(session_header())
    log(SayRecord(1.5, "Hold", 0.4))
    lines = (tmp_path / "x.jsonl").read_text().splitlines()  # before close: flushed per line
    log.close()
    assert [json.loads(line)["type"] for line in lines] == ["session", "say"]


def test_a_log_that_cannot_be_written_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"cannot write --log .*does not exist"):
        LogWriter(tmp_path / "missing-folder" / "x.jsonl")


# ---------------------------------------------------------------------- --fast replay


def test_a_replayed_file_turns_detections_into_heard_events_in_its_chunk() -> None:
    records = Logged()
    run = runner(records)
    run_fast(run, Ears(ScriptedEars({40.03: Intent.PAUSE, 70.05: Intent.RESUME}), SilentFile(90)))
    heard = [(r["intent"], r["t"]) for r in records if r["type"] == "heard"]
    assert heard == [("pause", pytest.approx(40.1)), ("resume", pytest.approx(70.1))]
    paused = [r["t"] for r in records if r["type"] == "state" and r["phase"] == "paused"]
    assert paused == [pytest.approx(40.1)]
    assert records[-1]["type"] == "end"
    assert records[-1]["reason"] == "completed"


def test_the_echo_mix_runs_after_the_engine_queued_the_whole_chunk() -> None:
    run = runner()
    seen: list[tuple[float, float, int]] = []

    def mix(chunk: np.ndarray, t0: float) -> np.ndarray:
        starts = [s.start for s in run.voice.sounds]  # type: ignore[attr-defined]
        seen.append((t0, run.clock.now(), sum(1 for s in starts if s < t0 + 0.1)))
        return chunk

    run_fast(run, Ears(ScriptedEars({}), SilentFile(30), mix))
    assert all(now >= t0 + 0.1 - 1e-9 for t0, now, _ in seen)
    assert seen[-1][2] > 0


def test_after_the_file_ends_the_virtual_clock_runs_the_session_to_its_end() -> None:
    ears = ScriptedEars({})
    run = runner()
    run_fast(run, Ears(ears, SilentFile(5)))
    assert ears.flushed_at == pytest.approx(5.0)
    assert run.end is not None
    assert run.end.reason == "completed"


# ---------------------------------------------------------------------- real time


class FakeClock(VirtualClock):
    pass


class ScriptedInbox:
    """The real-time inbox on a fake clock: `get(timeout)` lets that much time pass, or
    hands over the next scripted input when it falls due first."""

    def __init__(self, clock: FakeClock, script: list[tuple[float, object]]) -> None:
        self.clock = clock
        self.script = sorted(script, key=lambda p: p[0])
        self.waits = 0

    def get(self, timeout: float | None = None) -> object:
        assert timeout is not None  # the loop never blocks for ever (Ctrl-C stays responsive)
        self.waits += 1
        now = self.clock.now()
        if self.script and self.script[0][0] <= now + timeout:
            t, item = self.script.pop(0)
            self.clock.advance_to(t)
            return item
        self.clock.advance_to(now + timeout)
        raise queue.Empty


def realtime(script: list[tuple[float, object]], warnings: list[str] | None = None):
    clock = FakeClock()
    records = Logged()
    run = Runner(initial(ROUTINE, Config(ready_timeout=10)), RecordingVoice(), clock, [records])
    inbox = ScriptedInbox(clock, script)
    run_realtime(run, inbox, intent_for_key, (warnings if warnings is not None else []).append)
    return run, records


def test_the_real_time_loop_ticks_at_the_deadlines_and_runs_to_the_end() -> None:
    run, records = realtime([])
    assert run.end is not None
    assert run.end.reason == "completed"
    work = [r["t"] for r in records if r["type"] == "state" and r["phase"] == "work"]
    assert len(work) == 2
    said = [r for r in records if r["type"] == "say"]
    counts = [r["t"] for r in said if r["text"].split(",")[0].isdigit()]  # "9, last one"
    assert np.diff(counts[-5:]) == pytest.approx([2, 2, 2, 2])  # ticks land on the deadlines


def test_keys_pause_and_resume_with_space_and_n_answers_no_to_the_stop_question() -> None:
    _, records = realtime(
        [(30, KeyPress(" ")), (35, KeyPress(" ")), (40, KeyPress("q")), (41, KeyPress("n"))]
    )
    heard = [(r["intent"], r["source"]) for r in records if r["type"] == "heard"]
    assert heard == [("pause", "keys"), ("resume", "keys"), ("stop", "keys"), ("no", "keys")]
    assert records[-1]["reason"] == "completed"


def test_voice_commands_from_the_ears_thread_reach_the_engine() -> None:
    _, records = realtime([(30, Detection(29.9, Intent.STOP, "stop")), (31, KeyPress("y"))])
    heard = [(r["intent"], r["source"]) for r in records if r["type"] == "heard"]
    assert heard == [("stop", "voice"), ("yes", "keys")]
    assert records[-1]["reason"] == "stopped"


def test_failing_ears_are_reported_once_and_the_session_goes_on() -> None:
    warnings: list[str] = []
    run, _ = realtime([(5, EarsFailed(AudioError("microphone unplugged")))], warnings)
    assert len(warnings) == 1
    assert "microphone unplugged" in warnings[0]
    assert run.end is not None
    assert run.end.reason == "completed"


def test_the_ears_thread_forwards_detections_and_its_own_failure() -> None:
    class BrokenAfterOne(SilentFile):
        def chunks(self) -> Iterator[tuple[float, np.ndarray]]:
            yield 0.0, np.zeros(CHUNK, np.int16)
            raise AudioError("the microphone stopped delivering audio")

    inbox: queue.Queue = queue.Queue()
    listen(Ears(ScriptedEars({0.05: Intent.NEXT}), BrokenAfterOne(1)), inbox, threading.Event())
    first, second = inbox.get_nowait(), inbox.get_nowait()
    assert isinstance(first, Detection)
    assert first.intent == Intent.NEXT
    assert isinstance(second, EarsFailed)


def test_the_ears_thread_lets_a_pushing_recognizer_post_its_detections_itself() -> None:
    class Pushing(ScriptedEars):
        """Decides elsewhere: its detections arrive between chunks, not from accept."""

        def deliver_to(self, deliver: Callable[[list[Detection]], None]) -> None:
            self.deliver = deliver

        def accept(
            self, samples: np.ndarray, t0: float, echo: np.ndarray | None = None
        ) -> list[Detection]:
            self.deliver(super().accept(samples, t0))
            return []

    inbox: queue.Queue = queue.Queue()
    listen(Ears(Pushing({0.05: Intent.NEXT}), SilentFile(1)), inbox, threading.Event())
    (heard,) = [inbox.get_nowait() for _ in range(inbox.qsize())]
    assert isinstance(heard, Detection)
    assert heard.intent == Intent.NEXT


def test_closing_the_ears_closes_what_they_hold_beside_the_source() -> None:
    closed: list[str] = []
    source = SilentFile(1)
    Ears(ScriptedEars({}), source, closers=[lambda: closed.append("worker")]).close()
    assert source.closed
    assert closed == ["worker"]
