"""How fast does `voicecoach list` start? Target: median at most 150 ms (warm cache).

Runs the installed console script (or `python -m voicecoach` when it is missing) N times
in a fresh cache folder and reports wall-clock milliseconds:

- cold: `list --no-cache`, which validates every routine (imports pydantic);
- warm: `list` with the summary cache filled by a first run, the usual case;
- python: `python -c pass`, the floor no command can beat on this machine;

then the slowest imports from `python -X importtime -m voicecoach list`.

    python bench/startup.py [-n 15] [--target 150] [--json bench/out/startup.json]

Exits 1 when the warm median misses the target.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def command() -> list[str]:
    """The console script next to this interpreter, else `python -m voicecoach`."""
    script = Path(sys.executable).with_name("voicecoach")
    if script.is_file():
        return [str(script)]
    found = shutil.which("voicecoach")
    # a pyenv shim is a shell script that re-execs: it would measure pyenv, not us
    if found and "shims" not in found:
        return [found]
    return [sys.executable, "-m", "voicecoach"]


def timed(argv: list[str], env: dict[str, str], n: int) -> list[float]:
    """Wall milliseconds of n runs; a failing run is an error, not a fast sample."""
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True, check=False)
        out.append((time.perf_counter() - t0) * 1000)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr.decode()}")
    return out


def import_offenders(env: dict[str, str], top: int) -> list[tuple[str, int]]:
    """(module, cumulative microseconds) of the slowest top-level imports."""
    argv = [sys.executable, "-X", "importtime", "-m", "voicecoach", "list"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split(":", 1)[1].split("|")
        if not name.startswith("  "):  # top level only (" name"): nested ones are inside
            rows.append((name.strip(), int(cumulative)))
    return sorted(rows, key=lambda r: -r[1])[:top]


def stats(samples: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(samples), 1),
        "min_ms": round(min(samples), 1),
        "max_ms": round(max(samples), 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=15, help="runs per measurement")
    ap.add_argument("--target", type=float, default=150.0, help="warm median budget, ms")
    ap.add_argument("--top", type=int, default=12, help="import offenders to show")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()

    argv = command()
    with tempfile.TemporaryDirectory(prefix="vc-startup-") as tmp:
        env = {**os.environ, "XDG_CACHE_HOME": tmp}
        results = {
            "command": " ".join([*argv, "list"]),
            "python": stats(timed([sys.executable, "-c", "pass"], env, args.n)),
            "cold": stats(timed([*argv, "list", "--no-cache"], env, args.n)),
        }
        timed([*argv, "list"], env, 1)  # fills the cache
        results["warm"] = stats(timed([*argv, "list"], env, args.n))
        offenders = import_offenders(env, args.top)
        results["cold_imports_us"] = dict(
            import_offenders({**env, "XDG_CACHE_HOME": str(Path(tmp) / "empty")}, args.top)
        )
    results["warm_imports_us"] = dict(offenders)
    results["target_ms"] = args.target
    results["pass"] = results["warm"]["median_ms"] <= args.target

    print(f"command: {results['command']}   ({args.n} runs each)")
    for key in ("python", "cold", "warm"):
        s = results[key]
        print(f"  {key:<6} median {s['median_ms']:7.1f} ms   min {s['min_ms']:7.1f} ms")
    for key in ("warm_imports_us", "cold_imports_us"):
        print(f"slowest top-level imports ({key.split('_')[0]}, cumulative ms):")
        for name, us in results[key].items():
            print(f"  {us / 1000:7.1f}  {name}")
    verdict = "PASS" if results["pass"] else "FAIL"
    print(f"{verdict}: warm median {results['warm']['median_ms']} ms, target {args.target} ms")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if results["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
