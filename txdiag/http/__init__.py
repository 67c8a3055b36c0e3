"""The HTTP service (aiohttp). Thin: validate, call diagnose(), render.

Every answer that is not a 2xx is ``application/problem+json`` (RFC 9457)
carrying the request's id. What a client sends can cost it a 4xx, never a 500:

    400  malformed hash, address, language or chain name; unknown or repeated query parameter
    401  API keys are configured and the bearer token is missing or wrong (WWW-Authenticate: Bearer)
    404  unknown chain, unknown route            405  wrong method
    414  request target over MAX_TARGET          429  over the per-client rate limit (Retry-After)
    503  no endpoint answered, or the diagnosis queue is full (Retry-After)
    504  the diagnosis ran past the deadline

Only ``/v1/`` routes take an API key and count against the rate limit;
``/healthz``, ``/readyz``, ``/metrics`` and ``/openapi.json`` are for
orchestrators and scrapers. The access log is one JSON line per request with
the route *template*, never the raw path or query, and never a key or an RPC URL.

    app.py       create_app(): middlewares, routes, cleanup_ctx for every resource
    edge.py      request id, problem+json for every error, metrics, access log
    guard.py     API keys, rate buckets, the diagnosis gate, query checks
    problems.py  problem+json and the one table from error classes to statuses
    api.py       the API routes
    serve.py     ``txdiag serve``: AppRunner, TCP site, signals, one shutdown path
"""

from txdiag.http.app import create_app
from txdiag.http.guard import GUARD, Guard
from txdiag.http.problems import Problem
from txdiag.http.serve import CannotListen, run

__all__ = ["GUARD", "CannotListen", "Guard", "Problem", "create_app", "run"]
