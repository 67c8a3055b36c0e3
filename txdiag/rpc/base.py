"""What every layer of the seam shares: the retry policy, the deadline in scope, the observer."""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

from txdiag.rpc.budget import holding_scope

_deadline: ContextVar[float | None] = ContextVar("txdiag_rpc_deadline", default=None)


@contextlib.contextmanager
def deadline_scope(seconds: float) -> Iterator[float]:
    """Bound every RPC attempt made inside the block by one shared deadline.

    Nested scopes keep the earlier deadline. Yields the absolute deadline on
    the loop-independent monotonic clock. The block is also one piece of work
    for the answer budget (``budget.holding_scope``).
    """
    new = time.monotonic() + seconds
    current = _deadline.get()
    token = _deadline.set(min(new, current) if current is not None else new)
    try:
        # the same work's node answers are counted together: while one is alive it never waits for more
        with holding_scope():
            yield _deadline.get() or new
    finally:
        _deadline.reset(token)


def remaining_time() -> float | None:
    """Seconds left before the current deadline, or None when unbounded."""
    d = _deadline.get()
    return None if d is None else d - time.monotonic()


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Every knob of retrying, failover, circuit breaking and hedging, in one place."""

    attempts: int = 4  # attempts per call when no deadline is in scope; under a deadline, the deadline decides
    initial_backoff: float = 0.05
    max_backoff: float = 2.0
    max_retry_after: float = 5.0  # a longer Retry-After means: use another endpoint, or give up
    attempt_timeout: float = 5.0  # one HTTP attempt, before the overall deadline
    max_batch: int = 100  # items per HTTP request; larger batches are split
    failure_threshold: int = 3  # consecutive failures that open an endpoint's circuit
    cooldown: float = 5.0  # seconds an open circuit rests before a half-open probe
    recheck_after: float = 1.0  # a failing endpoint (circuit still closed) is probed again after this
    probe_timeout: float = 1.0  # one background probe (the dialect's head call)
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


class RpcObserver(Protocol):
    """What the client reports; the metrics layer implements it. Every label value is one of ours."""

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
