"""`voicecoach config`: the settings a session would use, and where each comes from
(default, the config file, or the command line)."""

from __future__ import annotations

import argparse

from voicecoach.speech import DEFAULT_RATE, DEFAULT_VOICE


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    # no import of voicecoach.settings here: it needs pydantic, and every command's
    # parser is built at start-up ('voicecoach list' must start fast)
    p = sub.add_parser(
        "config",
        help="show the effective settings and where each comes from",
        description="Show the settings 'start' uses: the defaults, overridden by "
        "$XDG_CONFIG_HOME/voicecoach/config.toml (default ~/.config/voicecoach/config.toml), "
        "overridden by start's options. Keys: voice, rate, volume, output_device, "
        "input_device, engine, model, ready_timeout, screen.",
    )
    p.add_argument("--path", action="store_true", help="print only the config file's path")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voicecoach.settings import config_path, resolve

    if args.path:
        print(config_path())
        return 0
    effective = resolve({})
    exists = "" if effective.path.is_file() else " (no such file: defaults only)"
    print(f"config file: {effective.path}{exists}")
    rows = effective.rows()
    width = max(len(key) for key, _, _ in rows)
    for key, value, source in rows:
        shown = (
            UNSET.get(key, "(not set)")
            if value is None
            else str(value).lower()
            if isinstance(value, bool)
            else str(value)
        )
        print(f"  {key:<{width}}  {shown:<24} {source}")
    print(f"'voicecoach start' options override these for one session: {OPTIONS}")
    if not effective.path.is_file():
        print(f"to change one for every session, write it into that file, e.g.: {EXAMPLE}")
    return 0


# what a session does with a key that is set nowhere
UNSET = {
    "voice": f"{DEFAULT_VOICE} (US English)",
    "rate": f"{DEFAULT_RATE} (espeak-ng's)",
    "volume": "1.0",
    "output_device": "(the system's default)",
    "input_device": "(the system's default)",
    "model": "(found by itself)",
}
EXAMPLE = "rate = 150"


OPTIONS = (
    "--voice, --rate, --volume, --device, --input-device, --engine, --model, "
    "--ready-timeout, --quiet-screen"
)
