"""How soon the coach's first words are heard, how fast an interrupt silences it, and how
often a whole session's phrases come from the cache.

    python bench/voice_latency.py [--routine NAME] [--trials N]

1. First sound: N fresh processes each start like a session does (import, make_voice,
   prerender, say the session's first sentence) on a private PulseAudio (tests/pulse.py);
   the speaker's monitor is recorded and the first loud 5 ms located. Reported from
   process start and from the say() call. Target: < 1 s from process start.
2. Interrupt: say a long sentence, interrupt it mid-word, time until the monitor is silent.
   Target: < 100 ms.
3. Cache: a whole session of ROUTINE run on the virtual clock through the real renderer
   (the --speak-file voice): utterances, renders, cache hit rate; then again after
   prerendering every phrase of a dry run (runtime.simulation.Simulation).
Writes bench/out/voice_latency.json and bench/out/voice_session.wav.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "tests"))

import pulse as harness  # noqa: E402 - the device tests' private PulseAudio

LOUD = 0.02
WINDOW = 80  # 5 ms at 16 kHz

# Runs in a fresh process: a session's start, up to its first words.
CHILD = r"""
import sys, time
t_process = time.perf_counter()
from types import SimpleNamespace
from voicecoach import catalog
from voicecoach.engine import initial, step
from voicecoach.messages import Say, Start
from voicecoach.options import VoiceOptions
from voicecoach.voice import make_voice
from voicecoach.voice.timeline import Timeline

routine = catalog.find(sys.argv[1])
_, effects = step(initial(routine), Start(0.0))
phrases = [e.text for e in effects if isinstance(e, Say)]
t0 = time.perf_counter()
clock = SimpleNamespace(now=lambda: time.perf_counter() - t0)
voice = make_voice(VoiceOptions(), Timeline(), clock=clock)
t_voice = time.perf_counter()
voice.prerender(phrases)
t_say = time.perf_counter()
voice.say(phrases[0], clock.now())
t_returned = time.perf_counter()
time.sleep(1.5)
voice.interrupt(clock.now())
voice.close()
print(f"TIMES {t_process} {t_voice} {t_say} {t_returned} {type(voice.active).__name__}")
"""


def first_sound(server: harness.PulseServer, routine: str) -> dict[str, float]:
    with server.record() as recording:
        started = time.perf_counter()
        child = subprocess.run(
            [sys.executable, "-c", CHILD, routine],
            env=server.environ(),
            capture_output=True,
            text=True,
            check=True,
        )
    line = next(x for x in child.stdout.splitlines() if x.startswith("TIMES"))
    t_process, t_voice, t_say, t_returned = map(float, line.split()[1:5])
    if line.split()[5] != "RealtimeVoice":
        raise RuntimeError(f"no live voice: {child.stdout}{child.stderr}")
    onset = recording.time_of(loud(recording.samples)[0])
    return {
        "spawn_to_first_sound_ms": (onset - started) * 1000,
        "process_to_first_sound_ms": (onset - t_process) * 1000,
        "make_voice_ms": (t_voice - t_process) * 1000,
        "say_to_first_sound_ms": (onset - t_say) * 1000,
        "say_call_ms": (t_returned - t_say) * 1000,
    }


def interrupt_to_silence(server: harness.PulseServer) -> float:
    from voicecoach.options import VoiceOptions
    from voicecoach.voice import make_voice
    from voicecoach.voice.timeline import Timeline

    text = "Ankle circles. Lie on your back, lift one foot and draw slow, wide circles."
    with harness.exported(server):
        voice = make_voice(VoiceOptions(), Timeline())
        with server.record() as recording:
            voice.say(text, 0.0)
            time.sleep(1.37)
            interrupted = time.perf_counter()
            voice.interrupt(0.0)
            time.sleep(0.4)
            voice.close()
    last = recording.time_of(loud(recording.samples)[-1] + WINDOW)
    return (last - interrupted) * 1000


def loud(samples: np.ndarray) -> np.ndarray:
    n = len(samples) // WINDOW
    peaks = np.abs(samples[: n * WINDOW]).reshape(n, WINDOW).max(axis=1)
    found = np.flatnonzero(peaks > LOUD) * WINDOW
    if len(found) == 0:
        raise RuntimeError("nothing was heard")
    return found


def session_cache(routine_name: str, prerendered: bool) -> dict[str, float]:
    """A whole session on the virtual clock through the real renderer; with `prerendered`,
    every phrase of a dry run (what `start` can prerender) is rendered before it starts."""
    from voicecoach import catalog
    from voicecoach.engine import initial
    from voicecoach.runtime.clocks import VirtualClock
    from voicecoach.runtime.runner import Runner
    from voicecoach.runtime.simulation import Simulation
    from voicecoach.voice import make_renderer
    from voicecoach.voice.timeline import Timeline
    from voicecoach.voice.wavfile import WavTimelineVoice

    routine = catalog.find(routine_name)
    renderer = make_renderer()
    started = time.perf_counter()
    if prerendered:
        renderer.prerender(Simulation(routine).finish().voice.said).join()
        renderer.hits = renderer.misses = 0
    prerender_s = time.perf_counter() - started
    voice = WavTimelineVoice(renderer, Timeline(), OUT / "voice_session.wav")
    runner = Runner(initial(routine), voice, VirtualClock())
    started = time.perf_counter()
    runner.start()
    runner.run_to_end()
    elapsed = time.perf_counter() - started
    voice.close()
    return {
        "utterances": renderer.hits + renderer.misses,
        "renders_during_session": renderer.misses,
        "cache_hit_rate": renderer.hit_rate,
        "prerender_s": prerender_s,
        "session_minutes": runner.clock.now() / 60,
        "session_on_virtual_clock_s": elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routine", default="ground-up")
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="voicecoach-bench-") as root:
        server = harness.start_server(Path(root))
        try:
            trials = [first_sound(server, args.routine) for _ in range(args.trials)]
            results["first_sound"] = {
                key: round(statistics.median(t[key] for t in trials), 1) for key in trials[0]
            }
            results["first_sound_worst_ms"] = round(
                max(t["process_to_first_sound_ms"] for t in trials), 1
            )
            silences = [interrupt_to_silence(server) for _ in range(args.trials)]
            results["interrupt_to_silence_ms"] = {
                "median": round(statistics.median(silences), 1),
                "max": round(max(silences), 1),
            }
        finally:
            server.stop()
    for prerendered in (False, True):
        found = session_cache(args.routine, prerendered)
        key = "session_cache_prerendered" if prerendered else "session_cache"
        results[key] = {k: round(v, 3) for k, v in found.items()}
    (OUT / "voice_latency.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
