"""One model of how long the coach's sounds last: `--fast` logs what espeak-ng really
takes, cues last as long as their sounds, and every estimate users are told (`show`,
`list`, the intro, `--minutes`) is what `--fast` runs."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from voicecoach import catalog
from voicecoach.cli import main
from voicecoach.plan import FIT_SLACK
from voicecoach.runtime.simulation import estimate_seconds, fit
from voicecoach.speech import CUES, cue_seconds, speech_seconds
from voicecoach.voice.cues import tone

SEEDS = sorted(p.stem for p in catalog.packaged_dir().glob("*.toml"))


def read_log(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def durations(records: list[dict], kind: str, key: str) -> dict[str, float]:
    return {r[key]: r["duration"] for r in records if r["type"] == kind}


@pytest.mark.slow
def test_a_fast_session_logs_the_durations_espeak_renders(tmp_path: Path) -> None:
    modelled, rendered = tmp_path / "model.jsonl", tmp_path / "espeak.jsonl"
    assert main(["start", "behind-knee", "--fast", "--log", str(modelled)]) == 0
    speak = ["--speak-file", str(tmp_path / "coach.wav")]  # renders every phrase with espeak-ng
    assert main(["start", "behind-knee", "--fast", *speak, "--log", str(rendered)]) == 0
    model_log, real_log = read_log(modelled), read_log(rendered)

    said = Counter(r["text"] for r in model_log if r["type"] == "say")
    model, real = durations(model_log, "say", "text"), durations(real_log, "say", "text")
    common = [text for text in said if text in real]
    assert len(common) >= 0.95 * len(said)
    total_model = sum(said[t] * model[t] for t in common)
    total_real = sum(said[t] * real[t] for t in common)
    assert total_model == pytest.approx(total_real, rel=0.02)  # all the speech of a session
    errors = [abs(model[t] - real[t]) / real[t] for t in common]
    weighted = sum(said[t] * e for t, e in zip(common, errors, strict=True)) / said.total()
    assert weighted < 0.05  # phrase by phrase, as often as each is said

    cues = durations(model_log, "cue", "name")
    assert cues == pytest.approx(durations(real_log, "cue", "name"), abs=0.001)


def test_every_cue_lasts_as_long_as_its_sound() -> None:
    for name in CUES:
        assert cue_seconds(name) == pytest.approx(len(tone(name, 16_000)) / 16_000, abs=1e-3)


def test_a_slower_rate_makes_longer_speech() -> None:
    assert speech_seconds("Rest thirty seconds.", 130) > speech_seconds("Rest thirty seconds.")


@pytest.mark.parametrize("name", SEEDS)
def test_show_s_estimate_is_what_a_fast_run_takes(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "x.jsonl"
    assert main(["start", name, "--fast", "--log", str(log)]) == 0
    ended = read_log(log)[-1]["t"]
    routine = catalog.find(name)
    assert estimate_seconds(routine) == pytest.approx(ended, rel=0.02)

    capsys.readouterr()
    assert main(["show", name, "--brief"]) == 0
    minutes = re.search(r"about (\d+) minute", capsys.readouterr().out)
    assert minutes is not None
    assert int(minutes.group(1)) == max(1, round(estimate_seconds(routine) / 60))


@pytest.mark.parametrize("name", SEEDS)
def test_list_the_intro_and_the_log_say_how_long_a_fast_run_takes(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "x.jsonl"
    assert main(["start", name, "--fast", "--text", "--log", str(log)]) == 0
    records = read_log(log)
    ended = records[-1]["t"]
    assert records[0]["estimate_seconds"] == pytest.approx(ended, rel=0.03)
    intro = re.search(r"This takes about (\d+) minute", capsys.readouterr().out)
    assert intro is not None
    assert int(intro.group(1)) == pytest.approx(ended / 60, abs=0.5 + 0.03 * ended / 60)

    assert main(["list", "--no-cache"]) == 0
    row = next(r for r in capsys.readouterr().out.splitlines() if r.split()[0] == name)
    exercises, minutes = re.findall(r"\s{2,}(\d+)(?=\s{2,})", row)[-2:]
    assert int(exercises) == len(catalog.find(name).exercises)
    assert int(minutes) == pytest.approx(ended / 60, abs=0.5 + 0.03 * ended / 60)


def test_minutes_fits_a_session_that_lasts_what_the_fit_says(tmp_path: Path) -> None:
    log = tmp_path / "x.jsonl"
    asked = ["--minutes", "25"]  # knee-strength's ranges allow 23-27 minutes
    assert main(["start", "knee-strength", "--fast", *asked, "--log", str(log)]) == 0
    ended = read_log(log)[-1]["t"]
    fitted = fit(catalog.find("knee-strength"), 25)
    assert fitted.seconds == pytest.approx(ended, rel=0.03)
    assert ended == pytest.approx(25 * 60, abs=FIT_SLACK + 0.03 * ended)
