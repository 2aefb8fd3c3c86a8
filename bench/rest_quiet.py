"""How much of each rest is quiet: per packaged routine, a `--fast --text` replay's log,
and for each rest (from the words that start it to the beep that ends it) the rest the
routine gives, the seconds of speech in it, the seconds of quiet, the longest quiet
stretch, and quiet / the rest given (1.0: all the seconds the routine gives are quiet).

    python bench/rest_quiet.py                      # every packaged routine
    python bench/rest_quiet.py --routine ground-up  # one

Figures: bench/RESULTS.md, "Quiet in rests".
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from voicecoach import catalog, plan

ROUTINES = ["back-hip-knee", "back-hip-knee-20", "behind-knee", "ground-up", "knee-strength"]


def rests(name: str, folder: Path) -> list[dict[str, float | str]]:
    log = folder / f"{name}.jsonl"
    subprocess.run(
        [sys.executable, "-m", "voicecoach", "start", name, "--fast", "--text", "--log", str(log)],
        capture_output=True,
        check=True,
    )
    records = [json.loads(line) for line in log.read_text().splitlines()]
    steps = plan.steps(catalog.find(name))
    out: list[dict[str, float | str]] = []
    current: dict[str, object] | None = None
    sounds: list[tuple[float, float]] = []
    for r in records:
        if r["type"] == "state" and r["phase"] == "rest" and current is None:
            current, sounds = {"t0": r["t"], "step": r["step"]}, []
        elif r["type"] == "state" and r["phase"] != "rest" and current is not None:
            out.append(
                _figures(
                    steps[int(str(current["step"]))], float(str(current["t0"])), r["t"], sounds
                )
            )
            current = None
        elif r["type"] in ("say", "cue") and current is not None:
            sounds.append((r["t"], r["t"] + r["duration"]))
    return out


def _figures(
    step: plan.Step, start: float, end: float, sounds: list[tuple[float, float]]
) -> dict[str, float | str]:
    speech, gaps, at = 0.0, [], start
    for a, b in sorted(sounds):
        b = min(b, end)
        if a > at:
            gaps.append(a - at)
        speech += max(0.0, b - max(a, at))
        at = max(at, b)
    gaps.append(max(0.0, end - at))
    quiet = end - start - speech
    return {
        "given": step.rest_after,
        "reason": step.rest_reason or "",
        "speech": speech,
        "quiet": quiet,
        "longest": max(gaps),
        "share": quiet / step.rest_after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--routine", action="append", help="a packaged routine (repeatable)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name in args.routine or ROUTINES:
            found = rests(name, Path(folder))
            print(f"{name}: {len(found)} rests")
            print("  given  speech  quiet  longest quiet  quiet/given  reason")
            for r in found:
                print(
                    f"  {r['given']:5.0f} {r['speech']:7.1f} {r['quiet']:6.1f} "
                    f"{r['longest']:14.1f} {r['share']:12.2f}  {r['reason']}"
                )
            shares = [float(r["share"]) for r in found]
            print(f"  quiet/given: min {min(shares):.2f}, all >= 0.5: {min(shares) >= 0.5}")


if __name__ == "__main__":
    main()
