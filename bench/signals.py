"""Signals at random moments, timed from outside: issue 14's "silence within 0.1 s" and
"Ctrl-C at any moment from launch gives exit 130 and no traceback".

    python bench/signals.py [--text N] [--live N] [--window N] [--seed S] [--load K]

1. text (N runs, default 20): `voicecoach start behind-knee --text` on a pseudo-terminal
   (every other run with the live panel), SIGTERM, SIGHUP and SIGINT in turn; half the
   runs 0-3 s after the program's first line (while it starts), half 0-3 s into the
   running session (tests/signal_runs.py). Per run: the exit code, what is wrong (the
   log's `end`, leftovers, the terminal; `SignalRun.problems` with the 0.1 s target), the
   last coach line printed after the signal, and the time to exit.
2. live (N runs, default 10): the same on a private PulseAudio (tests/pulse.py) with
   real audio, the speaker's monitor recorded: signal -> end of the last sound (target
   < 0.1 s). Half from the program's first line on (0.7-6 s), half 0.5-4 s into the
   session (as tests/test_e2e_device_faults.py does).
3. window (N runs, default 40): the console script (`--script`, default `voicecoach`
   beside sys.executable: this environment's; `--script-args`, default `start
   behind-knee --text --quiet-screen`): N launches timed to the program's first
   handlers (its first line, `voicecoach/__main__.py`: seen in /proc/PID/status), then
   N launches with SIGINT at a random time 0-W ms: how each ended -- killed before
   Python had a handler (the shell says 130, nothing printed), "Fatal Python error"
   (Python was importing `site`, i.e. this environment's .pth files), a traceback, or
   exit 130 with nothing printed.

`--load K` runs K busy processes meanwhile (a loaded machine). Prints the distributions
and writes bench/out/signals.json. A run that fails is counted, never retried.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "tests"))

import pulse as harness  # noqa: E402 - the device tests' harness
import signal_runs  # noqa: E402
from private_folders import keep_private  # noqa: E402

SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
TARGET = 0.1  # s from a signal to silence
BUSY = "while True: pass"


def spread(values: list[float], target: float | None = None) -> dict[str, Any]:
    """min / median / p90 / max in ms, and how many are over `target` (s), if given."""
    if not values:
        return {"runs": 0}
    ms = sorted(v * 1000 for v in values)
    found: dict[str, Any] = {
        "runs": len(ms),
        "min_ms": round(ms[0]),
        "median_ms": round(statistics.median(ms)),
        "p90_ms": round(ms[min(len(ms) - 1, int(0.9 * len(ms)))]),
        "max_ms": round(ms[-1]),
    }
    if target is not None:
        found["over_target"] = sum(v > target * 1000 for v in ms)
    return found


def codes(runs: list[signal_runs.SignalRun]) -> dict[str, int]:
    found: dict[str, int] = {}
    for run in runs:
        want = 128 + run.signum
        key = "128+signal" if run.code == want else f"{run.code} (want {want})"
        found[key] = found.get(key, 0) + 1
    return found


def text_runs(count: int, rng: random.Random, folder: Path) -> dict[str, Any]:
    runs = []
    for i in range(count):
        signum = SIGNALS[i % 3]
        started = i >= count // 2
        screen = ["--quiet-screen"] if i % 2 else []
        run = signal_runs.run_with_signal(
            folder / f"text{i}",
            ["behind-knee", "--text", *screen],
            signum,
            rng.uniform(0.0, 3.0),
            after_start=started,
        )
        runs.append(run)
        print(
            f"  text {i:2d} {signal.Signals(signum).name:7s} at {run.moment:.2f} s"
            f"{' into the session' if started else ''}: exit {run.code} after "
            f"{run.exit or 0:.2f} s; last line after the signal: "
            + ("-" if run.last_line is None else f"{run.last_line * 1000:.0f} ms"),
            flush=True,
        )
    return {
        "exit_codes": codes(runs),
        "problems": [p for run in runs for p in run.problems(TARGET)],
        "began": sum(run.session_began for run in runs),
        "last_line_after_signal": spread(
            [r.last_line for r in runs if r.last_line is not None], TARGET
        ),
        "exit_after_signal": spread([r.exit for r in runs if r.exit is not None]),
    }


def live_runs(count: int, rng: random.Random, folder: Path) -> dict[str, Any]:
    server = harness.start_server(folder / "pulse")
    runs: list[signal_runs.LiveRun] = []
    try:
        for i in range(count):
            signum = SIGNALS[i % 3]
            started = i >= count // 2
            moment = rng.uniform(0.5, 4.0) if started else rng.uniform(0.7, 6.0)
            live = signal_runs.run_live(
                server, folder / f"live{i}", ["behind-knee"], signum, moment, started
            )
            runs.append(live)
            print(
                f"  live {i:2d} {signal.Signals(signum).name:7s} at {moment:.2f} s"
                f"{' into the session' if started else ''}: exit {live.run.code} after "
                f"{live.run.exit or 0:.2f} s; last sound - signal: "
                + ("no sound" if live.cut is None else f"{live.cut * 1000:.0f} ms"),
                flush=True,
            )
    finally:
        server.stop()
    talking = [live.cut for live in runs if live.talking and live.cut is not None]
    return {
        "exit_codes": codes([live.run for live in runs]),
        "problems": [p for live in runs for p in live.run.problems(signal_runs.SILENT_WITHIN)],
        "cut_while_talking": spread([max(0.0, c) for c in talking], TARGET),
        "cuts_ms": [None if live.cut is None else round(live.cut * 1000) for live in runs],
        "exit_after_signal": spread([live.run.exit for live in runs if live.run.exit is not None]),
        "talking": len(talking),
    }


def window_runs(
    count: int, rng: random.Random, folder: Path, longest: float, script: Path, args: list[str]
) -> dict[str, Any]:
    """Launch -> the program's first handlers (its first line), and SIGINT sweeps."""
    if not script.exists():
        return {"skipped": f"no console script at {script}"}
    env = {**os.environ, "TMPDIR": str(folder)}

    def launch() -> tuple[subprocess.Popen[bytes], float]:
        began = time.perf_counter()
        process = subprocess.Popen(
            [str(script), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            cwd=folder,
        )
        return process, began

    ready = []
    for _ in range(count):
        process, began = launch()
        while not signal_runs.handlers_ready(process.pid) and process.poll() is None:
            time.sleep(0.0005)
        if process.poll() is None:
            ready.append(time.perf_counter() - began)
        process.communicate(timeout=60)
    outcomes: dict[str, list[float]] = {}
    for _ in range(count):
        at = rng.uniform(0.0, longest)
        process, began = launch()
        time.sleep(max(0.0, at - (time.perf_counter() - began)))
        ended = process.poll() is not None
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
        text = err.decode("utf-8", "replace")
        if ended:
            kind = "had ended before the signal"
        elif process.returncode == -signal.SIGINT:
            kind = "killed before Python had a handler (silent; the shell says 130)"
        elif "Fatal Python error" in text:
            kind = "Fatal Python error (Python importing site)"
        elif "Traceback" in text:
            kind = "traceback"
        elif process.returncode == 130:
            kind = "exit 130, nothing printed"
        else:
            kind = f"exit {process.returncode}"
        outcomes.setdefault(kind, []).append(at)
    return {
        "script": f"{script} {' '.join(args)}",
        "launch_to_first_handlers": spread(ready),
        "sigint_sent": {
            kind: {
                "runs": len(times),
                "sent_ms_after_launch": [round(min(times) * 1000), round(max(times) * 1000)],
            }
            for kind, times in sorted(outcomes.items())
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--text", type=int, default=20, help="text-mode runs (20)")
    parser.add_argument("--live", type=int, default=10, help="real-audio runs (10)")
    parser.add_argument("--window", type=int, default=40, help="start-up window runs (40)")
    parser.add_argument("--window-ms", type=float, default=300, help="window runs: 0-W ms")
    parser.add_argument(
        "--script",
        type=Path,
        default=Path(sys.executable).with_name("voicecoach"),
        help="window runs: the console script (default: this environment's)",
    )
    parser.add_argument(
        "--script-args",
        default="start behind-knee --text --quiet-screen",
        help="window runs: its arguments",
    )
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--load", type=int, default=0, help="busy processes meanwhile")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    rng = random.Random(seed)
    busy = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(args.load)]
    result: dict[str, Any] = {"seed": seed, "load": args.load, "loadavg": os.getloadavg()}
    try:
        with tempfile.TemporaryDirectory(prefix="vc-signals-") as tmp:
            folder = Path(tmp)
            keep_private(folder / "xdg")  # its sessions are not the user's workouts
            if args.text:
                print(f"text mode, {args.text} runs (seed {seed})", flush=True)
                result["text"] = text_runs(args.text, rng, folder)
            if args.live:
                print(f"real audio, {args.live} runs", flush=True)
                result["live"] = live_runs(args.live, rng, folder)
            if args.window:
                print(f"start-up window, {args.window} runs", flush=True)
                result["window"] = window_runs(
                    args.window,
                    rng,
                    folder,
                    args.window_ms / 1000,
                    args.script,
                    args.script_args.split(),
                )
    finally:
        for process in busy:
            process.kill()
            process.wait()
    result["loadavg_after"] = os.getloadavg()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "signals.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
