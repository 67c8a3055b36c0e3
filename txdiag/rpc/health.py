"""One endpoint's rolling health: outcomes, latency, circuit breaker, head. The clock is injected.

Circuit: closed -> open after ``failure_threshold`` failures in a row ->
half-open after ``cooldown`` (one background probe decides) -> closed on a
success, open again on a failure.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from txdiag.chains import Endpoint
from txdiag.rpc.base import RetryPolicy

Clock = Callable[[], float]


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
    head_doubtful: bool = False  # far past every other endpoint's head: not believed until a peer comes near it
    throttled_until: float = 0.0  # Retry-After: do not ask before this
    refusing: bool = False  # its last attempt could not even connect
    no_batch: bool = False
    # the dialect's identity call is asked once, in the first request an endpoint serves; one serving another chain
    # is never used
    chain_checked: bool = False
    wrong_chain: bool = False
    failure_threshold: int = 3
    cooldown: float = 5.0
    window_seconds: float = 60.0
    reported_up: bool | None = None  # what the observer was last told
    clock: Clock = time.monotonic

    @property
    def name(self) -> str:
        return self.endpoint.name

    def record(
        self,
        ok: bool,
        seconds: float,
        throttled: bool = False,
        retry_after: float | None = None,
        *,
        refused: bool = False,
    ) -> None:
        """One attempt's outcome: success closes the circuit; repeated failures (or one when half-open) open it.

        A refused connection opens it at once: nothing listens there, and asking
        it again before its cooldown only spends the caller's time.
        """
        now = self.clock()
        self.window.append(Sample(now, ok, throttled, seconds))
        self.refusing = refused
        if ok:
            self._latency(seconds)
            self.consecutive_failures = 0
            self.open_until = 0.0
        else:
            self.consecutive_failures += 1
            self.last_failure = now
            if refused or self.open_until or self.consecutive_failures >= self.failure_threshold:
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
        return Circuit.OPEN if self.clock() < self.open_until else Circuit.HALF_OPEN

    @property
    def circuit_open(self) -> bool:
        return self.state is Circuit.OPEN

    @property
    def up(self) -> bool:
        """Closed circuit: the endpoint is in normal use."""
        return self.state is Circuit.CLOSED

    @property
    def throttled(self) -> bool:
        """It asked us (Retry-After) not to come back yet."""
        return self.throttled_until > self.clock()

    def recent(self) -> list[Sample]:
        cutoff = self.clock() - self.window_seconds
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
        return None if self.head is None else self.clock() - self.head_seen_at

    def hedge_after(self, policy: RetryPolicy) -> float:
        """How long to wait for this endpoint before asking a second one as well."""
        p90 = self.latency_p90()
        delay = policy.hedge_initial if p90 is None else p90 * policy.hedge_factor
        return min(max(policy.hedge_floor, delay), policy.attempt_timeout / 2)

    def score(self) -> float:
        """Lower is better: error rate dominates, then throttling, then latency."""
        return self.error_rate * 10 + self.throttle_rate * 5 + (self.latency_ewma or 0.0)
