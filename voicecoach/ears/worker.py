"""A recognizer in its own process, so decoding never holds the session's GIL.

The audio thread calls `accept` as usual; the chunk (and the echo canceller's residual)
goes down a pipe to a worker process that owns the real recognizer (Whisper or
PocketSphinx: endpointer, model) and sends back, for every message, the detections it
produced. The worker loads its model first, in the background, while the coach starts
talking; `voicecoach start` launches it before its own heavy imports.

Three ways to get the detections:
- live (a real-time session): `accept` never waits, not even while the worker still loads
  its model (a sender thread queues the audio for it); it returns the detections of
  earlier chunks that have arrived by then (a decode finishes during the next chunk);
- live with `deliver_to(callback)` (the session's ears thread): a reader thread hands each
  reply's detections to the callback the moment it arrives, not at the next chunk;
- synchronous (`--fast` replays, tests): `accept` waits for the reply to its own chunk, so
  a replay is as deterministic as the in-process recognizer.

This module imports little at the top (no numpy): the session starts the worker before
anything heavy is loaded.
"""

from __future__ import annotations

import contextlib
import os
import queue
import socket
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from voicecoach.errors import ModelError, VoicecoachError

if TYPE_CHECKING:
    import numpy as np

    from voicecoach.ports import Detection


def _serve(conn: Connection, engine: str) -> None:
    """The worker's loop: build the recognizer (the model first), then answer every
    message in order."""
    from voicecoach.ears import make_recognizer

    try:
        recognizer = make_recognizer(engine)
    except VoicecoachError as exc:
        conn.send(("error", exc.message, exc.hint))
        return
    conn.send(("ready", recognizer.name, None))
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        kind = message[0]
        if kind == "accept":
            _, samples, t0, echo = message
            out = recognizer.accept(samples, t0, echo)
        elif kind == "flush":
            out = recognizer.flush(message[1])
        else:
            return
        conn.send(("detections", out, None))


STOP_GRACE = 0.2  # s: how long a stopping worker may take to end on SIGTERM

Deliver = Callable[[list["Detection"]], None]


class WorkerRecognizer:
    """`ports.Recognizer` whose recognizer runs in a worker
    process (see module doc)."""

    def __init__(self, engine: str, *, live: bool) -> None:
        # A fresh interpreter (not a fork of the audio threads, not a re-import of the
        # caller's __main__), talking over a socket pair.
        mine, theirs = socket.socketpair()
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(theirs.fileno()), engine],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            # its own process group: Ctrl-C in the terminal (sent to the foreground group)
            # must not reach a worker still importing, before it can ignore SIGINT; the
            # session ends the worker itself (`_stop`)
            process_group=0,
            # single-threaded maths libraries (see voicecoach/__main__.py) also when the
            # session was not started from the console script
            env={"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", **os.environ},
        )
        theirs.close()
        self._conn = Connection(mine.detach())
        self.name = engine
        self._live = live
        self._ready = False
        self._pending = 0
        self._pushing = False  # a reader thread hands detections over (deliver_to)
        self.reader: threading.Thread | None = None
        self._failure: VoicecoachError | None = None  # what the reader thread met
        self._outbox: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        if live:
            threading.Thread(
                target=_send_all, args=(self._conn, self._outbox), name="ears-sender", daemon=True
            ).start()
        self._finalizer = weakref.finalize(
            self, _stop, self._conn, self._process, self._outbox if live else None
        )

    def accept(
        self, samples: np.ndarray, t0: float, echo: np.ndarray | None = None
    ) -> list[Detection]:
        import numpy as np

        self._send(("accept", samples, t0, None if echo is None else echo.astype(np.float32)))
        return self._collect(wait=not self._live)

    def flush(self, t: float) -> list[Detection]:
        self._send(("flush", t))
        return self._collect(wait=True)

    def deliver_to(self, deliver: Deliver) -> None:
        """Live mode: from now on a reader thread calls `deliver(detections)` as each reply
        arrives, and `accept`/`flush` return nothing (they raise what the reader met: the
        worker failed to load, or ended)."""
        if not self._live or self._pushing:
            return
        self._pushing = True
        self.reader = threading.Thread(
            target=self._read_all, args=(deliver,), name="ears-reader", daemon=True
        )
        self.reader.start()

    def _send(self, message: tuple[Any, ...]) -> None:
        self._pending += 1
        if self._live:
            self._outbox.put(message)
        else:
            self._conn.send(message)

    def close(self) -> None:
        self._finalizer()

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    def _collect(self, wait: bool) -> list[Detection]:
        if self._pushing:
            if self._failure is not None:
                raise self._failure
            return []
        out: list[Detection] = []
        while (not self._ready or self._pending) and (wait or self._conn.poll()):
            detections = self._receive()
            if detections is not None:
                self._pending -= 1
                out += detections
        return out

    def _receive(self) -> list[Detection] | None:
        """The next reply: its detections, or None for "ready"; a ModelError when the
        worker could not load its model or ended."""
        try:
            kind, payload, hint = self._conn.recv()
        except (EOFError, OSError, TypeError):  # TypeError: closed by _stop mid-call
            raise ModelError(
                f"the {self.name} recognizer process ended",
                "run 'voicecoach check' to test the recognizer",
            ) from None
        if kind == "error":
            raise ModelError(payload, hint)
        if kind == "ready":
            self._ready = True
            self.name = payload
            return None
        detections: list[Detection] = payload
        return detections

    def _read_all(self, deliver: Deliver) -> None:
        """The reader thread (deliver_to): every reply's detections to `deliver` at once."""
        while True:
            try:
                detections = self._receive()
            except ModelError as exc:  # also the end of a closed worker
                self._failure = exc  # the ears thread raises it at its next chunk
                return
            if detections:
                deliver(detections)


def _send_all(conn: Connection, outbox: queue.SimpleQueue[tuple[Any, ...] | None]) -> None:
    """The live mode's sender: the audio thread never blocks on a worker still loading."""
    while (message := outbox.get()) is not None:
        try:
            conn.send(message)
        except (OSError, ValueError, TypeError):  # TypeError: closed by _stop mid-call
            return  # the worker is gone; the next collect says so


def _stop(
    conn: Connection, process: Any, outbox: queue.SimpleQueue[tuple[Any, ...] | None] | None
) -> None:
    """End the worker without waiting on its work: a session that is ending never waits
    for a worker busy loading or decoding. It gets STOP_GRACE seconds to end on SIGTERM,
    then SIGKILL, and is always reaped (no zombie, no "still running" warning)."""
    if outbox is not None:
        outbox.put(None)
    with contextlib.suppress(OSError):
        process.terminate()
    # wake a reader thread blocked on the socket (end of file) before its descriptor is
    # closed and its number possibly reused
    with (
        contextlib.suppress(OSError, ValueError),
        socket.fromfd(conn.fileno(), socket.AF_UNIX, socket.SOCK_STREAM) as dup,
    ):
        dup.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError, ValueError):
        conn.close()
    try:
        process.wait(timeout=STOP_GRACE)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(OSError):
            process.kill()
        process.wait()


if __name__ == "__main__":
    import signal

    # Ctrl-C in a terminal reaches the whole process group: the session ends the worker
    # (end of its socket), so it ignores the key rather than print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # the session went away (its socket closed or reset): nothing to say to anyone
    with contextlib.suppress(EOFError, OSError):
        _serve(Connection(int(sys.argv[1])), sys.argv[2])
