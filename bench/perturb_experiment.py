"""Test-time perturbation for weak hearings (issue 15, eighth pass; DEV clips only).

    for k in 0 1 2; do  # the three thirds of the 1200 dev clips
        python bench/perturb_experiment.py collect bench/out/clips/dev --every 3 \
            --offset $k --speeds 0.88,1.12 --out bench/out/tune/perturb$k.jsonl
    done
    python bench/perturb_experiment.py judge \
        --out bench/out/tune/perturb0.jsonl,bench/out/tune/perturb1.jsonl,...

The question: when Whisper's hearing of an utterance is weak (the adopted rule, with
PocketSphinx's second opinion, fires nothing but a command is somewhere in the N-best),
does decoding the same utterance again played a little slower or faster (tape speed:
tempo and pitch together, by resampling) name the command more surely? Voices differ
mostly in rate and pitch, and a weak hearing is often a voice Whisper finds odd.

`collect` streams each clip through the endpointer as `tune_whisper.collect` does and
decodes every utterance at the original speed, and those whose N-best names a command
(the only ones any rule looks at again) at each `--speeds` factor too, so the rules can
be judged offline and the CPU they would cost counted. `judge` scores the rule before
this pass, `whisper_rec.relisten` itself for each speed order and no-speech gate, and
two other combinations: accuracy vs false accepts (per hour, and on talk), overall and
per noise condition.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import tune_whisper

from voicecoach import evaluation
from voicecoach.ears.frontend import whisper_audio
from voicecoach.ears.pocketsphinx_rec import ForcedChoice
from voicecoach.ears.sources import WavSource
from voicecoach.ears.whisper_rec import (
    Hypothesis,
    WhisperSettings,
    _model,
    judge,
    relisten,
    transcript,
)


def collect(args: argparse.Namespace) -> None:
    s = WhisperSettings()
    model = _model(s.threads)
    second = ForcedChoice()
    clips = evaluation.load_manifest(args.dir)[args.offset :: args.every]
    speeds = [float(x) for x in args.speeds.split(",")]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    t_start = time.time()
    with out.open("w") as f:
        for k, clip in enumerate(clips):
            source = WavSource(clip.audio)
            utts = tune_whisper.utterances(source, s)
            rows = []
            for u, t_known in utts:
                row: dict[str, Any] = {"start": u.start, "end": u.end}
                row["t"] = max(t_known, u.t_decided)
                if u.too_long or u.end - u.start < s.endpoint.min_speech:
                    row["skip"] = "too long" if u.too_long else "too short"
                    rows.append(row)
                    continue
                c0 = time.process_time()
                hyps, no_speech = model.decode(whisper_audio(u, s.pad), s)
                row["cpu"] = time.process_time() - c0
                row["hyps"] = [(h.text, h.score) for h in hyps]
                row["no_speech"] = no_speech
                if any(tune_whisper._match(h.text, 1) for h in hyps):
                    row["forced"] = second.choose(u.audio)[1]
                row["alt"] = {}
                if not any(tune_whisper._match(h.text, 1) for h in hyps):
                    rows.append(row)  # no command in the N-best: no rule looks again
                    continue
                for speed in speeds:
                    c0 = time.process_time()
                    h2, ns2 = model.decode(whisper_audio(u, s.pad, speed), s)
                    row["alt"][str(speed)] = {
                        "hyps": [(h.text, h.score) for h in h2],
                        "no_speech": ns2,
                        "cpu": time.process_time() - c0,
                    }
                rows.append(row)
            record = {
                "expect": clip.expect,
                "speech_end": clip.speech_end,
                "duration": source.duration,
                "noise": f"{clip.info.get('noise')} {clip.info.get('snr') or ''}".strip(),
                "kind": clip.info.get("kind"),
                "utts": rows,
            }
            f.write(json.dumps(record) + "\n")
            f.flush()
            if k % 20 == 0:
                print(f"{k}/{len(clips)} {time.time() - t_start:.0f} s", flush=True)


def _hyps(pairs: list[list[Any]], s: WhisperSettings) -> list[Hypothesis]:
    return [Hypothesis(t, sc, tune_whisper._match(transcript(t), s.max_extra)) for t, sc in pairs]


def _adopted(u: dict[str, Any], s: WhisperSettings) -> str | None:
    row = {"utts": [u]}
    f = tune_whisper.fired(row, s)
    return f[0][0] if f else None


def decide(u: dict[str, Any], s: WhisperSettings, rule: str) -> tuple[str | None, int]:
    """(intent or None, extra decodes spent) for one decoded utterance. "adopted" is the
    rule before this pass; "relisten" is `whisper_rec.relisten` itself (what runs), with
    the speeds and gate of `s`, fed the recorded decodes; the others are variants."""
    first = _adopted(u, WhisperSettings(relisten=()))
    if rule == "adopted" or first is not None:
        return first, 0
    hyps = _hyps(u["hyps"], s)
    named = {str(h.intent) for h in hyps if h.intent is not None}
    alts = u.get("alt") or {}
    if not named or not alts:
        return None, 0  # nothing to look again at
    if rule.startswith("relisten"):
        spent = []

        def decode_at(speed: float) -> tuple[list[Hypothesis], float]:
            spent.append(speed)
            a = alts[str(speed)]
            return _hyps(a["hyps"], s), a["no_speech"]

        intent, _, _, _ = relisten(hyps, u["no_speech"], s, decode_at)
        if rule.endswith("+forced") and intent is not None:  # PocketSphinx must agree too
            intent = intent if tune_whisper._opinion(u.get("forced", ""))[0] == intent else None
        return (None if intent is None else str(intent)), len(spent)
    speeds = sorted(alts)
    verdicts = {}
    for sp in speeds:
        a = alts[sp]
        intent, _, _ = judge(_hyps(a["hyps"], s), a["no_speech"], s)
        verdicts[sp] = None if intent is None else str(intent)
    if rule == "top_agrees":  # either speed fires the command the best hypothesis names
        top = hyps[0].intent
        for sp in speeds:
            if top is not None and verdicts[sp] == str(top):
                return verdicts[sp], len(speeds)
        return None, len(speeds)
    if rule == "both":  # both speeds fire the same command
        vs = {verdicts[sp] for sp in speeds}
        if len(vs) == 1 and None not in vs:
            return vs.pop(), len(speeds)
        return None, len(speeds)
    raise ValueError(rule)


def score(rows: list[dict[str, Any]], s: WhisperSettings, rule: str) -> dict[str, Any]:
    """Accuracy, false accepts and the extra decodes' CPU per second of audio."""
    commands = [r for r in rows if r["expect"]]
    null_h = sum(r["duration"] for r in rows if not r["expect"]) / 3600
    audio_h = sum(r["duration"] for r in rows) / 3600
    correct = fa = fa_talk = extra = 0
    for r in rows:
        f = []
        for u in r["utts"]:
            if "hyps" not in u:
                continue
            intent, n = decide(u, s, rule)
            extra += n
            if intent is not None:
                f.append(intent)
        hit = r["expect"] in f
        correct += hit
        fa += len(f) - (1 if hit else 0)
        fa_talk += 0 if r["expect"] else len(f)
    decode_cpu = np.mean([u["cpu"] for r in rows for u in r["utts"] if "cpu" in u] or [0.0])
    return {
        "n": len(commands),
        "accuracy": correct / max(1, len(commands)),
        "fa": fa,
        "fa_per_h": fa / null_h if null_h else 0.0,
        "fa_talk": fa_talk,
        "extra_cpu_rt": extra * decode_cpu / (audio_h * 3600),
    }


def variants(speeds: list[str]) -> list[tuple[str, str, WhisperSettings]]:
    """(label, rule, settings): the adopted rule, listening again at each speed order and
    no-speech gate, and the two other combinations."""
    fast = [float(x) for x in speeds]
    orders = [tuple(fast), tuple(reversed(fast)), *[(x,) for x in fast]]
    out = [("adopted", "adopted", WhisperSettings(relisten=()))]
    for gate in (0.1, 0.2, 0.3, 0.5, 1.0):
        for order in orders:
            s = WhisperSettings(relisten=order, relisten_max_no_speech=gate)
            label = f"again {','.join(f'{x:g}' for x in order)} ns<={gate:g}"
            out.append((label, "relisten", s))
            if order == tuple(fast):
                out.append((label + " +forced", "relisten+forced", s))
    s = WhisperSettings(relisten=tuple(fast))
    out += [("top agrees", "top_agrees", s), ("both agree", "both", s)]
    return out


def judge_rows(args: argparse.Namespace) -> None:
    texts = [Path(path).read_text() for path in args.out.split(",")]
    rows = [json.loads(line) for text in texts for line in text.splitlines()]
    speeds = sorted({sp for r in rows for u in r["utts"] for sp in u.get("alt", {})})
    print(f"{len(rows)} clips, speeds {speeds}")
    table = variants(speeds)
    for label, rule, s in table:
        sc = score(rows, s, rule)
        print(
            f"  {label:24s} {100 * sc['accuracy']:5.1f} % of {sc['n']}  FA {sc['fa']:3d}"
            f" ({sc['fa_per_h']:5.1f}/h, on talk {sc['fa_talk']})"
            f"  extra CPU {sc['extra_cpu_rt']:.4f} of real time"
        )
    pick = [v for v in table if v[0] in ("adopted", args.show)]
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[r["noise"]].append(r)
    print(f"per condition (accuracy %, false accepts): {' | '.join(v[0] for v in pick)}")
    for name in sorted(groups):
        cells = []
        for _, rule, s in pick:
            sc = score(groups[name], s, rule)
            cells.append(f"{100 * sc['accuracy']:5.1f} % {sc['fa']}")
        print(f"  {name:10s} " + " | ".join(cells))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("action", choices=["collect", "judge"])
    ap.add_argument("dir", nargs="?")
    ap.add_argument("--every", type=int, default=3)
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--speeds", default="0.9,1.1")
    ap.add_argument("--out", default="bench/out/tune/perturb.jsonl", help="a,b,... to judge")
    ap.add_argument("--show", default="again 1.12 ns<=0.2", help="per condition")
    args = ap.parse_args()
    if args.action == "collect":
        if not args.dir or "heldout" in args.dir or "acceptance" in args.dir:
            raise SystemExit("collect on dev only")
        collect(args)
    else:
        judge_rows(args)


if __name__ == "__main__":
    main()
