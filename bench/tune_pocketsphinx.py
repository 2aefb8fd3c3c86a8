"""Tune the PocketSphinx recognizer on the DEV clips only (never on heldout).

    python bench/tune_pocketsphinx.py bench/out/clips/dev [--every 2] [--set key=value ...]

Streams every clip like `voicecoach eval` does, records every utterance decision
(text, confidence, reason) and then sweeps the confidence threshold offline, printing
accuracy / false accepts per hour / latency for each threshold. `--set` overrides
endpoint or recognizer settings (e.g. --set hangover=0.25 --set on_db=8, or
--set two_pass=0 for the single open-vocabulary pass). With two_pass (the default) an
utterance whose open decode does not name the forced choice's intent has no intent, so
the sweep covers the two-pass rule too.
Decisions are written to bench/out/tune/decisions.jsonl for inspection.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np

from voicecoach import evaluation
from voicecoach.ears.endpoint import EndpointConfig
from voicecoach.ears.pocketsphinx_rec import PocketSphinxRecognizer, PocketSphinxSettings
from voicecoach.ears.sources import WavSource
from voicecoach.ears.utterances import Decision


def settings_from(pairs: list[str]) -> PocketSphinxSettings:
    ep: dict[str, float] = {}
    top: dict[str, object] = {}
    for pair in pairs:
        key, value = pair.split("=", 1)
        if key in {f.name for f in dataclasses.fields(EndpointConfig)}:
            ep[key] = type(getattr(EndpointConfig(), key))(float(value))
        else:
            top[key] = type(getattr(PocketSphinxSettings(), key))(float(value))
    return PocketSphinxSettings(endpoint=EndpointConfig(**ep), **top)  # type: ignore[arg-type]


def collect(clips: list[evaluation.Clip], settings: PocketSphinxSettings) -> list[dict]:
    rows = []
    for clip in clips:
        decisions: list[Decision] = []
        rec = PocketSphinxRecognizer(dataclasses.replace(settings, min_prob=-1.0), decisions.append)
        source = WavSource(clip.audio)
        began = time.process_time()
        for t0, chunk in source.chunks():
            rec.accept(chunk, t0)
        rec.flush(source.duration)
        rows.append(
            {
                "audio": str(clip.audio),
                "expect": clip.expect,
                "speech_end": clip.speech_end,
                "info": clip.info,
                "duration": source.duration,
                "cpu": time.process_time() - began,
                "decisions": [dataclasses.asdict(d) for d in decisions],
            }
        )
    return rows


def score(rows: list[dict], threshold: float) -> dict:
    commands = [r for r in rows if r["expect"]]
    null_h = sum(r["duration"] for r in rows if not r["expect"]) / 3600
    correct = fa = 0
    lat = []
    for r in rows:
        fired = [d for d in r["decisions"] if d["intent"] and d["confidence"] >= threshold]
        hit = [d for d in fired if d["intent"] == r["expect"]]
        if hit:
            correct += 1
            lat.append(hit[0]["t"] - r["speech_end"])
        fa += len(fired) - (1 if hit else 0)
    return {
        "threshold": threshold,
        "accuracy": correct / max(1, len(commands)),
        "fa_per_h": fa / null_h if null_h else 0.0,
        "fa": fa,
        "p50": float(np.percentile(lat, 50)) if lat else None,
        "p95": float(np.percentile(lat, 95)) if lat else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--every", type=int, default=1, help="use every N-th clip")
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--out", default="bench/out/tune/decisions.jsonl")
    args = ap.parse_args()
    if "heldout" in args.dir:
        raise SystemExit("tune on dev only")
    clips = evaluation.load_manifest(args.dir)[:: args.every]
    settings = settings_from(args.set)
    rows = collect(clips, settings)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    audio = sum(r["duration"] for r in rows)
    print(f"{len(rows)} clips, rtf {sum(r['cpu'] for r in rows) / audio:.4f}, {settings}")
    for th in (0.0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4):
        s = score(rows, float(th))
        print(
            f"th {th:6.3f}  acc {100 * s['accuracy']:5.1f}%  FA/h {s['fa_per_h']:7.1f}"
            f"  p50 {s['p50'] or 0:.3f}  p95 {s['p95'] or 0:.3f}"
        )


if __name__ == "__main__":
    main()
