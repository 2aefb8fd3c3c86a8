"""Signals at random moments of replayed sessions, from outside: SIGINT, SIGTERM, SIGHUP or
SIGPIPE during `start behind-knee --fast --text --record`, a `--listen-file` replay with
PocketSphinx (its model load included) and a `--resume` (the history read and rewritten),
each with `--log`.

    python bench/signal_replays.py [--runs N] [--seed S]

Per run: the exit code (128 + the signal, or 0 when the run ended first; a SIGPIPE changes
nothing), no traceback, no leftover file, the history's `PRAGMA integrity_check`, the log's
last line an `end`. A signal the process had no handler for when it was sent
(`/proc/PID/status` SigCgt: before `voicecoach/__main__` runs, or in interpreter shutdown
after the work is done) is counted apart when it killed the process silently.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE)
TEXT = ["start", "behind-knee", "--fast", "--text", "--quiet-screen", "--record"]


def handled(pid: int, signum: int) -> bool | None:
    """Whether the process catches or ignores `signum` now (None: it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
    mask = int(fields["SigCgt"], 16) | int(fields["SigIgn"], 16)
    return bool(mask >> (signum - 1) & 1)


def problems(home: Path, log: Path, signum: int, sent: bool, code: int, err: str) -> list[str]:
    found = []
    if any(s in err for s in ("Traceback", "Fatal Python", "Exception ignored")):
        found.append("traceback")
    if signum == signal.SIGPIPE and code != 0:
        found.append(f"exit {code} after SIGPIPE")
    elif signum != signal.SIGPIPE and sent and code not in (0, 128 + signum):
        found.append(f"exit {code}")
    left = [p.name for p in home.iterdir() if p.name not in ("log.jsonl", ".local", ".cache")]
    if left:
        found.append(f"leftovers {left}")
    db = home / ".local/share/voicecoach/history.db"
    if db.exists():
        try:
            conn = sqlite3.connect(db)
            check = conn.execute("PRAGMA integrity_check").fetchone()[0]
            conn.close()
            if check != "ok":
                found.append(f"history: {check}")
        except sqlite3.Error as exc:
            found.append(f"history: {exc}")
    if log.exists():
        lines = log.read_text().splitlines()
        try:
            if not lines or json.loads(lines[-1]).get("type") != "end":
                found.append("the log has no end")
        except ValueError:
            found.append("the log's last line is not JSON")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    base = Path(tempfile.mkdtemp(prefix="signal-replays-"))
    track = base / "track.wav"
    subprocess.run(
        [sys.executable, str(ROOT / "bench/make_session_track.py"), "--commands",
         "5:ready,12:pause,15:resume", "--length", "30", "--out", str(track)],
        check=True, capture_output=True,
    )  # fmt: skip
    kinds = {
        "text": (TEXT, 1.3),
        "listen": (
            [
                *TEXT[:3],
                "--quiet-screen",
                "--record",
                "--listen-file",
                str(track),
                "--engine",
                "pocketsphinx",
            ],
            3.5,
        ),
        "resume": ([*TEXT, "--resume"], 1.3),
    }
    tally: collections.Counter[str] = collections.Counter()
    bad = []
    for i in range(args.runs):
        kind = rng.choice(list(kinds))
        argv, span = kinds[kind]
        home = Path(tempfile.mkdtemp(prefix="run-", dir=base))
        env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(ROOT)}
        for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
            env.pop(name, None)
        command = [sys.executable, "-m", "voicecoach"]
        if kind == "resume":  # an unfinished session to resume first
            quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
            first = subprocess.Popen([*command, *TEXT], env=env, cwd="/tmp", **quiet)
            time.sleep(1.0)
            first.send_signal(signal.SIGINT)
            first.wait()
        log = home / "log.jsonl"
        signum, at = rng.choice(SIGNALS), rng.uniform(0, span)
        run = subprocess.Popen([*command, *argv, "--log", str(log)], env=env, cwd="/tmp",
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        time.sleep(at)
        sent = run.poll() is None
        caught = handled(run.pid, signum) if sent else None
        if sent:
            run.send_signal(signum)
        try:
            _, raw = run.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            run.kill()
            run.communicate()
            tally["hang"] += 1
            bad.append((i, kind, signal.Signals(signum).name, round(at, 3), "hang"))
            continue
        err, code = raw.decode(errors="replace"), run.returncode
        tally["runs"] += 1
        if caught is False and code == -signum:
            tally["outside the handlers: killed by the signal"] += 1
        elif code == 2 and "no unfinished session" in err:
            tally["resume: nothing to resume yet"] += 1
        else:
            tally[f"{kind}: {'signalled' if sent else 'ended first'}"] += 1
            found = problems(home, log, signum, sent, code, err)
            if found:
                tally["bad"] += 1
                bad.append((i, kind, signal.Signals(signum).name, round(at, 3), code, found))
        subprocess.run(["rm", "-rf", str(home)])
    subprocess.run(["rm", "-rf", str(base)])
    print(dict(tally))
    for row in bad:
        print(row)


if __name__ == "__main__":
    main()
