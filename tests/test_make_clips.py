"""The development clip generator and the session-track builder (bench/)."""

from __future__ import annotations

import json
import shutil
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import make_clips  # noqa: E402
import make_session_track  # noqa: E402

from voicecoach.ears.phrases import match  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


def read_wav(path: Path) -> tuple[int, int, int, np.ndarray]:
    with wave.open(str(path)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return w.getframerate(), w.getnchannels(), w.getsampwidth(), data


@pytest.fixture(scope="module")
def dev_split(tmp_path_factory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("clips")
    manifest = make_clips.build_split(out, "dev", 24, seed=3, log=None)
    rows = [json.loads(line) for line in manifest.read_text().splitlines()]
    return manifest.parent, rows


def test_no_negative_sentence_contains_a_command_and_the_splits_do_not_overlap():
    assert make_clips.check_vocabulary() == []


def test_the_vocabulary_check_catches_a_negative_that_contains_a_command():
    assert make_clips.contains_command("pause for thought") == "pause"
    assert make_clips.contains_command("my backpack is heavy") is None


def test_there_are_at_least_sixty_different_negative_sentences_per_split():
    for split in make_clips.SPLITS:
        negatives = set(make_clips.NEGATIVES[split]) | set(make_clips.NEAR_MISSES[split])
        assert len(negatives) >= 50
        assert len(negatives | set(make_clips.COACH[split])) >= 60


def test_plans_are_a_pure_function_of_split_index_and_seed():
    assert make_clips.plan_clip("dev", 5, 1) == make_clips.plan_clip("dev", 5, 1)
    plans = {make_clips.plan_clip("dev", i, 1) for i in range(30)}
    assert plans != {make_clips.plan_clip("dev", i, 2) for i in range(30)}


def test_every_command_clip_says_words_the_shared_matcher_maps_to_its_intent():
    for split in make_clips.SPLITS:
        for i in range(200):
            plan = make_clips.plan_clip(split, i, 1)
            assert (match(plan.text) or None) == plan.expect, plan


def test_heldout_clips_use_voices_never_used_in_dev():
    dev = {make_clips.plan_clip("dev", i, 1).voice for i in range(300)}
    heldout = {make_clips.plan_clip("heldout", i, 1).voice for i in range(300)}
    assert dev.isdisjoint(heldout)


def test_acceptance_clips_are_other_synthesizers_reading_the_heldout_texts():
    plans = [make_clips.plan_clip("acceptance", i, 1) for i in range(300)]
    assert {p.voice for p in plans} == set(make_clips.ACCEPTANCE_VOICES)
    assert not any(p.voice.startswith(("en-", "espeak")) for p in plans)
    heldout_texts = set(make_clips.NEGATIVES["heldout"]) | set(make_clips.NEAR_MISSES["heldout"])
    heldout_texts |= set(make_clips.COACH["heldout"])
    talk = [p.text for p in plans if p.expect is None]
    assert talk
    assert set(talk) <= heldout_texts
    assert all((match(p.text) or None) == p.expect for p in plans)


def test_the_other_synthesizers_are_called_with_their_own_command_lines():
    flite, _ = make_clips._command("flite:slt", 175, 50, "next")
    festival, text = make_clips._command("festival:kal_diphone", 140, 50, "next")
    espeak, _ = make_clips._command("en-us+f2", 160, 40, "next")
    assert flite[:3] == ["flite", "-voice", "slt"]
    assert "duration_stretch=1.000" in flite
    assert festival[0] == "text2wave"
    assert "(voice_kal_diphone)" in festival
    assert text == b"next"
    assert espeak[:3] == ["espeak-ng", "-v", "en-us+f2"]


def test_manifest_rows_describe_16khz_mono_int16_clips(dev_split):
    folder, rows = dev_split
    assert len(rows) == 24
    for row in rows:
        rate, channels, width, data = read_wav(folder / row["audio"])
        assert (rate, channels, width) == (16_000, 1, 2)
        assert row["duration"] == pytest.approx(len(data) / rate, abs=1e-3)
        assert 0 < row["speech_start"] < row["speech_end"] < row["duration"]
        assert row["noise"] in {"white", "pink", "babble", "music", "none"}
        assert (row["snr"] is None) == (row["noise"] == "none")
        assert row["split"] == "dev"


def test_silence_around_the_speech_is_low_noise_never_digital_zero(dev_split):
    folder, rows = dev_split
    for row in rows:
        _, _, _, data = read_wav(folder / row["audio"])
        lead = data[: int(row["speech_start"] * 16_000)].astype(np.float64)
        longest_zero_run = max(len(r) for r in np.split(lead, np.flatnonzero(lead)))
        assert longest_zero_run < 50
        assert lead.std() > 0.5


def test_speech_end_marks_where_a_clean_clip_gets_quiet(dev_split):
    folder, rows = dev_split
    clean = [r for r in rows if r["noise"] == "none"]
    assert clean
    for row in clean:
        _, _, _, data = read_wav(folder / row["audio"])
        x = data.astype(np.float64)
        end = int(row["speech_end"] * 16_000)
        before = np.sqrt(np.mean(x[end - 1600 : end] ** 2))
        after = np.sqrt(np.mean(x[end + 160 : end + 1760] ** 2))
        assert before > 10 * after


def test_the_noise_is_mixed_at_the_stated_snr():
    rng = np.random.default_rng(0)
    plan = make_clips.Plan("command", "next", "next", "en-us", 160, 50, "white", 10)
    noisy, start, end = make_clips.render_clip(plan, rng, None)
    x = noisy.astype(np.float64)
    noise_only = x[: int(start * 16_000)]
    speech = make_clips.synth("en-us", 160, 50, "next").astype(np.float64)
    speech_plus_noise = x[int(start * 16_000) : int(end * 16_000)]
    noise_power = np.mean(noise_only**2)
    speech_power = np.mean(speech_plus_noise**2) - noise_power
    assert 10 * np.log10(speech_power / noise_power) == pytest.approx(10, abs=3)
    assert len(speech) > 0


def test_a_rebuilt_split_is_byte_identical(tmp_path, dev_split):
    folder, rows = dev_split
    again = make_clips.build_split(tmp_path, "dev", 24, seed=3, log=None)
    assert again.read_text() == (folder / "manifest.jsonl").read_text()
    for row in rows[:5]:
        assert (tmp_path / "dev" / row["audio"]).read_bytes() == (
            folder / row["audio"]
        ).read_bytes()


def test_session_commands_parse_with_optional_phrases():
    assert make_session_track.parse_commands("45:pause=hold on, 20:ready") == [
        (20.0, "ready", None),
        (45.0, "pause", "hold on"),
    ]
    with pytest.raises(ValueError, match="bad command"):
        make_session_track.parse_commands("20:dance")


def test_a_session_track_places_each_command_at_its_time_and_records_its_end(tmp_path):
    out = tmp_path / "track.wav"
    code = make_session_track.main(
        ["--commands", "3:ready,9:pause=hold on", "--length", "16", "--out", str(out)]
    )
    assert code == 0
    truth = json.loads(out.with_suffix(".json").read_text())
    rate, channels, _, data = read_wav(out)
    assert (rate, channels, len(data)) == (16_000, 1, 16 * 16_000)
    assert [(c["intent"], c["start"]) for c in truth["commands"]] == [("ready", 3), ("pause", 9)]
    assert truth["commands"][1]["text"] == "hold on"
    for c in truth["commands"]:
        assert c["start"] < c["end"] < c["start"] + 2
        for talk in truth["chatter"]:
            assert talk["end"] < c["start"] or talk["start"] > c["end"]


def test_a_session_command_stands_out_of_the_room_noise():
    samples, said, talk = make_session_track.build_track([(2.0, "next", None)], 6.0, 1, 0)
    x = samples.astype(np.float64)
    speech = x[2 * 16_000 : int(said[0].end * 16_000)]
    assert talk == []
    assert np.sqrt(np.mean(speech**2)) > 10 * np.sqrt(np.mean(x[:16_000] ** 2))


def test_a_command_that_does_not_fit_is_refused():
    with pytest.raises(ValueError, match="does not fit"):
        make_session_track.build_track([(9.5, "stop", None)], 10.0, seed=1, chatter=0)


def test_a_clip_in_a_simulated_room_rings_on_after_the_speech_and_then_fades():
    plan = make_clips.Plan("command", "stop", "stop", "en-us", 160, 50, "none", None, reverb=0.6)
    dry_plan = make_clips.Plan("command", "stop", "stop", "en-us", 160, 50, "none", None)
    wet, _, end = make_clips.render_clip(plan, np.random.default_rng(0), None)
    dry, _, dry_end = make_clips.render_clip(dry_plan, np.random.default_rng(0), None)
    assert end == dry_end

    def rms(x: np.ndarray, t0: float, t1: float) -> float:
        return float(np.sqrt(np.mean(x[int(t0 * 16_000) : int(t1 * 16_000)].astype(float) ** 2)))

    assert rms(wet, end, end + 0.1) > 5 * rms(dry, end + 0.05, end + 0.1)
    assert rms(wet, end + 0.1, end + 0.2) > rms(wet, end + 0.5, end + 0.6)


def test_a_reverberant_session_keeps_each_command_end_at_its_direct_sound(tmp_path):
    dry = make_session_track.build_track([(1.0, "stop", "stop")], 4.0, 1, 0)
    wet = make_session_track.build_track([(1.0, "stop", "stop")], 4.0, 1, 0, reverb=0.5)
    assert wet[1][0].end == dry[1][0].end
    end = int(dry[1][0].end * 16_000)
    after = slice(end + 320, end + 1280)  # 20-80 ms after the direct sound
    assert np.abs(wet[0][after]).mean() > 2 * np.abs(dry[0][after]).mean()
