"""What the app holds (typed keys) and the bounded route label every log line and metric uses."""

from __future__ import annotations

from aiohttp import web

from txdiag.metrics import Metrics
from txdiag.service import Service
from txdiag.settings import Settings

UNMATCHED = "unmatched"

SERVICE = web.AppKey("service", Service)
SETTINGS = web.AppKey("settings", Settings)
METRICS = web.AppKey("metrics", Metrics)
OPENAPI = web.AppKey("openapi", bytes)
REQUEST_ID = web.RequestKey("request_id", str)
CLIENT = web.RequestKey("client", str)
KEY_ID = web.RequestKey("key_id", str)


def route_of(request: web.Request) -> str:
    """The route template (``/v1/tx/{hash}``), or ``unmatched``: a bounded metrics label."""
    resource = request.match_info.route.resource
    if resource is None or request.match_info.http_exception is not None:
        return UNMATCHED
    return resource.canonical
