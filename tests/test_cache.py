"""The one LRU and the one single-flight helper."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.clock import Clock
from txdiag.cache import LRU, Lease, SingleFlight


def test_lru_forgets_the_least_recently_used_first() -> None:
    """Past its size the entry used longest ago goes; a read makes an entry recent unless told not to."""
    lru: LRU[str, int] = LRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # a is now the most recent
    lru.put("c", 3)
    assert list(lru) == ["a", "c"]
    assert lru.get("a", touch=False) == 1
    lru.put("d", 4)
    assert list(lru) == ["c", "d"]


def test_lru_entries_expire_by_the_injected_clock() -> None:
    """An entry lives for its own ttl, else the cache's; None means it never expires."""
    clock = Clock(0.0)
    lru: LRU[str, int] = LRU(10, ttl=5.0, clock=clock)
    lru.put("default", 1)
    lru.put("short", 2, ttl=1.0)
    lru.put("forever", 3, ttl=None)
    clock.now = 1.0
    assert (lru.get("default"), lru.get("short"), lru.get("forever")) == (1, None, 3)
    clock.now = 5.0
    assert (lru.get("default"), lru.get("forever")) == (None, 3)
    assert len(lru) == 1


@pytest.mark.parametrize(("size", "ttl"), [(0, None), (3, 0.0), (3, -1.0)])
def test_lru_of_no_size_or_no_lifetime_stores_nothing(size: int, ttl: float | None) -> None:
    """A cache of size 0, or an entry that would be dead on arrival, is not stored."""
    lru: LRU[str, int] = LRU(size)
    lru.put("a", 1, ttl=ttl)
    assert lru.get("a") is None


async def test_concurrent_callers_share_one_computation() -> None:
    """Callers arriving while a computation runs get its value; only the first computed it."""
    release = asyncio.Event()
    calls = 0

    async def compute() -> int:
        nonlocal calls
        calls += 1
        await release.wait()
        return 42

    flight: SingleFlight[str, int] = SingleFlight()
    callers = [asyncio.create_task(flight.run("k", compute)) for _ in range(5)]
    await asyncio.sleep(0)
    assert "k" in flight
    release.set()
    results = await asyncio.gather(*callers)
    assert calls == 1
    assert sorted(shared for _, shared in results) == [False, True, True, True, True]
    assert {value for value, _ in results} == {42}
    assert len(flight) == 0


async def test_a_cancelled_caller_does_not_cancel_the_computation() -> None:
    """The first caller gives up; the others still get the value it started."""
    release = asyncio.Event()

    async def compute() -> int:
        await release.wait()
        return 7

    flight: SingleFlight[str, int] = SingleFlight()
    first = asyncio.create_task(flight.run("k", compute))
    await asyncio.sleep(0)
    second = asyncio.create_task(flight.run("k", compute))
    await asyncio.sleep(0)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    release.set()
    assert await second == (7, True)


async def test_a_failure_reaches_every_waiter_and_the_next_call_tries_again() -> None:
    """A computation that raises fails everyone waiting on it, and is not remembered."""
    attempts = 0

    async def compute() -> int:
        nonlocal attempts
        attempts += 1
        await asyncio.sleep(0)
        if attempts == 1:
            raise RuntimeError("node down")
        return 1

    flight: SingleFlight[str, int] = SingleFlight()
    results = await asyncio.gather(*(flight.run("k", compute) for _ in range(3)), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert await flight.run("k", compute) == (1, False)


async def test_a_lease_is_fulfilled_by_its_holder_and_kept() -> None:
    """The leader computes inside its own work; waiters get the value, and ``keep`` stores it first."""
    kept: LRU[str, int] = LRU(1)
    flight: SingleFlight[str, int] = SingleFlight(keep=kept.put)
    lease = flight.claim("k")
    assert isinstance(lease, Lease)
    waiter = flight.claim("k")
    assert isinstance(waiter, asyncio.Future)
    lease.fulfil(5)
    assert await waiter == 5
    assert kept.get("k") == 5
    again = flight.claim("k")
    assert isinstance(again, Lease)  # landed: the next claim leads again
    again.fail(RuntimeError("gone"))
    assert isinstance(flight.claim("k"), Lease)


async def test_close_cancels_what_it_started() -> None:
    """Closing the helper stops its running computations; their waiters are cancelled too."""
    started = asyncio.Event()

    async def forever() -> int:
        started.set()
        await asyncio.Event().wait()
        return 0

    flight: SingleFlight[str, int] = SingleFlight()
    waiter = asyncio.create_task(flight.run("k", forever))
    await started.wait()
    await flight.close()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert len(flight) == 0
