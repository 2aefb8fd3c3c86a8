"""An outside tester's pass over the command line: every subcommand with hostile option
values, paths (too long, folders, FIFOs, binary files, /dev/null, /dev/full), environments
(TERM=dumb, COLUMNS=5, LANG=C, a legacy stdout encoding, a closed or full stdout, a broken
pipe), and state (an XDG folder that is a file or too long, a read-only or full HOME when
`--mounts` may mount tmpfs, a config file that is binary, a FIFO, a folder or huge, a
history that is damaged, another program's, a FIFO or newer).

    python bench/hostile_cli.py [--only args|env|state] [--mounts]

Each case runs `python -m voicecoach ...` in a fresh HOME with a 90 s limit (stdout
buffered: no PYTHONUNBUFFERED). A case is bad when it exits 1 (the bug code) or 120 (Python's
last flush failed), is killed, hangs, or prints a traceback or "Exception ignored". Prints one line
per case and the count; writes bench/out/hostile_cli.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
P = f"{sys.executable} -m voicecoach"
R = "behind-knee"
S = ["start", R, "--fast", "--text", "--quiet-screen", "--no-history"]
LONG = "/tmp/" + "x/" * 3000 + "a"


def files(d: Path) -> Path:
    """Odd files: FIFO, folders, binary, empty, truncated and odd WAVs."""
    d.mkdir(parents=True, exist_ok=True)
    os.mkfifo(d / "fifo")
    (d / "adir").mkdir()
    (d / "adir.toml").mkdir()
    (d / "bin.toml").write_bytes(os.urandom(5000))
    (d / "bin.wav").write_bytes(os.urandom(5000))
    (d / "empty.toml").touch()
    (d / "empty.wav").touch()
    (d / "trunc.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt ")
    for name, channels, width, rate, frames in [
        ("stereo8k.wav", 2, 1, 8000, 8000),
        ("zero.wav", 1, 2, 16000, 0),
        ("hi.wav", 1, 4, 192000, 100000),
        ("ok.wav", 1, 2, 16000, 16000),
    ]:
        with wave.open(str(d / name), "wb") as w:
            w.setnchannels(channels)
            w.setsampwidth(width)
            w.setframerate(rate)
            w.writeframes(b"\x00" * channels * width * frames)
    (d / "cut.wav").write_bytes((d / "ok.wav").read_bytes()[:100])
    return d


def arg_cases(f: Path) -> list[list[str]]:
    cases: list[list[str]] = []
    for name in ["", " ", "é" * 300, "a" * 5000, "../../etc/passwd", "/", "/dev/null",
                 f"{f}/fifo", f"{f}/adir", f"{f}/adir.toml", f"{f}/bin.toml", f"{f}/empty.toml",
                 "/nonexist/x.toml", "-", "~", ".toml", f"{f}/ok.wav", "/proc/self/mem",
                 "x/" * 3000 + "a.toml", "na\tme"]:  # fmt: skip
        cases += [["show", name], ["validate", name], ["start", name, *S[2:]]]
    for v in ["nan", "inf", "-inf", "-1", "0", "1e308", "1e-300", "-0", "", "abc", "1" * 400]:
        cases += [
            [*S, "--ready-timeout", v], [*S, "--minutes", v], [*S, "--volume", v],
            [*S, "--echo", v, "--listen-file", f"{f}/ok.wav"], [*S, "--rate", v],
            ["check", "--seconds", v], ["history", "--limit", v],
            ["eval", f"{f}/adir", "--limit", v],
        ]  # fmt: skip
    cases += [["history", "--today", d] for d in ["", "1999-02-30", "0001-01-01", "9999-12-31"]]
    cases += [[*S, "--from", x] for x in ["", "nope", "é", "0", "-1", "999", "toe-walking"]]
    for w in ["empty.wav", "trunc.wav", "cut.wav", "bin.wav", "zero.wav", "stereo8k.wav",
              "hi.wav", "fifo", "adir", "nonexist.wav"]:  # fmt: skip
        cases.append([*S, "--listen-file", f"{f}/{w}", "--engine", "pocketsphinx"])
    for out in ["/dev/null", f"{f}/adir", f"{f}/fifo", "/nonexist/x.log", "", "/dev/full", LONG]:
        cases += [[*S, "--log", out], [*S, "--speak-file", out]]
    for v in ["", "zzz", "\x01", "é"]:
        cases += [[*S, "--voice", v], [*S, "--device", v], ["voices", v]]
    for m in ["", f"{f}/adir", f"{f}/bin.wav", "/nonexist", "/dev/null", LONG]:
        cases += [[*S, "--model", m, "--engine", "vosk", "--listen-file", f"{f}/ok.wav"]]
        cases += [["eval", f"{f}/adir", "--model", m], ["check", "--model", m, "--seconds", "0.2"]]
    cases += [
        ["eval", d] for d in ["", f"{f}/adir", f"{f}/bin.wav", "/nonexist", f"{f}/fifo", LONG]
    ]
    cases += [["model", "path"], ["model", "zzz"], ["config", "--path"], ["schema"], ["list"]]
    cases += [["--bogus"], [], ["start"], ["zz"], ["history", "", "--json"]]
    return cases


COMMANDS = ["list", "show behind-knee", "validate", "schema", "config", "history",
            "history --json", "voices", "model", f"{' '.join(S)}", "start behind-knee --fast "
            "--no-history", "check --seconds 0.5"]  # fmt: skip
ENVS = [{"TERM": "dumb"}, {"COLUMNS": "5"}, {"COLUMNS": "0", "LINES": "0"}, {"COLUMNS": "abc"},
        {"LANG": "C", "LC_ALL": "C"}, {"NO_COLOR": "1", "TERM": "xterm-256color"},
        {"PYTHONIOENCODING": "ascii"}, {"PYTHONIOENCODING": "latin-1"}]  # fmt: skip


def env_cases() -> list[tuple[str, dict[str, str]]]:
    cases = []
    for c in COMMANDS:
        for redirect in [">&-", "2>&- >&-", "| head -c1", "<&- | head -1", "> /dev/full"]:
            cases.append((f"{P} {c} {redirect}", {}))
        cases += [(f"{P} {c}", env) for env in ENVS]
    return cases


def state_cases(b: Path, f: Path, mounts: bool) -> list[tuple[str, dict[str, str]]]:
    cases: list[tuple[str, dict[str, str]]] = []
    run = [" ".join(S), " ".join(S[:-1]) + " --record", " ".join(S[:-1]) + " --resume",
           "history", "config", "list", "validate", "show behind-knee"]  # fmt: skip

    def each(setup: dict[str, str], commands: list[str]) -> None:
        cases.extend((f"{P} {c}", setup) for c in commands)

    for var in ["HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"]:
        for value in [LONG, f"{f}/ok.wav", "/dev/null"]:
            each({var: value}, run)
    if mounts:  # a read-only HOME and a full one (root only)
        for name, options in [("ro", "ro,size=64k"), ("full", "size=64k")]:
            (b / name).mkdir()
            subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(b / name)])
        subprocess.run(["dd", "if=/dev/zero", f"of={b}/full/fill", "bs=1k", "count=64"],
                       capture_output=True)  # fmt: skip
        each({"HOME": f"{b}/ro"}, run)
        each({"HOME": f"{b}/full"}, [*run, f"{' '.join(S)} --speak-file {b}/full/c.wav"])
    configs = ["rate = 'fast'", "voice = [[[[[[[]]]]]]]", "[[[", "rate = 1e999", "volume = nan",
               "ready_timeout = inf", "ready_timeout = -1", "rate = 99999999999999999999",
               "engine = 'zz'", "screen = 'yes'", "a" * 2000000, "[voice]\nx=1",
               "model = '/nonexist'", "input_device = ''", "output_device = 99999"]  # fmt: skip
    for i, text in enumerate([*configs, "binary", "folder", "fifo"]):
        folder = b / f"cfg{i}" / ".config" / "voicecoach"
        folder.mkdir(parents=True)
        if text == "binary":
            (folder / "config.toml").write_bytes(b"\x00\xff\xfe" + os.urandom(100))
        elif text == "folder":
            (folder / "config.toml").mkdir()
        elif text == "fifo":
            os.mkfifo(folder / "config.toml")
        else:
            (folder / "config.toml").write_text(text)
        each({"HOME": str(b / f"cfg{i}")}, ["config", " ".join(S), "check --seconds 0.2"])
    for i, kind in enumerate(
        ["empty", "garbage", "header", "folder", "fifo", "other", "wrong", "newer"]
    ):
        home = b / f"hist{i}"
        folder = home / ".local" / "share" / "voicecoach"
        folder.mkdir(parents=True)
        path = folder / "history.db"
        if kind in ("empty", "garbage", "header"):
            header = b"SQLite format 3\x00" + os.urandom(5000)
            path.write_bytes({"empty": b"", "garbage": b"garbage" * 100, "header": header}[kind])
        elif kind == "folder":
            path.mkdir()
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            c = sqlite3.connect(path)
            if kind in ("other", "wrong"):
                c.execute("CREATE TABLE sessions (x)")
            c.execute(f"PRAGMA user_version = {dict(other=0, wrong=1, newer=999)[kind]}")
            c.commit()
            c.close()
        each({"HOME": str(home)}, ["history", "history --json", " ".join(S[:-1]) + " --record",
                                   " ".join(S[:-1]) + " --resume"])  # fmt: skip
    return cases


def run_case(command: str, env: dict[str, str]) -> dict[str, object]:
    home = tempfile.mkdtemp(prefix="hostile-home-")
    environment = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "HOME": home,
                   "LANG": "C.UTF-8", **env}  # fmt: skip
    try:
        done = subprocess.run(command, shell=True, env=environment, capture_output=True,
                              timeout=90, cwd="/tmp", stdin=subprocess.DEVNULL)  # fmt: skip
        code: object = done.returncode
        text = (done.stdout + done.stderr).decode(errors="replace")
    except subprocess.TimeoutExpired:
        code, text = "hang", ""
    finally:
        subprocess.run(["rm", "-rf", home])
    bad = (
        code in ("hang", 1, 120)  # 120: Python's own last flush of stdout failed
        or (isinstance(code, int) and code < 0)
        or "Traceback" in text
        or "Exception ignored" in text
    )
    return {"command": command[:300], "env": env and {k: v[:80] for k, v in env.items()},
            "code": code, "bad": bad, "tail": text[-400:] if bad else ""}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["args", "env", "state"])
    parser.add_argument("--mounts", action="store_true", help="mount tmpfs (needs root)")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="hostile-"))
    f = files(base / "files")
    cases: list[tuple[str, dict[str, str]]] = []
    if args.only in (None, "args"):
        cases += [(" ".join([P, *(subprocess.list2cmdline([a]) if a else "''" for a in argv)]), {})
                  for argv in arg_cases(f)]  # fmt: skip
    if args.only in (None, "env"):
        cases += env_cases()
    if args.only in (None, "state"):
        cases += state_cases(base, f, args.mounts)
    results = []
    try:
        for command, env in cases:
            found = run_case(command, env)
            results.append(found)
            print(
                ("BAD " if found["bad"] else "ok  ")
                + f"{found['code']!s:>4} {command[:140]} {env or ''}"[:200],
                flush=True,
            )
            if found["bad"]:
                print("    " + str(found["tail"]).replace("\n", "\n    "), flush=True)
    finally:
        if args.mounts:
            for name in ("ro", "full"):
                subprocess.run(["umount", str(base / name)], capture_output=True)
        subprocess.run(["rm", "-rf", str(base)])
    bad = sum(bool(r["bad"]) for r in results)
    print(f"{len(results)} cases, {bad} bad")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "hostile_cli.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
