"""A replayed session end to end: a user's microphone track (commands at known times,
chatter, room noise; made by bench/make_session_track.py with held-out voices) drives
`voicecoach start --fast`, with the coach's own voice mixed back into it (`--echo`), as a
speaker in the same room would be.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from voicecoach.cli import main

BENCH = Path(__file__).resolve().parent.parent / "bench"
COMMANDS = "39:ready,65:pause,75:resume,95:stop,100:yes"
LATENCY = 1.5  # s after the end of a command by which it must be heard


def _ears_ready() -> bool:
    try:
        ears = importlib.import_module("voicecoach.ears")
        echo = importlib.import_module("voicecoach.ears.echo")
    except ImportError:
        return False
    return all(
        hasattr(m, n)
        for m, n in ((ears, "make_recognizer"), (echo, "EchoGuard"), (echo, "mix_echo"))
    )


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not _ears_ready(), reason="the ears (recognizer, echo guard) not built"),
]


@pytest.fixture(scope="module")
def track(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    wav = tmp_path_factory.mktemp("replay") / "track.wav"
    subprocess.run(
        [
            sys.executable,
            str(BENCH / "make_session_track.py"),
            "--commands",
            COMMANDS,
            "--length",
            "110",
            "--out",
            str(wav),
        ],
        check=True,
        capture_output=True,
    )
    return wav, json.loads(wav.with_suffix(".json").read_text())


def test_a_replayed_session_obeys_each_spoken_command_soon_after_it_is_said(
    track: tuple[Path, dict], tmp_path: Path
) -> None:
    wav, truth = track
    log, coach = tmp_path / "log.jsonl", tmp_path / "coach.wav"
    argv = [
        "start",
        "behind-knee",
        "--from",
        "5",
        "--fast",
        "--engine",
        "pocketsphinx",
        "--listen-file",
        str(wav),
        "--speak-file",
        str(coach),
        "--echo",
        "0.5",
        "--log",
        str(log),
    ]
    assert main(argv) == 0

    records = [json.loads(line) for line in log.read_text().splitlines()]
    heard = [r for r in records if r["type"] == "heard"]
    assert [r["intent"] for r in heard] == [c["intent"] for c in truth["commands"]]
    for record, command in zip(heard, truth["commands"], strict=True):
        assert command["end"] <= record["t"] <= command["end"] + LATENCY, (record, command)
    end = records[-1]
    assert (end["type"], end["reason"]) == ("end", "stopped")
    with wave.open(str(coach)) as w:
        assert w.getnframes() / w.getframerate() == pytest.approx(end["t"], abs=3)
