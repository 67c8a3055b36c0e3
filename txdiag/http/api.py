"""The API routes: ``/v1/…``, health, readiness, metrics and the OpenAPI document."""

from __future__ import annotations

import asyncio
import re
import time

from aiohttp import web

from txdiag.errors import BadInput, ChainUnavailable, DeadlineExceeded
from txdiag.http.guard import GUARD
from txdiag.http.problems import Problem, from_error, json_response
from txdiag.http.state import METRICS, OPENAPI, SERVICE, SETTINGS
from txdiag.metrics import CONTENT_TYPE
from txdiag.openapi import CHAIN_PATTERN
from txdiag.report import Diagnosis
from txdiag.rpc import deadline_scope

_CHAIN = re.compile(CHAIN_PATTERN)


async def diagnose_handler(request: web.Request) -> web.Response:
    """GET /v1/tx/{hash}: one diagnosis, in the language asked for."""
    q = request.query
    chain = q.get("chain")
    if chain is not None and not _CHAIN.fullmatch(chain):
        raise Problem(400, "not a chain name: lower-case letters, digits and '-', at most 32 characters")
    diagnosis = await diagnose_within_limits(
        request, request.match_info["hash"], chain=chain, expected_to=q.get("expected_to"), lang=q.get("lang")
    )
    return json_response(
        diagnosis.to_json(),
        headers={"Content-Language": diagnosis.lang, "Vary": "Accept-Language", "Cache-Control": "no-store"},
    )


async def diagnose_within_limits(
    request: web.Request, tx_hash: str, *, chain: str | None, expected_to: str | None, lang: str | None
) -> Diagnosis:
    """diagnose() under the gate and the one request deadline; every failure is a Problem (API and page alike)."""
    service, settings = request.app[SERVICE], request.app[SETTINGS]
    # one deadline for the whole request: time spent waiting for a slot is not given again to the diagnosis
    started = time.monotonic()
    async with request.app[GUARD].gate.slot(settings.deadline):
        left = settings.deadline - (time.monotonic() - started)
        try:
            # the RPC layer stops a little before what is left, so a failure can still name the endpoints
            async with asyncio.timeout(max(0.0, left)):
                with deadline_scope(max(0.0, left)):
                    return await service.diagnose(
                        tx_hash,
                        chain=chain,
                        expected_to=expected_to,
                        lang=lang,
                        accept_language=request.headers.get("Accept-Language"),
                    )
        except BadInput as exc:  # unknown chain (404) included
            raise from_error(exc) from None
        except ChainUnavailable as exc:
            # every endpoint answered with a failure (503), however long the RPC layer kept asking
            if not exc.out_of_time:
                raise from_error(exc) from None
            # the endpoints were still being waited on when the time ran out: that is the deadline's doing
            raise Problem(504, f"the diagnosis did not finish within {settings.deadline:g} s") from None
        except (DeadlineExceeded, TimeoutError):  # the message says the configured deadline, not the one left
            raise Problem(504, f"the diagnosis did not finish within {settings.deadline:g} s") from None


async def chains_handler(request: web.Request) -> web.Response:
    """GET /v1/chains: configured chains, redacted endpoint names, and each endpoint's health now."""
    service = request.app[SERVICE]
    statuses = await request.app[GUARD].status.get()
    return json_response(
        {
            "chains": [
                {
                    "name": st.name,
                    "chain_id": st.chain_id,
                    "family": st.family,
                    "network": st.network,
                    "native_symbol": service.chains[st.name].native_symbol,
                    "mempool": service.chains[st.name].mempool,
                    "ready": st.ready,
                    "endpoints": [
                        {
                            "name": e.name,
                            "up": e.up,
                            "head": e.head,
                            "latency_ms": None if e.latency_ms is None else round(e.latency_ms, 2),
                            "error": e.error,
                        }
                        for e in st.endpoints
                    ],
                }
                for st in statuses
            ]
        },
        headers={"Cache-Control": "no-store"},
    )


async def healthz(request: web.Request) -> web.Response:
    """GET /healthz: the process is up and serving."""
    return json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """GET /readyz: 200 when every chain has a live endpoint, else 503."""
    statuses = await request.app[GUARD].status.get()
    chains = {st.name: st.ready for st in statuses}
    if not all(chains.values()):
        down = ", ".join(n for n, ok in chains.items() if not ok)
        raise Problem(
            503,
            f"no live endpoint on: {down}",
            title="Not ready",
            headers={"Retry-After": "5"},
            extra={"chains": chains},
        )
    return json_response({"status": "ready", "chains": chains})


async def metrics_handler(request: web.Request) -> web.Response:
    """GET /metrics: the registry in the Prometheus text format."""
    metrics, service = request.app[METRICS], request.app[SERVICE]
    for name, ctx in service.contexts.items():
        metrics.observe_heads(name, {e.name: e.head if e.up else None for e in ctx.client.endpoints()}, {})
    return web.Response(body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE})


async def openapi_handler(request: web.Request) -> web.Response:
    """GET /openapi.json: the OpenAPI 3.1 document."""
    return web.Response(body=request.app[OPENAPI], content_type="application/json", charset="utf-8")


def add_routes(router: web.UrlDispatcher) -> None:
    """Every API route."""
    router.add_get("/v1/tx/{hash}", diagnose_handler)
    router.add_get("/v1/chains", chains_handler)
    router.add_get("/healthz", healthz)
    router.add_get("/readyz", readyz)
    router.add_get("/metrics", metrics_handler)
    router.add_get("/openapi.json", openapi_handler)
