"""A chain's endpoints: their order of use, their heads and lag, the background probes.

Endpoints more than the chain's ``lag_tolerance`` behind the best head go
last, and are left out of calls pinned to a block they do not have. A probe
(one call of the dialect's head method, off the caller's path) goes to a
half-open endpoint, to a failing one after ``recheck_after``, and to
endpoints whose head is unknown or stale, so the best head is known.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from txdiag.cache import SingleFlight
from txdiag.chains import ChainSpec
from txdiag.rpc.base import RetryPolicy, RpcObserver
from txdiag.rpc.codec import Reply
from txdiag.rpc.dialect import Dialect
from txdiag.rpc.health import Circuit, Clock, EndpointHealth

log = logging.getLogger("txdiag.rpc")

# how far past another endpoint's head a head may be and still be believed: a peer may have fallen behind,
# blocks come in bursts, and the peer's head ages; 2**40 is never within it
HEAD_SLACK_BLOCKS = 1024
HEAD_RATE_FACTOR = 4  # blocks per nominal block time a chain may produce for a while

Prober = Callable[[EndpointHealth], Coroutine[Any, Any, None]]


class EndpointPool:
    """The endpoints of one chain and what is known about each."""

    def __init__(
        self, chain: ChainSpec, policy: RetryPolicy, observer: RpcObserver, *, clock: Clock = time.monotonic
    ) -> None:
        self.chain = chain
        self.policy = policy
        self.observer = observer
        self.clock = clock
        self.health = {
            e.name: EndpointHealth(
                e,
                failure_threshold=policy.failure_threshold,
                cooldown=policy.cooldown,
                window_seconds=policy.window,
                clock=clock,
            )
            for e in chain.endpoints
        }
        self.probes: SingleFlight[str, None] = SingleFlight()  # at most one background probe per endpoint

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.chain.endpoints]

    # -- order ------------------------------------------------------------

    def ordered(self, *, avoid: Sequence[str] = (), min_head: int | None = None) -> list[EndpointHealth]:
        """Endpoints by health, best first.

        Closed circuits first (those whose last attempt succeeded before
        those whose last attempt failed, fresh before lagging, unthrottled
        before throttled, then by score), then cooled-down ones awaiting their probe,
        then open ones as a last resort, soonest to cool down first. With
        ``min_head``, endpoints known to be below it are left out unless no
        endpoint is at it.
        """
        candidates = [h for h in self.health.values() if h.name not in avoid and not h.wrong_chain]
        if min_head is not None:
            fresh = [h for h in candidates if h.head is None or h.head >= min_head]
            candidates = fresh or candidates
        now = self.clock()

        def key(h: EndpointHealth) -> tuple[int, float, bool, bool, bool, bool, float]:
            state = h.state
            if state is Circuit.CLOSED:
                tier = 0
            elif state is Circuit.HALF_OPEN and h.name not in self.probes:
                tier = 1
            else:
                tier = 2
            return (
                tier,
                h.open_until if tier == 2 else 0.0,
                h.consecutive_failures > 0,  # its last attempt failed: not asked again before healthier peers
                h.head_doubtful,
                self.is_lagging(h.name),
                h.throttled_until > now,
                h.score(),
            )

        return sorted(candidates, key=key)

    # -- heads ------------------------------------------------------------

    def note_head(self, endpoint: str, head: int, *, at_least: bool = False) -> None:
        """An endpoint reported its head (``at_least``: it showed a block this high, e.g. in a receipt)."""
        h = self.health.get(endpoint)
        if h is None or h.wrong_chain or (at_least and h.head is not None and head <= h.head):
            return
        h.head = head
        h.head_seen_at = self.clock()
        self._judge_heads()
        best = self.best_head()
        if best is None:
            return
        for other in self.health.values():
            if other.head is not None and not other.head_doubtful:
                self.observer.on_head_lag(self.chain.name, other.name, max(0, best - other.head))

    def _judge_heads(self) -> None:
        """Mark heads too far past every other endpoint's to be believed (a lying or broken node)."""
        now = self.clock()
        known = [h for h in self.health.values() if h.head is not None and not h.wrong_chain]
        for h in known:
            assert h.head is not None
            peers = [p for p in known if p is not h]
            if not peers:
                h.head_doubtful = False
                continue
            reach = max(self._reach(p, now) for p in peers)
            doubtful = h.head > reach
            if doubtful and not h.head_doubtful:
                log.warning("chain %s: endpoint %s reports a head no other endpoint is near", self.chain.name, h.name)
            h.head_doubtful = doubtful

    def _reach(self, peer: EndpointHealth, now: float) -> float:
        """The highest head believable beside this peer's."""
        assert peer.head is not None
        age = max(0.0, now - peer.head_seen_at)
        rate = HEAD_RATE_FACTOR / max(self.chain.block_time, 0.001)
        return peer.head + self.chain.lag_tolerance + HEAD_SLACK_BLOCKS + age * rate

    def head_believed(self, endpoint: str) -> bool:
        """Whether the endpoint's last head is believed (no head known counts as believed)."""
        h = self.health.get(endpoint)
        return h is None or not h.head_doubtful

    def best_head(self) -> int | None:
        """The highest head any endpoint reported: a lower bound of the chain's real head."""
        heads = [
            h.head for h in self.health.values() if h.head is not None and not h.wrong_chain and not h.head_doubtful
        ]
        return max(heads) if heads else None

    def fresh_floor(self) -> int | None:
        """The lowest head an endpoint may have and still be asked for block-pinned data."""
        best = self.best_head()
        return None if best is None else best - self.chain.lag_tolerance

    def is_lagging(self, endpoint: str) -> bool:
        """Whether the endpoint is known to trail the best head by more than the chain tolerates."""
        h = self.health.get(endpoint)
        best = self.best_head()
        if h is None or h.head is None or best is None or h.head_doubtful:
            return False
        return best - h.head > self.chain.lag_tolerance

    # -- chain id and up/down ----------------------------------------------

    def check_chain(self, health: EndpointHealth, reply: Reply, dialect: Dialect) -> bool:
        """False when the endpoint serves another chain (a mistyped URL or variable): it is taken out for good."""
        if not reply.ok:
            return True  # asked again next time; an endpoint without the method is not condemned for it
        served = dialect.read_identity(reply.value)
        if served is None:
            return True
        expected = dialect.expected_identity(self.chain)
        if served == expected:
            health.chain_checked = True
            return True
        health.wrong_chain = True
        health.head = None  # noted from this same answer a moment ago: another chain's head is meaningless here
        log.warning(
            "chain %s: endpoint %s serves chain %s, not %s: not used",
            self.chain.name,
            health.name,
            served,
            expected,
        )
        self.observer.on_endpoint_up(self.chain.name, health.name, False)
        return False

    def report_up(self, health: EndpointHealth) -> None:
        """Tell the observer when an endpoint goes in or out of use (only on a change)."""
        up = health.up and not health.wrong_chain
        if health.reported_up is up:
            return
        if health.reported_up is not None:
            if up:
                log.info("chain %s: endpoint %s is back", self.chain.name, health.name)
            else:
                log.info("chain %s: endpoint %s taken out after failures", self.chain.name, health.name)
        health.reported_up = up
        self.observer.on_endpoint_up(self.chain.name, health.name, up)

    # -- background probes --------------------------------------------------

    def maintain(self, prober: Prober) -> list[asyncio.Future[None]]:
        """Start the background probes that are due; returns those refreshing a stale head."""
        now = self.clock()
        multi = len(self.health) > 1
        first = self.ordered()[0].name if multi and self.ordered() else None
        head_ttl = max(1.0, 2 * self.chain.block_time)
        refreshing: list[asyncio.Future[None]] = []
        for h in self.health.values():
            if h.name in self.probes or h.wrong_chain:
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
            task, _ = self.probes.start(h.name, functools.partial(prober, h), context=contextvars.Context())
            if stale:
                refreshing.append(task)
        return refreshing

    async def wait_for_heads(self, probes: Sequence[asyncio.Future[None]], started: float) -> None:
        """Give head probes started with round 1 until ``head_wait`` after it began; never longer."""
        left = self.policy.head_wait - (time.monotonic() - started)
        pending = [p for p in probes if not p.done()]
        if pending and left > 0:
            await asyncio.wait(pending, timeout=left)

    async def close(self) -> None:
        await self.probes.close()
