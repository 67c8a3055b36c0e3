"""The page for people: ``GET /`` (the form), ``GET /tx/{hash}`` (the answer), ``GET /static/{name}``.

Thin like the API: parse the query, call the same diagnose() under the same
gate, deadline and rate buckets, render HTML. Every answer is a whole page in
the person's language, errors included (the form again, the error in words,
the right status). API keys do not apply here; the per-client rate limit does.

Safe by construction: Jinja2 with autoescaping, a strict Content-Security-Policy
(nothing but this server's own CSS and JS, no inline script or style), no
request to any other host. The static files are read once when the app is
built and served under names that carry their content hash, so they can be
cached for a year.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from aiohttp import web

from txdiag.errors import BadInput
from txdiag.http.api import diagnose_within_limits
from txdiag.http.guard import GUARD, SELF_CHECKED, Handler
from txdiag.http.problems import Problem
from txdiag.http.state import METRICS, REQUEST_ID, SERVICE, SETTINGS
from txdiag.inputs import parse_address, parse_hash, parse_lang
from txdiag.openapi import CHAIN_PATTERN
from txdiag.pageview import Chrome, FormView, environment, lang_links, result_view, words

log = logging.getLogger("txdiag.http")

FORM_ROUTE = "/"
RESULT_ROUTE = "/tx/{hash}"
STATIC_ROUTE = "/static/{name}"
PAGE_ROUTES = frozenset({FORM_ROUTE, RESULT_ROUTE})
PARAMS = frozenset({"hash", "chain", "expected_to", "lang"})
# ``refresh=off`` on an answer: no automatic reload (WCAG 2.2.1: a time limit the person can turn off)
RESULT_PARAMS = frozenset({"chain", "expected_to", "lang", "refresh"})
MAX_PARAM = 256  # characters of one query value, as on the API
CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
STATIC_FILES = {"page.css": "text/css", "page.js": "text/javascript", "icon.svg": "image/svg+xml"}
_CHAIN = re.compile(CHAIN_PATTERN)


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    content_type: str
    etag: str


class Assets:
    """The page's static files, read from the package once, each under a name carrying its content hash."""

    def __init__(self) -> None:
        self.urls: dict[str, str] = {}
        self.files: dict[str, Asset] = {}
        root = resources.files("txdiag") / "static"
        for name, content_type in STATIC_FILES.items():
            body = (root / name).read_bytes()
            digest = hashlib.sha256(body).hexdigest()[:12]
            stem, _, suffix = name.rpartition(".")
            versioned = f"{stem}.{digest}.{suffix}"
            self.urls[name] = f"/static/{versioned}"
            self.files[versioned] = Asset(body, content_type, f'"{digest}"')


@dataclass(frozen=True, slots=True)
class PageState:
    templates: jinja2.Environment
    assets: Assets


PAGE = web.AppKey("page", PageState)


def install(app: web.Application) -> None:
    """Add the page's routes, unless the settings turn the page off."""
    if not app[SETTINGS].page:
        return
    app[PAGE] = PageState(environment(), Assets())
    app[SELF_CHECKED] = app.get(SELF_CHECKED, frozenset()) | PAGE_ROUTES
    app.router.add_get(FORM_ROUTE, _counted(FORM_ROUTE, form_handler))
    app.router.add_get(RESULT_ROUTE, _counted(RESULT_ROUTE, result_handler))
    app.router.add_get(STATIC_ROUTE, static_handler)


def _counted(route: str, handler: Handler) -> Handler:
    """Count page views by route template and status (bounded labels: two routes, a few statuses)."""

    async def counted(request: web.Request) -> web.StreamResponse:
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except asyncio.CancelledError:
            status = 499  # the person went away, as the access log says
            raise
        finally:
            request.app[METRICS].observe_page(route, status)

    return counted


# -- handlers -------------------------------------------------------------


class _PageError(Exception):
    """Bad input or a failed diagnosis, to be shown as the form with the error in words."""

    def __init__(
        self,
        status: int,
        key: str,
        field: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        **values: Any,
    ) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.field = field
        self.headers = dict(headers or {})
        self.values = values


async def form_handler(request: web.Request) -> web.StreamResponse:
    """GET /: the form; with ``hash``, a redirect to the answer's own address (or the form with the error)."""
    lang = _lang(request)
    q = request.query
    if "hash" not in q:
        try:
            _check_params(request, frozenset({"lang"}))
        except _PageError as exc:
            return _form(request, lang, FormView(), exc)
        return _form(request, lang, FormView(chain=q.get("chain", "")))
    entered = FormView(hash=q.get("hash", ""), chain=q.get("chain", ""), expected_to=q.get("expected_to", ""))
    try:
        _check_params(request, PARAMS)
        tx_hash, chain, expected = _parse(request, q.get("hash", ""), q.get("chain"), q.get("expected_to"))
    except _PageError as exc:
        return _form(request, lang, entered, exc)
    params = {"chain": chain, "lang": q.get("lang") and lang, "expected_to": expected}
    query = urlencode({k: v for k, v in params.items() if v})
    location = f"/tx/{quote(tx_hash)}" + (f"?{query}" if query else "")
    return web.Response(status=303, headers={"Location": location, "Cache-Control": "no-store", **SECURITY_HEADERS})


async def result_handler(request: web.Request) -> web.StreamResponse:
    """GET /tx/{hash}: the diagnosis, rendered on the server; the same diagnose() as the API."""
    lang = _lang(request)
    q = request.query
    raw_hash = request.match_info["hash"]
    entered = FormView(hash=raw_hash, chain=q.get("chain", ""), expected_to=q.get("expected_to", ""))
    try:
        _check_params(request, RESULT_PARAMS)
        if q.get("refresh", "off") != "off":
            raise _PageError(400, "error_query")
        tx_hash, chain, expected = _parse(request, raw_hash, q.get("chain"), q.get("expected_to"))
        _take_token(request)
        try:
            diagnosis = await diagnose_within_limits(request, tx_hash, chain=chain, expected_to=expected, lang=lang)
        except Problem as problem:
            raise _from_problem(problem) from None
        except Exception as exc:
            # a person gets a page, not a traceback; the log names the type only, as the edge does
            log.error("unhandled %s serving %s (request %s)", type(exc).__name__, RESULT_ROUTE, request[REQUEST_ID])
            log.debug("unhandled error", exc_info=True)
            raise _PageError(500, "error_internal") from None
    except _PageError as exc:
        return _form(request, lang, entered, exc)
    view = result_view(diagnosis, expected)
    auto = q.get("refresh") != "off"
    toggle = {k: v for k, v in q.items() if k in RESULT_PARAMS and k != "refresh"}
    if auto:
        toggle["refresh"] = "off"
    toggle_url = request.path + (f"?{urlencode(toggle)}" if toggle else "")
    html = (
        request.app[PAGE]
        .templates.get_template("result.html")
        .render(chrome=_chrome(request, lang), w=words(lang), r=view, auto=auto, toggle_url=toggle_url)
    )
    return _html(html, lang)


async def static_handler(request: web.Request) -> web.StreamResponse:
    """GET /static/{name}: the page's CSS, JS and icon, cached for a year (the name changes with the content)."""
    asset = request.app[PAGE].assets.files.get(request.match_info["name"])
    if asset is None:
        raise web.HTTPNotFound()
    headers = {"Cache-Control": "public, max-age=31536000, immutable", "ETag": asset.etag, **SECURITY_HEADERS}
    if request.headers.get("If-None-Match") == asset.etag:
        return web.Response(status=304, headers=headers)
    return web.Response(body=asset.body, headers={"Content-Type": f"{asset.content_type}; charset=utf-8", **headers})


# -- parts ----------------------------------------------------------------


def _lang(request: web.Request) -> str:
    """The language asked for, else the best of Accept-Language, else English (a bad ``lang`` is reported later)."""
    try:
        return parse_lang(request.query.get("lang"), request.headers.get("Accept-Language"))
    except BadInput:
        return parse_lang(None, request.headers.get("Accept-Language"))


def _check_params(request: web.Request, allowed: frozenset[str]) -> None:
    seen: set[str] = set()
    for name, value in request.query.items():
        if name not in allowed or name in seen or len(value) > MAX_PARAM:
            raise _PageError(400, "error_query")
        seen.add(name)
    lang = request.query.get("lang")
    if lang:
        try:
            parse_lang(lang)
        except BadInput:
            raise _PageError(400, "error_lang") from None


def _parse(
    request: web.Request, raw_hash: str, chain: str | None, expected_to: str | None
) -> tuple[str, str | None, str | None]:
    """The hash, chain and address as diagnose() takes them; a form field's own error when one is wrong."""
    try:
        tx_hash = parse_hash(raw_hash)
    except BadInput:
        raise _PageError(400, "error_hash", "hash") from None
    chain = chain or None
    if chain is not None and (not _CHAIN.fullmatch(chain) or chain not in request.app[SERVICE].chains):
        raise _PageError(404, "error_chain", "chain")
    expected = None
    if expected_to and expected_to.strip():
        try:
            expected = parse_address(expected_to)
        except BadInput as exc:
            key = "error_checksum" if "checksum" in str(exc) else "error_address"
            raise _PageError(400, key, "expected_to") from None
    return tx_hash, chain, expected


def _take_token(request: web.Request) -> None:
    """The API's per-client bucket, counted as the API counts it (by address: the page takes no API key)."""
    wait = request.app[GUARD].take_token(request)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise _PageError(429, "error_rate", headers={"Retry-After": str(seconds)}, seconds=seconds)


def _from_problem(problem: Problem) -> _PageError:
    """A failed diagnosis in words; the status and Retry-After stay what the API would answer."""
    headers = {k: v for k, v in problem.headers.items() if k == "Retry-After"}
    if problem.status == 503:
        key = "error_unavailable" if problem.title == "No endpoint answered" else "error_busy"
    else:
        key = {400: "error_hash", 404: "error_chain", 504: "error_timeout"}.get(problem.status, "error_internal")
    return _PageError(problem.status, key, headers=headers)


def _chrome(request: web.Request, lang: str) -> Chrome:
    assets = request.app[PAGE].assets
    query = {k: v for k, v in request.query.items() if k in PARAMS | RESULT_PARAMS}
    return Chrome(
        lang=lang,
        lang_links=lang_links(request.path, query, lang),
        css=assets.urls["page.css"],
        js=assets.urls["page.js"],
        icon=assets.urls["icon.svg"],
        chains=sorted(request.app[SERVICE].chains),
    )


def _form(request: web.Request, lang: str, form: FormView, error: _PageError | None = None) -> web.Response:
    w = words(lang)
    if error is not None:
        form = FormView(
            hash=form.hash[:MAX_PARAM],
            chain=form.chain if form.chain in request.app[SERVICE].chains else "",
            expected_to=form.expected_to[:MAX_PARAM],
            error=w[error.key].format(**error.values),
            error_field=error.field,
        )
    html = request.app[PAGE].templates.get_template("index.html").render(chrome=_chrome(request, lang), w=w, form=form)
    return _html(html, lang, 200 if error is None else error.status, error.headers if error else None)


def _html(html: str, lang: str, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status,
        text=html,
        content_type="text/html",
        charset="utf-8",
        headers={
            "Content-Language": lang,
            "Vary": "Accept-Language",
            "Cache-Control": "no-store",
            **SECURITY_HEADERS,
            **(headers or {}),
        },
    )
