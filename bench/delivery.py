"""The coach's delivery in time, as heard by a person lying on the floor.

Runs each packaged routine as a `--fast` replay (`--text`, or `--speak`: espeak-ng's real
speech rendered onto the session timeline with `--speak-file`) and measures from the log's
`say`, `cue` and `state` records:

- first move: seconds from the start to the first "Go" or "Hold";
- reps: per exercise, the interval between spoken counts against the step's tempo, how late
  a count came against its even beat (late: waited for other speech), and how much of the
  beat the count word fills;
- holds: "Hold" to "Release" against the hold's seconds; in holds counted down, whether
  each "3, 2, 1" word starts on its second and ends before the next; a cue said in a hold
  that delays the release;
- timed work: "Go" to its end; marks ("Halfway", "N minutes left") dropped because the
  coach was still talking;
- rests: seconds of talk in each rest against its seconds; rests whose talk is longer than
  the rest;
- the longest monologue (speech with gaps under 0.3 s) and the lines said most often.

    python bench/delivery.py                 # text voice (the speech-length model)
    python bench/delivery.py --speak         # espeak-ng's real durations (--speak-file)
    python bench/delivery.py --routine behind-knee --details

Figures: bench/RESULTS.md, "Delivery in time".
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voicecoach import catalog, plan

ROUTINES = ["back-hip-knee", "back-hip-knee-20", "behind-knee", "ground-up", "knee-strength"]
COUNT = re.compile(r"^(?:.*, )?(\d+)$|^(\d+) more$|^(\d+), last one$")
MONOLOGUE_GAP = 0.3  # s: speech with shorter gaps is one stretch of talk
# the lines of rhythm, said often on purpose: not counted as repeated talk
RHYTHM = re.compile(
    r"^(\d+|\d+ more|\d+, last one|Go|Hold|Release(\. \d+ of \d+)?|Starting in 3|Halfway|"
    r"\d+ seconds left|.*, \d+|[A-Za-z]+)$"
)


@dataclass
class Report:
    routine: str
    length: float = 0.0
    first_move: float = 0.0
    reps: dict[str, dict[str, Any]] = field(default_factory=dict)
    holds: dict[str, dict[str, Any]] = field(default_factory=dict)
    timed: dict[str, dict[str, Any]] = field(default_factory=dict)
    rests: list[dict[str, Any]] = field(default_factory=list)
    monologue: tuple[float, float, str] = (0.0, 0.0, "")
    later_monologue: tuple[float, float, str] = (0.0, 0.0, "")
    repeated: list[tuple[str, int]] = field(default_factory=list)
    overlaps: int = 0


def run(routine: str, speak: bool, folder: Path) -> list[dict[str, Any]]:
    log = folder / f"{routine}.jsonl"
    cmd = [sys.executable, "-m", "voicecoach", "start", routine, "--fast", "--log", str(log)]
    cmd += ["--speak-file", str(folder / f"{routine}.wav")] if speak else ["--text"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=os.environ.copy())
    return [json.loads(line) for line in log.read_text().splitlines()]


def segments(records: list[dict[str, Any]]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(state record, the say/cue records until the next state record)."""
    out: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    for r in records:
        if r["type"] == "state":
            out.append((r, []))
        elif r["type"] in ("say", "cue") and out:
            out[-1][1].append(r)
    return out


def along(st: plan.Step, routine: str) -> list[str]:
    """The count-along words of step `st`'s rep ("Down", "two", ...), if any."""
    work = catalog.find(routine).exercises[st.exercise].step_works()[st.part]
    return list(getattr(work, "count_along", []))


def measure(routine: str, records: list[dict[str, Any]]) -> Report:
    steps = plan.steps(catalog.find(routine))
    rep = Report(routine)
    says = [r for r in records if r["type"] == "say"]
    end = next(r for r in records if r["type"] == "end")
    rep.length = end["t"]
    rep.first_move = next(
        r["t"] for r in records if r["type"] == "state" and r["phase"] in ("work", "hold")
    )
    names = {i: ex.name for i, ex in enumerate(catalog.find(routine).exercises)}
    # overlaps: a sound that starts before the one before it ends
    sounds = sorted((r for r in records if r["type"] in ("say", "cue")), key=lambda r: r["t"])
    rep.overlaps = sum(
        1 for a, b in itertools.pairwise(sounds) if b["t"] < a["t"] + a["duration"] - 0.01
    )
    # group the sounds by step and phase
    by: dict[tuple[int, str], list[dict[str, Any]]] = collections.defaultdict(list)
    starts: dict[tuple[int, str], float] = {}
    for state, recs in segments(records):
        if state["step"] is None:
            continue
        key = (state["step"], state["phase"])
        starts.setdefault(key, state["t"])
        by[key].extend(recs)
    for (q, phase), recs in by.items():
        st = steps[q]
        name = names[st.exercise]
        if phase == "work" and st.kind == "reps":
            counts = [
                (r["t"], r)
                for r in recs
                if (r["type"] == "say" and COUNT.match(r["text"]))
                or (r["type"] == "cue" and r["name"] == "hold_end")
            ]
            # the reps start when the words that open them end ("Go", or the label of a
            # set's second part, said over its start): the first count is a beat later
            first = counts[0][0] if counts else float("inf")
            opening = [
                r
                for r in recs
                if r["type"] == "say"
                and r["t"] < first
                and not COUNT.match(r["text"])
                and r["text"] not in along(st, routine)
            ]
            t0 = max([starts[(q, phase)], *(r["t"] + r["duration"] for r in opening)])
            if opening and opening[-1]["text"] == "Go":
                t0 = opening[-1]["t"]  # "Go" is the beat the reps start on
            words = along(st, routine)
            # a count-along's rep number comes with its last word, a slot before the beat
            base = t0 - (st.tempo / len(words) if words else 0.0)
            times = [base] + [t for t, _ in counts]
            gaps = [b - a for a, b in itertools.pairwise(times)]
            d = rep.reps.setdefault(
                name,
                {
                    "tempo": st.tempo,
                    "reps": st.reps,
                    "gaps": [],
                    "fill": [],
                    "late": [],
                    "words": collections.Counter(),
                },
            )
            d["gaps"] += gaps
            d["fill"] += [r["duration"] / st.tempo for _, r in counts]
            beats = [base + st.tempo * (k + 1) for k in range(len(counts))]
            d["late"] += [t - b for (t, _), b in zip(counts, beats, strict=False)]
            d["grouped"] = len(counts) < st.reps
            if words:  # the count-along: each word in its slot, none pushing the next
                slot = st.tempo / len(words)
                said = [
                    r
                    for r in recs
                    if r["type"] == "say"
                    and r["t"] >= t0 - 0.01
                    and (r["text"] in words or COUNT.match(r["text"]))
                ]
                d.setdefault("slot", slot)
                d.setdefault("over", []).extend(r["duration"] - slot for r in said)
                d.setdefault("drift", []).extend(
                    r["t"] - (t0 + k * slot) for k, r in enumerate(said)
                )
            d["words"].update(r["text"] for r in recs if r["type"] == "say")
        elif phase == "hold":
            d = rep.holds.setdefault(
                name,
                {
                    "hold": st.hold,
                    "reps": st.reps,
                    "lengths": [],
                    "count_bad": 0,
                    "counted": 0,
                    "said_in_hold": collections.Counter(),
                },
            )
            held: float | None = None
            count: list[dict[str, Any]] = []
            for r in recs:
                if r["type"] != "say":
                    continue
                if r["text"] == "Hold":
                    held, count = r["t"], []
                elif r["text"].startswith("Release") and held is not None:
                    d["lengths"].append(r["t"] - held)
                    if count:
                        d["counted"] += 1
                        # each word on its second, ending before the next second
                        for c in count:
                            k = int(c["text"])
                            due = r["t"] - k if abs(r["t"] - held - st.hold) < 0.05 else None
                            if due is None or abs(c["t"] - due) > 0.05 or c["duration"] > 0.95:
                                d["count_bad"] += 1
                    held = None
                elif held is not None and r["text"].isdigit():
                    count.append(r)
                elif held is not None:
                    d["said_in_hold"][r["text"]] += 1
        elif phase == "work" and st.kind == "timed":
            d = rep.timed.setdefault(name, {"seconds": st.seconds, "lengths": [], "said": []})
            d["said"] += [
                (round(r["t"] - starts[(q, phase)], 1), r["text"])
                for r in recs
                if r["type"] == "say"
            ]
        elif phase == "rest":
            talk = sum(r["duration"] for r in recs if r["type"] == "say")
            nxt = starts.get((q + 1, "work"), starts.get((q + 1, "hold")))
            if q > 0 and (q, "rest") in starts:
                pass
            rep.rests.append(
                {
                    "exercise": name,
                    "rest": st.rest_after,
                    "talk": round(talk, 1),
                    "reason": st.rest_reason,
                    "span": round((nxt or 0) - starts[(q, phase)], 1) if nxt else None,
                }
            )
    rep.monologue = longest_talk(says)
    rep.later_monologue = longest_talk([r for r in says if r["t"] > rep.first_move])
    lines = collections.Counter(r["text"] for r in says if not RHYTHM.match(r["text"]))
    rep.repeated = [(t, n) for t, n in lines.most_common(5) if n >= 3]
    return rep


def longest_talk(says: list[dict[str, Any]]) -> tuple[float, float, str]:
    """(seconds, start, first line) of the longest stretch of speech with short gaps."""
    best: tuple[float, float, str] = (0.0, 0.0, "")
    start: float | None = None
    end, first = 0.0, ""
    for r in says:
        if start is None or r["t"] > end + MONOLOGUE_GAP:
            start, first = r["t"], r["text"]
        end = max(end, r["t"] + r["duration"])
        if end - start > best[0]:
            best = (end - start, start, first)
    return best


def mmss(t: float) -> str:
    return f"{int(t // 60)}:{int(t % 60):02d}"


def show(rep: Report, details: bool) -> None:
    print(
        f"## {rep.routine}: {mmss(rep.length)} long, first move at {rep.first_move:.1f} s, "
        f"overlapping sounds {rep.overlaps}"
    )
    for name, d in rep.reps.items():
        g = d["gaps"] or [0.0]
        if d.get("grouped"):
            print(
                f"  reps  {name}: {d['reps']} at {d['tempo']:.2f} s, counted in groups: "
                f"gaps {min(g):.2f}-{max(g):.2f} s, latest +{max(d['late']):.2f} s"
            )
            continue
        print(
            f"  reps  {name}: tempo {d['tempo']:.2f} s, count gap median "
            f"{statistics.median(g):.2f} (min {min(g):.2f}, max {max(g):.2f}), "
            f"latest count +{max(d['late']):.2f} s, count word fills "
            f"{max(d['fill']) * 100:.0f}% of a beat at most"
        )
        if "slot" in d:
            print(
                f"        count-along: {d['slot']:.2f} s a word, longest word overruns its "
                f"slot by {max(d['over']):.2f} s, words drift up to {max(d['drift']):.2f} s "
                f"late in a set"
            )
        if details:
            print("        said:", dict(d["words"].most_common(8)))
    for name, d in rep.holds.items():
        ls = d["lengths"]
        print(
            f"  holds {name}: {d['hold']:.0f} s asked, heard {min(ls):.2f}-{max(ls):.2f} s, "
            f"counted down {d['counted']} of {len(ls)}, count words off their second "
            f"{d['count_bad']}; said inside: {dict(d['said_in_hold'])}"
        )
    for name, d in rep.timed.items():
        marks = [s for s in d["said"]]
        print(f"  timed {name}: {d['seconds']:.0f} s; said in it: {marks[:8]}")
    over = [r for r in rep.rests if r["talk"] > r["rest"]]
    total_rest = sum(r["rest"] for r in rep.rests)
    total_talk = sum(r["talk"] for r in rep.rests)
    print(
        f"  rests: {len(rep.rests)}, {total_rest:.0f} s asked, {total_talk:.0f} s of talk in "
        f"them; talk longer than the rest in {len(over)}"
    )
    if details:
        for r in rep.rests:
            print(f"        {r}")
    m = rep.monologue
    print(f"  longest monologue {m[0]:.1f} s at {mmss(m[1])}: {m[2][:70]!r}")
    m = rep.later_monologue
    print(f"  after the first move: {m[0]:.1f} s at {mmss(m[1])}: {m[2][:70]!r}")
    print(f"  lines said 3 times or more: {rep.repeated}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--speak", action="store_true", help="espeak-ng's real speech")
    parser.add_argument("--routine", action="append", help="only this routine (repeatable)")
    parser.add_argument("--details", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep the logs (and WAVs) in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for routine in args.routine or ROUTINES:
            show(measure(routine, run(routine, args.speak, folder)), args.details)


if __name__ == "__main__":
    main()
