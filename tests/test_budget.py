"""The answer budget: reserve, give back, wait in turn, give up in time, never wait holding, refuse what never fits.

The first half holds the budget itself to its rules, with no clock but the
one passed in; the second, both transports against a loopback node whose
answers are as big as a test needs (bodies a real node will not send on demand).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import threading
import tracemalloc
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web

from tests.support.builders import chain_spec
from tests.support.transports import both_transports, pytest_generate_tests  # noqa: F401
from txdiag.chains import ChainSpec
from txdiag.errors import ChainUnavailable, Reason
from txdiag.families.evm.dialect import EVM
from txdiag.rpc import RetryPolicy, RpcClient, codec, deadline_scope
from txdiag.rpc.budget import (
    TRIM_AFTER,
    UPFRONT,
    AnswerBudget,
    Hold,
    OverBudget,
    Tally,
    current_holdings,
    holding_scope,
)

KIB = 1024
MIB = 1024 * 1024


def quiet(total: int, **kw: Any) -> AnswerBudget:
    """A budget whose trims and collections do nothing (the tests that count them pass their own)."""
    return AnswerBudget(total, trim=lambda: None, collect=lambda: None, **kw)


async def test_reserve_and_release_give_the_bytes_back() -> None:
    """A reservation that fits is granted at once; releasing it (twice is harmless) gives it back."""
    budget = quiet(100)
    hold = await budget.reserve(60, within=1.0)
    assert (budget.in_use, hold.nbytes) == (60, 60)
    hold.release()
    hold.release()
    assert budget.in_use == 0
    assert hold.released


async def test_an_answer_bigger_than_the_whole_budget_is_refused_at_once() -> None:
    """It could never fit, so it never waits, however long it might, and however empty the budget is."""
    budget = quiet(100)
    with pytest.raises(OverBudget) as refused:
        await budget.reserve(101, within=3600.0)
    assert refused.value.too_big
    with pytest.raises(OverBudget):
        budget.reserve_blocking(101, within=3600.0)
    assert (budget.in_use, budget.waiting) == (0, 0)


async def test_waiters_are_granted_in_turn_as_bytes_come_back() -> None:
    """First come, first served: a small waiter behind a big one does not overtake it."""
    budget = quiet(100)
    first = await budget.reserve(90, within=1.0)
    big = asyncio.create_task(budget.reserve(80, within=60.0))
    await _until(lambda: budget.waiting == 1)
    small = asyncio.create_task(budget.reserve(5, within=60.0))
    await _until(lambda: budget.waiting == 2)
    assert not small.done()  # 5 would fit beside 90, but the big one came first
    first.release()
    got_big = await big
    got_small = await small
    assert (got_big.nbytes, got_small.nbytes, budget.in_use) == (80, 5, 85)
    got_big.release()
    got_small.release()
    assert budget.in_use == 0


async def test_a_waiter_gives_up_at_its_time_and_leaves_the_queue() -> None:
    """No bytes in time: OverBudget (not too big), the queue empty, nothing taken."""
    budget = quiet(100)
    held = await budget.reserve(100, within=1.0)
    with pytest.raises(OverBudget) as refused:
        await budget.reserve(10, within=0.0)
    assert not refused.value.too_big
    assert (budget.waiting, budget.in_use, budget.refused) == (0, 100, 1)
    held.release()


async def test_work_that_holds_an_answer_never_waits() -> None:
    """While its own answer is alive, work takes free bytes at once (ahead of waiters) or is refused at once."""
    budget = quiet(100)
    outsider = await budget.reserve(50, within=1.0)
    with holding_scope() as holdings:
        mine = await budget.reserve(30, within=1.0, holdings=current_holdings())
        assert holdings.count == 1
        waiting = asyncio.create_task(budget.reserve(60, within=60.0))
        await _until(lambda: budget.waiting == 1)
        more = await budget.reserve(20, within=1.0, holdings=holdings)  # free now: taken ahead of the waiter
        with pytest.raises(OverBudget) as refused:
            await budget.reserve(1, within=3600.0, holdings=holdings)  # none free: refused, not queued
        assert not refused.value.too_big
        assert budget.waiting == 1
        mine.release()
        more.release()
        assert holdings.count == 0
    outsider.release()
    (await waiting).release()
    assert budget.in_use == 0


async def test_a_dropped_hold_gives_its_bytes_back_and_wakes_a_waiter() -> None:
    """The last reference to a hold going is a release: the answer it covered is gone."""
    budget = quiet(100)
    hold: Hold | None = await budget.reserve(100, within=1.0)
    waiter = asyncio.create_task(budget.reserve(40, within=60.0))
    await _until(lambda: budget.waiting == 1)
    del hold
    assert (await waiter).nbytes == 40
    assert budget.in_use == 40


async def test_a_cancelled_waiter_takes_nothing_with_it() -> None:
    """Cancelled while waiting, or just after it was granted: the bytes stay with the budget."""
    budget = quiet(100)
    held = await budget.reserve(100, within=1.0)
    waiter = asyncio.create_task(budget.reserve(50, within=60.0))
    await _until(lambda: budget.waiting == 1)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert (budget.waiting, budget.in_use) == (0, 100)
    granted = asyncio.create_task(budget.reserve(50, within=60.0))
    await _until(lambda: budget.waiting == 1)
    held.release()  # grants it (the wake-up is scheduled) ...
    granted.cancel()  # ... and it is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await granted
    assert (budget.waiting, budget.in_use) == (0, 0)


async def test_a_worker_thread_waits_for_bytes_without_holding_up_the_loop() -> None:
    """reserve_blocking (the plain transport's threads) waits in the same queue; the loop releases, the thread goes."""
    budget = quiet(100)
    held = await budget.reserve(100, within=1.0)
    in_thread = asyncio.create_task(asyncio.to_thread(budget.reserve_blocking, 30, within=60.0))
    await _until(lambda: budget.waiting == 1)
    held.release()
    got = await in_thread
    assert (got.nbytes, budget.in_use) == (30, 30)
    got.release()
    with pytest.raises(OverBudget):
        await asyncio.to_thread(_fill_then_wait, budget)


def _fill_then_wait(budget: AnswerBudget) -> None:
    full = budget.reserve_blocking(100, within=1.0)
    try:
        budget.reserve_blocking(1, within=0.0)
    finally:
        full.release()


async def test_a_hold_shrinks_at_will_and_grows_only_into_free_bytes() -> None:
    """resize: less is given back (waking a waiter), more only if free now, never by waiting."""
    budget = quiet(100)
    hold = await budget.reserve(80, within=1.0)
    waiter = asyncio.create_task(budget.reserve(50, within=60.0))
    await _until(lambda: budget.waiting == 1)
    assert hold.resize(40)
    other = await waiter
    assert budget.in_use == 90
    assert hold.resize(50)
    assert not hold.resize(51)
    assert hold.nbytes == 50
    other.release()
    hold.release()
    assert not hold.resize(10)  # released: nothing to resize
    assert budget.in_use == 0


async def test_free_memory_is_given_back_after_big_answers_and_a_stuck_budget_is_swept() -> None:
    """After TRIM_AFTER bytes come back with little in use, a trim (and, when idle, a collection) runs; a waiter
    facing bytes that nobody has given back for a second asks for a collection, which frees them."""
    loop = asyncio.get_running_loop()
    trimmed = asyncio.Event()
    collected: list[float] = []
    now = [1000.0]
    lost: list[Hold] = []

    def collect() -> None:
        collected.append(now[0])
        lost.clear()  # what a collection finds: the hold only a cycle kept

    budget = AnswerBudget(4 * TRIM_AFTER, trim=trimmed.set, collect=collect, clock=lambda: now[0])
    big = await budget.reserve(TRIM_AFTER, within=1.0)
    big.release()
    await asyncio.wait_for(trimmed.wait(), 10)
    assert collected == [1000.0]  # idle: the full collection came with the trim
    lost.append(await budget.reserve(4 * TRIM_AFTER, within=1.0))
    now[0] += 5  # nothing given back since
    waiting = loop.create_task(budget.reserve(1, within=60.0))
    assert (await waiting).nbytes == 1
    assert collected[1:] == [1005.0]


@pytest.mark.parametrize(
    "text",
    [
        json.dumps([{"address": "0x" + "22" * 20, "topics": ["0x" + "dd" * 32] * 3, "data": "0x01"}] * 2000),
        json.dumps([{"hash": "0x" + "33" * 32, "nonce": "0x7", "input": "0x" + "ab" * 100}] * 1000),
        json.dumps("0x" + "ab" * 300_000),
        json.dumps(list(range(100_000))),
        json.dumps([{}] * 100_000),
        json.dumps([[]] * 100_000),
        json.dumps([{"a": 1.5}] * 50_000),
        json.dumps(["a"] * 100_000),
    ],
    ids=["logs", "transactions", "hex", "ints", "empty-objects", "empty-arrays", "small-objects", "short-strings"],
)
async def test_the_charge_covers_what_decoding_really_takes(text: str) -> None:
    """For shapes from receipts to ``[{}, ...]``, decoded on the loop or in pieces, the estimate is not short."""
    raw = text.encode()
    tally = Tally()
    for at in range(0, len(raw), 64 * KIB):
        tally.add(raw[at : at + 64 * KIB])
    gc.collect()
    tracemalloc.start()
    try:
        value = await codec.decode_off_loop(raw)
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert value is not None
    assert tally.decoded >= held
    assert tally.charge >= len(raw) + peak  # the body, and all decoding took on top of it


# -- through the transports ----------------------------------------------------------------


def spec(url: str) -> ChainSpec:
    return chain_spec(url, confirmations=3, block_time=1.0)


POLICY = RetryPolicy(attempts=1, attempt_timeout=30.0, initial_backoff=0.01, max_backoff=0.02)


SMALL = {"eth_chainId": "0x7a69", "eth_blockNumber": "0x10"}


def settled(budget: AnswerBudget) -> int:
    """What the budget holds once the client's cancelled background probes (and their frames) are gone."""
    gc.collect()
    return budget.in_use


@contextlib.asynccontextmanager
async def node(size: int, *, chunked: bool = False) -> AsyncIterator[str]:
    """A loopback JSON-RPC node: chain id 31337, head 16, anything else a hex string of ``size`` bytes."""

    async def answer(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        calls = body if isinstance(body, list) else [body]
        big = "0x" + "ab" * (size // 2)
        replies = [{"jsonrpc": "2.0", "id": c["id"], "result": SMALL.get(c["method"], big)} for c in calls]
        text = json.dumps(replies if isinstance(body, list) else replies[0]).encode()
        if not chunked:
            return web.Response(body=text, content_type="application/json")
        resp = web.StreamResponse(headers={"Content-Type": "application/json"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        for at in range(0, len(text), 64 * KIB):
            await resp.write(text[at : at + 64 * KIB])
        await resp.write_eof()
        return resp

    app = web.Application()
    app.router.add_post("/", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("chunked", [False, True], ids=["declared", "chunked"])
async def test_an_answer_that_can_never_fit_is_the_endpoints_fault(chunked: bool) -> None:
    """Over what the whole budget can hold (declared, or found while reading a chunked body): oversize, at once."""
    budget = quiet(1 * MIB)
    async with (
        node(600 * KIB, chunked=chunked) as url,
        RpcClient(spec(url), dialect=EVM, policy=POLICY, budget=budget) as client,
    ):
        with pytest.raises(ChainUnavailable) as failed, deadline_scope(10):
            await client.call("eth_getCode", "0x" + "11" * 20, "latest")
        assert failed.value.reason is Reason.OVERSIZE
        health = client.health[client.endpoint_names[0]]
        assert [s.ok for s in health.window].count(False) == 1  # the endpoint's failure, once (probes may succeed)
    assert settled(budget) == 0


async def test_answers_wait_in_turn_and_every_one_arrives() -> None:
    """Eight diagnoses at once, room for one answer at a time: each waits its turn and gets its answer."""
    size = 200 * KIB
    budget = quiet(UPFRONT * (size + 8 * KIB) + 64 * KIB)
    async with node(size) as url, RpcClient(spec(url), dialect=EVM, policy=POLICY, budget=budget) as client:
        await client.call("eth_chainId")  # the chain check, out of the way

        async def diagnose() -> int:
            with deadline_scope(20):
                value = await client.call("eth_getCode", "0x" + "11" * 20, "latest")
                return len(value)

        sizes = await asyncio.gather(*(diagnose() for _ in range(8)))
    assert sizes == [size + 2] * 8
    assert budget.peak <= budget.total
    assert settled(budget) == 0
    assert budget.refused == 0


async def test_work_holding_an_answer_is_refused_rather_than_queued() -> None:
    """A diagnosis that holds one answer and needs another the budget has no room for never joins the queue
    (where it could wait on waiters that wait on it): its attempt is refused at once, answer_budget, not the
    endpoint's fault (one attempt and no deadline here, so what is seen is that attempt's outcome)."""
    size = 200 * KIB
    budget = quiet(UPFRONT * (size + 8 * KIB) + 64 * KIB)
    async with node(size) as url, RpcClient(spec(url), dialect=EVM, policy=POLICY, budget=budget) as client:
        await client.call("eth_chainId")
        with holding_scope():
            kept = await client.batch([codec.Call("eth_getCode", ("0x" + "11" * 20, "latest"))])
            other = budget.try_reserve(budget.total - budget.in_use)  # someone else takes the rest
            assert other is not None
            with pytest.raises(ChainUnavailable) as failed:
                await client.call("eth_getCode", "0x" + "22" * 20, "latest")
            assert failed.value.reason is Reason.ANSWER_BUDGET
            assert budget.waiting == 0
            assert budget.refused >= 1
            assert client.health[client.endpoint_names[0]].consecutive_failures == 0  # not the endpoint's fault
            assert kept[0].ok
            other.release()
        del kept
    assert settled(budget) == 0


async def _until(condition: Callable[[], bool]) -> None:
    """Yield to the loop until ``condition`` holds (it depends only on tasks already started)."""
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


def test_a_hold_given_back_from_another_thread_wakes_a_loop_waiter() -> None:
    """Releases may come from worker threads (the plain transport): the loop's waiter is woken all the same."""

    async def scenario() -> int:
        budget = quiet(100)
        held = budget.reserve_blocking(100, within=1.0)
        waiter = asyncio.create_task(budget.reserve(10, within=60.0))
        await _until(lambda: budget.waiting == 1)
        releaser = threading.Thread(target=held.release)
        releaser.start()
        got = await waiter
        releaser.join()
        return got.nbytes

    assert asyncio.run(scenario()) == 10
