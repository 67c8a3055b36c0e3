"""The app factory: routes, middlewares, and every resource opened and closed with the app (cleanup_ctx)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from txdiag.http import api, page
from txdiag.http.edge import MAX_BODY, edge
from txdiag.http.guard import GUARD, Guard, protect
from txdiag.http.problems import dumps
from txdiag.http.state import METRICS, OPENAPI, SERVICE, SETTINGS
from txdiag.metrics import Metrics
from txdiag.openapi import build_document
from txdiag.service import Service
from txdiag.settings import Settings


def create_app(service: Service, settings: Settings, metrics: Metrics) -> web.Application:
    """The aiohttp application. The service's RPC clients, health cache and sightings store live with it."""
    app = web.Application(middlewares=[edge, protect], client_max_size=MAX_BODY)
    app[SERVICE] = service
    app[SETTINGS] = settings
    app[METRICS] = metrics
    app[GUARD] = Guard(service, settings, metrics)
    app[OPENAPI] = dumps(build_document())
    # closed in reverse: the health cache first, then the RPC clients, the sightings store last
    app.cleanup_ctx.extend((_sightings, _rpc_clients, _status_cache))
    api.add_routes(app.router)
    page.install(app)  # the page for people (off with TXDIAG_PAGE=off)
    # Other route modules plug in here, one line each: ``module.add_routes(app.router)``.
    return app


async def _sightings(app: web.Application) -> AsyncIterator[None]:
    yield
    app[SERVICE].sightings.close()


async def _rpc_clients(app: web.Application) -> AsyncIterator[None]:
    async with contextlib.AsyncExitStack() as stack:
        for ctx in app[SERVICE].contexts.values():
            await stack.enter_async_context(ctx.client)  # opens the pooled session now, in this loop
        yield


async def _status_cache(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[GUARD].status.close()
