"""The panel's view model and its rendering: what a person on the floor reads."""

from __future__ import annotations

import io

import pytest
from factories import routine_from
from rich.console import Console

from voicecoach import catalog
from voicecoach.engine import Config, abort
from voicecoach.intents import Intent
from voicecoach.runtime.simulation import Simulation, estimate_seconds
from voicecoach.screen import digits
from voicecoach.screen.panel import render
from voicecoach.screen.view import Countdown, Extras, Heard, Reps, view

ROUTINE = routine_from(
    "panel",
    [
        {
            "id": "raises",
            "name": "Heel Raises",
            "sides": ["right", "left"],
            "sets": 2,
            "rest_between_sets": 20,
            "work": {"kind": "reps", "reps": 10, "tempo": 2},
        },
        {
            "id": "plank",
            "name": "Side Plank",
            "sets": 3,
            "rest_between_sets": 30,
            "work": {"kind": "holds", "reps": 2, "hold": 15, "release": 5},
        },
    ],
)


def screen_text(v, width: int = 80, height: int = 24, help_line: str = "") -> str:
    console = Console(width=width, height=height, record=True, file=io.StringIO())
    console.print(render(v, width, height, help_line))
    return console.export_text()


def test_reps_show_the_exercise_its_number_set_side_and_the_count():
    sim = Simulation(ROUTINE).until_state(lambda s: s.phase == "work" and s.rep == 7)
    v = view(sim.state, sim.now)
    assert (v.exercise, v.number, v.exercises) == ("Heel Raises", 1, 2)
    assert (v.set, v.sets, v.side) == (1, 2, "right")
    assert v.count == Reps(7, 10)


def test_a_hold_counts_down_with_the_clock_between_engine_events():
    sim = Simulation(ROUTINE).until_state(lambda s: s.phase == "hold" and s.seg_end is not None)
    first = view(sim.state, sim.now)
    later = view(sim.state, sim.now + 1.0)  # no engine event in between
    assert isinstance(first.count, Countdown)
    assert isinstance(later.count, Countdown)
    assert first.count.seconds == 15
    assert later.count.seconds == 14
    assert first.hold == Reps(1, 2)


def test_a_pause_freezes_the_countdown_and_sets_the_banner():
    sim = Simulation(ROUTINE).until_state(lambda s: s.phase == "hold" and s.seg_end is not None)
    sim.until(sim.now + 2.0).hear(Intent.PAUSE)
    a, b = view(sim.state, sim.now + 1), view(sim.state, sim.now + 30)
    assert a.banner == b.banner == "paused"
    assert a.count == b.count


def test_a_rest_says_what_comes_next():
    sim = Simulation(ROUTINE).until_state(lambda s: s.phase == "rest")
    v = view(sim.state, sim.now)
    assert v.next == "Heel Raises · set 1 of 2 · left"
    assert isinstance(v.count, Countdown)


def test_a_rest_shows_its_whole_length_while_the_words_that_start_it_are_said():
    """The rest counts once they are said: the panel shows what "time" would say."""
    sim = Simulation(ROUTINE).until_state(lambda s: s.phase == "rest" and s.step.rest_after == 20)
    words = sim.voice.sounds[-1]
    assert words.text.startswith("Rest 20 seconds.")
    assert view(sim.state, words.start + 1).count == Countdown(20)
    assert view(sim.state, words.end - 0.1).count == Countdown(20)
    sim.until(words.end + 5)
    assert view(sim.state, sim.now).count == Countdown(15)


def test_waiting_for_ready_and_the_stop_question_have_banners():
    sim = Simulation(ROUTINE).until_phase("ready")
    assert view(sim.state, sim.now).banner == "ready"
    sim.hear(Intent.STOP)
    assert view(sim.state, sim.now).banner == "confirm"


def test_waiting_for_ready_counts_down_to_when_the_exercise_starts_by_itself():
    sim = Simulation(ROUTINE, Config(ready_timeout=15)).until_phase("ready")
    waiting = view(sim.state, sim.now)
    assert isinstance(waiting.count, Countdown)
    assert view(sim.state, sim.now + 1.0).count == Countdown(waiting.count.seconds - 1)
    assert "until it starts by itself" in screen_text(waiting)
    since = sim.now
    sim.until_phase("work")  # nobody said ready: the timeout and "starting in 3, 2, 1"
    assert waiting.count.seconds - 1 < sim.now - since <= waiting.count.seconds


def test_a_pause_while_waiting_for_ready_freezes_the_countdown_to_the_start():
    sim = Simulation(ROUTINE).until_phase("ready")
    sim.until(sim.now + 2.0).hear(Intent.PAUSE)
    frozen = view(sim.state, sim.now + 1).count
    assert isinstance(frozen, Countdown)
    assert view(sim.state, sim.now + 30).count == frozen


def test_the_time_left_starts_at_what_the_intro_says_and_keeps_track_of_the_session():
    knees = catalog.find("knee-strength")  # the plan's formula alone is 12 % short here
    length = estimate_seconds(knees)  # the dry run: what the intro says, what --fast takes
    sim = Simulation(knees, Config(estimate=length))
    assert view(sim.state, 0.0).left == pytest.approx(length)
    sim.until(length / 2)
    assert view(sim.state, sim.now).left == pytest.approx(length - sim.now, rel=0.05)


def test_progress_grows_and_time_left_shrinks_over_the_session():
    sim = Simulation(ROUTINE)
    early = view(sim.state, sim.now)
    sim.until_phase("rest", exercise=1)
    late = view(sim.state, sim.now)
    assert 0.0 <= early.progress < late.progress < 1.0
    assert late.left < early.left


@pytest.mark.parametrize(("seconds", "shown"), [(0, "0"), (9, "9"), (59, "59"), (90, "1:30")])
def test_the_countdown_clock_turns_to_minutes_at_sixty(seconds, shown):
    assert digits.clock(seconds) == shown


def test_big_digits_are_five_rows_of_blocks_and_scale_up():
    rows = digits.big("10")
    assert len(rows) == digits.HEIGHT
    assert len({len(r) for r in rows}) == 1
    assert set("".join(rows)) <= {digits.FULL, " "}
    assert len(digits.big("10", 2)) == 2 * digits.HEIGHT
    assert digits.width("10", 2) == 2 * digits.width("10")


def test_big_digits_refuse_letters():
    with pytest.raises(ValueError, match="no big glyph"):
        digits.big("1a")


def test_the_panel_fits_80_by_24_with_everything_on_it():
    sim = Simulation(ROUTINE).until_state(lambda s: s.phase == "rest")
    extras = Extras(
        saying="Rest for 20 seconds. " * 10,  # far too long: cut to two lines
        heard=Heard("pause", "voice"),
        level=0.5,
        engine="vosk",
    )
    v = view(sim.state, sim.now, extras)
    text = screen_text(v, help_line="keys: n next · q stop")
    lines = text.splitlines()
    assert len(lines) <= 24
    assert max(len(line) for line in lines) <= 80
    for words in ("HEEL RAISES", "exercise 1 of 2", "set 1 of 2", "RIGHT SIDE", "REST",
                  "next: Heel Raises", "heard: pause (voice)", "mic", "engine: vosk",
                  "left", "keys: n next"):  # fmt: skip
        assert words in text
    assert isinstance(v.count, Countdown)
    assert digits.big(str(v.count.seconds))[0] in text


def test_a_paused_panel_says_so():
    sim = Simulation(ROUTINE).until_phase("hold").hear(Intent.PAUSE)
    assert "PAUSED — say resume" in screen_text(view(sim.state, sim.now))


def test_the_panel_grows_with_a_big_terminal():
    sim = Simulation(ROUTINE).until_state(lambda s: s.phase == "hold" and s.seg_end is not None)
    small = screen_text(view(sim.state, sim.now))
    big = screen_text(view(sim.state, sim.now), width=140, height=45)
    assert max(map(len, big.splitlines())) > 100
    assert big.count(digits.FULL) > 3 * small.count(digits.FULL)


@pytest.mark.parametrize("over", [False, True])
def test_a_stopped_session_shows_it_ended_early_and_the_share_of_its_sets_done(over):
    """After "stop", "yes" the panel said DONE with 100 %: the workout was not done."""
    sim = Simulation(ROUTINE).until_phase("rest", exercise=1)  # 4 raises + 1 plank set done
    sim.hear(Intent.STOP).hear(Intent.YES, sim.now + 1)
    if over:
        sim.finish()
    v = view(sim.state, sim.now, Extras(ended=over))
    assert v.mode == "ended"
    assert v.progress == pytest.approx(5 / 7)
    text = screen_text(v)
    assert "ENDED EARLY" in text
    assert "DONE" not in text
    assert " 71%  5 of 7 sets done" in text


@pytest.mark.parametrize("reason", ["interrupted", "terminated", "stalled"])
def test_a_session_ended_by_ctrl_c_shows_it_ended_early_and_the_share_of_its_sets_done(reason):
    """Its last frame said 100 %: with nothing left to run, the time left is nil."""
    sim = Simulation(ROUTINE).until_phase("rest", exercise=1)  # 4 raises + 1 plank set done
    state, _ = abort(sim.state, sim.now, reason)
    v = view(state, sim.now, Extras(ended=True))
    assert v.mode == "ended"
    assert v.progress == pytest.approx(5 / 7)
    text = screen_text(v)
    assert "ENDED EARLY" in text
    assert " 71%  5 of 7 sets done" in text
    assert "100%" not in text


def test_ctrl_c_in_the_closing_words_of_a_finished_session_still_shows_all_of_it():
    sim = Simulation(ROUTINE).until_phase("done")
    state, _ = abort(sim.state, sim.now, "interrupted")
    v = view(state, sim.now, Extras(ended=True))
    assert (v.mode, v.progress) == ("done", 1.0)


def test_a_finished_session_shows_done_and_all_of_it():
    sim = Simulation(ROUTINE).until_phase("done")
    v = view(sim.state, sim.now)
    assert (v.mode, v.progress) == ("done", 1.0)
    assert "DONE" in screen_text(v)
