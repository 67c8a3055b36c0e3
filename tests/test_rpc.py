"""The RPC client against a real node behind the fault proxy: retries, Retry-After, circuits, lag, hedging."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from tests.support.anvil import Anvil, free_port
from tests.support.proxy import Fault, FaultProxy
from txdiag.chains import ChainSpec, Endpoint, redact
from txdiag.errors import ChainUnavailable
from txdiag.metrics import Metrics
from txdiag.rpc import Call, Circuit, EndpointHealth, RetryPolicy, RpcClient, deadline_scope

FAST = RetryPolicy(attempts=4, initial_backoff=0.01, max_backoff=0.05, attempt_timeout=2.0)


@pytest.fixture
def proxies(node_a: Anvil) -> Iterator[list[FaultProxy]]:
    """Two fault proxies in front of the shared node "alpha"; stopped after the test."""
    started = [FaultProxy(node_a.url).start(), FaultProxy(node_a.url).start()]
    yield started
    for p in started:
        p.stop()


def spec(*urls: str, hedge: bool = False, lag_tolerance: int = 2) -> ChainSpec:
    return ChainSpec(
        name="alpha",
        chain_id=31337,
        native_symbol="ETH",
        native_decimals=18,
        confirmations=3,
        block_time=1.0,
        endpoints=tuple(Endpoint(u, redact(u)) for u in urls),
        lag_tolerance=lag_tolerance,
        hedge=hedge,
    )


def name(p: FaultProxy) -> str:
    return redact(p.url)


@pytest.mark.asyncio
async def test_invalid_params_is_not_retried(proxies: list[FaultProxy]) -> None:
    """A -32602 answer is returned as data after exactly one HTTP request."""
    p = proxies[0]
    async with RpcClient(spec(p.url), policy=FAST) as client:
        (reply,) = await client.batch([Call("eth_getTransactionByHash", ("0x1234",))])
    assert reply.error is not None
    assert reply.error.code == -32602
    assert p.requests == 1


@pytest.mark.asyncio
async def test_revert_is_not_retried(proxies: list[FaultProxy], node_a: Anvil) -> None:
    """An eth_call that reverts (code 3 from anvil) is one request and one item error, never retried."""
    p = proxies[0]
    call = Call("eth_call", ({"data": "0x60006000fd"}, "latest"))  # init code: PUSH1 0 PUSH1 0 REVERT
    async with RpcClient(spec(p.url), policy=FAST) as client:
        (reply,) = await client.batch([call])
    assert reply.error is not None
    assert reply.error.code == 3
    assert p.requests == 1


@pytest.mark.asyncio
async def test_transient_faults_are_retried_until_an_answer(proxies: list[FaultProxy]) -> None:
    """HTTP 500, a reset connection and malformed JSON are each retried; the fourth attempt answers."""
    p = proxies[0]
    p.then(Fault(status=500), Fault(reset=True), Fault(malformed=True))
    async with RpcClient(spec(p.url), policy=FAST) as client:
        value = await client.call("eth_chainId")
    assert int(value, 16) == 31337
    assert p.requests == 4


@pytest.mark.asyncio
async def test_rate_limited_item_is_retried_then_returned_as_data(proxies: list[FaultProxy]) -> None:
    """A -32005 item is asked again; if it stays throttled the node's error is returned, not raised."""
    p = proxies[0]
    limited = Fault(item_errors={"eth_chainId": (-32005, "rate limit exceeded")})
    p.then(limited)
    async with RpcClient(spec(p.url), policy=FAST) as client:
        assert int(await client.call("eth_chainId"), 16) == 31337
        assert p.requests == 2
        p.set(limited)
        (reply,) = await client.batch([Call("eth_chainId")])
    assert reply.error is not None
    assert reply.error.rate_limited
    assert p.requests == 2 + FAST.attempts


@pytest.mark.asyncio
async def test_retry_after_is_honoured(proxies: list[FaultProxy]) -> None:
    """HTTP 429 with Retry-After: 1 on the only endpoint: the next request comes 1 s later, not sooner."""
    p = proxies[0]
    p.then(Fault(status=429, retry_after="1"))
    started = time.monotonic()
    async with RpcClient(spec(p.url), policy=FAST) as client:
        assert int(await client.call("eth_chainId"), 16) == 31337
    elapsed = time.monotonic() - started
    assert p.requests == 2
    assert p.arrivals[1] - p.arrivals[0] >= 0.95
    assert elapsed < 2.0


@pytest.mark.asyncio
async def test_long_retry_after_on_the_only_endpoint_gives_up_at_once(proxies: list[FaultProxy]) -> None:
    """With one endpoint asking for 30 s, the client says so now instead of waiting or hammering it."""
    p = proxies[0]
    p.set(Fault(status=429, retry_after="30"))
    started = time.monotonic()
    async with RpcClient(spec(p.url), policy=FAST) as client:
        with pytest.raises(ChainUnavailable, match="rate limited"):
            await client.call("eth_chainId")
    assert time.monotonic() - started < 1.0
    assert p.requests == 1


@pytest.mark.asyncio
async def test_long_retry_after_fails_over_without_waiting(proxies: list[FaultProxy]) -> None:
    """With two endpoints, a 30 s Retry-After from the first costs no wait: the second answers."""
    a, b = proxies
    a.set(Fault(status=429, retry_after="30"))
    started = time.monotonic()
    async with RpcClient(spec(a.url, b.url), policy=FAST) as client:
        (reply,) = await client.batch([Call("eth_chainId")])
        assert reply.endpoint == name(b)
        # the throttled endpoint goes last while its Retry-After runs
        assert client.ordered_endpoints()[0].name == name(b)
    assert time.monotonic() - started < 1.0


@pytest.mark.asyncio
async def test_deadline_bounds_every_attempt_together(proxies: list[FaultProxy]) -> None:
    """Two hanging endpoints and a 0.8 s deadline: ChainUnavailable naming both, within the deadline."""
    a, b = proxies
    a.set(Fault(hang=True))
    b.set(Fault(hang=True))
    started = time.monotonic()
    async with RpcClient(spec(a.url, b.url), policy=FAST) as client:
        with deadline_scope(0.8), pytest.raises(ChainUnavailable) as info:
            await client.call("eth_chainId")
    assert time.monotonic() - started < 0.9
    assert name(a) in str(info.value)
    assert name(b) in str(info.value)


@pytest.mark.asyncio
async def test_failover_when_first_endpoint_refuses_connections(proxies: list[FaultProxy]) -> None:
    """A closed port first: the answer comes from the second endpoint in the same call."""
    dead = f"http://127.0.0.1:{free_port()}"
    b = proxies[1]
    async with RpcClient(spec(dead, b.url), policy=FAST) as client:
        (reply,) = await client.batch([Call("eth_chainId")])
    assert reply.endpoint == name(b)
    assert int(reply.value, 16) == 31337


def test_circuit_opens_half_opens_and_closes() -> None:
    """Three failures open the circuit; after the cool-down it is half-open; one failure reopens, a success closes."""
    h = EndpointHealth(Endpoint("http://127.0.0.1:1", "x"), failure_threshold=3, cooldown=0.05)
    h.record(ok=False, seconds=0.01)
    h.record(ok=False, seconds=0.01)
    assert h.state is Circuit.CLOSED
    h.record(ok=False, seconds=0.01)
    assert h.state is Circuit.OPEN
    assert not h.up
    time.sleep(0.06)
    assert h.state is Circuit.HALF_OPEN
    h.record(ok=False, seconds=0.01)
    assert h.state is Circuit.OPEN
    time.sleep(0.06)
    h.record(ok=True, seconds=0.01)
    assert h.state is Circuit.CLOSED
    assert h.up
    assert h.error_rate == pytest.approx(4 / 5)


def test_hedge_delay_follows_the_endpoints_own_latency() -> None:
    """Before five samples the initial delay applies; then 1.5 x p90 of recent latencies, never under the floor."""
    policy = RetryPolicy(hedge_initial=0.25, hedge_floor=0.05, hedge_factor=1.5)
    h = EndpointHealth(Endpoint("http://127.0.0.1:1", "x"))
    assert h.hedge_after(policy) == 0.25
    for s in (0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2):
        h.record(ok=True, seconds=s)
    assert h.hedge_after(policy) == pytest.approx(0.15)
    fast = EndpointHealth(Endpoint("http://127.0.0.1:1", "y"))
    for _ in range(6):
        fast.record(ok=True, seconds=0.001)
    assert fast.hedge_after(policy) == 0.05


@pytest.mark.asyncio
async def test_heads_are_tracked_per_endpoint_and_laggards_avoided(proxies: list[FaultProxy], node_a: Anvil) -> None:
    """A node 5 blocks behind shows a lag of 5 in metrics and is not asked for data pinned past its head."""
    a, b = proxies
    node_a.mine(6)
    a.set(Fault(lag=5))
    registry = CollectorRegistry()
    async with RpcClient(spec(a.url, b.url), policy=FAST, observer=Metrics(registry)) as client:
        await client.batch([Call("eth_blockNumber")], only=name(a))
        await client.batch([Call("eth_getBlockByNumber", ("latest", False))], only=name(b))
        head = node_a.head()
        assert client.best_head() == head
        assert client.is_lagging(name(a))
        assert not client.is_lagging(name(b))
        assert (
            registry.get_sample_value("txdiag_endpoint_head_lag_blocks", {"chain": "alpha", "endpoint": name(a)}) == 5
        )
        assert [h.name for h in client.ordered_endpoints()] == [name(b), name(a)]
        before = a.requests
        for _ in range(5):
            await client.batch([Call("eth_getBlockByNumber", (hex(head), False))], min_head=client.fresh_floor())
        assert a.requests == before


@pytest.mark.asyncio
async def test_hedged_read_takes_the_faster_answer(proxies: list[FaultProxy]) -> None:
    """On a hedging chain, a read stuck on a usually fast endpoint goes to the second one and wins there."""
    a, b = proxies
    async with RpcClient(spec(a.url, b.url, hedge=True), policy=FAST) as client:
        b.set(Fault(latency=0.02))
        for _ in range(8):  # a is fast: it is asked first, and its p90 is a few ms
            (reply,) = await client.batch([Call("eth_chainId")], only=name(a))
        await client.batch([Call("eth_chainId")], only=name(b))
        assert client.ordered_endpoints()[0].name == name(a)
        a.set(Fault(latency=3.0))
        b.set()
        started = time.monotonic()
        (reply,) = await client.batch([Call("eth_chainId")])
        elapsed = time.monotonic() - started
        assert reply.endpoint == name(b)
        assert int(reply.value, 16) == 31337
        assert client.hedges == 1
        assert elapsed < 1.0
        # the slow endpoint's loss counts against it: the next read goes to b first
        assert client.ordered_endpoints()[0].name == name(b)


@pytest.mark.asyncio
async def test_background_probe_closes_a_recovered_circuit(proxies: list[FaultProxy]) -> None:
    """An open circuit gets no traffic while cooling; after it a background probe closes it again."""
    a, b = proxies
    policy = RetryPolicy(attempts=4, initial_backoff=0.01, cooldown=0.3, failure_threshold=2, recheck_after=0.05)
    registry = CollectorRegistry()
    up: dict[str, Any] = {"chain": "alpha", "endpoint": name(a)}
    async with RpcClient(spec(a.url, b.url), policy=policy, observer=Metrics(registry)) as client:
        await client.batch([Call("eth_chainId")], only=name(a))
        assert registry.get_sample_value("txdiag_endpoint_up", up) == 1
        a.set(Fault(status=503))
        for _ in range(2):
            with pytest.raises(ChainUnavailable):
                await client.batch([Call("eth_chainId")], only=name(a))
        assert client.health[name(a)].state is Circuit.OPEN
        assert registry.get_sample_value("txdiag_endpoint_up", up) == 0
        a.set()
        seen = a.requests
        (reply,) = await client.batch([Call("eth_chainId")])
        assert reply.endpoint == name(b)
        assert a.requests == seen
        await asyncio.sleep(0.35)
        await client.batch([Call("eth_chainId")])  # starts the half-open probe of a
        for _ in range(50):
            if registry.get_sample_value("txdiag_endpoint_up", up) == 1:
                break
            await asyncio.sleep(0.02)
        assert registry.get_sample_value("txdiag_endpoint_up", up) == 1
        assert client.health[name(a)].state is Circuit.CLOSED
