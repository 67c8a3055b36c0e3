"""The client of one chain: chunking, retries, failover and hedging over the pool; the Rpc protocol.

Fault taxonomy, decided once (the transport and codec classify; this layer acts):

    transport error, timeout, HTTP 429 / 5xx, malformed body   -> transient: retry, prefer another endpoint
    HTTP 3xx / 4xx whatever the body (bad key, redirect)       -> endpoint unusable: fail over, no retry there
    a body over ``max_response_bytes`` (after decompression)   -> endpoint fault, like a malformed body
    one error object answering a whole batch                   -> "batch unsupported" (-32600/-32601/"batch"):
                                                                  ask item by item; else an endpoint fault
    JSON-RPC rate-limit item (-32005, 429; "rate limit" text   -> that item is retried; it does not count
      only for server codes -32000..-32099, never reverts)        toward the endpoint's circuit
    JSON-RPC item the endpoint could not answer (header or     -> that item is asked of each other endpoint once,
      trie node not found, internal or server error, an           within the deadline; when none can answer it, its
      item missing from the answer; ``endpoint_fault``)           error is returned and the caller says "unchecked"
    any other JSON-RPC error (revert, invalid params, a log    -> deterministic: returned to the caller as data
      range too wide, a contract's own out-of-gas, ...)

Between attempts: none before asking another endpoint; the Retry-After of
an endpoint that sent one, when it fits in the time left; else a jittered
backoff growing with this call's failures at the endpoint asked next. An
endpoint whose last connection was refused is not asked while another one
still accepts connections, so a dead endpoint costs neither attempts nor
backoff to a call that has a live one.

Reasons carried by TransientError and ChainUnavailable are members of
``errors.Reason`` (with a bounded detail such as ``http_401``), never a
node's own text, which may quote a URL or a key.

On chains with ``hedge = true`` a read that takes longer than the endpoint's
own p90 latency (times a factor, with a floor) is sent to a second endpoint as
well; the first good answer wins and the other request is cancelled.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt
from tenacity.stop import stop_base

from txdiag.chains import ChainSpec
from txdiag.errors import ChainUnavailable, DeadlineExceeded, Reason, WireError
from txdiag.rpc import codec
from txdiag.rpc.base import NullObserver, RetryPolicy, RpcObserver, remaining_time
from txdiag.rpc.budget import AnswerBudget, Hold
from txdiag.rpc.codec import NO_ANSWER, Call, Reply, RpcItemError
from txdiag.rpc.dialect import Dialect, DialectSource
from txdiag.rpc.health import Circuit, EndpointHealth
from txdiag.rpc.pool import EndpointPool
from txdiag.rpc.transport import TransientError, Transport, TransportKind, make_transport

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger("txdiag.rpc")

# checks a complete answer (one reply per call, in order); returns a fixed fault label, or None when it holds
Verifier = Callable[[Sequence[Reply]], str | None]


class ReadApart(str):
    """A verifier's label for an answer whose items disagree only as items read a moment apart can.

    The items of one batch are answered one after another: a transaction read as pending, then its receipt
    read once a block took it in between, is an honest node's answer (anvil gives it right after mining; a
    provider's backends behind one URL can give it at any time). The answer is not kept, but the first such
    answer of an endpoint in a call is not blamed on it: no fault is recorded, and it may be asked again once
    the others had their turn. A second one in the same call is blamed like any failed check (recorded, and
    the endpoint is not asked again in the call): an honest node's moment has passed by then, and an endpoint
    that keeps answering so must not hold a call to its deadline.
    """


@dataclass(frozen=True, slots=True)
class EndpointView:
    """What the front ends may know of an endpoint: its redacted name, whether it is in use, its head."""

    name: str
    up: bool
    head: int | None


class HeadProbes:
    """Head probes started with a round; ``settle`` gives them until ``head_wait`` after the round began."""

    def __init__(self, pool: EndpointPool, tasks: Sequence[asyncio.Future[None]], started: float) -> None:
        self._pool = pool
        self.tasks = list(tasks)
        self._started = started

    async def settle(self) -> None:
        await self._pool.wait_for_heads(self.tasks, self._started)


class Rpc(Protocol):
    """The seam everything above the rpc package uses (gather, probes, service, front ends)."""

    chain: ChainSpec

    async def batch(
        self,
        calls: Sequence[Call],
        *,
        avoid: Sequence[str] = (),
        min_head: int | None = None,
        only: str | None = None,
        verify: Verifier | None = None,
    ) -> list[Reply]: ...
    async def call(self, method: str, *params: Any) -> Any: ...
    def start_round(self) -> HeadProbes: ...
    def fresh_floor(self) -> int | None: ...
    def best_head(self) -> int | None: ...
    def note_head(self, endpoint: str, head: int, *, at_least: bool = False) -> None: ...
    def is_lagging(self, endpoint: str) -> bool: ...
    def head_believed(self, endpoint: str) -> bool: ...
    def endpoints(self) -> list[EndpointView]: ...
    async def probe_head(self, endpoint: str, limit: float) -> int: ...
    async def close(self) -> None: ...
    async def __aenter__(self) -> Rpc: ...
    async def __aexit__(self, *exc: object) -> None: ...


@dataclass(frozen=True, slots=True)
class Outcome:
    """One attempt's answers by call index, and the items to ask again."""

    endpoint: str
    replies: dict[int, Reply]
    retry: list[int]


class RpcClient:
    """JSON-RPC over HTTP for one chain, across its endpoints.

    ``dialect`` is how the chain's family speaks on the seam; the composition root hands over the family's own
    (a callable: resolved on the first request, so a family whose chains are never asked is never loaded).
    """

    def __init__(
        self,
        chain: ChainSpec,
        *,
        dialect: DialectSource,
        policy: RetryPolicy | None = None,
        observer: RpcObserver | None = None,
        session: aiohttp.ClientSession | None = None,
        connections: int = 64,
        transport: TransportKind | Transport = "aiohttp",
        budget: AnswerBudget | None = None,
    ) -> None:
        self.chain = chain
        # a callable is resolved on first use, so the family of a chain that is never asked is never loaded
        self._dialect = _speaking_for(chain, dialect) if isinstance(dialect, Dialect) else dialect
        self.policy = policy or RetryPolicy()
        self.observer: RpcObserver = observer or NullObserver()
        self.pool = EndpointPool(chain, self.policy, self.observer)
        if session is not None:
            from txdiag.rpc.aio import AiohttpTransport  # noqa: PLC0415 - aiohttp only when chosen

            transport = AiohttpTransport(session, connections=connections, budget=budget)
        self._transport = make_transport(transport, connections, budget) if isinstance(transport, str) else transport
        self._ids = codec.Ids()
        self.http_requests = 0  # HTTP requests on a caller's path: the round-trip count tests and bench read
        self.background_requests = 0  # health and head probes, off the caller's path
        self.hedges = 0  # reads sent to a second endpoint because the first was slow
        # how a pause between attempts is waited out (tests record the pauses instead of timing them)
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    @property
    def dialect(self) -> Dialect:
        """How this chain's family speaks on the seam (the head and identity methods, batching, metric labels)."""
        dialect = self._dialect
        if not isinstance(dialect, Dialect):
            dialect = self._dialect = _speaking_for(self.chain, dialect())
        return dialect

    # -- lifetime ---------------------------------------------------------

    async def __aenter__(self) -> RpcClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.pool.close()
        await self._transport.close()

    # -- the pool, narrowly ------------------------------------------------

    @property
    def health(self) -> dict[str, EndpointHealth]:
        """Each endpoint's health (for tests and the pool's own users; front ends use ``endpoints``)."""
        return self.pool.health

    @property
    def endpoint_names(self) -> list[str]:
        return self.pool.names

    def ordered_endpoints(self, *, avoid: Sequence[str] = (), min_head: int | None = None) -> list[EndpointHealth]:
        return self.pool.ordered(avoid=avoid, min_head=min_head)

    def note_head(self, endpoint: str, head: int, *, at_least: bool = False) -> None:
        self.pool.note_head(endpoint, head, at_least=at_least)

    def best_head(self) -> int | None:
        return self.pool.best_head()

    def fresh_floor(self) -> int | None:
        return self.pool.fresh_floor()

    def is_lagging(self, endpoint: str) -> bool:
        return self.pool.is_lagging(endpoint)

    def head_believed(self, endpoint: str) -> bool:
        return self.pool.head_believed(endpoint)

    def endpoints(self) -> list[EndpointView]:
        return [
            EndpointView(h.name, h.up and not h.wrong_chain, None if h.head_doubtful else h.head)
            for h in self.pool.health.values()
        ]

    def maintain(self) -> list[asyncio.Future[None]]:
        """Start the background probes that are due; returns those refreshing a stale head."""
        return self.pool.maintain(self._probe)

    def start_round(self) -> HeadProbes:
        """Start due probes with a round of calls; the result settles the heads they bring."""
        return HeadProbes(self.pool, self.maintain(), time.monotonic())

    async def settle_probes(self) -> None:
        """Wait until every background probe now running has finished (tests use it to await, not sleep)."""
        while self.pool.probes:
            await asyncio.gather(*self.pool.probes.running(), return_exceptions=True)

    async def wait_for_heads(self, probes: Sequence[asyncio.Future[None]], started: float) -> None:
        await self.pool.wait_for_heads(probes, started)

    async def probe_head(self, endpoint: str, limit: float) -> int:
        """One call of the dialect's head method to one endpoint, one attempt; TransientError when it fails."""
        health = self.pool.health[endpoint]
        outcome = await self.attempt(health, [Call(self.dialect.head)], [0], limit)
        value = outcome.replies[0].unwrap()
        try:
            head = self.dialect.read_head(value)
        except WireError as exc:
            raise TransientError(Reason.MALFORMED, endpoint, outcome="malformed") from exc
        self.pool.note_head(endpoint, head)
        return head

    async def _probe(self, health: EndpointHealth) -> None:
        calls = [Call(self.dialect.head)]
        if not health.chain_checked:
            calls.append(Call(self.dialect.identity))  # a head from another chain must never become the best head
        try:
            replies = await self._post(
                health,
                calls,
                as_batch=len(calls) > 1 or self.dialect.always_batch,
                limit=self.policy.probe_timeout,
                background=True,
            )
            if len(replies) > 1 and not self.pool.check_chain(health, replies[1], self.dialect):
                return
            self._note_heads(health, calls, replies)
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
        verify: Verifier | None = None,
    ) -> list[Reply]:
        """Send calls as one JSON-RPC batch per attempt; each item's outcome is its own.

        ``avoid`` names endpoints not to ask, ``min_head`` leaves out endpoints
        known to be below that block, ``only`` asks one endpoint and nothing
        else. ``verify`` checks a complete answer: when it names a fault, the
        answer is discarded, the endpoint counts as failed for this call and
        another is asked (within the deadline). Raises ChainUnavailable when no endpoint could answer within the
        deadline and the retry budget (naming the endpoints tried), and
        DeadlineExceeded when the deadline had run out before any attempt.
        """
        if not calls:
            return []
        if not self.chain.endpoints:
            raise ChainUnavailable(
                self.chain.name, [], Reason.NO_ENDPOINT, detail="no endpoint is configured (is its variable set?)"
            )
        self.maintain()
        return await _BatchRun(self, calls, avoid, min_head, only, verify=verify).run()

    async def attempt(
        self, health: EndpointHealth, calls: Sequence[Call], pending: list[int], limit: float | None = None
    ) -> Outcome:
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
                replies[i] = reply  # a throttled or faulted item's error is kept unless a later attempt does better
                err = reply.error
                if err is not None and (err.rate_limited or err.endpoint_fault):
                    retry.append(i)
        if transient is not None and len(retry) == len(pending):
            raise transient
        return Outcome(health.name, replies, sorted(retry))

    async def _post_chunk(self, health: EndpointHealth, calls: list[Call], limit: float | None) -> list[Reply]:
        if not health.chain_checked:
            # one more item in the same request, not another round trip
            replies = await self._post_chunk_as_is(health, [*calls, Call(self.dialect.identity)], limit)
            if not self.pool.check_chain(health, replies.pop(), self.dialect):
                raise TransientError(Reason.WRONG_CHAIN, health.name)
        else:
            replies = await self._post_chunk_as_is(health, calls, limit)
        self._note_heads(health, calls, replies)
        return replies

    def _note_heads(self, health: EndpointHealth, calls: Sequence[Call], replies: Sequence[Reply]) -> None:
        for call, reply in zip(calls, replies, strict=False):
            if reply.ok:
                head = self.dialect.head_of(call, reply.value)
                if head is not None:
                    self.pool.note_head(health.name, head)

    async def _post_chunk_as_is(self, health: EndpointHealth, calls: list[Call], limit: float | None) -> list[Reply]:
        if health.no_batch and len(calls) > 1:
            replies = await asyncio.gather(*(self._post(health, [c], as_batch=False, limit=limit) for c in calls))
            return [r[0] for r in replies]
        return await self._post(health, calls, as_batch=len(calls) > 1 or self.dialect.always_batch, limit=limit)

    async def _post(
        self,
        health: EndpointHealth,
        calls: list[Call],
        *,
        as_batch: bool,
        limit: float | None = None,
        background: bool = False,
    ) -> list[Reply]:
        ids = self._ids.take(len(calls))
        methods = [c.method for c in calls]
        decoded, elapsed, hold = await self._send(
            health, codec.encode(ids, calls, as_batch=as_batch), methods, limit, background
        )
        whole = codec.whole_batch_error(decoded) if as_batch else None
        if whole is not None:
            del decoded  # an exception's frames must not keep the answer alive
            _release(hold)
            if not whole.refuses_batch:
                # one error for the whole batch (a key, quota or server fault): this endpoint failed
                self._fail(health, methods, "batch_error", elapsed, throttled=whole.rate_limited)
                raise TransientError(Reason.BATCH_ERROR, health.name, detail=whole.label)
            # the endpoint does not take batches: ask it item by item from now on
            health.no_batch = True
            self._observe(health, methods, "batch_refused", elapsed)
            singles = await asyncio.gather(
                *(self._post(health, [c], as_batch=False, limit=limit, background=background) for c in calls)
            )
            return [r[0] for r in singles]
        try:
            replies = codec.match(decoded, ids, calls, health.name, hold=hold)
        except Exception as exc:  # whatever shape the body had, it is this endpoint's fault, not the caller's
            # the hold stays: this exception's traceback keeps the decoded body until it goes
            del decoded, hold
            self._fail(health, methods, "malformed", elapsed)
            raise TransientError(Reason.MALFORMED, health.name, outcome="malformed") from exc
        del decoded
        if all(r.error is not None and r.error.code == NO_ANSWER for r in replies):
            del replies
            _release(hold)
            self._fail(health, [], "malformed", elapsed)
            raise TransientError(Reason.MALFORMED, health.name, outcome="malformed")
        for call, reply in zip(calls, replies, strict=True):
            err = reply.error
            outcome = "ok" if err is None else "rate_limited" if err.rate_limited else "error"
            self.observer.on_request(self.chain.name, health.name, self.dialect.label(call.method), outcome, elapsed)
        # a throttled item is not a failed endpoint: it answered; only the ordering learns of it
        throttled = any(r.error is not None and r.error.rate_limited for r in replies)
        health.record(ok=True, seconds=elapsed, throttled=throttled)
        self.pool.report_up(health)
        return replies

    async def _send(
        self, health: EndpointHealth, body: bytes, methods: list[str], limit: float | None, background: bool
    ) -> tuple[Any, float, Hold | None]:
        """One HTTP POST through the transport, decoded, with its hold on the answer budget.

        Its faults and undecodable bodies become TransientError; no room in the budget in time is not
        held against the endpoint (it is this process's limit), an answer that can never fit is.
        """
        seconds = self.policy.attempt_timeout if limit is None else limit
        left = remaining_time()
        if left is not None:
            seconds = max(0.01, min(seconds, left - self.policy.deadline_margin))
        if background:
            self.background_requests += 1
        else:
            self.http_requests += 1
        try:
            posted = await self._transport.post(
                health.endpoint, body, seconds=seconds, max_bytes=self.policy.max_response_bytes
            )
        except TransientError as exc:
            if exc.reason is Reason.ANSWER_BUDGET:
                self._observe(health, methods, exc.outcome, exc.elapsed)
                raise
            if exc.reason not in (Reason.TIMEOUT, Reason.CONNECTION, Reason.REFUSED):
                self.observer.on_http(self.chain.name, health.name, exc.elapsed)
            self._fail(
                health,
                methods,
                exc.outcome,
                exc.elapsed,
                throttled=exc.throttled,
                retry_after=exc.retry_after,
                refused=exc.reason is Reason.REFUSED,
            )
            raise
        self.observer.on_http(self.chain.name, health.name, posted.elapsed)
        raw, hold, keep, elapsed = posted.raw, posted.hold, posted.decoded, posted.elapsed
        del posted
        try:
            decoded = await codec.decode_off_loop(raw)
        except ValueError:
            decoded = _UNDECODABLE
        # cancelled mid-decode: the hold stays with the frames the exception keeps, and goes when they do
        del raw  # the body goes now; what stays is the decoded answer
        if decoded is _UNDECODABLE:
            _release(hold)
            self._fail(health, methods, "malformed", elapsed)
            raise TransientError(Reason.MALFORMED, health.name, outcome="malformed")
        if hold is not None:
            hold.resize(keep)
        return decoded, elapsed, hold

    def _fail(
        self,
        health: EndpointHealth,
        methods: list[str],
        outcome: str,
        elapsed: float,
        *,
        throttled: bool = False,
        retry_after: float | None = None,
        refused: bool = False,
    ) -> None:
        health.record(ok=False, seconds=elapsed, throttled=throttled, retry_after=retry_after, refused=refused)
        self._observe(health, methods, outcome, elapsed)
        self.pool.report_up(health)

    def record_fault(self, health: EndpointHealth, methods: list[str], outcome: str) -> None:
        """An answer that arrived but could not be used (it failed a check): the endpoint failed this call."""
        self._fail(health, methods, outcome, 0.0)

    def _observe(self, health: EndpointHealth, methods: list[str], outcome: str, elapsed: float) -> None:
        for m in methods:
            self.observer.on_request(self.chain.name, health.name, self.dialect.label(m), outcome, elapsed)


_UNDECODABLE = object()


def _release(hold: Hold | None) -> None:
    if hold is not None:
        hold.release()


_ITEMS_LEFT = (Reason.RATE_LIMITED, Reason.ITEM_ERROR)  # an attempt answered, with items left to ask
_UNUSABLE = (Reason.HTTP_CLIENT, Reason.HTTP_REDIRECT)  # the endpoint cannot serve us, whatever we ask


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
        *,
        verify: Verifier | None = None,
    ) -> None:
        self.client = client
        self.verify = verify
        self.pool = client.pool
        self.policy = client.policy
        self.calls = calls
        self.avoid = set(avoid)
        self.exclude = set(avoid)
        self.min_head = min_head
        self.only = only
        self.results: list[Reply | None] = [None] * len(calls)
        self.pending = list(range(len(calls)))
        self.tried: list[str] = []
        self.last: TransientError | None = None
        self.failures: Counter[str] = Counter()  # this call's failed attempts, by endpoint: the backoff's exponent
        self.unusable: set[str] = set()  # endpoints that answered 3xx/4xx: they cannot serve us; not asked again
        self.passed_over: list[str] = []  # endpoints not asked because their last connection was refused
        self.answered = False  # an endpoint answered with a failure (or refused): not only waited on
        self.faulted: dict[int, set[str]] = {}  # item -> endpoints that could not answer it (``endpoint_fault``)
        # after an answer merged from several endpoints failed its check: each answer from one endpoint only
        self.whole = False
        self.apart: set[str] = set()  # endpoints whose answer read a moment apart was forgiven once (ReadApart)

    async def run(self) -> list[Reply]:
        # under a deadline the budget is the time left (less a margin), not a count of attempts
        bounded = remaining_time() is not None
        stop = _OutOfTime(self.policy.deadline_margin) if bounded else stop_after_attempt(self.policy.attempts)
        retrying = AsyncRetrying(
            stop=stop,
            wait=self._wait,
            retry=retry_if_exception_type(TransientError),
            sleep=self.client.sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    await self._attempt_once()
            return self._replies()
        except TransientError as exc:
            if exc.reason in _ITEMS_LEFT and all(r is not None for r in self.results):
                # the nodes answered; some items stayed throttled or unavailable: they are data, once checked
                fault = self.verify(self._replies()) if self.verify is not None else None
                if fault is None:
                    return self._replies()
                unverified = TransientError(
                    Reason.UNVERIFIED, exc.endpoint, detail=f"{Reason.UNVERIFIED.value}: {fault}"
                )
                raise self._unavailable(unverified, out_of_time=self._cut_short(unverified)) from exc
            raise self._unavailable(exc, out_of_time=self._cut_short(exc)) from exc
        finally:
            # tenacity's retrying object and its state refer to each other, and reach this run through ``wait``:
            # what this run holds (the answers, and the verifier with the caller's handles on them) would be
            # freed only by a full collection (a 13 MB answer: ~80 ms of it)
            self.results, self.last, self.verify = [], None, None

    async def _attempt_once(self) -> None:
        left = remaining_time()
        if left is not None and left <= self.policy.deadline_margin:
            if self.tried:
                raise self._unavailable(self.last, out_of_time=self._cut_short(self.last))
            raise DeadlineExceeded(0)
        health = self._choose()
        if health.name not in self.tried:
            self.tried.append(health.name)
        try:
            partner = self._hedge_partner(health)
            if self.whole:
                held = {r.endpoint for r in self.results if r is not None}
                if held and (partner is not None or held != {health.name}):
                    self._restart()  # not merged with another endpoint's answer: all of it is asked here
            if partner is None:
                sendable = self._sendable(health)
                outcome = await self.client.attempt(health, self.calls, sendable, self._limit(health, left))
            else:
                outcome, sendable = await self._hedged(health, partner)
        except TransientError as exc:
            if exc.reason is Reason.OVERSIZE and self.only is None:
                # the same question gets the same answer too big to hold: not asked there again in this call
                self.avoid.add(exc.endpoint)
                self.exclude.add(exc.endpoint)
            self._failed(exc)
            raise
        endpoint = outcome.endpoint
        if endpoint not in self.tried:
            self.tried.append(endpoint)
        faulted = self._take(outcome, sendable)
        del outcome  # a failed check's exception keeps this frame: it must not keep the answer too
        if not self.pending and self.verify is not None:
            self._check(endpoint)
        if self.pending:
            reason = Reason.ITEM_ERROR if faulted else Reason.RATE_LIMITED
            if self.verify is not None and all(r is not None for r in self.results):
                self._check_partial(endpoint)
            left_over = TransientError(reason, endpoint, detail=f"{reason.value}: items left to ask")
            self._failed(left_over)
            raise left_over

    def _take(self, outcome: Outcome, sendable: list[int]) -> bool:
        """Keep an attempt's answers; note the items it could not answer; True when some are left for that reason."""
        for i, reply in outcome.replies.items():
            self.results[i] = reply
        faulted = False
        for i in outcome.retry:
            answer = outcome.replies.get(i)  # None: its chunk failed as a whole (a transient fault, not the item's)
            err = answer.error if answer is not None else None
            if err is not None and not err.rate_limited:
                self.faulted.setdefault(i, set()).add(outcome.endpoint)
                faulted = True
        unsent = set(self.pending) - set(sendable)
        self.pending = sorted(unsent | set(outcome.retry))
        self._settle_unanswerable()
        return faulted

    def _sendable(self, health: EndpointHealth) -> list[int]:
        """The pending items this endpoint may be asked: not those it could not answer earlier in this call."""
        return [i for i in self.pending if health.name not in self.faulted.get(i, ())]

    def _settle_unanswerable(self) -> None:
        """Items every endpoint that can still be asked has failed to answer keep their error: they are data now."""
        if not self.faulted:
            return
        if self.only is not None:
            askable = {self.only}
        else:
            askable = {h.name for h in self._listening(self.pool.ordered(avoid=sorted(self.avoid)))}
        self.pending = [i for i in self.pending if not askable <= self.faulted.get(i, set())]

    def _check(self, endpoint: str) -> None:
        """Verify the whole answer; a failed check discards it and makes this endpoint's attempt a failure.

        The check always sees one reply per call: an item no endpoint left could answer is its error.
        In an answer merged from several endpoints the fault is this one's, the last: what the others
        gave passed its check before (``_check_partial``); it is blamed for the items it gave. From then
        on the whole plan is asked of one endpoint at a time, so each answer checked is one endpoint's.
        """
        assert self.verify is not None
        fault = self.verify(self._replies())
        if fault is None:
            return
        blamed = not isinstance(fault, ReadApart) or endpoint in self.apart
        if not blamed:
            self.apart.add(endpoint)
        if blamed:
            log.info("chain %s: endpoint %s: answer failed a check (%s)", self.client.chain.name, endpoint, fault)
        else:
            log.info("chain %s: endpoint %s: items read a moment apart (%s)", self.client.chain.name, endpoint, fault)
        health = self.pool.health.get(endpoint)
        if health is not None and blamed:
            gave = [
                self.calls[i].method for i, r in enumerate(self.results) if r is not None and r.endpoint == endpoint
            ]
            self.client.record_fault(health, gave or [c.method for c in self.calls], "unverified")
        # the answer is discarded here, but its hold goes only with its last reply: a plan's handles may keep it
        self._restart()
        # every item is asked again: what an endpoint could not answer before is no reason to skip it now
        self.faulted.clear()
        self.whole = True
        exc = TransientError(Reason.UNVERIFIED, endpoint, detail=f"{Reason.UNVERIFIED.value}: {fault}")
        self._failed(exc)
        if self.only is None and blamed:
            # it would say the same again: not asked again within this call
            self.avoid.add(endpoint)
            self.exclude.add(endpoint)
        raise exc

    def _check_partial(self, endpoint: str) -> None:
        """Check an answer with items still to ask (throttled or unavailable, their errors standing in).

        A failure may be those items' (a receipt that could not be read yet) or a lie in the rest: either
        way it is not kept. The whole plan is asked again of one endpoint at a time, the next one first,
        so a lie is not completed by another endpoint's answers and left to the deadline unchecked.
        """
        assert self.verify is not None
        fault = self.verify(self._replies())
        if fault is None:
            return
        log.info("chain %s: endpoint %s: partial answer failed a check (%s)", self.client.chain.name, endpoint, fault)
        self._restart()
        self.whole = True

    def _restart(self) -> None:
        self.results = [None] * len(self.calls)
        self.pending = list(range(len(self.calls)))

    def _replies(self) -> list[Reply]:
        """One reply per call: an item left without an answer is an error, as ``run`` returns it."""
        return [r if r is not None else Reply(error=RpcItemError(-1, "no answer")) for r in self.results]

    def _limit(self, health: EndpointHealth, left: float | None) -> float | None:
        """Under a deadline, an attempt leaves half the time for an endpoint this call has not tried yet."""
        if left is None or self.only is not None:
            return None
        untried = [
            h
            for h in self.pool.health.values()
            if h.name not in self.tried and h.name not in self.avoid and not h.refusing
        ]
        if not untried:
            return None
        return min(self.policy.attempt_timeout, max(0.01, (left - self.policy.deadline_margin) / 2))

    def _choose(self) -> EndpointHealth:
        if self.only is not None:
            health = self.pool.health.get(self.only)
            if health is None:
                raise ChainUnavailable(self.client.chain.name, [], Reason.NO_ENDPOINT, detail="no such endpoint")
            if self.only in self.unusable:
                raise self._unavailable(self.last)
            return health
        left = self.pool.ordered(avoid=sorted(self.avoid))
        if self.tried and all(h.refusing for h in left):
            # nothing listens at any endpoint left: waiting out the deadline would not change that
            self.passed_over += [h.name for h in left if h.name not in self.tried and h.name not in self.passed_over]
            raise self._unavailable(self.last)
        order, fresh_round = self._order()
        if fresh_round:
            # every endpoint failed this round: start again from the healthiest
            self.exclude = set(self.avoid)
        if not order:
            raise self._unavailable(self.last, detail="" if self.last else "no other endpoint to ask")
        return order[0]

    def _order(self) -> tuple[list[EndpointHealth], bool]:
        """The endpoints the next attempt may ask, best first, and whether this round's exclusions must be dropped.

        Without side effects, so the pause before an attempt can look at the
        endpoint it will ask. An endpoint is left out while it has answered
        none of the pending items it could, or refused its last connection
        while another endpoint still accepts them.
        """

        def usable(excluded: set[str]) -> list[EndpointHealth]:
            order = self.pool.ordered(avoid=sorted(excluded), min_head=self.min_head)
            order = [h for h in order if self._sendable(h)]
            return self._listening(order, among=self.pool.ordered(avoid=sorted(self.avoid)))

        order = usable(self.exclude)
        if order:
            return order, False
        return usable(self.avoid), True

    def _listening(
        self, order: list[EndpointHealth], among: list[EndpointHealth] | None = None
    ) -> list[EndpointHealth]:
        """``order`` without endpoints that refused their last connection, unless nothing in ``among`` listens."""
        if not any(not h.refusing for h in (order if among is None else among)):
            return order
        return [h for h in order if not h.refusing]

    def _failed(self, exc: TransientError) -> None:
        """Note a failed attempt; the endpoint is skipped for the rest of this round."""
        self.last = exc
        self.failures[exc.endpoint] += 1
        self.answered = self.answered or exc.reason is not Reason.TIMEOUT
        if exc.reason in _UNUSABLE:
            # a bad key, a blocked client, a redirect: asking it again in this call would get the same
            self.unusable.add(exc.endpoint)
            if self.only is None:
                self.avoid.add(exc.endpoint)
        if self.only is None and len(self.pool.health) > 1:
            self.exclude.add(exc.endpoint)
        if exc.retry_after is None or exc.retry_after <= self._patience() or self._alternative():
            return
        # the only endpoint left asks for more patience than we may spend (or than is left): say so now
        left = remaining_time()
        raise ChainUnavailable(
            self.client.chain.name,
            self.tried or self.pool.names,
            Reason.RETRY_AFTER_TOO_LONG,
            detail=f"rate limited; asked to wait {exc.retry_after:g} s",
            out_of_time=left is not None and exc.retry_after > left - self.policy.deadline_margin,
        ) from exc

    def _cut_short(self, exc: TransientError | None) -> bool:
        """Whether the deadline, not the endpoints, ended this call: time is up and the last attempt was still waiting.

        Endpoints that each answered with a failure until the deadline are
        unavailable (503), however long we kept asking; one that was still
        being waited on when the time ran out is the deadline's doing (504).
        Once an endpoint has answered with a failure (or refused) in this
        call, a last attempt the deadline cut short does not change that: the
        answer says what the endpoints did, not how busy the machine was.
        """
        left = remaining_time()
        if left is None or left > self.policy.deadline_margin:
            return False
        return exc is None or (exc.reason is Reason.TIMEOUT and not self.answered)

    def _patience(self) -> float:
        """The longest Retry-After honoured now: the policy's bound, or the time left, whichever is shorter."""
        left = remaining_time()
        bound = self.policy.max_retry_after
        return bound if left is None else min(bound, left - self.policy.deadline_margin)

    def _alternative(self) -> bool:
        """Whether an endpoint not yet excluded, and not asking us to wait, remains."""
        if self.only is not None:
            return False
        return any(not h.throttled and not h.circuit_open for h in self.pool.ordered(avoid=sorted(self.exclude)))

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        reason = exc.reason.value if isinstance(exc, TransientError) else "error"
        self.client.observer.on_retry(self.client.chain.name, reason)
        pause = self._pause()
        left = remaining_time()
        if left is not None:
            pause = max(0.0, min(pause, left - self.policy.deadline_margin))
        return pause

    def _pause(self) -> float:
        """How long to wait before the next attempt, by the endpoint it will ask.

        Nothing before a first attempt there (failing over is immediate); its
        Retry-After while it asked us to wait (``_failed`` gives up when that
        does not fit); else a jittered backoff growing with this call's
        failures there, never with attempts spent at other endpoints.
        """
        if self.only is not None:
            health = self.pool.health.get(self.only)
        else:
            order, _ = self._order()
            health = order[0] if order else None
        if health is None:
            return 0.0
        retry_after = health.throttled_until - health.clock() if health.throttled else None
        failures = self.failures[health.name]
        if retry_after is None and not failures:
            return 0.0
        return self.policy.backoff(max(1, failures), retry_after)

    def _unavailable(
        self, exc: TransientError | None, *, out_of_time: bool = False, detail: str = ""
    ) -> ChainUnavailable:
        reason = exc.reason if exc is not None else (Reason.OUT_OF_TIME if out_of_time else Reason.NO_ENDPOINT)
        return ChainUnavailable(
            self.client.chain.name,
            [*self.tried, *self.passed_over] or self.pool.names,
            reason,
            detail=detail or (exc.label if exc is not None else ""),
            out_of_time=out_of_time,
        )

    def _hedge_partner(self, primary: EndpointHealth) -> EndpointHealth | None:
        """A healthy second endpoint for a hedged read, on chains that hedge."""
        if not self.client.chain.hedge or self.only is not None:
            return None
        avoid = sorted(self.exclude | {primary.name})
        for h in self.pool.ordered(avoid=avoid, min_head=self.min_head):
            if h.state is Circuit.CLOSED and not self.pool.is_lagging(h.name) and self._sendable(h):
                return h
        return None

    async def _hedged(self, primary: EndpointHealth, partner: EndpointHealth) -> tuple[Outcome, list[int]]:
        """Ask ``primary``; if it is slower than usual, ask ``partner`` too and take the first good answer.

        Returns the answer and the items its endpoint was asked.
        """
        delay = primary.hedge_after(self.policy)
        started = time.monotonic()
        asked = {primary.name: self._sendable(primary), partner.name: self._sendable(partner)}
        first = asyncio.create_task(self.client.attempt(primary, self.calls, asked[primary.name]))
        second: asyncio.Task[Outcome] | None = None
        try:
            done, _ = await asyncio.wait({first}, timeout=delay)
            if done:
                return first.result(), asked[primary.name]
            self.client.hedges += 1
            self.client.observer.on_retry(self.client.chain.name, "hedge")
            second = asyncio.create_task(self.client.attempt(partner, self.calls, asked[partner.name]))
            legs = {first: primary, second: partner}
            waiting: set[asyncio.Task[Outcome]] = {first, second}
            failures: list[TransientError] = []
            while waiting:
                done, waiting = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    exc = task.exception()
                    if exc is None:
                        for loser in waiting:
                            legs[loser].note_slow(time.monotonic() - started)
                        outcome = task.result()
                        return outcome, asked[outcome.endpoint]
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


def _speaking_for(chain: ChainSpec, dialect: Dialect) -> Dialect:
    if dialect.family != chain.family:
        raise ValueError(f"chain {chain.name} is of the {chain.family} family, not {dialect.family}")
    return dialect
