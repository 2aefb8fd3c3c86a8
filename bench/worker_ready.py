"""How soon is the ears' worker process ready to hear? (issue 15, point 2)

Starts `WorkerRecognizer(ENGINE)` N times, as a session does, and times from the spawn to
the answer to a first 100 ms chunk (the model loaded, the chunk through the endpointer):
wall time, and the worker's own CPU time (user + system, from its rusage once reaped),
which a loaded machine does not distort. Prints the load average too.

    python bench/worker_ready.py [--engine whisper|pocketsphinx] [-n 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

import numpy as np

from voicecoach.ears import choose_engine, start_worker


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def once(engine: str) -> tuple[float, float]:
    """(wall, cpu) seconds from spawn to the first chunk's answer."""
    before = children_cpu()
    began = time.perf_counter()
    worker = start_worker(choose_engine(engine), live=False)
    worker.accept(np.zeros(1600, np.int16), 0.0)
    wall = time.perf_counter() - began
    worker.flush(0.1)  # nothing to hear: the worker ends idle, its CPU is all start-up
    worker.close()
    return wall, children_cpu() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="whisper", choices=("whisper", "pocketsphinx"))
    parser.add_argument("-n", type=int, default=5)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    walls, cpus = [], []
    for i in range(args.n):
        wall, cpu = once(args.engine)
        walls.append(wall)
        cpus.append(cpu)
        print(f"run {i + 1}: ready after {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU")
    print(
        f"{args.engine}: wall median {statistics.median(walls) * 1000:.0f} ms "
        f"(max {max(walls) * 1000:.0f}), CPU median {statistics.median(cpus) * 1000:.0f} ms "
        f"(max {max(cpus) * 1000:.0f}); load average after: "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
