"""One HTTP POST to one endpoint: the status taxonomy, a bounded read, no redirects.

    no connection at all                    -> TransientError(connection_refused): the circuit opens at once
    transport error, timeout                -> TransientError(timeout | connection_error)
    HTTP 429                                -> TransientError(http_429, retry_after)
    HTTP 5xx                                -> TransientError(http_5xx, retry_after)
    HTTP 3xx / 4xx whatever the body        -> TransientError(http_3xx | http_4xx): this endpoint cannot serve us
    a body over the limit (decompressed)    -> TransientError(oversize_response)
    a body whose charge can never fit       -> TransientError(oversize_response): the endpoint's fault
      in the answer budget
    no budget free within the attempt       -> TransientError(answer_budget): ours, not the endpoint's
    2xx                                     -> the raw bytes, for the codec

Nothing here knows JSON-RPC or endpoint health; the client records outcomes.
Two transports keep this contract: ``txdiag.rpc.aio`` (aiohttp, for the server)
and ``txdiag.rpc.plain`` (the standard library in a worker thread, for the
command line, which then never imports aiohttp); the composition root picks one.
Both charge what they read to one process-wide ``AnswerBudget`` (budget.py):
the declared length up front, then what the body really holds as it arrives,
and hand the hold on with the bytes; the client keeps it with the decoded answer.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Literal, Protocol

from txdiag.chains import Endpoint
from txdiag.errors import Reason
from txdiag.rpc.budget import AnswerBudget, Hold, OverBudget, Tally, upfront

MAX_RETRY_AFTER = 86_400.0  # a Retry-After beyond a day is nonsense; never wait (or mark) longer


class TransientError(Exception):
    """An attempt failed in a way another attempt (or another endpoint) may not.

    ``reason`` is a fixed label, ``detail`` a bounded refinement we wrote
    (``http_401``, ``rpc_error -32000``), ``outcome`` the request-metric label.
    """

    def __init__(
        self,
        reason: Reason,
        endpoint: str,
        retry_after: float | None = None,
        *,
        detail: str = "",
        outcome: str = "",
        elapsed: float = 0.0,
        throttled: bool = False,
    ) -> None:
        super().__init__(f"{endpoint}: {detail or reason.value}")
        self.reason = reason
        self.endpoint = endpoint
        self.retry_after = retry_after
        self.detail = detail
        self.outcome = outcome or reason.value
        self.elapsed = elapsed
        self.throttled = throttled

    @property
    def label(self) -> str:
        return self.detail or self.reason.value


@dataclass(frozen=True, slots=True)
class Posted:
    """A 2xx answer's body, how long it took, and its hold on the answer budget (``decoded``: what to keep after)."""

    raw: bytes
    elapsed: float
    hold: Hold | None = None
    decoded: int = 0


TransportKind = Literal["aiohttp", "plain"]


class Transport(Protocol):
    """One POST to one endpoint under the contract above; ``close`` ends its kept-alive connections."""

    async def post(self, endpoint: Endpoint, body: bytes, *, seconds: float, max_bytes: int) -> Posted: ...
    async def close(self) -> None: ...


def make_transport(kind: TransportKind, connections: int = 64, budget: AnswerBudget | None = None) -> Transport:
    """The transport of this kind, with at most ``connections`` open at once; each is imported only when chosen.

    ``budget`` is the process's answer budget (the composition root makes one for every client); without one,
    the transport keeps a budget of its own of the default size.
    """
    if kind == "plain":
        from txdiag.rpc.plain import PlainTransport  # noqa: PLC0415 - the command line never loads aiohttp

        return PlainTransport(connections=connections, budget=budget)
    from txdiag.rpc.aio import AiohttpTransport  # noqa: PLC0415 - loaded only when chosen

    return AiohttpTransport(connections=connections, budget=budget)


class Metered:
    """One body being read under the budget: the bytes so far, what they hold, and the hold that covers them."""

    __slots__ = ("body", "budget", "hold", "limit", "tally")

    def __init__(self, budget: AnswerBudget, hold: Hold, limit: int) -> None:
        self.budget = budget
        self.hold = hold
        self.limit = limit
        self.body = bytearray()
        self.tally = Tally()

    def add(self, chunk: bytes) -> bool:
        """Take one chunk; False when the body is now over the limit. OverBudget when its charge cannot be held."""
        self.body += chunk
        self.tally.add(chunk)
        if len(self.body) > self.limit:
            self.drop()
            return False
        charge = self.tally.charge
        if charge > self.hold.nbytes and not self.hold.resize(charge + upfront(len(chunk))):
            self.refuse(charge)
        return True

    def finish(self, elapsed: float) -> Posted:
        """The whole body, its hold settled to its exact charge."""
        charge = self.tally.charge
        if not self.hold.resize(charge):
            self.refuse(charge)
        raw = bytes(self.body)
        self.body = bytearray()
        return Posted(raw, elapsed, self.hold, self.tally.decoded)

    def refuse(self, charge: int) -> None:
        self.drop()
        raise OverBudget(charge, too_big=charge > self.budget.total)

    def drop(self) -> None:
        """Give the body and its hold back: an exception's traceback keeps this object, never the bytes."""
        self.body = bytearray()
        self.hold.release()


def over_budget(exc: OverBudget, name: str, elapsed: float) -> TransientError:
    """What a refused reservation is: an answer that can never fit is the endpoint's; no room in time is ours."""
    if exc.too_big:
        return TransientError(Reason.OVERSIZE, name, outcome="oversize", elapsed=elapsed)
    return TransientError(Reason.ANSWER_BUDGET, name, elapsed=elapsed)


def judge(status: int, retry_after: float | None, raw: Posted | None, name: str, elapsed: float) -> Posted:
    """The status taxonomy: a 2xx body within the limit (``raw``), or the TransientError for this answer."""
    detail = f"http_{status}" if 100 <= status <= 999 else "http_other"
    if status == 429:
        raise TransientError(Reason.HTTP_THROTTLED, name, retry_after, detail=detail, elapsed=elapsed, throttled=True)
    if status >= 500:
        raise TransientError(Reason.HTTP_SERVER, name, retry_after, detail=detail, elapsed=elapsed)
    if status >= 400:
        # a bad key or a blocked client, whatever the body says: this endpoint cannot serve us; others may
        raise TransientError(Reason.HTTP_CLIENT, name, detail=detail, elapsed=elapsed)
    if not 200 <= status < 300:
        reason = Reason.HTTP_REDIRECT if 300 <= status < 400 else Reason.HTTP_OTHER
        raise TransientError(reason, name, detail=detail, elapsed=elapsed)
    if raw is None:
        raise TransientError(Reason.OVERSIZE, name, outcome="oversize", elapsed=elapsed)
    return dataclasses.replace(raw, elapsed=elapsed)


def parse_retry_after(value: str | None) -> float | None:
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
