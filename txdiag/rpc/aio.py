"""The aiohttp transport (the server's): one POST under the contract of ``txdiag.rpc.transport``."""

from __future__ import annotations

import time

import aiohttp

from txdiag.chains import Endpoint
from txdiag.errors import Reason
from txdiag.rpc.budget import AnswerBudget, OverBudget, current_holdings, upfront
from txdiag.rpc.transport import Metered, Posted, TransientError, judge, over_budget, parse_retry_after

CHUNK = 64 * 1024


class AiohttpTransport:
    """POSTs through one aiohttp session (made on first use unless given), kept alive per endpoint."""

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        connections: int = 64,
        budget: AnswerBudget | None = None,
    ) -> None:
        self._budget = budget if budget is not None else AnswerBudget()
        self._session = session
        self._owns_session = session is None
        self._connections = connections

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections, keepalive_timeout=60, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"Content-Type": "application/json", "User-Agent": "txdiag"},
            )
            self._owns_session = True
        return self._session

    async def close(self) -> None:
        if self._session is not None and self._owns_session and not self._session.closed:
            await self._session.close()

    async def post(self, endpoint: Endpoint, body: bytes, *, seconds: float, max_bytes: int) -> Posted:
        """POST ``body``; raise TransientError for every answer that is not a 2xx body within ``max_bytes``."""
        session = self._ensure_session()
        started = time.monotonic()
        raw: Posted | None = None
        name = endpoint.name
        limit = min(max_bytes, self._budget.max_answer)
        try:
            async with session.post(
                endpoint.url,
                data=body,
                timeout=aiohttp.ClientTimeout(total=seconds),
                allow_redirects=False,  # a node's redirect may point anywhere; only configured URLs are asked
            ) as resp:
                status = resp.status
                retry_after = parse_retry_after(resp.headers.get("Retry-After"))
                if 200 <= status < 300:
                    left = seconds - (time.monotonic() - started)
                    raw = await read_bounded(resp, limit, self._budget, left)
        except OverBudget as exc:
            raise over_budget(exc, name, time.monotonic() - started) from exc
        except TimeoutError as exc:
            raise TransientError(Reason.TIMEOUT, name, elapsed=time.monotonic() - started) from exc
        except aiohttp.ClientConnectorError as exc:
            raise TransientError(
                Reason.REFUSED, name, outcome="connection_error", elapsed=time.monotonic() - started
            ) from exc
        except aiohttp.ClientError as exc:
            raise TransientError(Reason.CONNECTION, name, elapsed=time.monotonic() - started) from exc
        return judge(status, retry_after, raw, name, time.monotonic() - started)


async def read_bounded(resp: aiohttp.ClientResponse, limit: int, budget: AnswerBudget, within: float) -> Posted | None:
    """The body as the client sees it (decompressed) with its hold on ``budget``, or None when longer than ``limit``.

    The declared length is charged before reading (waiting up to ``within`` seconds when this work holds
    no answer yet), then what the body really holds as it arrives (never waiting: see budget.py).
    OverBudget when it cannot be held.
    """
    declared = resp.content_length
    if declared is not None and declared > limit:
        return None
    hold = await budget.reserve(upfront(declared), within=within, holdings=current_holdings())
    meter = Metered(budget, hold, limit)
    try:
        async for chunk in resp.content.iter_chunked(CHUNK):
            if not meter.add(chunk):
                return None
        return meter.finish(0.0)
    except BaseException:
        meter.drop()
        raise
