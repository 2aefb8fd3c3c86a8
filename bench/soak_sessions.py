"""Soak: long use leaks nothing. Memory, open files, threads and the log grow with nothing
but the session's own events, and the history stays whole.

Two runs, each in the test suite's kind of private XDG folders (never the user's history):

1. `--repeat N`: one process runs `voicecoach start ROUTINE --fast --record --log LOG`
   N times in a row through `cli.main` (what a long-lived process would leak shows up
   here: every session builds its voice, engine, observers, history store). After each
   session: resident memory (VmRSS) and its peak (VmHWM), open file descriptors, threads
   (Python's and the kernel's), the log's size, and the history (PRAGMA integrity_check,
   one row per session, every set of each).
2. `--hours H`: an H-hour `--listen-file` of room noise made with numpy (pink noise, a
   mains hum, a fan's band, door knocks and clatter; written in one-minute chunks to a
   temporary folder, never into git), replayed with
   `voicecoach start SOAK --fast --listen-file NOISE --engine pocketsphinx --record --log LOG`
   against a routine of 5-minute timed exercises longer than the track. Every 2 s the
   process tree is sampled from /proc (the session and its ears worker: VmRSS, open
   descriptors, threads) with the log's size; then the history is checked.

    python bench/soak_sessions.py --repeat 10 --routine behind-knee
    python bench/soak_sessions.py --hours 3
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import wave
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from private_folders import private_xdg  # noqa: E402

RATE = 16000
RSS_GROWTH_MB = 20.0  # the target: memory after the first tenth of the run to its end


# ------------------------------------------------------------------ /proc readings


def status(pid: int | str = "self") -> dict[str, int]:
    """VmRSS, VmHWM (kB) and Threads of a process."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "Threads"):
            out[key] = int(value.split()[0])
    return out


def fds(pid: int | str = "self") -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            kids += [int(k) for k in (task / "children").read_text().split()]
        except OSError:
            continue
    return kids


def tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            todo += children(p)
        except OSError:
            continue
    return out


# ------------------------------------------------------------------ the history


def history_report(db: Path) -> dict[str, object]:
    """Integrity, and (routine, outcome, sets, distinct sets) per session."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        rows = conn.execute(
            "SELECT s.id, s.routine, s.outcome, COUNT(t.id), COUNT(DISTINCT t.first_step)"
            " FROM sessions s LEFT JOIN sets t ON t.session = s.id GROUP BY s.id ORDER BY s.id"
        ).fetchall()
    finally:
        conn.close()
    return {"integrity": check, "sessions": [list(r[1:]) for r in rows]}


# ------------------------------------------------------------------ 1. sessions in a row


def repeat_child(routine: str, times: int, folder: Path, out: Path) -> int:
    """Run in its own process: `times` sessions through `cli.main`, measured after each."""
    from voicecoach.cli import main
    from voicecoach.history.recorder import set_spans
    from voicecoach.history.store import history_path
    from voicecoach.plan import steps

    with out.open("w") as report:
        for i in range(times):
            log = folder / f"run-{i}.jsonl"
            began = time.process_time()
            with redirect_stdout(io.StringIO()):
                code = main(["start", routine, "--fast", "--record", "--log", str(log)])
            cpu = time.process_time() - began
            mem = status()
            row = {
                "run": i + 1,
                "exit": code,
                "cpu_s": round(cpu, 2),
                "rss_mb": round(mem["VmRSS"] / 1024, 1),
                "peak_mb": round(mem["VmHWM"] / 1024, 1),
                "fds": fds(),
                "py_threads": threading.active_count(),
                "threads": mem["Threads"],
                "log_bytes": log.stat().st_size,
                "log_lines": len(log.read_text().splitlines()),
                "history": history_report(history_path()),
            }
            report.write(json.dumps(row) + "\n")
            report.flush()
        from voicecoach import catalog

        report.write(json.dumps({"sets": len(set_spans(steps(catalog.find(routine))))}) + "\n")
    return 0


def repeat(routine: str, times: int) -> bool:
    with tempfile.TemporaryDirectory(prefix="soak-repeat-") as tmp:
        folder = Path(tmp)
        env = dict(os.environ, PYTHONPATH=str(ROOT), **private_xdg(folder))
        out = folder / "report.jsonl"
        argv = [sys.executable, __file__, "--child", routine, str(times), str(folder), str(out)]
        subprocess.run(argv, env=env, check=True, stdin=subprocess.DEVNULL)
        rows = [json.loads(line) for line in out.read_text().splitlines()]
    *runs, tail = rows
    sets = tail["sets"]
    print(f"{routine} x {times} in one process (cli.main each time, --fast --record --log):")
    print("run  exit  CPU s  RSS MB  peak MB  fds  threads (py/os)  log lines/bytes  history")
    ok = True
    for r in runs:
        h = r["history"]
        whole = h["integrity"] == "ok" and len(h["sessions"]) == r["run"]
        whole = whole and all(s[1] == "finished" and s[2] == s[3] == sets for s in h["sessions"])
        ok = ok and whole and r["exit"] == 0
        print(
            f"{r['run']:3d}  {r['exit']:4d}  {r['cpu_s']:5.2f}  {r['rss_mb']:6.1f}  "
            f"{r['peak_mb']:7.1f}  {r['fds']:3d}  {r['py_threads']:3d}/{r['threads']:<3d}"
            f"          {r['log_lines']:5d}/{r['log_bytes']:<7d}  {h['integrity']},"
            f" {len(h['sessions'])} sessions"
            f"{', all sets' if whole else ', WRONG'}"
        )
    first, last = runs[0], runs[-1]
    growth = last["rss_mb"] - first["rss_mb"]
    # the log differs only by what the history changes in the words ("your 1st workout
    # today", "2nd"...): a longer intro may leave out a "drop" line ("10 seconds left")
    same = {k: {r[k] for r in runs} for k in ("fds", "py_threads", "threads")}
    flat = all(len(v) == 1 for v in same.values())
    for key in ("log_lines", "log_bytes"):
        sizes = [r[key] for r in runs]
        flat = flat and max(sizes) - min(sizes) <= 0.01 * min(sizes)
    print(
        f"RSS after run 1 -> run {times}: {growth:+.1f} MB (target <= {RSS_GROWTH_MB:.0f}); "
        f"fds and threads the same every run, log lines and bytes within 1 %: "
        f"{'yes' if flat else same}"
    )
    return ok and flat and growth <= RSS_GROWTH_MB


# ------------------------------------------------------------------ 2. hours of room noise


def room_noise(path: Path, hours: float, seed: int = 1) -> Path:
    """`hours` of a quiet room at 16 kHz: pink noise (about -50 dBFS), a 50 Hz mains hum
    and its harmonics, a fan's band around 300 Hz, and now and then a knock, a clatter or
    a rustle (louder, a few tenths of a second). Written a minute at a time."""
    from scipy.signal import butter, lfilter, lfilter_zi

    rng = np.random.default_rng(seed)
    pink_b = [0.049922035, -0.095993537, 0.050612699, -0.004408786]
    pink_a = [1.0, -2.494956002, 2.017265875, -0.522189400]
    fan_b, fan_a = butter(2, [250 / (RATE / 2), 380 / (RATE / 2)], btype="band")
    zp = lfilter_zi(pink_b, pink_a) * 0.0
    zf = lfilter_zi(fan_b, fan_a) * 0.0
    chunk = 60 * RATE
    total = int(hours * 3600 * RATE)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        for start in range(0, total, chunk):
            n = min(chunk, total - start)
            t = (start + np.arange(n)) / RATE
            pink, zp = lfilter(pink_b, pink_a, rng.standard_normal(n), zi=zp)
            fan, zf = lfilter(fan_b, fan_a, rng.standard_normal(n), zi=zf)
            hum = sum(np.sin(2 * np.pi * 50 * k * t) / k for k in (1, 2, 3))
            x = 0.01 * pink + 0.004 * fan + 0.002 * hum
            for _ in range(rng.poisson(4)):  # knocks, clatter, rustle: ~4 a minute
                at = int(rng.integers(0, max(1, n - RATE)))
                length = int(rng.uniform(0.05, 0.6) * RATE)
                decay = np.exp(-np.arange(length) / (length / 4))
                x[at : at + length] += rng.uniform(0.05, 0.3) * rng.standard_normal(length) * decay
            out.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def soak_routine(folder: Path, hours: float) -> Path:
    """Timed 5-minute exercises, two more than the track needs."""
    count = int(hours * 12) + 2
    body = "".join(
        f'[[exercises]]\nid = "hold-{i}"\nname = "Hold {i}"\n'
        f'work = {{ kind = "timed", seconds = 300 }}\n'
        for i in range(count)
    )
    path = folder / "soak-hours.toml"
    head = 'name = "soak-hours"\ntitle = "Soak"\nfrequency = "daily"\ndisclaimer = "A test."\n'
    path.write_text(f'{head}[source]\ntitle = "none"\n{body}', encoding="utf-8")
    return path


def sample(pids: list[int], log_folder: Path) -> dict[str, float]:
    rss = thr = fd = 0
    for p in pids:
        try:
            s = status(p)
            rss, thr, fd = rss + s["VmRSS"], thr + s["Threads"], fd + fds(p)
        except (OSError, KeyError):
            continue
    logged = sum(f.stat().st_size for f in log_folder.iterdir() if f.is_file())
    return {
        "rss_mb": rss / 1024,
        "threads": thr,
        "fds": fd,
        "log_bytes": logged,
        "procs": len(pids),
    }


def hours_run(hours: float, engine: str, keep: Path | None) -> bool:
    with tempfile.TemporaryDirectory(prefix="soak-hours-") as tmp:
        folder = Path(tmp)
        env = dict(os.environ, PYTHONPATH=str(ROOT), **private_xdg(folder))
        made = time.perf_counter()
        noise = room_noise((keep or folder) / f"room-{hours:g}h.wav", hours)
        print(
            f"room noise: {hours:g} h, {noise.stat().st_size / 2**20:.0f} MB, "
            f"made in {time.perf_counter() - made:.0f} s",
            flush=True,
        )
        logs = folder / "logs"
        logs.mkdir()
        log = logs / "session.jsonl"
        argv = [
            sys.executable, "-m", "voicecoach", "start", str(soak_routine(folder, hours)),
            "--fast", "--listen-file", str(noise), "--engine", engine, "--record",
            "--log", str(log),
        ]  # fmt: skip
        began = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        samples: list[tuple[float, dict[str, float]]] = []
        while proc.poll() is None:
            samples.append((time.perf_counter() - began, sample(tree(proc.pid), logs)))
            time.sleep(2.0)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter() - began
        err = proc.stderr.read().decode() if proc.stderr else ""
        records = [json.loads(line) for line in log.read_text().splitlines()]
        log_kb = log.stat().st_size / 1024
        history = history_report(Path(env["XDG_DATA_HOME"]) / "voicecoach" / "history.db")
        if keep is None:
            noise.unlink()
    end = records[-1]
    heard = [r for r in records if r["type"] == "heard"]
    said = [r for r in records if r["type"] == "say"]
    print(
        f"exit {proc.returncode}; session {end['t'] / 3600:.2f} h ({end.get('reason')}); "
        f"wall {wall / 60:.1f} min, CPU {usage.ru_utime + usage.ru_stime:.0f} s; "
        f"heard {len(heard)} ({', '.join(sorted({h['intent'] for h in heard})) or 'nothing'}); "
        f"said {len(said)}; log {log_kb:.0f} kB"
    )
    if err.strip():
        print("stderr:", err.strip()[-800:])
    # from the end of the start-up (the recognizer's model loading): 30 s in at least
    steady = [s for t, s in samples if t >= 30.0] or [s for _, s in samples]
    marks = {f"{p}%": steady[min(len(steady) - 1, len(steady) * p // 100)] for p in (10, 50, 99)}
    print("at      RSS MB (session + ears worker)  fds  threads  log kB")
    for name, s in marks.items():
        print(
            f"{name:>4}    {s['rss_mb']:8.1f}                      {s['fds']:4.0f}  "
            f"{s['threads']:7.0f}  {s['log_bytes'] / 1024:6.0f}"
        )
    growth = marks["99%"]["rss_mb"] - marks["10%"]["rss_mb"]
    flat = all(marks["99%"][k] <= marks["10%"][k] for k in ("fds", "threads"))
    print(
        f"RSS 10% -> 99%: {growth:+.1f} MB (target <= {RSS_GROWTH_MB:.0f}); fds and threads "
        f"not growing: {'yes' if flat else 'NO'}; peak RSS of all children "
        f"{usage.ru_maxrss / 1024:.1f} MB"
    )
    sessions = history["sessions"]
    print(f"history: {history['integrity']}, sessions {sessions}")
    whole = history["integrity"] == "ok" and len(sessions) == 1  # type: ignore[arg-type]
    return proc.returncode == 0 and growth <= RSS_GROWTH_MB and flat and whole


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        routine, times, folder, out = sys.argv[2:6]
        return repeat_child(routine, int(times), Path(folder), Path(out))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=0, help="sessions in a row in one process")
    ap.add_argument("--routine", default="behind-knee")
    ap.add_argument("--hours", type=float, default=0.0, help="length of the room-noise track")
    ap.add_argument("--engine", default="pocketsphinx")
    ap.add_argument("--keep", type=Path, help="write the noise WAV here and keep it")
    args = ap.parse_args()
    if not args.repeat and not args.hours:
        ap.error("say --repeat N, --hours H, or both")
    ok = True
    if args.repeat:
        ok = repeat(args.routine, args.repeat) and ok
    if args.hours:
        ok = hours_run(args.hours, args.engine, args.keep) and ok
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
