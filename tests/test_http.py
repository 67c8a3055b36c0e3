"""The HTTP service, end to end: the real app on a loopback port, a real client, real anvil nodes."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.conftest import ALPHA_ID
from tests.support.anvil import Anvil, free_port, write_chain_file
from tests.support.chain import Chain, account
from tests.support.clock import Clock
from tests.support.live import Live, served, serving, silent_server
from tests.support.proxy import Fault, FaultProxy
from txdiag.http import GUARD
from txdiag.openapi import build_document
from txdiag.status import STATUS_TIMEOUT

pytestmark = pytest.mark.asyncio

PROBLEM = "application/problem+json"
UNKNOWN_HASH = "0x" + "ab" * 32
SENDER = account(7)
RECIPIENT = account(8).address


@pytest.fixture(scope="module")
def sent(node_a: Anvil) -> str:
    """A real transfer on chain alpha, mined and buried past anvil's finalized tag (64 blocks)."""
    tx_hash = Chain(node_a).send(SENDER, RECIPIENT, value=10**15, gas=21_000)
    node_a.mine(70)
    return tx_hash


async def problem(resp: aiohttp.ClientResponse, status: int) -> dict[str, Any]:
    """Assert a problem+json answer with this status whose request_id matches the header."""
    assert resp.status == status, await resp.text()
    assert resp.content_type == PROBLEM
    body: dict[str, Any] = json.loads(await resp.text())
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["request_id"] == resp.headers["X-Request-ID"]
    return body


async def test_diagnose_confirmed_transfer(chains_dir: Path, sent: str) -> None:
    """A mined transfer is diagnosed confirmed on its chain, with and without ?chain=."""
    async with serving(chains_dir) as live:
        for query in ("", "?chain=alpha"):
            async with live.session.get(f"/v1/tx/{sent}{query}") as resp:
                assert resp.status == 200
                assert resp.content_type == "application/json"
                assert resp.headers["Content-Language"] == "en"
                assert re.fullmatch(r"[0-9a-f]{32}", resp.headers["X-Request-ID"])
                body = await resp.json()
            assert body["hash"] == sent
            assert body["verdict"] == "confirmed"
            assert body["chain"] == {"name": "alpha", "chain_id": ALPHA_ID}
            assert body["tx"]["from"] == SENDER.address
            assert body["tx"]["value"] == str(10**15)
            assert body["lang"] == "en"


async def test_unknown_hash_is_not_found_verdict(chains_dir: Path) -> None:
    """A hash no chain has is a 200 with verdict not_found, not an error."""
    async with serving(chains_dir) as live, live.session.get(f"/v1/tx/{UNKNOWN_HASH}") as resp:
        assert resp.status == 200
        body = await resp.json()
    assert body["verdict"] == "not_found"
    assert body["chain"] is None
    assert body["tx"] is None


async def test_language_from_lang_then_accept_language(chains_dir: Path, sent: str) -> None:
    """`lang` wins; without it Accept-Language picks zh-CN; an unsupported Accept-Language falls back to en."""
    cases = [
        ("?lang=zh-CN", {}, "zh-CN"),
        ("", {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}, "zh-CN"),
        ("", {"Accept-Language": "fr-FR, zh-Hans;q=0.8"}, "zh-CN"),
        ("?lang=en", {"Accept-Language": "zh-CN"}, "en"),
        ("", {"Accept-Language": "de, fr;q=0.5"}, "en"),
    ]
    async with serving(chains_dir) as live:
        for query, headers, lang in cases:
            async with live.session.get(f"/v1/tx/{sent}{query}", headers=headers) as resp:
                assert resp.status == 200
                body = await resp.json()
            assert body["lang"] == lang, (query, headers)
            assert resp.headers["Content-Language"] == lang
            has_cjk = bool(re.search(r"[\u4e00-\u9fff]", body["summary"]))
            assert has_cjk == (lang == "zh-CN"), body["summary"]


async def test_malformed_input_is_400(chains_dir: Path, sent: str) -> None:
    """Bad hash, address, language, chain name, unknown/repeated/empty/overlong parameters: 400 problem+json."""
    bad = [
        "/v1/tx/0x1234",
        f"/v1/tx/{sent}zz",
        f"/v1/tx/{sent}?expected_to=0xnothex",
        f"/v1/tx/{sent}?expected_to=0x" + "aB" * 20,  # mixed case, wrong checksum
        f"/v1/tx/{sent}?lang=fr",
        f"/v1/tx/{sent}?chain=Not_A_Name",
        f"/v1/tx/{sent}?foo=1",
        f"/v1/tx/{sent}?chain=alpha&chain=beta",
        f"/v1/tx/{sent}?chain=",
        f"/v1/tx/{sent}?lang=" + "e" * 300,
        f"/v1/tx/{sent}?rpc=http://127.0.0.1:1/",
        "/healthz?verbose=1",
        "/metrics?name=x",
    ]
    async with serving(chains_dir) as live:
        for path in bad:
            async with live.session.get(path) as resp:
                body = await problem(resp, 400)
            assert "Traceback" not in body["detail"], path


async def test_unknown_chain_route_and_method(chains_dir: Path, sent: str) -> None:
    """An unconfigured chain and an unknown route are 404; a POST is 405 with Allow; all problem+json."""
    async with serving(chains_dir) as live:
        async with live.session.get(f"/v1/tx/{sent}?chain=gamma") as resp:
            body = await problem(resp, 404)
        assert "gamma" in body["detail"]
        assert "alpha" in body["detail"]
        async with live.session.get("/v1/nothing/here") as resp:
            await problem(resp, 404)
        async with live.session.post(f"/v1/tx/{sent}", data=b"{}") as resp:
            await problem(resp, 405)
            assert "GET" in resp.headers["Allow"]
        async with live.session.get("/v1/tx/" + "a" * 3000) as resp:
            await problem(resp, 414)
        text = await (await live.session.get("/metrics")).text()
    assert 'txdiag_http_requests_total{route="unmatched",status="404"} 1.0' in text
    assert 'txdiag_http_requests_total{route="/v1/tx/{hash}",status="404"} 1.0' in text
    assert "gamma" not in text
    assert sent not in text


async def test_health_ready_chains_openapi(chains_dir: Path, node_a: Anvil, node_b: Anvil) -> None:
    """/healthz, /readyz, /v1/chains (live heads, redacted names) and /openapi.json answer 200."""
    async with serving(chains_dir) as live:
        async with live.session.get("/healthz") as resp:
            assert resp.status == 200
            assert (await resp.json()) == {"status": "ok"}
        async with live.session.get("/readyz") as resp:
            assert resp.status == 200
            assert await resp.json() == {"status": "ready", "chains": {"alpha": True, "beta": True}}
        async with live.session.get("/v1/chains") as resp:
            assert resp.status == 200
            chains = {c["name"]: c for c in (await resp.json())["chains"]}
        assert set(chains) == {"alpha", "beta"}
        alpha = chains["alpha"]
        assert alpha["chain_id"] == ALPHA_ID
        assert alpha["ready"] is True
        (ep,) = alpha["endpoints"]
        assert ep["name"] == node_a.url
        assert ep["up"] is True
        assert ep["head"] is not None
        assert ep["head"] <= node_a.head()
        assert chains["beta"]["native_symbol"] == "BETA"
        async with live.session.get("/openapi.json") as resp:
            assert resp.status == 200
            assert await resp.json() == json.loads(json.dumps(build_document()))
        text = await (await live.session.get("/metrics")).text()
    assert f'txdiag_endpoint_up{{chain="alpha",endpoint="{node_a.url}"}} 1.0' in text
    assert 'txdiag_endpoint_head_lag_blocks{chain="beta"' in text


async def test_unavailable_chain_and_readiness(tmp_path: Path, node_a: Anvil) -> None:
    """A chain whose only endpoint refuses connections: diagnosis 503 + Retry-After, /readyz 503, /v1/chains down."""
    write_chain_file(tmp_path, "alpha", ALPHA_ID, [node_a.url])
    closed = free_port()  # nothing listens there: connections are refused
    write_chain_file(tmp_path, "delta", 99902, [f"http://127.0.0.1:{closed}"])
    async with serving(tmp_path, rpc_attempts=1) as live:
        async with live.session.get(f"/v1/tx/{UNKNOWN_HASH}?chain=delta") as resp:
            body = await problem(resp, 503)
            assert resp.headers["Retry-After"] == "5"
        assert "delta" in body["detail"]
        async with live.session.get("/readyz") as resp:
            body = await problem(resp, 503)
            assert int(resp.headers["Retry-After"]) > 0
        assert body["chains"] == {"alpha": True, "delta": False}
        async with live.session.get("/v1/chains") as resp:
            chains = {c["name"]: c for c in (await resp.json())["chains"]}
        assert chains["delta"]["ready"] is False
        assert chains["delta"]["endpoints"][0]["up"] is False
        assert chains["delta"]["endpoints"][0]["error"]


async def test_deadline_504_and_concurrency_bound_503(tmp_path: Path) -> None:
    """A node that never answers: the request ends 504 at the deadline; a second one meanwhile gets 503 at once."""
    async with silent_server() as port:
        write_chain_file(tmp_path, "gamma", 99901, [f"http://127.0.0.1:{port}"])
        async with serving(tmp_path, deadline=1.5, attempt_timeout=5.0, max_concurrent=1, max_waiting=0) as live:
            started = time.monotonic()
            slow = asyncio.create_task(live.session.get(f"/v1/tx/{UNKNOWN_HASH}?chain=gamma"))
            await asyncio.sleep(0.3)
            async with live.session.get(f"/v1/tx/{UNKNOWN_HASH}?chain=gamma") as resp:
                assert time.monotonic() - started < 1.2, "the second request queued instead of being refused"
                body = await problem(resp, 503)
                assert resp.headers["Retry-After"] == "1"
            assert "too many" in body["detail"]
            resp = await slow
            await problem(resp, 504)
            elapsed = time.monotonic() - started
            assert 1.4 < elapsed < 4.0
            # the slot is free again: the next request reaches the node (now known down) instead of the gate
            async with live.session.get(f"/v1/tx/{UNKNOWN_HASH}?chain=gamma") as resp:
                assert resp.status in (503, 504)
                body = await problem(resp, resp.status)
            assert "gamma" in body["detail"] or "within" in body["detail"]
            assert "too many" not in body["detail"]


async def test_queue_waits_within_bound(tmp_path: Path, node_a: Anvil, sent: str) -> None:
    """With one slot and one waiting place, the waiting request is served after the running one finishes."""
    with FaultProxy(node_a.url) as proxy:
        proxy.set(Fault(latency=0.3))
        write_chain_file(tmp_path, "alpha", ALPHA_ID, [proxy.url])
        async with serving(tmp_path, max_concurrent=1, max_waiting=1) as live:
            first = asyncio.create_task(live.session.get(f"/v1/tx/{sent}?chain=alpha"))
            await asyncio.sleep(0.1)
            second = asyncio.create_task(live.session.get(f"/v1/tx/{sent}?chain=alpha&lang=zh-CN"))
            await asyncio.sleep(0.1)
            async with live.session.get(f"/v1/tx/{sent}?chain=alpha") as third:
                await problem(third, 503)
            r1, r2 = await first, await second
            assert (r1.status, r2.status) == (200, 200)
            assert (await r2.json())["lang"] == "zh-CN"


async def test_rate_limit_per_client(chains_dir: Path) -> None:
    """Past the burst a client gets 429 with Retry-After; another client (trusted X-Forwarded-For) does not."""
    async with serving(chains_dir, rate_per_second=0.5, rate_burst=2, trust_forwarded=True) as live:
        a = {"X-Forwarded-For": "203.0.113.7"}
        statuses = []
        for _ in range(3):
            async with live.session.get("/v1/chains", headers=a) as resp:
                statuses.append(resp.status)
                if resp.status == 429:
                    body = await problem(resp, 429)
                    assert resp.headers["Retry-After"] == "2"
        assert statuses == [200, 200, 429]
        assert "rate" in body["detail"]
        async with live.session.get("/v1/chains", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}) as resp:
            assert resp.status == 200
        async with live.session.get("/healthz", headers=a) as resp:
            assert resp.status == 200  # health is not rate limited
    async with serving(chains_dir, rate_per_second=0.5, rate_burst=1) as live:
        async with live.session.get("/v1/chains", headers={"X-Forwarded-For": "192.0.2.1"}) as resp:
            assert resp.status == 200
        # X-Forwarded-For is not trusted by default: a forged one does not buy a new bucket
        async with live.session.get("/v1/chains", headers={"X-Forwarded-For": "192.0.2.2"}) as resp:
            await problem(resp, 429)


def _frozen_buckets(clock: Clock, peers: list[str | None] | None = None) -> Callable[[web.Application], None]:
    """Set the rate buckets on a hand-set clock (tokens come back only when the test moves it); note each peer."""

    async def note_peer(request: web.Request, _response: web.StreamResponse) -> None:
        if peers is not None:
            peers.append(request.remote)

    def prepare(app: web.Application) -> None:
        app[GUARD].buckets.clock = clock
        app.on_response_prepare.append(note_peer)

    return prepare


async def _rate_status(live: Live, path: str, client: str | None = None) -> tuple[int, str | None]:
    """The status and Retry-After of one GET, as from ``client`` (a trusted X-Forwarded-For) when given."""
    headers = {"X-Forwarded-For": client} if client else {}
    async with live.session.get(path, headers=headers) as resp:
        await resp.read()
        if resp.status == 429:  # the API says it in problem+json, the page in a page
            assert resp.content_type == (PROBLEM if path.startswith("/v1/") else "text/html")
        return resp.status, resp.headers.get("Retry-After")


async def test_page_and_api_share_one_allowance_per_ipv6_64_and_v4_mapped_client(chains_dir: Path, sent: str) -> None:
    """Addresses of one IPv6 /64 are one client, and ::ffff:a.b.c.d is a.b.c.d, on the page and the API alike."""
    clock = Clock()
    async with serving(
        chains_dir, _frozen_buckets(clock), rate_per_second=1.0, rate_burst=3, trust_forwarded=True
    ) as live:
        page, api = f"/tx/{sent}", f"/v1/tx/{sent}"
        # six addresses of 2001:db8:0:1::/64, alternating page and API: three tokens between them
        seen = [await _rate_status(live, path, f"2001:db8:0:1::{i:x}") for i, path in enumerate([page, api] * 3, 1)]
        assert seen == [(200, None)] * 3 + [(429, "1")] * 3
        # the next /64 is another client, with its own three
        seen = [await _rate_status(live, path, f"2001:db8:0:2:{i:x}::1") for i, path in enumerate([api, page, api])]
        assert seen == [(200, None)] * 3
        # a v4-mapped address and the IPv4 address it wraps are one client, whichever route
        mapped = [("::ffff:198.51.100.7", page), ("198.51.100.7", api), ("::ffff:198.51.100.7", api)]
        mapped += [("198.51.100.7", page), ("::ffff:198.51.100.7", page), ("198.51.100.7", api)]
        seen = [await _rate_status(live, path, client) for client, path in mapped]
        assert seen == [(200, None)] * 3 + [(429, "1")] * 3
        # a second on the clock is one token back for the whole /64, taken by whichever route asks first
        clock.now += 1.0
        assert await _rate_status(live, page, "2001:db8:0:1:ffff:ffff:ffff:ffff") == (200, None)
        assert await _rate_status(live, api, "2001:db8:0:1::7") == (429, "1")


async def test_a_dual_stack_peer_has_one_allowance_for_page_and_api(chains_dir: Path, sent: str) -> None:
    """An IPv4 peer of an IPv6 socket (seen as ::ffff:127.0.0.1) counts as 127.0.0.1 on both routes: one bucket."""
    clock, peers = Clock(), list[str | None]()
    async with serving(
        chains_dir, _frozen_buckets(clock, peers), host="::ffff:127.0.0.1", rate_per_second=1.0, rate_burst=4
    ) as live:
        page, api = f"/tx/{sent}", f"/v1/tx/{sent}"
        seen = [await _rate_status(live, path) for path in [page, api] * 3]
        assert seen == [(200, None)] * 4 + [(429, "1")] * 2
        clock.now += 1.0
        assert [await _rate_status(live, path) for path in (api, page)] == [(200, None), (429, "1")]
        assert set(peers) == {"::ffff:127.0.0.1"}  # every request came from the v4-mapped peer


async def test_api_keys(chains_dir: Path, sent: str) -> None:
    """With keys configured, /v1 needs a valid bearer token (401 + WWW-Authenticate otherwise); probes do not."""
    key = secrets.token_hex(16)
    async with serving(chains_dir, api_keys=frozenset({key, secrets.token_hex(16)})) as live:
        async with live.session.get(f"/v1/tx/{sent}") as resp:
            await problem(resp, 401)
            assert resp.headers["WWW-Authenticate"].startswith("Bearer")
        async with live.session.get("/v1/chains", headers={"Authorization": "Bearer " + "0" * 32}) as resp:
            await problem(resp, 401)
            assert 'error="invalid_token"' in resp.headers["WWW-Authenticate"]
        async with live.session.get("/v1/chains", headers={"Authorization": f"Basic {key}"}) as resp:
            await problem(resp, 401)
        async with live.session.get(f"/v1/tx/{sent}", headers={"Authorization": f"Bearer {key}"}) as resp:
            assert resp.status == 200
            assert (await resp.json())["verdict"] == "confirmed"
        for path in ("/healthz", "/readyz", "/metrics", "/openapi.json"):
            async with live.session.get(path) as resp:
                assert resp.status == 200, path


async def test_request_id_echo(chains_dir: Path) -> None:
    """A sane X-Request-ID is echoed in the header and problem body; an unsafe one is replaced."""
    async with serving(chains_dir) as live:
        async with live.session.get("/v1/tx/0x12", headers={"X-Request-ID": "abc-123.x:y_z"}) as resp:
            body = await problem(resp, 400)
        assert body["request_id"] == "abc-123.x:y_z"
        for unsafe in ("has space", "x" * 200, "<script>"):
            async with live.session.get("/healthz", headers={"X-Request-ID": unsafe}) as resp:
                assert resp.status == 200
                assert re.fullmatch(r"[0-9a-f]{32}", resp.headers["X-Request-ID"])


async def test_unexpected_exception_is_bare_500(chains_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    """An exception inside a handler becomes a problem+json 500 that shows no internals."""
    secret_url = "http://127.0.0.1:1/v3/" + secrets.token_hex(16)

    async def explode(_request: web.Request) -> web.Response:
        raise RuntimeError(f"internal detail {secret_url}")

    caplog.set_level(logging.DEBUG)

    def add_boom(app: web.Application) -> None:
        app.router.add_get("/boom", explode)  # a route that fails, added to the real app before it starts

    async with serving(chains_dir, prepare=add_boom) as live, live.session.get("/boom") as resp:
        body = await problem(resp, 500)
    assert "internal detail" not in json.dumps(body)
    assert secret_url not in json.dumps(body)
    assert "RuntimeError" in caplog.text
    assert secret_url not in "\n".join(r.getMessage() for r in caplog.records)


async def test_no_secret_in_responses_metrics_or_logs(
    tmp_path: Path, node_a: Anvil, sent: str, caplog: pytest.LogCaptureFixture
) -> None:
    """An endpoint URL carrying a key, and the client's API key, never appear in answers, metrics or logs."""
    rpc_key = secrets.token_hex(16)
    api_key = secrets.token_hex(16)
    caplog.set_level(logging.DEBUG)
    with FaultProxy(node_a.url, path=f"/v3/{rpc_key}") as proxy:
        write_chain_file(tmp_path, "alpha", ALPHA_ID, [proxy.url])
        seen: list[str] = []
        headers = {"Authorization": f"Bearer {api_key}"}
        async with serving(tmp_path, api_keys=frozenset({api_key})) as live:
            for path in (
                f"/v1/tx/{sent}",
                f"/v1/tx/{sent}?chain=alpha&lang=zh-CN",
                f"/v1/tx/{UNKNOWN_HASH}",
                "/v1/tx/0xbad",
                "/v1/chains",
                "/readyz",
                "/metrics",
                "/nowhere",
            ):
                async with live.session.get(path, headers=headers) as resp:
                    assert resp.status < 500, path
                    seen.append(await resp.text())
                    seen.append(json.dumps(dict(resp.headers)))
            assert json.loads(seen[0])["verdict"] == "confirmed"
        assert f"/v3/{rpc_key}" in proxy.paths  # the key really was used to reach the node
    logs = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    access = [json.loads(r.getMessage()) for r in caplog.records if r.name == "txdiag.access"]
    assert [a["route"] for a in access][:3] == ["/v1/tx/{hash}"] * 3
    assert access[0]["status"] == 200
    assert access[0]["method"] == "GET"
    assert access[0]["request_id"]
    assert access[0]["duration_ms"] >= 0
    assert access[0]["client"] == "127.0.0.1"
    assert all(sent not in json.dumps(a) for a in access)  # the route template, not the path
    everything = "\n".join(seen) + logs
    assert rpc_key not in everything
    assert api_key not in everything


async def test_serve_drains_in_flight_on_sigterm(tmp_path: Path, node_a: Anvil, sent: str) -> None:
    """`txdiag serve`: SIGTERM stops accepting, lets the in-flight diagnosis finish, and exits 0."""
    with FaultProxy(node_a.url) as proxy:
        proxy.set(Fault(latency=0.4))
        write_chain_file(tmp_path, "alpha", ALPHA_ID, [proxy.url])
        with served(tmp_path, env={"TXDIAG_SHUTDOWN_GRACE": "10"}) as child:
            async with aiohttp.ClientSession() as session:
                async with session.get(f"{child.url}/healthz") as resp:
                    assert resp.status == 200
                in_flight = asyncio.create_task(session.get(f"{child.url}/v1/tx/{sent}?chain=alpha"))
                await asyncio.sleep(0.2)
                child.process.send_signal(signal.SIGTERM)
                resp = await in_flight
                assert resp.status == 200
                assert (await resp.json())["verdict"] == "confirmed"
                await asyncio.sleep(0.2)
                with pytest.raises(aiohttp.ClientConnectionError):
                    async with aiohttp.ClientSession() as fresh:
                        await fresh.get(f"{child.url}/healthz")
            code = await asyncio.to_thread(child.process.wait, 15)
            assert code == 0
        log_lines = [json.loads(line) for line in child.stderr if line.startswith("{")]
        assert any(line["route"] == "/v1/tx/{hash}" and line["status"] == 200 for line in log_lines)


async def raw_get(live: Live, target: str, header_lines: list[bytes]) -> tuple[int, bytes]:
    """Send one GET with exactly these header lines (raw bytes, repeats kept); the status and the body."""
    reader, writer = await asyncio.open_connection(live.server.host, live.server.port)
    try:
        head = b"GET " + target.encode() + b" HTTP/1.1\r\nHost: test\r\nConnection: close\r\n"
        writer.write(head + b"".join(line + b"\r\n" for line in header_lines) + b"\r\n")
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


async def test_non_utf8_authorization_is_401(chains_dir: Path) -> None:
    """An Authorization header whose bytes are not UTF-8 is refused with 401 problem+json, never a 500."""
    async with serving(chains_dir, api_keys=frozenset({secrets.token_hex(16)})) as live:
        for line in (
            b"Authorization: Bearer \xff\xfe",
            b"Authorization: \xff\xfe\xfd",
            b"Authorization: Bearer k\xe9y",
        ):
            status, body = await raw_get(live, "/v1/chains", [line])
            assert status == 401, (line, body)
            assert json.loads(body)["status"] == 401
        text = await (await live.session.get("/metrics")).text()
    assert 'status="500"' not in text


async def test_forwarded_for_takes_the_proxy_entry_of_all_lines(chains_dir: Path) -> None:
    """Behind a trusted proxy the client is the right-most X-Forwarded-For entry of all lines, never an earlier one."""
    async with serving(chains_dir, rate_per_second=0.01, rate_burst=1, trust_forwarded=True) as live:
        proxy_saw = b"X-Forwarded-For: 203.0.113.50"
        statuses = []
        for forged in (b"198.51.100.1", b"198.51.100.2", b"198.51.100.3, 192.0.2.9"):
            status, _ = await raw_get(live, "/v1/chains", [b"X-Forwarded-For: " + forged, proxy_saw])
            statuses.append(status)
        # one client, whatever it wrote on its own first line: one bucket
        assert statuses == [200, 429, 429]
        status, _ = await raw_get(
            live, "/v1/chains", [b"X-Forwarded-For: 203.0.113.50", b"X-Forwarded-For: 203.0.113.51"]
        )
        assert status == 200  # the proxy's entry is the last line's: another client
        status, _ = await raw_get(live, "/v1/chains", [b"X-Forwarded-For: 203.0.113.52, 203.0.113.50"])
        assert status == 429  # one line, same right-most entry


async def test_chain_name_with_trailing_newline_is_400(chains_dir: Path, sent: str) -> None:
    """`?chain=alpha%0A` is a malformed chain name (400), not an unknown chain (404)."""
    async with serving(chains_dir) as live:
        for value in ("alpha%0A", "alpha%0D%0A", "%0Aalpha"):
            async with live.session.get(f"/v1/tx/{sent}?chain={value}") as resp:
                body = await problem(resp, 400)
            assert "chain name" in body["detail"]


async def test_one_deadline_covers_queueing_and_diagnosis(tmp_path: Path) -> None:
    """A request that waited for a slot gets only the rest of its deadline: it ends within one deadline, not two."""
    async with silent_server() as port:
        write_chain_file(tmp_path, "gamma", 99901, [f"http://127.0.0.1:{port}"])
        async with serving(tmp_path, deadline=1.5, attempt_timeout=5.0, max_concurrent=1, max_waiting=1) as live:
            first = asyncio.create_task(live.session.get(f"/v1/tx/{UNKNOWN_HASH}?chain=gamma"))
            await asyncio.sleep(0.3)
            started = time.monotonic()
            async with live.session.get(f"/v1/tx/{UNKNOWN_HASH}?chain=gamma") as resp:
                elapsed = time.monotonic() - started
                await problem(resp, 504)
            await problem(await first, 504)
    assert 1.0 < elapsed < 1.5 + 0.4, f"the queued request took {elapsed:.2f} s"


async def test_readiness_bounded_with_dead_endpoints(tmp_path: Path, node_a: Anvil) -> None:
    """Three endpoints that never answer: /readyz and /v1/chains answer within about one probe timeout, not 3 x 5 s."""
    async with silent_server() as p1, silent_server() as p2, silent_server() as p3:
        write_chain_file(tmp_path, "alpha", ALPHA_ID, [node_a.url])
        write_chain_file(tmp_path, "gamma", 99901, [f"http://127.0.0.1:{p}" for p in (p1, p2, p3)])
        async with serving(tmp_path, deadline=12.0, attempt_timeout=4.0, rpc_attempts=4) as live:
            started = time.monotonic()
            async with live.session.get("/readyz") as resp:
                elapsed = time.monotonic() - started
                body = await problem(resp, 503)
            assert body["chains"] == {"alpha": True, "gamma": False}
            assert elapsed < STATUS_TIMEOUT + 1.0, f"/readyz took {elapsed:.2f} s"
            live.app[GUARD].status.ttl = 0  # probe again, not from the cache
            started = time.monotonic()
            async with live.session.get("/v1/chains") as resp:
                chains = {c["name"]: c for c in (await resp.json())["chains"]}
            assert time.monotonic() - started < STATUS_TIMEOUT + 1.0
    assert [e["error"] for e in chains["gamma"]["endpoints"]] == ["timeout"] * 3
    assert chains["alpha"]["endpoints"][0]["up"] is True
