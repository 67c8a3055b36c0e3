"""The edge middleware: request id, problem+json for every error, metrics, one access-log line per request."""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid

from aiohttp import web

from txdiag.http.accesslog import access_line
from txdiag.http.guard import Handler
from txdiag.http.limits import Admission
from txdiag.http.problems import Problem, from_http_exception
from txdiag.http.protocol import Connection
from txdiag.http.state import CLIENT, KEY_ID, METRICS, REQUEST_ID, route_of
from txdiag.openapi import REQUEST_ID_PATTERN

log = logging.getLogger("txdiag.http")

MAX_TARGET = 2048  # characters of path and query; longer gets 414
MAX_BODY = 64 * 1024  # bytes of request body; larger gets 413

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
    conn = request.protocol if isinstance(request.protocol, Connection) else None
    if conn is not None:
        conn.request_started()
    response: web.StreamResponse
    try:
        if conn is not None and conn.admission is Admission.HEALTH and route != "/healthz":
            raise Problem(503, "too many connections; try again shortly", headers={"Retry-After": "1"})
        if len(request.raw_path) > MAX_TARGET:
            raise Problem(414, f"the request target is longer than {MAX_TARGET} characters")
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise Problem(413, f"the request body is larger than {MAX_BODY} bytes (no route takes a body)")
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
    finally:
        if conn is not None:
            conn.request_finished()
    if conn is not None and conn.admission is not Admission.ADMIT:
        response.force_close()  # a connection over a cap is not kept
    response.headers["X-Request-ID"] = rid
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    metrics = request.app[METRICS]
    metrics.observe_http(route, response.status, time.monotonic() - started)
    _access(request, route, response.status, started)
    return response


def _access(request: web.Request, route: str, status: int, started: float) -> None:
    client = request.get(CLIENT) or request.remote
    access_line(
        request.method,
        route,
        status,
        started,
        request_id=request.get(REQUEST_ID),
        client=client,
        key_id=request.get(KEY_ID),
    )
