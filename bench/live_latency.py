"""End of speech -> command, live: dev clips streamed in real time into the ears' worker.

`voicecoach eval` measures latency in audio time (when the endpointer closed the
utterance), without the decode. This plays the live pipeline's timing instead: each
100 ms chunk is handed to a live `WorkerRecognizer` the moment it would have been
recorded (clips back to back on one session clock, as a microphone delivers them), and
the time a command reaches the session is read on the wall clock:

    latency = time the detection is delivered - time the clip's speech ended

which includes the chunking, the endpointer's hangover, the decode in the worker and the
trip back. With `--no-push` detections are taken when `accept` returns them (the audio
thread's next chunk), as before `deliver_to` existed. Wall time on a loaded machine is
distorted: the load average is printed, and the worker's CPU per second of audio.

    python bench/live_latency.py [--engine whisper] [--clips DIR] [-n 40] [--no-push]
        [--conditions none,20]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import resource
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.ears.sources import CHUNK, WavSource
from voicecoach.ears.worker import WorkerRecognizer
from voicecoach.ports import MIC_RATE

DEFAULT_CLIPS = Path(__file__).resolve().parent / "out" / "clips" / "dev"


def chosen(folder: Path, n: int, conditions: set[str]) -> list[dict[str, Any]]:
    """The first `n` command clips whose noise condition is in `conditions`."""
    rows = [json.loads(line) for line in (folder / "manifest.jsonl").read_text().splitlines()]

    def condition(row: dict[str, Any]) -> str:
        return "none" if row["noise"] == "none" else str(row["snr"])

    picked = [r for r in rows if r["expect"] and condition(r) in conditions]
    return picked[:n]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="whisper", choices=("whisper", "pocketsphinx"))
    parser.add_argument("--clips", type=Path, default=DEFAULT_CLIPS)
    parser.add_argument("-n", type=int, default=40)
    parser.add_argument("--conditions", default="none,20", help="noise 'none' and/or SNRs")
    parser.add_argument("--no-push", action="store_true", help="take detections from accept")
    args = parser.parse_args()
    clips = chosen(args.clips, args.n, set(args.conditions.split(",")))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    worker = WorkerRecognizer(args.engine, live=True)
    delivered: queue.SimpleQueue[tuple[float, Any]] = queue.SimpleQueue()
    if not args.no_push:
        worker.deliver_to(lambda found: delivered.put((time.perf_counter(), found)))
    # the worker loads its model on 2 s of silence (not timed)
    silence = np.zeros(CHUNK, np.int16)
    for i in range(20):
        worker.accept(silence, i * CHUNK / MIC_RATE)
    time.sleep(4.0)
    t_session = 2.0
    spans = []  # (session time of the clip's start, its row)
    chunks = []  # (session t0, samples)
    for row in clips:
        source = WavSource(args.clips / row["audio"])
        for t0, chunk in source.chunks():
            chunks.append((t_session + t0, chunk))
        spans.append((t_session, row))
        t_session += source.duration
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall0 = time.perf_counter() - chunks[0][0]  # the wall time of session time 0
    for t0, chunk in chunks:
        ready_at = wall0 + t0 + len(chunk) / MIC_RATE  # recorded by then
        time.sleep(max(0.0, ready_at - time.perf_counter()))
        found = worker.accept(chunk, t0)
        if found:
            delivered.put((time.perf_counter(), found))
    time.sleep(3.0)  # the last decodes
    worker.close()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (usage.ru_utime + usage.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)

    latencies: list[float] = []
    heard = 0
    firsts: dict[int, float] = {}
    while not delivered.empty():
        wall, found = delivered.get()
        for det in found:
            i = max(k for k, (start, _) in enumerate(spans) if start <= det.t)
            start, row = spans[i]
            if det.intent.value == row["expect"] and i not in firsts:
                firsts[i] = wall - (wall0 + start + row["speech_end"])
    latencies = list(firsts.values())
    heard = len(latencies)
    audio = t_session - 2.0
    mode = "accept (no push)" if args.no_push else "pushed (deliver_to)"
    print(
        f"{args.engine}, {mode}: {heard} of {len(clips)} commands heard "
        f"({args.conditions}); end of speech -> delivered: p50 {percentile(latencies, 0.5):.3f}"
        f" s, p95 {percentile(latencies, 0.95):.3f} s, max {max(latencies):.3f} s, mean "
        f"{statistics.mean(latencies):.3f} s; worker CPU {cpu / audio:.3f} of real time; "
        f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
