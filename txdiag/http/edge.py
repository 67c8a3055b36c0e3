"""The edge middleware: request id, problem+json for every error, metrics, one access-log line per request."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from aiohttp import web

from txdiag.http.guard import Handler
from txdiag.http.problems import Problem, from_http_exception
from txdiag.http.state import CLIENT, KEY_ID, METRICS, REQUEST_ID, route_of
from txdiag.openapi import REQUEST_ID_PATTERN

log = logging.getLogger("txdiag.http")
access_log = logging.getLogger("txdiag.access")

MAX_TARGET = 2048  # characters of path and query; longer gets 414

_REQUEST_ID = re.compile(REQUEST_ID_PATTERN)


def request_id(incoming: str | None) -> str:
    """The client's X-Request-ID when it is well formed, else a fresh one."""
    if incoming and _REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


@web.middleware
async def edge(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Request id, problem+json for every error, metrics and one access-log line per request."""
    started = time.monotonic()
    rid = request_id(request.headers.get("X-Request-ID"))
    request[REQUEST_ID] = rid
    route = route_of(request)
    response: web.StreamResponse
    try:
        if len(request.raw_path) > MAX_TARGET:
            raise Problem(414, f"the request target is longer than {MAX_TARGET} characters")
        response = await handler(request)
    except Problem as problem:
        response = problem.response(rid)
    except web.HTTPException as exc:  # routing's 404 / 405 and aiohttp's own client errors
        response = from_http_exception(exc).response(rid)
    except asyncio.CancelledError:
        _access(request, route, 499, started)  # the client went away
        raise
    except Exception as exc:
        # no internals in the answer; the log names the type only (messages may quote URLs)
        log.error("unhandled %s serving %s (request %s)", type(exc).__name__, route, rid)
        log.debug("unhandled error", exc_info=True)
        response = Problem(500, "the service failed to answer; the request id identifies it in the logs").response(rid)
    response.headers["X-Request-ID"] = rid
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    metrics = request.app[METRICS]
    metrics.observe_http(route, response.status, time.monotonic() - started)
    _access(request, route, response.status, started)
    return response


def _access(request: web.Request, route: str, status: int, started: float) -> None:
    if not access_log.isEnabledFor(logging.INFO):
        return
    line = {
        "ts": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "event": "http_request",
        "method": request.method,
        "route": route,
        "status": status,
        "duration_ms": round((time.monotonic() - started) * 1000, 2),
        "request_id": request.get(REQUEST_ID),
        "client": request.get(CLIENT) or request.remote,
        "key_id": request.get(KEY_ID),
    }
    access_log.info(json.dumps(line, ensure_ascii=False))
