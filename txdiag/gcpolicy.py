"""When the cyclic garbage collector may make a full collection: not while a big node answer is being read.

A full (oldest-generation) collection walks every container object alive and
holds the event loop while it does. A 13 MB answer (a receipt with 20,000
logs, or a sender's history of as many) is ~40,000 dicts and lists from the
moment it is decoded until it has been read into evidence, and a full
collection that falls in that time holds the loop 20-50 ms. CPython starts one
every ten middle-generation collections (after about 70,000 allocations), so
one falls inside nearly every such diagnosis.

While a big answer may still be alive, full collections wait: from the start of
its decode until ``quiet_for`` seconds after the last one started, at most
``at_most`` seconds in a row. The young generations are collected as usual
(their collections are bounded by their thresholds: ~2 ms), so garbage cycles
made and dropped meanwhile are still freed; only cycles that reached the oldest
generation wait, as they wait for minutes on any large heap. The collection
owed runs when the wait ends, when the answers are gone and it is short.

The collector's settings are the process's own, so there is one policy per
process: ``FULL_COLLECTIONS``. The clock is passed in for tests.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

QUIET_FOR = 5.0  # seconds after the last big answer started decoding (a diagnosis ends within ~1 s of it)
AT_MOST = 20.0  # seconds full collections may wait in a row, however many big answers keep coming
_NEVER = 2**31 - 1  # an oldest-generation threshold the count of middle-generation collections never reaches
_DEFAULT_THRESHOLD2 = 10  # CPython's


class FullCollections:
    """Holds full collections back while big answers are read (``hold``); a collector callback lets them go."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, quiet_for: float = QUIET_FOR, at_most: float = AT_MOST
    ) -> None:
        self._clock = clock
        self._quiet_for = quiet_for
        self._at_most = at_most
        self._saved: tuple[int, int, int] | None = None  # the thresholds to restore; None: not holding
        self._since = 0.0
        self._until = 0.0
        self._owed_since: float | None = None  # released at the cap, and the full collection owed has not run
        self._watching = False

    @property
    def holding(self) -> bool:
        return self._saved is not None

    def hold(self) -> None:
        """A big answer is about to be decoded: no full collection until ``quiet_for`` seconds from now."""
        if not gc.isenabled():
            return  # the process manages collections itself
        now = self._clock()
        self.check()
        if self._saved is None:
            if self._owed_since is not None and now - self._owed_since < self._quiet_for:
                return  # released at the cap: the collection owed runs first
            if not self._watching:
                gc.callbacks.append(self._on_collection)
                self._watching = True
            threshold0, threshold1, threshold2 = gc.get_threshold()
            # the wait is set before the thresholds it guards: the collector's callback may run check() on
            # another thread at any point here, and must find either nothing held or a wait not yet over
            self._since = now
            self._until = min(now + self._quiet_for, now + self._at_most)
            # never save our own value (a collection in another thread may have raced this one)
            self._saved = (threshold0, threshold1, _DEFAULT_THRESHOLD2 if threshold2 == _NEVER else threshold2)
            gc.set_threshold(threshold0, threshold1, _NEVER)
            return
        self._until = min(now + self._quiet_for, self._since + self._at_most)

    def check(self) -> None:
        """Let full collections run again once the wait is over (the collector's callback calls this)."""
        now = self._clock()
        saved = self._saved  # read once: another thread's check may let go of it meanwhile
        if saved is not None and now >= self._until:
            gc.set_threshold(*saved)
            self._saved = None
            if self._until >= self._since + self._at_most:
                self._owed_since = now  # held to the cap: big answers keep coming, so the one owed runs first

    def release(self) -> None:
        """Let full collections run again now; stop watching the collector (tests, shutdown)."""
        self._until = self._since = float("-inf")
        self.check()
        self._owed_since = None
        if self._watching:
            gc.callbacks.remove(self._on_collection)
            self._watching = False

    def _on_collection(self, phase: str, info: dict[str, Any]) -> None:
        if phase != "stop":
            return
        if info.get("generation") == 2:
            self._owed_since = None
        self.check()


FULL_COLLECTIONS = FullCollections()
