"""`voicecoach devices`: the sound devices `--device` and `--input-device` can name."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "devices",
        help="list audio input and output devices",
        description="List the sound devices PortAudio sees, with the index or name to give "
        "to 'voicecoach start --device' (speaker) or '--input-device' (microphone). "
        "With PulseAudio/PipeWire, choose its sinks and sources with pavucontrol or "
        "PULSE_SINK/PULSE_SOURCE, and use the 'pulse' or 'default' device here.",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voicecoach.errors import AudioError
    from voicecoach.voice.devices import NO_DEVICES_HINT, list_devices

    devices = list_devices()
    if not devices:
        raise AudioError("no audio devices found", NO_DEVICES_HINT)
    width = max(len(d.name) for d in devices)
    print(f"{'#':>3}  {'NAME':<{width}}  {'IN':>3}  {'OUT':>3}  {'RATE':>6}  DEFAULT")
    for d in devices:
        marks = [m for m, on in (("input", d.default_input), ("output", d.default_output)) if on]
        print(
            f"{d.index:>3}  {d.name:<{width}}  {d.inputs:>3}  {d.outputs:>3}  "
            f"{d.samplerate:>6.0f}  {', '.join(marks)}"
        )
    if not any(d.outputs for d in devices):
        print("\nno output device: the coach cannot speak (use --text)")
    if not any(d.inputs for d in devices):
        print("\nno input device: the coach cannot listen (use --engine keys)")
    return 0
