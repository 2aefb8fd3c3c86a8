"""The one log writer: `--log FILE`, typed records written as JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from voicecoach.engine import State
from voicecoach.errors import LogError
from voicecoach.records import EndRecord, Record, SessionRecord, as_json


class LogWriter:
    """One JSON object per line, flushed per line (Ctrl-C leaves it whole). A
    SessionObserver: the header when the session starts, then every record in order."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._file = self.path.open("w", encoding="utf-8")
        except OSError as exc:
            raise LogError(f"cannot write the log {self.path}: {exc.strerror}") from None

    def __call__(self, record: Record) -> None:
        if self._file.closed:
            return
        self._file.write(json.dumps(as_json(record), ensure_ascii=False) + "\n")
        self._file.flush()

    def started(self, header: SessionRecord) -> None:
        self(header)

    def update(self, state: State, records: Sequence[Record], now: float) -> None:
        for record in records:
            self(record)

    def ended(self, end: EndRecord, state: State) -> None:
        pass  # the end record came with the last update

    def close(self) -> None:
        self._file.close()
