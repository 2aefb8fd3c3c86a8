"""Every command the engine obeys, in the phases where it matters (and in all of them)."""

from __future__ import annotations

import itertools

import pytest
from factories import routine_from

from voicecoach.engine import Config, segment_left, tempo
from voicecoach.engine import texts as T
from voicecoach.engine.commands import TEMPO_LIMITS
from voicecoach.intents import Intent
from voicecoach.runtime.simulation import Simulation

ROUTINE = routine_from(
    "intents",
    [
        {
            "id": "march",
            "name": "March",
            "setup": ["Stand tall."],
            "cautions": ["Keep your back straight."],
            "sides": ["right", "left"],
            "sets": 2,
            "rest_between_sets": 30,
            "work": {"kind": "reps", "reps": 6, "tempo": 2},
        },
        {
            "id": "plank",
            "name": "Plank",
            "setup": ["Lie face down."],
            "rest_after": 20,
            "work": {"kind": "holds", "reps": 2, "hold": 10, "release": 3},
        },
        {"id": "walk", "name": "Walk", "work": {"kind": "timed", "seconds": 40}},
    ],
    title="Intent Drill",
    cautions=["Move within a comfortable range."],
)

PHASES = ["intro", "setup", "ready", "work", "hold", "rest", "paused", "done"]


def session(**config: float) -> Simulation:
    return Simulation(ROUTINE, Config(**config))


def said(sim: Simulation, after: float = -1.0) -> list[str]:
    return [s.text for s in sim.voice.sounds if s.kind == "say" and s.start >= after]


def holding(sim: Simulation) -> Simulation:
    """In the plank's first hold, at its start."""
    return sim.until_phase("hold").until_state(lambda s: s.seg_end is not None)


def at_phase(phase: str) -> Simulation:
    sim = session()
    if phase == "paused":
        return holding(sim).hear(Intent.PAUSE, sim.now + 2)
    return sim.until_phase(phase)


# ------------------------------------------------------------------------------ pause


def test_pause_during_a_hold_freezes_the_remaining_time_exactly() -> None:
    sim = holding(session())
    start = sim.now
    sim.hear(Intent.PAUSE, start + 4)
    assert segment_left(sim.state) == pytest.approx(6)
    sim.until(start + 500)
    assert (sim.state.shown_phase, segment_left(sim.state)) == ("paused", pytest.approx(6))
    assert sim.state.next_deadline is None
    sim.hear(Intent.RESUME)
    sim.until_state(lambda s: s.rep == 1)  # the first release
    assert sim.now == pytest.approx(start + 500 + 6)


def test_pause_cuts_the_voice_and_says_paused() -> None:
    sim = session().until(5)  # the intro is being read
    sim.hear(Intent.PAUSE)
    assert all(s.end <= 5 for s in sim.voice.sounds if s.text != T.PAUSED)
    assert said(sim, after=5) == [T.PAUSED]


def test_pause_holds_the_ready_timeout_until_resume() -> None:
    sim = session(ready_timeout=15).until_phase("ready")
    sim.hear(Intent.PAUSE, sim.now + 5)
    sim.until(sim.now + 300)
    assert "Starting in 3" not in said(sim)
    resumed = sim.now
    sim.hear(Intent.RESUME).until_phase("work")
    assert sim.now > resumed + 10


# ------------------------------------------------------------------------------ next / back


def test_next_during_work_ends_the_set_and_moves_on_to_its_rest() -> None:
    sim = session().until_phase("work")
    sim.hear(Intent.NEXT, sim.now + 3)
    assert (sim.state.shown_phase, sim.state.index) == ("rest", 0)
    assert 0 not in sim.state.completed


def test_next_during_a_rest_starts_the_next_set_at_once() -> None:
    sim = session().until_state(lambda s: s.phase == "rest" and s.step.rest_after == 30)
    rest_end = sim.state.seg_end
    sim.hear(Intent.NEXT, sim.now + 1)
    assert (sim.state.phase, sim.state.index) == ("work", 2)
    sim.until_state(lambda s: s.rep == 1)
    assert sim.now < rest_end


def test_next_during_the_setup_skips_the_exercise() -> None:
    sim = session().until_phase("setup")
    sim.hear(Intent.NEXT)
    assert "Skipping March." in said(sim)
    assert (sim.state.phase, sim.state.exercise) == ("setup", 1)
    sim.finish()
    assert "Skipped: March." in said(sim)


def test_next_during_the_intro_goes_to_the_first_exercise() -> None:
    sim = session().until(3).hear(Intent.NEXT)
    assert (sim.state.phase, sim.state.exercise) == ("setup", 0)


def test_back_at_the_first_exercise_restarts_it_and_says_so() -> None:
    sim = session().until_phase("work").hear(Intent.BACK)
    assert "This is the first exercise. Starting it again." in said(sim)
    assert (sim.state.phase, sim.state.index) == ("setup", 0)


def test_back_goes_to_the_previous_exercise() -> None:
    sim = holding(session()).hear(Intent.BACK)
    assert "Going back to March." in said(sim)
    assert (sim.state.phase, sim.state.index) == ("setup", 0)


def test_back_in_the_rest_after_an_exercise_goes_back_to_that_exercise() -> None:
    sim = session().until_phase("rest", exercise=1)  # the plank is done, the walk is next
    sim.hear(Intent.BACK)
    assert "Going back to Plank." in said(sim)
    assert (sim.state.phase, sim.state.exercise) == ("setup", 1)


# ------------------------------------------------------------------------------ repeat / ready


def test_repeat_during_the_setup_reads_the_instructions_again() -> None:
    sim = session().until_phase("ready").hear(Intent.REPEAT)
    assert said(sim).count("Stand tall.") == 2
    assert sim.state.phase == "setup"


def test_repeat_during_a_hold_says_the_instructions_and_keeps_the_timer() -> None:
    sim = holding(session())
    end = sim.state.seg_end
    sim.hear(Intent.REPEAT, sim.now + 1)
    assert said(sim)[-1].startswith("Plank.")
    assert sim.state.seg_end == end


def test_repeat_during_work_says_what_to_do_now_and_how_to_hear_the_cautions_and_setup() -> None:
    sim = session().until_state(lambda s: s.phase == "work" and s.rep == 2)
    sim.hear(Intent.REPEAT)
    assert said(sim)[-1] == (
        "March. Right side, set 1 of 2. 6 times. Say repeat again for its cautions and setup."
    )


def test_a_second_repeat_in_the_same_set_says_the_exercises_cautions_first() -> None:
    sim = session().until_state(lambda s: s.phase == "work" and s.rep == 2)
    sim.hear(Intent.REPEAT).until(sim.voice.sounds[-1].end + 1).hear(Intent.REPEAT)
    assert said(sim)[-1] == (
        "March. Right side, set 1 of 2. Careful. Keep your back straight. Stand tall. 6 times."
    )


def test_repeat_during_work_offers_the_cautions_alone_when_there_is_no_setup() -> None:
    bare = {
        "id": "march",
        "name": "March",
        "cautions": ["Keep your back straight."],
        "work": {"kind": "reps", "reps": 6, "tempo": 2},
    }
    sim = Simulation(routine_from("bare", [bare])).until_state(lambda s: s.rep == 2)
    sim.hear(Intent.REPEAT)
    assert said(sim)[-1].endswith("6 times. Say repeat again for its cautions.")


def test_a_repeat_in_the_next_set_is_short_again() -> None:
    sim = session().until_state(lambda s: s.phase == "work" and s.rep == 2)
    sim.hear(Intent.REPEAT).until(sim.voice.sounds[-1].end + 1).hear(Intent.REPEAT)
    sim.until_state(lambda s: s.phase == "work" and s.index == 1 and s.rep == 2)
    sim.hear(Intent.REPEAT)
    assert said(sim)[-1].startswith("March. Left side, set 1 of 2. 6 times. Say repeat again")


def repeated_twice_in_the_first_set() -> Simulation:
    sim = session().until_state(lambda s: s.phase == "work" and s.index == 0 and s.rep == 2)
    return sim.hear(Intent.REPEAT).until(sim.voice.sounds[-1].end + 1).hear(Intent.REPEAT)


@pytest.mark.parametrize(
    "back_from",
    ["the same set", "the next set", "the next exercise"],
)
def test_a_repeat_in_a_set_begun_again_after_back_is_short_again(back_from: str) -> None:
    """A set heard "repeat" twice (the short instructions, then all of them), then "back"
    began it again: its first "repeat" is the short one again, as in any set."""
    sim = repeated_twice_in_the_first_set()
    if back_from == "the next set":
        sim.until_state(lambda s: s.phase == "work" and s.index == 1)
    elif back_from == "the next exercise":
        holding(sim)
    sim.until(sim.voice.sounds[-1].end + 1).hear(Intent.BACK)
    sim.until_state(lambda s: s.phase == "work" and s.index == 0 and s.rep == 2)
    sim.hear(Intent.REPEAT)
    assert said(sim)[-1] == (
        "March. Right side, set 1 of 2. 6 times. Say repeat again for its cautions and setup."
    )
    sim.until(sim.voice.sounds[-1].end + 1).hear(Intent.REPEAT)
    assert said(sim)[-1].startswith("March. Right side, set 1 of 2. Careful.")


def test_a_second_repeat_in_the_next_direction_of_a_set_of_circles_says_all_of_it() -> None:
    """Clockwise then counter-clockwise is one set: a "repeat" that runs into the other
    direction and another "repeat" there is the second one of that set."""
    circles = {
        "id": "circles",
        "name": "Ankle Circles",
        "setup": ["Lie on your back."],
        "cues": ["Move your ankle in a circle."],
        "work": {"kind": "circles", "reps": 5, "tempo": 2},
    }
    sim = Simulation(routine_from("circles", [circles])).until_state(lambda s: s.rep == 3)
    sim.hear(Intent.REPEAT)
    assert said(sim)[-1].endswith("Say repeat again for the full instructions.")
    sim.until_state(lambda s: s.step.label == "counter-clockwise" and s.rep == 1)
    sim.hear(Intent.REPEAT)
    assert said(sim)[-1] == (
        "Ankle Circles. Lie on your back. Counter-clockwise. 5 times. Move your ankle in a circle."
    )


def test_the_setup_says_the_cautions_right_after_the_exercises_name() -> None:
    sim = session().until_phase("ready")
    assert said(sim)[-5:-2] == [
        "Exercise 1 of 3: March.",
        "Careful. Keep your back straight.",
        "Stand tall.",
    ]


def test_ready_during_the_prompt_starts_the_countdown_at_once() -> None:
    sim = session(ready_timeout=60).until_phase("ready")
    sim.until(sim.now + 4).hear(Intent.READY)
    assert said(sim, after=sim.now) == ["Starting in 3"]


def test_ready_during_the_setup_reading_cuts_it_short() -> None:
    sim = session().until_phase("setup")
    sim.hear(Intent.READY, sim.now + 0.5)
    assert said(sim, after=sim.now) == ["Starting in 3"]
    assert "Say ready when you are in position." not in said(sim)


# ------------------------------------------------------------------------------ stop


def test_stop_asks_first_and_resume_carries_on_where_it_was() -> None:
    sim = holding(session())
    end = sim.state.seg_end
    sim.hear(Intent.STOP, sim.now + 2)
    assert said(sim)[-1] == T.CONFIRM_STOP
    assert sim.state.shown_phase == "paused"
    sim.until(sim.now + 30).hear(Intent.RESUME)
    assert sim.state.seg_end == pytest.approx(end + 30)
    sim.finish()
    assert sim.of_type("end")[0]["reason"] == "completed"


@pytest.mark.parametrize("answer", [Intent.YES, Intent.STOP])
def test_stop_then_yes_or_stop_again_ends_the_session(answer: Intent) -> None:
    sim = session().until_phase("rest")
    sim.hear(Intent.STOP).hear(answer, sim.now + 1)
    assert said(sim)[-1] == "Take care."  # after the summary, said before the end
    assert "Ending the workout." in said(sim)
    sim.finish()
    (end,) = sim.of_type("end")
    assert (end["completed"], end["reason"]) == (False, "stopped")
    assert sim.runner.ended


def test_a_workout_stopped_early_counts_the_exercises_it_never_reached_as_not_done() -> None:
    sim = session().until_phase("setup")
    sim.hear(Intent.STOP).hear(Intent.YES, sim.now + 1)
    assert any(line.startswith("You did 0 of 3 exercises") for line in said(sim))
    assert "Not done: 3 exercises." in said(sim)
    assert not any(line.startswith("Skipped") for line in said(sim))


def test_a_workout_stopped_with_two_exercises_left_names_them() -> None:
    sim = session().until_state(lambda s: s.phase == "setup" and s.exercise == 1)
    sim.hear(Intent.STOP).hear(Intent.YES, sim.now + 1)
    assert "Not done: Plank and Walk." in said(sim)


@pytest.mark.parametrize("then", list(Intent))
def test_a_finished_session_stays_finished_whatever_is_heard_during_its_goodbye(
    then: Intent,
) -> None:
    """A "back" from the room while "That is the end of the workout..." was said reopened
    the last exercise: a finished workout's goodbye obeys what a stopped one's does."""
    sim = session().until_phase("done")
    sim.hear(then, sim.now + 1)
    assert sim.state.phase == "done"
    assert not sim.state.paused
    assert not any(t.startswith(("Going back", "Exercise ")) for t in said(sim, sim.now))
    sim.finish()
    (end,) = sim.of_type("end")
    assert (end["completed"], end["reason"]) == (True, "completed")


@pytest.mark.parametrize("how", ["finished", "stopped"])
def test_pain_said_in_the_goodbye_is_reported_with_the_last_exercise_worked(how: str) -> None:
    sim = session()
    if how == "finished":
        sim.until_phase("done")
    else:
        holding(sim).hear(Intent.STOP).hear(Intent.YES, sim.now + 1)
    sim.hear(Intent.PAIN, sim.now + 1)
    assert said(sim)[-1].endswith("The workout is ending. Take care.")
    sim.hear(Intent.REPEAT, sim.now + 1)  # the summary again: with the pain now
    last = "Plank" if how == "stopped" else "Walk"
    assert f"You reported pain during {last}." in said(sim, sim.now)
    sim.finish()
    (end,) = sim.of_type("end")
    assert end["pain_reports"] == 1


def test_pain_said_in_the_goodbye_of_a_session_stopped_before_any_work_is_no_report() -> None:
    sim = session().until_phase("setup").hear(Intent.STOP)
    sim.hear(Intent.YES, sim.now + 1).hear(Intent.PAIN, sim.now + 1).finish()
    assert sim.of_type("end")[0]["pain_reports"] == 0


@pytest.mark.parametrize("then", [Intent.NEXT, Intent.PAIN, Intent.REPEAT, Intent.HELP])
def test_a_stopped_session_stays_stopped_whatever_is_heard_during_its_goodbye(
    then: Intent,
) -> None:
    """'next' while "Ending the workout... Take care." is said ends the session at once,
    but as stopped: it was recorded as finished (and counted in the streak)."""
    sim = session().until_phase("work")
    sim.hear(Intent.STOP).hear(Intent.YES, sim.now + 1)
    assert sim.state.phase == "done"
    sim.hear(then, sim.now + 1)
    if then == Intent.PAIN:  # its answer offers next or stop: next ends it
        sim.hear(Intent.NEXT, sim.now + 1)
    sim.finish()
    (end,) = sim.of_type("end")
    assert (end["completed"], end["reason"]) == (False, "stopped")


def stopped_in_the_work() -> Simulation:
    """Stopped in the first set's work: its goodbye is being said."""
    sim = session().until_phase("work")
    return sim.hear(Intent.STOP).hear(Intent.YES, sim.now + 1)


def unheard(records: list[dict]) -> list[dict]:
    return [r for r in records if r["type"] != "heard"]


IGNORED_WHILE_ENDING = [
    Intent.BACK,
    Intent.READY,
    Intent.PAUSE,
    Intent.RESUME,
    Intent.TIME,
    Intent.SLOWER,
    Intent.FASTER,
    Intent.YES,
    Intent.NO,
]


@pytest.mark.parametrize("then", IGNORED_WHILE_ENDING)
def test_a_word_heard_during_a_stopped_sessions_goodbye_changes_nothing(then: Intent) -> None:
    """'back' heard during "Ending the workout... Take care." reopened the session at the
    last exercise: a word from the room restarted a workout the user had ended. Now the
    goodbye is said as it was, and the session ends, stopped, when it is said."""
    quiet = stopped_in_the_work().finish()
    sim = stopped_in_the_work()
    sim.hear(then, sim.now + 1).finish()
    assert [(s.text, s.start, s.end) for s in sim.voice.sounds] == [
        (s.text, s.start, s.end) for s in quiet.voice.sounds
    ]
    assert unheard(sim.records) == unheard(quiet.records)
    (end,) = sim.of_type("end")
    assert (end["completed"], end["reason"]) == (False, "stopped")


def test_pain_during_a_stopped_sessions_goodbye_gets_its_advice_and_the_session_ends() -> None:
    sim = stopped_in_the_work()
    sim.hear(Intent.PAIN, sim.now + 1)
    advice = said(sim)[-1]
    assert advice.startswith("Stop the exercise. Do not push through pain.")
    assert "see a doctor" in advice
    assert "resume" not in advice  # nothing to carry on: the workout is ending
    assert not sim.state.paused
    sim.finish()
    assert said(sim)[-1] == advice
    (end,) = sim.of_type("end")
    assert (end["completed"], end["reason"]) == (False, "stopped")


def test_help_during_a_stopped_sessions_goodbye_says_it_is_ending_not_finished() -> None:
    sim = stopped_in_the_work().hear(Intent.HELP)
    assert said(sim)[-1] == T.HELP["stopped"]
    assert "finished" not in T.HELP["stopped"]


@pytest.mark.parametrize("how", ["finished", "stopped"])
def test_help_in_a_goodbye_names_every_word_the_goodbye_obeys(how: str) -> None:
    """It obeys repeat (the summary again), pain (the advice) and stop: help says so."""
    sim = session().until_phase("done") if how == "finished" else stopped_in_the_work()
    sim.hear(Intent.HELP)
    answer = said(sim)[-1]
    assert [word for word in ("repeat", "pain", "stop") if word not in answer] == []


def test_help_during_the_countdown_does_not_ask_for_ready_again() -> None:
    sim = session(ready_timeout=60).until_phase("ready")
    sim.hear(Intent.READY).hear(Intent.HELP, sim.now + 0.5)  # during "Starting in 3"
    assert said(sim)[-1] == T.HELP["countdown"]
    assert "ready" not in T.HELP["countdown"].lower()
    sim.until_phase("work")  # the countdown goes on after it
    assert said(sim)[-3:] == ["2", "1", "Go"]


def test_after_stop_any_other_command_resumes_and_is_obeyed() -> None:
    sim = holding(session())
    sim.hear(Intent.STOP, sim.now + 1).hear(Intent.TIME, sim.now + 1)
    assert not sim.state.paused
    assert "left in this hold" in said(sim)[-1]


def test_no_to_the_question_resumes() -> None:
    sim = holding(session()).hear(Intent.STOP).hear(Intent.NO)
    assert not sim.state.paused


# ------------------------------------------------------------------------------ help / time


@pytest.mark.parametrize("phase", ["intro", "setup", "ready", "work", "hold", "rest", "done"])
def test_help_says_what_can_be_said_in_the_current_phase(phase: str) -> None:
    sim = at_phase(phase).hear(Intent.HELP)
    assert said(sim)[-1] == T.HELP[phase]


def test_help_while_paused_explains_how_to_resume() -> None:
    sim = at_phase("paused").hear(Intent.HELP)
    assert said(sim)[-1] == T.HELP["pause"]


def test_time_tells_what_is_left_of_the_hold_and_of_the_workout() -> None:
    sim = holding(session())
    sim.hear(Intent.TIME, sim.now + 4)
    here, whole = said(sim)[-1].split(". ")
    assert here == "6 seconds left in this hold"
    assert whole.startswith("About ")
    assert whole.endswith(" minutes left in the workout.")


def test_repeat_in_a_short_rest_leaves_the_seconds_it_says_once_it_is_said() -> None:
    lunge = {"id": "lunge", "name": "Lunge", "work": {"kind": "reps", "reps": 3, "tempo": 2}}
    sim = Simulation(routine_from("short", [{**lunge, "sets": 2, "rest_between_sets": 5}]))
    sim.until_phase("rest")
    sim.until(sim.voice.sounds[-1].end + 2)  # 2 s into the rest's quiet: 3 s left
    sim.hear(Intent.REPEAT).finish()
    answer = next(s for s in sim.voice.sounds if s.text.startswith("Rest, 3 seconds left."))
    over = next(s for s in sim.voice.sounds if s.text == "rest_over")
    assert over.start == pytest.approx(answer.end + 3)  # the rest is over 3 s after it said so


def test_resuming_in_a_rest_leaves_the_seconds_it_says_once_it_is_said() -> None:
    sim = session().until_state(lambda s: s.phase == "rest" and s.step.rest_after == 30)
    sim.until(sim.voice.sounds[-1].end + 20)  # 20 s into its quiet: 10 s left
    sim.hear(Intent.PAUSE).hear(Intent.RESUME, sim.now + 60).until_phase("work")
    answer = next(s for s in sim.voice.sounds if s.text.startswith("Resuming. Rest, 10 seconds"))
    over = next(s for s in sim.voice.sounds if s.text == "rest_over" and s.start > answer.start)
    assert over.start == pytest.approx(answer.end + 10)


def test_resuming_in_a_rest_says_again_which_side_comes_next_when_the_pause_cut_it() -> None:
    """A "wait" right after a set cuts "Switch to your left side...": resumed, the rest
    says the switch again, or the person would hear only the dose and "Go"."""
    sim = session().until_phase("rest")
    switch = sim.voice.sounds[-1]
    assert switch.text.startswith("Switch to your left side")
    sim.hear(Intent.PAUSE, switch.start + 0.5).hear(Intent.RESUME, switch.start + 10)
    sim.until_phase("work")
    resumed = next(t for t in said(sim, after=switch.start + 10) if t.startswith("Resuming"))
    assert "switch to your left side" in resumed.lower()


TURNING = routine_from(
    "turning",
    [
        {
            "id": "heel-raises",
            "name": "Heel Raises",
            "setup": ["Place a chair in front of you."],
            "side_setup": {
                "right": ["Stand tall on your right leg."],
                "left": ["Stand tall on your left leg."],
            },
            "sides": ["right", "left"],
            "side_order": "alternate",
            "sets": 2,
            "rest_between_sets": 30,
            "work": {"kind": "reps", "reps": 6, "tempo": 2},
        }
    ],
)


def in_the_turn_to_the_left_side() -> Simulation:
    """1 s after the words that start the turn from the right side's first set to the
    left side's: only the time it takes parts them, no rest."""
    sim = Simulation(TURNING).until_phase("rest")
    assert said(sim)[-1] == "Switch to your left side. Stand tall on your left leg."
    return sim.until(sim.voice.sounds[-1].end + 1)


@pytest.mark.parametrize("intent", [Intent.REPEAT, Intent.RESUME])
def test_repeat_or_resume_in_a_turn_to_the_other_side_names_that_side_and_its_setup_as_a_turn(
    intent: Intent,
) -> None:
    """Not "Rest, 4 seconds left. Next: switch to your left side": no rest was said."""
    sim = in_the_turn_to_the_left_side()
    if intent == Intent.RESUME:
        sim.hear(Intent.PAUSE)
    sim.hear(intent, sim.now + 0.1)
    lead = "Resuming. " if intent == Intent.RESUME else ""
    assert said(sim)[-1] == (
        f"{lead}4 seconds to switch to your left side, set 1 of 2. Stand tall on your left leg."
    )
    sim.until_phase("work")
    assert (sim.state.step.side, sim.state.step.set) == ("left", 1)
    assert said(sim)[-1] == "6 times."  # then the dose, once, as after the turn's own words


def test_a_repeat_said_over_the_words_that_start_a_side_counts_as_that_sets_first() -> None:
    """ "next" in the turn starts the left side at once, its dose said over the start: a
    "repeat" then is the set's short one, and the next "repeat" says all of it."""
    sim = in_the_turn_to_the_left_side().hear(Intent.NEXT)
    assert said(sim)[-1] == "6 times."
    sim.hear(Intent.REPEAT, sim.now + 0.2)
    assert said(sim)[-1].endswith("Say repeat again for the full instructions.")
    sim.until(sim.voice.sounds[-1].end + 1).hear(Intent.REPEAT)
    assert said(sim)[-1].startswith("Heel Raises. Left side, set 1 of 2. Place a chair in front")


def test_time_in_a_turn_to_the_other_side_tells_the_seconds_left_to_turn() -> None:
    sim = in_the_turn_to_the_left_side().hear(Intent.TIME)
    assert said(sim)[-1].startswith("4 seconds left to turn.")


@pytest.mark.parametrize("intent", [Intent.REPEAT, Intent.RESUME])
def test_the_time_left_in_a_rest_is_said_in_whole_seconds_and_counted_as_said(
    intent: Intent,
) -> None:
    sim = session().until_state(lambda s: s.phase == "rest" and s.step.rest_after == 30)
    asked = sim.voice.sounds[-1].end + 12.6  # 17.4 s left
    if intent == Intent.RESUME:
        sim.hear(Intent.PAUSE, asked)
    sim.hear(intent, asked).until_phase("work")
    answer = next(s for s in sim.voice.sounds if "Rest, " in s.text and s.start >= asked)
    assert "Rest, 17 seconds left." in answer.text
    over = next(s for s in sim.voice.sounds if s.text == "rest_over" and s.start > asked)
    assert over.start == pytest.approx(answer.end + 17)


def test_repeat_in_a_rest_says_what_comes_next_in_the_words_the_rest_started_with() -> None:
    """Not "Next: Switch to your right side": the switch is part of the sentence."""
    sim = session().until_state(lambda s: s.phase == "rest" and s.step.rest_after == 30)
    sim.hear(Intent.REPEAT, sim.voice.sounds[-1].end + 2)
    assert said(sim)[-1] == "Rest, 28 seconds left. Next: switch to your right side, set 2 of 2."


@pytest.mark.parametrize("intent", [Intent.REPEAT, Intent.RESUME])
def test_after_repeat_or_resume_early_in_a_rest_the_next_sets_dose_is_said_once(
    intent: Intent,
) -> None:
    sim = session().until_state(lambda s: s.phase == "rest" and s.step.rest_after == 30)
    asked = sim.voice.sounds[-1].end + 2
    if intent == Intent.RESUME:
        sim.hear(Intent.PAUSE, asked)
    sim.hear(intent, asked).until_phase("work")
    assert [t for t in said(sim, after=asked) if "6 times" in t] == ["6 times."]


@pytest.mark.parametrize("intent", [Intent.REPEAT, Intent.RESUME])
def test_repeat_or_resume_in_a_rest_after_the_next_sets_dose_was_said_says_it_again_once(
    intent: Intent,
) -> None:
    sim = session().until_state(lambda s: s.phase == "rest" and s.step.rest_after == 30)
    sim.until_state(lambda s: s.announced == s.index + 1)  # "6 times.", near the rest's end
    dose = sim.voice.sounds[-1]
    asked = dose.end
    if intent == Intent.RESUME:  # paused while it is said: the pause cuts it
        asked = dose.start + 0.5
        sim.hear(Intent.PAUSE, asked)
    sim.hear(intent, asked + 0.1)
    answer = said(sim)[-1]
    assert answer.endswith("Next: switch to your right side, set 2 of 2. 6 times.")
    sim.until_phase("work")
    assert [t for t in said(sim, after=asked) if "6 times" in t] == [answer]


def test_repeat_in_the_rest_before_an_exercise_names_it_as_the_rest_did() -> None:
    """Its setup is read once the rest is over: not "Next: Now Walk. 40 seconds.", then
    its setup and dose again."""
    sim = session().until_phase("rest", exercise=1)  # after the plank: 20 s, then the walk
    sim.hear(Intent.REPEAT, sim.voice.sounds[-1].end + 1)
    assert said(sim)[-1] == "Rest, 19 seconds left. Next exercise: Walk."


@pytest.mark.parametrize("intent", [Intent.REPEAT, Intent.RESUME])
def test_repeat_or_resume_in_the_rest_after_an_exercise_says_what_to_do_in_it_again(
    intent: Intent,
) -> None:
    """The article's "rest and wiggle your toes": a pause may have cut it."""
    wiggle = routine_from(
        "wiggle",
        [
            {**ROUTINE.exercises[1].model_dump(), "afterwards": ["Wiggle your toes."]},
            {"id": "walk", "name": "Walk", "work": {"kind": "timed", "seconds": 40}},
        ],
    )
    sim = Simulation(wiggle).until_phase("rest")
    asked = sim.voice.sounds[-1].start + 0.5
    if intent == Intent.RESUME:
        sim.hear(Intent.PAUSE, asked)
    sim.hear(intent, asked + 0.1)
    assert said(sim)[-1].endswith("seconds left. Wiggle your toes. Next exercise: Walk.")


def test_resuming_in_a_hold_says_its_seconds_left_as_a_whole_number() -> None:
    sim = holding(session())
    sim.hear(Intent.PAUSE, sim.now + 3.6).hear(Intent.RESUME, sim.now + 10)
    assert said(sim)[-1] == "Resuming. Hold, 6 seconds left."  # not "6.4 seconds"


def test_time_asked_while_a_rest_is_announced_tells_its_whole_length() -> None:
    sim = session().until_phase("rest", exercise=1)
    sim.hear(Intent.TIME, sim.voice.sounds[-1].start + 0.5)  # it counts once that is said
    assert said(sim)[-1].startswith("20 seconds left in this rest.")


def test_time_in_a_rest_tells_what_is_left_of_it() -> None:
    sim = session().until_phase("rest", exercise=1)
    sim.hear(Intent.TIME, sim.voice.sounds[-1].end + 5)  # 5 s after the words that start it
    assert said(sim)[-1].startswith("15 seconds left in this rest.")


# ------------------------------------------------------------------------------ tempo


def count_times(sim: Simulation, after: float) -> list[float]:
    """When each count was said ("7", or "9, last one")."""
    counts = [s for s in sim.voice.sounds if s.text.split(",")[0].isdigit()]
    return [s.start for s in counts if s.start > after]


def test_slower_stretches_the_count_by_15_percent_and_says_so() -> None:
    sim = session().until_phase("work").until_state(lambda s: s.rep == 2)
    sim.hear(Intent.SLOWER)
    assert said(sim)[-1] == "Slower. One every 2.3 seconds."
    sim.until_state(lambda s: s.rep == 5)
    gaps = [b - a for a, b in itertools.pairwise(count_times(sim, sim.now - 7))]
    assert gaps == pytest.approx([2.3, 2.3])


def test_faster_twice_shortens_the_count_and_stays_within_limits() -> None:
    sim = session().until_phase("work")
    for _ in range(2):
        sim.hear(Intent.FASTER)
    assert tempo(sim.state) == pytest.approx(2 / 1.15**2)
    for _ in range(20):
        sim.hear(Intent.FASTER)
    assert sim.state.tempo_factor == pytest.approx(TEMPO_LIMITS[0])
    assert said(sim)[-1] == "That is as fast as I count."


# ------------------------------------------------------------------------------ pain


def test_pain_stops_the_exercise_says_the_cautions_and_offers_next_or_stop() -> None:
    sim = session().until_phase("work")
    sim.hear(Intent.PAIN, sim.now + 3)
    text = said(sim)[-1]
    for part in (
        "Stop the exercise. Do not push through pain.",
        "Keep your back straight.",
        "Move within a comfortable range.",
        "see a doctor",
        "Say next to skip to the next exercise, or stop to end the workout.",
    ):
        assert part in text
    assert sim.state.shown_phase == "paused"
    assert sim.state.next_deadline is None
    sim.hear(Intent.NEXT)
    assert (sim.state.phase, sim.state.exercise) == ("setup", 1)


def test_pain_says_the_articles_own_doctor_advice_when_a_caution_gives_it() -> None:
    # "If you ... begin to experience pain while performing these movements, please see a
    # doctor" (ground-up): not softened to "if the pain persists", nor said twice
    doctor = "If it starts to hurt, please see a doctor."
    routine = ROUTINE.model_copy(update={"cautions": [doctor]})
    sim = Simulation(routine).until_phase("work")
    sim.hear(Intent.PAIN, sim.now + 3)
    text = said(sim)[-1]
    assert doctor in text
    assert "persists" not in text
    assert text.count("doctor") == 1


def test_pain_says_an_easier_option_in_the_articles_words_when_they_say_when() -> None:
    march = ROUTINE.exercises[0].model_copy(update={"easier": ["If this is too hard, sit."]})
    text = T.pain(march, ROUTINE)
    assert "If this is too hard, sit." in text
    assert "An easier option: If" not in text


def test_stop_after_pain_ends_the_session() -> None:
    sim = session().until_phase("work").hear(Intent.PAIN).hear(Intent.STOP).finish()
    assert sim.of_type("end")[0]["reason"] == "stopped"
    assert "You reported pain during March." in said(sim)


@pytest.mark.parametrize("first", [Intent.PAUSE, Intent.STOP])
def test_pain_said_while_paused_or_asked_to_end_is_reported_once(first: Intent) -> None:
    """As the history keeps it: the summary and the end record count it too."""
    sim = holding(session())
    sim.hear(first, sim.now + 1).hear(Intent.PAIN, sim.now + 1)
    sim.hear(Intent.PAIN, sim.now + 1)  # said again: the same report, its advice again
    sim.hear(Intent.STOP, sim.now + 1).finish()
    assert "You reported pain during Plank." in said(sim)
    assert sim.of_type("end")[0]["pain_reports"] == 1


# ------------------------------------------------------------------------------ everything


def check_consistent(sim: Simulation) -> None:
    state = sim.state
    left = segment_left(state)
    assert left is None or left >= -1e-6
    assert state.next_deadline is None or state.next_deadline >= sim.now - 1e-6
    sounds = sorted(sim.voice.sounds, key=lambda s: s.start)
    for a, b in itertools.pairwise(sounds):
        assert b.start >= a.end - 1e-9


@pytest.mark.parametrize("intent", list(Intent))
@pytest.mark.parametrize("phase", PHASES)
def test_every_intent_in_every_phase_keeps_the_session_consistent(
    phase: str, intent: Intent
) -> None:
    sim = at_phase(phase)
    sim.hear(intent)
    check_consistent(sim)
    sim.until(sim.now + 45)
    check_consistent(sim)
    if not sim.runner.ended:
        sim.hear(Intent.STOP).hear(Intent.YES).until(sim.now + 60)
    assert sim.runner.ended
