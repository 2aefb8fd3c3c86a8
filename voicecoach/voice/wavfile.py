"""`--speak-file`: the coach's voice written to a WAV on the session timeline.

With the virtual clock (`--fast`) nothing is played; each sound is placed in the file at the
session time it would be heard, with silence between, so a replay can be listened to,
measured, or mixed back into the microphone (`--echo`). The file is 16 kHz mono int16, the
ears' format, so it can be fed straight back as `--listen-file`.
"""

from __future__ import annotations

import math
import os
import wave
from collections.abc import Iterable
from typing import TYPE_CHECKING

from voicecoach.errors import SystemRefused
from voicecoach.outfiles import PendingFile, check_target
from voicecoach.ports import MIC_RATE, Played
from voicecoach.voice.render import Prepared

if TYPE_CHECKING:
    import numpy as np

    from voicecoach.voice.render import Renderer
    from voicecoach.voice.timeline import Timeline


class WavTimelineVoice:
    """Places every say/cue at its session time in the Timeline; writes the WAV on close."""

    rate = MIC_RATE

    def __init__(
        self,
        renderer: Renderer,
        timeline: Timeline,
        path: str | os.PathLike[str],
        volume: float = 1.0,
    ) -> None:
        self._renderer = renderer
        self._prepared = Prepared(renderer, self.rate, volume)
        self._timeline = timeline
        # a device, FIFO, folder or unwritable place is refused now, not after the session
        self._path = check_target(path, "--speak-file")
        self._end = 0.0  # session time where the last queued sound ends

    def say(self, text: str, at: float) -> Played:
        return self._place(self._prepared.speech(text), at, text, "speech")

    def cue(self, name: str, at: float) -> Played:
        return self._place(self._prepared.cue(name), at, name, "cue")

    def prerender(self, texts: Iterable[str]) -> None:
        self._renderer.prerender(texts)

    def interrupt(self, at: float) -> None:
        self._timeline.truncate(at)
        self._end = min(self._end, at)

    def close(self) -> None:
        """Write the file: everything heard from session time 0 to the last sound's end."""
        from voicecoach.voice.samples import float_to_pcm16

        self._renderer.close()
        n = math.ceil(self._timeline.end() * self.rate)
        data = float_to_pcm16(self._timeline.audio(0.0, n, self.rate))
        pending = PendingFile(self._path, "--speak-file")  # next to it, renamed when whole
        try:
            with wave.open(pending.file, "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(self.rate)
                w.writeframes(data)
            pending.file.flush()  # every byte on disk (or the error) before it is put in place
            pending.commit()
        except OSError as exc:
            raise SystemRefused(
                f"cannot write --speak-file {self._path} ({exc.strerror or exc})",
                "free some disk space or choose another folder",
            ) from None
        finally:
            pending.discard()

    def _place(self, samples: np.ndarray, at: float, text: str, kind: str) -> Played:
        played = Played(max(at, self._end), len(samples) / self.rate)
        self._timeline.add(played.start, samples, self.rate, text, kind)
        self._end = played.end
        return played
