"""How long espeak-ng takes to render one utterance through the project's pyttsx3 backend.

Renders every distinct phrase the seed routines' sessions say (a dry run of each, as
`start` prerenders them), once each, in one process, and reports milliseconds per
utterance (median, 95th percentile, max) and the time to the first clip (the engine's
start included), so a change to the renderer shows its cost on both.

    python bench/render_time.py [--routines ground-up,knee-strength] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROUTINES = "ground-up,knee-strength,back-hip-knee,back-hip-knee-20,behind-knee"


def phrases(names: list[str]) -> list[str]:
    from voicecoach import catalog
    from voicecoach.runtime.simulation import Simulation

    said = (p for name in names for p in Simulation(catalog.find(name)).finish().voice.said)
    return list(dict.fromkeys(" ".join(p.split()) for p in said if p.strip()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routines", default=ROUTINES)
    parser.add_argument("--repeat", type=int, default=1, help="render the whole set N times")
    args = parser.parse_args()
    texts = phrases(args.routines.split(","))
    started = time.perf_counter()
    from voicecoach.voice.render import Pyttsx3Backend

    backend = Pyttsx3Backend()
    backend.synth(texts[0])
    first_ms = (time.perf_counter() - started) * 1000
    times: list[float] = []
    for _ in range(args.repeat):
        for text in texts:
            t0 = time.perf_counter()
            backend.synth(text)
            times.append((time.perf_counter() - t0) * 1000)
    ordered = sorted(times)
    result = {
        "phrases": len(texts),
        "renders": len(times),
        "mean_chars": round(statistics.mean(len(t) for t in texts), 1),
        "engine_start_and_first_clip_ms": round(first_ms, 1),
        "per_utterance_ms": {
            "median": round(statistics.median(times), 2),
            "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
            "max": round(ordered[-1], 2),
        },
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
