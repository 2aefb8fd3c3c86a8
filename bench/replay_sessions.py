"""Replayed sessions over many tracks: how much of the recognizer's accuracy survives the
coach talking over the user (issue 5's echo guard), and what the echo adds in false
commands.

Why: one replayed track (tests/test_session_replay.py) says pass or fail; it cannot say
whether a miss is the echo guard's fault or the recognizer's. Each seed here is a new
track (held-out voices, phrases and chatter from make_session_track.py), replayed twice:
with no echo and with the coach's voice mixed in at `--echo GAIN`. A command heard
without echo but missed with it is the echo guard's cost; a command missed in both is
the recognizer's.

    python bench/replay_sessions.py [--seeds 10] [--echo 0.5] [--engine whisper]
        [--out bench/out/replay.json]

Scoring (issue 5): a `heard` event counts when it has the intent of a command and comes
within `--latency` seconds after that command's end; every other `heard` event is false.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
COMMANDS = "4:next,31:ready,40:pause,46:resume,52:stop,56:yes"  # as the replay test
LENGTH = 60


def replay(track: Path, echo: float, folder: Path, engine: str) -> list[dict]:
    """Run the session on `track`; returns the log records."""
    from voicecoach.cli import main

    log = folder / f"log-{echo}.jsonl"
    argv = ["start", "behind-knee", "--from", "5", "--fast", "--engine", engine]
    argv += ["--listen-file", str(track), "--log", str(log)]
    if echo:
        argv += ["--echo", str(echo), "--speak-file", str(folder / "coach.wav")]
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    if code != 0:
        raise RuntimeError(f"voicecoach start exited {code} on {track}")
    return [json.loads(line) for line in log.read_text().splitlines()]


def score(records: list[dict], commands: list[dict], latency: float) -> dict:
    """Which commands were heard in time, and which `heard` events were false."""
    heard = [r for r in records if r["type"] == "heard"]
    hit: dict[int, dict] = {}
    false = []
    for r in heard:
        for i, c in enumerate(commands):
            if (
                i not in hit
                and c["intent"] == r["intent"]
                and c["end"] <= r["t"] <= c["end"] + latency
            ):
                hit[i] = r
                break
        else:
            false.append({"t": r["t"], "intent": r["intent"], "text": r.get("text", "")})
    return {
        "heard": sorted(hit),
        "latency": [round(hit[i]["t"] - commands[i]["end"], 3) for i in sorted(hit)],
        "false": false,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--echo", type=float, default=0.5)
    ap.add_argument("--latency", type=float, default=1.0)
    ap.add_argument("--engine", default="whisper", help="the session's --engine")
    ap.add_argument("--out", type=Path, default=HERE / "out" / "replay.json")
    args = ap.parse_args(argv)
    runs = []
    totals = {
        "commands": 0,
        "clean": 0,
        "echo": 0,
        "lost_to_echo": 0,
        "false_clean": 0,
        "false_echo": 0,
    }
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            track = folder / "track.wav"
            subprocess.run(
                [sys.executable, str(HERE / "make_session_track.py"), "--commands", COMMANDS,
                 "--length", str(LENGTH), "--out", str(track), "--seed", str(seed)],
                check=True, capture_output=True,
            )  # fmt: skip
            truth = json.loads(track.with_suffix(".json").read_text())
            commands = truth["commands"]
            clean = score(replay(track, 0.0, folder, args.engine), commands, args.latency)
            echo = score(replay(track, args.echo, folder, args.engine), commands, args.latency)
        lost = sorted(set(clean["heard"]) - set(echo["heard"]))
        runs.append(
            {"seed": seed, "commands": commands, "clean": clean, "echo": echo, "lost_to_echo": lost}
        )
        totals["commands"] += len(commands)
        totals["clean"] += len(clean["heard"])
        totals["echo"] += len(echo["heard"])
        totals["lost_to_echo"] += len(lost)
        totals["false_clean"] += len(clean["false"])
        totals["false_echo"] += len(echo["false"])
        said = " ".join(f"{c['text']!r}" for c in commands)
        print(
            f"seed {seed:2d}: heard {len(clean['heard'])}/{len(commands)} without echo, "
            f"{len(echo['heard'])}/{len(commands)} with echo {args.echo}; false "
            f"{len(clean['false'])} / {len(echo['false'])}; lost to echo {lost}  [{said}]"
        )
    summary = {
        "engine": args.engine,
        "echo_gain": args.echo,
        "latency_bound": args.latency,
        "length": LENGTH,
        **totals,
    }
    print(json.dumps(summary))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "runs": runs}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
