"""The history recorder, a session observer: a row per set as each set ends, and the
session marked as it ended (finished, stopped, interrupted), on a virtual clock."""

from __future__ import annotations

import shlex
import subprocess

import pytest
from factories import routine_from
from hypothesis import given
from hypothesis import strategies as st

from voicecoach.engine import Config, initial
from voicecoach.history.recorder import HistoryRecorder, set_spans, shell_word, start_command
from voicecoach.history.store import Store
from voicecoach.intents import Intent
from voicecoach.plan import steps
from voicecoach.routine import Routine
from voicecoach.runtime.clocks import VirtualClock
from voicecoach.runtime.runner import Runner
from voicecoach.runtime.simulation import RecordingVoice


class FakeWall:
    """A wall clock that moves a second per reading."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        self.t += 1.0
        return self.t


def routine() -> Routine:
    walk = {"id": "walk", "name": "Walk", "work": {"kind": "timed", "seconds": 10}, "sets": 2}
    heels = {
        "id": "heels",
        "name": "Heel Raises",
        "work": {"kind": "reps", "reps": 3, "tempo": 2},
        "sets": 2,
        "sides": ["right", "left"],
    }
    curls = {
        "id": "curls",
        "name": "Toe Curls",
        "work": {
            "kind": "sequence",
            "parts": [
                {"work": {"kind": "reps", "reps": 2, "tempo": 2}},
                {"work": {"kind": "timed", "seconds": 5}},
            ],
        },
    }
    return routine_from("demo", [walk, heels, curls])


def session(
    store: Store, config: Config | None = None, **kw: object
) -> tuple[Runner, HistoryRecorder]:
    recorder = HistoryRecorder(store, "demo", "hash", wall=FakeWall(), **kw)  # type: ignore[arg-type]
    runner = Runner(initial(routine(), config), RecordingVoice(), VirtualClock(), [recorder])
    runner.start()
    return runner, recorder


def run_until_step(runner: Runner, step: int, phases: tuple[str, ...] = ("work", "hold")) -> None:
    while not (runner.state.index == step and runner.state.phase in phases):
        deadline = runner.state.next_deadline
        assert deadline is not None
        runner.run_until(deadline)


def test_a_set_is_the_steps_that_share_exercise_side_and_set() -> None:
    # walk 1, walk 2, heels 1 R, heels 1 L, heels 2 R, heels 2 L, curls (2 parts)
    assert set_spans(steps(routine())) == [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 7)]


def test_a_finished_session_has_one_row_and_a_done_row_per_set() -> None:
    store = Store.memory()
    runner, _ = session(store)
    runner.run_to_end()
    (row,) = store.sessions()
    assert (row.outcome, row.engine, row.routine, row.routine_hash) == (
        "finished",
        "keys",
        "demo",
        "hash",
    )
    assert row.minutes > 1
    sets = store.sets(row.id)
    assert [(s.exercise, s.set_number, s.side) for s in sets] == [
        ("walk", 1, None), ("walk", 2, None),
        ("heels", 1, "right"), ("heels", 1, "left"), ("heels", 2, "right"), ("heels", 2, "left"),
        ("curls", 1, None),
    ]  # fmt: skip
    assert {s.outcome for s in sets} == {"done"}
    assert [s.reps for s in sets[2:]] == [3, 3, 3, 3, 2]
    assert sets[0].seconds == 10


def test_each_set_is_written_as_soon_as_it_is_done() -> None:
    store = Store.memory()
    runner, recorder = session(store)
    run_until_step(runner, 3)  # heels, set 1, left side: working
    assert [s.first_step for s in store.sets(recorder.session or 0)] == [0, 1, 2]
    assert store.sessions()[0].outcome == "crashed"  # until it says how it ended


def test_a_stopped_session_keeps_its_completed_sets_and_says_stopped() -> None:
    store = Store.memory()
    runner, _ = session(store)
    run_until_step(runner, 3)
    runner.hear(Intent.STOP)
    runner.hear(Intent.YES)
    runner.run_to_end()  # the coach sums up what was done, then the session ends
    (row,) = store.sessions()
    assert row.outcome == "stopped"
    sets = store.sets(row.id)
    assert [s.outcome for s in sets] == ["done", "done", "done", "cut short"]


def test_an_interrupted_session_is_marked_interrupted() -> None:
    store = Store.memory()
    runner, _ = session(store)
    run_until_step(runner, 1)
    runner.abort("interrupted")
    assert store.sessions()[0].outcome == "interrupted"
    assert [s.outcome for s in store.sets(1)] == ["done", "cut short"]


def test_skipping_an_exercise_writes_its_sets_as_skipped() -> None:
    store = Store.memory()
    runner, _ = session(store)
    run_until_step(runner, 2, phases=("setup", "ready"))  # heels set up, not begun
    runner.hear(Intent.NEXT)  # skip the heel raises
    runner.run_to_end()
    sets = store.sets(1)
    assert [(s.exercise, s.outcome) for s in sets] == [
        ("walk", "done"), ("walk", "done"),
        ("heels", "skipped"), ("heels", "skipped"), ("heels", "skipped"), ("heels", "skipped"),
        ("curls", "done"),
    ]  # fmt: skip


def test_pain_reported_during_a_set_is_kept_with_it() -> None:
    store = Store.memory()
    runner, _ = session(store)
    run_until_step(runner, 2)
    runner.hear(Intent.PAIN)
    runner.hear(Intent.RESUME)
    runner.run_to_end()
    pains = [s.pain for s in store.sets(1)]
    assert pains[2] is True
    assert pains.count(True) == 1


def test_pain_reported_in_the_rest_after_a_set_is_kept_with_the_set_just_done() -> None:
    """Found by tests/test_engine_stateful.py: the set's row was written as it ended, and
    a pain said in the rest after it was in the summary but not in the history."""
    store = Store.memory()
    runner, _ = session(store)
    run_until_step(runner, 2, phases=("rest",))  # heels, set 1, right side: done
    runner.hear(Intent.PAIN)
    runner.hear(Intent.RESUME)
    runner.run_to_end()
    assert runner.end is not None
    assert runner.end.pain_reports == 1
    pained = [(s.exercise, s.set_number, s.side) for s in store.sets(1) if s.pain]
    assert pained == [("heels", 1, "right")]


@pytest.mark.parametrize("how", ["stopped", "finished"])
def test_pain_said_in_the_goodbye_is_kept_with_the_last_set_worked(how: str) -> None:
    """Right after stopping (or finishing) "it hurts": the history keeps it, with the set
    the person had just worked, not only in the log's heard lines."""
    store = Store.memory()
    runner, _ = session(store)
    if how == "stopped":
        run_until_step(runner, 3)  # heels, set 1, left side
        runner.hear(Intent.STOP)
        runner.hear(Intent.YES)
    else:
        run_until_step(runner, 7, phases=("done",))
    runner.hear(Intent.PAIN)
    runner.run_to_end()
    sets = store.sets(1)
    pained = [(s.exercise, s.set_number, s.side) for s in sets if s.pain]
    assert pained == ([("heels", 1, "left")] if how == "stopped" else [("curls", 1, None)])


def test_a_resumed_session_goes_on_in_the_same_row_and_finishes_it() -> None:
    store = Store.memory()
    runner, _ = session(store)
    run_until_step(runner, 3)
    runner.hear(Intent.STOP)
    runner.hear(Intent.YES)
    runner.run_to_end()  # the coach sums up what was done, then the session ends
    stopped = store.sessions()[0]
    config = Config(start_step=3, done_before=frozenset({0, 1, 2}))
    runner, _ = session(store, config, resume=stopped)
    runner.run_to_end()
    (row,) = store.sessions()
    assert (row.outcome, row.resumes) == ("finished", 1)
    assert row.minutes > stopped.minutes
    done = [s.first_step for s in store.sets(row.id) if s.outcome == "done"]
    assert done == [0, 1, 2, 3, 4, 5, 6]


def test_going_back_past_a_set_already_done_and_on_again_does_not_record_it_again() -> None:
    store = Store.memory()
    runner, _ = session(store)
    run_until_step(runner, 3)  # heels, set 1: the right side done, the left begun
    runner.hear(Intent.BACK)  # to the right side again
    runner.hear(Intent.NEXT)  # and on, without doing it again
    runner.run_to_end()
    sets = [(s.first_step, s.outcome) for s in store.sets(1)]
    assert sets[:4] == [(0, "done"), (1, "done"), (2, "done"), (3, "cut short")]
    assert [step for step, _ in sets].count(2) == 1


def test_a_set_done_again_after_going_back_is_recorded_again_when_it_ends() -> None:
    store = Store.memory()
    runner, _ = session(store)
    run_until_step(runner, 3)
    runner.hear(Intent.BACK)  # heels, right side, once more
    runner.run_to_end()
    again = [s for s in store.sets(1) if s.first_step == 2][1]
    assert again.outcome == "done"
    assert again.seconds > 0  # the time it took again, not a row written on the way in


def test_a_history_that_stops_working_is_said_once_and_the_session_goes_on() -> None:
    store = Store.memory()
    said: list[str] = []
    runner, _ = session(store, warn=said.append)
    run_until_step(runner, 2)
    store.close()  # as if the disk went away
    runner.run_to_end()
    assert runner.end is not None
    assert runner.end.reason == "completed"
    assert len(said) == 1
    assert "stopped recording" in said[0]


def test_a_session_interrupted_after_its_last_set_does_not_offer_resume() -> None:
    """Ctrl-C during the closing words: every set is done, so `--resume` would refuse
    ("nothing is left to resume"); the summary says how the user stands, not to resume."""
    store = Store.memory()
    runner, recorder = session(store)
    run_until_step(runner, 7, phases=("done",))  # the last set is done: the closing words
    runner.abort("interrupted")
    assert store.sessions()[0].outcome == "interrupted"
    assert "--resume" not in recorder.summary


def test_a_session_interrupted_before_any_set_is_done_does_not_offer_resume() -> None:
    """`--resume` would begin where a fresh start begins: nothing to continue."""
    store = Store.memory()
    runner, recorder = session(store)
    run_until_step(runner, 0)  # heel raises, the first set: working
    runner.abort("interrupted")
    assert store.sessions()[0].outcome == "interrupted"
    assert "--resume" not in recorder.summary


def test_a_session_interrupted_before_its_last_set_says_how_to_resume() -> None:
    store = Store.memory()
    runner, recorder = session(store)
    run_until_step(runner, 6)  # toe curls, the last set: working
    runner.abort("interrupted")
    assert recorder.summary == "to continue this session: voicecoach start demo --resume"


# ------------------------------------------------------------------- the hints' command


def test_a_name_needs_no_quotes_in_a_start_command() -> None:
    assert start_command("behind-knee", "--resume") == "voicecoach start behind-knee --resume"


def test_a_path_with_a_single_quote_is_put_in_double_quotes() -> None:
    command = start_command("/home/jo/Jo's feet/my-feet.toml", "--resume")
    assert command == 'voicecoach start "/home/jo/Jo\'s feet/my-feet.toml" --resume'


@pytest.mark.parametrize(
    "word",
    ["Jo's $HOME", "Jo's `date`", "Jo's \\n", 'Jo\'s "best"', "Jo's!", "Jo's\tfeet"],
)
def test_a_quote_with_what_double_quotes_would_change_keeps_single_quotes(word: str) -> None:
    assert shell_word(word) == shlex.quote(word)


@pytest.mark.parametrize(
    "word", ["Jo's feet", "my feet", "it's $HOME", "it's `date`", 'say "hi"', "a\\b's", "x!'s"]
)
def test_a_shell_reads_the_quoted_word_back_as_it_was(word: str) -> None:
    printed = subprocess.run(
        ["sh", "-c", f"printf %s {shell_word(word)}"], capture_output=True, text=True, check=True
    )
    assert printed.stdout == word


@given(st.text())
def test_every_start_command_splits_back_into_its_words(ref: str) -> None:
    assert shlex.split(start_command(ref, "--resume")) == ["voicecoach", "start", ref, "--resume"]
