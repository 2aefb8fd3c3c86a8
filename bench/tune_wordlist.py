"""Write voicecoach/ears/common_words.txt: the most frequent English words of the
pocketsphinx en-us language model that are in its dictionary (one per line, most
frequent first, with the model's log10 unigram probability).

The PocketSphinx recognizer lets these words compete with the command phrases, so
ordinary talk decodes as ordinary words instead of being forced onto a command.

    python bench/tune_wordlist.py [--n 3000]
"""

from __future__ import annotations

import argparse
import math
import re
from pathlib import Path

import pocketsphinx as ps

OUT = Path(__file__).resolve().parent.parent / "voicecoach" / "ears" / "common_words.txt"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3000)
    args = ap.parse_args()
    lm = ps.NGramModel.readfile(ps.get_model_path("en-us/en-us.lm.bin"))
    words = set()
    with open(ps.get_model_path("en-us/cmudict-en-us.dict")) as f:
        for line in f:
            w = line.split()[0]
            if "(" not in w and re.fullmatch(r"[a-z]+('[a-z]+)?", w):
                words.add(w)
    scored = sorted(((lm.prob([w]), w) for w in words), reverse=True)[: args.n]
    to_log10 = math.log10(1.0001)
    OUT.write_text("".join(f"{w} {p * to_log10:.4f}\n" for p, w in scored))
    print(f"wrote {len(scored)} words to {OUT}")


if __name__ == "__main__":
    main()
