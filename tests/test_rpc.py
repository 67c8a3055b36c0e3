"""The RPC client against a real node behind the fault proxy: retries, Retry-After, circuits, lag, hedging."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import math
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry

from tests.support.anvil import Anvil, free_port
from tests.support.builders import chain_spec
from tests.support.chain import Chain, account
from tests.support.proxy import Fault, FaultProxy
from tests.support.timing import attempt_ends
from tests.support.transports import both_transports, pytest_generate_tests  # noqa: F401
from txdiag.chains import ChainSpec, Endpoint, redact
from txdiag.compose import build_service
from txdiag.errors import ChainUnavailable
from txdiag.families.evm.dialect import EVM
from txdiag.families.evm.probes.plan import Plan, as_reply, raw
from txdiag.metrics import Metrics
from txdiag.rpc import (
    MAX_RETRY_AFTER,
    Call,
    Circuit,
    EndpointHealth,
    RetryPolicy,
    RpcClient,
    RpcItemError,
    deadline_scope,
    nesting,
    parse_retry_after,
)
from txdiag.settings import Settings

FAST = RetryPolicy(attempts=4, initial_backoff=0.01, max_backoff=0.05, attempt_timeout=2.0)


def spec(*urls: str, hedge: bool = False, lag_tolerance: int = 2) -> ChainSpec:
    return chain_spec(*urls, confirmations=3, block_time=1.0, lag_tolerance=lag_tolerance, hedge=hedge)


def name(p: FaultProxy) -> str:
    return redact(p.url)


@pytest.mark.asyncio
async def test_invalid_params_is_not_retried(proxies: list[FaultProxy]) -> None:
    """A -32602 answer is returned as data after exactly one HTTP request."""
    p = proxies[0]
    async with RpcClient(spec(p.url), dialect=EVM, policy=FAST) as client:
        (reply,) = await client.batch([Call("eth_getTransactionByHash", ("0x1234",))])
    assert reply.error is not None
    assert reply.error.code == -32602
    assert p.requests == 1


@pytest.mark.asyncio
async def test_revert_is_not_retried(proxies: list[FaultProxy], node_a: Anvil) -> None:
    """An eth_call that reverts (code 3 from anvil) is one request and one item error, never retried."""
    p = proxies[0]
    call = Call("eth_call", ({"data": "0x60006000fd"}, "latest"))  # init code: PUSH1 0 PUSH1 0 REVERT
    async with RpcClient(spec(p.url), dialect=EVM, policy=FAST) as client:
        (reply,) = await client.batch([call])
    assert reply.error is not None
    assert reply.error.code == 3
    assert p.requests == 1


@pytest.mark.asyncio
async def test_transient_faults_are_retried_until_an_answer(proxies: list[FaultProxy]) -> None:
    """HTTP 500, a reset connection and malformed JSON are each retried; the fourth attempt answers."""
    p = proxies[0]
    p.then(Fault(status=500), Fault(reset=True), Fault(malformed=True))
    async with RpcClient(spec(p.url), dialect=EVM, policy=FAST) as client:
        value = await client.call("eth_chainId")
    assert int(value, 16) == 31337
    assert p.requests == 4


@pytest.mark.asyncio
async def test_rate_limited_item_is_retried_then_returned_as_data(proxies: list[FaultProxy]) -> None:
    """A -32005 item is asked again; if it stays throttled the node's error is returned, not raised."""
    p = proxies[0]
    limited = Fault(item_errors={"eth_chainId": (-32005, "rate limit exceeded")})
    p.then(limited)
    async with RpcClient(spec(p.url), dialect=EVM, policy=FAST) as client:
        assert int(await client.call("eth_chainId"), 16) == 31337
        assert p.requests == 2
        p.set(limited)
        (reply,) = await client.batch([Call("eth_chainId")])
    assert reply.error is not None
    assert reply.error.rate_limited
    assert p.requests == 2 + FAST.attempts


def recording(client: RpcClient) -> list[float]:
    """The pauses the client waits out between attempts, in order (it still waits them)."""
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        await asyncio.sleep(seconds)

    client.sleep = sleep
    return pauses


@pytest.mark.asyncio
async def test_retry_after_is_honoured(proxies: list[FaultProxy]) -> None:
    """HTTP 429 with Retry-After: 1 on the only endpoint: the next request comes 1 s later, not sooner, after
    exactly one pause, no longer than that."""
    p = proxies[0]
    p.then(Fault(status=429, retry_after="1"))
    async with RpcClient(spec(p.url), dialect=EVM, policy=FAST) as client:
        pauses = recording(client)
        assert int(await client.call("eth_chainId"), 16) == 31337
    assert p.requests == 2
    assert p.arrivals[1] - p.arrivals[0] >= 0.95
    assert len(pauses) == 1
    assert 0 < pauses[0] <= 1.0  # the rest of the Retry-After, counted from the 429 (the gap above says it was kept)


@pytest.mark.asyncio
async def test_long_retry_after_on_the_only_endpoint_gives_up_at_once(proxies: list[FaultProxy]) -> None:
    """With one endpoint asking for 30 s, the client says so now instead of waiting or hammering it."""
    p = proxies[0]
    p.set(Fault(status=429, retry_after="30"))
    async with RpcClient(spec(p.url), dialect=EVM, policy=FAST) as client:
        pauses = recording(client)
        with pytest.raises(ChainUnavailable, match="rate limited"):
            await client.call("eth_chainId")
    assert pauses == []  # no wait at all, however busy the machine
    assert p.requests == 1


@pytest.mark.asyncio
async def test_long_retry_after_fails_over_without_waiting(proxies: list[FaultProxy]) -> None:
    """With two endpoints, a 30 s Retry-After from the first costs no wait: the second answers."""
    a, b = proxies
    a.set(Fault(status=429, retry_after="30"))
    async with RpcClient(spec(a.url, b.url), dialect=EVM, policy=FAST) as client:
        pauses = recording(client)
        (reply,) = await client.batch([Call("eth_chainId")])
        assert reply.endpoint == name(b)
        # the throttled endpoint goes last while its Retry-After runs
        assert client.ordered_endpoints()[0].name == name(b)
    assert pauses == [0.0]  # straight to the second endpoint


@pytest.mark.asyncio
async def test_deadline_bounds_every_attempt_together(proxies: list[FaultProxy]) -> None:
    """Two hanging endpoints and a 0.8 s deadline: ChainUnavailable naming both, within the deadline."""
    a, b = proxies
    a.set(Fault(hang=True))
    b.set(Fault(hang=True))
    async with RpcClient(spec(a.url, b.url), dialect=EVM, policy=FAST) as client:
        ends = attempt_ends(client)
        with deadline_scope(0.8) as deadline, pytest.raises(ChainUnavailable) as info:
            await client.call("eth_chainId")
    # every attempt was given only the time left (less the margin), whatever the machine's load: together
    # they cannot outlast the deadline
    assert len(ends) >= 2
    assert all(end <= deadline - FAST.deadline_margin + 0.02 for end in ends), (deadline, ends)
    assert info.value.out_of_time
    assert name(a) in str(info.value)
    assert name(b) in str(info.value)


@pytest.mark.asyncio
async def test_failover_when_first_endpoint_refuses_connections(proxies: list[FaultProxy]) -> None:
    """A closed port first: the answer comes from the second endpoint in the same call."""
    dead = f"http://127.0.0.1:{free_port()}"
    b = proxies[1]
    async with RpcClient(spec(dead, b.url), dialect=EVM, policy=FAST) as client:
        (reply,) = await client.batch([Call("eth_chainId")])
    assert reply.endpoint == name(b)
    assert int(reply.value, 16) == 31337


def test_circuit_opens_half_opens_and_closes() -> None:
    """Three failures open the circuit; after the cool-down it is half-open; one failure reopens, a success closes."""
    now = [100.0]  # the health's clock, moved by the test: no sleeping, no race with a busy machine
    h = EndpointHealth(Endpoint("http://127.0.0.1:1", "x"), failure_threshold=3, cooldown=0.05, clock=lambda: now[0])
    h.record(ok=False, seconds=0.01)
    h.record(ok=False, seconds=0.01)
    assert h.state is Circuit.CLOSED
    h.record(ok=False, seconds=0.01)
    assert h.state is Circuit.OPEN
    assert not h.up
    now[0] += 0.049
    assert h.state is Circuit.OPEN  # still cooling down
    now[0] += 0.002
    assert h.state is Circuit.HALF_OPEN
    h.record(ok=False, seconds=0.01)
    assert h.state is Circuit.OPEN
    now[0] += 0.06
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
    async with RpcClient(spec(a.url, b.url), dialect=EVM, policy=FAST, observer=Metrics(registry)) as client:
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
    async with RpcClient(spec(a.url, b.url, hedge=True), dialect=EVM, policy=FAST) as client:
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
        assert elapsed < 3.0  # b's answer was taken without waiting out a's (the endpoint and the hedge say how)
        # the slow endpoint's loss counts against it: the next read goes to b first
        assert client.ordered_endpoints()[0].name == name(b)


@pytest.mark.asyncio
async def test_background_probe_closes_a_recovered_circuit(proxies: list[FaultProxy]) -> None:
    """An open circuit gets no traffic while cooling; after it a background probe closes it again."""
    a, b = proxies
    policy = RetryPolicy(attempts=4, initial_backoff=0.01, cooldown=0.3, failure_threshold=2, recheck_after=0.05)
    registry = CollectorRegistry()
    up: dict[str, Any] = {"chain": "alpha", "endpoint": name(a)}
    async with RpcClient(spec(a.url, b.url), dialect=EVM, policy=policy, observer=Metrics(registry)) as client:
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


# -- endpoints that answer badly: the proxy as a fake node on a loopback port ----------

KEY = "0123456789abcdef0123456789abcdef"
SECRET_TEXT = f"invalid key {KEY}; see https://dashboard.example/keys/{KEY}"


@contextlib.asynccontextmanager
async def fake_node(answer: Callable[[Any], web.StreamResponse], path: str = "") -> AsyncIterator[FaultProxy]:
    """A fake node for the block: the proxy, with no node behind it, answers every POST with ``answer``.

    Its ``url`` carries ``path`` (e.g. a key).
    """
    with FaultProxy(path=path) as node:
        node.set(Fault(answer=answer))
        yield node


def json_answer(doc: Any, status: int = 200) -> Callable[[Any], web.StreamResponse]:
    return lambda _request: web.json_response(doc, status=status)


def raw_answer(body: bytes, headers: dict[str, str] | None = None) -> Callable[[Any], web.StreamResponse]:
    return lambda _request: web.Response(body=body, content_type="application/json", headers=headers)


def ids_of(request: Any) -> list[Any]:
    return [i["id"] for i in request] if isinstance(request, list) else [request["id"]]


@pytest.mark.asyncio
async def test_4xx_with_json_body_fails_over_and_diagnosis_succeeds(
    chain_a: Chain, node_a: Anvil, proxies: list[FaultProxy]
) -> None:
    """A keyed endpoint answering 401 with a JSON-RPC error body is an endpoint fault: the public one answers."""
    tx = chain_a.send(account(6), account(7).address, value=4321, gas=21_000)
    settings = Settings(deadline=5.0, attempt_timeout=1.0, result_cache_size=0)
    async with build_service(settings, {"alpha": spec(node_a.url)}) as clean:
        expected = await clean.diagnose(tx)
    refusal = {"jsonrpc": "2.0", "id": None, "error": {"code": -32001, "message": SECRET_TEXT}}
    public = proxies[0]
    async with fake_node(json_answer(refusal, status=401), path=f"/v3/{KEY}") as keyed:
        policy = RetryPolicy(failure_threshold=1)
        async with build_service(settings, {"alpha": spec(keyed.url, public.url)}, policy=policy) as service:
            d = await service.diagnose(tx)
            bad = service.contexts["alpha"].client.health[redact(keyed.url)]
            assert keyed.requests >= 1
            assert bad.state is Circuit.OPEN
            assert bad.error_rate == 1.0
    assert d.verdict == expected.verdict
    assert d.evidence.block_number == expected.evidence.block_number
    assert public.methods["eth_getTransactionByHash"] >= 1


@pytest.mark.asyncio
async def test_4xx_json_error_on_the_only_endpoint_is_named_by_a_label_not_its_text() -> None:
    """401 + JSON body on the only endpoint: asked once (it cannot serve us); ChainUnavailable says http_401 and
    never the node's text (a key, a URL)."""
    refusal = {"jsonrpc": "2.0", "id": None, "error": {"code": -32001, "message": SECRET_TEXT}}
    async with (
        fake_node(json_answer(refusal, status=401), path=f"/v3/{KEY}") as keyed,
        RpcClient(spec(keyed.url), dialect=EVM, policy=FAST) as client,
    ):
        with pytest.raises(ChainUnavailable) as info:
            await client.call("eth_getTransactionByHash", "0x" + "11" * 32)
    message = str(info.value)
    assert "http_401" in message
    assert KEY not in message
    assert "dashboard" not in message
    assert keyed.requests == 1  # whatever the attempt budget: asking again would get the same refusal


@pytest.mark.asyncio
async def test_whole_batch_error_is_an_endpoint_fault_not_batch_refusal(proxies: list[FaultProxy]) -> None:
    """One -32000 error object answering a batch: fail over (no item-by-item mode); the reason is rpc_error -32000."""
    whole = {"jsonrpc": "2.0", "id": None, "error": {"code": -32000, "message": SECRET_TEXT}}
    batch = [Call("eth_chainId"), Call("eth_blockNumber")]
    async with fake_node(json_answer(whole)) as broken:
        async with RpcClient(spec(broken.url, proxies[0].url), dialect=EVM, policy=FAST) as client:
            replies = await client.batch(batch)
            health = client.health[redact(broken.url)]
            assert not health.no_batch
            assert health.consecutive_failures == 1
            assert [r.endpoint for r in replies] == [name(proxies[0])] * 2
            assert int(replies[0].value, 16) == 31337
        async with RpcClient(spec(broken.url), dialect=EVM, policy=FAST) as client:
            with pytest.raises(ChainUnavailable) as info:
                await client.batch(batch)
    assert "rpc_error -32000" in str(info.value)
    assert KEY not in str(info.value)


@pytest.mark.asyncio
async def test_batch_refusal_switches_to_single_calls() -> None:
    """A -32600 "batch not supported" answer to a batch: the same endpoint is then asked item by item."""

    def answer(request: Any) -> web.StreamResponse:
        if isinstance(request, list):
            refusal = {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "batch not supported"}}
            return web.json_response(refusal)
        return web.json_response({"jsonrpc": "2.0", "id": request["id"], "result": request["method"]})

    async with fake_node(answer) as single, RpcClient(spec(single.url), dialect=EVM, policy=FAST) as client:
        replies = await client.batch([Call("eth_chainId"), Call("eth_blockNumber")])
        assert client.health[redact(single.url)].no_batch
    assert [r.value for r in replies] == ["eth_chainId", "eth_blockNumber"]
    assert single.requests == 4  # the refused batch, then each call and the endpoint's chain-id check singly


@pytest.mark.asyncio
async def test_revert_mentioning_rate_limits_is_data_after_one_request(proxies: list[FaultProxy]) -> None:
    """An eth_call reverting with "rate limit reached" (code 3, from anvil) is one request and one item error."""
    reason = b"rate limit reached"
    payload = (
        bytes.fromhex("08c379a0") + (32).to_bytes(32, "big") + len(reason).to_bytes(32, "big") + reason.ljust(32, b"\0")
    )
    # init code: CODECOPY the Error(string) payload after these 12 bytes to memory 0, then REVERT with it
    code = bytes.fromhex(f"60{len(payload):02x}600c60003960{len(payload):02x}6000fd") + payload
    p = proxies[0]
    async with RpcClient(spec(p.url), dialect=EVM, policy=FAST) as client:
        (reply,) = await client.batch([Call("eth_call", ({"data": "0x" + code.hex()}, "latest"))])
        assert client.health[name(p)].throttle_rate == 0.0
    assert reply.error is not None
    assert reply.error.code == 3
    assert "rate limit reached" in reply.error.message
    assert not reply.error.rate_limited
    assert p.requests == 1


@pytest.mark.asyncio
async def test_log_range_too_wide_is_data_not_a_rate_limit(proxies: list[FaultProxy]) -> None:
    """-32005 "query returned more than 10000 results" is the caller's range to narrow: one request, no retry."""
    p = proxies[0]
    p.set(Fault(item_errors={"eth_getLogs": (-32005, "query returned more than 10000 results")}))
    async with RpcClient(spec(p.url), dialect=EVM, policy=FAST) as client:
        (reply,) = await client.batch([Call("eth_getLogs", ({"fromBlock": "0x0", "toBlock": "latest"},))])
    assert reply.error is not None
    assert reply.error.code == -32005
    assert not reply.error.rate_limited
    assert p.requests == 1


@pytest.mark.asyncio
async def test_throttled_items_do_not_open_the_circuit(proxies: list[FaultProxy]) -> None:
    """An endpoint throttling items on every attempt stays in use (circuit closed), but its throttle rate shows it."""
    p = proxies[0]
    p.set(Fault(item_errors={"eth_chainId": (-32005, "rate limit exceeded")}))
    async with RpcClient(spec(p.url), dialect=EVM, policy=FAST) as client:
        (reply,) = await client.batch([Call("eth_chainId")])
        health = client.health[name(p)]
        assert reply.error is not None
        assert reply.error.rate_limited
        assert p.requests == FAST.attempts > FAST.failure_threshold
        assert health.state is Circuit.CLOSED
        assert health.consecutive_failures == 0
        assert health.throttle_rate == 1.0


RATE_LIMIT_CASES = [
    # code, message, data, method, rate limited?
    (-32005, "limit exceeded", None, "eth_getBalance", True),
    (429, "Too Many Requests", None, "eth_call", True),
    (-32005, "daily request count exceeded", {"backoff_seconds": 30}, "eth_getBalance", True),
    (-32000, "rate limit exceeded, slow down", None, "eth_getBalance", True),
    (-32000, "rate limit exceeded, slow down", None, "eth_call", False),  # a call's error text is the contract's
    (-32000, "execution reverted: rate limit reached", None, "", False),
    (3, "execution reverted: rate limit reached", "0x08c379a0", "eth_call", False),
    (-32000, "Too many requests", "0x1234", "eth_getBalance", False),  # carries data: text is not trusted
    (-32602, "rate limit parameter out of range", None, "eth_getBalance", False),  # not a server code
    (-32005, "query returned more than 10000 results", None, "eth_getLogs", False),
    (-32000, "header not found", None, "eth_getBalance", False),
]


@pytest.mark.parametrize(("code", "message", "data", "method", "expected"), RATE_LIMIT_CASES)
def test_rate_limit_classification(code: int, message: str, data: Any, method: str, expected: bool) -> None:
    """Codes say "throttled"; text only does for a server error without data, and never for a revert or a call."""
    assert RpcItemError(code, message, data, method=method).rate_limited is expected


def test_revert_text_is_neither_missing_data_nor_unsupported() -> None:
    """A contract's revert message naming "unknown block" or "does not exist" is the contract speaking."""
    err = RpcItemError(3, "execution reverted: token does not exist in unknown block", "0x08c379a0")
    assert not err.missing_data
    assert not err.unsupported
    assert RpcItemError(-32000, "missing trie node 0xab").missing_data
    assert RpcItemError(-32601, "the method eth_x does not exist").unsupported


ENDPOINT_FAULT_CASES = [
    # code, message, data, method, the endpoint's fault (ask another)?
    (-32000, "header not found", None, "eth_getBalance", True),
    (-32000, "missing trie node 4f2a (path 0x0a)", None, "eth_getCode", True),
    (-32000, "missing trie node 4f2a", None, "eth_call", True),  # a lagging node: the call never ran
    (-32603, "internal error", None, "eth_getCode", True),
    (-32603, "Internal error", None, "eth_call", True),  # a bare internal error: the call never ran
    (-32000, "transaction indexing is in progress", None, "eth_getTransactionByHash", True),
    (-32099, "no answer for this call", None, "eth_getLogs", True),  # left out of the batch's answer
    (3, "execution reverted", "0x08c379a0", "eth_call", False),  # the revert is the answer
    (-32000, "execution reverted", None, "eth_call", False),
    (-32603, "EVM error OutOfGas", None, "eth_call", False),  # anvil: the contract ran out of gas
    (-32000, "invalid opcode: INVALID", None, "eth_call", False),
    (-32000, "gas required exceeds allowance (30000000)", None, "eth_estimateGas", False),
    (-32603, "internal error", "0x08c379a0", "eth_call", False),  # carries revert data
    (-32602, "invalid params", None, "eth_getCode", False),  # our question, wherever it is asked
    (-32601, "the method debug_traceTransaction does not exist", None, "debug_traceTransaction", False),
    (-32005, "limit exceeded", None, "eth_getBalance", False),  # throttled: retried as such, not failed over
    (-32005, "query returned more than 10000 results", None, "eth_getLogs", False),
    (-5, "No such mempool or blockchain transaction", None, "getrawtransaction", False),
]


@pytest.mark.parametrize(("code", "message", "data", "method", "expected"), ENDPOINT_FAULT_CASES)
def test_endpoint_fault_classification(code: int, message: str, data: Any, method: str, expected: bool) -> None:
    """An item the node could not answer (missing state, internal error) is its fault; a revert or bad call is not."""
    assert RpcItemError(code, message, data, method=method).endpoint_fault is expected


CODE = Call("eth_getCode", ("0x" + "22" * 20, "latest"))


@pytest.mark.asyncio
async def test_an_item_one_endpoint_cannot_answer_is_asked_of_another(proxies: list[FaultProxy]) -> None:
    """-32603 for one item at the first endpoint: that item (only) is asked of the second, whose answer is used."""
    a, b = proxies
    a.set(Fault(item_errors={"eth_getCode": (-32603, "internal error")}))
    async with RpcClient(spec(a.url, b.url), dialect=EVM, policy=FAST) as client:
        with deadline_scope(5.0):
            code, head = await client.batch([CODE, Call("eth_blockNumber")])
    assert code.ok
    assert code.value == "0x"
    assert code.endpoint == name(b)
    assert head.ok
    assert head.endpoint == name(a)
    assert a.methods["eth_getCode"] == 1
    assert b.methods["eth_getCode"] == 1


@pytest.mark.asyncio
async def test_an_item_no_endpoint_can_answer_is_its_error_after_each_was_asked_once(
    proxies: list[FaultProxy],
) -> None:
    """Both endpoints lack the state: the error comes back as data after one question each, not at the deadline."""
    a, b = proxies
    for p in proxies:
        p.set(Fault(item_errors={"eth_getCode": (-32000, "missing trie node 4f2a")}))
    async with RpcClient(spec(a.url, b.url), dialect=EVM, policy=FAST) as client:
        with deadline_scope(30.0):
            (code,) = await client.batch([CODE])
        with deadline_scope(30.0):
            (alone,) = await client.batch([CODE], only=name(a))
    assert code.error is not None
    assert code.error.missing_data
    assert alone.error is not None
    assert a.methods["eth_getCode"] == 2  # once for each batch
    assert b.methods["eth_getCode"] == 1


@pytest.mark.asyncio
async def test_a_revert_is_an_answer_and_is_not_asked_elsewhere(proxies: list[FaultProxy]) -> None:
    """eth_call reverting (code 3) at the first endpoint: the revert is returned; the second is never asked."""
    a, b = proxies
    a.set(Fault(item_errors={"eth_call": (3, "execution reverted")}))
    call = Call("eth_call", ({"to": "0x" + "22" * 20, "data": "0x"}, "latest"))
    async with RpcClient(spec(a.url, b.url), dialect=EVM, policy=FAST) as client:
        with deadline_scope(5.0):
            (reply,) = await client.batch([call])
    assert reply.error is not None
    assert reply.error.deterministic
    assert reply.endpoint == name(a)
    assert a.methods["eth_call"] == 1
    assert b.methods["eth_call"] == 0  # (the second is asked for its head, off the call's path)


MALFORMED_BODIES = {
    "list_id": lambda req: web.json_response([{"jsonrpc": "2.0", "id": [i], "result": "0x1"} for i in ids_of(req)]),
    "deep_nesting": lambda req: web.Response(body=b"[" * 100_000 + b"]" * 100_000, content_type="application/json"),
    "no_result_key": lambda req: web.json_response({"jsonrpc": "2.0", "id": None}),
    "bool_id": lambda req: web.json_response({"jsonrpc": "2.0", "id": True, "unexpected": 1}),
}


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b"[" * 600 + b"]" * 600, 600),
        (b'{"a":' * 600 + b"1" + b"}" * 600, 600),
        (b'["' + b"[" * 600 + b'"]', 1),  # brackets in a string
        (b'["\\"' + b"[" * 600 + b'", [[1]]]', 3),  # an escaped quote does not end the string
        (b"[" + b'{"a":[1]},' * 600 + b"1]", 3),  # many brackets, shallow
    ],
)
def test_nesting_depth_ignores_strings(body: bytes, depth: int) -> None:
    """The depth guard counts only structural brackets; shallow bodies with many brackets pass."""
    assert nesting(body) == depth


@pytest.mark.asyncio
@pytest.mark.parametrize("shape", sorted(MALFORMED_BODIES))
async def test_malformed_bodies_are_endpoint_faults(shape: str, proxies: list[FaultProxy]) -> None:
    """Odd ids, a body nested too deep, an object with neither result nor error: fail over, never an exception."""
    async with fake_node(MALFORMED_BODIES[shape]) as odd:
        async with RpcClient(spec(odd.url, proxies[0].url), dialect=EVM, policy=FAST) as client:
            (reply,) = await client.batch([Call("eth_chainId")])
            assert client.health[redact(odd.url)].consecutive_failures == 1
        async with RpcClient(spec(odd.url), dialect=EVM, policy=FAST) as client:
            with pytest.raises(ChainUnavailable, match="malformed_response"):
                await client.batch([Call("eth_chainId"), Call("eth_blockNumber")])
    assert reply.endpoint == name(proxies[0])
    assert int(reply.value, 16) == 31337


@pytest.mark.asyncio
async def test_redirect_is_not_followed(proxies: list[FaultProxy]) -> None:
    """A 307 to another (working) URL is an endpoint fault: the redirect target is never asked."""
    target = proxies[1]
    redirect = lambda _req: web.Response(status=307, headers={"Location": target.url})  # noqa: E731
    async with fake_node(redirect) as mover:
        async with RpcClient(spec(mover.url, proxies[0].url), dialect=EVM, policy=FAST) as client:
            (reply,) = await client.batch([Call("eth_chainId")])
            assert client.health[redact(mover.url)].consecutive_failures == 1
        async with RpcClient(spec(mover.url), dialect=EVM, policy=FAST) as client:
            with pytest.raises(ChainUnavailable, match="http_307"):
                await client.call("eth_chainId")
    assert reply.endpoint == name(proxies[0])
    assert target.requests == 0


def _padded(request: Any, size: int) -> bytes:
    """A valid answer (to a single call or a batch) padded with whitespace to ``size`` bytes."""
    answers = [
        {"jsonrpc": "2.0", "id": r["id"], "result": "0x7a69"}
        for r in (request if isinstance(request, list) else [request])
    ]
    doc = json.dumps(answers if isinstance(request, list) else answers[0]).encode()
    return doc + b" " * (size - len(doc))


OVERSIZE = {
    "content_length": lambda req: web.Response(body=_padded(req, 200_000), content_type="application/json"),
    # 1 MB once decompressed, a few KB on the wire: the bound applies to what is read after decompression
    "gzip_bomb": lambda req: web.Response(
        body=gzip.compress(_padded(req, 1_000_000)),
        content_type="application/json",
        headers={"Content-Encoding": "gzip"},
    ),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("shape", sorted(OVERSIZE))
async def test_oversize_answer_is_an_endpoint_fault(shape: str, proxies: list[FaultProxy]) -> None:
    """An answer over max_response_bytes (declared or decompressed) fails over to the next endpoint."""
    policy = RetryPolicy(attempts=4, initial_backoff=0.01, max_backoff=0.05, max_response_bytes=64 * 1024)
    async with fake_node(OVERSIZE[shape]) as big:
        async with RpcClient(spec(big.url, proxies[0].url), dialect=EVM, policy=policy) as client:
            (reply,) = await client.batch([Call("eth_chainId")])
            assert client.health[redact(big.url)].consecutive_failures == 1
        async with RpcClient(spec(big.url), dialect=EVM, policy=policy) as client:
            with pytest.raises(ChainUnavailable, match="oversize_response"):
                await client.call("eth_chainId")
        # under the bound the same answer is fine
        async with RpcClient(spec(big.url), dialect=EVM, policy=FAST) as client:
            assert await client.call("eth_chainId") == "0x7a69"
    assert reply.endpoint == name(proxies[0])


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("2", 2.0),
        ("0.5", 0.5),
        ("-5", 0.0),
        ("inf", MAX_RETRY_AFTER),
        ("1e999", MAX_RETRY_AFTER),
        ("999999999", MAX_RETRY_AFTER),
        ("nan", None),
        ("Fri, 01 Jan 9999 00:00:00 GMT", MAX_RETRY_AFTER),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
        ("soon", None),
        ("", None),
    ],
)
def test_retry_after_is_clamped(header: str, expected: float | None) -> None:
    """Retry-After is read as seconds within [0, one day]; nan and nonsense are ignored."""
    assert parse_retry_after(header) == expected


@pytest.mark.asyncio
async def test_infinite_retry_after_keeps_throttling_finite(proxies: list[FaultProxy]) -> None:
    """HTTP 429 with Retry-After: inf marks the endpoint throttled for at most a day, and the other one answers."""
    a, b = proxies
    a.set(Fault(status=429, retry_after="inf"))
    async with RpcClient(spec(a.url, b.url), dialect=EVM, policy=FAST) as client:
        (reply,) = await client.batch([Call("eth_chainId")])
        until = client.health[name(a)].throttled_until
    assert reply.endpoint == name(b)
    assert math.isfinite(until)
    assert until <= time.monotonic() + MAX_RETRY_AFTER


@pytest.mark.asyncio
async def test_endpoint_serving_another_chain_is_never_used(node_a: Anvil, node_b: Anvil) -> None:
    """An endpoint whose eth_chainId is another chain's (a mistyped variable) is taken out at its first answer."""
    async with RpcClient(spec(node_b.url, node_a.url), dialect=EVM, policy=FAST) as client:
        (reply,) = await client.batch([Call("eth_blockNumber")])
        assert reply.endpoint == redact(node_a.url)
        assert client.health[redact(node_b.url)].wrong_chain
        assert client.health[redact(node_a.url)].chain_checked
        before = client.http_requests
        await client.batch([Call("eth_blockNumber")])
        assert client.http_requests == before + 1  # checked once: later requests carry no extra question
        assert [h.name for h in client.ordered_endpoints()] == [redact(node_a.url)]
        assert client.health[redact(node_b.url)].head is None
    async with RpcClient(spec(node_b.url), dialect=EVM, policy=FAST) as client:
        with pytest.raises(ChainUnavailable, match="wrong_chain_id"):
            await client.call("eth_blockNumber")


@pytest.mark.asyncio
async def test_head_of_another_chain_never_becomes_the_best_head(node_a: Anvil, node_b: Anvil) -> None:
    """A background head probe of a wrong-chain endpoint (far ahead here) leaves the best head alone."""
    node_b.mine(500)
    async with RpcClient(spec(node_a.url, node_b.url), dialect=EVM, policy=FAST) as client:
        await client.batch([Call("eth_blockNumber")])
        client.maintain()
        await client.settle_probes()  # the probe the batch started, and any due now: awaited, not raced
        assert client.health[redact(node_b.url)].wrong_chain
        assert client.best_head() == node_a.head()


@pytest.mark.asyncio
async def test_a_merged_answer_that_fails_its_check_is_asked_again_and_never_an_internal_error(
    chain_a: Chain, proxies: list[FaultProxy]
) -> None:
    """A cannot answer the receipt, B (lagging) answers it with null: the merged answer fails its check.

    Asked again, A still cannot answer the receipt and B is not asked again: the plan gets one reply per call,
    the receipt's being A's error, so the answer is "could not check", never an internal error.
    """
    a, b = proxies
    tx_hash = chain_a.send(account(6), account(7).address, value=1, gas=21_000)
    a.set(Fault(item_errors={"eth_getTransactionReceipt": (-32000, "header not found")}))
    b.set(Fault(null_txs=True))
    plan = Plan()
    tx = plan.add(Call("eth_getTransactionByHash", (tx_hash,)), decode=raw)
    receipt = plan.add(Call("eth_getTransactionReceipt", (tx_hash,)), decode=as_reply)
    checked: list[tuple[str, str]] = []

    def check() -> str | None:
        checked.append((tx.reply.endpoint, receipt.reply.endpoint))
        if tx.value is not None and receipt.value.ok and receipt.value.value is None:
            return "receipt_missing"
        return None

    async with RpcClient(spec(a.url, b.url), dialect=EVM, policy=FAST) as client:
        with deadline_scope(10.0):
            await plan.send(client, verify=check)
    assert tx.value is not None
    assert tx.value["hash"] == tx_hash
    assert receipt.error is not None  # A's error: the receipt could not be checked
    assert receipt.reply.endpoint == name(a)
    # A's part was checked, held, and B's null completed it; then A alone, never merged again
    assert checked == [(name(a), name(a)), (name(a), name(b)), (name(a), name(a))]
    assert a.methods["eth_getTransactionReceipt"] == 2  # asked again once the merged answer failed
    assert b.methods["eth_getTransactionReceipt"] == 1  # B said null; it is not asked again in this call


@pytest.mark.asyncio
async def test_a_lie_with_a_throttled_item_is_checked_before_the_deadline_and_the_honest_endpoint_wins(
    chain_a: Chain, proxies: list[FaultProxy]
) -> None:
    """A answers another transaction and keeps one item throttled: its answer is checked without that item,
    fails, and B is asked for all of it at once; never A's lie completed by B and kept to the deadline."""
    a, b = proxies
    tx_hash = chain_a.send(account(6), account(7).address, value=2, gas=21_000)
    other = chain_a.send(account(6), account(8).address, value=3, gas=21_000)
    a.set(Fault(other_tx=other, item_errors={"eth_chainId": (-32005, "rate limit exceeded")}))
    plan = Plan()
    tx = plan.add(Call("eth_getTransactionByHash", (tx_hash,)), decode=raw)
    chain_id = plan.add(Call("eth_chainId"), decode=raw)

    def check() -> str | None:
        return None if tx.value is None or tx.value["hash"] == tx_hash else "transaction_hash_mismatch"

    async with RpcClient(spec(a.url, b.url), dialect=EVM, policy=FAST) as client:
        with deadline_scope(30.0):
            await plan.send(client, verify=check)
    assert tx.value is not None
    assert tx.value["hash"] == tx_hash
    assert tx.reply.endpoint == name(b)
    assert chain_id.reply.endpoint == name(b)
    assert int(chain_id.value, 16) == 31337
    assert a.methods["eth_getTransactionByHash"] == 1  # its lie was caught in its first answer
    assert b.methods["eth_getTransactionByHash"] == 1  # B was asked for the whole plan, not only what A left
