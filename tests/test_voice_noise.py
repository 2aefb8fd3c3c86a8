"""PortAudio's own error lines never reach the user's terminal during a live session."""

from __future__ import annotations

import os
import sys

from voicecoach.voice.noise import QuietStderr, is_noise

PORTAUDIO = (
    b"Expression 'alsa_snd_pcm_poll_descriptors_revents( self->pcm, pfds, self->nfds, "
    b"&revents )' failed in 'src/hostapi/alsa/pa_linux_alsa.c', line: 3665\n"
)


def test_portaudio_and_alsa_lines_are_dropped_and_everything_else_passes_in_order(capfd):
    with QuietStderr() as quiet:
        os.write(2, PORTAUDIO)
        print("voicecoach: the audio output stopped; continuing in text mode", file=sys.stderr)
        os.write(2, b"ALSA lib pcm.c:8570:(snd_pcm_recover) underrun occurred\n")
        os.write(2, b"half a li")
        os.write(2, b"ne\n")
    err = capfd.readouterr().err
    assert err == "voicecoach: the audio output stopped; continuing in text mode\nhalf a line\n"
    assert quiet.dropped == 2


def test_stderr_is_the_terminal_again_after_the_session(capfd):
    before = os.fstat(2).st_ino
    with QuietStderr():
        assert os.fstat(2).st_ino != before
    assert os.fstat(2).st_ino == before
    os.write(2, PORTAUDIO)
    assert capfd.readouterr().err == PORTAUDIO.decode()


def test_what_counts_as_noise():
    assert is_noise(PORTAUDIO)
    assert not is_noise(b"voicecoach: voice commands stopped\n")
    assert not is_noise(b"Traceback (most recent call last):\n")
