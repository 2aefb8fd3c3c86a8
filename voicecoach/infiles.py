"""Small files the program reads for the user (a routine, the config file): only a regular
file of bounded size is read. A FIFO, a device such as /dev/zero, a folder or a huge file is
refused at once, never waited on."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def user_path(text: str) -> Path:
    """A path the user gave, `~` and `~user` expanded as a shell would: a `~user` with no
    such user (or no home folder to be found) stays as it is written, a name in the
    current folder (made absolute, so that nothing expands it again), and is then a file
    that does not exist, not a crash."""
    try:
        return Path(text).expanduser()
    except RuntimeError:  # pathlib: "Could not determine home directory."
        return Path(os.path.abspath(text))


def user_path_text(text: str) -> str:
    """`user_path` as text: an argparse `type` for the options that name a model folder
    (an empty one stays empty: `options.given_path` says it is)."""
    return str(user_path(text)) if text.strip() else text


class Unreadable(Exception):
    """`why` says, in a few words, why the file cannot be read ("a folder, not a file")."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class Folder(Unreadable):
    """The path is a folder."""

    def __init__(self) -> None:
        super().__init__("a folder, not a file")


def open_regular(path: Path) -> int:
    """A blocking descriptor of the regular file `path`, opened without waiting on a FIFO;
    FileNotFoundError when there is none, Folder for a folder, Unreadable for anything else
    (a device, a FIFO, a socket, a refusal)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        raise Folder() from None
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise Folder()
        raise Unreadable("not a regular file (a device, FIFO or socket)")
    os.set_blocking(fd, True)
    return fd


def read_small(path: Path, limit: int) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them; FileNotFoundError
    when there is none; Unreadable for anything else that stops it being read."""
    fd = open_regular(path)
    try:
        data = b""
        while len(data) <= limit and (more := os.read(fd, limit + 1 - len(data))):
            data += more
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise Unreadable(f"larger than {limit // 1000} kB")
    return data
