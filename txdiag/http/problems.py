"""Error answers: ``application/problem+json`` (RFC 9457), and the one table from errors to statuses."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from txdiag.errors import TxdiagError

PROBLEM_TYPE = "application/problem+json"

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    404: "Not found",
    405: "Method not allowed",
    413: "Request too large",
    414: "URI too long",
    429: "Too many requests",
    431: "Request header fields too large",
    500: "Internal error",
    503: "Service unavailable",
    504: "Deadline exceeded",
}


class Problem(Exception):
    """An error answer; the edge middleware renders it as problem+json."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or _TITLES.get(status, "Error")
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def body(self, request_id: str) -> bytes:
        return dumps(
            {
                "type": "about:blank",
                "title": self.title,
                "status": self.status,
                "detail": self.detail,
                "request_id": request_id,
                **self.extra,
            }
        )

    def response(self, request_id: str) -> web.Response:
        return web.Response(
            status=self.status,
            body=self.body(request_id),
            headers={"Content-Type": PROBLEM_TYPE, **self.headers},
        )


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def json_response(value: Any, *, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.Response(body=dumps(value), content_type="application/json", charset="utf-8", headers=headers)


# Each error class carries its own HTTP status (errors.py); a title for the ones that need one.
_TITLES = {404: "Unknown chain", 503: "No endpoint answered"}


def from_error(exc: TxdiagError) -> Problem:
    """The problem answer for one of our errors; its message is written for the caller."""
    status = exc.http_status
    title = _TITLES.get(status)
    headers = {"Retry-After": "5"} if status == 503 else None
    if status == 500:
        return Problem(500, "the service failed to answer; the request id identifies it in the logs")
    return Problem(status, str(exc), title=title, headers=headers)


def from_http_exception(exc: web.HTTPException) -> Problem:
    """aiohttp's own client errors (routing's 404 / 405, body too large) as problems."""
    status = exc.status
    if status >= 500:  # aiohttp raises none for client input; keep the promise regardless
        return Problem(500, "the service failed to answer")
    headers = {k: v for k, v in exc.headers.items() if k.lower() in ("allow", "retry-after")}
    detail = {
        404: "no such route; see /openapi.json",
        405: f"method not allowed; allowed: {exc.headers.get('Allow', 'GET')}",
    }.get(status, exc.reason)
    return Problem(status, detail, headers=headers)
