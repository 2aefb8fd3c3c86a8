"""The two main loops around the Runner, and the ears thread.

- Real time (`run_realtime`): one queue receives every input (keys, heard commands from the
  ears thread); the main loop waits on it with a timeout until the engine's next deadline,
  then ticks. Speech is queued on the voice ahead of time, so a slow loop never delays it.
- Virtual time (`run_fast`, `--fast`): the clock jumps from deadline to deadline. With a
  `--listen-file`, the file's audio drives the clock: before each chunk the engine is ticked
  up to the chunk's end, the coach's own output is mixed in (`--echo`), and what the
  recognizer detects becomes `Heard` at that time; after the file, the virtual clock runs on.

`voicecoach.bootstrap` builds the pieces; nothing here parses options.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from voicecoach.errors import AudioError, VoicecoachError
from voicecoach.intents import Intent
from voicecoach.messages import Heard, Tick
from voicecoach.ports import MIC_RATE, AudioSource, Detection, Recognizer
from voicecoach.runtime.runner import Runner
from voicecoach.signals import SIGNALS

IDLE_WAIT = 0.25  # s: the longest the real-time loop blocks (keeps Ctrl-C responsive)


@dataclass
class Ears:
    """Speech input for a session: a source, a recognizer, and for replays the coach's own
    output to mix into the microphone (`mix(chunk, t0) -> chunk`)."""

    recognizer: Recognizer
    source: AudioSource
    mix: Callable[[np.ndarray, float], np.ndarray] | None = None
    # a microphone's `watch(on_lost)`: tells at once (any thread) when it is gone, even
    # while the ears thread is busy
    watch: Callable[[Callable[[str], None]], None] | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)  # e.g. the worker's

    def close(self) -> None:
        self.source.close()
        for close in self.closers:
            close()


# ------------------------------------------------------------------------- virtual time


def run_fast(runner: Runner, ears: Ears | None = None) -> None:
    """As fast as the CPU allows; a listen file's audio drives the clock while it lasts."""
    runner.start()
    if ears is not None:
        end = 0.0
        for t0, chunk in ears.source.chunks():
            end = t0 + len(chunk) / MIC_RATE
            runner.run_until(end)  # what the speaker plays during the chunk is now queued
            if runner.ended:
                break
            if ears.mix is not None:
                chunk = ears.mix(chunk, t0)
            _hear_all(runner, ears.recognizer.accept(chunk, t0))
        if not runner.ended:
            _hear_all(runner, ears.recognizer.flush(end))
    runner.run_to_end()


def _hear_all(runner: Runner, detections: list[Detection]) -> None:
    for det in detections:
        if runner.ended:
            return
        runner.run_until(det.t)  # no-op for a detection inside the chunk just ticked
        runner.dispatch(Heard(runner.clock.now(), det.intent, det.text, "voice"))


# ------------------------------------------------------------------------- real time


@dataclass(frozen=True)
class KeyPress:
    char: str


@dataclass(frozen=True)
class EarsFailed:
    error: Exception


Inbox = queue.Queue[KeyPress | Detection | EarsFailed]


def listen(ears: Ears, inbox: Inbox, stop: threading.Event) -> None:
    """The ears thread: audio in, detections onto the inbox. Errors go there too. A
    recognizer that decides in its own process puts its detections there itself, the
    moment they are made (not at the next chunk)."""
    ears.recognizer.deliver_to(lambda found: _post_all(inbox, found))
    try:
        for t0, chunk in ears.source.chunks():
            if stop.is_set():
                return
            if ears.mix is not None:
                chunk = ears.mix(chunk, t0)
            for det in ears.recognizer.accept(chunk, t0):
                inbox.put(det)
    except Exception as exc:  # reported once by the main loop; the keys keep working
        inbox.put(EarsFailed(exc))


def _post_all(inbox: Inbox, detections: list[Detection]) -> None:
    for det in detections:
        inbox.put(det)


def run_realtime(
    runner: Runner,
    inbox: Inbox,
    intent_for_key: Callable[[str, bool, bool], Intent | None],
    warn: Callable[[str], None] = print,
) -> None:
    """Wait for input until the next deadline, tick, repeat, until the session ends."""
    runner.start()
    reported = False  # the ears fail once: by the microphone's watch, or by their thread
    while not runner.ended:
        deadline = runner.state.next_deadline
        now = runner.clock.now()
        timeout = IDLE_WAIT if deadline is None else min(IDLE_WAIT, max(0.0, deadline - now))
        try:
            item = inbox.get(timeout=timeout)
        except queue.Empty:
            if deadline is not None and runner.clock.now() >= deadline:
                runner.dispatch(Tick(runner.clock.now()))
            continue
        if isinstance(item, EarsFailed):
            if reported:
                continue
            reported = True
        _handle(runner, item, intent_for_key, warn)


def _handle(
    runner: Runner,
    item: object,
    intent_for_key: Callable[[str, bool, bool], Intent | None],
    warn: Callable[[str], None],
) -> None:
    if isinstance(item, KeyPress):
        state = runner.state
        intent = intent_for_key(item.char, state.paused, state.confirming)
        if intent is not None:
            runner.hear(intent, f"key {item.char!r}", "keys")
    elif isinstance(item, Detection):
        runner.hear(item.intent, item.text, "voice")
    elif isinstance(item, EarsFailed):
        error = item.error
        why = error.message if isinstance(error, VoicecoachError) else str(error)
        warn(f"voicecoach: voice commands stopped: {why}; the keys still work")


def run_live(
    runner: Runner, ears: Ears | None, warn: Callable[[str], None], *, show_keys: bool = True
) -> None:
    """Real time: the ears in their own thread, the keyboard when stdin is a terminal,
    everything onto one inbox that the main loop reads. `show_keys`: print the key help
    line (the live panel shows its own)."""
    from voicecoach.keys import HELP_LINE, KeyReader, intent_for_key

    inbox: Inbox = queue.Queue()
    stop = threading.Event()
    thread = None
    if ears is not None:
        thread = threading.Thread(target=listen, args=(ears, inbox, stop), daemon=True)
        thread.start()
        if ears.watch is not None:
            ears.watch(lambda why: inbox.put(EarsFailed(AudioError(why))))
    try:
        with KeyReader(lambda ch: inbox.put(KeyPress(ch))) as keys:
            if keys.active:
                if show_keys:
                    print(HELP_LINE)
            elif ears is None:
                wait = runner.state.config.ready_timeout
                warn(
                    "voicecoach: no keyboard (stdin is not a terminal) and no voice commands: "
                    f"each exercise starts by itself after {wait:g} s (--ready-timeout), and "
                    "Ctrl-C ends the session"
                )
            run_realtime(runner, inbox, intent_for_key, warn)
    finally:
        stop.set()
        if ears is not None:
            ears.close()
        if thread is not None:
            # after a signal the program ends: never wait for an ears thread (a daemon)
            # that is stuck in an import or a decode
            thread.join(timeout=0.0 if SIGNALS.received is not None else 1.0)
