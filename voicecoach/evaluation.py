"""`voicecoach eval`: how well a recognizer hears commands, on a folder of labelled clips.

Every clip is streamed through the same pipeline the live coach uses: `WavSource` chunks
(100 ms), the recognizer's `accept`/`flush` with audio times, the same endpointing,
rejection and phrase table. Nothing is scored from the text alone.

Definitions (also printed with `--json` under "definitions"):
- accuracy: command clips (expect != null) on which the expected intent fired / command clips.
- false accepts: every detection that is not the first detection of the expected intent
  on its clip: any intent on a null clip, a wrong intent on a command clip, the right
  intent firing a second time.
- false_accepts_per_hour: false accepts / hours of non-command audio, where non-command
  audio is the total duration of the null clips (talk, near misses, the coach's own
  phrases, noise). Wrong intents on command clips count in the numerator but add nothing
  to the denominator, so the figure errs on the pessimistic side.
- latency: audio time at which the expected intent fired (the end of the chunk that
  produced it) minus the clip's speech_end; p50/p95 over correctly recognized clips.
- live latency: the same, with the recognizer's own time: as if each chunk reached a
  recognizer of its own (the session's worker process) on an idle core the moment it was
  recorded, and each call took the CPU time it took here; a call waits for the previous
  one to finish (a decode delays the chunks behind it). The detection is out when the
  call that returned it ends. CPU time, so a loaded machine does not distort it.
- rtf: process CPU seconds spent in the recognizer (accept + flush) / seconds of audio.
- peak_memory_mb: the process' peak resident set size (includes Python and the models).
"""

from __future__ import annotations

import json
import math
import resource
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voicecoach.errors import AudioError, NotFound, UsageError
from voicecoach.ports import MIC_RATE, Detection, Recognizer

DEFINITIONS = {
    "accuracy": "command clips where the expected intent fired / command clips",
    "false_accepts": "detections other than the first expected one (null clips, wrong or "
    "repeated intents on command clips)",
    "false_accepts_per_hour": "false accepts / total hours of the null clips",
    "latency": "fire time (end of the 100 ms chunk) - speech_end, correct clips",
    "latency_live": "when the call that returned the detection ends, each chunk handed to "
    "a recognizer on its own idle core as it is recorded, each call taking its CPU time here "
    "(queued behind the previous one) - speech_end, correct clips",
    "rtf": "process CPU seconds in accept+flush / audio seconds",
}


@dataclass(frozen=True, slots=True)
class Clip:
    """One manifest line."""

    audio: Path
    expect: str | None
    speech_end: float
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ClipResult:
    clip: Clip
    detections: tuple[Detection, ...]
    duration: float
    cpu: float
    out_at: tuple[float, ...] = ()  # per detection: when a live recognizer hands it out

    @property
    def correct(self) -> bool:
        return self.clip.expect is not None and any(
            d.intent == self.clip.expect for d in self.detections
        )

    @property
    def false_accepts(self) -> int:
        return len(self.detections) - (1 if self.correct else 0)

    @property
    def latency(self) -> float | None:
        if not self.correct:
            return None
        first = next(d for d in self.detections if d.intent == self.clip.expect)
        return first.t - self.clip.speech_end

    @property
    def live_latency(self) -> float | None:
        if not self.correct or len(self.out_at) != len(self.detections):
            return None
        i = next(i for i, d in enumerate(self.detections) if d.intent == self.clip.expect)
        return self.out_at[i] - self.clip.speech_end


def load_manifest(folder: str | Path) -> list[Clip]:
    """The clips of `folder/manifest.jsonl` (NotFound when the folder does not exist,
    UsageError when it holds no manifest or a malformed one)."""
    root = Path(folder)
    path = root / "manifest.jsonl"
    if not root.exists():
        raise NotFound(
            f"no such folder: {root}",
            "give a folder made by bench/make_clips.py (e.g. bench/out/clips/dev)",
        )
    if not path.is_file():
        raise UsageError(
            f"no manifest.jsonl in {root}",
            "give a folder made by bench/make_clips.py (e.g. bench/out/clips/dev)",
        )
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{path} is not a UTF-8 text file ({exc.reason} at byte {exc.start})",
            "give a folder made by bench/make_clips.py (e.g. bench/out/clips/dev)",
        ) from None
    clips = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            clips.append(_clip(root, row))
        except (ValueError, KeyError, TypeError) as exc:
            why = f"no {exc} field" if isinstance(exc, KeyError) else str(exc)
            raise UsageError(
                f"{path}:{n}: not a clip line ({why})",
                'each line: {"audio": "x.wav", "expect": "next" or null, "speech_end": 1.2}',
            ) from None
    if not clips:
        raise UsageError(f"{path} lists no clips", "run bench/make_clips.py again")
    return clips


def _clip(root: Path, row: Any) -> Clip:
    """One manifest line's clip; ValueError, KeyError or TypeError saying what is wrong."""
    from voicecoach.intents import Intent

    audio = row["audio"]
    if not isinstance(audio, str):
        raise ValueError(f"audio {audio!r} is not a file name")
    end = float(row["speech_end"])
    if not math.isfinite(end) or end < 0:
        raise ValueError(f"speech_end {end} is not a time in the clip")
    expect = row.get("expect")
    if expect is not None and (not isinstance(expect, str) or expect not in set(Intent)):
        raise ValueError(f"expect {expect!r} is not a command: {', '.join(Intent)} or null")
    return Clip(root / audio, expect, end, row)


def run_clip(
    recognizer: Recognizer, clip: Clip, cpu_time: Callable[[], float] = time.process_time
) -> ClipResult:
    """Stream one clip through `recognizer` in live-sized chunks, in audio time
    (`cpu_time`: the clock its calls are timed on)."""
    from voicecoach.ears.sources import WavSource

    if not clip.audio.exists():
        raise NotFound(f"eval: no such clip: {clip.audio}", "check the manifest's audio paths")
    try:  # a clip the manifest names is the user's file, as --listen-file is (not a device)
        source = WavSource(clip.audio)
    except AudioError as exc:
        raise UsageError(f"eval: {exc.message}", exc.hint) from None
    detections: list[Detection] = []
    out_at: list[float] = []
    cpu = 0.0
    free_at = 0.0  # when the live recognizer is done with the calls so far (see `live`)

    def call(found: list[Detection], recorded: float, spent: float) -> None:
        nonlocal cpu, free_at
        cpu += spent
        free_at = max(free_at, recorded) + spent
        detections.extend(found)
        out_at.extend([free_at] * len(found))

    for t0, chunk in source.chunks():
        began = cpu_time()
        found = recognizer.accept(chunk, t0)
        call(found, t0 + len(chunk) / MIC_RATE, cpu_time() - began)
    began = cpu_time()
    found = recognizer.flush(source.duration)
    call(found, source.duration, cpu_time() - began)
    return ClipResult(clip, tuple(detections), source.duration, cpu, tuple(out_at))


def evaluate(
    clips: Iterable[Clip],
    make: Callable[[], Recognizer],
    progress: Callable[[int], None] | None = None,
) -> list[ClipResult]:
    """Each clip through a fresh recognizer from `make` (clips are independent recordings)."""
    results = []
    for i, clip in enumerate(clips):
        results.append(run_clip(make(), clip))
        if progress is not None:
            progress(i + 1)
    return results


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summarize(results: list[ClipResult]) -> dict[str, Any]:
    """The headline numbers of a list of clip results (see the module docstring)."""
    commands = [r for r in results if r.clip.expect is not None]
    nulls = [r for r in results if r.clip.expect is None]
    null_hours = sum(r.duration for r in nulls) / 3600
    fa = sum(r.false_accepts for r in results)
    latencies = [r.latency for r in results if r.latency is not None]
    live = [r.live_latency for r in results if r.live_latency is not None]
    audio = sum(r.duration for r in results)
    cpu = sum(r.cpu for r in results)
    return {
        "clips": len(results),
        "commands": len(commands),
        "nulls": len(nulls),
        "correct": sum(r.correct for r in commands),
        "accuracy": (sum(r.correct for r in commands) / len(commands)) if commands else None,
        "false_accepts": fa,
        "false_accepts_null_clips": sum(r.false_accepts for r in nulls),
        "null_hours": round(null_hours, 4),
        "false_accepts_per_hour": (fa / null_hours) if null_hours > 0 else None,
        "latency_p50_s": _percentile(latencies, 0.5),
        "latency_p95_s": _percentile(latencies, 0.95),
        "latency_live_p50_s": _percentile(live, 0.5),
        "latency_live_p95_s": _percentile(live, 0.95),
        "audio_s": round(audio, 3),
        "cpu_s": round(cpu, 3),
        "rtf": (cpu / audio) if audio > 0 else None,
    }


def breakdown(results: list[ClipResult], key: Callable[[Clip], str | None]) -> dict[str, Any]:
    """`summarize` per group (groups whose key is None are left out)."""
    groups: dict[str, list[ClipResult]] = {}
    for r in results:
        k = key(r.clip)
        if k is not None:
            groups.setdefault(k, []).append(r)
    return {k: summarize(v) for k, v in sorted(groups.items())}


def _noise_key(clip: Clip) -> str | None:
    if "noise" not in clip.info or "snr" not in clip.info:
        return None
    snr = clip.info["snr"]
    return str(clip.info["noise"]) if snr is None else f"{clip.info['noise']} {snr} dB"


def report(results: list[ClipResult], engine: str) -> dict[str, Any]:
    """The full `--json` object: headline numbers, breakdowns, definitions."""
    out: dict[str, Any] = {"engine": engine, **summarize(results)}
    out["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["chunk_s"] = 0.1
    if any(_noise_key(r.clip) for r in results):
        out["by_noise"] = breakdown(results, _noise_key)
        out["by_snr"] = breakdown(
            results, lambda c: None if "snr" not in c.info else f"snr {c.info['snr']}"
        )
    if any("kind" in r.clip.info for r in results):
        out["by_kind"] = breakdown(results, lambda c: c.info.get("kind"))
    out["definitions"] = DEFINITIONS
    return out


def _condition(clip: Clip) -> str:
    return _noise_key(clip) or "all"


def _phrase(clip: Clip) -> str:
    return str(clip.info.get("text") or clip.expect or clip.audio.name)


def _heard(d: Detection) -> str:
    return f"{d.intent} ({d.text!r})" if d.text and d.text != str(d.intent) else str(d.intent)


def misses(results: list[ClipResult]) -> dict[str, dict[str, dict[str, Any]]]:
    """Per noise condition, per phrase said, what went wrong: only phrases with a miss or
    a false accept. `missed`: command clips where the expected intent did not fire (of
    `clips`), `heard_instead`: what fired on those (or "nothing"), `false`: what fired
    that should not have (on null clips anything; on command clips wrong or repeated
    intents), each with a count."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for r in results:
        row = out.setdefault(_condition(r.clip), {}).setdefault(
            _phrase(r.clip),
            {"expect": r.clip.expect, "clips": 0, "missed": 0, "heard_instead": {}, "false": {}},
        )
        row["clips"] += 1
        if r.clip.expect is not None and not r.correct:
            row["missed"] += 1
            for what in [_heard(d) for d in r.detections] or ["nothing"]:
                row["heard_instead"][what] = row["heard_instead"].get(what, 0) + 1
        first_expected = next((d for d in r.detections if d.intent == r.clip.expect), None)
        for d in r.detections:
            if d is not first_expected:
                row["false"][_heard(d)] = row["false"].get(_heard(d), 0) + 1
    return {
        cond: {k: v for k, v in sorted(rows.items()) if v["missed"] or v["false"]}
        for cond, rows in sorted(out.items())
    }


def misses_table(found: dict[str, dict[str, dict[str, Any]]]) -> str:
    """`misses` as text: one block per condition, one line per phrase."""

    def counted(d: dict[str, int]) -> str:
        return ", ".join(f"{k} x{n}" if n > 1 else k for k, n in sorted(d.items()))

    lines = ["", "misses and false accepts, by noise condition and phrase"]
    for cond, rows in found.items():
        lines.append(f"{cond}:" + ("" if rows else " nothing missed, nothing falsely heard"))
        for phrase, row in rows.items():
            parts = []
            if row["missed"]:
                heard = counted(row["heard_instead"])
                parts.append(f"missed {row['missed']}/{row['clips']} (heard: {heard})")
            if row["false"]:
                parts.append(f"falsely heard: {counted(row['false'])}")
            label = f"{phrase!r}" + (f" [{row['expect']}]" if row["expect"] else "")
            lines.append(f"  {label:<36} {'; '.join(parts)}")
    return "\n".join(lines)


def _fmt(value: Any, pct: bool = False) -> str:
    if value is None:
        return "-"
    if pct:
        return f"{100 * value:.1f}%"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def table(rep: dict[str, Any]) -> str:
    """A readable summary of a `report`."""
    lines = [
        f"engine           {rep['engine']}",
        f"clips            {rep['clips']} ({rep['commands']} commands, {rep['nulls']} null)",
        f"accuracy         {_fmt(rep['accuracy'], pct=True)} ({rep['correct']}/{rep['commands']})",
        f"false accepts    {rep['false_accepts']} "
        f"({_fmt(rep['false_accepts_per_hour'])}/h over {rep['null_hours']:.3f} h of null clips)",
        f"latency p50/p95  {_fmt(rep['latency_p50_s'])} / {_fmt(rep['latency_p95_s'])} s "
        f"(live, with the decode: {_fmt(rep['latency_live_p50_s'])} / "
        f"{_fmt(rep['latency_live_p95_s'])} s)",
        f"real-time factor {_fmt(rep['rtf'])} ({rep['cpu_s']} CPU s / {rep['audio_s']} audio s)",
        f"peak memory      {rep['peak_memory_mb']} MB",
    ]
    for name in ("by_noise", "by_snr", "by_kind"):
        if name not in rep:
            continue
        lines.append("")
        lines.append(
            f"{name[3:]:<16} {'clips':>5} {'acc':>7} {'FA':>4} {'FA/h':>8} {'p50':>6} "
            f"{'live p95':>8}"
        )
        for k, s in rep[name].items():
            lines.append(
                f"{k:<16} {s['clips']:>5} {_fmt(s['accuracy'], pct=True):>7} "
                f"{s['false_accepts']:>4} {_fmt(s['false_accepts_per_hour']):>8} "
                f"{_fmt(s['latency_p50_s']):>6} {_fmt(s['latency_live_p95_s']):>8}"
            )
    return "\n".join(lines)
