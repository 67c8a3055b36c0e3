"""The service against hostile clients: raw bytes on a loopback socket, against the real server.

Each test starts the app the way ``txdiag serve`` does (``listen()``: AppRunner
and our connection protocol) with short timeouts, then talks to it with asyncio
streams. Nothing here sleeps to order events: each test awaits the server's
answer or its close.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import resource
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.http_exceptions import BadHttpMessage, LineTooLong
from prometheus_client import CollectorRegistry

from tests.support.anvil import write_chain_file
from tests.support.live import BASE_SETTINGS, ROOT, served
from txdiag.chains import load_chains
from txdiag.compose import build_service
from txdiag.http import create_app
from txdiag.http.limits import OVERFLOW, ConnectionLimits, Warnings, client_key, fd_capacity
from txdiag.http.protocol import MAX_FIELD, MAX_LINE, parser_problem
from txdiag.http.serve import Listening, listen
from txdiag.metrics import Metrics

API_KEY = "k3y-" + "s3cr3t" * 4
HOST = b"Host: 127.0.0.1\r\n"
AUTH = f"Authorization: Bearer {API_KEY}\r\n".encode()
HASH = "0x" + "ab" * 32


@dataclass
class Edge:
    listening: Listening
    metrics: Metrics
    port: int

    async def connect(self, local: str = "127.0.0.1") -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", self.port, local_addr=(local, 0))

    def count(self, name: str, **labels: str) -> float:
        return self.metrics.registry.get_sample_value(name, labels) or 0.0


@contextlib.asynccontextmanager
async def edge_server(tmp_path: Path, **overrides: Any) -> AsyncIterator[Edge]:
    """The app behind listen() on a free loopback port; its chain's only endpoint is a closed port."""
    chains = tmp_path / "chains"
    write_chain_file(chains, "alpha", 31337, ["http://127.0.0.1:9"])
    quick: dict[str, Any] = {"header_timeout": 0.3, "keepalive_timeout": 0.4, "body_timeout": 0.2}
    settings = replace(BASE_SETTINGS, api_keys=frozenset({API_KEY}), **{**quick, **overrides})
    metrics = Metrics(CollectorRegistry())
    service = build_service(settings, load_chains(chains, env={}), metrics=metrics)
    listening = await listen(create_app(service, settings, metrics), settings, metrics, "127.0.0.1", 0)
    try:
        yield Edge(listening, metrics, listening.addresses[0][1])
    finally:
        await listening.close()


async def exchange(edge: Edge, raw: bytes, *, local: str = "127.0.0.1") -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read the whole answer until the server closes (every answer here closes)."""
    reader, writer = await edge.connect(local)
    try:
        writer.write(raw)
        with contextlib.suppress(ConnectionResetError):
            await writer.drain()
        data = await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
    return parse_response(data)


def parse_response(data: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body


def problem(status: int, headers: dict[str, str], body: bytes, expected: int) -> dict[str, Any]:
    """Assert a problem+json answer with this status whose request id matches the header."""
    assert status == expected, body
    assert headers["content-type"].startswith("application/problem+json")
    doc: dict[str, Any] = json.loads(body)
    assert doc["status"] == expected
    assert doc["request_id"] == headers["x-request-id"]
    return doc


MARK = b"m4rk3r-of-raw-bytes"

PARSER_CASES = [
    pytest.param(b"GET /v1/tx/\x00" + MARK + b" HTTP/1.1\r\n" + HOST + AUTH + b"\r\n", 400, id="nul-in-path"),
    pytest.param(
        b"GET /v1/\xff\xfe\x01" + MARK + b" HTTP/1.1\r\n" + HOST + AUTH + b"\r\n", 400, id="raw-bytes-in-path"
    ),
    pytest.param(b"GET /" + MARK + b"a" * 9000 + b" HTTP/1.1\r\n" + HOST + AUTH + b"\r\n", 414, id="target-over-8190"),
    pytest.param(
        b"GET /healthz HTTP/1.1\r\n" + HOST + AUTH + b"X-Big: " + MARK + b"a" * 65536 + b"\r\n\r\n",
        431,
        id="64k-header",
    ),
    pytest.param(
        b"POST /v1/chains HTTP/1.1\r\n" + HOST + AUTH + b"Content-Length: 12" + MARK + b"\r\n\r\n", 400, id="bad-cl"
    ),
    pytest.param(
        b"POST /v1/chains HTTP/1.1\r\n"
        + HOST
        + AUTH
        + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        + MARK,
        400,
        id="cl-and-te",
    ),
    pytest.param(b"\x16\x03\x01" + MARK + b"\r\n\r\n", 400, id="tls-on-plain-port"),
]


@pytest.mark.parametrize(("raw", "status"), PARSER_CASES)
async def test_parser_errors_are_problems(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, raw: bytes, status: int
) -> None:
    """A request the parser rejects gets problem+json, a request id, an access line and a metric; no log holds it."""
    caplog.set_level(logging.DEBUG)
    async with edge_server(tmp_path) as edge:
        doc = problem(*await exchange(edge, raw), status)
        assert edge.count("txdiag_http_requests_total", route="unparsed", status=str(status)) == 1
    assert MARK.decode() not in doc["detail"]
    access = [json.loads(r.getMessage()) for r in caplog.records if r.name == "txdiag.access"]
    assert [(a["route"], a["status"], a["request_id"]) for a in access] == [("unparsed", status, doc["request_id"])]
    logged = "\n".join(r.getMessage() + (str(r.exc_info) if r.exc_info else "") for r in caplog.records)
    assert API_KEY not in logged
    assert "s3cr3t" not in logged
    assert MARK.decode() not in logged
    assert not any(r.exc_info for r in caplog.records), "no traceback is logged"


def test_served_logs_never_hold_the_key(tmp_path: Path) -> None:
    """`txdiag serve` as a process: after every parser error with a valid key in it, its log holds neither."""
    chains = tmp_path / "chains"
    write_chain_file(chains, "alpha", 31337, ["http://127.0.0.1:9"])
    with served(chains, env={"TXDIAG_API_KEYS": API_KEY, "TXDIAG_LOG_LEVEL": "debug"}) as child:
        host, port = child.url.removeprefix("http://").rsplit(":", 1)

        async def send_all() -> list[int]:
            statuses = []
            for case in PARSER_CASES:
                reader, writer = await asyncio.open_connection(host, int(port))
                writer.write(case.values[0])  # type: ignore[arg-type]
                with contextlib.suppress(ConnectionError):
                    await writer.drain()
                statuses.append(parse_response(await asyncio.wait_for(reader.read(), 10))[0])
                writer.close()
            return statuses

        assert asyncio.run(send_all()) == [case.values[1] for case in PARSER_CASES]
        assert child.stop() == 0
    assert child.pump is not None
    child.pump.join(timeout=5)
    log = "".join(child.stderr)
    assert log.count('"route": "unparsed"') == len(PARSER_CASES)
    assert API_KEY not in log
    assert "s3cr3t" not in log
    assert MARK.decode() not in log
    assert "Traceback" not in log


async def test_oversized_body_is_413_and_target_over_2048_is_414(tmp_path: Path) -> None:
    """A body over 64 KiB is 413 before it is read; a target over 2048 characters is 414, via the app."""
    async with edge_server(tmp_path) as edge:
        raw = b"POST /v1/chains HTTP/1.1\r\n" + HOST + AUTH + b"Content-Length: 100000\r\nConnection: close\r\n\r\n"
        problem(*await exchange(edge, raw), 413)
        raw = b"GET /v1/tx/" + b"a" * 3000 + b" HTTP/1.1\r\n" + HOST + AUTH + b"Connection: close\r\n\r\n"
        problem(*await exchange(edge, raw), 414)


def test_parser_mapping_matches_aiohttp() -> None:
    """aiohttp's LineTooLong still reports the limit it tripped, so 414 and 431 stay apart (an upgrade check)."""
    assert MAX_LINE != MAX_FIELD
    assert parser_problem(LineTooLong(b"x", MAX_LINE)).status == 414
    assert parser_problem(LineTooLong(b"x", MAX_FIELD)).status == 431
    assert parser_problem(BadHttpMessage("Too many headers received")).status == 431
    assert parser_problem(BadHttpMessage("anything")).status == 400


async def test_slowloris_headers_are_cut_off(tmp_path: Path) -> None:
    """Headers trickled a line at a time are closed at the header timeout however steadily they come."""
    async with edge_server(tmp_path) as edge:
        reader, writer = await edge.connect()
        started = time.monotonic()
        writer.write(b"GET /healthz HTTP/1.1\r\n" + HOST)
        closed = False
        for i in range(200):
            try:
                chunk = await asyncio.wait_for(reader.read(1024), 0.05)
            except TimeoutError:
                with contextlib.suppress(ConnectionError):
                    writer.write(f"X-Trickle-{i}: a\r\n".encode())
                continue
            closed = chunk == b""
            break
        elapsed = time.monotonic() - started
        writer.close()
        assert closed, "the server closed the connection"
        assert 0.25 <= elapsed < 3.0
        assert edge.count("txdiag_http_connections_timed_out_total", phase="header") == 1


async def test_silent_and_idle_connections_are_closed(tmp_path: Path) -> None:
    """A connection that sends nothing, and a keep-alive connection left idle, are both closed by the server."""
    async with edge_server(tmp_path) as edge:
        reader, writer = await edge.connect()
        assert await asyncio.wait_for(reader.read(), 5) == b""
        writer.close()

        reader, writer = await edge.connect()
        writer.write(b"GET /healthz HTTP/1.1\r\n" + HOST + b"\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 200")
        length = int(parse_response(head + b"")[1]["content-length"])
        await reader.readexactly(length)
        idle_from = time.monotonic()
        assert await asyncio.wait_for(reader.read(), 5) == b""
        assert time.monotonic() - idle_from >= 0.2
        writer.close()


async def test_trickled_body_is_cut_off(tmp_path: Path) -> None:
    """A body no route reads is drained for at most the body timeout, then the connection is closed."""
    async with edge_server(tmp_path) as edge:
        reader, writer = await edge.connect()
        writer.write(b"POST /healthz HTTP/1.1\r\n" + HOST + b"Content-Length: 60000\r\n\r\n" + b"x" * 10)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 405")
        answered = time.monotonic()
        await reader.readexactly(int(parse_response(head)[1]["content-length"]))
        assert await asyncio.wait_for(reader.read(), 5) == b""
        assert time.monotonic() - answered < 3.0
        writer.close()


async def test_per_client_cap(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Past its cap a client gets 503 except on /healthz, then is refused at once; others are served; one warning."""
    caplog.set_level(logging.WARNING, logger="txdiag.http")
    async with edge_server(tmp_path, max_connections_per_client=3, header_timeout=30.0) as edge:
        held = [await edge.connect() for _ in range(3)]
        # the next ones are over the cap: only /healthz is served
        get = b"GET /v1/chains HTTP/1.1\r\n" + HOST + AUTH + b"\r\n"
        problem(*await exchange(edge, get), 503)
        status, _, _ = await exchange(edge, b"GET /healthz HTTP/1.1\r\n" + HOST + b"\r\n")
        assert status == 200
        # past the overflow slots, a fixed 503 before anything is read
        extra = [await edge.connect() for _ in range(OVERFLOW)]
        reader, writer = await edge.connect()
        status, headers, body = parse_response(await asyncio.wait_for(reader.read(), 5))
        problem(status, headers, body, 503)
        writer.close()
        # another address is not affected
        status, _, _ = await exchange(edge, get, local="127.0.0.2")
        assert status == 200
        assert edge.count("txdiag_http_connections_refused_total", reason="client_cap") >= 3
        for _, w in held + extra:
            w.close()
    warnings = [r for r in caplog.records if "connection limit" in r.getMessage()]
    assert len(warnings) == 1
    assert API_KEY not in "\n".join(r.getMessage() for r in caplog.records)


async def test_total_cap_closes_the_oldest_idle_connection(tmp_path: Path) -> None:
    """At the total cap a new client is served and the oldest idle connection is closed to make room."""
    async with edge_server(tmp_path, max_connections=4, header_timeout=30.0, keepalive_timeout=30.0) as edge:
        held = [await edge.connect() for _ in range(4)]
        healthz = b"GET /healthz HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n"
        status, _, _ = await exchange(edge, healthz, local="127.0.0.2")
        assert status == 200
        oldest_reader = held[0][0]
        assert await asyncio.wait_for(oldest_reader.read(), 5) == b""
        assert edge.count("txdiag_http_connections_refused_total", reason="total_cap") >= 1
        assert edge.count("txdiag_http_open_connections") <= 4
        for _, w in held:
            w.close()


def test_limits_and_ipv6_buckets() -> None:
    """IPv6 clients share a bucket per /64; the total cap fits the descriptor limit; release undoes admit."""
    assert client_key("2001:db8:1:2::1") == client_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert client_key("192.0.2.7") == "192.0.2.7"
    assert client_key(None) == client_key("garbage") == "unknown"
    assert fd_capacity(256, 1000) == 256 - 64 - OVERFLOW
    assert fd_capacity(100_000, 1000) == 1000
    limits = ConnectionLimits(2, 1)
    assert limits.admit("a")[0].value == "admit"
    assert limits.admit("a") == (limits.admit("a")[0], "client_cap")
    limits.release("a")
    limits.release("a")
    limits.release("a")
    assert limits.total == 0
    assert limits.open_from("a") == 0


def test_warnings_are_rate_limited(caplog: pytest.LogCaptureFixture) -> None:
    """One warning per reason per interval, then one saying how many were held back."""
    now = [0.0]
    warnings = Warnings(logging.getLogger("txdiag.test"), every=60, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="txdiag.test"):
        assert warnings.warn("x", "flood")
        assert not any(warnings.warn("x", "flood") for _ in range(1000))
        now[0] = 61.0
        assert warnings.warn("x", "flood")
    assert len(caplog.records) == 2
    assert "1000 more" in caplog.records[1].getMessage()


def _low_nofile() -> None:  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


def test_file_descriptor_limit(tmp_path: Path) -> None:
    """With 256 descriptors and 1,100 connections held open, /healthz still answers and the log stays short."""
    asyncio.run(_fd_flood(tmp_path))


async def _fd_flood(tmp_path: Path) -> None:
    chains = tmp_path / "chains"
    write_chain_file(chains, "alpha", 31337, ["http://127.0.0.1:9"])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2000:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    env = {
        **os.environ,
        "TXDIAG_HOST": "127.0.0.1",
        "TXDIAG_PORT": "0",
        "TXDIAG_CHAINS_DIR": str(chains),
        "TXDIAG_SIGHTINGS": "memory",
        "TXDIAG_MAX_CONNECTIONS_PER_CLIENT": "100000",  # only the descriptor limit binds
        "TXDIAG_HEADER_TIMEOUT": "60",
        "TXDIAG_KEEPALIVE_TIMEOUT": "60",
    }
    exe = str(Path(sys.executable).with_name("txdiag"))
    proc = await asyncio.create_subprocess_exec(
        exe,
        "serve",
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=_low_nofile,
    )
    assert proc.stderr is not None
    first = (await asyncio.wait_for(proc.stderr.readline(), 20)).decode()
    assert "listening on http://127.0.0.1:" in first, first
    port = int(first.rsplit(":", 1)[1].strip().rstrip("/"))
    held: list[asyncio.StreamWriter] = []
    try:
        for _ in range(1100):
            _, w = await asyncio.open_connection("127.0.0.1", port)
            held.append(w)
        for _ in range(5):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            status, _, body = parse_response(await asyncio.wait_for(reader.read(), 10))
            writer.close()
            assert status == 200, body
            assert json.loads(body) == {"status": "ok"}
        assert proc.returncode is None
    finally:
        for w in held:
            w.close()
        proc.terminate()
        err = (await asyncio.wait_for(proc.stderr.read(), 30)).decode()
        await proc.wait()
    lines = [line for line in err.splitlines() if line and '"event": "http_request"' not in line]
    assert "Traceback" not in err
    assert "out of system resource" not in err  # the cap kept accept() from ever running out
    assert len(lines) <= 4, lines  # "shutting down", one rate-limited warning, nothing per connection


async def test_failed_auth_is_throttled(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Repeated 401s from one address turn into 429, even for the right key; another address is unaffected."""
    caplog.set_level(logging.DEBUG)
    async with edge_server(tmp_path, auth_failure_burst=3, auth_failure_rate=0.01) as edge:
        wrong = b"GET /v1/chains HTTP/1.1\r\n" + HOST + b"Authorization: Bearer wrong-" + API_KEY.encode() + b"\r\n"
        right = b"GET /v1/chains HTTP/1.1\r\n" + HOST + AUTH
        close = b"Connection: close\r\n\r\n"
        for _ in range(3):
            problem(*await exchange(edge, wrong + close), 401)
        doc = problem(*await exchange(edge, wrong + close), 429)
        assert "failed authentications" in doc["detail"]
        status, headers, _ = await exchange(edge, right + close)
        assert status == 429
        assert int(headers["retry-after"]) >= 1
        status, _, _ = await exchange(edge, right + close, local="127.0.0.2")
        assert status == 200
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert API_KEY not in logged


def test_ipv6_clients_share_rate_buckets() -> None:
    """Two addresses of one IPv6 /64 drain one bucket; another /64 has its own."""
    from txdiag.http.guard import TokenBuckets

    now = [0.0]
    buckets = TokenBuckets(rate=1.0, burst=2, clock=lambda: now[0])
    assert buckets.take(client_key("2001:db8::1")) == 0
    assert buckets.take(client_key("2001:db8::2:3")) == 0
    assert buckets.wait(client_key("2001:db8::ffff")) > 0
    assert buckets.take(client_key("2001:db8::ffff")) > 0
    assert buckets.take(client_key("2001:db8:0:1::1")) == 0
