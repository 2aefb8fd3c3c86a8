"""End-to-end harness: `voicecoach start` as a real process on the private PulseAudio
(tests/pulse.py), and what its speaker monitor shows about when the coach spoke.

The coach answers a pause with "Paused. ..." at once, so "the coach went quiet" is not a
silence in the recording: `find_cut` locates the reply (rendered here as the coach renders
it) at the end of what was heard, and the cut just before it. Used by
tests/test_e2e_device.py and bench/e2e_latency.py (so: no pytest here).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

RATE = 16_000  # Hz of every recording (the pulse harness default)
WINDOW = 80  # samples: 5 ms analysis windows
LOUD = 0.02  # peak above this in a window = sound (espeak peaks near 0.8)
GAP = 4  # windows: a quiet this long (15 ms between loud windows) separates two sounds


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
    signalled: list[float] = field(default_factory=list)

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
        self.signalled.append(at)
        return at

    def wait(self, timeout: float = 15.0) -> int:
        """The exit code, once the process has ended (its output is kept)."""
        self.stdout, self.stderr = self.process.communicate(timeout=timeout)
        return self.process.returncode

    def records(self) -> list[dict[str, Any]]:
        """The --log records so far (a line still being written is left out)."""
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8").split("\n")
        return [json.loads(line) for line in lines[:-1]]

    def wait_for_record(self, test, timeout: float) -> dict[str, Any]:
        """The first log record for which `test(record)` holds, waiting for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [r for r in self.records() if test(r)]
            if found:
                return found[0]
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        raise AssertionError(f"no such log record; stderr:\n{self._stderr_now()}")

    def close(self) -> None:
        """Kill the process if it still runs (this one, by its pid) and free the pty."""
        if self.process.poll() is None:
            self.process.kill()
            self.wait(timeout=10)
        if self.keyboard is not None:
            os.close(self.keyboard)
            self.keyboard = None

    def _stderr_now(self) -> str:
        if self.process.poll() is None:
            return "(still running)"
        self.wait(timeout=5)
        return self.stderr

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


# ------------------------------------------------------------------------ sound


def loud(samples: np.ndarray) -> np.ndarray:
    """One bool per 5 ms window: does it hold sound?"""
    n = len(samples) // WINDOW
    return np.abs(samples[: n * WINDOW]).reshape(n, WINDOW).max(axis=1) > LOUD


def first_sound(samples: np.ndarray, start: int = 0) -> int | None:
    """Index of the first loud window at or after sample `start`."""
    hits = np.flatnonzero(loud(samples[start:]))
    return start + int(hits[0]) * WINDOW if len(hits) else None


def last_sound_end(samples: np.ndarray) -> int | None:
    """Index just after the last loud window."""
    hits = np.flatnonzero(loud(samples))
    return (int(hits[-1]) + 1) * WINDOW if len(hits) else None


def wait_for_sound(recording: Any, timeout: float, start: int = 0) -> int:
    """Poll a live pulse `Recording` until it is loud (from sample `start`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = first_sound(recording.samples, start)
        if found is not None:
            return found
        time.sleep(0.005)
    raise AssertionError(f"the speaker stayed silent for {timeout} s")


def loud_stretch(clip: np.ndarray, after: float, length: float = 0.15) -> float:
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
    at RATE. pyttsx3 starts on first use."""

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


def find_cut(samples: np.ndarray, reply: np.ndarray, stop: int) -> Cut:
    """The coach's last words before sample `stop` were `reply` (e.g. "Paused. ..."), said
    right after an interrupt: where did the utterance it cut off stop?

    The reply starts `len(reply's sound)` before the last sound; the cut utterance ends at
    the last sound before the quiet that comes just before the reply (the coach never
    overlaps two sounds). Not a silence search after the command: a pause between words
    there would look like a cut."""
    mask = loud(samples[:stop])
    hits = np.flatnonzero(mask)
    if not len(hits):
        raise AssertionError("the coach said nothing")
    sound = np.flatnonzero(loud(reply))
    length = sound[-1] - sound[0] + 1  # windows
    guess = hits[-1] + 1 - length
    starts = hits[np.flatnonzero(np.diff(hits) >= GAP) + 1]  # sound after >= 15 ms of quiet
    if not len(starts):
        raise AssertionError("no quiet before the reply: the utterance was not cut")
    onset = int(starts[np.argmin(np.abs(starts - guess))])
    if abs(onset - guess) * WINDOW > 0.1 * RATE:
        raise AssertionError(
            f"the coach's last words do not sound like the reply ({len(reply) / RATE:.1f} s): "
            "it did not stop, or said more after it"
        )
    before = hits[hits < onset]
    if not len(before):
        raise AssertionError("nothing was said before the reply")
    return Cut(int(before[-1] + 1) * WINDOW, onset * WINDOW)


def terminate(process: subprocess.Popen[Any]) -> None:
    """End a helper process we started (by its pid), politely then firmly."""
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
    if process.poll() is None:
        process.kill()
        process.wait()
