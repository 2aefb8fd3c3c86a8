"""What a user hears from start to end: the session engine on a virtual clock."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from factories import routine_from

from voicecoach import catalog, plan
from voicecoach.engine import Config
from voicecoach.intents import Intent
from voicecoach.routine import Routine
from voicecoach.runtime.simulation import Simulation, Sound

SEEDS = sorted(Path(catalog.packaged_dir()).glob("*.toml"))


def make(*exercises: dict, **top: object) -> Routine:
    """A small routine for one behaviour at a time."""
    header = {
        "title": "Tiny Routine",
        "frequency": "twice a week",
        "disclaimer": "General advice, not medical advice.",
        "closing_tips": ["Drink some water."],
    }
    return routine_from("tiny", list(exercises), **{**header, **top})


def reps(id_: str, n: int = 4, tempo: float = 2.0, work: dict | None = None, **kw: object):
    """A reps exercise: `work` adds to its work table, `kw` to the exercise."""
    work = {"kind": "reps", "reps": n, "tempo": tempo, **(work or {})}
    return {"id": id_, "name": id_.replace("-", " ").title(), "work": work, **kw}


def said(sim: Simulation) -> list[tuple[float, str]]:
    return [(s.start, s.text) for s in sim.voice.sounds if s.kind == "say"]


def first(sim: Simulation, text: str, after: float = -1.0) -> float:
    return next(t for t, said_text in said(sim) if said_text == text and t > after)


def texts_containing(sim: Simulation, part: str) -> list[str]:
    return [text for _, text in said(sim) if part in text]


def work_start(sim: Simulation, step: int) -> float:
    return next(
        r["t"] for r in sim.of_type("state") if r["step"] == step and r["phase"] in ("work", "hold")
    )


# ---------------------------------------------------------------------- every seed routine


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_every_seed_routine_runs_from_start_to_end_on_a_fake_clock(path: Path) -> None:
    routine = catalog.load(path)
    sim = Simulation(routine).finish()

    (end,) = sim.of_type("end")
    assert (end["completed"], end["reason"], end["skipped"]) == (True, "completed", 0)
    worked = {
        (r["index"], r["side"]) for r in sim.of_type("state") if r["phase"] in ("work", "hold")
    }
    for i, ex in enumerate(routine.exercises):
        for side in ex.sides or [None]:
            assert (i, side) in worked, f"{ex.id} {side} never worked"
    assert 0.8 < sim.now / plan.rough_seconds(routine) < 1.3


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_no_two_sounds_of_a_seed_routine_overlap(path: Path) -> None:
    sim = Simulation(catalog.load(path)).finish()
    sounds = sorted(sim.voice.sounds, key=lambda s: s.start)
    for before, after in itertools.pairwise(sounds):
        assert after.start >= before.end - 1e-9, (before, after)


# ---------------------------------------------------------------------- the intro


def test_the_intro_says_the_title_equipment_disclaimer_once_and_the_estimate() -> None:
    routine = make(reps("heel-raises", equipment=["chair"]), reps("towel", equipment=["towel"]))
    sim = Simulation(routine, Config(estimate=130.0)).finish()  # the dry run's length
    lines = [text for _, text in said(sim)]

    assert lines[0] == "Tiny Routine."
    assert "You will need: chair and towel." in lines
    assert lines.count("General advice, not medical advice.") == 1
    assert "This takes about 2 minutes." in lines


def test_a_thing_one_exercise_needs_outright_is_named_once_not_also_as_optional_or_a_choice():
    routine = make(
        reps("step-up", equipment=["step or bench", "handrail (optional)"]),
        reps("calf-raise", equipment=["step", "handrail"]),
        reps("curl", equipment=["towel (optional)", "mat or block"]),
    )

    assert routine.equipment == ["step", "handrail", "towel (optional)", "mat or block"]
    lines = [text for _, text in said(Simulation(routine).finish())]
    assert "You will need: step, handrail, towel (optional) and mat or block." in lines


# ---------------------------------------------------------------------- an exercise


def test_an_exercise_is_introduced_by_name_setup_and_the_ready_prompt() -> None:
    routine = make(reps("bridge", setup=["Lie on your back.", "Bend your knees."]))
    sim = Simulation(routine).finish()
    lines = [text for _, text in said(sim)]
    i = lines.index("Exercise 1 of 1: Bridge.")
    assert lines[i + 1 : i + 4] == ["Lie on your back.", "Bend your knees.", "4 times."]
    assert lines[i + 4] == "Say ready when you are in position."


def test_an_exercise_starts_by_itself_after_the_ready_timeout_with_a_countdown() -> None:
    sim = Simulation(make(reps("bridge")), Config(ready_timeout=15)).finish()
    prompt = next(s for s in sim.voice.sounds if s.text == "Say ready when you are in position.")
    three = first(sim, "Starting in 3")
    two, one, go = first(sim, "2", three), first(sim, "1", three), first(sim, "Go", three)
    assert two - three >= 1
    assert (one - two, go - one) == pytest.approx((1, 1))
    assert work_start(sim, 0) == go
    assert go == pytest.approx(prompt.end + 15, abs=0.5)


def test_reps_are_counted_aloud_at_the_tempo_after_the_label() -> None:
    routine = make(reps("circles", n=5, tempo=2.5, work={"label": "clockwise"}))
    sim = Simulation(routine).finish()
    go = work_start(sim, 0)
    counts = [first(sim, said, go) for said in ("1", "2", "3", "4, last one", "5")]
    assert counts == pytest.approx([go + 2.5 * n for n in range(1, 6)])
    assert "Clockwise. 5 times." in [text for _, text in said(sim)]


def test_the_count_before_the_last_rep_says_it_is_the_last_one_when_the_beat_has_room() -> None:
    sim = Simulation(make(reps("heel-raises", n=10, tempo=2.5))).finish()
    go = work_start(sim, 0)
    assert first(sim, "9, last one") == pytest.approx(go + 2.5 * 9)
    assert first(sim, "10", go) == pytest.approx(go + 2.5 * 10)  # not pushed late
    fast = Simulation(make(reps("footwork", n=20, tempo=2))).finish()
    assert "19" in [text for _, text in said(fast)]  # "19, last one" would crowd a 2 s beat


def test_the_first_count_of_a_sets_second_part_comes_a_whole_rep_after_its_words() -> None:
    parts = [
        {"work": {"kind": "reps", "reps": 3, "tempo": 2, "label": "Scrunch the towel up."}},
        {"work": {"kind": "reps", "reps": 3, "tempo": 2, "label": "Now scrunch it out."}},
    ]
    curls = {"id": "curls", "name": "Curls", "work": {"kind": "sequence", "parts": parts}}
    sim = Simulation(make(curls)).finish()
    label = next(s for s in sim.voice.sounds if s.text == "Now scrunch it out. 3 times.")
    counts = [first(sim, said, label.start) for said in ("1", "2, last one", "3")]
    # as after "Go": a rep's time to do the first rep once the person knows what to do
    assert counts == pytest.approx([label.end + 2, label.end + 4, label.end + 6])


def test_a_hold_is_timed_with_hold_three_two_one_release() -> None:
    hold = {"id": "plank", "name": "Plank", "work": {"kind": "holds", "reps": 2, "hold": 10}}
    sim = Simulation(make(hold)).finish()
    h = first(sim, "Hold")
    assert [first(sim, n, h) - h for n in ("3", "2", "1")] == pytest.approx([7, 8, 9])
    assert first(sim, "Release. 1 of 2") == pytest.approx(h + 10)
    assert first(sim, "Hold", h) == pytest.approx(h + 13)  # release defaults to 3 s


def test_a_five_second_hold_is_counted_down_too_as_in_hold_for_a_count_of_five() -> None:
    hold = {"id": "band", "name": "Band", "work": {"kind": "holds", "reps": 2, "hold": 5}}
    sim = Simulation(make(hold)).finish()
    h = first(sim, "Hold")
    assert [first(sim, n, h) - h for n in ("3", "2", "1")] == pytest.approx([2, 3, 4])
    assert first(sim, "Release. 1 of 2") == pytest.approx(h + 5)


def test_a_hold_of_a_few_seconds_is_not_counted_down() -> None:
    hold = {"id": "press", "name": "Press", "work": {"kind": "holds", "reps": 2, "hold": 3}}
    sim = Simulation(make(hold)).finish()
    h = first(sim, "Hold")
    assert first(sim, "Release. 1 of 2") == pytest.approx(h + 3)
    assert not [t for t, text in said(sim) if text in ("3", "2", "1") and h < t < h + 3]


def test_timed_work_hears_halfway_and_a_tick_in_each_of_its_last_three_seconds() -> None:
    walk = {"id": "walk", "name": "Walk", "work": {"kind": "timed", "seconds": 30}}
    sim = Simulation(make(walk)).finish()
    go = work_start(sim, 0)
    assert first(sim, "Halfway") == pytest.approx(go + 15)
    ticks = [s.start - go for s in sim.voice.sounds if s.text == "tick"]
    assert ticks == pytest.approx([27, 28, 29])
    assert [s.start - go for s in sim.voice.sounds if s.text == "hold_end"] == pytest.approx([30])


def test_a_cue_in_long_timed_work_waits_for_its_halfway_mark_instead_of_silencing_it() -> None:
    cues = ["Moderate steps, toe to heel.", "Once comfortable, take longer strides, toe behind."]
    walk = {"id": "walk", "name": "Walk", "cues": cues, "work": {"kind": "timed", "seconds": 600}}
    sim = Simulation(make(walk)).finish()
    go = work_start(sim, 0)
    assert first(sim, "Halfway. 5 minutes left") == pytest.approx(go + 300)
    assert first(sim, cues[1]) > go + 300
    assert first(sim, "4 minutes left") == pytest.approx(go + 360)


def test_an_exercise_done_is_acknowledged_with_a_short_good_before_the_next_one() -> None:
    routine = make(reps("bridge", n=3, sets=2, rest_between_sets=10), reps("curl", n=3))
    sim = Simulation(routine).finish()
    lines = [text for _, text in said(sim)]
    i = lines.index("Exercise 2 of 2: Curl.")
    assert lines[i - 2 : i] == ["3", "Good."]
    assert lines.count("Good.") == 1  # not after each set, nor before the end's "Well done!"


def test_an_exercise_skipped_with_next_gets_no_good() -> None:
    routine = make(reps("bridge", n=8), reps("curl", n=3))
    sim = Simulation(routine).until_phase("work")
    sim.hear(Intent.NEXT)
    sim.finish()
    assert "Good." not in [text for _, text in said(sim)]


def test_a_rest_between_sets_says_how_long_and_what_comes_next() -> None:
    ex = reps(
        "heel-raises", sides=["right", "left"], side_order="block", sets=2, rest_between_sets=30
    )
    sim = Simulation(make(ex)).finish()
    assert "Rest 30 seconds. Next: right side, set 2 of 2." in [t for _, t in said(sim)]
    rest = sound(sim, "Rest 30 seconds. Next: right side, set 2 of 2.")
    assert work_start(sim, 1) == pytest.approx(rest.end + 30)  # 30 s once it is said


def sound(sim: Simulation, text: str, after: float = -1.0) -> Sound:
    return next(s for s in sim.voice.sounds if s.text == text and s.start > after)


CIRCLE = "Rotate your ankle in a slow, full circle."
SHORT_REST = reps(  # set 2's dose, "3 times. Rotate...", is more than half of its rest
    "ankle-circles", n=3, sets=2, rest_between_sets=5, cues=["Point your toes.", CIRCLE]
)


def test_a_short_rest_is_quiet_for_its_seconds_after_the_words_that_start_it() -> None:
    sim = Simulation(make(SHORT_REST)).finish()
    line = sound(sim, "Rest 5 seconds. Next: set 2 of 2.")
    after = [s for s in sim.voice.sounds if s.start >= line.end]
    assert line.end - line.start > 2.5  # most of the 5 s, were they counted from its start
    assert after[0].kind == "cue"  # the rest is over
    assert after[0].start == pytest.approx(line.end + 5)
    assert work_start(sim, 1) == pytest.approx(line.end + 5)


def test_a_next_set_whose_dose_would_fill_half_a_short_rest_hears_it_after_the_rest() -> None:
    sim = Simulation(make(SHORT_REST)).finish()
    line = sound(sim, "Rest 5 seconds. Next: set 2 of 2.")
    beep, dose, go = [s for s in sim.voice.sounds if s.start >= line.end][:3]
    assert (beep.kind, dose.text, go.text) == (
        "cue",
        f"3 times. {CIRCLE}",
        "Go",
    )
    assert beep.start == pytest.approx(line.end + 5)  # the whole rest quiet, then the dose


def test_a_long_rest_still_says_the_next_dose_before_its_end_so_the_set_starts_on_time() -> None:
    sim = Simulation(make({**SHORT_REST, "rest_between_sets": 30})).finish()
    line = sound(sim, "Rest 30 seconds. Next: set 2 of 2.")
    dose = sound(sim, f"3 times. {CIRCLE}", after=line.start)
    assert dose.end == pytest.approx(line.end + 30 - 0.5)
    assert work_start(sim, 1) == pytest.approx(line.end + 30)


def test_sides_are_switched_by_voice() -> None:
    sim = Simulation(make(reps("lunge", sides=["right", "left"]))).finish()
    assert "Switch to your left side." in [t for _, t in said(sim)]
    sides = [r["side"] for r in sim.of_type("state") if r["phase"] == "work"]
    assert sides == ["right", "left"]


def test_a_switch_rest_is_logged_at_the_next_side_once_its_dose_is_said() -> None:
    sim = Simulation(make(reps("lunge", n=3, sides=["right", "left"], transition=20))).finish()
    dose = first(sim, "3 times.", after=first(sim, "Switch to your left side."))
    rests = [(r["t"], r["side"]) for r in sim.of_type("state") if r["phase"] == "rest"]
    assert [side for _, side in rests] == ["right", "left"]  # the rest after right; before left
    assert rests[1][0] == pytest.approx(dose)


def test_a_side_change_after_a_rest_is_announced_as_a_switch() -> None:
    ex = reps("heel-raises", sides=["right", "left"], side_order="block", sets=2)
    sim = Simulation(make({**ex, "rest_between_sets": 30})).finish()
    assert "Rest 30 seconds. Next: switch to your left side, set 1 of 2." in [
        t for _, t in said(sim)
    ]


def test_alternate_sets_with_a_rest_between_sides_announce_each_switch() -> None:
    ex = reps("lunge", sides=["right", "left"], sets=2, rest_between_sets=20)
    sim = Simulation(make(ex)).finish()
    assert "Rest 20 seconds. Next: switch to your right side, set 2 of 2." in [
        t for _, t in said(sim)
    ]


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_every_change_of_side_in_a_seed_routine_is_announced_as_a_switch(path: Path) -> None:
    sim = Simulation(catalog.load(path)).finish()
    works = [r for r in sim.of_type("state") if r["phase"] in ("work", "hold")]
    for before, now in itertools.pairwise(works):
        sides = (before["side"], now["side"])
        if before["exercise"] != now["exercise"] or not set(sides) <= {"left", "right"}:
            continue
        if sides[0] == sides[1]:
            continue
        between = [t for at, t in said(sim) if before["t"] < at <= now["t"]]
        switch = f"switch to your {now['side']} side"
        assert any(switch in t.lower() for t in between), (now["exercise"], between)


def test_a_superset_alternates_its_exercises_set_by_set() -> None:
    routine = make(
        reps("tibialis-raises", sets=2, superset="pair", rest_between_sets=20),
        reps("calf-raises", sets=2, superset="pair", rest_between_sets=20),
    )
    sim = Simulation(routine).finish()
    order = [(r["exercise"], r["set"]) for r in sim.of_type("state") if r["phase"] == "work"]
    assert order == [
        ("tibialis-raises", 1),
        ("calf-raises", 1),
        ("tibialis-raises", 2),
        ("calf-raises", 2),
    ]
    assert texts_containing(sim, "Now Calf Raises, set 2 of 2")
    assert len(texts_containing(sim, "Exercise 2 of 2: Calf Raises.")) == 1  # set up once


def test_an_extra_set_on_the_weaker_side_is_announced() -> None:
    ex = reps(
        "patrick-step",
        sides=["left", "right"],
        sets=2,
        rest_between_sets=20,
        extra_sets=[{"side": "weaker", "sets": 1}],
    )
    sim = Simulation(make(ex)).finish()
    assert texts_containing(sim, "Next: a third set on your weaker side")
    assert sim.of_type("state")[-2]["side"] == "weaker"


def test_the_end_summarises_the_session_and_gives_the_frequency_advice() -> None:
    sim = Simulation(make(reps("one"), reps("two"))).finish()
    assert 30 < sim.now < 90
    lines = [t for _, t in said(sim)]
    assert lines[-4:] == [
        "That is the end of the workout. Well done!",
        "You did 2 of 2 exercises in 1 minute.",
        "How often: twice a week.",
        "Drink some water.",
    ]
    assert sim.of_type("end")[0]["t"] == pytest.approx(sim.voice.sounds[-1].end)


def test_starting_from_an_exercise_leaves_the_earlier_ones_out() -> None:
    routine = make(reps("one"), reps("two"), reps("three"))
    sim = Simulation(routine, Config(start_exercise=1)).finish()
    worked = {r["exercise"] for r in sim.of_type("state") if r["phase"] == "work"}
    assert worked == {"two", "three"}
    assert "You did 2 of 2 exercises" in texts_containing(sim, "You did")[0]


def test_a_state_record_is_logged_whenever_phase_set_or_side_changes_and_only_then() -> None:
    ex = reps("lunge", sides=["right", "left"], sets=2, rest_between_sets=10)
    sim = Simulation(make(ex)).finish()
    states = [{k: v for k, v in r.items() if k != "t"} for r in sim.of_type("state")]
    assert all(a != b for a, b in itertools.pairwise(states))
    assert [s["phase"] for s in states[:3]] == ["intro", "setup", "ready"]
    assert states[-1]["phase"] == "done"
    assert {s["phase"] for s in states} == {"intro", "setup", "ready", "work", "rest", "done"}
