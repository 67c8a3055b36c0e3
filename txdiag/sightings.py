"""What txdiag has seen of pending transactions, so it can say how long one waited.

A node forgets a dropped transaction; txdiag remembers it here. The store is
an interface: an in-memory one for tests and the CLI, a durable one for the
service.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Sighting:
    hash: str
    chain: str
    sender: str
    nonce: int
    fee_cap: int
    tip_cap: int
    first_seen: datetime
    last_seen: datetime


class SightingStore(Protocol):
    def record(self, sighting: Sighting) -> Sighting:
        """Store a pending sighting; keeps the earliest first_seen. Returns what is stored now."""
        ...

    def get(self, tx_hash: str) -> Sighting | None: ...

    def close(self) -> None: ...


class MemorySightings:
    """A bounded in-process store (oldest entries forgotten first)."""

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self._items: OrderedDict[str, Sighting] = OrderedDict()

    def record(self, sighting: Sighting) -> Sighting:
        old = self._items.get(sighting.hash)
        if old is not None and old.first_seen < sighting.first_seen:
            sighting = dataclasses.replace(sighting, first_seen=old.first_seen)
        self._items[sighting.hash] = sighting
        self._items.move_to_end(sighting.hash)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return sighting

    def get(self, tx_hash: str) -> Sighting | None:
        return self._items.get(tx_hash)

    def close(self) -> None:
        self._items.clear()
