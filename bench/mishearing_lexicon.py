"""A lexicon of Whisper's mishearings learned on DEV decodes, judged on unseen voices.

    python bench/mishearing_lexicon.py bench/out/tune/whisper.jsonl [--splits 3]

Reads the rows of `bench/tune_whisper.py` (every decoded utterance with PocketSphinx's
forced choice recorded, as `tune_whisper.collect` does). A transcript that is no command
but that Whisper wrote for clips of one command only, and never on a null clip, is
learned as that command. Where the adopted rule fires nothing, a learned transcript then
fires its command (with or without PocketSphinx's forced choice agreeing). Cross-
validated by voice: half of the voices learn, the other half are judged, both ways, for
`--splits` random halvings. Not adopted (bench/RESULTS.md, sixth pass).
"""

from __future__ import annotations

import argparse
import functools
import json
import random
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import tune_whisper as tw

from voicecoach.ears import phrases
from voicecoach.ears.whisper_rec import Hypothesis, WhisperSettings, transcript, verdict

ADOPTED = WhisperSettings()


def learn(train: list[dict[str, Any]], min_clips: int, scope: str) -> dict[str, str]:
    """transcript -> command, from the clips in `train`."""
    by_command: dict[str, Counter[str]] = defaultdict(Counter)
    on_null: Counter[str] = Counter()
    for row in train:
        seen = set()
        for u in row["utts"]:
            if "hyps" not in u:
                continue
            hyps = u["hyps"][:1] if scope == "best" else u["hyps"]
            seen |= {t for t in (transcript(h[0]) for h in hyps) if t and not tw._match(t, 1)}
        for t in seen:
            if row["expect"]:
                by_command[t][row["expect"]] += 1
            else:
                on_null[t] += 1
    lexicon = {}
    for t, counts in by_command.items():
        command, n = counts.most_common(1)[0]
        if n >= min_clips and not on_null[t] and n == sum(counts.values()):
            lexicon[t] = command
    return lexicon


def fired(row: dict[str, Any], lexicon: dict[str, str], rule: tuple[str, bool]) -> list[str]:
    scope, confirmed = rule
    out = []
    for u in row["utts"]:
        if "hyps" not in u:
            continue
        hyps = [Hypothesis(t, sc, tw._match(transcript(t), 0)) for t, sc in u["hyps"]]
        forced = u.get("forced")
        ask = None if forced is None else functools.partial(tw._opinion, forced)
        intent, _, _, _ = verdict(hyps, u["no_speech"], ADOPTED, ask)
        named = str(intent) if intent is not None else None
        if named is None and u["no_speech"] <= ADOPTED.confirm_max_no_speech:
            for text, _ in u["hyps"][:1] if scope == "best" else u["hyps"]:
                command = lexicon.get(transcript(text))
                if command is not None:
                    agree = (
                        forced is not None
                        and str(tw._match(forced, phrases.MAX_EXTRA_WORDS)) == command
                    )
                    named = command if agree or not confirmed else None
                    break
        if named is not None:
            out.append(named)
    return out


def score(
    rows: list[dict[str, Any]], lexicon: dict[str, str], rule: tuple[str, bool]
) -> Counter[str]:
    c: Counter[str] = Counter()
    for row in rows:
        heard = fired(row, lexicon, rule)
        hit = row["expect"] is not None and row["expect"] in heard
        c["commands"] += row["expect"] is not None
        c["heard"] += hit
        c["fa"] += len(heard) - hit
        c["fa_talk"] += 0 if row["expect"] else len(heard)
    return c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("rows", help="a bench/tune_whisper.py --out file of dev decodes")
    ap.add_argument("--clips", default="bench/out/clips/dev", help="their clips (voices)")
    ap.add_argument("--splits", type=int, default=3)
    args = ap.parse_args()
    rows = [json.loads(line) for line in Path(args.rows).read_text().splitlines()]
    manifest = Path(args.clips, "manifest.jsonl").read_text().splitlines()
    for row, line in zip(rows, manifest, strict=True):
        row["voice"] = json.loads(line)["voice"]
    voices = sorted({r["voice"] for r in rows})
    base = score(rows, {}, ("best", True))
    print(
        f"adopted: {base['heard']}/{base['commands']}, FA {base['fa']} ({base['fa_talk']} on talk)"
    )
    for min_clips in (1, 2):
        for rule in (("best", True), ("any", True), ("best", False), ("any", False)):
            total: Counter[str] = Counter()
            for seed in range(args.splits):
                shuffled = voices[:]
                random.Random(seed).shuffle(shuffled)
                half = set(shuffled[: len(shuffled) // 2])
                for fold in (True, False):
                    train = [r for r in rows if (r["voice"] in half) == fold]
                    test = [r for r in rows if (r["voice"] in half) != fold]
                    total += score(test, learn(train, min_clips, rule[0]), rule)
            print(
                f"seen in >= {min_clips} clips, {rule[0]:4s}, confirmed {rule[1]!s:5s}: "
                f"{100 * total['heard'] / total['commands']:.1f} % heard, "
                f"FA {total['fa']} ({total['fa_talk']} on talk) over {args.splits} splits x 2 folds"
            )
    print("learned on all:", sorted(learn(rows, 2, "best").items()))


if __name__ == "__main__":
    main()
