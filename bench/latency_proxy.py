"""A JSON-RPC pass-through that adds a fixed latency to every HTTP request and counts them.

It stands for the network distance to a real RPC provider, so round trips
cost what they cost in production rather than a loopback's microseconds.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web


@dataclass
class LatencyProxy:
    upstream: str
    latency: float
    requests: int = 0
    items: int = 0
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _ready: threading.Event = field(default_factory=threading.Event)
    _stop: asyncio.Event | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset(self) -> None:
        self.requests = 0
        self.items = 0

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.requests += 1
        self.items += body.count(b'"method"')
        await asyncio.sleep(self.latency)
        assert self._session is not None
        async with self._session.post(self.upstream, data=body, headers={"Content-Type": "application/json"}) as r:
            payload = await r.read()
            return web.Response(body=payload, status=r.status, content_type="application/json")

    async def _main(self) -> None:
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=512))
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/", self._handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._stop = asyncio.Event()
        self._ready.set()
        await self._stop.wait()
        await runner.cleanup()
        await self._session.close()

    def start(self) -> LatencyProxy:
        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self._main())
            self._loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    _session: aiohttp.ClientSession | None = None
