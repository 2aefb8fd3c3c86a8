"""Files the program writes for the user (`--log`, `--speak-file`, exports): checked before
anything starts, written next to the target under a temporary name, and put in place with
one atomic rename, so an existing file is never emptied by a run that did not happen.

- `check_target(path, option)`: the path is a regular file or a new name in a writable
  folder; never a device (`/dev/full`), a FIFO, a socket or a folder. A symlink is
  followed, so the file it points at is the one replaced (the link stays).
- `PendingFile`: a temporary file in the target's folder; `commit()` renames it over the
  target, `discard()` removes it.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import tempfile
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import IO

from voicecoach.errors import OutputError


def check_target(path: str | os.PathLike[str], option: str) -> Path:
    """The real path `option` (e.g. "--log") may write to, or an OutputError that says why
    not and what to do."""
    given = Path(path)
    if not str(path).strip():
        raise OutputError(f"{option} needs a file name", f"e.g. {option} run.out")
    real = Path(os.path.realpath(given))
    try:
        info = os.stat(real)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(
            f"cannot write {option} {given}: {exc.strerror}", "choose another file"
        ) from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise OutputError(
                f"cannot write {option} {given}: it is a folder",
                f"give a file name inside it, e.g. {given / 'out'}",
            )
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(
                f"cannot write {option} {given}: it is {_kind(info.st_mode)}, not a regular file",
                "give the name of a regular file (it is created or replaced)",
            )
        if not os.access(real, os.W_OK):
            raise OutputError(
                f"cannot write {option} {given}: the file is read-only",
                "choose another file, or make it writable",
            )
    folder = real.parent
    if not folder.is_dir():
        raise OutputError(
            f"cannot write {option} {given}: the folder {folder} does not exist",
            "create it first, or choose another folder",
        )
    if not os.access(folder, os.W_OK | os.X_OK) or not _can_create_in(folder):
        raise OutputError(
            f"cannot write {option} {given}: the folder {folder} is not writable",
            "choose a folder you can write to",
        )
    return real


def _can_create_in(folder: Path) -> bool:
    """Whether a file can really be made in `folder`: `os.access` says yes to root for
    /proc or /sys (and an NFS server may refuse what it allows), and the session would
    only find out at its end, when the WAV is written."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".voicecoach-probe-"):
            return True
    except OSError:
        return False


def _kind(mode: int) -> str:
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


class PendingFile:
    """A new file in `target`'s folder, to become `target` with `commit()` (one atomic
    rename: readers see the old file or the whole new one, never an empty one)."""

    def __init__(self, target: Path, option: str) -> None:
        self.target = target
        self.option = option
        try:
            fd, name = tempfile.mkstemp(
                dir=target.parent, prefix=f".{target.name}.", suffix=".part"
            )
        except OSError as exc:
            raise OutputError(
                f"cannot write {option} {target}: {exc.strerror}", "choose another folder"
            ) from None
        self.path = Path(name)
        self.file: IO[bytes] = os.fdopen(fd, "wb", buffering=0)
        self.committed = False
        # never left behind, even by a run that ends before it could discard it
        self._cleanup = weakref.finalize(self, _remove, self.path)

    def commit(self) -> None:
        """Put the file in place of the target (it stays open for more writes)."""
        if self.committed:
            return
        if self.target.exists():  # a new file is made 0600 by mkstemp: keep the old mode
            with contextlib.suppress(OSError):
                os.chmod(self.path, stat.S_IMODE(os.stat(self.target).st_mode))
        else:
            with contextlib.suppress(OSError):
                os.chmod(self.path, 0o666 & ~_umask())
        os.replace(self.path, self.target)
        self.committed = True
        self._cleanup.detach()

    def discard(self) -> None:
        """Close and remove the temporary file (the target is left as it was)."""
        with contextlib.suppress(OSError):
            self.file.close()
        if not self.committed:
            self._cleanup()


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class LineFile:
    """A text file written line by line (`--log`), each line flushed whole.

    Written to a PendingFile: `begin()` puts it in place of the target (when the session
    really starts), `close()` removes it when it never began. A write error (disk full,
    quota, file size limit) is reported once on `warn`, the file is cut back to its last
    whole line, one last line says where and why it stopped (when that still fits), and
    later lines are dropped: the session goes on without its log."""

    def __init__(
        self, path: str | os.PathLike[str], option: str, warn: Callable[[str], None]
    ) -> None:
        self.option = option
        self._warn = warn
        self._pending = PendingFile(check_target(path, option), option)
        self.target = self._pending.target
        self._fd = self._pending.file.fileno()
        self._good = 0  # bytes of whole lines written
        self.failed: str | None = None
        self.closed = False

    def begin(self) -> None:
        """The session really starts: replace the target now (it is then followed live)."""
        if self.closed or self._pending.committed:
            return
        try:
            self._pending.commit()
        except OSError as exc:
            self._fail(exc, None)

    def write(self, line: str, t: float | None = None) -> None:
        """Append `line` (no newline) written at session time `t`."""
        if self.closed or self.failed is not None:
            return
        try:
            self._write_all((line + "\n").encode("utf-8"))
        except OSError as exc:
            self._fail(exc, t)

    def close(self) -> None:
        """Close; a file whose session never began is removed (the target is untouched)."""
        if self.closed:
            return
        self.closed = True
        if self._pending.committed:
            with contextlib.suppress(OSError):
                self._pending.file.close()
        else:
            self._pending.discard()

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            n = os.write(self._fd, view)
            if n <= 0:  # pragma: no cover - regular files write or raise
                raise OSError(28, "no space left")
            view = view[n:]
        self._good += len(data)

    def _fail(self, exc: OSError, t: float | None) -> None:
        reason = exc.strerror or str(exc)
        self.failed = reason
        where = "" if t is None else f" at {t:.1f} s"
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, self._good)
            os.lseek(self._fd, self._good, os.SEEK_SET)
            stopped = json.dumps({"t": t, "type": "log_stopped", "error": reason})
            self._write_all((stopped + "\n").encode("utf-8"))
        self._warn(
            f"voicecoach: the log {self.target} stopped{where}: {reason}; "
            "the session goes on without it"
        )


def stdout_to_devnull() -> None:
    """The user's stdout cannot be written any more (a pipe closed under it, a full disk):
    point it at os.devnull, so what is still printed, and the interpreter's last flush, go
    nowhere instead of failing."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
