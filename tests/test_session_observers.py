"""`build_session` with fakes handed in, and what every SessionObserver is told."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from factories import routine_from

from voicecoach.bootstrap import build_session
from voicecoach.engine import State
from voicecoach.options import EarsOptions, SessionOptions, VoiceOptions
from voicecoach.records import (
    EndRecord,
    Record,
    SayRecord,
    SessionRecord,
    StateRecord,
    as_json,
)
from voicecoach.runtime.clocks import VirtualClock
from voicecoach.runtime.simulation import RecordingVoice

ROUTINE = routine_from(
    "observed",
    [
        {"id": "walk", "name": "Walk", "work": {"kind": "timed", "seconds": 30}},
        {"id": "lift", "name": "Lift", "work": {"kind": "reps", "reps": 3, "tempo": 2}},
    ],
)


class Watcher:
    """A SessionObserver that writes down every call it gets."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.header: SessionRecord | None = None
        self.records: list[Record] = []
        self.states: list[State] = []
        self.end: tuple[EndRecord, State] | None = None

    def started(self, header: SessionRecord) -> None:
        self.calls.append("started")
        self.header = header

    def update(self, state: State, records: Sequence[Record], now: float) -> None:
        self.calls.append("update")
        self.states.append(state)
        self.records += records

    def ended(self, end: EndRecord, state: State) -> None:
        self.calls.append("ended")
        self.end = (end, state)


def fast_options(*, text: bool = False, log: Path | None = None) -> SessionOptions:
    return SessionOptions(routine=ROUTINE, fast=True, text=text, ready_timeout=3.0, log=log)


def test_an_observer_is_told_of_the_start_every_dispatch_and_the_end_once() -> None:
    watcher = Watcher()
    build_session(
        fast_options(), voice=RecordingVoice(), out=lambda line: None, observers=[watcher]
    ).run()

    assert watcher.calls[0] == "started"
    assert watcher.calls[-1] == "ended"
    assert watcher.calls.count("started") == watcher.calls.count("ended") == 1
    assert set(watcher.calls[1:-1]) == {"update"}
    assert watcher.header is not None
    assert watcher.header.routine == "observed"
    kinds = {type(r) for r in watcher.records}
    assert {SayRecord, StateRecord, EndRecord} <= kinds
    assert watcher.end is not None
    end, state = watcher.end
    assert (end.completed, end.reason) == (True, "completed")
    assert watcher.records[-1] == end
    assert state.ended


def test_the_log_and_an_observer_see_the_same_records_in_the_same_order(tmp_path: Path) -> None:
    watcher = Watcher()
    log = tmp_path / "x.jsonl"
    build_session(
        fast_options(log=log), voice=RecordingVoice(), out=lambda line: None, observers=[watcher]
    ).run()

    logged = [json.loads(line) for line in log.read_text().splitlines()]
    assert watcher.header is not None
    assert logged == [as_json(watcher.header), *map(as_json, watcher.records)]


def test_ctrl_c_ends_the_session_for_every_observer_and_the_log(tmp_path: Path) -> None:
    watcher = Watcher()
    printed: list[str] = []

    def impatient(line: str) -> None:
        printed.append(line)
        if len(printed) == 5:
            raise KeyboardInterrupt

    session = build_session(
        fast_options(text=True), voice=RecordingVoice(), out=impatient, observers=[watcher]
    )
    with pytest.raises(KeyboardInterrupt):
        session.run()

    assert watcher.calls.count("ended") == 1
    assert watcher.end is not None
    assert (watcher.end[0].completed, watcher.end[0].reason) == (False, "interrupted")


def test_the_printer_shows_each_sound_stamped_with_its_start() -> None:
    printed: list[str] = []
    voice = RecordingVoice()
    build_session(
        fast_options(text=True), voice=voice, clock=VirtualClock(), out=printed.append
    ).run()
    said = [s for s in voice.sounds if s.kind == "say"]
    assert said
    for sound in said:
        minutes, seconds = divmod(int(sound.start), 60)
        assert any(
            line.startswith(f"[{minutes:02d}:{seconds:02d}] ") and line.endswith(sound.text)
            for line in printed
        ), sound
    assert not any("heard:" in line for line in printed)  # nobody spoke


def live_options(**kw: object) -> SessionOptions:
    """A session in real time (not --fast) that speaks aloud and listens to keys only."""
    return SessionOptions(routine=ROUTINE, ready_timeout=0.0, ears=EarsOptions(engine="keys"), **kw)


def test_a_live_session_speaking_aloud_without_the_panel_prints_each_line_as_it_is_said() -> None:
    printed: list[str] = []
    voice = RecordingVoice()
    session = build_session(live_options(), voice=voice, clock=VirtualClock(), out=printed.append)
    runner = session.runner  # the live loop, driven step by step on the virtual clock
    runner.start()
    while not runner.state.ended:
        deadline = runner.state.next_deadline
        assert deadline is not None
        runner.run_until(deadline)
    session.close()

    said = [s.text for s in voice.sounds if s.kind == "say"]
    assert said
    transcript = [line[8:].split(" · ")[-1] for line in printed if line.startswith("[")]
    assert transcript == said  # each line once, in the order it was said
    assert len(transcript) == len(printed)  # the closing summary too was a said line


def test_a_fast_replay_into_a_wav_prints_only_its_summary(tmp_path: Path) -> None:
    printed: list[str] = []
    options = SessionOptions(
        routine=ROUTINE,
        fast=True,
        ready_timeout=3.0,
        voice=VoiceOptions(speak_file=tmp_path / "coach.wav"),
    )
    build_session(options, voice=RecordingVoice(), out=printed.append).run()

    assert len(printed) == 1
    assert printed[0].startswith("Summary: ")
