"""The app's protection: API keys, per-client rate buckets, the diagnosis gate, and strict query checks."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import ipaddress
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from txdiag.cache import LRU, SingleFlight
from txdiag.http.limits import client_key
from txdiag.http.problems import Problem
from txdiag.http.state import CLIENT, KEY_ID, UNMATCHED, route_of
from txdiag.metrics import Metrics
from txdiag.service import Service
from txdiag.settings import Settings
from txdiag.status import ChainStatus

MAX_PARAM = 256  # characters of one query value
STATUS_TTL = 1.0  # seconds a health probe of the nodes is reused (bounds node load from /readyz)

_ALLOWED_PARAMS: dict[str, frozenset[str]] = {"/v1/tx/{hash}": frozenset({"chain", "expected_to", "lang"})}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# routes whose handlers check their own query (the page re-shows its form with the error in words)
SELF_CHECKED: web.AppKey[frozenset[str]] = web.AppKey("self_checked_routes")


class TokenBuckets:
    """One token bucket per client: ``rate`` tokens a second, at most ``burst`` saved up.

    The table is bounded: past ``max_clients`` the longest-idle bucket is
    forgotten (it would have refilled anyway unless it was used within the
    last burst/rate seconds).
    """

    def __init__(
        self, rate: float, burst: int, *, max_clients: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: LRU[str, tuple[float, float]] = LRU(max_clients)

    def wait(self, client: str) -> float:
        """What take() would return, without taking: 0 when a token is there."""
        now = self.clock()
        tokens, stamp = self._buckets.get(client, touch=False) or (self.burst, now)
        tokens = min(self.burst, tokens + (now - stamp) * self.rate)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    def take(self, client: str) -> float:
        """0 when the request may go ahead, else the seconds until a token is there."""
        now = self.clock()
        tokens, stamp = self._buckets.get(client) or (self.burst, now)
        tokens = min(self.burst, tokens + (now - stamp) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._buckets.put(client, (tokens, now))
        return wait


class Gate:
    """At most ``running`` diagnoses at once and ``waiting`` queued; past that, 503 at once."""

    def __init__(self, running: int, waiting: int) -> None:
        self._slots = asyncio.Semaphore(running)
        self.max_waiting = waiting
        self.waiting = 0

    @contextlib.asynccontextmanager
    async def slot(self, patience: float) -> AsyncIterator[None]:
        if self._slots.locked():
            if self.waiting >= self.max_waiting:
                raise Problem(503, "too many diagnoses are running; try again shortly", headers={"Retry-After": "1"})
            self.waiting += 1
            try:
                async with asyncio.timeout(patience):
                    await self._slots.acquire()
            except TimeoutError:
                raise Problem(
                    503, "no diagnosis slot became free in time; try again shortly", headers={"Retry-After": "1"}
                ) from None
            finally:
                self.waiting -= 1
        else:
            await self._slots.acquire()
        try:
            yield
        finally:
            self._slots.release()


class StatusCache:
    """The nodes' health, probed at most once per ``ttl`` however many callers ask (single flight)."""

    def __init__(self, service: Service, metrics: Metrics | None, ttl: float = STATUS_TTL) -> None:
        self.service = service
        self.metrics = metrics
        self._value: LRU[str, list[ChainStatus]] = LRU(1, ttl=ttl)
        self._flight: SingleFlight[str, list[ChainStatus]] = SingleFlight(keep=self._value.put)

    async def get(self) -> list[ChainStatus]:
        value = self._value.get("status")
        if value is not None:
            return value
        # shielded: a client that hangs up does not cancel the probe others wait for
        value, _shared = await self._flight.run("status", self._refresh)
        return value

    async def _refresh(self) -> list[ChainStatus]:
        value = await self.service.status()
        if self.metrics is not None:
            for st in value:
                self.metrics.observe_heads(
                    st.name, {e.name: e.head for e in st.endpoints}, {e.name: e.up for e in st.endpoints}
                )
        return value

    async def close(self) -> None:
        await self._flight.close()


class Guard:
    """The app's protective state: API keys, rate limit, concurrency bound, health cache."""

    def __init__(self, service: Service, settings: Settings, metrics: Metrics | None) -> None:
        self.keys = tuple(hashlib.sha256(k.encode()).digest() for k in sorted(settings.api_keys))
        self.buckets = TokenBuckets(settings.rate_per_second, settings.rate_burst)
        # failed authentications per client: key guessing is throttled like everything else, harder
        self.auth_failures = TokenBuckets(settings.auth_failure_rate, settings.auth_failure_burst)
        self.gate = Gate(settings.max_concurrent, settings.max_waiting)
        self.status = StatusCache(service, metrics)
        self.trust_forwarded = settings.trust_forwarded

    def key_id(self, authorization: str | None) -> str | None:
        """A short fingerprint of the presented key when it is valid, else None. Constant-time compare."""
        if not authorization:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        # header bytes that are not UTF-8 arrive as surrogate escapes: hash the bytes the client sent
        digest = hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()
        valid = False
        for key in self.keys:  # no early exit: every key is compared
            valid |= hmac.compare_digest(digest, key)
        return digest.hex()[:12] if valid else None

    def identity(self, request: web.Request) -> str:
        """Who a request counts as for the rate limit: its valid API key, else its address's client_key.

        client_key makes an IPv6 client its /64 and an IPv4-mapped address the
        IPv4 address it wraps. The API and the page both take their tokens
        through take_token, so they count a client the same way and share its
        one allowance (the page takes no key, so it always counts the address).
        """
        key_id = request.get(KEY_ID)
        return f"key:{key_id}" if key_id else client_key(request[CLIENT])

    def take_token(self, request: web.Request) -> float:
        """0 when the request may go ahead, else the seconds until its client's bucket has a token."""
        return self.buckets.take(self.identity(request))

    def client_address(self, request: web.Request) -> str:
        """The peer's address; behind a trusted proxy, the right-most X-Forwarded-For entry.

        The proxy appends the address it saw to whatever the client sent, on
        the last line when the client sent several: only the right-most entry
        of all lines together is the proxy's word. Anything left of it, or a
        malformed last entry, is the client's and is not believed.
        """
        if self.trust_forwarded:
            forwarded = ",".join(request.headers.getall("X-Forwarded-For", ()))
            last = forwarded.rsplit(",", 1)[-1].strip()
            with contextlib.suppress(ValueError):
                return str(ipaddress.ip_address(last))
        return request.remote or "unknown"


GUARD = web.AppKey("guard", Guard)


@web.middleware
async def protect(request: web.Request, handler: Handler) -> web.StreamResponse:
    """API key, rate limit and strict query validation, before any handler runs."""
    guard = request.app[GUARD]
    route = route_of(request)
    if route == UNMATCHED:
        return await handler(request)
    request[CLIENT] = guard.client_address(request)
    if route.startswith("/v1/"):
        if guard.keys:
            identity = client_key(request[CLIENT])  # an IPv6 client is its /64
            locked = guard.auth_failures.wait(identity)
            if locked > 0:  # even a right key waits: a guesser must not learn which guess was right
                raise Problem(
                    429,
                    "too many failed authentications from this address; wait before trying again",
                    headers={"Retry-After": str(max(1, math.ceil(locked)))},
                )
            key_id = guard.key_id(request.headers.get("Authorization"))
            if key_id is None:
                guard.auth_failures.take(identity)
                presented = bool(request.headers.get("Authorization"))
                challenge = 'Bearer realm="txdiag"' + (', error="invalid_token"' if presented else "")
                raise Problem(
                    401,
                    "a valid API key is required: Authorization: Bearer <key>",
                    headers={"WWW-Authenticate": challenge},
                )
            request[KEY_ID] = key_id
        wait = guard.take_token(request)
        if wait > 0:
            raise Problem(429, "over the rate limit; slow down", headers={"Retry-After": str(max(1, math.ceil(wait)))})
    if route not in request.app.get(SELF_CHECKED, frozenset()):
        _check_query(request, _ALLOWED_PARAMS.get(route, frozenset()))
    return await handler(request)


def _check_query(request: web.Request, allowed: frozenset[str]) -> None:
    seen: set[str] = set()
    for name, value in request.query.items():
        shown = name[:40]
        if name not in allowed:
            hint = f"; accepted: {', '.join(sorted(allowed))}" if allowed else "; this route takes none"
            raise Problem(400, f"unknown query parameter {shown!r}{hint}")
        if name in seen:
            raise Problem(400, f"query parameter {shown!r} is given more than once")
        seen.add(name)
        if not value:
            raise Problem(400, f"query parameter {shown!r} is empty")
        if len(value) > MAX_PARAM:
            raise Problem(400, f"query parameter {shown!r} is longer than {MAX_PARAM} characters")
