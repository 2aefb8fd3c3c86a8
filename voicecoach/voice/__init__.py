"""The coach's voice: speech and cue tones, played live, printed, or written to a WAV.

`make_voice(options, timeline)` picks the implementation from the session's
`VoiceOptions`; everything heavy (pyttsx3, sounddevice, numpy) is imported inside functions.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from voicecoach.errors import AudioError

if TYPE_CHECKING:
    from voicecoach.options import VoiceOptions
    from voicecoach.ports import Clock, LiveVoice, Voice
    from voicecoach.voice.render import Renderer
    from voicecoach.voice.timeline import Timeline

__all__ = ["make_renderer", "make_voice"]


def make_voice(
    options: VoiceOptions,
    timeline: Timeline,
    *,
    clock: Clock | None = None,
    warn: Callable[[str], None] | None = None,
    live: Callable[[], LiveVoice] | None = None,
) -> Voice:
    """The voice for a session, from `options`:

    - `speak_file`: a WavTimelineVoice writing that WAV;
    - `text`, or `fast` (a virtual clock cannot drive a sound card): a TextVoice;
    - otherwise live playback (`live` makes it: default a RealtimeVoice on the `device`),
      wrapped so that a lost device switches to a TextVoice.
    No voice shows words itself: the session's printer or panel shows them from its
    records (`voicecoach.bootstrap`), so a lost device loses no line.
    No espeak or no output device: one message on `warn` (default stderr), then text mode.
    A `--voice` or `--device` that matches nothing is an error: the user asked for it.
    `clock` (the session clock) lets live playback honour `at` times in the future; without
    it `at` is taken as "now" whenever nothing is queued.
    """
    from voicecoach.voice.text import FallbackVoice, TextVoice

    warn = warn or _stderr
    if options.speak_file:
        from voicecoach.voice.wavfile import WavTimelineVoice

        renderer = make_renderer(options.voice, options.rate)
        return WavTimelineVoice(
            renderer,
            timeline,
            options.speak_file,
            options.volume,
        )
    text = TextVoice(options.rate)
    if not options.plays:
        return text
    if options.device is not None:  # asked for by name: no match is an error to fix
        from voicecoach.voice.devices import find_output

        find_output(options.device)
    try:
        voice = live() if live is not None else _live_voice(options, timeline, clock)
    except AudioError as exc:
        warn(f"voicecoach: {exc}\nvoicecoach: continuing in text mode")
        return text
    fallback = FallbackVoice(voice, text, warn)
    voice.watch(fallback.lost)  # a device lost while nothing is said is noticed too (< 1 s)
    return fallback


def make_renderer(voice: str | None = None, rate: int | None = None) -> Renderer:
    """A started pyttsx3 renderer (AudioError without espeak, UsageError for a bad voice)."""
    from voicecoach.voice.render import Pyttsx3Backend, Renderer

    renderer = Renderer(lambda: Pyttsx3Backend(voice, rate))
    renderer.warm()
    return renderer


def _live_voice(options: VoiceOptions, timeline: Timeline, clock: Clock | None) -> LiveVoice:
    from voicecoach.voice.devices import find_output
    from voicecoach.voice.realtime import RealtimeVoice, output_rate, sounddevice_stream

    device = find_output(options.device)
    renderer = make_renderer(options.voice, options.rate)
    return RealtimeVoice(
        renderer,
        timeline,
        sounddevice_stream(device.index),
        rate=output_rate(device.index),
        volume=options.volume,
        clock=clock,
    )


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)
