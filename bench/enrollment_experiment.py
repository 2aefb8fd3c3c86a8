"""Would a user's own mishearings, learned from one enrollment take per phrase, help? DEV only.

    python bench/enrollment_experiment.py takes bench/out/tune/enroll.jsonl [--voices 23]
    python bench/enrollment_experiment.py judge bench/out/tune/enroll.jsonl \
        --whisper bench/out/tune/whisper.jsonl

`takes`: each dev voice (an espeak-ng voice+variant; the dev clips vary its speed, pitch
and perturbation per clip) says every command phrase once, clean, in a quiet room, at
espeak-ng's speed 165 and pitch 50; Whisper decodes it with the adopted settings.
`judge`: where Whisper heard a take as no command at all, what it wrote (fillers and asides
dropped, at most N words, no other command inside) becomes that voice's alias for the
phrase's command; the dev clips of the enrolled voices (rows of `bench/tune_whisper.py`)
are judged again with the adopted rule and each voice's aliases.
Not adopted (bench/RESULTS.md, seventh pass).
"""

from __future__ import annotations

import argparse
import collections
import functools
import json
from pathlib import Path
from typing import Any

import make_clips as mc
import numpy as np
import tune_whisper as tw

from voicecoach.ears import phrases
from voicecoach.ears.whisper_rec import Hypothesis, WhisperSettings, _model, transcript, verdict
from voicecoach.intents import Intent

ADOPTED = WhisperSettings()
SKIP = set(phrases.FILLERS) | set(phrases.ASIDES)


def takes(args: argparse.Namespace) -> None:
    model = _model(1)
    manifest = Path("bench/out/clips/dev/manifest.jsonl").read_text().splitlines()
    voices = sorted({json.loads(line)["voice"] for line in manifest})[: args.voices]
    rng = np.random.default_rng(7)
    with open(args.file, "w") as f:
        for voice in voices:
            for intent, said in phrases.PHRASES.items():
                for phrase in said:
                    x = mc.synth(voice, 165, 50, phrase)
                    x = x * (10 ** (-22 / 20) / (mc.active_rms(x) + 1e-9))
                    room = mc.noise_floor(rng, len(x) + 8000)
                    room[3200 : 3200 + len(x)] += x
                    pad = np.zeros(round(ADOPTED.pad * 16000), np.float32)
                    hyps, no_speech = model.decode(np.concatenate([room, pad]), ADOPTED)
                    row = {"voice": voice, "phrase": phrase, "intent": str(intent)}
                    row |= {"hyps": [(h.text, h.score) for h in hyps], "no_speech": no_speech}
                    f.write(json.dumps(row) + "\n")


def core(text: str) -> tuple[str, ...]:
    return tuple(w for w in phrases.words(transcript(text)) if w not in SKIP)


def learn(voice_takes: list[dict[str, Any]], scope: str, max_words: int) -> dict[tuple, str]:
    """alias words -> command, from one voice's takes (ambiguous aliases dropped)."""
    aliases: dict[tuple, str] = {}
    clash = set()
    for take in voice_takes:
        for text, _ in take["hyps"] if scope == "N-best" else take["hyps"][:1]:
            words = core(text)
            if phrases.match(transcript(text), 0) is not None or not words:
                continue  # heard as a command already (right or wrong), or nothing
            if len(words) > max_words or phrases.match(transcript(text), 2) is not None:
                continue
            if aliases.get(words, take["intent"]) != take["intent"]:
                clash.add(words)
            aliases[words] = take["intent"]
    return {k: v for k, v in aliases.items() if k not in clash}


def score(rows: list[dict[str, Any]], aliases: dict[str, dict[tuple, str]]) -> str:
    n = sum(1 for r in rows if r["expect"])
    null_h = sum(r["duration"] for r in rows if not r["expect"]) / 3600
    heard = fa = talk = 0
    for r in rows:
        own = aliases.get(r["voice"], {})
        fired = []
        for u in r["utts"]:
            if "hyps" not in u:
                continue
            hyps = []
            for text, sc in u["hyps"]:
                intent = tw._match(transcript(text), ADOPTED.max_extra)
                if intent is None and core(text) in own:
                    intent = Intent(own[core(text)])
                hyps.append(Hypothesis(text, sc, intent))
            ask = functools.partial(tw._opinion, u["forced"]) if u.get("forced") else None
            if (x := verdict(hyps, u["no_speech"], ADOPTED, ask)[0]) is not None:
                fired.append(str(x))
        hit = r["expect"] in fired
        heard, fa = heard + hit, fa + len(fired) - hit
        talk += 0 if r["expect"] else len(fired)
    return f"{100 * heard / n:5.1f} %  FA {fa} ({talk} on talk, {fa / null_h:.1f}/h)"


def judge(args: argparse.Namespace) -> None:
    by_voice: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for line in Path(args.file).read_text().splitlines():
        take = json.loads(line)
        by_voice[take["voice"]].append(take)
    rows = [json.loads(line) for line in Path(args.whisper).read_text().splitlines()]
    rows = [r for r in rows if r["voice"] in by_voice]
    all_takes = [t for ts in by_voice.values() for t in ts]
    right = sum(str(tw._match(transcript(t["hyps"][0][0]), 0)) == t["intent"] for t in all_takes)
    print(f"{len(by_voice)} voices enrolled, {len(rows)} of their dev clips")
    print(f"takes heard as their own command by the best hypothesis: {right} of {len(all_takes)}")
    print(f"{'no enrollment':32s} {score(rows, {})}")
    for scope in ("best", "N-best"):
        for max_words in (1, 2, 3):
            aliases = {v: learn(ts, scope, max_words) for v, ts in by_voice.items()}
            label = (
                f"aliases from {scope}, <= {max_words} words ({sum(map(len, aliases.values()))})"
            )
            print(f"{label:32s} {score(rows, aliases)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("takes", "judge"))
    ap.add_argument("file")
    ap.add_argument("--voices", type=int, default=None, help="the first N dev voices")
    ap.add_argument("--whisper", default="bench/out/tune/whisper.jsonl")
    args = ap.parse_args()
    (takes if args.what == "takes" else judge)(args)


if __name__ == "__main__":
    main()
