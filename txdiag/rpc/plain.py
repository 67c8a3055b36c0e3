"""The standard-library transport (the command line's): one POST under the contract of ``txdiag.rpc.transport``.

http.client runs in worker threads, so the event loop never blocks; idle
connections are kept alive per endpoint and reused; TLS (and its context,
which reads the CA bundle) only for an ``https://`` URL, built on first use.
Importing this module costs almost nothing, unlike aiohttp's client.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import http.client
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from txdiag.chains import Endpoint
from txdiag.errors import Reason
from txdiag.rpc.budget import AnswerBudget, Holdings, OverBudget, current_holdings, upfront
from txdiag.rpc.transport import Metered, Posted, TransientError, judge, over_budget, parse_retry_after

if TYPE_CHECKING:
    import ssl

CHUNK = 64 * 1024
HEADERS = {"Content-Type": "application/json", "User-Agent": "txdiag", "Accept-Encoding": "gzip, deflate"}
# a kept-alive connection the node closed meanwhile fails like this before any answer; one fresh try is fair
STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class _Exchange:
    """One request's connection, which the loop side may abandon (timeout, cancel) while the thread works."""

    def __init__(self, conn: http.client.HTTPConnection | None) -> None:
        self.conn = conn
        self.abandoned = False
        self.lock = threading.Lock()

    def abandon(self) -> None:
        with self.lock:
            self.abandoned = True
            conn = self.conn
        if conn is not None and conn.sock is not None:
            with contextlib.suppress(OSError):
                conn.sock.shutdown(2)  # wakes a thread blocked in recv; the connection is never reused


class PlainTransport:
    """POSTs with http.client in worker threads, one kept-alive connection per concurrent request per endpoint."""

    def __init__(self, *, connections: int = 64, budget: AnswerBudget | None = None) -> None:
        self._budget = budget if budget is not None else AnswerBudget()
        self._idle: dict[str, list[http.client.HTTPConnection]] = {}
        self._ssl: ssl.SSLContext | None = None
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._connections = connections

    async def post(self, endpoint: Endpoint, body: bytes, *, seconds: float, max_bytes: int) -> Posted:
        """POST ``body``; raise TransientError for every answer that is not a 2xx body within ``max_bytes``."""
        started = time.monotonic()
        exchange = _Exchange(self._take(endpoint.url))
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._connections, thread_name_prefix="txdiag-http")
        loop = asyncio.get_running_loop()
        limit = min(max_bytes, self._budget.max_answer)
        # the worker thread does not see this task's context: the work's holdings go along explicitly
        holdings = current_holdings()
        exchanged = functools.partial(self._exchange, exchange, endpoint, body, seconds, limit, holdings=holdings)
        work = loop.run_in_executor(self._pool, exchanged)
        try:
            status, retry_after, raw = await asyncio.wait_for(work, seconds)
        except TimeoutError as exc:
            exchange.abandon()
            raise TransientError(Reason.TIMEOUT, endpoint.name, elapsed=time.monotonic() - started) from exc
        except BaseException:
            exchange.abandon()
            raise
        return judge(status, retry_after, raw, endpoint.name, time.monotonic() - started)

    async def close(self) -> None:
        with self._lock:
            idle = [c for conns in self._idle.values() for c in conns]
            self._idle.clear()
        for conn in idle:
            conn.close()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    # -- in a worker thread --------------------------------------------------

    def _exchange(
        self,
        exchange: _Exchange,
        endpoint: Endpoint,
        body: bytes,
        seconds: float,
        max_bytes: int,
        *,
        holdings: Holdings | None,
    ) -> tuple[int, float | None, Posted | None]:
        started = time.monotonic()
        name = endpoint.name
        reused = exchange.conn is not None
        while True:
            conn = exchange.conn or self._connect(endpoint, seconds, exchange, started)
            try:
                left = max(0.001, seconds - (time.monotonic() - started))
                if conn.sock is not None:
                    conn.sock.settimeout(left)
                conn.timeout = left
                conn.request("POST", _target(endpoint.url), body=body, headers=_headers(endpoint.url))
                resp = conn.getresponse()
                status = resp.status
                retry_after = parse_retry_after(resp.getheader("Retry-After"))
                raw = None
                if 200 <= status < 300:
                    left = seconds - (time.monotonic() - started)
                    raw = _read_bounded(resp, max_bytes, self._budget, holdings, left)
            except OverBudget as exc:
                conn.close()  # the body was left unread
                raise over_budget(exc, name, time.monotonic() - started) from exc
            except TimeoutError as exc:
                conn.close()
                raise TransientError(Reason.TIMEOUT, name, elapsed=time.monotonic() - started) from exc
            except STALE as exc:
                conn.close()
                exchange.conn = None
                if reused and not exchange.abandoned:
                    reused = False
                    continue
                raise TransientError(Reason.CONNECTION, name, elapsed=time.monotonic() - started) from exc
            except (OSError, http.client.HTTPException, zlib.error) as exc:
                conn.close()
                raise TransientError(Reason.CONNECTION, name, elapsed=time.monotonic() - started) from exc
            # a body left unread (not 2xx, over the bound), a closing node or an abandoned request: not kept.
            # A closed connection given back would reconnect silently inside the next request, past
            # _connect, so a refusing endpoint would look like a broken connection.
            if raw is not None and not resp.will_close and not exchange.abandoned:
                self._give_back(endpoint.url, conn)
            else:
                conn.close()
            if exchange.abandoned and raw is not None and raw.hold is not None:
                raw.hold.release()  # nobody will decode it
                raw = None
            return status, retry_after, raw

    def _connect(
        self, endpoint: Endpoint, seconds: float, exchange: _Exchange, started: float
    ) -> http.client.HTTPConnection:
        parts = urlsplit(endpoint.url)
        host, port = parts.hostname or "", parts.port
        left = max(0.001, seconds - (time.monotonic() - started))
        conn: http.client.HTTPConnection
        if parts.scheme == "https":
            conn = http.client.HTTPSConnection(host, port, timeout=left, context=self._context())
        else:
            conn = http.client.HTTPConnection(host, port, timeout=left)
        with exchange.lock:
            exchange.conn = conn
        try:
            conn.connect()
        except TimeoutError as exc:
            conn.close()
            exchange.conn = None
            raise TransientError(Reason.TIMEOUT, endpoint.name, elapsed=time.monotonic() - started) from exc
        except OSError as exc:  # refused, unreachable, no such host, TLS handshake refused
            conn.close()
            exchange.conn = None
            raise TransientError(
                Reason.REFUSED, endpoint.name, outcome="connection_error", elapsed=time.monotonic() - started
            ) from exc
        if exchange.abandoned:
            exchange.abandon()
        return conn

    def _context(self) -> ssl.SSLContext:
        with self._lock:
            if self._ssl is None:
                import ssl  # noqa: PLC0415 - TLS only for an https:// endpoint

                self._ssl = ssl.create_default_context()
            return self._ssl

    def _take(self, url: str) -> http.client.HTTPConnection | None:
        with self._lock:
            idle = self._idle.get(url)
            return idle.pop() if idle else None

    def _give_back(self, url: str, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            self._idle.setdefault(url, []).append(conn)


@functools.cache
def _headers(url: str) -> dict[str, str]:
    """The request headers; credentials in the URL (a Bitcoin Core node's) go as HTTP Basic auth, as aiohttp does."""
    parts = urlsplit(url)
    if parts.username is None:
        return HEADERS
    user, password = unquote(parts.username), unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode("latin-1")).decode("ascii")
    return {**HEADERS, "Authorization": f"Basic {token}"}


def _target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _read_bounded(
    resp: http.client.HTTPResponse, limit: int, budget: AnswerBudget, holdings: Holdings | None, within: float
) -> Posted | None:
    """The body decompressed (gzip, deflate) with its hold on ``budget``, or None when longer than ``limit`` bytes.

    Charged as in the aiohttp transport: the declared length before reading (this thread waits, up to
    ``within`` seconds, when the work holds no answer yet), then what the body holds as it is read.
    """
    length = resp.getheader("Content-Length")
    encoding = (resp.getheader("Content-Encoding") or "identity").strip().lower()
    declared = int(length) if length is not None and length.isdigit() else None
    if declared is not None and declared > limit:
        return None
    hold = budget.reserve_blocking(upfront(declared), within=within, holdings=holdings)
    meter = Metered(budget, hold, limit)
    try:
        inflate = zlib.decompressobj(wbits=47) if encoding in ("gzip", "deflate", "x-gzip") else None
        while chunk := resp.read(CHUNK):
            if inflate is not None:
                chunk = inflate.decompress(chunk, limit + 1 - len(meter.body))
            if not meter.add(chunk):
                return None
        if inflate is not None and not meter.add(inflate.flush()):
            return None
        return meter.finish(0.0)
    except BaseException:
        meter.drop()
        raise
