"""What the history brings to a new session: where `--resume` picks up, the standing
sentence, the hint that `--resume` exists, and nothing at all with `--no-history` or in a
replay (`--fast`, `--listen-file`) unless `--record` asks."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from voicecoach import catalog
from voicecoach.errors import UsageError
from voicecoach.history.memory import RESUME_WITHIN, file_hash, prepare
from voicecoach.history.store import SetOutcome, SetRow, Store
from voicecoach.plan import steps

NOON = datetime(2026, 1, 7, 12, 0).timestamp()  # a Wednesday


def ground_up() -> tuple[object, Path]:
    path = catalog.locate("ground-up")
    return catalog.load(path), path


def stopped_session(store: Store, path: Path, done: int, at: float = NOON - 3600) -> int:
    """A ground-up session stopped after its first `done` sets (one step each here)."""
    routine = catalog.load(path)
    sid = store.begin("ground-up", file_hash(path), at - 600, "keys")
    plan = steps(routine)

    def row(i: int, outcome: SetOutcome) -> SetRow:
        exercise = routine.exercises[plan[i].exercise].id
        return SetRow(i, i, exercise, plan[i].set, plan[i].side, outcome, 20.0, 10, False, at)

    for i in range(done):
        store.add_set(sid, row(i, "done"), 5.0)
    store.add_set(sid, row(done, "cut short"), 6.0)
    store.finish(sid, at, "stopped", 6.0)
    return sid


def test_resume_starts_at_the_set_after_the_last_completed_one(history_db) -> None:
    routine, path = ground_up()
    store = Store.open(history_db)
    sid = stopped_session(store, path, done=3)
    store.close()
    memory = prepare(routine, path, resume=True, wall=lambda: NOON)
    assert (memory.start_step, memory.done_before) == (3, frozenset({0, 1, 2}))
    assert memory.recorder is not None
    assert memory.recorder.resume is not None
    assert memory.recorder.resume.id == sid
    memory.close()


def test_resume_with_nothing_to_resume_says_so(history_db) -> None:
    routine, path = ground_up()
    with pytest.raises(UsageError, match="no unfinished session of ground-up in the last 24"):
        prepare(routine, path, resume=True, wall=lambda: NOON)


def test_resume_does_not_take_a_session_older_than_a_day(history_db) -> None:
    routine, path = ground_up()
    store = Store.open(history_db)
    stopped_session(store, path, done=3, at=NOON - RESUME_WITHIN - 60)
    store.close()
    with pytest.raises(UsageError, match="no unfinished session"):
        prepare(routine, path, resume=True, wall=lambda: NOON)


def test_resume_refuses_a_session_of_a_routine_file_that_changed(history_db, tmp_path) -> None:
    routine, path = ground_up()
    store = Store.open(history_db)
    stopped_session(store, path, done=3)
    store.close()
    edited = tmp_path / "ground-up.toml"
    edited.write_text(path.read_text() + "\n# my note\n")
    with pytest.raises(UsageError, match="changed since that session"):
        prepare(routine, edited, resume=True, wall=lambda: NOON)


def test_starting_afresh_with_an_unfinished_session_from_today_mentions_resume(
    history_db,
) -> None:
    routine, path = ground_up()
    store = Store.open(history_db)
    stopped_session(store, path, done=3)
    store.close()
    said: list[str] = []
    memory = prepare(routine, path, resume=False, warn=said.append, wall=lambda: NOON)
    assert memory.start_step is None
    assert len(said) == 1
    assert "3 sets done" in said[0]
    assert "voicecoach start ground-up --resume" in said[0]
    memory.close()


def test_no_history_opens_nothing_and_cannot_resume(history_db) -> None:
    routine, path = ground_up()
    memory = prepare(routine, path, resume=False, no_history=True)
    assert memory.recorder is None
    assert not history_db.exists()
    with pytest.raises(UsageError, match="--no-history"):
        prepare(routine, path, resume=True, no_history=True)


def test_a_replay_opens_nothing_and_cannot_resume_unless_record_asks(history_db) -> None:
    routine, path = ground_up()
    memory = prepare(routine, path, resume=False, replay=True)
    assert (memory.recorder, memory.standing) == (None, "")
    assert not history_db.exists()
    with pytest.raises(UsageError, match="add --record"):
        prepare(routine, path, resume=True, replay=True)
    recorded = prepare(routine, path, resume=False, replay=True, record=True, wall=lambda: NOON)
    assert recorded.recorder is not None
    assert recorded.standing.startswith("This is your 1st workout")
    recorded.close()


def test_record_and_no_history_together_are_a_usage_error(history_db) -> None:
    routine, path = ground_up()
    with pytest.raises(UsageError, match="--record and --no-history"):
        prepare(routine, path, resume=False, no_history=True, record=True)
    assert not history_db.exists()


def test_the_standing_sentence_counts_this_session_against_the_frequency(history_db) -> None:
    routine, path = ground_up()  # "2 times a week"
    store = Store.open(history_db)
    for day in ("2025-12-30", "2026-01-01", "2026-01-05"):  # last week kept, 1 this week
        at = datetime.fromisoformat(f"{day}T18:00").timestamp()
        sid = store.begin("ground-up", "h", at, "keys")
        store.finish(sid, at + 1200, "finished", 20.0)
    store.close()
    memory = prepare(routine, path, resume=False, wall=lambda: NOON)
    assert memory.standing == (
        "This is your 2nd workout this week, of 2, and the 2nd week in a row."
    )
    memory.close()


def test_behind_knee_counts_todays_workouts_against_twice_a_day_not_2_to_3(history_db) -> None:
    """The article: toe walking and ankle circles twice a day, toe presses three times, the
    pick-ups 2-3 times a week. Done as a whole, the routine is done twice a day."""
    path = catalog.locate("behind-knee")
    memory = prepare(catalog.load(path), path, resume=False, wall=lambda: NOON)
    assert memory.standing == "This is your 1st workout today, of 2."
    memory.close()


def test_resume_refuses_a_session_whose_sets_do_not_line_up_with_the_routines_plan(
    history_db,
) -> None:
    # behind-knee fitted to 5 minutes by a voicecoach that kept no fit: toe walking's one
    # set and toe presses done; step 2 as the file has it is "Toe Walking, set 3 of 5"
    path = catalog.locate("behind-knee")
    routine = catalog.load(path)
    store = Store.open(history_db)
    sid = store.begin("behind-knee", file_hash(path), NOON - 900, "keys")
    for i, exercise in enumerate(("toe-walking", "toe-presses")):
        store.add_set(sid, SetRow(i, i, exercise, 1, None, "done", 60.0, 0, False, NOON), 2.0)
    store.finish(sid, NOON - 600, "stopped", 2.0)
    store.close()
    with pytest.raises(UsageError, match="do not line up") as error:
        prepare(routine, path, resume=True, wall=lambda: NOON)
    assert "voicecoach start behind-knee" in str(error.value.hint)


def test_starting_afresh_offers_resume_only_for_a_session_that_resume_can_continue(
    history_db, tmp_path
) -> None:
    routine, path = ground_up()
    store = Store.open(history_db)
    stopped_session(store, path, done=3)
    store.close()
    edited = tmp_path / "ground-up.toml"  # the file changed since: --resume refuses it
    edited.write_text(path.read_text() + "\n# my note\n")
    said: list[str] = []
    prepare(routine, edited, resume=False, warn=said.append, wall=lambda: NOON).close()
    assert said == []
    prepare(routine, path, resume=False, warn=said.append, wall=lambda: NOON).close()
    assert len(said) == 1  # the same session, with the file it ran: it can be resumed


def test_starting_afresh_does_not_offer_resume_when_every_set_was_done(history_db) -> None:
    routine, path = ground_up()
    plan = steps(routine)
    store = Store.open(history_db)
    sid = store.begin("ground-up", file_hash(path), NOON - 1200, "keys")
    for i, step in enumerate(plan):  # stopped in the closing words
        exercise = routine.exercises[step.exercise].id
        row = SetRow(i, i, exercise, step.set, step.side, "done", 20.0, 10, False, NOON - 700)
        store.add_set(sid, row, 9.0)
    store.finish(sid, NOON - 600, "stopped", 10.0)
    store.close()
    said: list[str] = []
    prepare(routine, path, resume=False, warn=said.append, wall=lambda: NOON).close()
    assert said == []
    with pytest.raises(UsageError, match="nothing is left to resume"):
        prepare(routine, path, resume=True, wall=lambda: NOON)
