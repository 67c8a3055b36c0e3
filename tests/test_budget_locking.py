"""The answer budget's lock against the cyclic collector, and its looks for a stuck budget.

A Hold's finalizer gives bytes back, and the collector may run it on any allocation, also one made while
the same thread holds the budget's lock; the looks for a stuck budget must neither spin on the event loop
nor recurse on a worker thread while the collector's policy puts a collection off.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import threading
from collections.abc import Callable, Iterator

import pytest

from txdiag.rpc.budget import COLLECT_EVERY, AnswerBudget, Hold, OverBudget, holding_scope


@pytest.fixture
def no_automatic_collections() -> Iterator[None]:
    """Only the collections a test makes: a cycle is found exactly where the test asks for it."""
    was = gc.isenabled()
    gc.disable()
    yield
    if was:
        gc.enable()


class CollectingClock:
    """A clock the budget reads under its lock; when armed, reading it runs a full collection first (as the
    collector does on any allocation made there)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.armed = False
        self.collections = 0

    def __call__(self) -> float:
        if self.armed:
            self.armed = False
            self.collections += 1
            gc.collect()
        return self.now


def _lost_in_a_cycle(hold: Hold | None) -> None:
    """Keep ``hold`` only through a reference cycle, found by the next full collection."""
    assert hold is not None
    cycle: list[object] = [hold]
    cycle.append(cycle)


def _bounded(work: Callable[[], None]) -> None:
    """Run ``work`` on a thread and fail (rather than hang the suite) if it never returns."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # handed to the test
            failed.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(30.0)
    assert not thread.is_alive(), "the budget's lock was waited for by the thread that holds it"
    if failed:
        raise failed[0]


@pytest.mark.usefixtures("no_automatic_collections")
def test_a_hold_finalized_while_its_thread_holds_the_lock_gives_its_bytes_back() -> None:
    """The collector frees a hold inside the lock (here: while a release reads the clock): no deadlock, and
    the bytes and the work's count of holds come back when the lock is let go."""
    clock = CollectingClock()
    budget = AnswerBudget(100, trim=lambda: None, collect=lambda: None, clock=clock)

    def scenario() -> None:
        with holding_scope() as holdings:
            _lost_in_a_cycle(budget.try_reserve(40, holdings))
            other = budget.try_reserve(10, holdings)
            assert other is not None
            assert holdings.count == 2
            clock.armed = True
            other.release()
            assert clock.collections == 1
            assert (budget.in_use, holdings.count) == (0, 0)

    _bounded(scenario)


async def test_a_loop_waiter_is_granted_bytes_a_finalizer_gave_back_inside_the_lock(
    no_automatic_collections: None,
) -> None:
    """Bytes a finalizer could not take in itself (the lock was held) still reach the waiter in turn."""
    clock = CollectingClock()
    budget = AnswerBudget(100, trim=lambda: None, collect=lambda: None, clock=clock)
    _lost_in_a_cycle(budget.try_reserve(90))
    small = budget.try_reserve(10)
    assert small is not None
    waiter = asyncio.create_task(budget.reserve(60, within=60.0))
    for _ in range(1000):  # the waiter queues within its first turns
        if budget.waiting:
            break
        await asyncio.sleep(0)
    assert budget.waiting == 1
    clock.armed = True
    small.release()  # the collection inside frees the 90 bytes too
    got = await asyncio.wait_for(waiter, 30.0)
    assert (got.nbytes, budget.in_use) == (60, 60)
    got.release()


class TickingClock:
    """Time passes as it is read: each reading is ``step`` seconds after the one before."""

    def __init__(self, step: float) -> None:
        self._ticks = itertools.count()
        self.step = step

    def __call__(self) -> float:
        return 1000.0 + next(self._ticks) * self.step


def _policy_says_wait(asked: list[int]) -> Callable[[], bool]:
    def may_collect() -> bool:
        asked.append(1)
        return False

    return may_collect


async def test_a_look_put_off_by_the_collectors_policy_is_not_repeated_every_loop_turn() -> None:
    """A big answer is held, nobody waits and the policy puts full collections off: the next look is
    COLLECT_EVERY seconds later, not on the next loop turn (it was every turn: ~30,000 in half a second).
    500 turns take far less than a second here; even at a second, at most one more look falls in them."""
    asked: list[int] = []
    now = [1000.0]
    budget = AnswerBudget(
        100, trim=lambda: None, collect=lambda: None, may_collect=_policy_says_wait(asked), clock=lambda: now[0]
    )
    held = budget.try_reserve(100)
    now[0] += 5 * COLLECT_EVERY  # nothing given back since: stuck, were anyone waiting
    budget._sweep()  # what a waiter giving up asks for
    for _ in range(500):
        await asyncio.sleep(0)
    assert 1 <= len(asked) <= 3, f"{len(asked)} looks in 500 loop turns"
    assert budget.waiting == 0
    assert held is not None
    held.release()


def test_a_thread_waiter_that_times_out_while_the_policy_waits_gets_over_budget_not_recursion() -> None:
    """On a worker thread (the CLI's plain transport) a waiter gives up while a big answer is held and the
    policy puts collections off: OverBudget, one look per call, no RecursionError."""
    asked: list[int] = []
    budget = AnswerBudget(
        100,
        trim=lambda: None,
        collect=lambda: None,
        may_collect=_policy_says_wait(asked),
        clock=TickingClock(0.5 * COLLECT_EVERY),
    )
    held = budget.try_reserve(100)
    outcome: list[BaseException] = []

    def wait() -> None:
        try:
            budget.reserve_blocking(10, within=0.0)
        except BaseException as exc:  # handed to the test
            outcome.append(exc)

    worker = threading.Thread(target=wait)  # no event loop runs on it
    worker.start()
    worker.join()
    assert len(outcome) == 1
    assert isinstance(outcome[0], OverBudget), repr(outcome[0])
    assert len(asked) <= 1
    assert budget.waiting == 0
    assert held is not None
    held.release()
