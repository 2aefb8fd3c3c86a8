"""The one log writer: `--log FILE`, typed records written as JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from voicecoach.engine import State
from voicecoach.outfiles import LineFile
from voicecoach.records import EndRecord, Record, SessionRecord, as_json


class LogWriter:
    """One JSON object per line, flushed per line (Ctrl-C leaves it whole). A
    SessionObserver: the header when the session starts, then every record in order.

    An existing log is replaced only when the session really starts (`started`, or an
    `end` written while setting up, e.g. on Ctrl-C); a session that fails to start (a bad
    --listen-file, no model) leaves it as it was. A write error (disk full) is reported
    once on `warn` and the session goes on; the log then ends with a `log_stopped` line
    saying when and why (`voicecoach.outfiles.LineFile`)."""

    def __init__(self, path: str | Path, warn: Callable[[str], None] = print) -> None:
        self._file = LineFile(path, "--log", warn)
        self.path = self._file.target

    def __call__(self, record: Record) -> None:
        if isinstance(record, EndRecord):
            self._file.begin()  # an end while setting up: the session did happen
        self._file.write(json.dumps(as_json(record), ensure_ascii=False), record.t)

    def started(self, header: SessionRecord) -> None:
        self(header)
        self._file.begin()

    def update(self, state: State, records: Sequence[Record], now: float) -> None:
        for record in records:
            self(record)

    def ended(self, end: EndRecord, state: State) -> None:
        pass  # the end record came with the last update

    def close(self) -> None:
        self._file.close()
