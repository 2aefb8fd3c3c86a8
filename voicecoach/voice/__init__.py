"""The coach's voice: speech and cue tones, played live, printed, or written to a WAV.

`make_voice(options, timeline, out)` picks the implementation from the `start` command's
options; everything heavy (pyttsx3, sounddevice, numpy) is imported inside functions.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from voicecoach.errors import AudioError, UsageError

if TYPE_CHECKING:
    from voicecoach.ports import Clock, Voice
    from voicecoach.voice.realtime import RealtimeVoice
    from voicecoach.voice.render import Renderer
    from voicecoach.voice.timeline import Timeline

__all__ = ["make_renderer", "make_voice", "prerender"]


def make_voice(
    options: Any,
    timeline: Timeline,
    out: Callable[[str], None] = print,
    *,
    clock: Clock | None = None,
    warn: Callable[[str], None] | None = None,
) -> Voice:
    """The voice for a session, from `options` (the `start` command's namespace; missing
    attributes mean defaults): `text`, `fast`, `speak_file`, `voice`, `rate`, `volume`,
    `device`.

    - `speak_file`: a WavTimelineVoice writing that WAV (also prints when `text` is set);
    - `text`, or `fast` (a virtual clock cannot drive a sound card): a TextVoice on `out`;
    - otherwise live playback, wrapped so that a lost device switches to text mode.
    No espeak or no output device: one message on `warn` (default stderr), then text mode.
    A `--voice` or `--device` that matches nothing is an error: the user asked for it.
    `clock` (the session clock) lets live playback honour `at` times in the future; without
    it `at` is taken as "now" whenever nothing is queued.
    """
    from voicecoach.voice.text import FallbackVoice, TextVoice

    warn = warn or _stderr
    rate, volume = _rate(options), _volume(options)
    speak_file = getattr(options, "speak_file", None)
    text_mode = bool(getattr(options, "text", False))
    if speak_file:
        from voicecoach.voice.wavfile import WavTimelineVoice

        renderer = make_renderer(getattr(options, "voice", None), rate)
        return WavTimelineVoice(
            renderer, timeline, speak_file, volume, out=out if text_mode else None
        )
    text = TextVoice(out, rate)
    if text_mode or getattr(options, "fast", False):
        return text
    spec = getattr(options, "device", None)
    if spec is not None:  # asked for by name: no match is an error to fix, not a reason to go quiet
        from voicecoach.voice.devices import find_output

        find_output(spec)
    try:
        live = _live_voice(options, timeline, rate, volume, clock)
    except AudioError as exc:
        warn(f"voicecoach: {exc}\nvoicecoach: continuing in text mode")
        return text
    voice = FallbackVoice(live, text, warn)
    live.watch(voice.lost)  # a device lost while nothing is said is noticed too (< 1 s)
    return voice


def make_renderer(voice: str | None = None, rate: int | None = None) -> Renderer:
    """A started pyttsx3 renderer (AudioError without espeak, UsageError for a bad voice)."""
    from voicecoach.voice.render import Pyttsx3Backend, Renderer

    renderer = Renderer(lambda: Pyttsx3Backend(voice, rate))
    renderer.warm()
    return renderer


def prerender(voice: Voice, texts: Iterable[str]) -> None:
    """Render `texts` ahead of time when `voice` renders anything (no-op otherwise)."""
    hook = getattr(voice, "prerender", None)
    if hook is not None:
        hook(texts)


def _live_voice(
    options: Any, timeline: Timeline, rate: int, volume: float, clock: Clock | None
) -> RealtimeVoice:
    from voicecoach.voice.devices import find_output
    from voicecoach.voice.realtime import RealtimeVoice, output_rate, sounddevice_stream

    device = find_output(getattr(options, "device", None))
    renderer = make_renderer(getattr(options, "voice", None), rate)
    return RealtimeVoice(
        renderer,
        timeline,
        sounddevice_stream(device.index),
        rate=output_rate(device.index),
        volume=volume,
        clock=clock,
    )


def _rate(options: Any) -> int | None:
    rate = getattr(options, "rate", None)
    if rate is not None and not 40 <= rate <= 500:
        raise UsageError(f"--rate {rate} is out of range", "use 40 to 500 words per minute")
    return rate


def _volume(options: Any) -> float:
    volume = getattr(options, "volume", None)
    if volume is None:
        return 1.0
    if not 0.0 <= volume <= 1.0:
        raise UsageError(f"--volume {volume} is out of range", "use 0.0 to 1.0")
    return float(volume)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)
