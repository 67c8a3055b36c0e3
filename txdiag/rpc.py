"""The one I/O seam: a JSON-RPC client per chain.

Each client keeps one pooled keep-alive aiohttp session, sends calls as
JSON-RPC batches whose items succeed or fail independently, bounds every
attempt by the caller's deadline, retries transient faults only (one tenacity
policy, exponential backoff with jitter, Retry-After honoured), and fails over
across the chain's endpoints in order of health.

Fault taxonomy, decided once here:

    transport error, timeout, HTTP 429 / 5xx, malformed body   -> transient: retry, prefer another endpoint
    HTTP 4xx other than 429 (bad key, forbidden)               -> endpoint unusable: fail over, no retry there
    JSON-RPC rate-limit item (-32005, 429, "rate limit" text)  -> that item is retried
    JSON-RPC "missing data" item (header/trie not found)       -> that item is asked of another endpoint
    any other JSON-RPC error (revert, invalid params, ...)      -> deterministic: returned to the caller as data
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import random
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import aiohttp
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from txdiag.chains import ChainSpec, Endpoint
from txdiag.errors import ChainUnavailable, DeadlineExceeded

log = logging.getLogger(__name__)

_deadline: ContextVar[float | None] = ContextVar("txdiag_rpc_deadline", default=None)

RATE_LIMIT_CODES = frozenset({-32005, -32029, -32090, 429})
_RATE_LIMIT_TEXT = ("rate limit", "too many requests", "capacity", "exceeded the quota", "throttl")
_MISSING_DATA_TEXT = ("header not found", "missing trie node", "unknown block", "state not available", "pruned")
METHOD_NOT_FOUND = -32601
_NO_ANSWER = -32099  # our own marker: the answer had no item for this call
INVALID_PARAMS = -32602


@contextlib.contextmanager
def deadline_scope(seconds: float) -> Iterator[float]:
    """Bound every RPC attempt made inside the block by one shared deadline.

    Nested scopes keep the earlier deadline. Yields the absolute deadline on
    the loop-independent monotonic clock.
    """
    new = time.monotonic() + seconds
    current = _deadline.get()
    token = _deadline.set(min(new, current) if current is not None else new)
    try:
        yield _deadline.get() or new
    finally:
        _deadline.reset(token)


def remaining_time() -> float | None:
    """Seconds left before the current deadline, or None when unbounded."""
    d = _deadline.get()
    return None if d is None else d - time.monotonic()


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    params: tuple[Any, ...] = ()


class RpcItemError(Exception):
    """A JSON-RPC error object returned for one call."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.data = data

    @property
    def rate_limited(self) -> bool:
        text = self.message.lower()
        return self.code in RATE_LIMIT_CODES or any(t in text for t in _RATE_LIMIT_TEXT)

    @property
    def missing_data(self) -> bool:
        text = self.message.lower()
        return any(t in text for t in _MISSING_DATA_TEXT)

    @property
    def unsupported(self) -> bool:
        text = self.message.lower()
        return self.code == METHOD_NOT_FOUND or "not supported" in text or "does not exist" in text


@dataclass(frozen=True, slots=True)
class Reply:
    """One call's outcome: a value, or the node's error for it."""

    value: Any = None
    error: RpcItemError | None = None
    endpoint: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None

    def unwrap(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


class RpcObserver(Protocol):
    """What the client reports; the metrics layer implements it."""

    def on_request(self, chain: str, endpoint: str, method: str, outcome: str, seconds: float) -> None: ...
    def on_http(self, chain: str, endpoint: str, seconds: float) -> None: ...
    def on_retry(self, chain: str, reason: str) -> None: ...
    def on_endpoint_up(self, chain: str, endpoint: str, up: bool) -> None: ...


class NullObserver:
    def on_request(self, chain: str, endpoint: str, method: str, outcome: str, seconds: float) -> None:
        pass

    def on_http(self, chain: str, endpoint: str, seconds: float) -> None:
        pass

    def on_retry(self, chain: str, reason: str) -> None:
        pass

    def on_endpoint_up(self, chain: str, endpoint: str, up: bool) -> None:
        pass


class TransientError(Exception):
    """An attempt failed in a way another attempt may not."""

    def __init__(self, reason: str, endpoint: str, retry_after: float | None = None) -> None:
        super().__init__(f"{endpoint}: {reason}")
        self.reason = reason
        self.endpoint = endpoint
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4
    initial_backoff: float = 0.05
    max_backoff: float = 2.0
    max_retry_after: float = 5.0  # a longer Retry-After means: use another endpoint
    attempt_timeout: float = 5.0  # one HTTP attempt, before the overall deadline
    max_batch: int = 100  # items per HTTP request; larger batches are split

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Exponential backoff with full jitter; Retry-After when it is sooner than giving up."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        ceiling = min(self.max_backoff, self.initial_backoff * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not cryptography


@dataclass(slots=True)
class EndpointHealth:
    """Rolling view of one endpoint: outcomes, latency, circuit state, head."""

    endpoint: Endpoint
    window: deque[tuple[float, bool, bool]] = field(default_factory=lambda: deque(maxlen=50))
    latency_ewma: float | None = None
    consecutive_failures: int = 0
    open_until: float = 0.0
    half_open: bool = False
    head: int | None = None
    head_seen_at: float = 0.0
    no_batch: bool = False
    failure_threshold: int = 3
    cooldown: float = 5.0

    def record(self, ok: bool, seconds: float, throttled: bool = False) -> None:
        now = time.monotonic()
        self.window.append((now, ok, throttled))
        if ok:
            self.latency_ewma = seconds if self.latency_ewma is None else 0.8 * self.latency_ewma + 0.2 * seconds
            self.consecutive_failures = 0
            self.half_open = False
            self.open_until = 0.0
        else:
            self.consecutive_failures += 1
            if self.half_open or self.consecutive_failures >= self.failure_threshold:
                self.open_until = now + self.cooldown
                self.half_open = False

    @property
    def circuit_open(self) -> bool:
        return time.monotonic() < self.open_until

    def probe_due(self) -> bool:
        """A cooled-down open circuit lets one probe through (half-open)."""
        return self.open_until != 0.0 and not self.circuit_open

    @property
    def error_rate(self) -> float:
        return sum(1 for _, ok, _ in self.window if not ok) / len(self.window) if self.window else 0.0

    @property
    def throttle_rate(self) -> float:
        return sum(1 for _, _, t in self.window if t) / len(self.window) if self.window else 0.0

    @property
    def up(self) -> bool:
        return not self.circuit_open

    def score(self) -> float:
        """Lower is better: error rate dominates, then latency."""
        return self.error_rate * 10 + self.throttle_rate * 5 + (self.latency_ewma or 0.0)


class RpcClient:
    """JSON-RPC over HTTP for one chain, across its endpoints."""

    def __init__(
        self,
        chain: ChainSpec,
        *,
        policy: RetryPolicy | None = None,
        observer: RpcObserver | None = None,
        session: aiohttp.ClientSession | None = None,
        connections: int = 64,
    ) -> None:
        self.chain = chain
        self.policy = policy or RetryPolicy()
        self.observer: RpcObserver = observer or NullObserver()
        self.health = {e.name: EndpointHealth(e) for e in chain.endpoints}
        self._session = session
        self._owns_session = session is None
        self._connections = connections
        self._ids = itertools.count(1)
        self.http_requests = 0  # every HTTP request sent: the round-trip count tests and bench read

    # -- lifetime ---------------------------------------------------------

    async def __aenter__(self) -> RpcClient:
        self._ensure_session()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections, keepalive_timeout=60, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(
                connector=connector,
                json_serialize=json.dumps,
                headers={"Content-Type": "application/json", "User-Agent": "txdiag"},
            )
            self._owns_session = True
        return self._session

    async def close(self) -> None:
        if self._session is not None and self._owns_session and not self._session.closed:
            await self._session.close()

    # -- endpoint choice --------------------------------------------------

    @property
    def endpoint_names(self) -> list[str]:
        return [e.name for e in self.chain.endpoints]

    def ordered_endpoints(self, *, avoid: Sequence[str] = (), min_head: int | None = None) -> list[EndpointHealth]:
        """Usable endpoints, healthiest first; open circuits last (a probe), lagging ones excluded."""
        candidates = [h for h in self.health.values() if h.endpoint.name not in avoid]
        if min_head is not None:
            fresh = [h for h in candidates if h.head is None or h.head >= min_head]
            candidates = fresh or candidates
        closed = sorted((h for h in candidates if not h.circuit_open), key=lambda h: h.score())
        # cooled-down circuits are tried first among the rest so they can recover
        opened = sorted((h for h in candidates if h.circuit_open), key=lambda h: h.open_until)
        return closed + opened

    def note_head(self, endpoint: str, head: int) -> None:
        h = self.health.get(endpoint)
        if h is not None and (h.head is None or head >= h.head):
            h.head = head
            h.head_seen_at = time.monotonic()

    def best_head(self) -> int | None:
        heads = [h.head for h in self.health.values() if h.head is not None and h.up]
        return max(heads) if heads else None

    # -- calls ------------------------------------------------------------

    async def call(self, method: str, *params: Any) -> Any:
        """One call; a JSON-RPC error is raised as RpcItemError."""
        (reply,) = await self.batch([Call(method, tuple(params))])
        return reply.unwrap()

    async def batch(
        self,
        calls: Sequence[Call],
        *,
        avoid: Sequence[str] = (),
        min_head: int | None = None,
        only: str | None = None,
    ) -> list[Reply]:
        """Send calls as one JSON-RPC batch per attempt; each item's outcome is its own.

        Raises ChainUnavailable when no endpoint could answer within the deadline
        and the retry budget, DeadlineExceeded when the deadline ran out first.
        """
        if not calls:
            return []
        if not self.chain.endpoints:
            raise ChainUnavailable(self.chain.name, [], "no endpoint is configured (is its variable set?)")
        results: list[Reply | None] = [None] * len(calls)
        pending = list(range(len(calls)))
        tried: list[str] = []
        last_reason = ""
        exclude: set[str] = set(avoid)

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            retry_after = exc.retry_after if isinstance(exc, TransientError) else None
            pause = self.policy.backoff(state.attempt_number, retry_after)
            left = remaining_time()
            if left is not None:
                pause = max(0.0, min(pause, left - 0.05))
            return pause

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.attempts),
            wait=wait,
            retry=retry_if_exception_type(TransientError),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    left = remaining_time()
                    if left is not None and left <= 0:
                        raise DeadlineExceeded(0)
                    order = self._pick(exclude, min_head, only)
                    if order is None:
                        # every endpoint was excluded this round: start again from the healthiest
                        exclude = set(avoid)
                        order = self._pick(exclude, min_head, only)
                    if order is None:
                        raise ChainUnavailable(self.chain.name, tried or self.endpoint_names, last_reason)
                    health = order
                    name = health.endpoint.name
                    if name not in tried:
                        tried.append(name)
                    try:
                        retry_items = await self._attempt(health, calls, pending, results)
                    except TransientError as exc:
                        last_reason = exc.reason
                        self.observer.on_retry(self.chain.name, exc.reason)
                        if only is None and len(self.health) > 1:
                            exclude.add(name)
                        raise
                    pending = retry_items
                    if pending:
                        reason = "rate_limited_item"
                        last_reason = reason
                        self.observer.on_retry(self.chain.name, reason)
                        if only is None and len(self.health) > 1:
                            exclude.add(name)
                        raise TransientError(reason, name)
        except TransientError as exc:
            if exc.reason == "rate_limited_item" and all(r is not None for r in results):
                # the node answered; some items stayed throttled or unavailable: they are data
                return [r for r in results if r is not None]
            left = remaining_time()
            if left is not None and left <= 0.05:
                raise DeadlineExceeded(0) from exc
            raise ChainUnavailable(self.chain.name, tried, last_reason) from exc
        except DeadlineExceeded as exc:
            raise DeadlineExceeded(0) from exc
        return [r if r is not None else Reply(error=RpcItemError(-1, "no answer")) for r in results]

    def _pick(self, exclude: set[str], min_head: int | None, only: str | None) -> EndpointHealth | None:
        if only is not None:
            return self.health.get(only)
        order = self.ordered_endpoints(avoid=sorted(exclude), min_head=min_head)
        return order[0] if order else None

    async def _attempt(
        self, health: EndpointHealth, calls: Sequence[Call], pending: list[int], results: list[Reply | None]
    ) -> list[int]:
        """One HTTP attempt for the still-pending items; returns the items to retry."""
        retry: list[int] = []
        chunks = [pending[i : i + self.policy.max_batch] for i in range(0, len(pending), self.policy.max_batch)]
        outcomes = await asyncio.gather(
            *(self._post_chunk(health, [calls[i] for i in chunk]) for chunk in chunks), return_exceptions=True
        )
        transient: TransientError | None = None
        for chunk, outcome in zip(chunks, outcomes, strict=True):
            if isinstance(outcome, TransientError):
                transient = outcome
                retry.extend(chunk)
                continue
            if isinstance(outcome, BaseException):
                raise outcome
            for i, reply in zip(chunk, outcome, strict=True):
                err = reply.error
                if err is not None and (err.rate_limited or err.missing_data):
                    retry.append(i)
                    results[i] = reply  # kept if no later attempt does better
                else:
                    results[i] = reply
        if transient is not None and len(retry) == len(pending):
            raise transient
        return sorted(retry) if retry else []

    async def _post_chunk(self, health: EndpointHealth, calls: list[Call]) -> list[Reply]:
        if health.no_batch and len(calls) > 1:
            replies = await asyncio.gather(*(self._post(health, [c], as_batch=False) for c in calls))
            return [r[0] for r in replies]
        return await self._post(health, calls, as_batch=len(calls) > 1)

    async def _post(self, health: EndpointHealth, calls: list[Call], *, as_batch: bool) -> list[Reply]:
        ids = [next(self._ids) for _ in calls]
        items = [
            {"jsonrpc": "2.0", "id": i, "method": c.method, "params": list(c.params)}
            for i, c in zip(ids, calls, strict=True)
        ]
        methods = [c.method for c in calls]
        decoded, elapsed = await self._send(health, items if as_batch else items[0], methods)
        if as_batch and isinstance(decoded, dict) and decoded.get("error") is not None:
            # the endpoint refused the batch as a whole: ask it item by item from now on
            health.no_batch = True
            self._observe(health, methods, "batch_refused", elapsed)
            singles = await asyncio.gather(*(self._post(health, [c], as_batch=False) for c in calls))
            return [r[0] for r in singles]
        replies = self._parse(health, decoded, ids, calls, elapsed)
        if all(r.error is not None and r.error.code == _NO_ANSWER for r in replies):
            self._fail(health, [], "malformed", elapsed)
            raise TransientError("malformed_response", health.endpoint.name)
        throttled = any(r.error is not None and r.error.rate_limited for r in replies)
        was_down = not health.up or health.probe_due()
        health.record(ok=not throttled, seconds=elapsed, throttled=throttled)
        if was_down and health.up:
            self.observer.on_endpoint_up(self.chain.name, health.endpoint.name, True)
        return replies

    async def _send(self, health: EndpointHealth, body: Any, methods: list[str]) -> tuple[Any, float]:
        """One HTTP POST; transport faults and unusable answers become TransientError."""
        session = self._ensure_session()
        ep = health.endpoint
        timeout = self.policy.attempt_timeout
        left = remaining_time()
        if left is not None:
            timeout = max(0.01, min(timeout, left))
        started = time.monotonic()
        self.http_requests += 1
        try:
            async with session.post(
                ep.url, data=json.dumps(body), timeout=aiohttp.ClientTimeout(total=timeout)
            ) as resp:
                raw = await resp.read()
                status = resp.status
                retry_after = _retry_after(resp.headers.get("Retry-After"))
        except TimeoutError as exc:
            self._fail(health, methods, "timeout", time.monotonic() - started)
            raise TransientError("timeout", ep.name) from exc
        except aiohttp.ClientError as exc:
            self._fail(health, methods, "connection_error", time.monotonic() - started)
            raise TransientError("connection_error", ep.name) from exc
        elapsed = time.monotonic() - started
        self.observer.on_http(self.chain.name, ep.name, elapsed)
        if status == 429:
            self._fail(health, methods, "http_429", elapsed, throttled=True)
            raise TransientError("http_429", ep.name, retry_after)
        if status >= 500:
            self._fail(health, methods, "http_5xx", elapsed)
            raise TransientError(f"http_{status}", ep.name, retry_after)
        if status >= 400 and not raw.lstrip().startswith((b"{", b"[")):
            # a bad key or a blocked client: this endpoint cannot serve us; others may
            self._fail(health, methods, "http_4xx", elapsed)
            raise TransientError(f"http_{status}", ep.name)
        try:
            return json.loads(raw), elapsed
        except ValueError as exc:
            self._fail(health, methods, "malformed", elapsed)
            raise TransientError("malformed_response", ep.name) from exc

    def _parse(
        self, health: EndpointHealth, decoded: Any, ids: list[int], calls: list[Call], elapsed: float
    ) -> list[Reply]:
        """Match answers to calls by id; each item's error stays with that item."""
        name = health.endpoint.name
        objects = decoded if isinstance(decoded, list) else [decoded]
        by_id = {obj["id"]: obj for obj in objects if isinstance(obj, dict) and "id" in obj}
        replies: list[Reply] = []
        for i, call in zip(ids, calls, strict=True):
            obj = by_id.get(i)
            if obj is None and len(calls) == 1 and isinstance(decoded, dict):
                obj = decoded  # some nodes echo ids loosely
            if obj is None:
                replies.append(Reply(error=RpcItemError(_NO_ANSWER, "no answer for this call"), endpoint=name))
                continue
            err = obj.get("error")
            if err is not None:
                item = _item_error(err)
                replies.append(Reply(error=item, endpoint=name))
                outcome = "rate_limited" if item.rate_limited else "error"
            else:
                replies.append(Reply(value=obj.get("result"), endpoint=name))
                outcome = "ok"
            self.observer.on_request(self.chain.name, name, _method_label(call.method), outcome, elapsed)
        return replies

    def _fail(
        self, health: EndpointHealth, methods: list[str], outcome: str, elapsed: float, *, throttled: bool = False
    ) -> None:
        was_up = health.up
        health.record(ok=False, seconds=elapsed, throttled=throttled)
        self._observe(health, methods, outcome, elapsed)
        if was_up and not health.up:
            log.warning("chain %s: endpoint %s taken out after failures", self.chain.name, health.endpoint.name)
            self.observer.on_endpoint_up(self.chain.name, health.endpoint.name, False)

    def _observe(self, health: EndpointHealth, methods: list[str], outcome: str, elapsed: float) -> None:
        for m in methods:
            self.observer.on_request(self.chain.name, health.endpoint.name, _method_label(m), outcome, elapsed)


_KNOWN_METHOD_PREFIXES = ("eth_", "debug_", "txpool_", "net_", "web3_", "ots_", "trace_", "anvil_", "evm_")


def _method_label(method: str) -> str:
    """Bound the metric label: our own calls only ever use known namespaces."""
    return method if method.startswith(_KNOWN_METHOD_PREFIXES) and len(method) <= 48 else "other"


def _item_error(err: Any) -> RpcItemError:
    if isinstance(err, dict):
        code = err.get("code")
        message = err.get("message")
        return RpcItemError(
            code if isinstance(code, int) else -32603,
            message if isinstance(message, str) else "unknown error",
            err.get("data"),
        )
    return RpcItemError(-32603, str(err)[:200])


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
