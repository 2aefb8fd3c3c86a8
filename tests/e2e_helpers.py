"""End-to-end harness: `voicecoach start` as a real process on the private PulseAudio
(tests/pulse.py), driven like a user drives it (keys on a pseudo-terminal, Ctrl-C, words
played into the virtual microphone), and what its speaker's monitor shows about when the
coach spoke and when it stopped.

The coach answers a pause with "Paused. ..." at once, so "the coach went quiet" is not a
silence in the recording: `find_cut` locates that reply (rendered here as the coach renders
it) at the end of what was heard, and the cut just before it.

Each scenario (`ctrl_c`, `space_pause`, `voice_pause`) runs one session and returns its
figures and log without judging them: tests/test_e2e_device.py asserts on one run,
bench/e2e_latency.py repeats them. So: no pytest in here.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

RATE = 16_000  # Hz of every recording (the pulse harness default)
WINDOW = 80  # samples: 5 ms analysis windows
LOUD = 0.02  # peak above this in a window = sound (espeak peaks near 0.8)
GAP = 4  # windows: a step this long between loud windows (15 ms of quiet) separates sounds
INTO = 1.0  # s into the first phrase: where the key and Ctrl-C scenarios interrupt it
ROUTINE = "behind-knee"
Record = dict[str, Any]


# ------------------------------------------------------------------------ the process


@dataclass
class Coach:
    """A running `voicecoach start ...`, its keyboard a pseudo-terminal (so the keys work
    as in a real terminal), its env pointing at the private PulseAudio."""

    process: subprocess.Popen[str]
    started: float  # time.perf_counter() just before the process was created
    log: Path
    keyboard: int | None = None  # pty master
    stdout: str = ""
    stderr: str = ""

    def type(self, keys: str) -> float:
        """Press `keys`; returns the perf_counter time they were sent."""
        assert self.keyboard is not None, "started without a keyboard"
        at = time.perf_counter()
        os.write(self.keyboard, keys.encode())
        return at

    def interrupt(self) -> float:
        """Ctrl-C (SIGINT to the process); returns when it was sent."""
        at = time.perf_counter()
        self.process.send_signal(signal.SIGINT)
        return at

    def wait(self, timeout: float = 15.0) -> int:
        """The exit code, once the process has ended (its output is kept)."""
        self.stdout, self.stderr = self.process.communicate(timeout=timeout)
        return self.process.returncode

    def records(self) -> list[Record]:
        """The --log records so far (a line still being written is left out)."""
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8").split("\n")
        return [json.loads(line) for line in lines[:-1]]

    def wait_for(self, test: Callable[[Record], bool], timeout: float) -> Record | None:
        """The first log record for which `test` holds, or None after `timeout` s (or
        when the process ended without writing it)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [r for r in self.records() if test(r)]
            if found:
                return found[0]
            if time.monotonic() > deadline or self.process.poll() is not None:
                return None
            time.sleep(0.01)

    def close(self) -> None:
        """Kill the process if it still runs (this one, by its pid) and free the pty."""
        if self.process.poll() is None:
            self.process.kill()
            self.wait(timeout=10)
        if self.keyboard is not None:
            os.close(self.keyboard)
            self.keyboard = None

    def __enter__(self) -> Coach:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_coach(
    env: dict[str, str], args: Sequence[str], log: Path, keyboard: bool = True
) -> Coach:
    """`python -m voicecoach start ARGS --log LOG`, now."""
    master = slave = None
    if keyboard:
        master, slave = os.openpty()
    started = time.perf_counter()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "voicecoach", "start", *args, "--log", str(log)],
            env=env,
            stdin=slave if slave is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    except BaseException:
        for fd in (master, slave):
            if fd is not None:
                os.close(fd)
        raise
    if slave is not None:
        os.close(slave)
    return Coach(process, started, log, master)


def terminate(process: subprocess.Popen[Any]) -> None:
    """End a helper process we started (by its pid), politely then firmly."""
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
    if process.poll() is None:
        process.kill()
        process.wait()


# ------------------------------------------------------------------------ sound


def loud(samples: np.ndarray) -> np.ndarray:
    """One bool per 5 ms window: does it hold sound?"""
    n = len(samples) // WINDOW
    return np.abs(samples[: n * WINDOW]).reshape(n, WINDOW).max(axis=1) > LOUD


def first_sound(samples: np.ndarray) -> int | None:
    """Index of the first loud window."""
    hits = np.flatnonzero(loud(samples))
    return int(hits[0]) * WINDOW if len(hits) else None


def last_sound_end(samples: np.ndarray) -> int | None:
    """Index just after the last loud window."""
    hits = np.flatnonzero(loud(samples))
    return (int(hits[-1]) + 1) * WINDOW if len(hits) else None


def index_at(recording: Any, t: float) -> int:
    """The sample index of a pulse `Recording` captured at perf_counter time `t`."""
    return max(0, round((t - recording.time_of(0)) * RATE))


def wait_for_sound(recording: Any, timeout: float) -> int:
    """Poll a live pulse `Recording` until it is loud; the index of its first sound."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = first_sound(recording.samples)
        if found is not None:
            return found
        time.sleep(0.005)
    raise AssertionError(f"the speaker stayed silent for {timeout} s")


def loud_stretch(clip: np.ndarray, after: float, length: float = 0.25) -> float:
    """The first time >= `after` s into `clip` from which it stays loud for `length` s, so
    that cutting it there must end a word, not fall into a gap between words."""
    mask = loud(clip)
    need = round(length * RATE / WINDOW)
    for i in range(round(after * RATE / WINDOW), len(mask) - need):
        if mask[i : i + need].all():
            return i * WINDOW / RATE
    raise AssertionError("the phrase has no loud stretch to interrupt")


class Phrases:
    """The coach's phrases rendered as the coach renders them (default voice and rate),
    at RATE. pyttsx3 starts on first use. espeak-ng's output varies by a few ms with what
    it said before, so lengths are good to ~10 ms, samples are not comparable."""

    def __init__(self) -> None:
        self._renderer: Any = None
        self._clips: dict[str, np.ndarray] = {}

    def __call__(self, text: str) -> np.ndarray:
        if text not in self._clips:
            if self._renderer is None:
                from voicecoach.voice import make_renderer

                self._renderer = make_renderer()
            from voicecoach.voice.samples import resample

            clip = self._renderer.render(text)
            self._clips[text] = resample(clip.samples, clip.rate, RATE)
        return self._clips[text]


@dataclass(frozen=True)
class Cut:
    """An utterance cut short and the coach's reply to the command that cut it, as sample
    indexes in a recording."""

    end: int  # just after the last sound of the cut utterance
    reply: int  # where the reply starts


def find_cut(samples: np.ndarray, reply: np.ndarray, stop: int) -> Cut | None:
    """The coach's last words before sample `stop` were `reply` (e.g. "Paused. ..."), said
    right after an interrupt: where did the utterance it cut off stop? None when the end
    of what was heard does not sound like the reply (the coach talked on).

    The reply starts its sound's length before the last sound; the cut utterance ends at
    the last sound before the quiet just before the reply (the coach never overlaps two
    sounds). Not a silence search after the command: a pause between words there would
    look like a cut."""
    hits = np.flatnonzero(loud(samples[:stop]))
    sound = np.flatnonzero(loud(reply))
    if not len(hits) or not len(sound):
        return None
    guess = hits[-1] - (sound[-1] - sound[0])
    starts = hits[np.flatnonzero(np.diff(hits) >= GAP) + 1]  # sound after quiet
    if not len(starts):
        return None
    onset = int(starts[np.argmin(np.abs(starts - guess))])
    before = hits[hits < onset]
    if abs(onset - guess) * WINDOW > 0.1 * RATE or not len(before):
        return None
    return Cut(int(before[-1] + 1) * WINDOW, onset * WINDOW)


def reply_to(records: list[Record], intent: str) -> str | None:
    """What the coach said right after hearing `intent` (per the log)."""
    heard = [i for i, r in enumerate(records) if r["type"] == "heard" and r["intent"] == intent]
    if not heard:
        return None
    return next((r["text"] for r in records[heard[0] :] if r["type"] == "say"), None)


# ------------------------------------------------------------------------ scenarios


@dataclass
class Run:
    """One session's figures (seconds; None = did not happen) and what it left behind."""

    code: int | None = None
    first: float | None = None  # process start -> first sound on the speaker
    cut: float | None = None  # interrupt (signal, key, end of the spoken command) -> cut
    gap: float | None = None  # cut -> the reply's first sound
    exit: float | None = None  # Ctrl-C -> process gone
    talking: bool = False  # the coach was talking when interrupted (else the run is void)
    left: float | None = None  # s the interrupted first phrase had still to sound, uncut
    stderr: str = ""
    log: Path | None = None
    notes: list[str] = field(default_factory=list)
    monitor: np.ndarray | None = None  # what the speaker played (to look into a failure)
    heard: list[tuple[str, str]] = field(default_factory=list)  # (intent, source) logged


def _sleep_until(t: float) -> None:
    time.sleep(max(0.0, t - time.perf_counter()))


def _first_words(
    coach: Coach, recording: Any, phrases: Phrases, run: Run
) -> tuple[float, float, float]:
    """Wait for the first sound: (when it was heard, when the first phrase is mid-word
    about INTO s in, when its last sound would end if nothing cut it), perf_counter times."""
    onset = wait_for_sound(recording, timeout=10.0)
    heard = recording.time_of(onset)
    run.first = heard - coach.started
    say = coach.wait_for(lambda r: r["type"] == "say", timeout=5.0)
    assert say is not None, "no say record in the log"
    clip = phrases(say["text"])
    lead = (first_sound(clip) or 0) / RATE
    ends = heard + (last_sound_end(clip) or len(clip)) / RATE - lead
    return heard, heard + loud_stretch(clip, after=INTO) + 0.03 - lead, ends


def _reply(coach: Coach, phrases: Phrases, intent: str, timeout: float) -> np.ndarray:
    """The coach's reply to `intent`, rendered; empty when it was not heard in time."""
    deadline = time.monotonic() + timeout
    while (text := reply_to(coach.records(), intent)) is None:
        if time.monotonic() > deadline or coach.process.poll() is not None:
            return np.zeros(0, np.float32)
        time.sleep(0.01)
    return phrases(text)


def _was_talking(recording: Any, at: float, within: float) -> bool:
    """Was there sound in the `within` s before `at`?"""
    i = index_at(recording, at)
    return bool(loud(recording.samples[max(0, i - round(within * RATE)) : i]).any())


def ctrl_c(server: Any, folder: Path, args: Sequence[str], phrases: Phrases) -> Run:
    """Ctrl-C mid-word: `cut` = the last sound after the signal (<= 0: silent at once)."""
    run = Run(log=folder / "ctrl_c.jsonl")
    with (
        server.record() as recording,
        start_coach(server.environ(), [ROUTINE, *args], run.log, keyboard=False) as coach,
    ):
        _, mid_word, ends = _first_words(coach, recording, phrases, run)
        _sleep_until(mid_word)
        sent = coach.interrupt()
        run.left = ends - sent
        run.code = coach.wait()
        run.exit = time.perf_counter() - sent
        time.sleep(0.2)  # the monitor's last chunk is on its way
        run.talking = _was_talking(recording, sent, 0.05)
    end = last_sound_end(recording.samples)
    run.cut = None if end is None else recording.time_of(end) - sent
    return _finish(run, coach)


def space_pause(
    server: Any, folder: Path, args: Sequence[str], phrases: Phrases, stop: bool = True
) -> Run:
    """Space mid-word, then (with `stop`) q and y to end the session."""
    run = Run(log=folder / "space.jsonl")
    with (
        server.record() as recording,
        start_coach(server.environ(), [ROUTINE, *args], run.log) as coach,
    ):
        _, mid_word, ends = _first_words(coach, recording, phrases, run)
        _sleep_until(mid_word)
        pressed = coach.type(" ")
        run.left = ends - pressed
        reply = _reply(coach, phrases, "pause", timeout=5.0)
        _sleep_until(pressed + len(reply) / RATE + 0.5)  # "Paused. ..." said whole
        last = coach.type("q") if stop else coach.interrupt()
        if stop and coach.wait_for(lambda r: r.get("intent") == "stop", 5.0) is not None:
            coach.type("y")
        run.code = coach.wait()
    run.talking = _was_talking(recording, pressed, 0.05)
    _measure_cut(run, recording, reply, pressed, last)
    return _finish(run, coach)


def voice_pause(
    server: Any, folder: Path, args: Sequence[str], phrases: Phrases, command: Path
) -> Run:
    """`command` (a WAV) played into the microphone INTO s after the first words, in a
    quiet room's noise; `cut` is measured from the end of its sound in the microphone."""
    run = Run(log=folder / "voice.jsonl")
    room = _play(server, _room_noise(folder, 20.0))
    try:
        with (
            server.record() as recording,
            server.record("vmic") as mic,
            start_coach(server.environ(), [ROUTINE, *args], run.log, keyboard=False) as coach,
        ):
            heard_at, _, _ = _first_words(coach, recording, phrases, run)
            _sleep_until(heard_at + INTO)
            _play(server, command).wait(timeout=10)
            reply = _reply(coach, phrases, "pause", timeout=3.0)
            time.sleep(len(reply) / RATE + 0.5)
            last = coach.interrupt()
            run.code = coach.wait()
    finally:
        terminate(room)
    said = last_sound_end(mic.samples)
    assert said is not None, "nothing reached the microphone"
    ended = mic.time_of(said)
    run.talking = _was_talking(recording, ended, 0.3)  # the intro talks on, bar commas
    _measure_cut(run, recording, reply, ended, last)
    return _finish(run, coach)


def _finish(run: Run, coach: Coach) -> Run:
    run.stderr = coach.stderr
    run.heard = [(r["intent"], r["source"]) for r in coach.records() if r["type"] == "heard"]
    return run


def _measure_cut(run: Run, recording: Any, reply: np.ndarray, since: float, stop: float) -> None:
    run.monitor = recording.samples
    if not len(reply):
        run.notes.append("the command was not heard")
        return
    cut = find_cut(recording.samples, reply, index_at(recording, stop))
    if cut is None:
        run.notes.append("no cut: the coach's last words were not its reply")
        return
    run.cut = recording.time_of(cut.end) - since
    run.gap = (cut.reply - cut.end) / RATE


def command_clip(folder: Path, text: str, voice: str = "en-us") -> Path:
    """`text` by espeak-ng in low noise (never digital zero), as a WAV for the microphone."""
    import espeak_clips as espeak
    from scipy.io import wavfile

    speech = espeak.synth(text, voice=voice, speed=160)
    path = folder / f"say-{text.replace(' ', '-')}-{voice}.wav"
    wavfile.write(path, RATE, espeak.place(speech, lead=0.3, tail=0.3, snr_db=40, seed=1))
    return path


def _room_noise(folder: Path, seconds: float) -> Path:
    """A quiet room: low white noise, so the microphone never delivers digital zero."""
    from scipy.io import wavfile

    path = folder / "room.wav"
    noise = np.random.default_rng(2).standard_normal(round(seconds * RATE)) * 30
    wavfile.write(path, RATE, noise.astype(np.int16))
    return path


def _play(server: Any, wav: Path) -> subprocess.Popen[bytes]:
    """Play `wav` into the microphone (micsink), in the background."""
    return subprocess.Popen(["paplay", "-d", "micsink", str(wav)], env=server.environ())
