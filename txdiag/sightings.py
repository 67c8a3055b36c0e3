"""What txdiag has seen of pending transactions, so it can say how long one waited.

A node forgets a dropped transaction; txdiag remembers it here. The store is
an interface: an in-memory one for tests, and SQLite in the data directory
(the default for the CLI and the service), which survives restarts.

A store's methods are plain blocking calls. Code on the event loop goes
through ``remember()`` and ``recall()``, which run them on a worker thread and
turn a store that cannot be used (locked by another process, damaged, a value
it cannot hold) into a logged warning and "no sighting": a diagnosis never
fails because of this store.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from txdiag.cache import LRU

log = logging.getLogger(__name__)


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
    to: str | None = None
    value: int | None = None


class SightingStore(Protocol):
    """Blocking, thread-safe calls; they may raise sqlite3.Error or OverflowError (see remember/recall)."""

    def record(self, sighting: Sighting) -> Sighting:
        """Store a pending sighting; keeps the earliest first_seen. Returns what is stored now."""
        ...

    def get(self, tx_hash: str) -> Sighting | None: ...

    def close(self) -> None: ...


class MemorySightings:
    """A bounded in-process store (oldest entries forgotten first)."""

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self._items: LRU[str, Sighting] = LRU(size)  # recency is recording: a read does not keep one longer
        self._lock = threading.Lock()  # callers use worker threads (remember/recall)

    def record(self, sighting: Sighting) -> Sighting:
        with self._lock:
            old = self._items.get(sighting.hash, touch=False)
            if old is not None and old.first_seen < sighting.first_seen:
                sighting = dataclasses.replace(sighting, first_seen=old.first_seen)
            self._items.put(sighting.hash, sighting)
            return sighting

    def get(self, tx_hash: str) -> Sighting | None:
        with self._lock:
            return self._items.get(tx_hash, touch=False)

    def close(self) -> None:
        with self._lock:
            self._items.clear()


class OpenedOnUse:
    """A store opened on its first call: a command whose answer records and recalls nothing (a mined
    transaction's) never opens it, nor creates its directory. The first call runs it where it runs
    (``remember``/``recall``: a worker thread)."""

    def __init__(self, open_store: Callable[[], SightingStore]) -> None:
        self._open = open_store
        self._store: SightingStore | None = None
        self._lock = threading.Lock()

    def _opened(self) -> SightingStore:
        with self._lock:
            if self._store is None:
                self._store = self._open()
            return self._store

    def record(self, sighting: Sighting) -> Sighting:
        return self._opened().record(sighting)

    def get(self, tx_hash: str) -> Sighting | None:
        return self._opened().get(tx_hash)

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()


SIGHTINGS_FILE = "sightings.sqlite3"
BUSY_TIMEOUT = 0.25  # seconds a call waits for another writer before giving up on the sighting

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sightings (
    hash TEXT PRIMARY KEY,
    chain TEXT NOT NULL,
    sender TEXT NOT NULL,
    nonce INTEGER NOT NULL,
    fee_cap TEXT NOT NULL,
    tip_cap TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    recipient TEXT,
    value TEXT
)
"""
# wei amounts can exceed SQLite's 64-bit integers, so they are stored as decimal text
_UPSERT = """
INSERT INTO sightings (hash, chain, sender, nonce, fee_cap, tip_cap, first_seen, last_seen, recipient, value)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(hash) DO UPDATE SET
    chain = excluded.chain, sender = excluded.sender, nonce = excluded.nonce,
    fee_cap = excluded.fee_cap, tip_cap = excluded.tip_cap,
    first_seen = min(sightings.first_seen, excluded.first_seen),
    last_seen = max(sightings.last_seen, excluded.last_seen),
    recipient = excluded.recipient, value = excluded.value
RETURNING hash, chain, sender, nonce, fee_cap, tip_cap, first_seen, last_seen, recipient, value
"""
_SELECT = (
    "SELECT hash, chain, sender, nonce, fee_cap, tip_cap, first_seen, last_seen, recipient, value"
    " FROM sightings WHERE hash = ?"
)


class SqliteSightings:
    """Sightings in one SQLite file (WAL mode), shared by every request and every process.

    One connection per store, guarded by a lock. Each call is one short
    statement on a local file, but another process may hold the write lock
    for as long as it likes, so calls wait at most ``busy_timeout`` for it
    (and as long again for this store's own lock), then raise
    sqlite3.OperationalError; callers on the event loop use remember/recall.
    WAL lets readers and a writer proceed together. Times are stored as
    ISO 8601 text in UTC, which sorts as time does.
    """

    def __init__(self, path: Path, *, busy_timeout: float = BUSY_TIMEOUT) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.busy_timeout = busy_timeout
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            path, timeout=busy_timeout, check_same_thread=False, isolation_level=None
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(_SCHEMA)

    @classmethod
    def in_dir(cls, data_dir: Path) -> SqliteSightings:
        """The store in a data directory (created when missing)."""
        return cls(data_dir / SIGHTINGS_FILE)

    def record(self, sighting: Sighting) -> Sighting:
        s = sighting
        row = (
            s.hash,
            s.chain,
            s.sender,
            s.nonce,
            str(s.fee_cap),
            str(s.tip_cap),
            _iso(s.first_seen),
            _iso(s.last_seen),
            s.to,
            None if s.value is None else str(s.value),
        )
        with self._locked() as conn:
            stored = conn.execute(_UPSERT, row).fetchone()
        return _sighting(stored)

    def get(self, tx_hash: str) -> Sighting | None:
        with self._locked() as conn:
            row = conn.execute(_SELECT, (tx_hash,)).fetchone()
        return None if row is None else _sighting(row)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[sqlite3.Connection]:
        # threads queued behind a call that waits for another process give up too, instead of piling up
        if not self._lock.acquire(timeout=self.busy_timeout):
            raise sqlite3.OperationalError("the sightings store is busy")
        try:
            if self._conn is None:
                raise RuntimeError("the sightings store is closed")
            yield self._conn
        finally:
            self._lock.release()


async def remember(store: SightingStore, sighting: Sighting) -> Sighting | None:
    """``store.record`` off the event loop; None (and a warning) when the store cannot be used now."""
    try:
        return await asyncio.to_thread(store.record, sighting)
    except (sqlite3.Error, OverflowError) as exc:
        log.warning("sighting of a pending transaction not recorded: store unavailable (%s)", _why(exc))
        return None


async def recall(store: SightingStore, tx_hash: str) -> Sighting | None:
    """``store.get`` off the event loop; None (and a warning) when the store cannot be used now."""
    try:
        return await asyncio.to_thread(store.get, tx_hash)
    except (sqlite3.Error, OverflowError) as exc:
        log.warning("sightings not consulted: store unavailable (%s)", _why(exc))
        return None


def _why(exc: BaseException) -> str:
    # sqlite's messages name no path or value; anything else is shown by type only
    if isinstance(exc, sqlite3.Error):
        return f"{type(exc).__name__}: {exc}"
    return type(exc).__name__


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("sighting times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _sighting(row: tuple[object, ...]) -> Sighting:
    h, chain, sender, nonce, fee_cap, tip_cap, first, last, to, value = row
    return Sighting(
        hash=str(h),
        chain=str(chain),
        sender=str(sender),
        nonce=int(str(nonce)),
        fee_cap=int(str(fee_cap)),
        tip_cap=int(str(tip_cap)),
        first_seen=datetime.fromisoformat(str(first)),
        last_seen=datetime.fromisoformat(str(last)),
        to=None if to is None else str(to),
        value=None if value is None else int(str(value)),
    )
