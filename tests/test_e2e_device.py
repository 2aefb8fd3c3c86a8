"""The whole program on (virtual) real devices, as a user runs it: `voicecoach start` in its
own process, its voice recorded from the speaker's monitor, its keyboard a pseudo-terminal,
commands spoken into the virtual microphone. Figures are printed (`-rA` shows them);
bench/e2e_latency.py measures the same over many runs.

Bounds are the product's targets where they are hard limits (first words < 1.5 s, an
interrupt cuts the voice < 100 ms); the voice-command bound is looser than its 0.5 s aim so
a loaded 2-core CI machine does not fail it, while a command that is not acted on still
fails (the coach would talk on for seconds).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from e2e_helpers import (
    RATE,
    WINDOW,
    Phrases,
    find_cut,
    first_sound,
    last_sound_end,
    loud,
    loud_stretch,
    start_coach,
    terminate,
    wait_for_sound,
)

ROUTINE = "behind-knee"
FIRST_WORDS = 1.5  # s from process start (issue 4)
CUT = 0.1  # s from an interrupt to the end of the coach's words (issue 4)
COMMAND_CUT = 1.0  # s from the end of a spoken "pause" to the end of the coach's words
INTO = 1.0  # s into the first phrase: where the tests interrupt it


def sleep_until(t: float) -> None:
    time.sleep(max(0.0, t - time.perf_counter()))


def index_at(recording, t: float) -> int:
    """The sample index of a recording captured at perf_counter time `t`."""
    return max(0, round((t - recording.time_of(0)) * RATE))


def read_log(path: Path) -> list[dict]:
    """Every line of a --log file, each of which must be a whole JSON object."""
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n"), "the log's last line is cut short"
    return [json.loads(line) for line in text.splitlines()]


def interrupt_point(phrases: Phrases, text: str) -> float:
    """Seconds after the phrase's first loud window at which it is mid-word (1 s in)."""
    clip = phrases(text)
    first = first_sound(clip)
    assert first is not None
    return loud_stretch(clip, after=INTO, length=0.25) + 0.03 - first / RATE


def wait_for_the_first_words(coach, recording, phrases: Phrases) -> tuple[int, float, dict]:
    """(index, perf time) of the first sound on the speaker, and the log's first say."""
    onset = wait_for_sound(recording, timeout=10.0)
    say = coach.wait_for_record(lambda r: r["type"] == "say", timeout=5.0)
    phrases(say["text"])  # rendered now, while the coach is talking anyway
    return onset, recording.time_of(onset), say


@pytest.mark.device
def test_a_live_session_is_heard_within_1_5_s_and_ctrl_c_silences_it_and_ends_the_log(
    pulse, tmp_path
):
    phrases = Phrases()
    log = tmp_path / "log.jsonl"
    args = [ROUTINE, "--engine", "keys"]
    with pulse.record() as recording, start_coach(pulse.environ(), args, log, False) as coach:
        _, heard, say = wait_for_the_first_words(coach, recording, phrases)
        sleep_until(heard + interrupt_point(phrases, say["text"]))
        sent = coach.interrupt()
        code = coach.wait()
        exited = time.perf_counter()
        time.sleep(0.2)  # the monitor's last chunk is on its way
    samples = recording.samples
    end = last_sound_end(samples)
    talking = loud(samples[index_at(recording, sent - 0.05) : index_at(recording, sent)])
    first_ms = (heard - coach.started) * 1000
    silent_ms = (recording.time_of(end) - sent) * 1000
    print(
        f"\nE2E keys: first sound {first_ms:.0f} ms after process start; Ctrl-C silent after "
        f"{silent_ms:.0f} ms; exit {(exited - sent) * 1000:.0f} ms after the signal"
    )
    assert code == 130, coach.stderr
    assert "Traceback" not in coach.stderr
    assert first_ms < FIRST_WORDS * 1000
    assert talking.any(), "the coach was not talking when interrupted: test is void"
    assert silent_ms < CUT * 1000, f"still sounding {silent_ms:.0f} ms after Ctrl-C"
    records = read_log(log)
    assert records[0]["type"] == "session"
    assert (records[-1]["type"], records[-1]["reason"]) == ("end", "interrupted")
    assert records[-1]["completed"] is False


def reply_to(records: list[dict], intent: str) -> str:
    """What the coach said right after hearing `intent` (per the log)."""
    i = next(i for i, r in enumerate(records) if r["type"] == "heard" and r["intent"] == intent)
    return next(r["text"] for r in records[i:] if r["type"] == "say")


@pytest.mark.device
def test_by_default_space_pauses_a_live_session_within_100_ms_and_q_y_ends_it(pulse, tmp_path):
    phrases = Phrases()
    log = tmp_path / "log.jsonl"
    with pulse.record() as recording, start_coach(pulse.environ(), [ROUTINE], log) as coach:
        _, heard, say = wait_for_the_first_words(coach, recording, phrases)
        sleep_until(heard + interrupt_point(phrases, say["text"]))
        pressed = coach.type(" ")
        coach.wait_for_record(lambda r: r["type"] == "heard", timeout=5.0)
        reply = phrases(reply_to(coach.records(), "pause"))
        sleep_until(pressed + len(reply) / RATE + 0.5)  # "Paused. ..." said whole
        stop = coach.type("q")
        coach.wait_for_record(lambda r: r["type"] == "heard" and r["intent"] == "stop", 5.0)
        coach.type("y")
        code = coach.wait()
    records = read_log(log)
    cut = find_cut(recording.samples, reply, index_at(recording, stop))
    cut_ms = (recording.time_of(cut.end) - pressed) * 1000
    gap_ms = (cut.reply - cut.end) / RATE * 1000
    first_ms = (heard - coach.started) * 1000
    print(
        f"\nE2E default engine ({records[0]['ears']}): first sound {first_ms:.0f} ms after "
        f"process start; space key to the coach's cut {cut_ms:.0f} ms, 'Paused' {gap_ms:.0f} "
        "ms later"
    )
    assert code == 0, coach.stderr
    assert "Traceback" not in coach.stderr
    assert first_ms < FIRST_WORDS * 1000
    assert 0 < cut_ms < CUT * 1000
    heard_ = [(r["intent"], r["source"]) for r in records if r["type"] == "heard"]
    assert heard_ == [("pause", "keys"), ("stop", "keys"), ("yes", "keys")]
    said = [r["text"] for r in records if r["type"] == "say"]
    assert said[-1] == "Ending the workout. Take care."
    assert (records[-1]["type"], records[-1]["reason"]) == ("end", "stopped")


def command_clip(tmp_path: Path, text: str) -> Path:
    """`text` by espeak-ng in low noise (never digital zero), as a WAV to play into the mic."""
    from scipy.io import wavfile

    from voicecoach.ears import espeak

    speech = espeak.synth(text, voice="en-us", speed=160)
    path = tmp_path / f"{text}.wav"
    wavfile.write(path, RATE, espeak.place(speech, lead=0.3, tail=0.3, snr_db=40, seed=1))
    return path


def room_noise(tmp_path: Path, seconds: float) -> Path:
    """A quiet room: low white noise, so the microphone never delivers digital zero."""
    from scipy.io import wavfile

    noise = np.random.default_rng(2).standard_normal(round(seconds * RATE)) * 30
    path = tmp_path / "room.wav"
    wavfile.write(path, RATE, noise.astype(np.int16))
    return path


def paplay(pulse, wav: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(["paplay", "-d", "micsink", str(wav)], env=pulse.environ())


@pytest.mark.device
def test_saying_pause_into_the_microphone_quiets_the_coach_and_logs_it(pulse, tmp_path):
    from voicecoach import ears

    if not hasattr(ears, "make_recognizer"):
        pytest.skip("voicecoach.ears.make_recognizer is not there yet (ASR work in progress)")
    phrases = Phrases()
    log = tmp_path / "log.jsonl"
    pause = command_clip(tmp_path, "pause")
    room = paplay(pulse, room_noise(tmp_path, 15.0))
    args = [ROUTINE, "--engine", "pocketsphinx"]
    try:
        with (
            pulse.record() as recording,
            pulse.record("vmic") as mic,
            start_coach(pulse.environ(), args, log, keyboard=False) as coach,
        ):
            _, heard, _ = wait_for_the_first_words(coach, recording, phrases)
            sleep_until(heard + INTO)
            paplay(pulse, pause).wait(timeout=10)
            coach.wait_for_record(lambda r: r["type"] == "heard", timeout=5.0)
            reply = phrases(reply_to(coach.records(), "pause"))
            time.sleep(len(reply) / RATE + 0.5)
            stop = coach.interrupt()
            code = coach.wait()
    finally:
        terminate(room)
    said_end = mic.time_of(last_sound_end(mic.samples))
    cut = find_cut(recording.samples, reply, index_at(recording, stop))
    quiet_ms = (recording.time_of(cut.end) - said_end) * 1000
    records = read_log(log)
    heard_ = [r for r in records if r["type"] == "heard"]
    print(
        f"\nE2E voice: end of the spoken 'pause' to the coach's cut {quiet_ms:.0f} ms "
        f"(aim 500); heard {[(r['intent'], r['text']) for r in heard_]}"
    )
    assert code == 130, coach.stderr
    assert [(r["intent"], r["source"]) for r in heard_] == [("pause", "voice")]
    assert 0 < quiet_ms < COMMAND_CUT * 1000


def onsets_after_quiet(mask: np.ndarray, gap: float) -> list[float]:
    """Times where sound starts after at least `gap` seconds of quiet (or at the start)."""
    hits = np.flatnonzero(mask)
    need = gap * RATE / WINDOW
    starts = [0, *np.flatnonzero(np.diff(hits) > need) + 1] if len(hits) else []
    return [hits[i] * WINDOW / RATE for i in starts]


def test_the_speak_file_lines_up_with_the_logged_say_events(tmp_path):
    wav, log = tmp_path / "coach.wav", tmp_path / "log.jsonl"
    command = ["start", ROUTINE, "--fast", "--text", "--speak-file", str(wav), "--log", str(log)]
    done = subprocess.run(
        [sys.executable, "-m", "voicecoach", *command],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    from scipy.io import wavfile

    rate, data = wavfile.read(wav)
    assert rate == RATE
    mask = loud(data.astype(np.float32) / 32768)
    records = read_log(log)
    sounds = np.array([r["t"] for r in records if r["type"] in ("say", "cue")])

    def windows(t0: float, t1: float) -> np.ndarray:
        return mask[max(0, round(t0 * RATE / WINDOW)) : round(t1 * RATE / WINDOW)]

    # every logged sound is there; where quiet came before it, it starts on time
    late = [t for t in sounds if not windows(t, t + 0.05).any()]
    after_quiet = [t for t in sounds if not windows(t - 0.1, t - 0.005).any()]
    errors = [np.argmax(windows(t - 0.1, t + 0.1)) * WINDOW / RATE - 0.1 for t in after_quiet]
    # and no sound starts without a say/cue in the log: pauses inside one utterance last up
    # to ~0.4 s, so sound after longer quiet is a new one
    unlogged = [t for t in onsets_after_quiet(mask, 0.45) if np.abs(sounds - t).min() > 0.05]
    print(
        f"\nE2E speak-file: {len(sounds)} say/cue events; onset - t over the "
        f"{len(after_quiet)} after quiet: {min(errors) * 1000:+.0f}..{max(errors) * 1000:+.0f} ms"
    )
    assert late == [], f"no sound within 50 ms of these logged times: {late[:5]}"
    assert len(after_quiet) > len(sounds) / 2
    assert max(np.abs(errors)) <= 0.05
    assert unlogged == [], f"sound starts with no say/cue in the log at: {unlogged[:5]}"
    assert sounds[-1] < len(data) / RATE <= records[-1]["t"] + 0.05
