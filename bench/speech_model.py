"""Measure the speech-length model (`voicecoach/speech.py`) against espeak-ng.

Renders every phrase the five packaged routines say (a dry run of each session, counted by
how often it is said) with the project's renderer at the default rate, fits the formula's
coefficients on them, and reports how well the formula and the measured table match:

    python bench/speech_model.py            # report the current model's error
    python bench/speech_model.py --fit      # also print fitted constants and the table

The phrases said most often (counts, "Go", "Hold"...) are measured exactly and kept in
`speech.MEASURED`; the formula covers the rest (`speech.SpeechModel`).
"""

from __future__ import annotations

import argparse
import collections
import time

import numpy as np

from voicecoach import catalog, speech
from voicecoach.runtime.simulation import Simulation
from voicecoach.voice import make_renderer

TABLE_MIN_COUNT = 8  # a phrase said at least this often across the seed sessions is measured


def session_phrases() -> collections.Counter[str]:
    said: collections.Counter[str] = collections.Counter()
    for path in sorted(catalog.packaged_dir().glob("*.toml")):
        said.update(Simulation(catalog.load(path)).finish().voice.said)
    return said


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fit", action="store_true", help="print fitted constants and table")
    args = parser.parse_args()
    said = session_phrases()
    renderer = make_renderer(rate=speech.DEFAULT_RATE)
    started = time.perf_counter()
    counts = [str(n) for n in range(1, 61)]  # every rep count a routine can reach
    real = {text: renderer.render(text).duration for text in [*said, *counts]}
    print(f"rendered {len(real)} distinct phrases in {time.perf_counter() - started:.1f} s")
    texts = list(said)
    y = np.array([real[t] for t in texts])
    w = np.array([said[t] for t in texts], dtype=float)
    model = speech.MODEL
    if args.fit:
        often = [t for t in texts if said[t] >= TABLE_MIN_COUNT]
        table = {t: round(real[t], 3) for t in [*counts, *often]}
        rest = [i for i, t in enumerate(texts) if t not in table]
        x = np.array([speech.features(texts[i]) for i in rest])
        coef, *_ = np.linalg.lstsq(x, y[rest], rcond=None)
        print("coefficients (per spoken letter, comma, inner stop, phrase):", np.round(coef, 4))
        print("MEASURED = {")
        for t in table:
            print(f"    {t!r}: {table[t]},")
        print("}")
    guess = np.array([model.seconds(t) for t in texts])
    rel = np.abs(guess - y) / y
    print(f"phrases: mean error {rel.mean():.1%}, p90 {np.quantile(rel, 0.9):.1%}")
    print(f"weighted by how often each is said: mean error {np.average(rel, weights=w):.1%}")
    total = (np.sum(w * guess) - np.sum(w * y)) / np.sum(w * y)
    print(f"all speech of the five sessions: model {total:+.2%} off espeak-ng")


if __name__ == "__main__":
    main()
