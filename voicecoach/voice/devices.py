"""Audio devices as PortAudio (sounddevice) sees them, and `--device` lookup."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

from voicecoach.errors import AudioError

log = logging.getLogger(__name__)

NO_DEVICES_HINT = (
    "no sound server or sound card is visible: start PulseAudio/PipeWire "
    "('pulseaudio --start'), check PULSE_SERVER, or use --text"
)


@dataclass(frozen=True, slots=True)
class Device:
    index: int
    name: str
    inputs: int
    outputs: int
    samplerate: float
    default_input: bool
    default_output: bool


def sounddevice():  # -> module
    """The sounddevice module, or AudioError when PortAudio is missing."""
    quiet_alsa()  # before PortAudio starts: it probes every ALSA device at import
    try:
        import sounddevice as sd
    except OSError as exc:  # sounddevice raises OSError when libportaudio is missing
        raise AudioError(
            f"PortAudio is not available ({exc})",
            "install it ('apt-get install libportaudio2 libasound2-plugins'), or use --text",
        ) from exc
    return sd


class _Alsa:
    """alsa-lib's error reporting, taken over once per process (see `quiet_alsa`)."""

    handler = None  # the ctypes callback: must live as long as alsa-lib may call it
    messages = 0  # how many alsa-lib has reported since (underruns, probe failures)


def quiet_alsa() -> None:
    """Count alsa-lib's error messages and send them to the debug log instead of stderr.

    alsa-lib writes straight to stderr, e.g. "ALSA lib pcm.c:8570:(snd_pcm_recover)
    underrun occurred" on every output underrun (another thread holding the GIL too long
    starves the audio callback) and a dozen probe failures when PortAudio starts on a
    machine without a sound card: noise in the user's terminal, in the middle of the
    session, that says nothing they can act on. PortAudio reports real failures itself."""
    if _Alsa.handler is not None or not sys.platform.startswith("linux"):
        return
    import atexit
    import ctypes

    try:
        lib = ctypes.CDLL("libasound.so.2")
    except OSError:  # no alsa-lib: PortAudio does not use ALSA here
        return
    # void (*)(const char *file, int line, const char *function, int err, const char *fmt, ...)
    # the variadic rest is ignored; the named arguments arrive alike on Linux ABIs
    handler_type = ctypes.CFUNCTYPE(
        None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
    )

    def report(file: bytes, line: int, function: bytes, err: int, fmt: bytes) -> None:
        _Alsa.messages += 1
        log.debug("alsa-lib %s:%d (%s): %s", file, line, function, fmt)

    _Alsa.handler = handler_type(report)
    lib.snd_lib_error_set_handler(_Alsa.handler)
    # registered before sounddevice's own exit handler, so it runs after PortAudio is gone
    atexit.register(lib.snd_lib_error_set_handler, None)


def alsa_messages() -> int:
    """How many messages alsa-lib reported since `quiet_alsa` (diagnostics, tests)."""
    return _Alsa.messages


def refresh() -> None:
    """Make PortAudio enumerate devices again (it lists them once, at import).

    Needed when a sound server starts after sounddevice was imported (the device tests
    start a private PulseAudio). Uses sounddevice's private re-init: no stream may be open."""
    sd = sounddevice()
    sd._terminate()
    sd._initialize()


def list_devices() -> list[Device]:
    sd = sounddevice()
    default_in, default_out = _defaults(sd)
    return [
        Device(
            index=i,
            name=str(d["name"]),
            inputs=int(d["max_input_channels"]),
            outputs=int(d["max_output_channels"]),
            samplerate=float(d["default_samplerate"]),
            default_input=i == default_in,
            default_output=i == default_out,
        )
        for i, d in enumerate(sd.query_devices())
    ]


def _defaults(sd) -> tuple[int, int]:
    found = sd.default.device
    try:
        return int(found[0]), int(found[1])
    except (TypeError, ValueError, IndexError):  # names instead of indexes: resolve them
        return -1, -1


def find_output(spec: str | None, devices: list[Device] | None = None) -> Device:
    """The output device `spec` names (an index, an exact name or a name substring);
    None = the default output."""
    if devices is None:
        devices = list_devices()
    usable = [d for d in devices if d.outputs > 0]
    if not usable:
        raise AudioError("no audio output device found", NO_DEVICES_HINT)
    if spec is None or not spec.strip():
        return next((d for d in usable if d.default_output), usable[0])
    want = spec.strip()
    if want.isdigit():
        matches = [d for d in usable if d.index == int(want)]
    else:
        low = want.lower()
        matches = [d for d in usable if d.name.lower() == low] or [
            d for d in usable if low in d.name.lower()
        ]
    if matches:
        return matches[0]
    listing = "; ".join(f"{d.index}: {d.name}" for d in usable)
    raise AudioError(
        f"no audio output device matches {spec!r}",
        f"output devices are: {listing} (see 'voicecoach devices')",
    )
