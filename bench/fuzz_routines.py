"""Fuzz the routine loader and the session: N mutated packaged routines (and four valid
routines at the plan ceilings), each through `voicecoach validate` and (when valid)
`voicecoach start --fast --text`.

Target (issue 14): 0 tracebacks and 0 runs over 10 s. The mutations are those of the fuzz
test (`tests/routine_fuzz.py`: extreme numbers, wrong types, dropped and added keys,
repeated exercises, swapped work kinds, cut or spliced text, deep nesting), drawn from a
seeded random.Random so a run can be repeated. Each file runs in a worker process (in
process there, no start-up cost) under a 60 s alarm, with private XDG folders.

    python bench/fuzz_routines.py --count 1000 --seed 1 --jobs 2
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from private_folders import private_xdg  # noqa: E402

LIMIT_S = 10.0
HANG_S = 60


class Seeded:
    """The fuzzer's choices from a seeded random.Random."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def pick(self, options: list[Any]) -> Any:
        return self.rng.choice(options)


class Hang(BaseException):
    """Raised by the alarm: not an Exception, so nothing in voicecoach catches it."""


def worker(files: list[str]) -> None:
    from routine_fuzz import run

    def alarm(signum: int, frame: object) -> None:
        raise Hang

    signal.signal(signal.SIGALRM, alarm)
    for name in files:
        began = time.perf_counter()
        signal.alarm(HANG_S)
        try:
            o = run(Path(name))
            row = {
                "file": name,
                "validate": o.validate,
                "start": o.start,
                "seconds": round(o.seconds, 3),
                "cpu": round(o.cpu, 3),
                "traceback": o.traceback,
            }
        except Hang:
            wall = time.perf_counter() - began
            row = {"file": name, "hang": True, "seconds": wall, "cpu": wall}
        finally:
            signal.alarm(0)
        print(json.dumps(row), flush=True)


def generate(count: int, seed: int, folder: Path) -> list[Path]:
    from routine_fuzz import mutant

    chooser = Seeded(random.Random(seed))
    files = []
    for i in range(count):
        stem, text = mutant(chooser)
        path = folder / f"{i:04d}" / f"{stem}.toml"
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def _exercises(count: int, work: str, fields: str) -> str:
    return "".join(
        f'[[exercises]]\nid = "e{i}"\nname = "Exercise {i}"\nwork = {work}\n{fields}\n'
        for i in range(count)
    )


# valid routines at the plan ceilings (routine.py): the slowest sessions a file can ask for
CEILINGS = {
    "ceiling-steps": _exercises(10, '{ kind = "timed", seconds = 1 }', "sets = 100"),
    "ceiling-reps": _exercises(3, '{ kind = "reps", reps = 100, tempo = 1 }', "sets = 10"),
    "ceiling-holds": _exercises(
        5,
        '{ kind = "holds", reps = 100, hold = 1, release = 0.001 }',
        'sets = 3\nsides = ["right", "left"]',
    ),
    "ceiling-hours": _exercises(5, '{ kind = "timed", seconds = 4200 }', "sets = 4"),
}


def ceilings(folder: Path) -> list[Path]:
    files = []
    for name, body in CEILINGS.items():
        path = folder / name / f"{name}.toml"
        path.parent.mkdir(parents=True)
        path.write_text(f'name = "{name}"\ntitle = "{name}"\n{body}', encoding="utf-8")
        files.append(path)
    return files


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", type=Path, help="keep the mutated files in this folder")
    ap.add_argument("--worker", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker is not None:
        worker(args.worker)
        return 0

    with tempfile.TemporaryDirectory(prefix="fuzz-routines-") as tmp:
        home = Path(tmp)
        folder = args.keep or home / "files"
        files = generate(args.count, args.seed, folder) + ceilings(folder)
        env = dict(os.environ, PYTHONPATH=str(ROOT), **private_xdg(home))
        began = time.perf_counter()
        procs = [
            subprocess.Popen(
                [sys.executable, __file__, "--worker", *map(str, files[j :: args.jobs])],
                stdout=subprocess.PIPE,
                env=env,
                text=True,
            )
            for j in range(args.jobs)
        ]
        rows = [json.loads(line) for p in procs for line in p.communicate()[0].splitlines()]
        wall = time.perf_counter() - began

    tracebacks = [r for r in rows if r.get("traceback")]
    hangs = [r for r in rows if r.get("hang")]
    slow = [r for r in rows if r["seconds"] > LIMIT_S]
    slow_cpu = [r for r in rows if r["cpu"] > LIMIT_S]
    started = [r for r in rows if r.get("start") is not None]
    ended = [r for r in started if r["start"] == 0]
    refused = [r for r in rows if r.get("validate") == 4]
    other = [r for r in rows if r.get("validate") not in (0, 4) and not r.get("hang")]
    print(f"files: {len(rows)} of {len(files)} (seed {args.seed}), wall {wall:.0f} s")
    print(f"refused by validate (exit 4): {len(refused)}")
    print(f"valid and started: {len(started)}; sessions that ended (exit 0): {len(ended)}")
    print(f"other exit codes: {len(other)}")
    print(f"tracebacks: {len(tracebacks)}")
    print(f"hangs (over {HANG_S} s): {len(hangs)}")
    print(f"runs over {LIMIT_S:g} s: {len(slow)} by the wall clock, {len(slow_cpu)} in CPU time")
    slowest = max(rows, key=lambda r: r["seconds"])
    print(f"slowest run: {slowest['seconds']:.2f} s wall ({slowest['cpu']:.2f} s CPU)")
    print(f"most CPU: {max(r['cpu'] for r in rows):.2f} s")
    for r in rows:
        if "ceiling-" in r["file"]:
            name = Path(r["file"]).stem
            codes = f"validate {r.get('validate')}, start {r.get('start')}"
            print(f"{name}: {codes}, {r['seconds']:.2f} s wall, {r['cpu']:.2f} s CPU")
    for r in tracebacks[:5]:
        print(f"\n{r['file']}:\n{r['traceback']}")
    for r in slow[:10]:
        print(f"slow: {r['file']} {r['seconds']:.1f} s wall, {r['cpu']:.1f} s CPU")
    bad = tracebacks or hangs or slow_cpu or other or len(rows) != len(files)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
