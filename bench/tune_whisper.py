"""Choose the Whisper recognizer's settings on the DEV clips only (never on heldout).

    python bench/tune_whisper.py bench/out/clips/dev [--every 2] [--set beam=4 --set prompt=none]

Streams every clip through the same endpointer as `voicecoach eval`, decodes each
utterance once (N-best, no-speech probability, decode time; PocketSphinx's forced choice
where the N-best names a command, for the second opinion) and then re-judges the
recorded hypotheses offline for a grid of thresholds: accuracy vs false accepts per hour,
overall and per noise condition, so a setting is picked from curves, not one number.
Rows go to bench/out/tune/whisper.jsonl (`--load` re-reads them without decoding).
The listen-again step (`whisper_rec.relisten`, a second decode at another speed) is not
in these rows: bench/perturb_experiment.py measures it.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import itertools
import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach import evaluation
from voicecoach.ears import phrases
from voicecoach.ears.endpoint import EndpointConfig, Endpointer, Utterance
from voicecoach.ears.frontend import whisper_audio
from voicecoach.ears.pocketsphinx_rec import ForcedChoice
from voicecoach.ears.sources import WavSource
from voicecoach.ears.whisper_rec import Hypothesis, WhisperSettings, _model, transcript, verdict
from voicecoach.intents import Intent
from voicecoach.ports import MIC_RATE


def settings_from(pairs: list[str]) -> WhisperSettings:
    ep: dict[str, Any] = {}
    top: dict[str, Any] = {}
    for pair in pairs:
        key, value = pair.split("=", 1)
        if key in {f.name for f in dataclasses.fields(EndpointConfig)}:
            ep[key] = type(getattr(EndpointConfig(), key))(float(value))
        elif isinstance(getattr(WhisperSettings(), key), str):
            top[key] = value  # e.g. prompt=list
        else:
            top[key] = type(getattr(WhisperSettings(), key))(float(value))
    return WhisperSettings(endpoint=EndpointConfig(**ep), **top)


def utterances(source: WavSource, s: WhisperSettings) -> list[tuple[Utterance, float]]:
    """The endpointed utterances of a clip, each with the time its last audio was known
    (as the live pipeline cuts them)."""
    ep = Endpointer(s.endpoint)
    utts = []
    for t0, chunk in source.chunks():
        utts += [(u, t0 + len(chunk) / MIC_RATE) for u in ep.feed(chunk, t0)]
    return utts + [(u, source.duration) for u in ep.flush(source.duration)]


def collect(clips: list[evaluation.Clip], s: WhisperSettings) -> list[dict[str, Any]]:
    model = _model(s.threads)
    second = ForcedChoice()
    rows = []
    for clip in clips:
        source = WavSource(clip.audio)
        utts = utterances(source, s)
        out = []
        for u, t_known in utts:
            row: dict[str, Any] = {"start": u.start, "end": u.end, "t": max(t_known, u.t_decided)}
            if u.too_long or u.end - u.start < s.endpoint.min_speech:
                row["skip"] = "too long" if u.too_long else "too short"
            else:
                wall, cpu = time.perf_counter(), time.process_time()
                hyps, no_speech = model.decode(whisper_audio(u, s.pad), s)
                row["wall"] = time.perf_counter() - wall
                row["cpu"] = time.process_time() - cpu
                row["hyps"] = [(h.text, h.score) for h in hyps]
                row["no_speech"] = no_speech
                if any(_match(h.text, 1) for h in hyps):  # the second opinion may be asked
                    c0 = time.process_time()
                    row["forced"] = second.choose(u.audio)[1]
                    row["forced_cpu"] = time.process_time() - c0
            out.append(row)
        rows.append(
            {
                "expect": clip.expect,
                "speech_end": clip.speech_end,
                "duration": source.duration,
                "noise": f"{clip.info.get('noise')} {clip.info.get('snr') or ''}".strip(),
                "kind": clip.info.get("kind"),
                "utts": out,
            }
        )
    return rows


@functools.cache
def _match(text: str, max_extra: int) -> Intent | None:
    return phrases.match(text, max_extra)


def _opinion(words: str) -> tuple[Intent | None, str]:
    return _match(words, phrases.MAX_EXTRA_WORDS), words  # as ForcedChoice.choose


def fired(row: dict[str, Any], s: WhisperSettings) -> list[tuple[str, float]]:
    out = []
    for u in row["utts"]:
        if "hyps" not in u:
            continue
        hyps = [Hypothesis(t, sc, _match(transcript(t), s.max_extra)) for t, sc in u["hyps"]]
        forced = u.get("forced")  # None in rows decoded before the second opinion existed
        ask = None if forced is None else functools.partial(_opinion, forced)
        intent, _, _, _ = verdict(hyps, u["no_speech"], s, ask)
        if intent is not None:
            out.append((str(intent), u["t"]))
    return out


def score(rows: list[dict[str, Any]], s: WhisperSettings) -> dict[str, Any]:
    commands = [r for r in rows if r["expect"]]
    null_h = sum(r["duration"] for r in rows if not r["expect"]) / 3600
    correct = fa = 0
    lat = []
    for r in rows:
        f = fired(r, s)
        hit = [t for i, t in f if i == r["expect"]]
        if hit:
            correct += 1
            lat.append(hit[0] - r["speech_end"])
        fa += len(f) - (1 if hit else 0)
    return {
        "n": len(commands),
        "accuracy": correct / max(1, len(commands)),
        "fa": fa,
        "fa_per_h": fa / null_h if null_h else 0.0,
        "p95": float(np.percentile(lat, 95)) if lat else None,
    }


GRID = {
    "max_extra": (0, 1),
    "min_posterior": (0.0, 0.1, 0.2, 0.3, 0.35, 0.5, 0.7, 0.9),
    "max_no_speech": (0.1, 0.2, 0.3, 0.4, 0.6, 1.0),
    "min_logprob": (-9.0, -2.0, -1.5, -1.25, -1.1, -1.0, -0.85, -0.7, -0.5, -0.3),
    "confirm": (False, True),  # the second opinion; its thresholds: --set confirm_...=X
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--every", type=int, default=1, help="use every N-th clip")
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--out", default="bench/out/tune/whisper.jsonl")
    ap.add_argument("--load", action="store_true", help="re-judge the rows in --out")
    ap.add_argument("--show", default="", help="max_extra,min_posterior,max_no_speech,min_logprob")
    ap.add_argument(
        "--base", action="store_true", help="Whisper base (bench/whisper_experiments.py)"
    )
    args = ap.parse_args()
    if "heldout" in args.dir:
        raise SystemExit("tune on dev only")
    base = settings_from(args.set)
    out = Path(args.out)
    if args.load:
        rows = [json.loads(line) for line in out.read_text().splitlines()]
    else:
        clips = evaluation.load_manifest(args.dir)[:: args.every]
        if args.base:
            import whisper_experiments

            global _model
            _model = functools.cache(whisper_experiments.BaseModel)
        rows = collect(clips, base)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    audio = sum(r["duration"] for r in rows)
    decoded = [u for r in rows for u in r["utts"] if "wall" in u]
    cpu = sum(u["cpu"] for u in decoded)
    walls = [u["wall"] for u in decoded]
    print(f"{len(rows)} clips, {audio / 3600:.2f} h, {len(decoded)} decodes, {base}")
    if walls:
        print(
            f"decode cpu/audio {cpu / audio:.4f}; decode wall p50 {np.percentile(walls, 50):.3f}"
            f" p95 {np.percentile(walls, 95):.3f} s"
        )
    asked = [u for u in decoded if "forced" in u]
    if asked:
        fcpu = sum(u.get("forced_cpu", 0.0) for u in asked)
        print(f"forced choice recorded on {len(asked)} decodes: cpu/audio {fcpu / audio:.4f}")
    results = []
    for values in itertools.product(*GRID.values()):
        s = dataclasses.replace(base, **dict(zip(GRID, values, strict=True)))
        results.append((values, score(rows, s)))
    # the accuracy / false-accept frontier
    results.sort(key=lambda vr: (vr[1]["fa_per_h"], -vr[1]["accuracy"]))
    best = -1.0
    print(f"frontier: {' '.join(GRID)} -> acc, FA/h, p95")
    for values, sc in results:
        if sc["accuracy"] > best:
            best = sc["accuracy"]
            print(
                f"  {values} -> {100 * sc['accuracy']:5.1f} %  {sc['fa_per_h']:6.1f}/h"
                f"  ({sc['fa']})  p95 {sc['p95'] or 0:.3f}"
            )
    if args.show:
        keys = ("max_extra", "min_posterior", "max_no_speech", "min_logprob")
        vals = [float(v) for v in args.show.split(",")]
        s = dataclasses.replace(base, **dict(zip(keys, vals, strict=True)))
        s = dataclasses.replace(s, max_extra=int(s.max_extra))
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            groups[r["noise"]].append(r)
        print(f"per condition at {args.show}:")
        for name in sorted(groups):
            sc = score(groups[name], s)
            print(
                f"  {name:10s} acc {100 * sc['accuracy']:5.1f} % of {sc['n']:3d}"
                f"  FA {sc['fa']:3d}  p95 {sc['p95'] or 0:.3f}"
            )
        sc = score(rows, s)
        print(f"  all        acc {100 * sc['accuracy']:5.1f} %  FA/h {sc['fa_per_h']:.1f}")


if __name__ == "__main__":
    main()
