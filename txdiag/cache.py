"""Result reuse: a bounded cache of evidence by hash, and coalescing of identical requests.

What is cached is the language-independent evidence; classification and
rendering run per request (they are cheap and depend on the language, the
expected recipient and the clock). Evidence about a transaction that is final
never changes, so it is kept until the LRU bound pushes it out; anything else
(pending, not yet final, not found) is kept only briefly.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ResultCache(Generic[K, V]):
    """An LRU with a per-entry expiry (None: never expires)."""

    def __init__(self, size: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.size = size
        self.clock = clock
        self._items: OrderedDict[K, tuple[V, float | None]] = OrderedDict()

    def get(self, key: K) -> V | None:
        item = self._items.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and self.clock() >= expires:
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V, ttl: float | None = None) -> None:
        if self.size <= 0 or (ttl is not None and ttl <= 0):
            return
        self._items[key] = (value, None if ttl is None else self.clock() + ttl)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class Coalescer(Generic[K, V]):
    """Identical concurrent requests share one computation.

    The computation runs as its own task, so one caller giving up (a client
    that disconnects, a caller's deadline) does not cancel it for the others.
    """

    def __init__(self) -> None:
        self._inflight: dict[K, asyncio.Task[V]] = {}

    def __len__(self) -> int:
        return len(self._inflight)

    async def run(self, key: K, compute: Callable[[], Awaitable[V]]) -> tuple[V, bool]:
        """The value, and whether it was shared with a computation already under way."""
        task = self._inflight.get(key)
        shared = task is not None
        if task is None:
            task = asyncio.ensure_future(compute())
            self._inflight[key] = task
            task.add_done_callback(functools.partial(self._forget, key))
        return await asyncio.shield(task), shared

    def _forget(self, key: K, task: asyncio.Task[V]) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]
        if not task.cancelled():
            task.exception()  # retrieved here so a failure nobody awaited is not reported as lost
