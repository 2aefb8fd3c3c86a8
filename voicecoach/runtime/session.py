"""A built session, ready to run: `voicecoach.bootstrap.build_session` makes it,
`Session.run()` runs it to its end and releases everything it holds."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterable, Iterator, Sequence

from voicecoach.ports import Voice
from voicecoach.runtime.log import LogWriter
from voicecoach.runtime.loops import Ears, run_fast, run_live
from voicecoach.runtime.printer import PacedPrinter
from voicecoach.runtime.runner import Runner
from voicecoach.signals import (
    SIGNALS,
    detach_terminal,
    reason,
    signum_of,
    terminal_hung_up,
)
from voicecoach.voice.routes import StreamWatch
from voicecoach.voice.routes import connect as connect_sound_server


class Session:
    """The runner with what it drives: on the virtual clock (`fast`) or in real time.

    `run()` returns when the session is over; on Ctrl-C, SIGTERM or SIGHUP it ends the
    session (the observers get their `ended`, the log its end record with the reason:
    interrupted, terminated, hangup), silences the voice and re-raises, so that
    `voicecoach.cli.main` reports it and picks the exit code (128 + the signal)."""

    def __init__(
        self,
        runner: Runner,
        *,
        fast: bool,
        ears: Ears | None = None,
        log: LogWriter | None = None,
        paced: PacedPrinter | None = None,
        phrases: Callable[[], Iterable[str]] | None = None,
        warn: Callable[[str], None] = print,
        closers: Sequence[Callable[[], None]] = (),
        show_keys: bool = True,
    ) -> None:
        self.runner = runner
        self.fast = fast
        self.ears = ears
        self.log = log
        self.paced = paced
        self._phrases = phrases  # what to render ahead of a real-time session
        self._warn = warn
        self._closers = tuple(closers)  # outputs that hold the terminal (the live panel)
        self._show_keys = show_keys  # print the key help line (the panel shows its own)

    @property
    def voice(self) -> Voice:
        return self.runner.voice

    def run(self) -> None:
        with contextlib.ExitStack() as stack:
            if not self.fast:  # a stream the sound server moves elsewhere is noticed
                stack.enter_context(self._watch_streams())
            stack.enter_context(SIGNALS.listen(self._hush))
            self._run()

    @contextlib.contextmanager
    def _watch_streams(self) -> Iterator[None]:
        server = connect_sound_server()
        if server is None:
            yield
            return
        watch = StreamWatch(server, self._warn, on_monitor=self._ears_off)
        watch.start()
        try:
            yield
        finally:
            watch.close()

    def _ears_off(self) -> None:
        """The microphone now hears a speaker's own sound: stop listening (keys only)."""
        if self.ears is not None:
            self.ears.close()

    def _run(self) -> None:
        interrupted = False
        try:
            self.runner.announce()
            if self.fast:
                run_fast(self.runner, self.ears)
            else:
                if self._phrases is not None:
                    self.voice.prerender(self._phrases())
                run_live(self.runner, self.ears, self._warn, show_keys=self._show_keys)
        except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM or SIGHUP: the same end
            interrupted = True
            if signum_of(exc) == signal.SIGHUP and terminal_hung_up():
                detach_terminal()  # writing to it would fail
            with SIGNALS.deferred():
                self.runner.abort(reason(signum_of(exc)))
                self.voice.interrupt(self.runner.clock.now())
            raise
        finally:
            with SIGNALS.deferred():  # closing the log, removing temporary files
                self.close(flush=not interrupted)

    def _hush(self, signum: int) -> None:
        """A signal arrived (the watcher thread, at once): print nothing more. The live
        voice silences itself (`RealtimeVoice`); the main thread then ends the session."""
        if self.paced is not None:
            self.paced.hush()

    def close(self, flush: bool = True) -> None:
        """Release the terminal, the ears, the voice, the printer and the log (once)."""
        for close in self._closers:
            close()
        if self.ears is not None:
            self.ears.close()
        self.voice.close()
        if self.paced is not None:
            self.paced.close(flush=flush)
        if self.log is not None:
            self.log.close()
