"""Moonshine (Useful Sensors' English ASR, MIT) as ears, alone or beside Whisper: DEV only.

The weights come from the npm registry, the tokenizer from PyPI (no download at run time;
bench only, not a dependency):

    npm pack @usefulsensors/moonshine-js@0.1.5 && tar xzf usefulsensors-moonshine-js-0.1.5.tgz
        # package/dist/model/{tiny,base}/quantized/{encoder_model,decoder_model_merged}.onnx
    pip download --no-deps useful-moonshine-onnx && unzip useful_moonshine_onnx-*.whl
        # moonshine_onnx/assets/tokenizer.json
    python bench/moonshine_experiments.py collect bench/out/clips/dev --every 3 \
        --model package/dist/model/base --tokenizer moonshine_onnx/assets/tokenizer.json \
        --out bench/out/tune/moonshine_base.jsonl
    python bench/moonshine_experiments.py judge bench/out/tune/moonshine_base.jsonl \
        --whisper bench/out/tune/whisper.jsonl

`collect` streams every clip through the adopted endpointer (as `bench/tune_whisper.py`)
and decodes each utterance with Moonshine: a 5-best beam search and the forced score of
every command phrase. `judge` lines Moonshine's utterances up with the Whisper rows of
`bench/tune_whisper.py` (same clips, same endpointer) and scores rules alone and
combined. Not adopted (bench/RESULTS.md, seventh pass).
"""

from __future__ import annotations

import argparse
import functools
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import tune_whisper as tw

from voicecoach import evaluation
from voicecoach.ears import phrases
from voicecoach.ears.endpoint import EndpointConfig, Endpointer
from voicecoach.ears.sources import WavSource
from voicecoach.ears.whisper_rec import Hypothesis, WhisperSettings, confirmable, judge, verdict
from voicecoach.ears.whisper_rec import transcript as unify
from voicecoach.ports import MIC_RATE

SHAPES = {"tiny": (6, 8, 36), "base": (8, 8, 52)}  # layers, KV heads, head size (moonshine-js)
START, EOS = 1, 2
PHRASES = [(p, str(i)) for i, ps in phrases.PHRASES.items() for p in ps]
ADOPTED = WhisperSettings()


def _log_softmax(x: np.ndarray) -> np.ndarray:
    m = x.max(-1, keepdims=True)
    out: np.ndarray = x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))
    return out


class Moonshine:
    """The ONNX encoder and merged decoder (past key/values cached), as moonshine-js runs
    them, with a beam search and forced scoring added."""

    def __init__(self, folder: Path, tokenizer: Path, threads: int = 1) -> None:
        import onnxruntime as ort
        import tokenizers

        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        self.enc = ort.InferenceSession(str(folder / "quantized/encoder_model.onnx"), so)
        self.dec = ort.InferenceSession(str(folder / "quantized/decoder_model_merged.onnx"), so)
        self.layers, self.heads, self.dim = SHAPES[folder.name]
        self.tok = tokenizers.Tokenizer.from_file(str(tokenizer))
        self.outputs = [o.name for o in self.dec.get_outputs()]

    def encode(self, audio: np.ndarray) -> np.ndarray:
        """float32 audio at 16 kHz -> encoder states (1, frames, width)."""
        out: np.ndarray = self.enc.run(None, {"input_values": audio[None, :]})[0]
        return out

    def _run(self, ids: np.ndarray, hidden: np.ndarray, past: dict[str, np.ndarray] | None):
        b = ids.shape[0]
        feed: dict[str, Any] = {
            "input_ids": ids,
            "encoder_hidden_states": np.repeat(hidden, b, 0),
            "use_cache_branch": np.array([past is not None]),
        }
        empty = np.zeros((b, self.heads, 0, self.dim), np.float32)
        for i in range(self.layers):
            for part in ("decoder", "encoder"):
                for kv in ("key", "value"):
                    name = f"past_key_values.{i}.{part}.{kv}"
                    feed[name] = empty if past is None else past[name]
        outs = dict(zip(self.outputs, self.dec.run(None, feed), strict=True))
        present = {
            k.replace("present", "past_key_values"): v for k, v in outs.items() if k != "logits"
        }
        return _log_softmax(outs["logits"][:, -1]), present

    def beam(self, hidden: np.ndarray, width: int = 5) -> list[tuple[str, float, int]]:
        """N-best (text, summed log-probability, tokens incl. the end), best mean first."""
        max_len = max(8, int(hidden.shape[1] / 41.6 * 6) + 4)  # ~41.6 frames/s, 6 tokens/s
        lp, present = self._run(np.array([[START]], np.int64), hidden, None)
        live = [([int(t)], float(lp[0, t])) for t in np.argsort(-lp[0])[:width]]
        done = [(t, s) for t, s in live if t[-1] == EOS]
        live = [(t, s) for t, s in live if t[-1] != EOS]
        cross = {k: v for k, v in present.items() if ".encoder." in k}
        self_kv = {k: np.repeat(v, len(live), 0) for k, v in present.items() if ".decoder." in k}
        for _ in range(max_len):
            if not live or len(done) >= width:
                break
            ids = np.array([[t[-1]] for t, _ in live], np.int64)
            past = {**{k: np.repeat(v, len(live), 0) for k, v in cross.items()}, **self_kv}
            lp, present = self._run(ids, hidden, past)
            grown = sorted(
                (
                    (s + float(lp[i, t]), i, int(t))
                    for i, (_, s) in enumerate(live)
                    for t in np.argsort(-lp[i])[: width + 1]
                ),
                reverse=True,
            )
            nxt, origin = [], []
            for s, i, t in grown:
                if t == EOS:
                    done.append((live[i][0] + [t], s))
                elif len(nxt) < width:
                    nxt.append((live[i][0] + [t], s))
                    origin.append(i)
            live = nxt
            self_kv = {k: v[origin] for k, v in present.items() if ".decoder." in k}
        out = [
            (self.tok.decode([t for t in toks if t != EOS]), s, len(toks))
            for toks, s in done + live
        ]
        return sorted(out, key=lambda h: -h[1] / h[2])[:width]

    def forced(self, hidden: np.ndarray, texts: list[str]) -> list[tuple[float, int]]:
        """(summed log-probability, tokens incl. the end) of each text, one batched call."""
        ids = [[START, *self.tok.encode(t, add_special_tokens=False).ids, EOS] for t in texts]
        arr = np.zeros((len(ids), max(map(len, ids))), np.int64)
        for r, row in enumerate(ids):
            arr[r, : len(row)] = row
        feed: dict[str, Any] = {
            "input_ids": arr,
            "encoder_hidden_states": np.repeat(hidden, len(ids), 0),
            "use_cache_branch": np.array([False]),
        }
        empty = np.zeros((len(ids), self.heads, 0, self.dim), np.float32)
        for i in range(self.layers):
            for part in ("decoder", "encoder"):
                for kv in ("key", "value"):
                    feed[f"past_key_values.{i}.{part}.{kv}"] = empty
        lp = _log_softmax(self.dec.run(["logits"], feed)[0])
        return [
            (sum(float(lp[r, j, row[j + 1]]) for j in range(len(row) - 1)), len(row) - 1)
            for r, row in enumerate(ids)
        ]


def collect(args: argparse.Namespace) -> None:
    model = Moonshine(Path(args.model), Path(args.tokenizer))
    texts = [p[0].upper() + p[1:].replace("i'm", "I'm") + "." for p, _ in PHRASES]
    cfg = EndpointConfig()
    with open(args.out, "w") as f:
        for k, clip in enumerate(evaluation.load_manifest(args.dir)):
            if k % args.every:
                continue
            ep, src, utts = Endpointer(cfg), WavSource(clip.audio), []
            for t0, chunk in src.chunks():
                utts += [(u, t0 + len(chunk) / MIC_RATE) for u in ep.feed(chunk, t0)]
            utts += [(u, src.duration) for u in ep.flush(src.duration)]
            rows = []
            for u, t_known in utts:
                row: dict[str, Any] = {
                    "start": u.start,
                    "end": u.end,
                    "t": max(t_known, u.t_decided),
                }
                if not u.too_long and u.end - u.start >= cfg.min_speech:
                    cpu = time.process_time()
                    hidden = model.encode(u.audio.astype(np.float32) / 32768.0)
                    row["hyps"] = model.beam(hidden)
                    row["forced"] = model.forced(hidden, texts)
                    row["cpu"] = time.process_time() - cpu
                rows.append(row)
            line = {"i": k, "expect": clip.expect, "duration": src.duration, "utts": rows}
            line["noise"] = f"{clip.info.get('noise')} {clip.info.get('snr') or ''}".strip()
            f.write(json.dumps(line) + "\n")


@functools.cache
def _intent(text: str) -> str | None:
    found = phrases.match(unify(text), 0)
    return None if found is None else str(found)


def top(u: dict[str, Any]) -> tuple[str | None, float]:
    """Moonshine's best non-empty hypothesis: its command (or None), mean log-probability."""
    hyps = [h for h in u.get("hyps", []) if h[0].strip()]
    return (_intent(hyps[0][0]), hyps[0][1] / hyps[0][2]) if hyps else (None, -99.0)


def named(u: dict[str, Any]) -> set[str]:
    """Every command in Moonshine's N-best."""
    return {i for t, _, _ in u.get("hyps", []) if (i := _intent(t))}


def _hyps(w: dict[str, Any]) -> list[Hypothesis]:
    return [Hypothesis(t, s, tw._match(unify(t), ADOPTED.max_extra)) for t, s in w["hyps"]]


def adopted(w: dict[str, Any]) -> str | None:
    if "hyps" not in w:
        return None
    ask = functools.partial(tw._opinion, w["forced"]) if w.get("forced") is not None else None
    found = verdict(_hyps(w), w["no_speech"], ADOPTED, ask)[0]
    return None if found is None else str(found)


def confirmed_by(w: dict[str, Any], second: set[str | None]) -> str | None:
    """Whisper's judgement; where it rejects a command it names, `second` may confirm it."""
    if "hyps" not in w:
        return None
    found = judge(_hyps(w), w["no_speech"], ADOPTED)[0]
    if found is not None:
        return str(found)
    name = confirmable(_hyps(w), w["no_speech"], ADOPTED)
    return str(name) if name is not None and str(name) in second else None


def pocketsphinx(w: dict[str, Any]) -> set[str | None]:
    if w.get("forced") is None:
        return set()
    return {None if (i := tw._opinion(w["forced"])[0]) is None else str(i)}


def in_whisper(w: dict[str, Any], intent: str | None) -> bool:
    return "hyps" in w and intent is not None and any(str(h.intent) == intent for h in _hyps(w))


Rule = Callable[[dict[str, Any], dict[str, Any]], str | None]
RULES: dict[str, Rule] = {
    "Whisper, PocketSphinx confirms (adopted)": lambda w, m: adopted(w),
    "Whisper alone": lambda w, m: confirmed_by(w, set()),
    "Moonshine alone (best hypothesis)": lambda w, m: top(m)[0],
    "Moonshine alone, mean log-prob >= -0.5": lambda w, m: top(m)[0] if top(m)[1] >= -0.5 else None,
    "Whisper, Moonshine's best confirms": lambda w, m: confirmed_by(w, {top(m)[0]}),
    "Whisper, Moonshine's N-best confirms": lambda w, m: confirmed_by(w, set(named(m))),
    "Whisper, PocketSphinx or Moonshine confirms": lambda w, m: confirmed_by(
        w, pocketsphinx(w) | {top(m)[0]}
    ),
    "adopted, or Moonshine's best if in Whisper's N-best": lambda w, m: (
        adopted(w) or (top(m)[0] if in_whisper(w, top(m)[0]) else None)
    ),
}


def judge_rows(args: argparse.Namespace) -> None:
    ms = {r["i"]: r for r in map(json.loads, Path(args.rows).read_text().splitlines())}
    whisper = [json.loads(line) for line in Path(args.whisper).read_text().splitlines()]
    pairs = [(whisper[i], m) for i, m in sorted(ms.items())]
    for w, m in pairs:
        if [(u["start"], u["end"]) for u in w["utts"]] != [
            (u["start"], u["end"]) for u in m["utts"]
        ]:
            raise SystemExit(f"clip {m['i']}: the endpointer cut it differently; decode both again")
    quiet = [p for p in pairs if p[0]["noise"] == "none" or p[0]["noise"].endswith(" 20")]
    audio = sum(m["duration"] for _, m in pairs)
    cpu = sum(u.get("cpu", 0.0) for _, m in pairs for u in m["utts"])
    commands = [(w, m) for w, m in pairs if w["expect"]]
    oracle = sum(any(w["expect"] in named(u) for u in m["utts"]) for w, m in commands)
    print(f"{len(pairs)} clips; Moonshine CPU {cpu / audio:.3f} of audio (beam + forced, Python)")
    print(
        f"a command's intent anywhere in Moonshine's N-best: {100 * oracle / len(commands):.1f} %"
    )
    for name, rule in RULES.items():
        print(f"{name:55s} all {_score(pairs, rule)}   quiet {_score(quiet, rule)}")


def _score(pairs: list[tuple[dict[str, Any], dict[str, Any]]], rule: Rule) -> str:
    n = sum(1 for w, _ in pairs if w["expect"])
    null_h = sum(w["duration"] for w, _ in pairs if not w["expect"]) / 3600
    heard = fa = talk = 0
    for w, m in pairs:
        fired = [x for uw, um in zip(w["utts"], m["utts"], strict=True) if (x := rule(uw, um))]
        hit = w["expect"] in fired
        heard += hit
        fa += len(fired) - hit
        talk += 0 if w["expect"] else len(fired)
    return f"{100 * heard / n:5.1f} % FA {fa:2d} ({talk} on talk, {fa / null_h:5.1f}/h)"


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("collect")
    c.add_argument("dir")
    c.add_argument("--every", type=int, default=1)
    c.add_argument("--model", required=True, help="folder .../model/tiny or .../model/base")
    c.add_argument("--tokenizer", required=True)
    c.add_argument("--out", required=True)
    j = sub.add_parser("judge")
    j.add_argument("rows")
    j.add_argument("--whisper", required=True, help="bench/tune_whisper.py rows, all dev clips")
    args = ap.parse_args()
    if "heldout" in getattr(args, "dir", "") or "acceptance" in getattr(args, "dir", ""):
        raise SystemExit("dev only")
    (collect if args.cmd == "collect" else judge_rows)(args)


if __name__ == "__main__":
    main()
