"""Where the sound server sends this process's audio, and when it moves it.

When a speaker or a microphone is removed (unplugged, its module unloaded), PulseAudio and
PipeWire do not end the streams that used it: they move them to another device, silently.
The coach would then talk into another room's speaker, or its ears would hear the
speaker's own monitor (the coach's voice) instead of the person. PortAudio cannot see it
(it talks to the server through ALSA's pulse plugin), so `StreamWatch` asks the server
itself (libpulse, through `pulsectl`), twice a second, on a thread of its own (never the
main thread: see `StreamWatch.start`): every playback or recording stream of this process,
and the device it is on. A move is said once, in plain words; a recording moved onto a
monitor turns the ears off (`on_monitor`).

Without a pulse server (plain ALSA) or without libpulse, nothing is watched: there is
nobody to move the streams.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger(__name__)

EVERY = 0.5  # s between two looks
CONNECT_TIMEOUT = 1.0  # s a sound server has to answer
NO_INDEX = 0xFFFFFFFF  # PA_INVALID_INDEX: a source that is not a monitor


class PulseServer(Protocol):
    """The part of `pulsectl.Pulse` used here (a fake implements it in the tests)."""

    def sink_input_list(self) -> list[Any]: ...
    def source_output_list(self) -> list[Any]: ...
    def sink_info(self, index: int) -> Any: ...
    def source_info(self, index: int) -> Any: ...
    def close(self) -> None: ...


def connect(timeout: float = CONNECT_TIMEOUT) -> PulseServer | None:
    """A connection to the pulse server in the environment, or None (none, no libpulse, or
    no answer within `timeout` s).

    Not `pulsectl.Pulse.connect(timeout=...)`: that one always waits the whole timeout,
    even when the server answered in a few ms (it polls its loop until the deadline), and
    it ran before the first words, so every live session started that much later. Here the
    plain connect (ms on a live server; a missing one fails at once) runs on a thread, and
    a server that does not answer in time is left to it (and closed if it answers later)."""
    result: list[PulseServer | None] = [None]
    lock = threading.Lock()
    abandoned = False

    def attempt() -> None:
        try:
            import pulsectl  # type: ignore[import-untyped]

            server = pulsectl.Pulse("voicecoach-watch", connect=False)
            server.connect()
        except Exception as exc:  # ImportError, OSError (no libpulse), PulseError (no server)
            log.debug("not watching the sound server: %s", exc)
            return
        with lock:
            if not abandoned:
                result[0] = server
                return
        server.close()

    thread = threading.Thread(target=attempt, name="voicecoach-pulse-connect", daemon=True)
    thread.start()
    thread.join(timeout)
    with lock:
        if result[0] is None:
            abandoned = True
            log.debug("not watching the sound server (no answer within %.1f s?)", timeout)
        return result[0]


class StreamWatch:
    """Looks at this process's streams on the pulse server and says when one moved."""

    def __init__(
        self,
        server: PulseServer,
        report: Callable[[str], None],
        on_monitor: Callable[[], None] = lambda: None,
        pid: int | None = None,
    ) -> None:
        self._server = server
        self._report = report
        self._on_monitor = on_monitor
        self._pid = str(pid if pid is not None else os.getpid())
        self._outputs: dict[str, Any] = {}  # the devices our playback was on last time
        self._inputs: dict[str, Any] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, every: float = EVERY) -> None:
        """Look now and every `every` s, on the watch's own thread: libpulse calls back into
        Python on the thread that asks it, and a signal's exception raised in such a
        callback on the main thread would be swallowed (the session then deaf to every
        later signal) or would leave libpulse to abort the process (`voicecoach.signals`)."""
        self._thread = threading.Thread(
            target=self._run, args=(every,), name="voicecoach-stream-watch", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Stop looking; the watch's thread closes the connection (at once when it was never
        started)."""
        self._stop.set()
        if self._thread is None:
            self._disconnect()
        else:
            self._thread.join(timeout=2.0)

    def look(self) -> None:
        """One look: report when this process's playback (or recording) is now on other
        devices than last time: moved by the server, or re-created elsewhere by the ALSA
        plugin after its device went away."""
        sinks = [
            self._server.sink_info(stream.sink)
            for stream in self._server.sink_input_list()
            if self._ours(stream)
        ]
        old = self._moved(self._outputs, sinks)
        if old is not None:
            self._report(
                f"voicecoach: the speaker {old!r} is gone; the sound server now plays "
                f"the coach on {_label(_first(sinks))!r}"
            )
        sources = [
            self._server.source_info(stream.source)
            for stream in self._server.source_output_list()
            if self._ours(stream)
        ]
        old = self._moved(self._inputs, sources)
        if old is not None:
            self._moved_input(old, _first(sources))

    @staticmethod
    def _moved(seen: dict[str, Any], now: list[Any]) -> str | None:
        """The name of a device left behind when `now` shares none with `seen` (which
        then becomes `now`); None when nothing moved."""
        names = {device.name: device for device in now}
        if not names:
            return None  # no stream at the moment (closed, or being re-created)
        left = None if not seen or seen.keys() & names.keys() else min(seen)
        seen.clear()
        seen.update(names)
        return left

    def _moved_input(self, old: str, source: Any) -> None:
        if source.monitor_of_sink != NO_INDEX:
            self._report(
                f"voicecoach: the microphone {old!r} is gone, and the sound server moved "
                f"voice commands onto a speaker's own sound ({_label(source)!r}): voice "
                "commands are off; the keys still work"
            )
            self._on_monitor()
        else:
            self._report(
                f"voicecoach: the microphone {old!r} is gone; voice commands now listen "
                f"to {_label(source)!r}"
            )

    def _ours(self, stream: Any) -> bool:
        return bool(stream.proplist.get("application.process.id") == self._pid)

    def _run(self, every: float) -> None:
        try:
            while True:
                self.look()
                if self._stop.wait(every):
                    return
        except Exception as exc:  # the server went away: the device watchdogs say so
            log.debug("stopped watching the sound server: %s", exc)
        finally:
            self._disconnect()

    def _disconnect(self) -> None:
        with contextlib.suppress(Exception):
            self._server.close()


def _first(devices: list[Any]) -> Any:
    return min(devices, key=lambda device: str(device.name))


def _label(device: Any) -> str:
    return str(device.description or device.name)
