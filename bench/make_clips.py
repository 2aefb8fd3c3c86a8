"""Deterministic development clip sets for the ears (issue 6.3).

Why: recognizer tuning needs many labelled clips -- commands spoken alone and inside
short utterances, ordinary workout chatter that must NOT fire, at several noise levels --
and a held-out set that is never tuned on.  Everything is synthesized with espeak-ng and
mixed here, so the same seed always gives the same clips and nothing is downloaded.

    python bench/make_clips.py --out bench/out/clips --split dev|heldout|both [--n N] [--seed S]
    python bench/make_clips.py --out bench/out/clips --split acceptance --n 600

The `acceptance` split is the exception to "espeak-ng only": other synthesizers' voices
(flite, festival: diphone, clustergen and HTS voices) read the held-out texts, to measure
the adopted design once as an outside listener would. Nothing is tuned on it and it is in
no dev set.

Each split is written to `<out>/<split>/` as `audio/*.wav` (16 kHz mono int16) plus
`manifest.jsonl`, one JSON object per clip:

    {"audio": "audio/dev_00012.wav", "expect": "next" | null, "speech_start": 0.61,
     "speech_end": 1.42, "text": "okay next please", "voice": "en-us+f3", "speed": 160,
     "pitch": 45, "noise": "white|pink|babble|music|none", "snr": 20 | 10 | 5 | null,
     "split": "dev", "kind": "command|carrier|negative|near_miss|coach",
     "reverb": 0.45 | null, "perturb": 1.07 | null, "duration": 2.9}

`snr` is the speech level (RMS over its active 10 ms frames) over the noise RMS, in dB.
`speech_start`/`speech_end` come from the clip construction (where the clean synthesized
speech was placed), not from a detector run on the noisy mix.  Leading and trailing
silence is filled with a low noise floor, never digital zero.  A quarter of the clips
are spoken in a simulated room (`reverb` = RT60 in seconds; `speech_end` is still where
the direct sound ends, the room rings on after it).  Half of the clips are perturbed in
pitch and tempo together (`perturb`: a resampling factor in 0.88-1.12).  The two splits use
disjoint espeak-ng voice variants, different accents, different carrier phrases and
different negative sentences.  The split folder is replaced atomically when complete.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import wave
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from voicecoach.ears.phrases import PHRASES as _SHARED_PHRASES
from voicecoach.ears.phrases import find as _find_phrases

RATE = 16_000  # Hz: what every recognizer consumes (voicecoach.ports.MIC_RATE)

# -- vocabulary ---------------------------------------------------------------------------

# The command phrase table is the shared one (voicecoach/ears/phrases.py), as plain strings.
PHRASES: dict[str, tuple[str, ...]] = {str(k): v for k, v in _SHARED_PHRASES.items()}

# Words around a command ("um next", "next please"); different per split.
CARRIERS: dict[str, tuple[str, ...]] = {
    "dev": ("okay {} please", "um {}", "{} please", "{} now", "alright {}", "uh {} please"),
    "heldout": ("hmm {}", "{} thanks", "right {}", "so {}", "{} thank you", "well {}"),
}

# Ordinary sentences someone might say mid-workout: must never fire.  None contains a
# command phrase as a whole word sequence (checked by `contains_command`); homophones of
# commands ("weight", "paws", "know") are avoided too because no recognizer could tell.
NEGATIVES: dict[str, tuple[str, ...]] = {
    "dev": (
        "this band keeps slipping off my foot",
        "my calves are burning",
        "I need some water",
        "where did I put the towel",
        "that was a good stretch",
        "the floor is cold today",
        "my left ankle feels a bit stiff",
        "I should open the window",
        "the cat is sitting on my mat",
        "can you believe this weather",
        "I forgot to charge my phone",
        "my knee clicked a little",
        "these socks are too slippery",
        "I think I pulled something in my shoulder",
        "the neighbours are loud tonight",
        "what should we have for dinner",
        "I love this part of the routine",
        "my legs feel like jelly",
        "the dog wants to go outside",
        "this mat smells like rubber",
        "I will call my mother later",
        "the kettle is boiling",
        "remind me to buy eggs",
        "it is getting dark outside",
        "I can feel it in my hamstrings",
        "the band is the green one",
        "my toes are freezing",
        "I did this routine yesterday as well",
        "the radio is playing my favourite song",
        "I have a meeting at three",
        "the heating makes a funny noise",
        "I should have eaten breakfast",
        "that feels much better than last week",
        "my foot fell asleep",
        "the sun is in my eyes",
        "let me fix my ponytail",
        "the parcel arrived this morning",
        "I really like the blue band",
        "my physio said to take it slowly",
        "I am a little out of breath",
        "the carpet is softer than the mat",
        "someone is at the front door",
        "I think the oven is still on",
        "my hips feel tight",
        "this exercise is harder than it looks",
    ),
    "heldout": (
        "my calf is cramping a bit",
        "the towel fell on the floor",
        "I want a cup of tea after this",
        "my shoulders feel loose now",
        "the baby is finally asleep",
        "this strap is twisted",
        "I need to cut my toenails",
        "the window is fogging up",
        "my phone keeps buzzing",
        "I can smell the neighbours cooking",
        "the plant needs watering",
        "my heel is sore from running",
        "I like doing this in the morning",
        "the floorboards are creaking",
        "we should paint the hallway",
        "my sister is visiting on Sunday",
        "I bought new trainers last week",
        "the rain has finally started",
        "I feel much more flexible",
        "there is a spider on the ceiling",
        "I must water the garden tonight",
        "my wrist is a little sore",
        "the bin needs emptying",
        "I think I hear the postman",
        "these leggings are comfortable",
        "I am sweating quite a lot",
        "that stretch was lovely",
        "my breathing is steady",
        "the light bulb is flickering",
        "I have to pick up the kids at four",
        "this cushion is useful for my head",
        "my ankle is warming up nicely",
        "the train was late this morning",
        "I should drink more during the day",
        "the cat knocked over a glass",
        "my lower legs feel heavy",
        "I enjoyed the walk in the park",
        "the music downstairs is loud",
        "my grandmother taught me this one",
        "I might try the longer routine tomorrow",
        "the blanket is too warm",
        "I need new batteries for the remote",
        "my thighs are shaking",
        "the clock on the wall is slow",
        "we are out of milk",
    ),
}

# Close to a command in sound or spelling, but not a command.
NEAR_MISSES: dict[str, tuple[str, ...]] = {
    "dev": (
        "I sent a text to my brother",
        "my neck is stiff",
        "I am already tired",
        "nobody told me about this",
        "that was helpful",
        "where is my stopwatch",
        "the waiter brought soup",
        "I love painting on weekends",
        "my backpack is heavy",
        "fasten the strap around your foot",
        "the skipper steered the boat",
        "it depends on the context",
    ),
    "heldout": (
        "I keep texting my friend",
        "my necklace is tangled",
        "yesterday was a long day",
        "nothing much happened",
        "the helper arrived early",
        "the bus stopped outside",
        "the painter is coming",
        "the backyard is muddy",
        "she repeated the question",
        "a skipping rope is fun",
        "the fastest runner won",
        "I am holding onto the chair",
    ),
}

# What the coach itself says (an echo the ears must not act on).
COACH: dict[str, tuple[str, ...]] = {
    "dev": (
        "ankle circles, ten each way",
        "lie down on the mat and relax",
        "point your toes and hold for five seconds",
        "switch to the left side",
        "rest for thirty seconds",
        "loop the band around your right foot",
        "three, four, five, six",
        "nice work, that was the last set",
        "breathe in slowly and breathe out",
        "keep your knee straight",
    ),
    "heldout": (
        "calf raises, twelve repetitions",
        "flex your foot towards you",
        "now the other leg",
        "take a short rest",
        "seven, eight, nine, ten",
        "hold the stretch and breathe",
        "great work, two sets to go",
        "relax your shoulders",
        "slowly lower your heel",
        "wrap the band under the arch of your foot",
    ),
}

# -- voices ---------------------------------------------------------------------------------

# Disjoint variants per split, so held-out voices are never heard while tuning.
VOICES: dict[str, dict[str, tuple[str, ...]]] = {
    "dev": {
        "bases": ("en-us", "en-gb", "en-gb-x-rp", "en-029"),
        "variants": (
            "",
            "f1",
            "f3",
            "f5",
            "m1",
            "m3",
            "m5",
            "m7",
            "klatt",
            "klatt3",
            "Andy",
            "annie",
            "david",
            "linda",
            "max",
            "steph",
            "john",
        ),
    },
    "heldout": {
        "bases": ("en-us", "en-gb", "en-us-nyc", "en-gb-scotland", "en-gb-x-gbclan"),
        "variants": (
            "f2",
            "f4",
            "m2",
            "m4",
            "m6",
            "m8",
            "klatt2",
            "klatt4",
            "Alicia",
            "belinda",
            "benjamin",
            "edward",
            "iven",
            "paul",
            "robert",
            "travis",
        ),
    },
}

SPLITS = ("dev", "heldout")
# Acceptance: other synthesizers (flite's and festival's voices, `apt-get install flite
# festival festvox-kallpc16k festvox-us-slt-hts`), reading the held-out texts. Never tuned
# on, never in a dev set: measured once per adopted design, as an outside listener would.
ACCEPTANCE = "acceptance"
ACCEPTANCE_VOICES = (
    "flite:kal",  # diphone, 8 kHz
    "flite:kal16",  # diphone
    "flite:awb",  # clustergen (statistical parametric), Scottish English
    "flite:rms",  # clustergen
    "flite:slt",  # clustergen, female
    "festival:kal_diphone",  # diphone (residual-excited LPC)
    "festival:cmu_us_slt_arctic_hts",  # HTS (HMM-based)
)
ALL_SPLITS = (*SPLITS, ACCEPTANCE)


def texts_of(split: str) -> str:
    """Whose sentence tables a split reads: acceptance reads the held-out ones."""
    return "heldout" if split == ACCEPTANCE else split


NOISES = ("white", "pink", "babble", "music")
SNRS = (20, 10, 5)


def contains_command(text: str) -> str | None:
    """The first command intent whose phrase occurs in `text` as whole words, else None."""
    found, _extra, _total = _find_phrases(text)
    return str(found[0]) if found else None


def voice_name(split: str, rng: np.random.Generator) -> str:
    """A random `base+variant` espeak-ng voice of the split (acceptance: another
    synthesizer's voice, `engine:name`)."""
    if split == ACCEPTANCE:
        return str(rng.choice(ACCEPTANCE_VOICES))
    table = VOICES[split]
    base = str(rng.choice(table["bases"]))
    variant = str(rng.choice(table["variants"]))
    return f"{base}+{variant}" if variant else base


# -- synthesis --------------------------------------------------------------------------------


def _command(voice: str, speed: int, pitch: int, text: str) -> tuple[list[str], bytes | None]:
    """The synthesizer's command line writing a WAV to stdout, and its stdin."""
    engine, _, name = voice.partition(":")
    stretch = f"{175 / speed:.3f}"  # espeak-ng's words per minute as a duration factor
    if engine == "flite":  # pitch: left to the perturbation (resampling) of half the clips
        cmd = ["flite", "-voice", name, "--setf", f"duration_stretch={stretch}"]
        return [*cmd, "-t", text, "-o", "/dev/stdout"], None
    if engine == "festival":
        evals = f"(voice_{name})", f"(Parameter.set 'Duration_Stretch {stretch})"
        return ["text2wave", "-eval", evals[0], "-eval", evals[1], "-o", "-"], text.encode()
    args = ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", text]
    return args, None


@lru_cache(maxsize=4096)
def _espeak(voice: str, speed: int, pitch: int, text: str) -> np.ndarray:
    cmd, stdin = _command(voice, speed, pitch, text)
    proc = subprocess.run(cmd, input=stdin, capture_output=True, check=True)
    data = proc.stdout
    if data[:4] != b"RIFF" or len(data) <= 44:
        raise RuntimeError(f"{cmd[0]} produced no audio for {voice!r}: {text!r}")
    rate = int.from_bytes(data[24:28], "little")
    pcm = np.frombuffer(data[44:], dtype="<i2").astype(np.float32) / 32768.0
    out = resample_poly(pcm, RATE, rate).astype(np.float32) if rate != RATE else pcm
    out.setflags(write=False)
    return out


def synth(voice: str, speed: int, pitch: int, text: str) -> np.ndarray:
    """Clean speech, float32 at 16 kHz, trimmed to the speech itself."""
    x = _espeak(voice, speed, pitch, text)
    start, end = speech_bounds(x)
    return x[start:end].copy()


def speech_bounds(x: np.ndarray, frame: int = 80, floor_db: float = -45.0) -> tuple[int, int]:
    """First and last sample of frames within `floor_db` of the loudest frame (clean audio)."""
    n = len(x) // frame
    if n == 0:
        return 0, len(x)
    rms = np.sqrt(np.mean(x[: n * frame].reshape(n, frame) ** 2, axis=1) + 1e-20)
    active = np.flatnonzero(rms > rms.max() * 10 ** (floor_db / 20))
    return int(active[0] * frame), int((active[-1] + 1) * frame)


def active_rms(x: np.ndarray, frame: int = 160) -> float:
    """RMS over the louder frames only: the speech level that an SNR refers to."""
    n = len(x) // frame
    if n == 0:
        return float(np.sqrt(np.mean(x**2) + 1e-20))
    rms = np.sqrt(np.mean(x[: n * frame].reshape(n, frame) ** 2, axis=1))
    loud = rms[rms > rms.max() * 10 ** (-30 / 20)]
    return float(np.sqrt(np.mean(loud**2)))


# -- noise --------------------------------------------------------------------------------------


def white_noise(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.standard_normal(n).astype(np.float32)


def pink_noise(rng: np.random.Generator, n: int) -> np.ndarray:
    """1/f noise by shaping white noise in the frequency domain; unit RMS."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / RATE)
    f[0] = f[1] if n > 1 else 1.0
    x = np.fft.irfft(spec / np.sqrt(f), n).astype(np.float32)
    return x / (np.sqrt(np.mean(x**2)) + 1e-12)


def music_noise(rng: np.random.Generator, n: int) -> np.ndarray:
    """Music-like: chords of harmonic tones changing each bar, pulsed on the beat, a kick
    drum and off-beat hi-hats.  Unit RMS."""
    t = np.arange(n) / RATE
    bpm = rng.uniform(80, 140)
    beat = 60.0 / bpm
    root = 110.0 * 2 ** (rng.integers(0, 12) / 12)
    progressions = ((0, 5, 7, 0), (0, 9, 5, 7), (0, 3, 8, 10), (0, 7, 9, 5))
    prog = progressions[rng.integers(len(progressions))]
    bar = np.floor(t / (4 * beat)).astype(int) % 4
    phase_in_beat = np.mod(t, beat)
    pulse = np.exp(-phase_in_beat / (beat * 0.45))
    x = np.zeros(n, dtype=np.float64)
    for chord_idx, semis in enumerate(prog):
        sel = bar == chord_idx
        if not sel.any():
            continue
        for interval in (0, 4 if chord_idx % 2 == 0 else 3, 7, 12):
            f0 = root * 2 ** ((semis + interval) / 12)
            for h, amp in ((1, 1.0), (2, 0.4), (3, 0.2)):
                x[sel] += amp * np.sin(2 * np.pi * f0 * h * t[sel])
    x *= 0.3 + 0.7 * pulse
    kick_env = np.exp(-phase_in_beat / 0.08)
    x += 3.0 * kick_env * np.sin(2 * np.pi * (50 + 70 * np.exp(-phase_in_beat / 0.03)) * t)
    off = np.mod(t + beat / 2, beat)
    x += 0.6 * np.exp(-off / 0.015) * rng.standard_normal(n)
    x = x.astype(np.float32)
    return x / (np.sqrt(np.mean(x**2)) + 1e-12)


class Babble:
    """Several espeak voices reading the split's chatter at once, rendered once per split
    as a long bed; clips take random slices.  Unit RMS."""

    def __init__(self, split: str, seed: int, seconds: float = 40.0, talkers: int = 5) -> None:
        rng = np.random.default_rng([seed, 991, ALL_SPLITS.index(split)])
        sentences = NEGATIVES[texts_of(split)] + COACH[texts_of(split)]
        n = int(seconds * RATE)
        bed = np.zeros(n, dtype=np.float32)
        for _ in range(talkers):
            track = np.zeros(n, dtype=np.float32)
            pos = int(rng.uniform(0, 0.5) * RATE)
            voice = voice_name(split, rng)
            while pos < n:
                s = synth(
                    voice,
                    int(rng.integers(140, 190)),
                    int(rng.integers(30, 70)),
                    str(rng.choice(sentences)),
                )
                s = s / (active_rms(s) + 1e-9)
                k = min(len(s), n - pos)
                track[pos : pos + k] += s[:k]
                pos += k + int(rng.uniform(0.05, 0.4) * RATE)
            bed += track
        self.bed = bed / (np.sqrt(np.mean(bed**2)) + 1e-12)

    def take(self, rng: np.random.Generator, n: int) -> np.ndarray:
        reps = -(-n // len(self.bed)) + 1
        bed = np.tile(self.bed, reps)
        start = int(rng.integers(0, len(self.bed)))
        return bed[start : start + n].copy()


def noise_floor(rng: np.random.Generator, n: int) -> np.ndarray:
    """Quiet room noise (pink, around -70 dBFS) so no sample run is digital zero."""
    level = 10 ** (rng.uniform(-75, -65) / 20)
    return pink_noise(rng, n) * level


def make_noise(kind: str, rng: np.random.Generator, n: int, babble: Babble | None) -> np.ndarray:
    if kind == "white":
        return white_noise(rng, n)
    if kind == "pink":
        return pink_noise(rng, n)
    if kind == "music":
        return music_noise(rng, n)
    if kind == "babble":
        if babble is None:
            raise ValueError("babble noise needs a Babble bed")
        return babble.take(rng, n)
    raise ValueError(f"unknown noise {kind!r}")


def to_int16(x: np.ndarray) -> np.ndarray:
    """Scale down if needed so nothing clips, then quantize."""
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    if peak > 0.97:
        x = x * (0.97 / peak)
    return np.round(x * 32767).astype(np.int16)


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())


# -- clip plans -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What one clip says and how it sounds."""

    kind: str
    text: str
    expect: str | None
    voice: str
    speed: int
    pitch: int
    noise: str
    snr: int | None
    reverb: float | None = None  # RT60 in seconds of a simulated room, None = dry
    perturb: float | None = (
        None  # resampling factor: pitch and tempo together, None = as synthesized
    )


KINDS = (
    ("command", 0.36),
    ("carrier", 0.24),
    ("negative", 0.26),
    ("near_miss", 0.08),
    ("coach", 0.06),
)
REVERB_SHARE = 0.25  # of clips spoken in a simulated room (a phone on the floor, 1-3 m away)
PERTURB_SHARE = 0.5  # of clips whose speech is resampled (pitch and tempo perturbation)
PERTURB_RANGE = (0.88, 1.12)  # factor > 1: higher and faster (a smaller vocal tract)
CONDITIONS = [("none", None)] * 3 + [(k, s) for k in NOISES for s in SNRS]


def plan_clip(split: str, i: int, seed: int) -> Plan:
    """The i-th clip of a split: a pure function of (split, i, seed)."""
    rng = np.random.default_rng([seed, ALL_SPLITS.index(split), i])
    texts = texts_of(split)
    kinds, weights = zip(*KINDS, strict=True)
    kind = str(rng.choice(kinds, p=np.array(weights) / sum(weights)))
    expect: str | None = None
    if kind in ("command", "carrier"):
        intents = list(PHRASES)
        expect = intents[i % len(intents)] if kind == "command" else str(rng.choice(intents))
        phrase = str(rng.choice(PHRASES[expect]))
        text = phrase if kind == "command" else str(rng.choice(CARRIERS[texts])).format(phrase)
    else:
        pool = {"negative": NEGATIVES, "near_miss": NEAR_MISSES, "coach": COACH}[kind][texts]
        text = str(rng.choice(pool))
    noise, snr = CONDITIONS[int(rng.integers(len(CONDITIONS)))]
    room = np.random.default_rng([seed, ALL_SPLITS.index(split), i, 11])  # own stream: adding
    reverb = round(float(room.uniform(0.2, 0.7)), 2) if room.random() < REVERB_SHARE else None
    shift = np.random.default_rng([seed, ALL_SPLITS.index(split), i, 13])  # own stream too
    perturb = (
        round(float(shift.uniform(*PERTURB_RANGE)), 3) if shift.random() < PERTURB_SHARE else None
    )
    return Plan(
        kind=kind,
        text=text,
        expect=expect,
        voice=voice_name(split, rng),
        speed=int(rng.integers(130, 201)),
        pitch=int(rng.integers(30, 71)),
        noise=noise,
        snr=snr,
        reverb=reverb,
        perturb=perturb,
    )


def perturbed(speech: np.ndarray, factor: float) -> np.ndarray:
    """`speech` played `factor` times faster: pitch and tempo both scale by `factor`
    (the speed perturbation of ASR training), so one espeak-ng voice yields many."""
    up = 1000
    down = max(1, round(up * factor))
    return resample_poly(speech, up, down).astype(np.float32)


def render_clip(
    plan: Plan, rng: np.random.Generator, babble: Babble | None
) -> tuple[np.ndarray, float, float]:
    """Mix one clip: (int16 samples, speech_start, speech_end) in seconds."""
    speech = synth(plan.voice, plan.speed, plan.pitch, plan.text)
    if plan.perturb:
        speech = perturbed(speech, plan.perturb)
    speech = speech * (10 ** (rng.uniform(-28, -16) / 20) / (active_rms(speech) + 1e-9))
    lead = int(rng.uniform(0.3, 1.5) * RATE)
    trail = int(rng.uniform(0.6, 1.5) * RATE)
    n = lead + len(speech) + trail
    mix = noise_floor(rng, n)
    heard = speech
    if plan.reverb:
        heard = reverberate(speech, plan.reverb, len(speech))[: n - lead]
    mix[lead : lead + len(heard)] += heard
    if plan.noise != "none" and plan.snr is not None:
        noise = make_noise(plan.noise, rng, n, babble)
        noise *= active_rms(heard) / 10 ** (plan.snr / 20)
        mix += noise
    return to_int16(mix), lead / RATE, (lead + len(speech)) / RATE


def reverberate(speech: np.ndarray, rt60: float, seed: int) -> np.ndarray:
    """`speech` in a simulated room: the direct sound plus an exponentially decaying
    noise tail (-60 dB after `rt60` s) whose energy equals the direct sound's; overall
    energy kept.  The tail rings on past the end of the speech."""
    from scipy.signal import fftconvolve

    rng = np.random.default_rng([int(rt60 * 1000), seed])
    t = np.arange(int(rt60 * RATE)) / RATE
    tail = rng.standard_normal(len(t)) * np.exp(-6.9 * t / rt60)
    tail[: int(0.003 * RATE)] = 0.0  # first reflections arrive after a few ms
    h = tail / np.sqrt(np.sum(tail**2))
    h[0] = 1.0
    wet = fftconvolve(speech, h / np.sqrt(2.0))
    return wet.astype(np.float32)


def build_split(out: Path, split: str, n: int, seed: int, log=print) -> Path:
    """Write `<out>/<split>/` (audio + manifest.jsonl), replacing any previous one whole."""
    final = out / split
    tmp = out / f".{split}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "audio").mkdir(parents=True)
    babble = Babble(split, seed)
    rows = []
    for i in range(n):
        plan = plan_clip(split, i, seed)
        rng = np.random.default_rng([seed, ALL_SPLITS.index(split), i, 7])
        samples, start, end = render_clip(plan, rng, babble)
        rel = f"audio/{split}_{i:05d}.wav"
        write_wav(tmp / rel, samples)
        rows.append(
            {
                "audio": rel,
                "expect": plan.expect,
                "speech_start": round(start, 4),
                "speech_end": round(end, 4),
                "text": plan.text,
                "voice": plan.voice,
                "speed": plan.speed,
                "pitch": plan.pitch,
                "noise": plan.noise,
                "snr": plan.snr,
                "split": split,
                "kind": plan.kind,
                "reverb": plan.reverb,
                "perturb": plan.perturb,
                "duration": round(len(samples) / RATE, 4),
            }
        )
        if log and (i + 1) % 200 == 0:
            log(f"  {split}: {i + 1}/{n}")
    with open(tmp / "manifest.jsonl", "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    old = out / f".{split}.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return final / "manifest.jsonl"


def check_vocabulary() -> list[str]:
    """Problems in the sentence tables (a negative containing a command, split overlap)."""
    problems = []
    for table in (NEGATIVES, NEAR_MISSES, COACH):
        for split, sentences in table.items():
            for s in sentences:
                hit = contains_command(s)
                if hit:
                    problems.append(f"{split}: {s!r} contains a phrase of {hit!r}")
            other = set(table[SPLITS[1 - SPLITS.index(split)]])
            problems += [f"{s!r} is in both splits" for s in sentences if s in other]
    if set(VOICES["dev"]["variants"]) & set(VOICES["heldout"]["variants"]):
        problems.append("voice variants overlap between splits")
    if set(CARRIERS["dev"]) & set(CARRIERS["heldout"]):
        problems.append("carriers overlap between splits")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("bench/out/clips"))
    ap.add_argument("--split", choices=(*ALL_SPLITS, "both"), default="both")
    ap.add_argument("--n", type=int, default=1000, help="clips per split (default 1000)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    problems = check_vocabulary()
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    for split in SPLITS if args.split == "both" else (args.split,):
        path = build_split(args.out, split, args.n, args.seed)
        print(f"wrote {path} ({args.n} clips)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
