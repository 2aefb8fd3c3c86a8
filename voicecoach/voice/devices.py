"""Audio devices as PortAudio (sounddevice) sees them, and `--device` lookup."""

from __future__ import annotations

from dataclasses import dataclass

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


def sounddevice():  # -> module
    """The sounddevice module, or AudioError when PortAudio is missing."""
    try:
        import sounddevice as sd
    except OSError as exc:  # sounddevice raises OSError when libportaudio is missing
        raise AudioError(
            f"PortAudio is not available ({exc})",
            "install it ('apt-get install libportaudio2 libasound2-plugins'), or use --text",
        ) from exc
    return sd


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
