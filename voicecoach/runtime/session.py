"""A built session, ready to run: `voicecoach.bootstrap.build_session` makes it,
`Session.run()` runs it to its end and releases everything it holds."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from voicecoach.ports import Voice
from voicecoach.runtime.log import LogWriter
from voicecoach.runtime.loops import Ears, run_fast, run_live
from voicecoach.runtime.printer import PacedPrinter
from voicecoach.runtime.runner import Runner


class Session:
    """The runner with what it drives: on the virtual clock (`fast`) or in real time.

    `run()` returns when the session is over; on Ctrl-C it ends the session (the observers
    get their `ended`, the log its end record), silences the voice and re-raises, so that
    `voicecoach.cli.main` reports it and picks the exit code."""

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
    ) -> None:
        self.runner = runner
        self.fast = fast
        self.ears = ears
        self.log = log
        self.paced = paced
        self._phrases = phrases  # what to render ahead of a real-time session
        self._warn = warn

    @property
    def voice(self) -> Voice:
        return self.runner.voice

    def run(self) -> None:
        interrupted = False
        try:
            self.runner.announce()
            if self.fast:
                run_fast(self.runner, self.ears)
            else:
                if self._phrases is not None:
                    self.voice.prerender(self._phrases())
                run_live(self.runner, self.ears, self._warn)
        except KeyboardInterrupt:
            interrupted = True
            self.runner.abort("interrupted")
            self.voice.interrupt(self.runner.clock.now())
            raise
        finally:
            self.close(flush=not interrupted)

    def close(self, flush: bool = True) -> None:
        """Release the ears, the voice, the printer and the log (once)."""
        if self.ears is not None:
            self.ears.close()
        self.voice.close()
        if self.paced is not None:
            self.paced.close(flush=flush)
        if self.log is not None:
            self.log.close()
