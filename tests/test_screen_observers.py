"""The printed transcript and the live panel as session observers, fed the records of a
dispatch."""

from __future__ import annotations

import io

from factories import routine_from
from rich.console import Console

from voicecoach.engine import initial
from voicecoach.records import (
    CueRecord,
    EndRecord,
    HeardRecord,
    InterruptRecord,
    SayRecord,
    StateRecord,
)
from voicecoach.runtime.clocks import VirtualClock
from voicecoach.runtime.printer import Printer
from voicecoach.runtime.runner import Runner
from voicecoach.runtime.simulation import RecordingVoice, Simulation
from voicecoach.screen.live import LiveScreen
from voicecoach.screen.observers import Panel, ending

ROUTINE = routine_from(
    "observed",
    [
        {
            "id": "raises",
            "name": "Heel Raises",
            "sides": ["right", "left"],
            "sets": 2,
            "work": {"kind": "reps", "reps": 3, "tempo": 2},
        }
    ],
)


class Lines:
    """A PacedPrinter stand-in that keeps (time, line) as it would print them in time."""

    def __init__(self) -> None:
        self.lines: list[tuple[float, str]] = []

    def write(self, at: float, line: str) -> None:
        self.lines.append((at, line))

    def cancel_from(self, at: float) -> None:
        self.lines = [(t, line) for t, line in self.lines if t < at]

    @property
    def text(self) -> list[str]:
        return [line for _, line in self.lines]


def at_work():
    return Simulation(ROUTINE).until_phase("work").state


def transcript(lines: Lines, cues: bool = False) -> Printer:
    return Printer(print, lines, cues=cues)


def test_what_is_said_is_printed_with_where_the_session_is():
    printer = Lines()
    transcript(printer).update(at_work(), [SayRecord(65.0, "Go", 0.3)], 65.0)
    assert printer.text == ["[01:05] Heel Raises · set 1 of 2 · right · Go"]


TWO_EXERCISES = routine_from(
    "two",
    [
        {"id": "raises", "name": "Heel Raises", "work": {"kind": "reps", "reps": 2}},
        {"id": "circles", "name": "Ankle Circles", "work": {"kind": "reps", "reps": 2}},
    ],
)


def test_each_line_shows_where_the_session_stood_when_it_was_said_not_after_the_step():
    printer = Lines()
    runner = Runner(initial(TWO_EXERCISES), RecordingVoice(), VirtualClock(), [transcript(printer)])
    runner.start()
    runner.run_until(600.0)
    said = [line.split("] ", 1)[1] for line in printer.text]
    last_count = said.index("Heel Raises · set 1 of 1 · 2")
    announced = said.index("Ankle Circles · set 1 of 1 · Exercise 2 of 2: Ankle Circles.")
    assert last_count < announced


def test_cues_and_state_records_are_not_printed_unless_cues_are_asked_for():
    records = [
        CueRecord(1.0, "tick", 0.1),
        CueRecord(2.0, "hold_end", 0.3),
        StateRecord(2.0, "raises", 0, 1, "right", "work", 0),
    ]
    quiet, loud = Lines(), Lines()
    transcript(quiet).update(at_work(), records, 2.0)
    transcript(loud, cues=True).update(at_work(), records, 2.0)
    assert quiet.text == []
    assert [line.rsplit(" · ", 1)[1] for line in loud.text] == ["tick", "beep"]
    assert not any("hold_end" in line or "[tick]" in line for line in loud.text)


def test_a_command_heard_is_printed_and_an_interrupt_drops_what_it_cut():
    printer = Lines()
    observer = transcript(printer)
    state = at_work()
    observer.update(state, [SayRecord(10.0, "One", 0.5), SayRecord(12.0, "Two", 0.5)], 10.0)
    observer.update(
        state,
        [HeardRecord(11.0, "pause", "key ' '", "keys"), InterruptRecord(11.0)],
        11.0,
    )
    assert printer.text == [
        "[00:10] Heel Raises · set 1 of 2 · right · One",
        "[00:11] heard: pause (keys)",
    ]


def test_in_virtual_time_lines_are_printed_at_once():
    out: list[str] = []
    Printer(out.append).update(at_work(), [SayRecord(3.0, "Go", 0.3)], 3.0)
    assert out == ["[00:03] Heel Raises · set 1 of 2 · right · Go"]


def test_the_end_line_counts_the_exercises():
    assert ending(EndRecord(1.0, True, "completed", 5, 1)) == (
        "Session completed: 5 exercises done, 1 skipped."
    )
    assert ending(EndRecord(1.0, False, "stopped", 1, 0)) == "Session stopped: 1 exercise done."
    assert ending(EndRecord(0.0, False, "interrupted")) == "Session ended (interrupted)."
    assert ending(EndRecord(1.0, False, "stopped", 2, 2, cut_short=1)) == (
        "Session stopped: 2 exercises done, 1 cut short, 2 skipped."
    )


def test_the_panel_leaves_the_closing_words_on_the_terminal():
    sim = Simulation(ROUTINE).finish()
    clock = VirtualClock(sim.now)
    console = Console(file=io.StringIO(), width=80, height=24)
    after: list[str] = []
    panel = Panel(LiveScreen(console, clock, engine="keys only"), after.append)
    summary = [SayRecord(sim.now - 2, "Well done.", 1.0)]
    panel.update(sim.state, summary, sim.now)
    panel.ended(EndRecord(sim.now, True, "completed", 1, 0), sim.state)
    assert after[0].endswith("] Well done.")
    assert after[-1].endswith("Session completed: 1 exercise done.")
    assert not [line for line in after if "Summary:" in line]  # it was said: once is enough


def test_a_panel_cut_off_before_its_closing_words_leaves_the_summary_it_would_have_said():
    state = at_work()  # Ctrl-C in a set: no closing words were said
    clock = VirtualClock(12.0)
    console = Console(file=io.StringIO(), width=80, height=24)
    after: list[str] = []
    panel = Panel(LiveScreen(console, clock, engine="keys only"), after.append)
    panel.update(state, [SayRecord(10.0, "Right side, set 2 of 2.", 1.0)], 10.5)
    words = ("You did 0 of 1 exercise in 1 minute.", "Cut short: Wall Sit.")
    panel.ended(EndRecord(12.0, False, "interrupted", 0, 0, 1, summary=words), state)
    assert after[0].endswith("] Right side, set 2 of 2.")
    assert after[1] == "Summary: You did 0 of 1 exercise in 1 minute. Cut short: Wall Sit."
    assert after[-1].endswith("Session ended (interrupted): 0 exercises done, 1 cut short.")


SWITCHED = routine_from(
    "switched",
    [
        {
            "id": "circles",
            "name": "Ankle Circles",
            "sides": ["right", "left"],
            "transition": 20,
            "work": {"kind": "reps", "reps": 3, "tempo": 2},
        }
    ],
)


def test_the_next_side_s_dose_said_in_the_rest_carries_the_next_side_s_label():
    printer = Lines()
    runner = Runner(initial(SWITCHED), RecordingVoice(), VirtualClock(), [transcript(printer)])
    runner.start()
    runner.run_until(600.0)
    said = [line.split("] ", 1)[1] for line in printer.text]
    rest = said.index("Ankle Circles · set 1 of 1 · right · Switch to your left side.")
    assert said[rest + 1] == "Ankle Circles · set 1 of 1 · left · 3 times."  # what comes
    assert said[rest + 2] == "Ankle Circles · set 1 of 1 · left · Go"


SHORT_RESTS = routine_from(
    "short-rests",
    [
        {
            "id": "lunge",
            "name": "Lunge",
            "sides": ["left", "right"],
            "sets": 2,
            "rest_between_sets": 5,
            "work": {"kind": "reps", "reps": 3, "tempo": 2},
            "cues": ["Keep your back straight and look ahead all the time", "Breathe out slowly"],
        }
    ],
)


def test_with_cues_the_beep_that_ends_a_rest_is_printed_with_the_set_and_side_that_come_next():
    """Rests too short to say the next dose in them: it is said after the beep, and the
    beep belongs to that set, not to the side just finished."""
    printer = Lines()
    observers = [transcript(printer, cues=True)]
    runner = Runner(initial(SHORT_RESTS), RecordingVoice(), VirtualClock(), observers)
    runner.start()
    runner.run_until(600.0)
    said = [line.split("] ", 1)[1] for line in printer.text]
    lines = [text.rsplit(" · ", 1) for text in said if " · " in text]  # in the exercise
    rest_ends = [
        i
        for i, (_, what) in enumerate(lines)
        if what == "beep" and lines[i - 1][1].startswith(("Switch", "Rest"))
    ]
    assert len(rest_ends) == 3  # left to right, to set 2, right again
    for i in rest_ends:
        dose = lines[i + 1]
        assert dose[1].startswith("3 times.")
        assert lines[i][0] == dose[0]
    assert [lines[i][0] for i in rest_ends] == [
        "Lunge · set 1 of 2 · right",
        "Lunge · set 2 of 2 · left",
        "Lunge · set 2 of 2 · right",
    ]
