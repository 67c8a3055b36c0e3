"""The aiohttp transport (the server's): one POST under the contract of ``txdiag.rpc.transport``."""

from __future__ import annotations

import time

import aiohttp

from txdiag.chains import Endpoint
from txdiag.errors import Reason
from txdiag.rpc.transport import Posted, TransientError, judge, parse_retry_after


class AiohttpTransport:
    """POSTs through one aiohttp session (made on first use unless given), kept alive per endpoint."""

    def __init__(self, session: aiohttp.ClientSession | None = None, *, connections: int = 64) -> None:
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
        raw: bytes | None = None
        name = endpoint.name
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
                    raw = await read_bounded(resp, max_bytes)
        except TimeoutError as exc:
            raise TransientError(Reason.TIMEOUT, name, elapsed=time.monotonic() - started) from exc
        except aiohttp.ClientConnectorError as exc:
            raise TransientError(
                Reason.REFUSED, name, outcome="connection_error", elapsed=time.monotonic() - started
            ) from exc
        except aiohttp.ClientError as exc:
            raise TransientError(Reason.CONNECTION, name, elapsed=time.monotonic() - started) from exc
        return judge(status, retry_after, raw, name, time.monotonic() - started)


async def read_bounded(resp: aiohttp.ClientResponse, limit: int) -> bytes | None:
    """The body as the client sees it (decompressed), or None when it is longer than ``limit`` bytes."""
    if resp.content_length is not None and resp.content_length > limit:
        return None
    body = bytearray()
    async for chunk in resp.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)
