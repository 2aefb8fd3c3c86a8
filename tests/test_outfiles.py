"""Output files (`--log`, `--speak-file`): checked before the session, replaced whole, and a
write error in the middle reported once without ending the session."""

from __future__ import annotations

import errno
import json
import os
import socket

import pytest

from voicecoach.errors import OutputError
from voicecoach.outfiles import LineFile, PendingFile, check_target


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("/dev/full", "a device"),
        ("/dev/null", "a device"),
        ("fifo", "a FIFO"),
        ("sock", "a socket"),
        ("folder", "a folder"),
        ("link-to-device", "a device"),
        ("missing/run.jsonl", "does not exist"),
        ("", "needs a file name"),
    ],
)
def test_a_target_that_is_not_a_regular_file_or_a_new_name_is_refused(
    tmp_path, monkeypatch, name, why
):
    monkeypatch.chdir(tmp_path)
    os.mkfifo("fifo")
    server = socket.socket(socket.AF_UNIX)
    server.bind("sock")
    (tmp_path / "folder").mkdir()
    os.symlink("/dev/full", "link-to-device")
    try:
        with pytest.raises(OutputError, match=why) as caught:
            check_target(name, "--log")
    finally:
        server.close()
    assert "--log" in caught.value.message
    assert caught.value.hint


def test_a_new_name_or_an_existing_file_in_a_writable_folder_is_fine(tmp_path):
    (tmp_path / "old.jsonl").write_text("x\n")
    assert check_target(tmp_path / "new.jsonl", "--log") == tmp_path / "new.jsonl"
    assert check_target(tmp_path / "old.jsonl", "--log") == tmp_path / "old.jsonl"


def test_a_symlink_to_a_file_is_followed_so_the_link_survives(tmp_path):
    (tmp_path / "real.jsonl").write_text("old\n")
    (tmp_path / "link.jsonl").symlink_to("real.jsonl")
    pending = PendingFile(check_target(tmp_path / "link.jsonl", "--log"), "--log")
    pending.file.write(b"new\n")
    pending.commit()
    pending.discard()
    assert (tmp_path / "link.jsonl").is_symlink()
    assert (tmp_path / "real.jsonl").read_text() == "new\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_file_or_folder_is_refused(tmp_path):
    (tmp_path / "ro.jsonl").write_text("x\n")
    (tmp_path / "ro.jsonl").chmod(0o444)
    with pytest.raises(OutputError, match="read-only"):
        check_target(tmp_path / "ro.jsonl", "--log")
    (tmp_path / "locked").mkdir(mode=0o555)
    with pytest.raises(OutputError, match="not writable"):
        check_target(tmp_path / "locked" / "run.jsonl", "--log")


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")
def test_a_folder_where_no_file_can_be_made_is_refused_even_for_root(capsys):
    """/proc passes `os.access` for root: the session ran to its end and only then failed
    to write its WAV."""
    with pytest.raises(OutputError, match="the folder /proc is not writable"):
        check_target("/proc/coach.wav", "--speak-file")
    from voicecoach.cli import main

    assert main(["start", "behind-knee", "--fast", "--speak-file", "/proc/coach.wav"]) == 2
    captured = capsys.readouterr()
    assert "Summary" not in captured.out + captured.err  # refused before it started


def test_the_check_leaves_nothing_behind(tmp_path):
    check_target(tmp_path / "run.jsonl", "--log")
    assert list(tmp_path.iterdir()) == []


def test_a_pending_file_leaves_the_old_file_alone_until_committed(tmp_path):
    target = tmp_path / "keep.jsonl"
    target.write_text("old\n")
    target.chmod(0o640)
    pending = PendingFile(target, "--log")
    pending.file.write(b"new\n")
    assert target.read_text() == "old\n"
    pending.commit()
    pending.discard()
    assert target.read_text() == "new\n"
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.jsonl"]


def test_a_discarded_pending_file_leaves_nothing_behind(tmp_path):
    target = tmp_path / "keep.jsonl"
    target.write_text("old\n")
    pending = PendingFile(target, "--log")
    pending.file.write(b"new\n")
    pending.discard()
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.jsonl"]


def test_a_log_that_never_began_leaves_the_existing_log_untouched(tmp_path):
    target = tmp_path / "keep.jsonl"
    target.write_text('{"type": "session"}\n')
    log = LineFile(target, "--log", warn=print)
    log.write('{"t": 0.0, "type": "session"}')
    log.close()  # e.g. a bad --listen-file was found while setting up
    assert target.read_text() == '{"type": "session"}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["keep.jsonl"]


def test_a_log_that_began_is_in_place_and_readable_while_it_is_written(tmp_path):
    target = tmp_path / "run.jsonl"
    target.write_text("old\n")
    log = LineFile(target, "--log", warn=print)
    log.write('{"t": 0.0, "type": "session"}')
    log.begin()
    log.write('{"t": 1.0, "type": "say"}')
    assert target.read_text().splitlines() == [
        '{"t": 0.0, "type": "session"}',
        '{"t": 1.0, "type": "say"}',
    ]
    log.close()
    assert [p.name for p in tmp_path.iterdir()] == ["run.jsonl"]


class FullAfter:
    """os.write that fails like a full disk once `room` more bytes have been written,
    after writing what still fits (as a real file system does); after the failure, `then`
    bytes fit again (the cut line was taken back)."""

    def __init__(self, room: int, then: int) -> None:
        self.room = room
        self.then = then
        self.real = os.write

    def __call__(self, fd: int, data: bytes | memoryview) -> int:
        if self.room <= 0:
            self.room = self.then
            raise OSError(errno.ENOSPC, "No space left on device")
        n = self.real(fd, bytes(data[: self.room]))
        self.room -= n
        return n


def test_a_write_error_is_reported_once_and_the_log_ends_with_a_whole_line_saying_where(
    tmp_path, monkeypatch
):
    target = tmp_path / "run.jsonl"
    warnings: list[str] = []
    log = LineFile(target, "--log", warn=warnings.append)
    log.begin()
    log.write('{"t": 0.0, "type": "session"}', 0.0)
    monkeypatch.setattr(os, "write", FullAfter(room=20, then=200))
    log.write('{"t": 12.5, "type": "say", "text": "a long sentence"}', 12.5)
    log.write('{"t": 13.0, "type": "cue"}', 13.0)
    log.close()
    lines = target.read_text().splitlines()
    assert json.loads(lines[0]) == {"t": 0.0, "type": "session"}
    assert json.loads(lines[-1]) == {
        "t": 12.5,
        "type": "log_stopped",
        "error": "No space left on device",
    }
    assert len(lines) == 2
    assert warnings == [
        f"voicecoach: the log {target} stopped at 12.5 s: No space left on device; "
        "the session goes on without it"
    ]


def test_a_log_on_a_disk_with_no_room_at_all_still_ends_on_a_whole_line(tmp_path, monkeypatch):
    target = tmp_path / "run.jsonl"
    warnings: list[str] = []
    log = LineFile(target, "--log", warn=warnings.append)
    log.begin()
    log.write('{"t": 0.0, "type": "session"}', 0.0)
    monkeypatch.setattr(os, "write", FullAfter(room=7, then=0))
    log.write('{"t": 3.0, "type": "say"}', 3.0)
    log.write('{"t": 4.0, "type": "say"}', 4.0)
    log.close()
    assert target.read_text() == '{"t": 0.0, "type": "session"}\n'
    assert len(warnings) == 1


# ---------------------------------------------------------------------- the command line


def test_start_refuses_a_device_as_log_or_speak_file_before_anything_starts(tmp_path, capsys):
    from voicecoach.cli import main

    assert main(["start", "behind-knee", "--fast", "--log", "/dev/full"]) == 2
    assert main(["start", "behind-knee", "--fast", "--speak-file", "/dev/full"]) == 2
    assert main(["start", "behind-knee", "--fast", "--log", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("it is a device, not a regular file") == 2
    assert "it is a folder" in err
    assert "Traceback" not in err


def test_a_session_that_fails_to_start_leaves_the_existing_log_as_it_was(tmp_path, capsys):
    from voicecoach.cli import main

    folder = tmp_path / "out"
    folder.mkdir()
    keep = folder / "keep.jsonl"
    keep.write_text('{"t": 0.0, "type": "session"}\n')
    bad = folder / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt ")  # a truncated header
    code = main(["start", "behind-knee", "--fast", "--listen-file", str(bad), "--log", str(keep)])
    assert code != 0
    assert "Traceback" not in capsys.readouterr().err
    assert keep.read_text() == '{"t": 0.0, "type": "session"}\n'
    assert sorted(p.name for p in folder.iterdir()) == ["bad.wav", "keep.jsonl"]


def test_a_session_replaces_the_old_log_whole(tmp_path):
    from voicecoach.cli import main

    folder = tmp_path / "out"
    folder.mkdir()
    keep = folder / "run.jsonl"
    keep.write_text("old\n")
    assert main(["start", "behind-knee", "--fast", "--log", str(keep)]) == 0
    lines = keep.read_text().splitlines()
    assert json.loads(lines[0])["type"] == "session"
    assert json.loads(lines[-1])["type"] == "end"
    assert [p.name for p in folder.iterdir()] == ["run.jsonl"]
