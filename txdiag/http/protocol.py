"""The connection protocol: aiohttp's RequestHandler with our limits, timeouts and error answers.

aiohttp answers requests its parser rejects (bad request line, NUL in the
target, an over-long line or header, a bad Content-Length, Content-Length with
Transfer-Encoding) without running the app or its middlewares: it calls the
protocol's public ``handle_error()``, which by default logs a traceback quoting
the raw request bytes (Authorization header included) and answers text/plain.
This subclass overrides ``handle_error()`` and ``log_exception()`` so that those
answers are problem+json with a request id, an access-log line and a metric,
and no log line ever holds request bytes. It is built per connection by our own
protocol factory (serve.py), so nothing in aiohttp is patched.

Which limit a ``LineTooLong`` tripped is read from the limit it reports: the
request line and header limits differ by design (MAX_LINE, MAX_FIELD), so a
long target is 414 and a long header 431. test_http_edge.py checks that each
error class still arrives here with the status we give it, so an aiohttp
upgrade that changes this fails a test rather than the service.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage, HttpProcessingError, LineTooLong

from txdiag.http.accesslog import access_line
from txdiag.http.limits import Admission, ConnectionLimits, Warnings, client_key
from txdiag.http.problems import PROBLEM_TYPE, Problem
from txdiag.metrics import Metrics

log = logging.getLogger("txdiag.http")

MAX_LINE = 8190  # bytes of the request line (aiohttp's default); longer: 414
MAX_FIELD = 8192  # bytes of one header line; longer: 431 (differs from MAX_LINE: that tells them apart)
MAX_HEADERS = 64  # header lines in one request
UNPARSED = "unparsed"  # the route label of a request the parser rejected


@dataclass(frozen=True, slots=True)
class Policy:
    """What every connection shares: the limits, the timeouts, where to count and warn.

    ``idle`` holds the open connections that are not inside a request, oldest
    first: at the total cap the oldest of them is closed to make room, so a flood
    of idle connections cannot keep ``/healthz`` (or anyone) out.
    """

    limits: ConnectionLimits
    metrics: Metrics
    warnings: Warnings
    header_timeout: float
    idle: OrderedDict[Connection, None] = field(default_factory=OrderedDict)


def parser_problem(exc: BaseException | None) -> Problem:
    """The problem answer for a request aiohttp's parser rejected. Never quotes the request."""
    if isinstance(exc, LineTooLong):
        limit = exc.args[1] if len(exc.args) > 1 else None
        if limit == MAX_FIELD:
            return Problem(431, f"a request header line is longer than {MAX_FIELD} bytes")
        return Problem(414, f"the request line is longer than {MAX_LINE} bytes")
    if isinstance(exc, BadHttpMessage) and "Too many headers" in exc.message:
        return Problem(431, f"the request has more than {MAX_HEADERS} header lines")
    return Problem(400, "the request is not valid HTTP/1.1 (request line, headers or framing)")


class Connection(web.RequestHandler):
    """One client connection (see the module docstring)."""

    def __init__(self, manager: web.Server, *, policy: Policy, loop: asyncio.AbstractEventLoop, **kwargs: Any) -> None:
        super().__init__(manager, loop=loop, **kwargs)
        self.policy = policy
        self.client = "unknown"
        self.admission = Admission.ADMIT
        self._admitted = False  # counted in the limits
        self._served = False  # handed to aiohttp (its connection_made ran)
        self._in_request = False
        self._header_timer: asyncio.TimerHandle | None = None

    # -- admission and the header timer ------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        self.client = client_key(peer[0] if isinstance(peer, tuple) and peer else None)
        policy = self.policy
        limits = policy.limits
        # room is made only for a client still under its own cap: a flooding client evicts nobody
        if limits.total >= limits.max_total and policy.idle and limits.open_from(self.client) < limits.max_per_client:
            oldest = next(iter(policy.idle))
            oldest.evict()
            self._limited(limits.total_reason, "the oldest idle connections are closed to make room")
        admission, reason = limits.admit(self.client)
        self.admission = admission
        if reason is not None:
            self._limited(reason, "new connections are refused or served /healthz only")
        if admission is Admission.REFUSE:
            # before anything is read or any task started: the cheapest answer there is
            assert isinstance(transport, asyncio.Transport)
            transport.write(_refusal())
            transport.close()
            return
        self._admitted = True
        policy.metrics.open_connections.inc()
        self._served = True
        super().connection_made(transport)
        policy.idle[self] = None
        self._arm()

    def _limited(self, reason: str, what: str) -> None:
        self.policy.metrics.connections_refused.labels(reason).inc()
        self.policy.warnings.warn(reason, f"connection limit reached ({reason}): {what}")

    def evict(self) -> None:
        """Close this idle connection now to make room; it stops counting at once."""
        self._release()
        self.force_close()

    def _release(self) -> None:
        self._disarm()
        self.policy.idle.pop(self, None)
        if self._admitted:
            self._admitted = False
            self.policy.limits.release(self.client)
            self.policy.metrics.open_connections.dec()

    def data_received(self, data: bytes) -> None:
        if not self._served:
            return
        if not self._in_request and self._header_timer is None and self._admitted:
            self._arm()  # the first byte of a new request starts its header clock
        super().data_received(data)

    def connection_lost(self, exc: BaseException | None) -> None:
        self._release()
        if self._served:
            self._served = False
            super().connection_lost(exc)

    def request_started(self) -> None:
        """The headers are in: the header clock stops (the edge middleware calls this)."""
        self._in_request = True
        self._disarm()
        self.policy.idle.pop(self, None)

    def request_finished(self) -> None:
        self._in_request = False
        if self._admitted:
            self.policy.idle[self] = None

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self._loop.call_later(self.policy.header_timeout, self._headers_late)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        if self._in_request:
            return
        self.policy.metrics.connections_timed_out.labels("header").inc()
        self.force_close()

    # -- aiohttp's error paths ------------------------------------------------

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        """A request the app did not answer: parser errors (4xx) and anything that escaped it, as problem+json."""
        started = time.monotonic()
        self.request_started()
        if request.writer.output_size > 0:  # part of an answer is out already: all we can do is close
            raise ConnectionError("response already started")
        if isinstance(exc, HttpProcessingError) or 400 <= status < 500:
            problem = parser_problem(exc)
            self.policy.warnings.warn("malformed", f"malformed requests rejected (latest: {type(exc).__name__})")
        elif status == 504:
            problem = Problem(504, "the request took too long")
        else:
            log.error("error outside the app: %s", type(exc).__name__ if exc is not None else "unknown")
            problem = Problem(500, "the service failed to answer; the request id identifies it in the logs")
        rid = uuid.uuid4().hex
        response = problem.response(rid)
        response.headers["X-Request-ID"] = rid
        response.force_close()
        self.policy.metrics.observe_http(UNPARSED, problem.status, time.monotonic() - started)
        access_line(request.method or "-", UNPARSED, problem.status, started, request_id=rid, client=self.client)
        return response

    def log_exception(self, *args: Any, **kw: Any) -> None:
        """aiohttp's own error reports, without the traceback (it may quote request bytes)."""
        exc = kw.get("exc_info")
        what = type(exc).__name__ if isinstance(exc, BaseException) else "error"
        text = args[0] if args and isinstance(args[0], str) else "error"
        log.error("%s (%s)", text.split(":", 1)[0][:80], what)


def _refusal() -> bytes:
    rid = uuid.uuid4().hex
    body = Problem(503, "too many connections; try again shortly").body(rid)
    head = (
        "HTTP/1.1 503 Service Unavailable\r\n"
        f"Content-Type: {PROBLEM_TYPE}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Retry-After: 1\r\n"
        f"X-Request-ID: {rid}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body
