"""The one I/O seam: a JSON-RPC client per chain.

Each client keeps one pooled keep-alive aiohttp session, sends calls as
JSON-RPC batches whose items succeed or fail independently, bounds every
attempt by the caller's deadline, retries transient faults only (one tenacity
policy, exponential backoff with jitter, Retry-After honoured), and fails over
across the chain's endpoints in order of health.

Fault taxonomy, decided once here:

    transport error, timeout, HTTP 429 / 5xx, malformed body   -> transient: retry, prefer another endpoint
    HTTP 3xx / 4xx whatever the body (bad key, redirect)       -> endpoint unusable: fail over, no retry there
    a body over ``max_response_bytes`` (after decompression)   -> endpoint fault, like a malformed body
    one error object answering a whole batch                   -> "batch unsupported" (-32600/-32601/"batch"):
                                                                  ask item by item; else an endpoint fault
    JSON-RPC rate-limit item (-32005, 429; "rate limit" text   -> that item is retried; it does not count
      only for server codes -32000..-32099, never reverts)        toward the endpoint's circuit
    JSON-RPC "missing data" item (header/trie not found)       -> that item is asked of another endpoint
    any other JSON-RPC error (revert, invalid params, a log    -> deterministic: returned to the caller as data
      range too wide, ...)

Reasons carried by TransientError and ChainUnavailable are fixed labels
("http_401", "timeout", "malformed_response", "rpc_error -32000"), never a
node's own text, which may quote a URL or a key.

Endpoint health: each endpoint keeps a rolling window of outcomes (error
rate, throttle rate, p90 latency), its last reported head and a circuit
breaker (closed -> open after ``failure_threshold`` failures in a row ->
half-open after ``cooldown``, when one background probe decides). Endpoints
more than the chain's ``lag_tolerance`` behind the best head go last, and are
left out of calls pinned to a block they do not have. On chains with
``hedge = true`` a read that takes longer than the endpoint's own p90 latency
(times a factor, with a floor) is sent to a second endpoint as well; the first
good answer wins and the other request is cancelled.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import contextvars
import itertools
import json
import logging
import math
import random
import re
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any, Protocol

import aiohttp
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt, stop_any
from tenacity.stop import stop_base

from txdiag.chains import ChainSpec, Endpoint
from txdiag.errors import ChainUnavailable, DeadlineExceeded
from txdiag.wire import WireError, parse_block_head, quantity

log = logging.getLogger(__name__)

_deadline: ContextVar[float | None] = ContextVar("txdiag_rpc_deadline", default=None)

RATE_LIMIT_CODES = frozenset({-32005, -32029, -32090, 429})
_RATE_LIMIT_TEXT = ("rate limit", "too many requests", "capacity", "exceeded the quota", "throttl")
_MISSING_DATA_TEXT = ("header not found", "missing trie node", "unknown block", "state not available", "pruned")
# a request too wide for the provider (eth_getLogs): the same request fails the same way; the caller narrows it
_RANGE_TEXT = (
    "returned more than",
    "more than 10000 results",
    "too many results",
    "block range",
    "range too large",
    "range is too large",
    "response size",
)
# methods whose errors describe the call itself (a revert's message is the contract's own text)
_CALL_METHODS = frozenset({"eth_call", "eth_estimateGas", "eth_createAccessList", "eth_simulateV1", "debug_traceCall"})
_SERVER_CODES = range(-32099, -32000 + 1)  # JSON-RPC's implementation-defined server errors
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
MAX_RETRY_AFTER = 86_400.0  # a Retry-After beyond a day is nonsense; never wait (or mark) longer
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
    """A JSON-RPC error object returned for one call (``method``: the call's method, when known)."""

    def __init__(self, code: int, message: str, data: Any = None, *, method: str = "") -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.data = data
        self.method = method

    @property
    def label(self) -> str:
        """A fixed, bounded name of this error for messages and logs: never the node's own text."""
        code = self.code if -(2**31) <= self.code < 2**31 else "other"
        return f"rpc_error {code}"

    @property
    def deterministic(self) -> bool:
        """An answer about the call itself (a revert, a range too wide): asking again, anywhere, gives the same."""
        text = self.message.lower()
        revert_data = isinstance(self.data, str) and self.data.startswith("0x")
        return self.code == 3 or "revert" in text or revert_data or any(t in text for t in _RANGE_TEXT)

    @property
    def rate_limited(self) -> bool:
        """The provider throttled this item: by its code, or by its text for a server error carrying no data."""
        if self.deterministic:
            return False
        if self.code in RATE_LIMIT_CODES:
            return True
        if self.data is not None or self.method in _CALL_METHODS or self.code not in _SERVER_CODES:
            return False  # a contract's or a client's own words may mention rate limits
        text = self.message.lower()
        return any(t in text for t in _RATE_LIMIT_TEXT)

    @property
    def missing_data(self) -> bool:
        if self.deterministic:
            return False
        text = self.message.lower()
        return any(t in text for t in _MISSING_DATA_TEXT)

    @property
    def unsupported(self) -> bool:
        if self.code == METHOD_NOT_FOUND:
            return True
        if self.deterministic:
            return False  # "execution reverted: token does not exist" is the contract speaking
        text = self.message.lower()
        return "not supported" in text or "does not exist" in text

    @property
    def refuses_batch(self) -> bool:
        """An error answering a whole batch that says batches are not accepted here."""
        return self.code in (INVALID_REQUEST, METHOD_NOT_FOUND) or "batch" in self.message.lower()


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
    def on_head_lag(self, chain: str, endpoint: str, blocks: int) -> None: ...


class NullObserver:
    def on_request(self, chain: str, endpoint: str, method: str, outcome: str, seconds: float) -> None:
        pass

    def on_http(self, chain: str, endpoint: str, seconds: float) -> None:
        pass

    def on_retry(self, chain: str, reason: str) -> None:
        pass

    def on_endpoint_up(self, chain: str, endpoint: str, up: bool) -> None:
        pass

    def on_head_lag(self, chain: str, endpoint: str, blocks: int) -> None:
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
    """Every knob of retrying, failover, circuit breaking and hedging, in one place."""

    attempts: int = 4
    initial_backoff: float = 0.05
    max_backoff: float = 2.0
    max_retry_after: float = 5.0  # a longer Retry-After means: use another endpoint, or give up
    attempt_timeout: float = 5.0  # one HTTP attempt, before the overall deadline
    max_batch: int = 100  # items per HTTP request; larger batches are split
    failure_threshold: int = 3  # consecutive failures that open an endpoint's circuit
    cooldown: float = 5.0  # seconds an open circuit rests before a half-open probe
    recheck_after: float = 1.0  # a failing endpoint (circuit still closed) is probed again after this
    probe_timeout: float = 1.0  # one background probe (eth_blockNumber)
    head_wait: float = 0.3  # how long round 1 waits for the other endpoints' heads
    hedge_floor: float = 0.05  # never hedge sooner than this
    hedge_initial: float = 0.25  # hedge delay before an endpoint has enough latency samples
    hedge_factor: float = 1.5  # hedge after this many times the endpoint's own p90 latency
    window: float = 60.0  # seconds of outcomes behind error rate, throttle rate and p90
    deadline_margin: float = 0.1  # attempts stop this long before the deadline, so failures name endpoints
    max_response_bytes: int = 32 * 1024 * 1024  # one answer, decompressed; a larger one is an endpoint fault

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Exponential backoff with full jitter; Retry-After when it is sooner than giving up."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        ceiling = min(self.max_backoff, self.initial_backoff * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not cryptography


class Circuit(StrEnum):
    CLOSED = "closed"  # in use
    OPEN = "open"  # taken out after repeated failures, cooling down
    HALF_OPEN = "half_open"  # cooled down: one probe decides


@dataclass(frozen=True, slots=True)
class Sample:
    at: float
    ok: bool
    throttled: bool
    seconds: float


@dataclass(slots=True)
class EndpointHealth:
    """Rolling view of one endpoint: outcomes, latency, circuit state, head."""

    endpoint: Endpoint
    window: deque[Sample] = field(default_factory=lambda: deque(maxlen=200))
    latency_ewma: float | None = None
    consecutive_failures: int = 0
    last_failure: float = 0.0
    open_until: float = 0.0  # 0.0 while the circuit is closed
    head: int | None = None  # the head this endpoint last reported
    head_seen_at: float = 0.0
    throttled_until: float = 0.0  # Retry-After: do not ask before this
    no_batch: bool = False
    # eth_chainId is asked once, in the first request an endpoint serves; one serving another chain is never used
    chain_checked: bool = False
    wrong_chain: bool = False
    failure_threshold: int = 3
    cooldown: float = 5.0
    window_seconds: float = 60.0
    reported_up: bool | None = None  # what the observer was last told

    @property
    def name(self) -> str:
        return self.endpoint.name

    def record(self, ok: bool, seconds: float, throttled: bool = False, retry_after: float | None = None) -> None:
        """One attempt's outcome: success closes the circuit; repeated failures (or one when half-open) open it."""
        now = time.monotonic()
        self.window.append(Sample(now, ok, throttled, seconds))
        if ok:
            self._latency(seconds)
            self.consecutive_failures = 0
            self.open_until = 0.0
        else:
            self.consecutive_failures += 1
            self.last_failure = now
            if self.open_until or self.consecutive_failures >= self.failure_threshold:
                self.open_until = now + self.cooldown
        if retry_after is not None:
            self.throttled_until = now + retry_after

    def note_slow(self, seconds: float) -> None:
        """A hedged request this endpoint lost: it is, for now, at least this slow."""
        self.latency_ewma = max(self.latency_ewma or 0.0, seconds)

    def _latency(self, seconds: float) -> None:
        self.latency_ewma = seconds if self.latency_ewma is None else 0.8 * self.latency_ewma + 0.2 * seconds

    @property
    def state(self) -> Circuit:
        if not self.open_until:
            return Circuit.CLOSED
        return Circuit.OPEN if time.monotonic() < self.open_until else Circuit.HALF_OPEN

    @property
    def circuit_open(self) -> bool:
        return self.state is Circuit.OPEN

    @property
    def up(self) -> bool:
        """Closed circuit: the endpoint is in normal use."""
        return self.state is Circuit.CLOSED

    def recent(self) -> list[Sample]:
        cutoff = time.monotonic() - self.window_seconds
        return [s for s in self.window if s.at >= cutoff]

    @property
    def error_rate(self) -> float:
        recent = self.recent()
        return sum(1 for s in recent if not s.ok) / len(recent) if recent else 0.0

    @property
    def throttle_rate(self) -> float:
        recent = self.recent()
        return sum(1 for s in recent if s.throttled) / len(recent) if recent else 0.0

    def latency_p90(self) -> float | None:
        """The 90th percentile of recent successful latencies; None with fewer than five."""
        oks = sorted(s.seconds for s in self.recent() if s.ok)
        if len(oks) < 5:
            return None
        return oks[math.ceil(0.9 * len(oks)) - 1]

    @property
    def head_age(self) -> float | None:
        """Seconds since this endpoint last reported its head."""
        return None if self.head is None else time.monotonic() - self.head_seen_at

    def hedge_after(self, policy: RetryPolicy) -> float:
        """How long to wait for this endpoint before asking a second one as well."""
        p90 = self.latency_p90()
        delay = policy.hedge_initial if p90 is None else p90 * policy.hedge_factor
        return min(max(policy.hedge_floor, delay), policy.attempt_timeout / 2)

    def score(self) -> float:
        """Lower is better: error rate dominates, then throttling, then latency."""
        return self.error_rate * 10 + self.throttle_rate * 5 + (self.latency_ewma or 0.0)


@dataclass(frozen=True, slots=True)
class _Outcome:
    """One attempt's answers by call index, and the items to ask again."""

    endpoint: str
    replies: dict[int, Reply]
    retry: list[int]


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
        self.health = {
            e.name: EndpointHealth(
                e,
                failure_threshold=self.policy.failure_threshold,
                cooldown=self.policy.cooldown,
                window_seconds=self.policy.window,
            )
            for e in chain.endpoints
        }
        self._session = session
        self._owns_session = session is None
        self._connections = connections
        self._ids = itertools.count(1)
        self._probes: dict[str, asyncio.Task[None]] = {}
        self.http_requests = 0  # HTTP requests on a caller's path: the round-trip count tests and bench read
        self.background_requests = 0  # health and head probes, off the caller's path
        self.hedges = 0  # reads sent to a second endpoint because the first was slow

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
        probes = list(self._probes.values())
        for task in probes:
            task.cancel()
        await asyncio.gather(*probes, return_exceptions=True)
        if self._session is not None and self._owns_session and not self._session.closed:
            await self._session.close()

    # -- endpoint choice --------------------------------------------------

    @property
    def endpoint_names(self) -> list[str]:
        return [e.name for e in self.chain.endpoints]

    def ordered_endpoints(self, *, avoid: Sequence[str] = (), min_head: int | None = None) -> list[EndpointHealth]:
        """Endpoints by health, best first.

        Closed circuits first (fresh before lagging, unthrottled before
        throttled, then by score), then cooled-down ones awaiting their probe,
        then open ones as a last resort, soonest to cool down first. With
        ``min_head``, endpoints known to be below it are left out unless no
        endpoint is at it.
        """
        candidates = [h for h in self.health.values() if h.name not in avoid and not h.wrong_chain]
        if min_head is not None:
            fresh = [h for h in candidates if h.head is None or h.head >= min_head]
            candidates = fresh or candidates
        now = time.monotonic()

        def key(h: EndpointHealth) -> tuple[int, float, bool, bool, float]:
            state = h.state
            if state is Circuit.CLOSED:
                tier = 0
            elif state is Circuit.HALF_OPEN and h.name not in self._probes:
                tier = 1
            else:
                tier = 2
            return (
                tier,
                h.open_until if tier == 2 else 0.0,
                self.is_lagging(h.name),
                h.throttled_until > now,
                h.score(),
            )

        return sorted(candidates, key=key)

    def note_head(self, endpoint: str, head: int, *, at_least: bool = False) -> None:
        """An endpoint reported its head (``at_least``: it showed a block this high, e.g. in a receipt)."""
        h = self.health.get(endpoint)
        if h is None or (at_least and h.head is not None and head <= h.head):
            return
        h.head = head
        h.head_seen_at = time.monotonic()
        best = self.best_head()
        if best is None:
            return
        for other in self.health.values():
            if other.head is not None:
                self.observer.on_head_lag(self.chain.name, other.name, max(0, best - other.head))

    def best_head(self) -> int | None:
        """The highest head any endpoint reported: a lower bound of the chain's real head."""
        heads = [h.head for h in self.health.values() if h.head is not None and not h.wrong_chain]
        return max(heads) if heads else None

    def fresh_floor(self) -> int | None:
        """The lowest head an endpoint may have and still be asked for block-pinned data."""
        best = self.best_head()
        return None if best is None else best - self.chain.lag_tolerance

    def is_lagging(self, endpoint: str) -> bool:
        """Whether the endpoint is known to trail the best head by more than the chain tolerates."""
        h = self.health.get(endpoint)
        best = self.best_head()
        return h is not None and h.head is not None and best is not None and best - h.head > self.chain.lag_tolerance

    # -- background probes --------------------------------------------------

    def maintain(self) -> list[asyncio.Task[None]]:
        """Start the background probes that are due; returns those refreshing a stale head.

        A probe (one eth_blockNumber, off the caller's path) goes to a
        half-open endpoint (its success closes the circuit), to a failing one
        after ``recheck_after`` (so failures add up to an open circuit even
        when healthier endpoints take the traffic), and, on chains with more
        than one endpoint, to every endpoint but the first whose head is
        unknown or older than two block times, so the best head is known.
        """
        now = time.monotonic()
        multi = len(self.health) > 1
        first = self.ordered_endpoints()[0].name if multi and self.health else None
        head_ttl = max(1.0, 2 * self.chain.block_time)
        refreshing: list[asyncio.Task[None]] = []
        for h in self.health.values():
            if h.name in self._probes:
                continue
            state = h.state
            due = state is Circuit.HALF_OPEN or (
                state is Circuit.CLOSED
                and h.consecutive_failures > 0
                and now - h.last_failure >= self.policy.recheck_after
            )
            stale = multi and h.name != first and state is not Circuit.OPEN
            stale = stale and (h.head_age is None or h.head_age >= head_ttl)
            if not (due or stale):
                continue
            # a fresh context: the probe is bounded by its own timeout, not by a caller's deadline
            task = asyncio.create_task(self._probe(h), context=contextvars.Context())
            self._probes[h.name] = task
            task.add_done_callback(self._probe_done)
            if stale:
                refreshing.append(task)
        return refreshing

    async def wait_for_heads(self, probes: Sequence[asyncio.Task[None]], started: float) -> None:
        """Give head probes started with round 1 until ``head_wait`` after it began; never longer."""
        left = self.policy.head_wait - (time.monotonic() - started)
        pending = [p for p in probes if not p.done()]
        if pending and left > 0:
            await asyncio.wait(pending, timeout=left)

    def _probe_done(self, task: asyncio.Task[None]) -> None:
        for name, probe in list(self._probes.items()):
            if probe is task:
                del self._probes[name]

    async def _probe(self, health: EndpointHealth) -> None:
        calls = [Call("eth_blockNumber")]
        if not health.chain_checked:
            calls.append(Call("eth_chainId"))  # a head from another chain must never become the best head
        try:
            replies = await self._post(
                health, calls, as_batch=len(calls) > 1, limit=self.policy.probe_timeout, background=True
            )
            if len(replies) > 1:
                self._check_chain(health, replies[1])
        except TransientError:
            pass  # recorded in the endpoint's health already
        except Exception:  # a probe must never take the process down; it only informs health
            log.debug("chain %s: probe of %s failed", self.chain.name, health.name, exc_info=True)

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

        ``avoid`` names endpoints not to ask, ``min_head`` leaves out endpoints
        known to be below that block, ``only`` asks one endpoint and nothing
        else. Raises ChainUnavailable when no endpoint could answer within the
        deadline and the retry budget (naming the endpoints tried), and
        DeadlineExceeded when the deadline had run out before any attempt.
        """
        if not calls:
            return []
        if not self.chain.endpoints:
            raise ChainUnavailable(self.chain.name, [], "no endpoint is configured (is its variable set?)")
        self.maintain()
        return await _BatchRun(self, calls, avoid, min_head, only).run()

    async def attempt(
        self, health: EndpointHealth, calls: Sequence[Call], pending: list[int], limit: float | None = None
    ) -> _Outcome:
        """One HTTP attempt (split into chunks of ``max_batch``) for the still-pending items."""
        retry: list[int] = []
        replies: dict[int, Reply] = {}
        chunks = [pending[i : i + self.policy.max_batch] for i in range(0, len(pending), self.policy.max_batch)]
        outcomes = await asyncio.gather(
            *(self._post_chunk(health, [calls[i] for i in chunk], limit) for chunk in chunks), return_exceptions=True
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
                replies[i] = reply  # a throttled item's error is kept unless a later attempt does better
                err = reply.error
                if err is not None and (err.rate_limited or err.missing_data):
                    retry.append(i)
        if transient is not None and len(retry) == len(pending):
            raise transient
        return _Outcome(health.name, replies, sorted(retry))

    async def _post_chunk(self, health: EndpointHealth, calls: list[Call], limit: float | None) -> list[Reply]:
        if not health.chain_checked:
            # one more item in the same request, not another round trip
            replies = await self._post_chunk_as_is(health, [*calls, Call("eth_chainId")], limit)
            self._check_chain(health, replies.pop())
            return replies
        return await self._post_chunk_as_is(health, calls, limit)

    def _check_chain(self, health: EndpointHealth, reply: Reply) -> None:
        """An endpoint that serves another chain (a mistyped URL or variable) is taken out for good."""
        if not reply.ok or not isinstance(reply.value, str):
            return  # asked again next time; an endpoint without eth_chainId is not condemned for it
        try:
            served = int(reply.value, 16)
        except ValueError:
            return
        if served == self.chain.chain_id:
            health.chain_checked = True
            return
        health.wrong_chain = True
        health.head = None  # noted from this same answer a moment ago: another chain's head is meaningless here
        log.warning(
            "chain %s: endpoint %s serves chain id %d, not %d: not used",
            self.chain.name,
            health.name,
            served,
            self.chain.chain_id,
        )
        self.observer.on_endpoint_up(self.chain.name, health.name, False)
        raise TransientError("wrong_chain_id", health.name)

    async def _post_chunk_as_is(self, health: EndpointHealth, calls: list[Call], limit: float | None) -> list[Reply]:
        if health.no_batch and len(calls) > 1:
            replies = await asyncio.gather(*(self._post(health, [c], as_batch=False, limit=limit) for c in calls))
            return [r[0] for r in replies]
        return await self._post(health, calls, as_batch=len(calls) > 1, limit=limit)

    async def _post(
        self,
        health: EndpointHealth,
        calls: list[Call],
        *,
        as_batch: bool,
        limit: float | None = None,
        background: bool = False,
    ) -> list[Reply]:
        ids = [next(self._ids) for _ in calls]
        items = [
            {"jsonrpc": "2.0", "id": i, "method": c.method, "params": list(c.params)}
            for i, c in zip(ids, calls, strict=True)
        ]
        methods = [c.method for c in calls]
        body = items if as_batch else items[0]
        decoded, elapsed = await self._send(health, body, methods, limit=limit, background=background)
        if as_batch and isinstance(decoded, dict) and decoded.get("error") is not None:
            whole = _item_error(decoded["error"])
            if not whole.refuses_batch:
                # one error for the whole batch (a key, quota or server fault): this endpoint failed
                self._fail(health, methods, "batch_error", elapsed, throttled=whole.rate_limited)
                raise TransientError(whole.label, health.name)
            # the endpoint does not take batches: ask it item by item from now on
            health.no_batch = True
            self._observe(health, methods, "batch_refused", elapsed)
            singles = await asyncio.gather(
                *(self._post(health, [c], as_batch=False, limit=limit, background=background) for c in calls)
            )
            return [r[0] for r in singles]
        try:
            replies = self._parse(health, decoded, ids, calls, elapsed)
        except Exception as exc:  # whatever shape the body had, it is this endpoint's fault, not the caller's
            self._fail(health, methods, "malformed", elapsed)
            raise TransientError("malformed_response", health.name) from exc
        if all(r.error is not None and r.error.code == _NO_ANSWER for r in replies):
            self._fail(health, [], "malformed", elapsed)
            raise TransientError("malformed_response", health.name)
        # a throttled item is not a failed endpoint: it answered; only the ordering learns of it
        throttled = any(r.error is not None and r.error.rate_limited for r in replies)
        health.record(ok=True, seconds=elapsed, throttled=throttled)
        self._report_up(health)
        return replies

    async def _send(
        self, health: EndpointHealth, body: Any, methods: list[str], *, limit: float | None, background: bool
    ) -> tuple[Any, float]:
        """One HTTP POST; transport faults and unusable answers become TransientError."""
        session = self._ensure_session()
        ep = health.endpoint
        seconds = self.policy.attempt_timeout if limit is None else limit
        left = remaining_time()
        if left is not None:
            seconds = max(0.01, min(seconds, left - self.policy.deadline_margin))
        started = time.monotonic()
        if background:
            self.background_requests += 1
        else:
            self.http_requests += 1
        raw: bytes | None = None
        try:
            async with session.post(
                ep.url,
                data=json.dumps(body),
                timeout=aiohttp.ClientTimeout(total=seconds),
                allow_redirects=False,  # a node's redirect may point anywhere; only configured URLs are asked
            ) as resp:
                status = resp.status
                retry_after = _retry_after(resp.headers.get("Retry-After"))
                if 200 <= status < 300:
                    raw = await _read_bounded(resp, self.policy.max_response_bytes)
        except TimeoutError as exc:
            self._fail(health, methods, "timeout", time.monotonic() - started)
            raise TransientError("timeout", ep.name) from exc
        except aiohttp.ClientError as exc:
            self._fail(health, methods, "connection_error", time.monotonic() - started)
            raise TransientError("connection_error", ep.name) from exc
        elapsed = time.monotonic() - started
        self.observer.on_http(self.chain.name, ep.name, elapsed)
        reason = f"http_{status}" if 100 <= status <= 999 else "http_other"
        if status == 429:
            self._fail(health, methods, "http_429", elapsed, throttled=True, retry_after=retry_after)
            raise TransientError(reason, ep.name, retry_after)
        if status >= 500:
            self._fail(health, methods, "http_5xx", elapsed, retry_after=retry_after)
            raise TransientError(reason, ep.name, retry_after)
        if status >= 400:
            # a bad key or a blocked client, whatever the body says: this endpoint cannot serve us; others may
            self._fail(health, methods, "http_4xx", elapsed)
            raise TransientError(reason, ep.name)
        if not 200 <= status < 300:
            self._fail(health, methods, "http_3xx" if 300 <= status < 400 else "http_other", elapsed)
            raise TransientError(reason, ep.name)
        if raw is None:
            self._fail(health, methods, "oversize", elapsed)
            raise TransientError("oversize_response", ep.name)
        try:
            if _nesting(raw) > MAX_JSON_DEPTH:
                raise ValueError("nested too deep")
            return json.loads(raw), elapsed
        except (ValueError, RecursionError) as exc:
            self._fail(health, methods, "malformed", elapsed)
            raise TransientError("malformed_response", ep.name) from exc

    def _parse(
        self, health: EndpointHealth, decoded: Any, ids: list[int], calls: list[Call], elapsed: float
    ) -> list[Reply]:
        """Match answers to calls by id; each item's error stays with that item. Heads seen are noted."""
        name = health.name
        objects = decoded if isinstance(decoded, list) else [decoded]
        by_id: dict[int | str, dict[str, Any]] = {}
        for obj in objects:
            # only ids we could have sent: a list is unhashable, and True would pass for 1
            if isinstance(obj, dict) and isinstance(obj.get("id"), int | str) and not isinstance(obj["id"], bool):
                by_id[obj["id"]] = obj
        replies: list[Reply] = []
        for i, call in zip(ids, calls, strict=True):
            obj = by_id.get(i)
            if (
                obj is None
                and len(calls) == 1
                and isinstance(decoded, dict)
                and ("result" in decoded or "error" in decoded)
            ):
                obj = decoded  # some nodes echo ids loosely
            if obj is None:
                replies.append(Reply(error=RpcItemError(_NO_ANSWER, "no answer for this call"), endpoint=name))
                continue
            err = obj.get("error")
            if err is not None:
                item = _item_error(err, call.method)
                replies.append(Reply(error=item, endpoint=name))
                outcome = "rate_limited" if item.rate_limited else "error"
            else:
                value = obj.get("result")
                replies.append(Reply(value=value, endpoint=name))
                outcome = "ok"
                head = _head_in(call, value)
                if head is not None:
                    self.note_head(name, head)
            self.observer.on_request(self.chain.name, name, _method_label(call.method), outcome, elapsed)
        return replies

    def _fail(
        self,
        health: EndpointHealth,
        methods: list[str],
        outcome: str,
        elapsed: float,
        *,
        throttled: bool = False,
        retry_after: float | None = None,
    ) -> None:
        health.record(ok=False, seconds=elapsed, throttled=throttled, retry_after=retry_after)
        self._observe(health, methods, outcome, elapsed)
        self._report_up(health)

    def _report_up(self, health: EndpointHealth) -> None:
        """Tell the observer when an endpoint goes in or out of use (only on a change)."""
        up = health.up
        if health.reported_up is up:
            return
        if health.reported_up is not None:
            if up:
                log.info("chain %s: endpoint %s is back", self.chain.name, health.name)
            else:
                log.info("chain %s: endpoint %s taken out after failures", self.chain.name, health.name)
        health.reported_up = up
        self.observer.on_endpoint_up(self.chain.name, health.name, up)

    def _observe(self, health: EndpointHealth, methods: list[str], outcome: str, elapsed: float) -> None:
        for m in methods:
            self.observer.on_request(self.chain.name, health.name, _method_label(m), outcome, elapsed)


class _OutOfTime(stop_base):
    """Stop retrying when the caller's deadline (less a margin) has run out."""

    def __init__(self, margin: float) -> None:
        self.margin = margin

    def __call__(self, retry_state: RetryCallState) -> bool:
        left = remaining_time()
        return left is not None and left <= self.margin


class _BatchRun:
    """One batch() call: the items still pending, the endpoints tried, the tenacity loop around attempts."""

    def __init__(
        self,
        client: RpcClient,
        calls: Sequence[Call],
        avoid: Sequence[str],
        min_head: int | None,
        only: str | None,
    ) -> None:
        self.client = client
        self.policy = client.policy
        self.calls = calls
        self.avoid = set(avoid)
        self.exclude = set(avoid)
        self.min_head = min_head
        self.only = only
        self.results: list[Reply | None] = [None] * len(calls)
        self.pending = list(range(len(calls)))
        self.tried: list[str] = []
        self.last_reason = ""

    async def run(self) -> list[Reply]:
        retrying = AsyncRetrying(
            stop=stop_any(stop_after_attempt(self.policy.attempts), _OutOfTime(self.policy.deadline_margin)),
            wait=self._wait,
            retry=retry_if_exception_type(TransientError),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    await self._attempt_once()
        except TransientError as exc:
            if exc.reason == "rate_limited_item" and all(r is not None for r in self.results):
                # the nodes answered; some items stayed throttled or unavailable: they are data
                return [r for r in self.results if r is not None]
            left = remaining_time()
            reason = exc.reason if left is None or left > self.policy.deadline_margin else f"{exc.reason}; out of time"
            raise self._unavailable(reason) from exc
        return [r if r is not None else Reply(error=RpcItemError(-1, "no answer")) for r in self.results]

    async def _attempt_once(self) -> None:
        left = remaining_time()
        if left is not None and left <= self.policy.deadline_margin:
            if self.tried:
                raise self._unavailable(f"{self.last_reason}; out of time" if self.last_reason else "out of time")
            raise DeadlineExceeded(0)
        health = self._choose()
        if health.name not in self.tried:
            self.tried.append(health.name)
        try:
            partner = self._hedge_partner(health)
            if partner is None:
                outcome = await self.client.attempt(health, self.calls, self.pending, self._limit(health, left))
            else:
                outcome = await self._hedged(health, partner)
        except TransientError as exc:
            self._failed(exc)
            raise
        if outcome.endpoint not in self.tried:
            self.tried.append(outcome.endpoint)
        for i, reply in outcome.replies.items():
            self.results[i] = reply
        self.pending = outcome.retry
        if self.pending:
            throttled = TransientError("rate_limited_item", outcome.endpoint)
            self._failed(throttled)
            raise throttled

    def _limit(self, health: EndpointHealth, left: float | None) -> float | None:
        """Under a deadline, an attempt leaves half the time for an endpoint this call has not tried yet."""
        if left is None or self.only is not None:
            return None
        untried = [h for h in self.client.health.values() if h.name not in self.tried and h.name not in self.avoid]
        if not untried:
            return None
        return min(self.policy.attempt_timeout, max(0.01, (left - self.policy.deadline_margin) / 2))

    def _choose(self) -> EndpointHealth:
        if self.only is not None:
            health = self.client.health.get(self.only)
            if health is None:
                raise self._unavailable("no such endpoint")
            return health
        order = self.client.ordered_endpoints(avoid=sorted(self.exclude), min_head=self.min_head)
        if not order:
            # every endpoint failed this round: start again from the healthiest
            self.exclude = set(self.avoid)
            order = self.client.ordered_endpoints(avoid=sorted(self.exclude), min_head=self.min_head)
        if not order:
            raise self._unavailable(self.last_reason or "no other endpoint to ask")
        return order[0]

    def _failed(self, exc: TransientError) -> None:
        """Note a failed attempt; the endpoint is skipped for the rest of this round."""
        self.last_reason = exc.reason
        if self.only is None and len(self.client.health) > 1:
            self.exclude.add(exc.endpoint)
        if exc.retry_after is not None and exc.retry_after > self.policy.max_retry_after and not self._alternative():
            # the only endpoint left asks for more patience than we may spend: say so now
            raise self._unavailable(f"rate limited; asked to wait {exc.retry_after:g} s") from exc

    def _alternative(self) -> bool:
        """Whether an endpoint not yet excluded, and not asking us to wait, remains."""
        if self.only is not None:
            return False
        now = time.monotonic()
        return any(
            h.throttled_until <= now and not h.circuit_open
            for h in self.client.ordered_endpoints(avoid=sorted(self.exclude))
        )

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        reason = exc.reason if isinstance(exc, TransientError) else "error"
        self.client.observer.on_retry(self.client.chain.name, reason)
        retry_after = exc.retry_after if isinstance(exc, TransientError) else None
        if retry_after is not None and self._alternative():
            retry_after = None  # another endpoint need not wait for this one
        pause = self.policy.backoff(state.attempt_number, retry_after)
        left = remaining_time()
        if left is not None:
            pause = max(0.0, min(pause, left - self.policy.deadline_margin))
        return pause

    def _unavailable(self, reason: str) -> ChainUnavailable:
        return ChainUnavailable(self.client.chain.name, self.tried or self.client.endpoint_names, reason)

    def _hedge_partner(self, primary: EndpointHealth) -> EndpointHealth | None:
        """A healthy second endpoint for a hedged read, on chains that hedge."""
        if not self.client.chain.hedge or self.only is not None:
            return None
        avoid = sorted(self.exclude | {primary.name})
        for h in self.client.ordered_endpoints(avoid=avoid, min_head=self.min_head):
            if h.state is Circuit.CLOSED and not self.client.is_lagging(h.name):
                return h
        return None

    async def _hedged(self, primary: EndpointHealth, partner: EndpointHealth) -> _Outcome:
        """Ask ``primary``; if it is slower than usual, ask ``partner`` too and take the first good answer."""
        delay = primary.hedge_after(self.policy)
        started = time.monotonic()
        first = asyncio.create_task(self.client.attempt(primary, self.calls, self.pending))
        second: asyncio.Task[_Outcome] | None = None
        try:
            done, _ = await asyncio.wait({first}, timeout=delay)
            if done:
                return first.result()
            self.client.hedges += 1
            self.client.observer.on_retry(self.client.chain.name, "hedge")
            second = asyncio.create_task(self.client.attempt(partner, self.calls, self.pending))
            legs = {first: primary, second: partner}
            waiting: set[asyncio.Task[_Outcome]] = {first, second}
            failures: list[TransientError] = []
            while waiting:
                done, waiting = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    exc = task.exception()
                    if exc is None:
                        for loser in waiting:
                            legs[loser].note_slow(time.monotonic() - started)
                        return task.result()
                    if not isinstance(exc, TransientError):
                        raise exc
                    failures.append(exc)
                    self.exclude.add(exc.endpoint)
            raise failures[0]
        finally:
            legs_all = [t for t in (first, second) if t is not None]
            for task in legs_all:
                if not task.done():
                    task.cancel()
            await asyncio.gather(*legs_all, return_exceptions=True)


_KNOWN_METHOD_PREFIXES = ("eth_", "debug_", "txpool_", "net_", "web3_", "ots_", "trace_", "anvil_", "evm_")


def _method_label(method: str) -> str:
    """Bound the metric label: our own calls only ever use known namespaces."""
    return method if method.startswith(_KNOWN_METHOD_PREFIXES) and len(method) <= 48 else "other"


_MAX_MESSAGE = 4096  # characters of a node's error message kept
# json's C decoder recurses once per level, bounded only by sys.getrecursionlimit(); a library that raises
# that limit (some do, to 100000) lets a deeply nested body overflow the C stack and kill the process
MAX_JSON_DEPTH = 512
_JSON_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')
_JSON_STRING = re.compile(rb'"[^"]*"')  # once escapes are gone, a string runs to the next quote
_BRACKET_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


def _nesting(raw: bytes) -> int:
    """How deep arrays and objects nest in a JSON text (brackets in strings do not count); 0 when it cannot be deep."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return 0  # too few to nest too deep: the common case costs two scans in C
    if b"\\" in raw:
        raw = _JSON_ESCAPE.sub(b"", raw)  # an escaped quote must not end a string
    brackets = _JSON_STRING.sub(b"", raw.translate(None, _NOT_STRUCTURE))
    steps = array.array("b", brackets.translate(_BRACKET_STEP))  # +1 opens, -1 closes
    return max(itertools.accumulate(steps), default=0)


def _item_error(err: Any, method: str = "") -> RpcItemError:
    if isinstance(err, dict):
        code = err.get("code")
        message = err.get("message")
        return RpcItemError(
            code if isinstance(code, int) and not isinstance(code, bool) else -32603,
            message[:_MAX_MESSAGE] if isinstance(message, str) else "unknown error",
            err.get("data"),
            method=method,
        )
    return RpcItemError(-32603, str(err)[:200], method=method)


async def _read_bounded(resp: aiohttp.ClientResponse, limit: int) -> bytes | None:
    """The body as the client sees it (decompressed), or None when it is longer than ``limit`` bytes."""
    if resp.content_length is not None and resp.content_length > limit:
        return None
    body = bytearray()
    async for chunk in resp.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date), clamped to [0, one day]; None if unusable."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if math.isnan(seconds):
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER)


def _head_in(call: Call, value: Any) -> int | None:
    """The head an answer reveals: eth_blockNumber, or the latest block."""
    try:
        if call.method == "eth_blockNumber":
            return quantity(value, "block number")
        if call.method == "eth_getBlockByNumber" and call.params[:1] == ("latest",) and value is not None:
            return parse_block_head(value)[0]
    except WireError:
        return None
    return None
