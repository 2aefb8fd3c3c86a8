"""One exception hierarchy. Every error a user can cause says what happened and what to do.

`voicecoach.cli.main` is the one place that turns these into exit codes and messages.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # an unexpected failure (a bug): the only case that shows a traceback
    USAGE = 2  # bad command line (argparse uses 2 as well)
    NOT_FOUND = 3  # something the user named that does not exist: a routine, a file, a folder
    INVALID = 4  # a routine file that is not valid
    AUDIO = 5  # no usable audio device
    MODEL = 6  # no usable speech model
    NETWORK = 7  # a download that failed
    INTERRUPTED = 130  # Ctrl-C


class VoicecoachError(Exception):
    """Base class: `message` says what happened, `hint` says what to do about it."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class UsageError(VoicecoachError):
    exit_code = ExitCode.USAGE


class NotFound(VoicecoachError):
    """Something the user named does not exist: a routine, a file (`--listen-file`), a
    folder (`eval DIR`). One exit code for all of them."""

    exit_code = ExitCode.NOT_FOUND


class RoutineNotFound(NotFound):
    pass


class RoutineInvalid(VoicecoachError):
    """A routine file that cannot be used. `problems` holds one line per problem."""

    exit_code = ExitCode.INVALID

    def __init__(self, message: str, problems: list[str], hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.problems = problems

    def __str__(self) -> str:
        lines = [*self.problems]
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


class AudioError(VoicecoachError):
    exit_code = ExitCode.AUDIO


class ModelError(VoicecoachError):
    exit_code = ExitCode.MODEL


class DownloadError(VoicecoachError):
    exit_code = ExitCode.NETWORK


class OutputError(UsageError):
    """A file the user asked for (`--log`, `--speak-file`) that cannot be written: checked
    before the session starts (`voicecoach.outfiles.check_target`)."""


class ConfigInvalid(VoicecoachError):
    """The config file cannot be used: the message names the file and the key."""

    exit_code = ExitCode.INVALID


class HistoryError(VoicecoachError):
    """The workout history cannot be read or written."""


class CheckFailed(VoicecoachError):
    """`voicecoach check` found a problem: the exit code says the first problem's kind."""

    def __init__(self, message: str, hint: str, exit_code: ExitCode) -> None:
        super().__init__(message, hint)
        self.exit_code = exit_code
