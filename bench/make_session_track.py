"""A user's microphone track for a replayed session, with its truth.

Why: end-to-end tests of a whole session need what a person would say into the microphone
over a workout -- commands at known times, ordinary chatter in between, room noise
throughout -- and exactly when each command ended, to score detections and latency.
Commands and chatter use the HELD-OUT voices and sentences of `make_clips.py`, so nothing
here was tuned on.

    python bench/make_session_track.py --commands "20:ready,45:pause,50:resume" \\
        --length 120 --out bench/out/track.wav [--seed S] [--chatter N] [--reverb RT60]

Each command is `TIME:INTENT` or `TIME:INTENT=PHRASE` (e.g. `45:pause=hold on`); TIME is
when the user STARTS speaking, in seconds.  Writes the 16 kHz mono int16 WAV and, next to
it, `<out>.json`:

    {"length": 120.0, "rate": 16000, "seed": 1, "reverb": 0.0,
     "commands": [{"intent": "ready", "text": "I'm ready", "voice": "en-gb+f4",
                   "start": 20.0, "end": 20.71}, ...],
     "chatter":  [{"text": "my calf is cramping a bit", "voice": "...",
                   "start": 8.3, "end": 9.9}, ...]}
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_clips import (  # bench scripts are not a package: import by path
    NEAR_MISSES,
    NEGATIVES,
    PHRASES,
    RATE,
    active_rms,
    pink_noise,
    reverberate,
    synth,
    to_int16,
    voice_name,
    write_wav,
)

SPLIT = "heldout"
GUARD = 1.5  # seconds of quiet kept between chatter and any command


@dataclass(frozen=True)
class Spoken:
    text: str
    voice: str
    start: float
    end: float
    intent: str | None = None


def parse_commands(spec: str) -> list[tuple[float, str, str | None]]:
    """`"20:ready,45:pause=hold on"` -> [(20.0, "ready", None), (45.0, "pause", "hold on")]."""
    out = []
    for item in filter(None, (s.strip() for s in spec.split(","))):
        time_s, sep, rest = item.partition(":")
        intent, _, phrase = rest.partition("=")
        intent = intent.strip()
        if not sep or intent not in PHRASES:
            known = ", ".join(PHRASES)
            raise ValueError(f"bad command {item!r}: use TIME:INTENT (intents: {known})")
        out.append((float(time_s), intent, phrase.strip() or None))
    return sorted(out)


def room_noise(rng: np.random.Generator, n: int) -> np.ndarray:
    """Pink room noise around -58 dBFS plus a faint mains hum that drifts in level."""
    t = np.arange(n) / RATE
    hum_freq = 50.0 if rng.random() < 0.5 else 60.0
    hum = np.sin(2 * np.pi * hum_freq * t) + 0.3 * np.sin(2 * np.pi * 3 * hum_freq * t)
    hum *= 10 ** (-66 / 20) * (1 + 0.3 * np.sin(2 * np.pi * t / 17.0))
    return (pink_noise(rng, n) * 10 ** (-58 / 20) + hum).astype(np.float32)


def _speech(
    rng: np.random.Generator, text: str, reverb: float = 0.0
) -> tuple[np.ndarray, int, str]:
    """Speech at a random level; in a simulated room when `reverb` (RT60 s) is set, with
    the room's ringing cut where the direct sound ends (commands stay exactly timed)."""
    voice = voice_name(SPLIT, rng)
    s = synth(voice, int(rng.integers(140, 191)), int(rng.integers(35, 66)), text)
    s = s * (10 ** (rng.uniform(-26, -18) / 20) / (active_rms(s) + 1e-9))
    dry = len(s)
    if reverb > 0:
        s = reverberate(s, reverb, dry)
    return s, dry, voice


def build_track(
    commands: list[tuple[float, str, str | None]],
    length: float,
    seed: int,
    chatter: int,
    reverb: float = 0.0,
) -> tuple[np.ndarray, list[Spoken], list[Spoken]]:
    """Mix the track; returns (int16 samples, commands spoken, chatter spoken)."""
    rng = np.random.default_rng([seed, 4242])
    n = int(length * RATE)
    mix = room_noise(rng, n)
    said: list[Spoken] = []
    for start, intent, phrase in commands:
        text = phrase or str(rng.choice(PHRASES[intent]))
        s, dry, voice = _speech(rng, text, reverb)
        i = int(start * RATE)
        if i < 0 or i + len(s) > n:
            raise ValueError(f"command {intent!r} at {start}s does not fit in {length}s")
        if said and start < said[-1].end:
            raise ValueError(f"command {intent!r} at {start}s overlaps {said[-1].intent!r}")
        mix[i : i + len(s)] += s
        said.append(Spoken(text, voice, start, (i + dry) / RATE, intent))
    busy = [(c.start - GUARD, c.end + GUARD) for c in said]
    talk: list[Spoken] = []
    pool = NEGATIVES[SPLIT] + NEAR_MISSES[SPLIT]
    for _ in range(chatter * 20):  # bounded retries to find free gaps
        if len(talk) >= chatter:
            break
        text = str(rng.choice(pool))
        s, _, voice = _speech(rng, text, reverb)
        start = float(rng.uniform(0.5, max(0.6, length - len(s) / RATE - 0.5)))
        end = start + len(s) / RATE
        if end > length or any(a < end and start < b for a, b in busy):
            continue
        i = int(start * RATE)
        mix[i : i + len(s)] += s * 10 ** (rng.uniform(-6, 0) / 20)
        talk.append(Spoken(text, voice, round(start, 4), round(end, 4)))
        busy.append((start - GUARD, end + GUARD))
    return to_int16(mix), said, sorted(talk, key=lambda c: c.start)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--commands", required=True, help='e.g. "20:ready,45:pause=hold on"')
    ap.add_argument("--length", type=float, required=True, help="seconds")
    ap.add_argument("--out", type=Path, required=True, help="WAV path; truth goes to .json")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--chatter", type=int, default=None, help="sentences (default length/20)")
    ap.add_argument("--reverb", type=float, default=0.0, help="room RT60 in seconds (0: dry)")
    args = ap.parse_args(argv)
    try:
        commands = parse_commands(args.commands)
        chatter = int(args.length // 20) if args.chatter is None else args.chatter
        samples, said, talk = build_track(commands, args.length, args.seed, chatter, args.reverb)
    except ValueError as exc:
        print(f"make_session_track: {exc}", file=sys.stderr)
        return 2
    write_wav(args.out, samples)
    truth = {
        "length": args.length,
        "rate": RATE,
        "seed": args.seed,
        "reverb": args.reverb,
        "commands": [
            {
                "intent": c.intent,
                "text": c.text,
                "voice": c.voice,
                "start": round(c.start, 4),
                "end": round(c.end, 4),
            }
            for c in said
        ],
        "chatter": [
            {"text": c.text, "voice": c.voice, "start": c.start, "end": c.end} for c in talk
        ],
    }
    truth_path = args.out.with_suffix(".json")
    truth_path.write_text(json.dumps(truth, indent=1) + "\n")
    print(f"wrote {args.out} and {truth_path}: {len(said)} commands, {len(talk)} chatter")
    return 0


if __name__ == "__main__":
    sys.exit(main())
