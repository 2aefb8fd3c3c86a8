"""Audio devices as PortAudio (sounddevice) sees them, and `--device` lookup."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from voicecoach.errors import AudioError

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


def sounddevice() -> Any:  # the module
    """The sounddevice module, or AudioError when PortAudio is missing.

    Loading it starts PortAudio, which probes every ALSA device; alsa-lib reports each
    probe that fails on stderr, so sounddevice points descriptor 2 at /dev/null meanwhile.
    Here descriptor 2 is put back whatever happens, even when a signal interrupts
    sounddevice between its redirect and its restore. No Python code is handed to
    alsa-lib or PortAudio as a callback from the main thread: a signal's KeyboardInterrupt
    raised in one would be swallowed (ctypes only reports it as "unraisable"). What they
    print while a live session plays (underruns, a device lost) is filtered by
    `voicecoach.voice.noise.QuietStderr`."""
    with _stderr_kept():
        try:
            import sounddevice as sd
        except OSError as exc:  # sounddevice raises OSError when libportaudio is missing
            raise AudioError(
                f"PortAudio is not available ({exc})",
                "install it ('apt-get install libportaudio2 libasound2-plugins'), or use --text",
            ) from exc
    return sd


@contextlib.contextmanager
def _stderr_kept() -> Iterator[None]:
    """Descriptor 2 as it was before the block, whatever the block did to it."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all: nothing to keep
        yield
        return
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def refresh() -> None:
    """Make PortAudio enumerate devices again (it lists them once, at import).

    Needed when a sound server starts after sounddevice was imported (the device tests
    start a private PulseAudio). Uses sounddevice's private re-init (it silences the probe
    as at import): no stream may be open."""
    sd = sounddevice()
    with _stderr_kept():
        sd._terminate()
        sd._initialize()


def list_devices(sd: Any = None) -> list[Device]:
    """Every device PortAudio sees (`sd`: the sounddevice module, or a fake of it)."""
    sd = sd if sd is not None else sounddevice()
    default_in, default_out = _defaults(sd)
    try:
        found = sd.query_devices()
    except Exception as exc:  # PortAudio errors are not a stable type
        raise AudioError(f"cannot list audio devices ({exc})", NO_DEVICES_HINT) from None
    return [
        Device(
            index=i,
            name=str(d["name"]),
            inputs=int(d.get("max_input_channels", 0)),
            outputs=int(d.get("max_output_channels", 0)),
            samplerate=float(d.get("default_samplerate", 0.0)),
            default_input=i == default_in,
            default_output=i == default_out,
        )
        for i, d in enumerate(found)
    ]


def _defaults(sd: Any) -> tuple[int, int]:
    found = sd.default.device
    try:
        return int(found[0]), int(found[1])
    except (TypeError, ValueError, IndexError):  # names instead of indexes: resolve them
        return -1, -1


@dataclass(frozen=True, slots=True)
class Direction:
    """What a lookup is for: the words its errors use, and which devices qualify."""

    noun: str  # "audio output device", "microphone"
    plural: str
    option: str  # the command-line option that picks one
    none_hint: str

    def usable(self, device: Device) -> bool:
        return (device.outputs if self is OUTPUT else device.inputs) > 0

    def default(self, device: Device) -> bool:
        return device.default_output if self is OUTPUT else device.default_input


OUTPUT = Direction("audio output device", "audio output devices", "--device", NO_DEVICES_HINT)
INPUT = Direction(
    "microphone",
    "microphones",
    "--input-device",
    "connect a microphone or pick one with --input-device (see 'voicecoach devices'); "
    "if none is listed, start PulseAudio/PipeWire ('pulseaudio --start') or check PULSE_SERVER",
)


def find_device(spec: str | int | None, devices: list[Device], direction: Direction) -> Device:
    """The one device lookup, for speech out and in. `spec` is an index, an exact name or a
    (case-insensitive) name substring; None or "" = the system default. A name that
    matches several devices is an error that lists them: guessing would pick the wrong one."""
    usable = [d for d in devices if direction.usable(d)]
    if not usable:
        raise AudioError(f"no {direction.noun} found", direction.none_hint)
    listing = "; ".join(f"{d.index}: {d.name}" for d in usable)
    choose = f"choose one of: {listing} (see 'voicecoach devices')"
    want = str(spec).strip() if spec is not None else ""
    if not want:
        return next((d for d in usable if direction.default(d)), usable[0])
    if want.isdigit():
        chosen = [d for d in usable if d.index == int(want)]
        if not chosen:
            raise AudioError(f"audio device {want} is not {_a(direction.noun)}", choose)
        return chosen[0]
    low = want.lower()
    chosen = [d for d in usable if d.name.lower() == low] or [
        d for d in usable if low in d.name.lower()
    ]
    if not chosen:
        raise AudioError(f"no {direction.noun} matches {spec!r}", choose)
    if len(chosen) > 1:
        which = "; ".join(f"{d.index}: {d.name}" for d in chosen)
        raise AudioError(
            f"{spec!r} matches several {direction.plural}", f"be more precise: {which}"
        )
    return chosen[0]


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def find_output(spec: str | None, devices: list[Device] | None = None) -> Device:
    """The output device `spec` names (see `find_device`); None = the default output."""
    return find_device(spec, list_devices() if devices is None else devices, OUTPUT)


def find_input(spec: str | int | None, sd: Any = None) -> Device:
    """The microphone `spec` names (see `find_device`); None = the default input."""
    return find_device(spec, list_devices(sd), INPUT)
