"""The whole program on virtual devices, timed from outside: `voicecoach start` as a
process on a private PulseAudio (tests/pulse.py), its speaker's monitor recorded.

    python bench/e2e_latency.py [--runs N] [--load K] [--command TEXT] [--skip-voice]
                                [--voice-engine ENGINE]

Per run, three sessions of `behind-knee` (tests/e2e_helpers.py has the scenarios):
1. `--engine keys`, Ctrl-C 1 s into the first phrase: process start -> first sound
   (target < 1.5 s), Ctrl-C -> silence (target < 0.1 s), Ctrl-C -> process gone.
2. default ears (`--engine auto`: Vosk with an English model, else Whisper in its worker,
   else PocketSphinx), the space key 1 s into the first phrase: process start -> first
   sound (target < 1.5 s; the worker loads beside it), key -> the coach's words cut
   (target < 0.1 s), cut -> "Paused".
3. the default ears (or `--voice-engine ENGINE`), TEXT ("pause") by espeak-ng played into
   the microphone 1 s into the first phrase: end of the command's sound -> the coach's
   words cut (aim 0.5 s), and how often it was not heard.
`--load K` runs K busy processes meanwhile (a loaded CI machine). Prints median/max, and
for the hard targets (`TARGETS`: first sound < 1.5 s, an interrupt cuts the voice
< 100 ms) whether every run met them; writes bench/out/e2e_latency.json. A run that fails
is counted, never retried. These targets are measured here, not in the device tests
(tests/test_e2e_device.py keeps only bounds that a loaded machine does not break).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "tests"))

import e2e_helpers as e2e  # noqa: E402 - the device tests' harness
import pulse as harness  # noqa: E402
from private_folders import keep_private  # noqa: E402

BUSY = "while True: pass"

# the product's speed targets (issue 4): figure -> limit in seconds, every run
TARGETS = {"first_sound": 1.5, "cut": 0.1}


def summary(values: list[float | None]) -> dict[str, float | int | None]:
    """median/max in ms of what happened, and how many runs it did not happen in."""
    got = [v * 1000 for v in values if v is not None]
    return {
        "median_ms": round(statistics.median(got), 1) if got else None,
        "max_ms": round(max(got), 1) if got else None,
        "runs": len(got),
        "missing": len(values) - len(got),
    }


def scenarios(args: argparse.Namespace) -> dict[str, Callable[..., e2e.Run]]:
    """name -> (server, folder, phrases) -> Run."""
    found: dict[str, Callable[..., e2e.Run]] = {
        "keys_ctrl_c": lambda s, f, p: e2e.ctrl_c(s, f, ["--engine", "keys"], p),
        "default_space": lambda s, f, p: e2e.space_pause(s, f, [], p, stop=False),
    }
    if not args.skip_voice:

        def voice(s, f, p):
            command = e2e.command_clip(f, args.command)
            engine = ["--engine", args.voice_engine] if args.voice_engine else []
            return e2e.voice_pause(s, f, engine, p, command)

        found["voice_pause"] = voice
    return found


def measure(server, runs: int, chosen: dict[str, Callable[..., e2e.Run]]) -> dict[str, list]:
    phrases = e2e.Phrases()
    results: dict[str, list[e2e.Run]] = {name: [] for name in chosen}
    for i in range(runs):
        for name, scenario in chosen.items():
            with tempfile.TemporaryDirectory(prefix="voicecoach-e2e-") as folder:
                run = scenario(server, Path(folder), phrases)
            results[name].append(run)
            print(
                f"run {i + 1} {name}: first {_ms(run.first)}, cut {_ms(run.cut)}, "
                f"gap {_ms(run.gap)}, exit {_ms(run.exit)}, code {run.code}, "
                f"heard {run.heard} {'; '.join(run.notes)}",
                flush=True,
            )
            if run.code != 130:  # every scenario ends with Ctrl-C: say what went wrong
                print(f"  stderr of run {i + 1} {name}:\n{run.stderr[-2000:]}", flush=True)
    return results


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f} ms"


def report(results: dict[str, list[e2e.Run]], load: int) -> dict[str, object]:
    out: dict[str, object] = {"busy_processes": load}
    for name, runs in results.items():
        entry: dict[str, object] = {
            "first_sound": summary([r.first for r in runs]),
            "cut": summary([r.cut for r in runs]),
        }
        if name != "keys_ctrl_c":
            entry["cut_to_reply"] = summary([r.gap for r in runs])
        else:
            entry["exit"] = summary([r.exit for r in runs])
        if name != "voice_pause":  # a spoken command has an aim (0.5 s), not these targets
            entry["targets"] = verdicts(entry)
        entry["alsa_lines_on_stderr"] = sum(r.stderr.count("ALSA lib") for r in runs)
        entry["void_runs"] = sum(not r.talking for r in runs)
        if name == "voice_pause":
            entry["not_heard"] = sum(not r.heard for r in runs)
        out[name] = entry
    return out


def verdicts(entry: dict[str, object]) -> dict[str, str]:
    """Per target: "met" when the max over the runs measured is within the limit, with how
    many runs could not be measured (a cut not found in the recording)."""
    out = {}
    for figure, limit in TARGETS.items():
        got = entry[figure]
        assert isinstance(got, dict)
        worst = got["max_ms"]
        ok = worst is not None and worst < limit * 1000
        text = f"{'met' if ok else 'MISSED'} (< {limit * 1000:.0f} ms, max {worst}"
        text += f"; {got['missing']} of {got['runs'] + got['missing']} runs not measured)"
        out[figure] = text if got["missing"] else text.split(";")[0] + ")"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--load", type=int, default=0, metavar="K", help="busy processes")
    parser.add_argument("--command", default="pause", help="what is said into the microphone")
    parser.add_argument("--skip-voice", action="store_true", help="no spoken-command runs")
    parser.add_argument(
        "--voice-engine", default="", help="engine of the spoken-command runs (default: auto)"
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    busy = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(args.load)]
    try:
        with tempfile.TemporaryDirectory(prefix="voicecoach-bench-") as root:
            keep_private(Path(root) / "xdg")  # its sessions are not the user's workouts
            server = harness.start_server(Path(root))
            try:
                results = measure(server, args.runs, scenarios(args))
            finally:
                server.stop()
    finally:
        for process in busy:
            e2e.terminate(process)
    found = report(results, args.load)
    name = "e2e_latency.json" if not args.load else f"e2e_latency_load{args.load}.json"
    (OUT / name).write_text(json.dumps(found, indent=2) + "\n")
    print(json.dumps(found, indent=2))


if __name__ == "__main__":
    main()
