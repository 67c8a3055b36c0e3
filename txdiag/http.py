"""The HTTP service (aiohttp). Thin: parse, call diagnose(), render."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from aiohttp import web

from txdiag.chains import load_chains
from txdiag.errors import BadInput, ChainUnavailable, DeadlineExceeded, UnknownChain
from txdiag.service import Service
from txdiag.settings import Settings

SERVICE = web.AppKey("service", Service)


async def diagnose_handler(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    q = request.query
    try:
        diagnosis = await service.diagnose(
            request.match_info["hash"],
            chain=q.get("chain"),
            expected_to=q.get("expected_to"),
            lang=q.get("lang"),
            accept_language=request.headers.get("Accept-Language"),
        )
    except UnknownChain as exc:
        return _problem(404, "Unknown chain", str(exc))
    except BadInput as exc:
        return _problem(400, "Bad request", str(exc))
    except ChainUnavailable as exc:
        return _problem(503, "No endpoint answered", str(exc), retry_after=5)
    except DeadlineExceeded as exc:
        return _problem(504, "Deadline exceeded", str(exc))
    return web.json_response(diagnosis.to_json(), dumps=lambda o: json.dumps(o, ensure_ascii=False))


def _problem(status: int, title: str, detail: str, retry_after: int | None = None) -> web.Response:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return web.Response(status=status, text=json.dumps(body), content_type="application/problem+json", headers=headers)


def create_app(service: Service) -> web.Application:
    app = web.Application()
    app[SERVICE] = service
    app.router.add_get("/v1/tx/{hash}", diagnose_handler)
    return app


def run(*, host: str | None = None, port: int | None = None, chains_dir: Path | None = None) -> int:
    settings = Settings.from_env()
    chains = load_chains(chains_dir or settings.chains_dir)

    async def main() -> None:
        async with Service(chains, settings) as service:
            runner = web.AppRunner(create_app(service))
            await runner.setup()
            site = web.TCPSite(runner, host or settings.host, port if port is not None else settings.port)
            await site.start()
            try:
                await asyncio.Event().wait()
            finally:
                await runner.cleanup()

    asyncio.run(main())
    return 0
