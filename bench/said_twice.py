"""A command said twice: would remembering a weak first hearing help? DEV decodes only.

    python bench/said_twice.py bench/out/tune/whisper.jsonl

Reads the rows of `bench/tune_whisper.py` (PocketSphinx's forced choice recorded). An
utterance is "weak" for a command when the adopted rule does not fire but Whisper's N-best
(its best hypothesis, or its top 5) names the command at or above a log-probability, with
a no-speech probability at most a bound. Over every ordered pair of dev clips in which one
voice says one command, the command counts as heard within two tries when either clip
fires, or (with the memory) both are weak for it. Not adopted (bench/RESULTS.md, seventh
pass).
"""

from __future__ import annotations

import collections
import functools
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import tune_whisper as tw

from voicecoach.ears.whisper_rec import Hypothesis, WhisperSettings, transcript, verdict

ADOPTED = WhisperSettings()
WEAK = [(-1.5, 0.3, 1), (-2.0, 0.6, 1), (-1.5, 0.3, 5), (-2.0, 0.6, 5), (-3.0, 1.0, 5)]


def status(u: dict[str, Any], lp: float, ns: float, top: int) -> tuple[str | None, set[str]]:
    if "hyps" not in u:
        return None, set()
    hyps = [Hypothesis(t, sc, tw._match(transcript(t), ADOPTED.max_extra)) for t, sc in u["hyps"]]
    ask = functools.partial(tw._opinion, u["forced"]) if u.get("forced") else None
    fired = verdict(hyps, u["no_speech"], ADOPTED, ask)[0]
    if fired is not None:
        return "fire", {str(fired)}
    if u["no_speech"] > ns:
        return None, set()
    return "weak", {str(h.intent) for h in hyps[:top] if h.intent is not None and h.score >= lp}


def main() -> None:
    rows = [json.loads(line) for line in Path(sys.argv[1]).read_text().splitlines()]
    null_h = sum(r["duration"] for r in rows if not r["expect"]) / 3600
    for lp, ns, top in WEAK:
        on_talk, ends, per = 0, collections.Counter(), collections.defaultdict(list)
        for r in rows:
            heard = [status(u, lp, ns, top) for u in r["utts"]]
            if not r["expect"]:
                on_talk += sum(len(x) for s, x in heard if s == "weak")
                continue
            end = "miss"
            for kind in ("weak", "fire"):
                if any(s == kind and r["expect"] in x for s, x in heard):
                    end = kind
            ends[end] += 1
            per[(r["voice"], r["expect"])].append(end)
        pairs = [p for ends_of in per.values() for p in itertools.permutations(ends_of, 2)]
        plain = sum("fire" in p for p in pairs) / len(pairs)
        memory = sum("fire" in p or p == ("weak", "weak") for p in pairs) / len(pairs)
        print(
            f"weak = log-prob >= {lp}, no-speech <= {ns}, top {top}: "
            f"{100 * ends['weak'] / sum(ends.values()):.1f} % of command clips weak, "
            f"{on_talk / null_h:.1f}/h weak on talk; within two tries "
            f"{100 * plain:.1f} % -> {100 * memory:.1f} % ({len(pairs)} same-voice pairs)"
        )


if __name__ == "__main__":
    main()
