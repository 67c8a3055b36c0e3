"""The one JSON-RPC proxy in front of a real node, for tests and the benchmark: faults, latency, counts.

The proxy is a small aiohttp server on a loopback port, run on its own event
loop in a thread, so sync tests, async tests, CLI subprocesses and the bench
can all use it. Each request it receives gets a :class:`Fault`: the next one
queued with :meth:`FaultProxy.then`, else the one ``schedule`` picks (seeded
random faults for the soak tests), else the one ``chooser`` picks, else the
standing ``fault`` (:meth:`FaultProxy.set`). A schedule decides from what the
request asks (its methods and params, never its ids) and how many times that
question came before, so the same diagnosis meets the same faults however
concurrent requests interleave (see :func:`seeded`).
A fault of latency alone is a network distance (the bench's fixed RPC
latency); ``item_errors`` makes a node without some methods, ``tag_errors`` one that
cannot answer for some block tags; ``answer``
answers locally with any response, so a proxy without an upstream is a fake
node for what no real node sends. Any path is accepted and forwarded to the
node (``path`` puts one in ``url``, as a keyed provider's endpoint carries
its key), and the paths are recorded. It counts what it receives, so tests
can assert round trips and retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import random
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

_BLOCK_TAGS = ("latest", "pending", "safe", "finalized")


@dataclass(frozen=True)
class Fault:
    """What the proxy does to one request; the default passes it through untouched."""

    latency: float = 0.0  # seconds added before answering
    hang: bool = False  # never answer (until the proxy stops): the client times out
    status: int | None = None  # answer with this HTTP status (429, 500, 502, 503, ...) and a text body
    retry_after: str | None = None  # Retry-After header with ``status``
    reset: bool = False  # close the connection without answering
    malformed: bool = False  # HTTP 200 with a truncated JSON body
    item_errors: Mapping[str, tuple[int, str]] = field(default_factory=dict)  # method -> JSON-RPC error for it
    # block tag ("finalized", "safe", ...) -> JSON-RPC error for eth_getBlockByNumber at that tag alone
    tag_errors: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    lag: int = 0  # serve the node's view from this many blocks ago
    null_txs: bool = False  # answer null for every transaction and receipt
    # answer locally with this response to the decoded request body (None when it is not JSON), never asking
    # the node: what no real node sends (redirects, hostile bodies); a proxy with no upstream is then a fake node
    answer: Callable[[Any], web.StreamResponse] | None = None
    # lies (a broken or hostile node): the answer is well-formed and wrong
    other_tx: str | None = None  # answer every transaction and receipt request with this transaction's
    receipt_block_hash: str | None = None  # receipts name this block hash instead of their own
    receipt_block_timestamp: int | None = None  # receipts give this blockTimestamp (milliseconds, say)
    head: int | None = None  # eth_blockNumber and the latest block say this number
    # a consistent liar: the head says this number, and eth_blockNumber, the fee history ending at it and the
    # finalized and safe blocks move with it (their timestamps stay the node's, so every one looks current)
    consistent_head: int | None = None
    no_block_timestamp: bool = False  # receipts without blockTimestamp, as Arbitrum's nodes send them
    body_bytes: int = 0  # pad every answer with whitespace to this many bytes (a huge but valid body)
    # method -> a function of the node's result giving the one sent instead (what a hostile or broken node says)
    rewrite: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)

    @property
    def per_item(self) -> bool:
        """Whether answers are changed item by item (else the request is forwarded as it came)."""
        lies = self.other_tx is not None or self.receipt_block_hash is not None or self.head is not None
        lies = lies or self.consistent_head is not None or self.no_block_timestamp
        lies = lies or self.receipt_block_timestamp is not None or bool(self.rewrite)
        return bool(self.item_errors or self.tag_errors) or self.lag > 0 or self.null_txs or lies or self.body_bytes > 0

    @property
    def kind(self) -> str | None:
        """A short name of the fault, for counting (None when the request passes through)."""
        for name, on in (
            ("hang", self.hang),
            ("status", self.status is not None),
            ("reset", self.reset),
            ("malformed", self.malformed),
            ("item_error", bool(self.item_errors or self.tag_errors)),
            ("lag", self.lag > 0),
            ("null_txs", self.null_txs),
            ("answer", self.answer is not None),
            ("lie", self.other_tx is not None or self.receipt_block_hash is not None or self.head is not None),
            ("lie", self.consistent_head is not None),
            ("lie", self.receipt_block_timestamp is not None),
            ("lie", bool(self.rewrite)),
            ("no_block_timestamp", self.no_block_timestamp),
            ("huge", self.body_bytes > 0),
            ("latency", self.latency > 0),
        ):
            if on:
                return name
        return None


PASS = Fault()


@dataclass(frozen=True)
class Question:
    """What a schedule knows of a request: what it asks, and how many times that was asked before."""

    key: str  # :func:`request_key`
    attempt: int  # 0 the first time this key reaches the proxy
    methods: tuple[str, ...]  # of its items, in order


Schedule = Callable[[Question], "Fault | None"]
"""A request's fault, from the :class:`Question` it asks."""


def request_key(payload: Any, body: bytes) -> str:
    """What a request asks, without its ids: the same question has the same key in any interleaving.

    The chain id riding along with other calls is left out: a client adds it to
    an endpoint's requests until one answers it, which a concurrent head probe
    may do first, so it is not part of the question.
    """
    items = payload if isinstance(payload, list) else [payload]
    if payload is None or not all(isinstance(i, dict) for i in items):
        return hashlib.sha256(body).hexdigest()
    asked = [[i.get("method"), i.get("params")] for i in items]
    if len(asked) > 1:
        asked = [a for a in asked if a[0] != "eth_chainId"]
    return hashlib.sha256(json.dumps(asked, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def seeded(seed: int, rate: float, kinds: Sequence[Callable[[random.Random], Fault]]) -> Schedule:
    """A fault of one of ``kinds`` on ``rate`` of requests, drawn from (seed, key, attempt) alone.

    Each draw has its own generator, seeded by the string of the three (hashed
    with SHA-512 by ``random``, so it is the same in every process): a retry of
    a question is a new draw, and which question meets which fault does not
    depend on the order in which requests reach the proxy.
    """

    def choose(q: Question) -> Fault | None:
        rng = random.Random(f"{seed}:{q.key}:{q.attempt}")
        if rng.random() >= rate:
            return None
        return rng.choice(kinds)(rng)

    return choose


def on_calls(method: str, faults: Sequence[Fault]) -> Schedule:
    """The n-th time a question asking ``method`` (in any item) comes, it gets ``faults[n]``; the rest pass.

    Counted per question, so "the recipients' batch fails three times" holds
    however background probes interleave with it.
    """

    def choose(q: Question) -> Fault | None:
        return faults[q.attempt] if method in q.methods and q.attempt < len(faults) else None

    return choose


class FaultProxy:
    """One proxy in front of ``upstream``; ``url`` is what a chain file points at."""

    def __init__(self, upstream: str = "", *, path: str = "") -> None:
        self.upstream = upstream  # "" only for a fake node, whose faults all answer locally
        self.path = path  # part of ``url``: an endpoint that carries a key in its path
        self.fault: Fault = PASS
        self.chooser: Callable[[], Fault | None] | None = None
        self.schedule: Schedule | None = None
        self._asked: Counter[str] = Counter()  # how many times each request key came (the schedule's attempt)
        self._script: deque[Fault] = deque()
        self._lock = threading.Lock()
        self.requests = 0
        self.methods: Counter[str] = Counter()
        self.arrivals: list[float] = []  # time.monotonic() of each request received
        self.injected: Counter[str] = Counter()
        self.paths: list[str] = []  # the path of each request received (a key in an endpoint's path is kept)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._stopping: asyncio.Event | None = None
        self.port = 0

    # -- control (from the test's thread) ---------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    @property
    def items(self) -> int:
        """JSON-RPC calls received (the items of every batch)."""
        return sum(self.methods.values())

    def set(self, fault: Fault = PASS) -> None:
        """The standing fault, for every request without a queued one."""
        self.fault = fault

    def then(self, *faults: Fault) -> None:
        """Faults for the next requests, one each, before the standing fault applies again."""
        with self._lock:
            self._script.extend(faults)

    def reset_counts(self) -> None:
        with self._lock:
            self.requests = 0
            self.methods.clear()
            self.arrivals.clear()
            self.injected.clear()
            self.paths.clear()

    def start(self) -> FaultProxy:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = int(sock.getsockname()[1])
        ready = threading.Event()
        loop = asyncio.new_event_loop()
        self._loop = loop

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self._setup(sock))
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._teardown())
            loop.close()

        self._thread = threading.Thread(target=run, name=f"fault-proxy-{self.port}", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fault proxy did not start")
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if self._stopping is not None:
            loop.call_soon_threadsafe(self._stopping.set)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(15)
        self._loop = self._thread = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the server (on the proxy's own loop) -------------------------------

    async def _setup(self, sock: socket.socket) -> None:
        self._stopping = asyncio.Event()
        # room for the bench's hundreds of concurrent clients, each with its own connection
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=512))
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        await web.SockSite(self._runner, sock, backlog=4096).start()

    async def _teardown(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    def _next_fault(self, payload: Any, body: bytes) -> Fault:
        with self._lock:
            if self._script:
                return self._script.popleft()
        if self.schedule is not None:
            key = request_key(payload, body)
            with self._lock:
                attempt = self._asked[key]
                self._asked[key] += 1
            items = payload if isinstance(payload, list) else [payload]
            methods = tuple(str(i.get("method")) for i in items if isinstance(i, dict))
            scheduled = self.schedule(Question(key, attempt, methods))
            if scheduled is not None:
                return scheduled
        if self.chooser is not None:
            chosen = self.chooser()
            if chosen is not None:
                return chosen
        return self.fault

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        try:
            payload: Any = json.loads(body)
        except ValueError:
            payload = None
        items = payload if isinstance(payload, list) else [payload]
        fault = self._next_fault(payload, body)
        with self._lock:
            self.requests += 1
            self.arrivals.append(time.monotonic())
            self.paths.append(request.path)
            for item in items:
                if isinstance(item, dict):
                    self.methods[str(item.get("method"))] += 1
            if fault.kind is not None:
                self.injected[fault.kind] += 1
        if fault.latency:
            await asyncio.sleep(fault.latency)
        if fault.hang:
            assert self._stopping is not None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), 60)
            return web.Response(status=504, text="proxy stopped")
        if fault.reset:
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=500)
        if fault.status is not None:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            return web.Response(status=fault.status, text="injected failure", headers=headers)
        if fault.answer is not None:
            return fault.answer(payload)
        if fault.malformed:
            return web.Response(status=200, body=b'{"jsonrpc": "2.0", "id": 1, "resu', content_type="application/json")
        if not fault.per_item or payload is None or not all(isinstance(i, dict) for i in items):
            status, raw = await self._upstream_raw(body)
            return web.Response(status=status, body=raw, content_type="application/json")
        answers = await self._answer(items, fault)
        out = answers if isinstance(payload, list) else answers[0]
        if fault.body_bytes:
            raw = json.dumps(out).encode()
            return web.Response(body=raw + b" " * max(0, fault.body_bytes - len(raw)), content_type="application/json")
        return web.json_response(out)

    async def _answer(self, items: list[dict[str, Any]], fault: Fault) -> list[dict[str, Any]]:
        """Answer each item: injected errors locally, the rest from the node (seen through the fault)."""
        view = None
        if fault.lag:
            head = int((await self._upstream([_req(0, "eth_blockNumber", [])]))[0]["result"], 16)
            view = max(0, head - fault.lag)
        shift = 0
        if fault.consistent_head is not None:
            real = int((await self._upstream([_req(0, "eth_blockNumber", [])]))[0]["result"], 16)
            shift = fault.consistent_head - real
        answers: dict[Any, dict[str, Any]] = {}
        forward: list[dict[str, Any]] = []
        for original in items:
            method = original.get("method")
            item = original
            if fault.other_tx is not None and method in ("eth_getTransactionByHash", "eth_getTransactionReceipt"):
                item = {**original, "params": [fault.other_tx]}
            local = self._local(item, fault, view)
            if local is not None:
                answers[item.get("id")] = local
            elif isinstance(method, str):
                forward.append(_rewrite(item, view))
        if forward:
            for reply in await self._upstream(forward):
                method = _method_of(forward, reply.get("id"))
                asked = next((i for i in forward if i.get("id") == reply.get("id")), {})
                answer = _shifted(_lie(_seen_at(reply, method, view), asked, fault), asked, shift)
                answers[reply.get("id")] = _without_block_time(answer, asked) if fault.no_block_timestamp else answer
        return [answers[item.get("id")] for item in items]

    def _local(self, item: dict[str, Any], fault: Fault, view: int | None) -> dict[str, Any] | None:
        method, rid, params = item.get("method"), item.get("id"), item.get("params") or []
        if isinstance(method, str) and method in fault.item_errors:
            code, message = fault.item_errors[method]
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": code, "message": message}}
        if method == "eth_getBlockByNumber" and params and isinstance(params[0], str) and params[0] in fault.tag_errors:
            code, message = fault.tag_errors[params[0]]
            return {"jsonrpc": "2.0", "id": rid, "error": {"code": code, "message": message}}
        if fault.null_txs and method in ("eth_getTransactionByHash", "eth_getTransactionReceipt"):
            return {"jsonrpc": "2.0", "id": rid, "result": None}
        if view is not None and method == "eth_blockNumber":
            return {"jsonrpc": "2.0", "id": rid, "result": hex(view)}
        if view is not None and method == "eth_getBlockByNumber" and params and params[0] not in _BLOCK_TAGS:
            with contextlib.suppress(TypeError, ValueError):
                if int(params[0], 16) > view:
                    return {"jsonrpc": "2.0", "id": rid, "result": None}
        return None

    async def _upstream(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        _status, raw = await self._upstream_raw(json.dumps(items).encode())
        decoded = json.loads(raw)
        return decoded if isinstance(decoded, list) else [decoded]

    async def _upstream_raw(self, body: bytes) -> tuple[int, bytes]:
        assert self._session is not None
        async with self._session.post(self.upstream, data=body, headers={"Content-Type": "application/json"}) as resp:
            return resp.status, await resp.read()


def _req(rid: int, method: str, params: list[Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rid, "method": method, "params": params}


def _method_of(items: list[dict[str, Any]], rid: Any) -> str:
    for item in items:
        if item.get("id") == rid:
            return str(item.get("method"))
    return ""


def _rewrite(item: dict[str, Any], view: int | None) -> dict[str, Any]:
    """A lagging node's "latest" is an older block."""
    if view is None:
        return item
    params = list(item.get("params") or [])
    method = item.get("method")
    if method == "eth_getBlockByNumber" and params and params[0] in ("latest", "pending"):
        params[0] = hex(view)
    elif method == "eth_feeHistory" and len(params) > 1 and params[1] in ("latest", "pending"):
        params[1] = hex(view)
    else:
        return item
    return {**item, "params": params}


def _lie(reply: dict[str, Any], asked: dict[str, Any], fault: Fault) -> dict[str, Any]:
    """The node's answer, falsified as the fault says."""
    result = reply.get("result")
    method = asked.get("method")
    if isinstance(method, str) and method in fault.rewrite and "result" in reply:
        return {**reply, "result": fault.rewrite[method](result)}
    if fault.receipt_block_hash is not None and method == "eth_getTransactionReceipt" and isinstance(result, dict):
        return {**reply, "result": {**result, "blockHash": fault.receipt_block_hash}}
    if fault.receipt_block_timestamp is not None and method == "eth_getTransactionReceipt" and isinstance(result, dict):
        return {**reply, "result": {**result, "blockTimestamp": hex(fault.receipt_block_timestamp)}}
    if fault.head is not None and method == "eth_blockNumber":
        return {**reply, "result": hex(fault.head)}
    latest = (asked.get("params") or [None])[0] in ("latest", "pending")
    if fault.head is not None and method == "eth_getBlockByNumber" and latest and isinstance(result, dict):
        return {**reply, "result": {**result, "number": hex(fault.head)}}  # only the head is falsified
    return reply


def _shifted(reply: dict[str, Any], asked: dict[str, Any], shift: int) -> dict[str, Any]:
    """A consistent liar's answer: the head and everything that names a block near it, ``shift`` blocks on."""
    result = reply.get("result")
    method = asked.get("method")
    if not shift or result is None:
        return reply
    if method == "eth_blockNumber":
        return {**reply, "result": hex(int(result, 16) + shift)}
    tag = (asked.get("params") or [None])[0]
    if method == "eth_getBlockByNumber" and tag in _BLOCK_TAGS and isinstance(result, dict):
        return {**reply, "result": {**result, "number": hex(int(result["number"], 16) + shift)}}
    if method == "eth_feeHistory" and isinstance(result, dict) and "oldestBlock" in result:
        return {**reply, "result": {**result, "oldestBlock": hex(int(result["oldestBlock"], 16) + shift)}}
    return reply


def _without_block_time(reply: dict[str, Any], asked: dict[str, Any]) -> dict[str, Any]:
    """A receipt as nodes without ``blockTimestamp`` send it."""
    result = reply.get("result")
    if asked.get("method") != "eth_getTransactionReceipt" or not isinstance(result, dict):
        return reply
    return {**reply, "result": {k: v for k, v in result.items() if k != "blockTimestamp"}}


def _seen_at(reply: dict[str, Any], method: str, view: int | None) -> dict[str, Any]:
    """A lagging node does not know transactions in blocks it has not reached."""
    if view is None or method not in ("eth_getTransactionByHash", "eth_getTransactionReceipt"):
        return reply
    result = reply.get("result")
    if isinstance(result, dict) and result.get("blockNumber") and int(result["blockNumber"], 16) > view:
        return {**reply, "result": None}
    return reply
