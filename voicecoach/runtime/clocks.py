"""Session clocks: seconds since the session began, real or virtual."""

from __future__ import annotations

import time


class RealClock:
    """Seconds since the session began, from the monotonic clock."""

    def __init__(self) -> None:
        self._t0 = time.monotonic()

    def now(self) -> float:
        return time.monotonic() - self._t0


class VirtualClock:
    """A session clock that only moves when told to (`--fast`, tests)."""

    def __init__(self, t: float = 0.0) -> None:
        self._t = t

    def now(self) -> float:
        return self._t

    def advance_to(self, t: float) -> None:
        self._t = max(self._t, t)
