"""How long the coach's sounds last: the one model of speech and cue length.

Pure (no synthesizer, no I/O), so that the engine's planning, the `--fast` voice, `show`
and the plan's estimate all use the same numbers. Speech: the phrases a session says most
often are measured from espeak-ng through the project's renderer (`MEASURED`); the rest
follow a formula fitted on every phrase the packaged routines say (`bench/speech_model.py`
re-measures both; figures in bench/RESULTS.md). Both are at `DEFAULT_RATE` words per
minute and scale with the rate. Cues: their length is the sum of their notes (`CUES`, the
table `voicecoach.voice.cues` plays).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_RATE = 175  # words per minute: espeak-ng's own default, a calm coaching pace
DEFAULT_VOICE = "gmw/en-us"  # espeak-ng's American English (its own default is British)

# name -> notes as (frequency Hz, seconds). Rising = "go", single = "stop", arpeggio = "done".
CUES: dict[str, tuple[tuple[float, float], ...]] = {
    "start": ((784.0, 0.10), (1046.5, 0.16)),  # G5 -> C6: begin
    "tick": ((1318.5, 0.06),),  # E6 pip: the last seconds of a hold or rest
    "hold_end": ((987.8, 0.28),),  # B5: the hold is over, relax
    "rest_over": ((659.3, 0.10), (880.0, 0.16)),  # E5 -> A5: get ready again
    "done": ((523.3, 0.12), (659.3, 0.12), (784.0, 0.12), (1046.5, 0.30)),  # C major
}


def cue_notes(name: str) -> tuple[tuple[float, float], ...]:
    try:
        return CUES[name]
    except KeyError:  # the engine asked for a cue that does not exist: a bug, not user error
        raise ValueError(f"unknown cue {name!r}; cues are: {', '.join(CUES)}") from None


def cue_seconds(name: str) -> float:
    """Length of cue `name` in seconds (what its sound lasts)."""
    return sum(seconds for _, seconds in cue_notes(name))


_ONES = [
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"),
    *("seventeen", "eighteen", "nineteen"),
]
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()  # noqa: SIM905


def _number_words(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = "" if n % 100 == 0 else " and " + _number_words(n % 100)
        return _ONES[n // 100] + " hundred" + rest
    return " ".join(_ONES[int(d)] for d in str(n))


def features(text: str) -> tuple[float, float, float, float]:
    """(spoken letters, commas, sentence ends inside the phrase, 1): what the formula
    weighs. Numbers count as the words espeak says for them."""
    spoken = re.sub(r"\d+", lambda m: f" {_number_words(int(m.group()))} ", text)
    letters = sum(ch.isalnum() for ch in spoken)
    commas = sum(text.count(c) for c in ",;:")
    stops = len(re.findall(r"[.!?]\s", text.strip()))
    return float(letters), float(commas), float(stops), 1.0


@dataclass(frozen=True, slots=True)
class SpeechModel:
    """Seconds of speech for a phrase at `rate` words per minute: measured when the phrase
    is in `measured`, else `per_letter * letters + per_comma * commas + per_stop * stops
    + per_phrase` (at DEFAULT_RATE; scaled by DEFAULT_RATE / rate)."""

    per_letter: float
    per_comma: float
    per_stop: float
    per_phrase: float
    measured: Mapping[str, float] = field(default_factory=dict)

    def seconds(self, text: str, rate: int | None = None) -> float:
        if not text.strip():
            return 0.0
        scale = DEFAULT_RATE / (rate or DEFAULT_RATE)
        found = self.measured.get(text)
        if found is not None:
            return round(found * scale, 3)
        letters, commas, stops, one = features(text)
        base = (
            self.per_letter * letters
            + self.per_comma * commas
            + self.per_stop * stops
            + self.per_phrase * one
        )
        return round(max(base, 0.1) * scale, 3)


# espeak-ng 1.51, default English voice, 175 wpm (bench/speech_model.py --fit)
MEASURED: dict[str, float] = {
    "1": 0.421,
    "2": 0.325,
    "3": 0.368,
    "4": 0.417,
    "5": 0.492,
    "6": 0.467,
    "7": 0.494,
    "8": 0.339,
    "9": 0.477,
    "10": 0.393,
    "11": 0.509,
    "12": 0.51,
    "13": 0.533,
    "14": 0.56,
    "15": 0.552,
    "16": 0.596,
    "17": 0.686,
    "18": 0.44,
    "19": 0.564,
    "20": 0.54,
    "21": 0.813,
    "22": 0.748,
    "23": 0.759,
    "24": 0.812,
    "25": 0.879,
    "26": 0.853,
    "27": 0.889,
    "28": 0.727,
    "29": 0.862,
    "30": 0.45,
    "31": 0.733,
    "32": 0.669,
    "33": 0.689,
    "34": 0.732,
    "35": 0.797,
    "36": 0.782,
    "37": 0.809,
    "38": 0.647,
    "39": 0.782,
    "40": 0.476,
    "41": 0.753,
    "42": 0.689,
    "43": 0.7,
    "44": 0.744,
    "45": 0.82,
    "46": 0.793,
    "47": 0.82,
    "48": 0.655,
    "49": 0.803,
    "50": 0.501,
    "51": 0.801,
    "52": 0.736,
    "53": 0.748,
    "54": 0.801,
    "55": 0.876,
    "56": 0.85,
    "57": 0.877,
    "58": 0.715,
    "59": 0.85,
    "60": 0.544,
    "Say ready when you are in position.": 1.606,
    "Starting in 3": 0.93,
    "Go": 0.351,
    "Hold": 0.486,
    "Switch to your left side.": 1.422,
    "Release. 1 of 10": 1.51,
    "Release. 2 of 10": 1.537,
    "Release. 3 of 10": 1.519,
    "Release. 4 of 10": 1.605,
    "Release. 5 of 10": 1.641,
    "Release. 6 of 10": 1.68,
    "Release. 7 of 10": 1.666,
    "Release. 8 of 10": 1.494,
    "Release. 9 of 10": 1.53,
    "Release. 10 of 10": 1.58,
    "Halfway": 0.532,
    "Counter-clockwise. 5 times.": 2.223,
}

MODEL = SpeechModel(
    per_letter=0.0591,
    per_comma=0.4015,
    per_stop=0.5328,
    per_phrase=0.2639,
    measured=MEASURED,
)


def speech_seconds(text: str, rate: int | None = None) -> float:
    """How long the coach takes to say `text` at `rate` words per minute."""
    return MODEL.seconds(text, rate)
