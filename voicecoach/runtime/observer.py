"""What a session tells the outputs that watch it (the log, the printer, the screen, the
history): the `SessionObserver` protocol.

The runtime calls, on the main-loop thread:
- `started(header)` once, before the first engine dispatch;
- `update(state, records, now)` after every engine dispatch, with the engine state after
  it and the typed records that dispatch produced (possibly none), in order;
- `ended(end_record, state)` once, when the session is over: completed, stopped, input
  ran out, or interrupted (Ctrl-C). The end record is also the last record of the last
  `update`.
An observer must not block (the voice is already queued, but input waits) and must not
raise; it may not change the session.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from voicecoach.engine import State
from voicecoach.records import EndRecord, Record, SessionRecord


class SessionObserver(Protocol):
    def started(self, header: SessionRecord) -> None: ...

    def update(self, state: State, records: Sequence[Record], now: float) -> None: ...

    def ended(self, end: EndRecord, state: State) -> None: ...


class RecordList:
    """An observer that keeps every record (tests, dry runs, benchmarks)."""

    def __init__(self) -> None:
        self.header: SessionRecord | None = None
        self.records: list[Record] = []
        self.end: EndRecord | None = None
        self.updates = 0

    def started(self, header: SessionRecord) -> None:
        self.header = header

    def update(self, state: State, records: Sequence[Record], now: float) -> None:
        self.updates += 1
        self.records.extend(records)

    def ended(self, end: EndRecord, state: State) -> None:
        self.end = end
