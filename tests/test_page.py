"""The page for people, over real HTTP against real transactions: routes, statuses, words, headers, safety.

The browser's view of the same page (axe-core, keyboard, screenshots, the copy
button) is in test_page_browser.py; these tests need no browser.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.anvil import free_port, write_chain_file
from tests.support.live import serving, silent_server
from tests.support.page_scenarios import BLOCK_TIME, HOSTILE_SYMBOL, Scenarios, scenarios
from txdiag.errors import ConfigError
from txdiag.http.page import CSP
from txdiag.http.state import SERVICE
from txdiag.settings import Settings

__all__ = ["scenarios"]  # the session fixture, imported for pytest

HASH_ATTR = re.compile(r'data-verdict="([a-z_]+)"')
SCRIPT_TAGS = re.compile(r"<script\b[^>]*>", re.IGNORECASE)


def _text(page: str) -> str:
    """The page's text, roughly as a person reads it (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _ticket(page: str) -> str:
    m = re.search(r'<pre id="ticket"[^>]*>(.*?)</pre>', page, re.DOTALL)
    assert m, "no ticket"
    return html.unescape(m.group(1))


async def test_form_page_is_a_get_form_with_strict_headers(scenarios: Scenarios) -> None:
    """GET /: one form, method GET, input hash, chain choice defaulting to every chain; strict CSP; no inline code."""
    async with serving(scenarios.chains_dir) as live:
        r = await live.session.get("/")
        page = await r.text()
        assert r.status == 200
        assert r.content_type == "text/html"
        assert r.headers["Content-Security-Policy"] == CSP
        assert "default-src 'none'" in CSP
        assert "script-src 'self'" in CSP
        assert "style-src 'self'" in CSP
        assert "unsafe-inline" not in CSP
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert '<html lang="en">' in page
        assert re.search(r'<form class="lookup" method="get" action="/"', page)
        assert 'name="hash"' in page
        assert '<option value="">Every network</option>' in page
        assert '<option value="alpha">alpha</option>' in page
        assert 'name="expected_to"' in page
        # no inline script or style: every script has a src, no style attribute or element
        assert all("src=" in tag for tag in SCRIPT_TAGS.findall(page))
        assert " style=" not in page
        assert "<style" not in page
        # nothing is loaded from another host
        assert not re.search(r'(src|href)="(https?:)?//', page)
        assert "no real support agent will ever ask for your seed phrase" in page


@pytest.mark.parametrize(
    ("headers", "query", "lang", "title"),
    [
        ({}, "", "en", "What happened to my transaction?"),
        ({"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}, "", "zh-CN", "我的交易怎么了？"),
        ({"Accept-Language": "zh-CN"}, "?lang=en", "en", "What happened to my transaction?"),
        ({"Accept-Language": "de-DE, fr;q=0.8"}, "?lang=zh-CN", "zh-CN", "我的交易怎么了？"),
    ],
)
async def test_language_from_the_switch_else_accept_language(
    scenarios: Scenarios, headers: dict[str, str], query: str, lang: str, title: str
) -> None:
    """The switch (lang) wins; Accept-Language is the default; <html lang> and Content-Language match."""
    async with serving(scenarios.chains_dir) as live:
        r = await live.session.get("/" + query, headers=headers)
        page = await r.text()
        assert r.status == 200
        assert f'<html lang="{lang}">' in page
        assert r.headers["Content-Language"] == lang
        assert title in page
        assert 'hreflang="zh-CN"' in page
        assert 'hreflang="en"' in page


async def test_submitting_the_form_redirects_to_the_answer(scenarios: Scenarios) -> None:
    """GET /?hash=… (what the form sends, empty fields included) redirects to /tx/{hash} with the rest."""
    h = scenarios.confirmed
    async with serving(scenarios.chains_dir) as live:
        pasted = "  " + h.upper().replace("0X", "0x") + " "
        r = await live.session.get(
            "/", params={"lang": "zh-CN", "hash": pasted, "chain": "", "expected_to": ""}, allow_redirects=False
        )
        assert r.status == 303
        assert r.headers["Location"] == f"/tx/{h}?lang=zh-CN"
        r = await live.session.get(
            "/",
            params={"hash": h, "chain": "alpha", "expected_to": scenarios.paid.lower(), "lang": "en"},
            allow_redirects=False,
        )
        assert r.status == 303
        assert r.headers["Location"] == f"/tx/{h}?chain=alpha&lang=en&expected_to={scenarios.paid}"


@pytest.mark.parametrize(
    ("path", "status", "words", "field"),
    [
        ("/?hash=0x1234&lang=en", 400, "That is not a transaction hash.", "hash"),
        ("/?hash=&lang=zh-CN", 400, "这不是交易哈希。", "hash"),
        ("/tx/0x1234", 400, "That is not a transaction hash.", "hash"),
        ("/?hash={h}&chain=nowhere", 404, "That network is not one this service knows.", "chain"),
        ("/tx/{h}?chain=nowhere&lang=zh-CN", 404, "本服务不支持这个网络。", "chain"),
        ("/tx/{h}?chain=Not_A_Chain", 404, "That network is not one this service knows.", "chain"),
        ("/?hash={h}&expected_to=0x12", 400, "That is not an address.", "expected_to"),
        (
            "/tx/{h}?expected_to=0x52908400098527886E0F7030069857D2E4169Ee7",
            400,
            "That address has a typing mistake",
            "expected_to",
        ),
        ("/?hash={h}&lang=fr", 400, "That language is not available.", None),
        ("/tx/{h}?utm_source=x", 400, "The link has a part this page does not take.", None),
        ("/tx/{h}?lang=en&lang=zh-CN", 400, "The link has a part this page does not take.", None),
        ("/?x=1", 400, "The link has a part this page does not take.", None),
        ("/tx/{h}?refresh=on", 400, "The link has a part this page does not take.", None),
    ],
)
async def test_bad_input_shows_the_form_with_the_error_in_words(
    scenarios: Scenarios, path: str, status: int, words: str, field: str | None
) -> None:
    """Bad input is the form again, what was typed kept, the error in words, and the API's status."""
    async with serving(scenarios.chains_dir) as live:
        r = await live.session.get(path.format(h=scenarios.confirmed), allow_redirects=False)
        page = await r.text()
        assert r.status == status
        assert r.content_type == "text/html"
        assert r.headers["Content-Security-Policy"] == CSP
        assert 'role="alert"' in page
        assert words in _text(page)
        assert 'name="hash"' in page
        if field is not None:
            assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', page, re.DOTALL)


@pytest.mark.parametrize("verdict", ["confirmed", "delayed", "failed", "misdirected", "not_found"])
async def test_the_page_says_what_the_api_says(scenarios: Scenarios, verdict: str) -> None:
    """One diagnose(): the page shows the API's verdict, summary and steps, in both languages."""
    h = scenarios.by_verdict()[verdict]
    async with serving(scenarios.chains_dir) as live:
        for lang in ("en", "zh-CN"):
            api = await (await live.session.get(f"/v1/tx/{h}", params={"lang": lang})).json()
            assert api["verdict"] == verdict
            r = await live.session.get(f"/tx/{h}", params={"lang": lang})
            page = await r.text()
            assert r.status == 200
            assert f'<html lang="{lang}">' in page
            assert HASH_ATTR.findall(page) == [verdict]
            text = _text(page)
            assert api["summary"] in text
            for step in api["next_steps"]:
                assert step in text
            ticket = _ticket(page)
            assert h in ticket
            assert verdict in ticket
            for finding in api["findings"]:
                assert finding["code"] in ticket
            refresh = re.search(r'<meta http-equiv="refresh" content="(\d+)">', page)
            if verdict == "delayed":
                assert refresh is not None
                assert refresh.group(1) == str(round(BLOCK_TIME))  # about a block time
                # the person can turn the reload off (and on again), in the same language
                off = await (await live.session.get(f"/tx/{h}", params={"lang": lang, "refresh": "off"})).text()
                assert "http-equiv" not in off
                assert HASH_ATTR.findall(off) == [verdict]
                assert f'href="/tx/{h}?lang={lang}"' in off
                assert f'href="/tx/{h}?lang={lang}&amp;refresh=off"' in page
            else:
                assert refresh is None
            if api["tx"] is not None:
                assert f'href="https://explorer.invalid/alpha/tx/{h}"' in page


async def test_chain_text_is_text(scenarios: Scenarios) -> None:
    """A token whose symbol is HTML: escaped on the page and in the ticket; the only script is ours."""
    async with serving(scenarios.chains_dir) as live:
        api = await (await live.session.get(f"/v1/tx/{scenarios.hostile_token}")).json()
        symbol = api["tx"]["token_transfers"][0]["symbol"]
        assert symbol
        assert HOSTILE_SYMBOL.startswith(symbol.removesuffix("…"))  # shortened at the edge, never rewritten
        page = await (await live.session.get(f"/tx/{scenarios.hostile_token}")).text()
        assert "<img" not in page
        assert html.escape(symbol, quote=False) in page
        assert symbol in _text(page)
        assert len(SCRIPT_TAGS.findall(page)) == 1


async def test_the_ticket_holds_no_secret_and_asks_for_none(scenarios: Scenarios) -> None:
    """The support ticket: hash, chain, verdict, codes, numbers, addresses; no secret words, no URL."""
    async with serving(scenarios.chains_dir) as live:
        url = f"/tx/{scenarios.delayed}?expected_to={scenarios.paid}"
        ticket = _ticket(await (await live.session.get(url)).text())
        assert scenarios.delayed in ticket
        assert "Network: alpha (31337)" in ticket
        assert "Verdict: misdirected" in ticket  # pending, and to someone else than meant
        assert "unexpected_recipient" in ticket
        assert "nonce_gap" in ticket
        assert "missing_nonces = 0" in ticket
        assert scenarios.paid in ticket
        assert "http" not in ticket
        lowered = ticket.lower()
        for secret in ("seed", "private key", "password", "mnemonic"):
            assert secret not in lowered


async def test_static_files_are_cached_and_versioned(scenarios: Scenarios) -> None:
    """CSS and JS come from this server under content-hashed names, cached for a year, with an ETag."""
    async with serving(scenarios.chains_dir) as live:
        page = await (await live.session.get("/")).text()
        css = re.search(r'href="(/static/page\.[0-9a-f]{12}\.css)"', page)
        js = re.search(r'src="(/static/page\.[0-9a-f]{12}\.js)"', page)
        assert css
        assert js
        for url, kind in ((css.group(1), "text/css"), (js.group(1), "text/javascript")):
            r = await live.session.get(url)
            assert r.status == 200
            assert r.content_type == kind
            assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            etag = r.headers["ETag"]
            again = await live.session.get(url, headers={"If-None-Match": etag})
            assert again.status == 304
        assert (await live.session.get("/static/page.000000000000.css")).status == 404
        assert (await live.session.get("/static/../settings.py")).status == 404


async def test_page_views_are_counted_by_route_and_status(scenarios: Scenarios) -> None:
    """txdiag_page_views_total{route,status}: route templates, never a hash."""
    async with serving(scenarios.chains_dir) as live:
        await live.session.get("/")
        await live.session.get(f"/tx/{scenarios.confirmed}")
        await live.session.get(f"/tx/{scenarios.confirmed}?chain=nowhere")
        await live.session.get("/tx/0x12")
        exposition = (await (await live.session.get("/metrics")).read()).decode()
        assert 'txdiag_page_views_total{route="/",status="200"} 1.0' in exposition
        assert 'txdiag_page_views_total{route="/tx/{hash}",status="200"} 1.0' in exposition
        assert 'txdiag_page_views_total{route="/tx/{hash}",status="404"} 1.0' in exposition
        assert 'txdiag_page_views_total{route="/tx/{hash}",status="400"} 1.0' in exposition
        assert 'txdiag_http_requests_total{route="/tx/{hash}",status="200"} 1.0' in exposition
        assert scenarios.confirmed not in exposition
        assert "0x12" not in exposition


async def test_same_rate_limit_and_no_api_key_on_the_page(scenarios: Scenarios) -> None:
    """The page shares the per-client bucket with the API; API keys do not apply to it."""
    key = "k" * 24
    async with serving(scenarios.chains_dir, rate_per_second=0.01, rate_burst=2, api_keys=frozenset({key})) as live:
        h = scenarios.confirmed
        assert (await live.session.get(f"/v1/tx/{h}")).status == 401
        assert (await live.session.get(f"/tx/{h}")).status == 200
        assert (await live.session.get(f"/tx/{h}?lang=zh-CN")).status == 200
        r = await live.session.get(f"/tx/{h}?lang=zh-CN")
        page = await r.text()
        assert r.status == 429
        assert int(r.headers["Retry-After"]) >= 1
        assert "来自您地址的查询太多" in page
        assert 'name="hash"' in page
        # the form itself costs nothing
        assert (await live.session.get("/")).status == 200


async def test_the_page_can_be_turned_off(scenarios: Scenarios) -> None:
    """TXDIAG_PAGE=off: no page routes at all (404 problem+json); the API is unchanged."""
    async with serving(scenarios.chains_dir, page=False) as live:
        for path in ("/", f"/tx/{scenarios.confirmed}", "/static/page.css"):
            r = await live.session.get(path)
            assert r.status == 404
            assert r.content_type == "application/problem+json"
        assert (await live.session.get(f"/v1/tx/{scenarios.confirmed}")).status == 200


@pytest.mark.parametrize(("raw", "on"), [(None, True), ("on", True), ("1", True), ("off", False), ("FALSE", False)])
def test_page_setting(raw: str | None, on: bool) -> None:
    env = {} if raw is None else {"TXDIAG_PAGE": raw}
    assert Settings.from_env(env).page is on


def test_page_setting_refuses_nonsense() -> None:
    with pytest.raises(ConfigError, match="TXDIAG_PAGE must be on or off"):
        Settings.from_env({"TXDIAG_PAGE": "maybe"})


def test_the_wheel_carries_the_page(tmp_path: Path) -> None:
    """A built wheel holds every template and static file the page serves (package data)."""
    import subprocess
    import sys
    import zipfile

    root = Path(__file__).resolve().parents[1]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            ".",
        ],
        cwd=root,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("txdiag-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("templates", "static"):
        for path in (root / "txdiag" / folder).iterdir():
            assert f"txdiag/{folder}/{path.name}" in names, path.name


@pytest.mark.parametrize(("block_time", "seconds"), [(1.0, 15), (40.0, 40), (600.0, 300)])
async def test_a_pending_page_reloads_about_every_block_time(
    scenarios: Scenarios, tmp_path: Path, block_time: float, seconds: int
) -> None:
    """The reload follows the chain's block time, never faster than 15 s nor slower than 5 min."""
    from tests.support.page_scenarios import CHAIN_EXTRA, PAGE_CHAIN_ID

    write_chain_file(tmp_path, "alpha", PAGE_CHAIN_ID, [scenarios.node.url], block_time=block_time, extra=CHAIN_EXTRA)
    async with serving(tmp_path) as live:
        page = await (await live.session.get(f"/tx/{scenarios.delayed}")).text()
        assert f'<meta http-equiv="refresh" content="{seconds}">' in page
        final = await (await live.session.get(f"/tx/{scenarios.confirmed}")).text()
        assert "http-equiv" not in final


UNKNOWN_HASH = "0x" + "cd" * 32


async def test_no_node_answering_is_503_in_words(tmp_path: Path) -> None:
    """Nothing listens at the chain's endpoint: the form again, "could not be reached", 503 with Retry-After."""
    write_chain_file(tmp_path, "gamma", 99902, [f"http://127.0.0.1:{free_port()}"])
    async with serving(tmp_path) as live:
        r = await live.session.get(f"/tx/{UNKNOWN_HASH}?chain=gamma&lang=zh-CN")
        page = await r.text()
        assert r.status == 503
        assert r.headers["Retry-After"] == "5"
        assert "暂时无法连接该网络的节点" in page
        assert '<option value="gamma" selected>' in page


async def test_a_node_that_never_answers_is_504_in_words(tmp_path: Path) -> None:
    """A node that accepts and never answers: the page ends at the deadline with 504 and says so."""
    async with silent_server() as port:
        write_chain_file(tmp_path, "gamma", 99903, [f"http://127.0.0.1:{port}"])
        async with serving(tmp_path, deadline=1.0, attempt_timeout=5.0) as live:
            r = await live.session.get(f"/tx/{UNKNOWN_HASH}?chain=gamma")
            assert r.status == 504
            assert "Checking took too long." in _text(await r.text())


async def test_a_bug_is_a_page_not_a_traceback(scenarios: Scenarios, caplog: pytest.LogCaptureFixture) -> None:
    """An unexpected error (a fault no real part produces, so it is injected) is a 500 page in words, logged by type."""

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals http://rpc.example/KEY")

    def hook(app: Any) -> None:
        app[SERVICE].diagnose = broken

    async with serving(scenarios.chains_dir, prepare=hook) as live:
        r = await live.session.get(f"/tx/{scenarios.confirmed}")
        page = await r.text()
        assert r.status == 500
        assert "Something went wrong on our side." in page
        assert "secret internals" not in page
        assert "RuntimeError" in caplog.text
        assert "secret internals" not in caplog.text
        exposition = (await (await live.session.get("/metrics")).read()).decode()
        assert 'txdiag_page_views_total{route="/tx/{hash}",status="500"} 1.0' in exposition


async def test_an_incomplete_answer_says_so(scenarios: Scenarios, tmp_path: Path) -> None:
    """A deciding check that could not run (another network is down): the page and the ticket say so."""
    from tests.support.page_scenarios import CHAIN_EXTRA, PAGE_CHAIN_ID

    write_chain_file(tmp_path, "alpha", PAGE_CHAIN_ID, [scenarios.node.url], extra=CHAIN_EXTRA)
    # a name with no English word in it: the zh-CN word check of every answer does not know it as a chain name
    write_chain_file(tmp_path, "z9", 99904, [f"http://127.0.0.1:{free_port()}"])
    async with serving(tmp_path) as live:
        api = await (await live.session.get(f"/v1/tx/{scenarios.confirmed}?chain=alpha")).json()
        assert api["complete"] is False
        page = await (await live.session.get(f"/tx/{scenarios.confirmed}?chain=alpha")).text()
        assert "Some checks could not be made" in page
        assert api["summary"] in _text(page)
        assert f"incomplete_parts = {', '.join(api['incomplete_parts'])}" in _ticket(page)
