"""Mutated packaged routines: `validate` gives a clean error, or `start --fast --text`
runs a session that ends. Never a traceback. (A bounded number of examples here; the
1,000-file run with timings is `bench/fuzz_routines.py`.)"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from routine_fuzz import mutant, run

from voicecoach.errors import ExitCode


class Draws:
    """The fuzzer's choices, drawn by hypothesis (so a failure shrinks to a small case)."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data

    def integer(self, low: int, high: int) -> int:
        return self.data.draw(st.integers(low, high))

    def pick(self, options: list[Any]) -> Any:
        return self.data.draw(st.sampled_from(options))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.data())
def test_a_mutated_routine_is_a_clean_error_or_a_session_that_ends(tmp_path, data):
    stem, text = mutant(Draws(data))
    path = tmp_path / f"{stem}.toml"
    path.write_text(text, encoding="utf-8")
    outcome = run(path)
    assert outcome.traceback is None, outcome.traceback
    assert outcome.validate in (ExitCode.OK, ExitCode.INVALID)
    if outcome.validate == ExitCode.OK:
        assert outcome.start == ExitCode.OK
