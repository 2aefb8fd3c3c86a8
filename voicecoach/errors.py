"""One exception hierarchy. Every error a user can cause says what happened and what to do.

`voicecoach.cli.main` is the one place that turns these into exit codes and messages.
"""

from __future__ import annotations

import errno
import re
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
    FILES = 8  # a file or folder the system will not let voicecoach use: the history, a full
    # disk, a read-only folder, a path too long (`SystemRefused`)
    INTERRUPTED = 130  # Ctrl-C


# C0 and C1 control characters but tab and newline: ESC starts the terminal's own commands
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with each control character written as its escape (`\x1b`): a message
    that repeats what the user typed or a file holds must not clear or retitle the
    terminal it is printed on."""
    return CONTROL.sub(lambda m: ascii(m.group())[1:-1], text)


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

    exit_code = ExitCode.FILES


class SystemRefused(VoicecoachError):
    """The operating system refused a file or folder (`OSError`: a full disk, a read-only
    folder, a path too long, a name that is not a folder): `cli.main` makes one from the
    error, wherever it came from, and says what to check."""

    exit_code = ExitCode.FILES

    @classmethod
    def of(cls, exc: OSError) -> SystemRefused:
        name = "" if exc.filename is None else str(exc.filename)
        if len(name) > 120:
            name = f"{name[:60]}...{name[-40:]} ({len(name)} characters)"
        what = exc.strerror or str(exc)
        return cls(f"{what}: {name}" if name else what, _REFUSED_HINTS.get(exc.errno or 0))


_REFUSED_HINTS = {
    errno.ENOSPC: "free some space on that disk, or send the output elsewhere",
    errno.EDQUOT: "free some space (your disk quota is used up) and try again",
    errno.EFBIG: "free some space, or choose another disk",
    errno.EROFS: "choose a writable place (HOME, XDG_CONFIG_HOME and XDG_DATA_HOME say where"
    " voicecoach keeps its files)",
    errno.EACCES: "check the permissions of that file and its folders",
    errno.EPERM: "check the permissions of that file and its folders",
    errno.ENAMETOOLONG: "give a shorter path (or check HOME, XDG_CONFIG_HOME, XDG_DATA_HOME)",
    errno.ENOTDIR: "check the path: a part of it is a file, not a folder (or check HOME,"
    " XDG_CONFIG_HOME, XDG_DATA_HOME)",
    errno.ELOOP: "check the path: its symbolic links loop",
    errno.EIO: "the disk or device failed to read or write: check it",
}
REFUSED = frozenset(_REFUSED_HINTS)  # the errnos that are the system's refusal, not a bug


class CheckFailed(VoicecoachError):
    """`voicecoach check` found a problem: the exit code says the first problem's kind."""

    def __init__(self, message: str, hint: str, exit_code: ExitCode) -> None:
        super().__init__(message, hint)
        self.exit_code = exit_code
