"""The one bounded cache and the one single-flight helper; everything that caches or shares a fetch uses them.

- :class:`LRU`: a bounded map, least recently used out first, each entry with
  an optional expiry (clock injected). Results by hash, token metadata, the
  chain snapshot, the nodes' status, sightings kept in memory and per-client
  rate buckets are all one of these.
- :class:`SingleFlight`: concurrent callers asking for the same key share one
  computation. One caller *leads* (it holds a :class:`Lease` and must fulfil
  or fail it); the others await the same future. :meth:`SingleFlight.run`
  does the leading in a task of its own, so one caller giving up (a client
  that disconnects, a caller's deadline) never cancels it for the others; a
  leader that fetches inside its own work (the snapshot rides in round 1's
  batch) uses :meth:`SingleFlight.claim` and the lease directly.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Default(Enum):
    TTL = "the cache's own ttl"


class LRU(Generic[K, V]):
    """A bounded map: least recently used entries go first; an entry may expire (``ttl`` None: never)."""

    def __init__(self, size: int, *, ttl: float | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.size = size
        self.ttl = ttl  # the default lifetime of an entry
        self.clock = clock
        self._items: OrderedDict[K, tuple[V, float | None]] = OrderedDict()

    def get(self, key: K, *, touch: bool = True) -> V | None:
        """The live value for ``key`` (None when absent or expired); ``touch`` makes it the most recent."""
        item = self._items.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and self.clock() >= expires:
            del self._items[key]
            return None
        if touch:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V, ttl: float | _Default | None = _Default.TTL) -> None:
        """Store ``value`` as the most recent entry, for ``ttl`` seconds (default: the cache's own ``ttl``).

        A cache of size 0, or a lifetime of 0 or less, stores nothing.
        """
        lifetime = self.ttl if isinstance(ttl, _Default) else ttl
        if self.size <= 0 or (lifetime is not None and lifetime <= 0):
            return
        self._items[key] = (value, None if lifetime is None else self.clock() + lifetime)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[K]:
        return iter(list(self._items))


@dataclass(slots=True)
class Lease(Generic[K, V]):
    """The right, and the duty, to compute one key's value for everyone waiting on it."""

    flight: SingleFlight[K, V]
    key: K
    future: asyncio.Future[V]

    def fulfil(self, value: V) -> None:
        self.flight._land(self.key, self.future)
        if self.flight.keep is not None:
            self.flight.keep(self.key, value)
        if not self.future.done():
            self.future.set_result(value)

    def fail(self, exc: BaseException) -> None:
        self.flight._land(self.key, self.future)
        if not self.future.done():
            self.future.set_exception(exc)
            # a failure nobody else awaited must not be reported as "never retrieved"
            self.future.exception()

    def cancel(self) -> None:
        self.flight._land(self.key, self.future)
        self.future.cancel()


class SingleFlight(Generic[K, V]):
    """At most one computation per key at a time; everyone asking meanwhile shares its outcome.

    ``keep`` is told every value computed, before anyone waiting wakes (to store it in a cache).
    """

    def __init__(self, keep: Callable[[K, V], None] | None = None) -> None:
        self.keep = keep
        self._flights: dict[K, asyncio.Future[V]] = {}
        self._tasks: set[asyncio.Task[V]] = set()

    def __len__(self) -> int:
        return len(self._flights)

    def __contains__(self, key: object) -> bool:
        return key in self._flights

    def running(self) -> list[asyncio.Future[V]]:
        """The futures of every computation under way."""
        return list(self._flights.values())

    def claim(self, key: K) -> Lease[K, V] | asyncio.Future[V]:
        """A lease to compute ``key`` (the caller must fulfil or fail it), or the future of the one under way."""
        under_way = self._flights.get(key)
        if under_way is not None and not under_way.done():
            return under_way
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._flights[key] = future
        return Lease(self, key, future)

    def start(
        self, key: K, compute: Callable[[], Awaitable[V]], *, context: contextvars.Context | None = None
    ) -> tuple[asyncio.Future[V], bool]:
        """The future of ``key``'s computation, started as its own task unless one is under way (then True).

        ``context``: the task's context variables (a fresh one keeps a caller's deadline off it).
        """
        claim = self.claim(key)
        if not isinstance(claim, Lease):
            return claim, True
        task = asyncio.get_running_loop().create_task(_awaited(compute), context=context)
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._settle(claim, t))
        return claim.future, False

    async def run(self, key: K, compute: Callable[[], Awaitable[V]]) -> tuple[V, bool]:
        """The value, and whether it was shared with a computation already under way.

        The computation is shielded: a caller cancelled while waiting leaves it running for the others.
        """
        future, shared = self.start(key, compute)
        return await asyncio.shield(future), shared

    async def close(self) -> None:
        """Cancel the computations this helper started, and wait until they have stopped."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _settle(self, lease: Lease[K, V], task: asyncio.Task[V]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            lease.cancel()
        elif (exc := task.exception()) is not None:
            lease.fail(exc)
        else:
            lease.fulfil(task.result())

    def _land(self, key: K, future: asyncio.Future[V]) -> None:
        if self._flights.get(key) is future:
            del self._flights[key]


async def _awaited(compute: Callable[[], Awaitable[V]]) -> V:
    return await compute()
