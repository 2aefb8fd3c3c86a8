"""Speech planning: the coach never talks over itself, counts wait for speech, and timers
stay on the session clock whatever is said."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from factories import routine_from

from voicecoach.engine import Config, initial, step
from voicecoach.intents import Intent
from voicecoach.messages import Say, Spoke, Start, Tick
from voicecoach.routine import Routine
from voicecoach.runtime.simulation import Simulation, speech_seconds


def routine(work: dict) -> Routine:
    return routine_from("speech", [{"id": "only", "name": "Only", "work": work}])


REPS = routine({"kind": "reps", "reps": 8, "tempo": 2})
HOLDS = routine({"kind": "holds", "reps": 2, "hold": 10, "release": 3})
TIMED = routine({"kind": "timed", "seconds": 30})


def long_when(marker: str, seconds: float) -> Callable[[str], float]:
    """A voice that takes `seconds` to say anything containing `marker`."""
    return lambda text: seconds if marker in text else speech_seconds(text)


def starts(sim: Simulation, text: str, after: float = 0.0) -> list[float]:
    return [s.start for s in sim.voice.sounds if s.text == text and s.start >= after]


def assert_no_overlap(sim: Simulation) -> None:
    sounds = sorted(sim.voice.sounds, key=lambda s: s.start)
    for a, b in itertools.pairwise(sounds):
        assert b.start >= a.end - 1e-9, (a, b)


def test_a_long_answer_delays_the_next_count_and_the_count_goes_on_from_there() -> None:
    sim = Simulation(REPS, seconds=long_when("left in the workout", 6.0))
    sim.until_phase("work").until_state(lambda s: s.rep == 2)
    two = sim.now
    sim.hear(Intent.TIME, two + 0.5)
    sim.until_state(lambda s: s.rep == 4)
    answer = next(s for s in sim.voice.sounds if "left in the workout" in s.text)
    (three,) = starts(sim, "3")
    (four,) = starts(sim, "4")
    assert three == pytest.approx(answer.end)  # late, not on top of the answer
    assert four - three == pytest.approx(2)
    assert_no_overlap(sim)


def hold_start(sim: Simulation) -> float:
    sim.until_phase("hold").until_state(lambda s: s.seg_end is not None)
    return sim.now


def test_a_hold_ends_on_time_when_speech_covers_its_countdown() -> None:
    sim = Simulation(HOLDS, seconds=long_when("Only.", 4.5))
    h = hold_start(sim)
    sim.hear(Intent.REPEAT, h + 5)  # the instructions: from h+5 to h+9.5
    sim.until(h + 10)
    assert sim.state.rep == 1  # released at h + 10 exactly
    assert [starts(sim, n, h) for n in ("3", "2", "1")] == [[], [], []]  # skipped, not late
    assert starts(sim, "Release. 1 of 2") == [pytest.approx(h + 10)]
    assert_no_overlap(sim)


def test_countdown_numbers_after_the_speech_are_still_said() -> None:
    sim = Simulation(HOLDS, seconds=long_when("Only.", 2.5))
    h = hold_start(sim)
    sim.hear(Intent.REPEAT, h + 5).until(h + 11)  # speech until h+7.5
    assert starts(sim, "3", h) == []
    assert [starts(sim, n, h) for n in ("2", "1")] == [
        [pytest.approx(h + 8)],
        [pytest.approx(h + 9)],
    ]


def test_speech_running_past_the_end_of_a_hold_delays_the_word_not_the_timer() -> None:
    sim = Simulation(HOLDS, seconds=long_when("Only.", 6.0))
    h = hold_start(sim)
    sim.hear(Intent.REPEAT, h + 5).until(h + 20)  # speech until h+11
    assert starts(sim, "Release. 1 of 2") == [pytest.approx(h + 11)]
    assert starts(sim, "Hold")[-1] == pytest.approx(h + 13)  # 10 s hold + 3 s release
    assert_no_overlap(sim)


def test_a_tick_never_cuts_speech_and_the_end_cue_waits_for_it() -> None:
    sim = Simulation(TIMED, seconds=long_when("You can say", 6.0))
    sim.until_phase("work")
    go = sim.now
    sim.hear(Intent.HELP, go + 25)  # from go+25 to go+31
    sim.until(go + 40)
    assert [s for s in sim.voice.sounds if s.text == "tick"] == []
    assert [s.start for s in sim.voice.sounds if s.text == "hold_end"] == [pytest.approx(go + 31)]
    assert_no_overlap(sim)


def test_the_engine_plans_with_the_durations_the_voice_reports() -> None:
    state = initial(REPS, Config())
    state, effects = step(state, Start(0.0))
    says = [e for e in effects if isinstance(e, Say)]
    end = 0.0
    for say in says:  # a very slow voice: 20 s per sentence, queued one after another
        state, _ = step(state, Spoke(0.0, say.id, end, 20.0))
        end += 20.0
    assert state.next_deadline == pytest.approx(end)
    state, effects = step(state, Tick(end - 1))
    assert not [e for e in effects if isinstance(e, Say)]  # still talking: nothing new
    state, effects = step(state, Tick(end))
    assert next(e.at for e in effects if isinstance(e, Say)) == pytest.approx(end)


def test_every_say_is_queued_after_the_speech_the_voice_has_confirmed() -> None:
    sim = Simulation(REPS).finish()
    spoken = [s for s in sim.voice.sounds if s.kind == "say"]
    assert spoken
    assert_no_overlap(sim)
