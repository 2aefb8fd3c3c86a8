"""`voicecoach eval`: the arithmetic of the report, and the command on real clips."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import espeak_clips as espeak
import numpy as np
import pytest

from voicecoach import evaluation
from voicecoach.cli import main
from voicecoach.errors import ExitCode
from voicecoach.intents import Intent
from voicecoach.ports import MIC_RATE, Detection


def write_wav(path: Path, samples: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(MIC_RATE)
        w.writeframes(samples.astype(np.int16).tobytes())


def noise(seconds: float) -> np.ndarray:
    return (np.random.default_rng(1).standard_normal(int(seconds * MIC_RATE)) * 50).astype(np.int16)


class Scripted:
    """Fires prepared (time, intent) pairs once the stream passes their time: a fake
    recognizer whose answers are known, so the report's arithmetic can be checked."""

    name = "scripted"

    def __init__(self, script: list[tuple[float, Intent]]) -> None:
        self.script = list(script)

    def accept(self, samples, t0, echo=None):
        t_end = t0 + len(samples) / MIC_RATE
        due = [(t, i) for t, i in self.script if t < t_end]
        self.script = [(t, i) for t, i in self.script if t >= t_end]
        return [Detection(t_end, intent, str(intent)) for _, intent in due]

    def flush(self, t):
        return []

    def deliver_to(self, deliver):
        """Decides inside accept."""


@pytest.fixture
def clip_dir(tmp_path):
    """4 clips of 2 s: two commands, two null clips (0.0011 h of null audio)."""
    rows = [
        {"audio": "a.wav", "expect": "next", "speech_end": 1.0, "noise": "white", "snr": 10},
        {"audio": "b.wav", "expect": "pause", "speech_end": 1.0, "noise": "white", "snr": 10},
        {"audio": "c.wav", "expect": None, "speech_end": 1.0, "noise": "none", "snr": None},
        {"audio": "d.wav", "expect": None, "speech_end": 1.0, "noise": "none", "snr": None},
    ]
    for row in rows:
        write_wav(tmp_path / row["audio"], noise(2.0))
    (tmp_path / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return tmp_path


def test_the_report_counts_hits_false_accepts_and_latency(clip_dir):
    scripts = iter(
        [
            [(1.15, Intent.NEXT)],  # right, fires at the end of the chunk: 1.2 s -> 0.2 s
            [(1.05, Intent.STOP), (1.35, Intent.PAUSE)],  # wrong first, then right (0.4 s)
            [(0.5, Intent.NEXT)],  # a false accept on a null clip
            [],
        ]
    )
    results = evaluation.evaluate(
        evaluation.load_manifest(clip_dir), lambda: Scripted(next(scripts))
    )
    rep = evaluation.report(results, "scripted")
    assert rep["accuracy"] == 1.0
    assert rep["false_accepts"] == 2
    null_hours = 4.0 / 3600
    assert rep["false_accepts_per_hour"] == pytest.approx(2 / null_hours, rel=1e-6)
    assert rep["latency_p50_s"] == pytest.approx(0.3)
    assert rep["latency_p95_s"] == pytest.approx(0.39)
    assert rep["by_noise"]["white 10 dB"]["false_accepts"] == 1
    assert rep["by_noise"]["none"]["false_accepts"] == 1
    for key in ("accuracy", "false_accepts_per_hour", "latency_p50_s", "latency_p95_s"):
        assert key in rep
    assert rep["rtf"] >= 0.0


class Decoding(Scripted):
    """Scripted, and each call costs `cost[k]` CPU seconds on the fake CPU clock (the
    k-th call; 0 beyond): a decode that keeps the recognizer busy past later chunks."""

    def __init__(self, script: list[tuple[float, Intent]], cost: dict[int, float]) -> None:
        super().__init__(script)
        self.cost = cost
        self.calls = 0
        self.cpu = 0.0

    def accept(self, samples, t0, echo=None):
        self.cpu += self.cost.get(self.calls, 0.0)
        self.calls += 1
        return super().accept(samples, t0)


def test_live_latency_adds_the_recognizers_own_time_and_the_chunks_queued_behind_it(clip_dir):
    (clip, *_) = evaluation.load_manifest(clip_dir)
    # the 11th chunk (1.0-1.1 s, recorded at 1.1) takes 0.25 s; the next one, recorded at
    # 1.2, waits for it until 1.35 and returns the command (its own 0.05 s: out at 1.4)
    rec = Decoding([(1.15, Intent.NEXT)], {10: 0.25, 11: 0.05})
    result = evaluation.run_clip(rec, clip, cpu_time=lambda: rec.cpu)
    assert result.latency == pytest.approx(0.2)  # the chunk's end, as before
    assert result.live_latency == pytest.approx(0.4)
    assert result.cpu == pytest.approx(0.3)
    rep = evaluation.report([result], "scripted")
    assert rep["latency_live_p95_s"] == pytest.approx(0.4)


def test_a_missed_command_lowers_accuracy_and_has_no_latency(clip_dir):
    results = evaluation.evaluate(evaluation.load_manifest(clip_dir), lambda: Scripted([]))
    rep = evaluation.report(results, "scripted")
    assert rep["accuracy"] == 0.0
    assert rep["false_accepts"] == 0
    assert rep["latency_p50_s"] is None


@pytest.fixture
def phrase_dir(tmp_path):
    """5 clips with their phrases: "how long" twice in babble, "next one" in babble, a
    near miss ("the next one looks hard") and a quiet "pause"."""
    rows = [
        {"audio": "a.wav", "expect": "time", "text": "how long", "noise": "babble", "snr": 5},
        {"audio": "b.wav", "expect": "time", "text": "how long", "noise": "babble", "snr": 5},
        {"audio": "c.wav", "expect": "next", "text": "next one", "noise": "babble", "snr": 5},
        {
            "audio": "d.wav",
            "expect": None,
            "text": "the next one looks hard",
            "noise": "none",
            "snr": None,
        },
        {"audio": "e.wav", "expect": "pause", "text": "pause", "noise": "none", "snr": None},
    ]
    for row in rows:
        row["speech_end"] = 1.0
        write_wav(tmp_path / row["audio"], noise(2.0))
    (tmp_path / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return tmp_path


PHRASE_SCRIPTS = [
    [],  # "how long": missed, nothing heard
    [(1.05, Intent.NEXT)],  # "how long": missed, heard as next
    [(1.05, Intent.NEXT), (1.5, Intent.NEXT)],  # "next one": heard, then heard again
    [(0.5, Intent.NEXT)],  # the near miss: falsely heard as next
    [(1.05, Intent.PAUSE)],  # "pause": right
]


def test_misses_list_per_condition_and_phrase_what_was_missed_and_falsely_heard(phrase_dir):
    scripts = iter(PHRASE_SCRIPTS)
    results = evaluation.evaluate(
        evaluation.load_manifest(phrase_dir), lambda: Scripted(next(scripts))
    )
    found = evaluation.misses(results)
    assert list(found) == ["babble 5 dB", "none"]
    assert found["babble 5 dB"]["how long"] == {
        "expect": "time",
        "clips": 2,
        "missed": 2,
        "heard_instead": {"nothing": 1, "next": 1},
        "false": {"next": 1},
    }
    assert found["babble 5 dB"]["next one"]["missed"] == 0
    assert found["babble 5 dB"]["next one"]["false"] == {"next": 1}
    assert found["none"] == {
        "the next one looks hard": {
            "expect": None,
            "clips": 1,
            "missed": 0,
            "heard_instead": {},
            "false": {"next": 1},
        }
    }  # "pause" was heard right: not listed


def test_eval_misses_prints_the_weak_phrases_after_the_summary(phrase_dir, capsys, monkeypatch):
    scripts = iter(PHRASE_SCRIPTS)
    monkeypatch.setattr("voicecoach.ears.make_recognizer", lambda *a, **k: Scripted(next(scripts)))
    assert main(["eval", str(phrase_dir), "--misses"]) == 0
    out = capsys.readouterr().out
    assert "accuracy" in out
    block = out[out.index("misses and false accepts") :].splitlines()
    assert block[1] == "babble 5 dB:"
    assert "'how long' [time]" in block[2]
    assert "missed 2/2 (heard: next, nothing); falsely heard: next" in block[2]
    assert "'next one' [next]" in block[3]
    assert "falsely heard: next" in block[3]
    assert block[4] == "none:"
    assert "'the next one looks hard'" in block[5]
    assert "falsely heard: next" in block[5]
    assert "pause" not in "\n".join(block[6:])


def test_eval_misses_with_json_puts_them_under_misses(phrase_dir, capsys, monkeypatch):
    scripts = iter(PHRASE_SCRIPTS)
    monkeypatch.setattr("voicecoach.ears.make_recognizer", lambda *a, **k: Scripted(next(scripts)))
    assert main(["eval", str(phrase_dir), "--misses", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["misses"]["babble 5 dB"]["how long"]["missed"] == 2


def test_a_folder_without_manifest_is_a_usage_error(tmp_path, capsys):
    assert main(["eval", str(tmp_path), "--engine", "pocketsphinx"]) == ExitCode.USAGE
    assert "manifest.jsonl" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ('{"file": "x.wav", "expect": "next"}', "no 'audio' field"),
        ('{"audio": "x.wav", "expect": null}', "no 'speech_end' field"),
        ("not json", "Expecting value"),
        ('{"audio": "x.wav", "expect": null, "speech_end": NaN}', "speech_end nan is not a time"),
        ('{"audio": "x.wav", "expect": null, "speech_end": -1}', "speech_end -1.0 is not a time"),
        ('{"audio": "x.wav", "expect": "fly", "speech_end": 1}', "expect 'fly' is not a command"),
        ('{"audio": "x.wav", "expect": ["next"], "speech_end": 1}', "expect ['next'] is not a"),
        ('{"audio": 5, "expect": null, "speech_end": 1}', "audio 5 is not a file name"),
    ],
)
def test_a_manifest_line_that_is_no_clip_says_which_line_and_what_is_wrong(
    tmp_path, capsys, line, why
):
    (tmp_path / "manifest.jsonl").write_text(line + "\n")
    assert main(["eval", str(tmp_path), "--engine", "pocketsphinx"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert f"manifest.jsonl:1: not a clip line ({why}" in err
    assert 'hint: each line: {"audio": "x.wav"' in err


def test_a_manifest_that_is_not_text_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "manifest.jsonl").write_bytes(b'{"audio": "\xec\x80"}\n')
    assert main(["eval", str(tmp_path), "--engine", "pocketsphinx"]) == ExitCode.USAGE
    assert "manifest.jsonl is not a UTF-8 text file" in capsys.readouterr().err


def test_a_clip_the_manifest_names_that_is_missing_is_not_found(tmp_path, capsys):
    (tmp_path / "manifest.jsonl").write_text(
        '{"audio": "gone.wav", "expect": null, "speech_end": 0}\n'
    )
    assert main(["eval", str(tmp_path), "--engine", "pocketsphinx"]) == ExitCode.NOT_FOUND
    assert f"no such clip: {tmp_path / 'gone.wav'}" in capsys.readouterr().err


def test_a_clip_that_is_no_wav_is_a_usage_error_not_an_audio_device_error(tmp_path, capsys):
    (tmp_path / "bad.wav").write_bytes(b"not a wav file at all")
    (tmp_path / "manifest.jsonl").write_text(
        '{"audio": "bad.wav", "expect": null, "speech_end": 0}\n'
    )
    assert main(["eval", str(tmp_path), "--engine", "pocketsphinx"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert f"eval: cannot read {tmp_path / 'bad.wav'} as a WAV file" in err
    assert "Traceback" not in err


@pytest.mark.skipif(not espeak.available(), reason="needs espeak-ng")
def test_eval_json_on_generated_clips_prints_one_object_with_the_keys(tmp_path, capsys):
    speech = espeak.synth("pause", "en-us", speed=150)
    write_wav(tmp_path / "p.wav", espeak.place(speech, 0.6, 1.0, 30, seed=2))
    write_wav(tmp_path / "n.wav", noise(2.0))
    rows = [
        {"audio": "p.wav", "expect": "pause", "speech_end": 0.6 + len(speech) / MIC_RATE},
        {"audio": "n.wav", "expect": None, "speech_end": 0.0},
    ]
    (tmp_path / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["eval", str(tmp_path), "--engine", "pocketsphinx", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["engine"] == "pocketsphinx"
    assert rep["clips"] == 2
    assert rep["accuracy"] == 1.0
    assert rep["false_accepts_per_hour"] == 0.0
    assert 0.0 < rep["latency_p50_s"] < 0.6
    assert {"latency_p95_s", "rtf"} <= set(rep)


def test_vosk_without_a_model_is_a_clear_model_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("VOICECOACH_MODEL", str(tmp_path / "nothing"))
    (tmp_path / "manifest.jsonl").write_text(
        json.dumps({"audio": "x.wav", "expect": None, "speech_end": 0}) + "\n"
    )
    assert main(["eval", str(tmp_path), "--engine", "vosk"]) == ExitCode.MODEL
