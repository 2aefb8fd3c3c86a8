"""What the live panel costs: the main loop's share (`Panel.update`, after every engine
dispatch) and the refresh thread's (computing and drawing one frame). Target: a frame
in at most 10 ms of CPU (median) at 80x24, so that at REFRESH_PER_SECOND (5) the panel
takes at most 5% of one core; an update in at most 0.1 ms.

    python bench/screen_frame.py [-n 200]

Draws into an in-memory terminal (no device), from a session on a virtual clock in the
middle of a set of reps, a rest and a paused hold. Times are CPU time of this thread
(`time.thread_time`), so a busy machine does not inflate them."""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console

from voicecoach import catalog
from voicecoach.intents import Intent
from voicecoach.keys import HELP_LINE
from voicecoach.records import SayRecord
from voicecoach.runtime.clocks import VirtualClock
from voicecoach.runtime.simulation import Simulation
from voicecoach.screen.live import REFRESH_PER_SECOND, LiveScreen
from voicecoach.screen.observers import Panel

FRAME_TARGET_MS = 10.0
UPDATE_TARGET_MS = 0.1


def moments() -> list[tuple[str, Simulation]]:
    routine = catalog.find("back-hip-knee")
    reps = Simulation(routine).until_state(lambda s: s.phase == "work" and s.rep >= 3)
    rest = Simulation(routine).until_phase("rest")
    hold = Simulation(routine).until_state(lambda s: s.phase == "hold" and s.seg_end is not None)
    return [("reps", reps), ("rest", rest), ("paused hold", hold.hear(Intent.PAUSE))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=200, help="frames per case")
    args = parser.parse_args()
    ok = True
    print(f"refresh: {REFRESH_PER_SECOND:g} per second")
    for width, height in ((80, 24), (160, 48)):
        for name, sim in moments():
            console = Console(file=io.StringIO(), width=width, height=height, force_terminal=True)
            screen = LiveScreen(console, VirtualClock(sim.now), engine="vosk", help_line=HELP_LINE)
            panel = Panel(screen)
            said = [SayRecord(sim.now, "Slowly raise and lower your heel.", 1.5)]
            t0 = time.thread_time()
            for _ in range(args.n * 10):
                panel.update(sim.state, said, sim.now)
            update_ms = (time.thread_time() - t0) / (args.n * 10) * 1e3
            frames = []
            for _ in range(args.n):
                console.file = io.StringIO()
                t0 = time.thread_time()
                console.print(screen.frame())
                frames.append((time.thread_time() - t0) * 1e3)
            median = statistics.median(frames)
            p95 = statistics.quantiles(frames, n=20)[-1]
            share = median * REFRESH_PER_SECOND / 10  # percent of one core
            print(
                f"{width}x{height} {name:12s} frame median {median:5.1f} ms, p95 {p95:5.1f} ms"
                f" ({share:4.1f}% of a core); update {update_ms * 1e3:5.1f} us"
            )
            if width == 80:
                ok &= median <= FRAME_TARGET_MS and update_ms <= UPDATE_TARGET_MS
    print("target met" if ok else "target missed")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
