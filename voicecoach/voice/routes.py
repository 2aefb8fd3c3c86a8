"""Where the sound server sends this process's audio, and when it moves it.

When a speaker or a microphone is removed (unplugged, its module unloaded), PulseAudio and
PipeWire do not end the streams that used it: they move them to another device, silently.
The coach would then talk into another room's speaker, or its ears would hear the
speaker's own monitor (the coach's voice) instead of the person. PortAudio cannot see it
(it talks to the server through ALSA's pulse plugin), so `StreamWatch` asks the server
itself (libpulse, through `pulsectl`), twice a second, on a thread: every playback or
recording stream of this process, and the device it is on. A move is said once, in plain
words; a recording moved onto a monitor turns the ears off (`on_monitor`).

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
NO_INDEX = 0xFFFFFFFF  # PA_INVALID_INDEX: a source that is not a monitor


class PulseServer(Protocol):
    """The part of `pulsectl.Pulse` used here (a fake implements it in the tests)."""

    def sink_input_list(self) -> list[Any]: ...
    def source_output_list(self) -> list[Any]: ...
    def sink_info(self, index: int) -> Any: ...
    def source_info(self, index: int) -> Any: ...
    def close(self) -> None: ...


def connect() -> PulseServer | None:
    """A connection to the pulse server in the environment, or None (none, or no libpulse)."""
    try:
        import pulsectl

        server = pulsectl.Pulse("voicecoach-watch", connect=False)
        server.connect(timeout=1.0)
    except Exception as exc:  # ImportError, OSError (no libpulse), PulseError (no server)
        log.debug("not watching the sound server: %s", exc)
        return None
    return server  # type: ignore[no-any-return]


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
        self._outputs: dict[int, str] = {}  # stream index -> device name
        self._inputs: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, every: float = EVERY) -> None:
        self.look()
        self._thread = threading.Thread(
            target=self._run, args=(every,), name="voicecoach-stream-watch", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        with contextlib.suppress(Exception):
            self._server.close()

    def look(self) -> None:
        """One look: report every stream now on another device than last time."""
        for stream in self._server.sink_input_list():
            if self._ours(stream):
                sink = self._server.sink_info(stream.sink)
                old = self._outputs.get(stream.index)
                self._outputs[stream.index] = sink.name
                if old is not None and old != sink.name:
                    self._report(
                        f"voicecoach: the speaker {old!r} is gone; the sound server now plays "
                        f"the coach on {_label(sink)!r}"
                    )
        for stream in self._server.source_output_list():
            if self._ours(stream):
                source = self._server.source_info(stream.source)
                old = self._inputs.get(stream.index)
                self._inputs[stream.index] = source.name
                if old is not None and old != source.name:
                    self._moved_input(old, source)

    def _moved_input(self, old: str, source: Any) -> None:
        if getattr(source, "monitor_of_sink", NO_INDEX) != NO_INDEX:
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
        while not self._stop.wait(every):
            try:
                self.look()
            except Exception as exc:  # the server went away: the device watchdogs say so
                log.debug("stopped watching the sound server: %s", exc)
                return


def _label(device: Any) -> str:
    return str(getattr(device, "description", None) or device.name)
