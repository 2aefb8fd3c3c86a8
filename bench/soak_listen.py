"""Soak: peak memory of a `--fast --listen-file` session is flat in the session's length.

Target (issue 14): a 60-minute replay peaks within 20 MB of a 10-minute one. The WAV is
streamed one second at a time (`voicecoach/ears/wav.py`), so nothing should grow with the
file; before, the whole file was held in memory (a 60-minute file: 307 MB).

A 10-minute microphone track is made once with `make_session_track.py` (room noise,
chatter, "ready", "pause" and "resume"); the 60-minute track is that track six times over.
Each session is a routine of 5-minute timed exercises, longer than its track, so the
audio drives the clock to its very end. Each run is a separate `voicecoach start` process;
its peak resident memory is the kernel's `ru_maxrss` for it (os.wait4).

    python bench/soak_listen.py [--minutes 10 60] [--engine pocketsphinx]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from private_folders import private_xdg  # noqa: E402

TILE_MINUTES = 10
COMMANDS = "20:ready,200:pause,215:resume,420:ready"


def make_tile(folder: Path) -> Path:
    tile = folder / "tile.wav"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "make_session_track.py"),
            "--commands",
            COMMANDS,
            "--length",
            str(TILE_MINUTES * 60),
            "--out",
            str(tile),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return tile


def repeat_wav(tile: Path, times: int, out: Path) -> Path:
    """`tile` played `times` times over, written a tile at a time."""
    with wave.open(str(tile), "rb") as src:
        params = src.getparams()
        frames = src.readframes(src.getnframes())
    with wave.open(str(out), "wb") as dst:
        dst.setparams(params)
        for _ in range(times):
            dst.writeframes(frames)
    return out


def routine(folder: Path, minutes: int) -> Path:
    """Timed 5-minute exercises, two more than the track needs."""
    count = minutes // 5 + 2
    body = "".join(
        f'[[exercises]]\nid = "hold-{i}"\nname = "Hold {i}"\n'
        f'work = {{ kind = "timed", seconds = 300 }}\n'
        for i in range(count)
    )
    path = folder / f"soak-{minutes}.toml"
    head = f'name = "soak-{minutes}"\ntitle = "Soak"\nfrequency = "daily"\ndisclaimer = "A test."\n'
    path.write_text(f'{head}[source]\ntitle = "none"\n{body}', encoding="utf-8")
    return path


def run(routine_file: Path, track: Path, log: Path, engine: str, env: dict[str, str]) -> dict:
    argv = [
        sys.executable,
        "-m",
        "voicecoach",
        "start",
        str(routine_file),
        "--fast",
        "--listen-file",
        str(track),
        "--engine",
        engine,
        "--log",
        str(log),
    ]
    began = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - began
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    records = [json.loads(line) for line in log.read_text().splitlines()]
    heard = [r for r in records if r.get("type") == "heard"]
    return {
        "exit": os.waitstatus_to_exitcode(status),
        "peak_mb": usage.ru_maxrss / 1024,
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "session_min": records[-1]["t"] / 60 if records else 0.0,
        "heard": len(heard),
        "stderr": stderr[-500:],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=int, nargs="+", default=[10, 60])
    ap.add_argument("--engine", default="pocketsphinx")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        folder = Path(tmp)
        env = dict(os.environ, PYTHONPATH=str(ROOT), **private_xdg(folder))
        tile = make_tile(folder)
        results = {}
        for minutes in args.minutes:
            times = max(1, minutes // TILE_MINUTES)
            track = repeat_wav(tile, times, folder / f"track-{minutes}.wav")
            size_mb = track.stat().st_size / 2**20
            r = run(routine(folder, minutes), track, folder / f"{minutes}.jsonl", args.engine, env)
            results[minutes] = r
            print(
                f"{minutes:3d}-minute track ({size_mb:.0f} MB WAV): exit {r['exit']}, "
                f"peak RSS {r['peak_mb']:.1f} MB, session {r['session_min']:.1f} min, "
                f"heard {r['heard']}, CPU {r['cpu_s']:.0f} s, wall {r['wall_s']:.0f} s",
                flush=True,
            )
            if r["exit"] != 0:
                print(r["stderr"], file=sys.stderr)
                return 1
    short, long = results[min(results)], results[max(results)]
    growth = long["peak_mb"] - short["peak_mb"]
    print(f"peak growth {min(results)} -> {max(results)} minutes: {growth:+.1f} MB (target <= 20)")
    return 0 if growth <= 20 else 1


if __name__ == "__main__":
    sys.exit(main())
