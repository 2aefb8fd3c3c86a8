"""The config file, `$XDG_CONFIG_HOME/voicecoach/config.toml`: the settings a user would
otherwise type on every `start` (voice, rate, volume, devices, engine, model, ready
timeout, screen). The command line overrides the file, the file overrides the defaults;
`resolve` says where each effective value came from. An invalid file is `ConfigInvalid`,
naming the file and the key, like a routine file.

Example:

    voice = "english-us"
    rate = 150
    volume = 0.8
    output_device = "USB"        # by index or name substring, like --device
    input_device = 2
    engine = "vosk"              # auto | vosk | whisper | pocketsphinx | keys
    model = "~/models/vosk-model-small-en-us-0.15"
    ready_timeout = 20           # seconds
    screen = false               # no live panel: the transcript only
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)

from voicecoach.errors import CONTROL, ConfigInvalid
from voicecoach.options import RATE_LIMITS, READY_TIMEOUT_MAX

FILENAME = "config.toml"
Source = Literal["default", "config file", "command line"]


def _device(value: Any) -> Any:
    """A device is an index or a name substring: keep both as text, like the options."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _text(value: Any) -> Any:
    """Text is printed by `voicecoach config` and in messages: no control characters (a
    terminal would obey them), and not empty (leave the key out for the default)."""
    if isinstance(value, str) and (bad := CONTROL.search(value)):
        raise ValueError(f"a control character (U+{ord(bad.group()):04X})")
    if isinstance(value, str) and not value.strip():
        raise ValueError("empty")
    return value


Text = Annotated[str | None, AfterValidator(_text)]
Device = Annotated[str | None, BeforeValidator(_device), AfterValidator(_text)]


class Settings(BaseModel):
    """Every key the config file may hold, with the defaults `start` uses."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    voice: Text = Field(default=None, description="pyttsx3 voice id or name")
    # the same ranges as start's options: a bad value is the file's error, named by its key;
    # strict: TOML has numbers and booleans, so `rate = true` or `screen = "no"` is a slip
    rate: int | None = Field(
        default=None,
        ge=RATE_LIMITS[0],
        le=RATE_LIMITS[1],
        strict=True,
        description="speaking rate, words per minute",
    )
    volume: float | None = Field(
        default=None, ge=0.0, le=1.0, strict=True, allow_inf_nan=False, description="0.0 to 1.0"
    )
    output_device: Device = Field(default=None, description="index or name substring")
    input_device: Device = Field(default=None, description="index or name substring")
    engine: Literal["auto", "vosk", "whisper", "pocketsphinx", "keys"] = "auto"
    model: Text = Field(default=None, description="Vosk model folder")
    ready_timeout: float = Field(
        default=15.0,
        ge=0.0,
        le=READY_TIMEOUT_MAX,
        strict=True,
        allow_inf_nan=False,
        description="seconds",
    )
    screen: bool = Field(default=True, strict=True, description="the live panel in a terminal")


# what each key holds, said with a bad value of it
EXPECTED: dict[str, str] = {
    "voice": "a voice's id or part of its name ('voicecoach voices' lists them)",
    "rate": f"words per minute, a whole number from {RATE_LIMITS[0]} to {RATE_LIMITS[1]}",
    "volume": "a number from 0.0 to 1.0",
    "output_device": "a device's index or part of its name ('voicecoach devices' lists them)",
    "input_device": "a device's index or part of its name ('voicecoach devices' lists them)",
    "engine": "one of auto, vosk, whisper, pocketsphinx, keys (in quotes)",
    "model": "the folder of an unpacked Vosk model",
    "ready_timeout": f"seconds, a number from 0 to {READY_TIMEOUT_MAX:g}",
    "screen": "true or false (no quotes)",
}


MAX_BYTES = 100_000  # a config file of every key is under 1 kB
KEYS: tuple[str, ...] = tuple(Settings.model_fields)


def config_path() -> Path:
    from voicecoach import xdg

    return xdg.config_dir() / FILENAME


def load(path: Path | None = None) -> tuple[dict[str, Any], Path]:
    """The keys the file sets (validated), and its path; no file sets nothing."""
    path = path or config_path()
    from voicecoach.infiles import Unreadable, read_small

    try:
        text = read_small(path, MAX_BYTES).decode("utf-8-sig")
    except FileNotFoundError:
        return {}, path
    except Unreadable as exc:  # a FIFO is refused, never waited on
        raise ConfigInvalid(
            f"{path}: cannot read the config file: {exc.why}",
            "make it a UTF-8 text file (see 'voicecoach config --help')",
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigInvalid(
            f"{path}: cannot read the config file: {exc}", "is it a UTF-8 text file?"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigInvalid(
            f"{path}: invalid TOML: {exc}", "fix the syntax at the line shown"
        ) from None
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        unknown = any(e["type"] == "extra_forbidden" for e in exc.errors())
        raise ConfigInvalid(_problems(path, exc), _HINT if unknown else _VALUE_HINT) from None
    return {key: getattr(settings, key) for key in data}, path


_HINT = f"the keys are: {', '.join(KEYS)} (see 'voicecoach config --help')"
_VALUE_HINT = "fix the value in the file, or remove the key to use the default"


def _problems(path: Path, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors(include_url=False):
        key = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
        if err["type"] == "extra_forbidden":
            lines.append(f"{path}: {key or '(top level)'}: unknown key")
            continue
        msg = err["msg"].removeprefix("Value error, ")
        got = _shown(err.get("input"))
        top = key.split(".")[0]
        expected = f"; {top} is {EXPECTED[top]}" if top in EXPECTED else ""
        lines.append(f"{path}: {key or '(top level)'}: {msg} (got {got}){expected}")
    return "\n".join(lines)


def _shown(value: Any) -> str:
    """A value as the TOML file wrote it, short and printable."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = ascii(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True, slots=True)
class Effective:
    """The settings a session uses, and where each came from."""

    settings: Settings
    sources: Mapping[str, Source]
    path: Path

    def rows(self) -> list[tuple[str, Any, Source]]:
        return [(k, getattr(self.settings, k), self.sources[k]) for k in KEYS]


def resolve(command_line: Mapping[str, Any], path: Path | None = None) -> Effective:
    """Defaults, overridden by the config file, overridden by the command line (`None`
    in `command_line` means the option was not given)."""
    from_file, path = load(path)
    values: dict[str, Any] = {}
    sources: dict[str, Source] = {}
    for key in KEYS:
        if command_line.get(key) is not None:
            values[key], sources[key] = command_line[key], "command line"
        elif key in from_file:
            values[key], sources[key] = from_file[key], "config file"
        else:
            sources[key] = "default"
    # the file's values are validated; the command line's are checked where they are used
    return Effective(Settings.model_construct(**values), sources, path)
