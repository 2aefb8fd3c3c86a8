"""The one log writer: `--log FILE`, typed records written as JSON Lines."""

from __future__ import annotations

import json
from pathlib import Path

from voicecoach.errors import LogError
from voicecoach.records import Record, as_json


class LogWriter:
    """One JSON object per line, flushed per line (Ctrl-C leaves it whole)."""

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

    def close(self) -> None:
        self._file.close()
