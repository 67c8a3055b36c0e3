"""A real Prometheus server scrapes the live service; promtool accepts its /metrics."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.support.anvil import Anvil, free_port
from tests.support.chain import Chain, account
from tests.support.live import serving


def _binary(name: str) -> str:
    """The installed tool; a missing one skips locally but fails in CI, where the set-up installs it."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (Debian package 'prometheus'; the test set-up installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def prometheus_for(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Start Prometheus scraping a given host:port every second; yields a starter returning its base URL."""
    binary = _binary("prometheus")
    started: list[subprocess.Popen[bytes]] = []

    def start(target: str) -> str:
        config = tmp_path / "prometheus.yml"
        config.write_text(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
            "scrape_configs:\n  - job_name: txdiag\n    metrics_path: /metrics\n"
            f"    static_configs:\n      - targets: ['{target}']\n",
            encoding="utf-8",
        )
        port = free_port()
        proc = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp_path / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(proc)
        return f"http://127.0.0.1:{port}"

    yield start
    for proc in started:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


async def _query(session: aiohttp.ClientSession, base: str, expr: str) -> float | None:
    try:
        async with session.get(f"{base}/api/v1/query", params={"query": expr}) as resp:
            if resp.status != 200:
                return None
            body = await resp.json()
    except aiohttp.ClientConnectionError:
        return None  # still starting
    result = body["data"]["result"]
    return float(result[0]["value"][1]) if result else None


async def _until(session: aiohttp.ClientSession, base: str, expr: str, want: float, within: float = 30) -> float:
    deadline = time.monotonic() + within
    value = None
    while time.monotonic() < deadline:
        value = await _query(session, base, expr)
        if value == want:
            return value
        await asyncio.sleep(0.3)
    raise AssertionError(f"{expr} = {value}, expected {want} within {within} s")


@pytest.mark.asyncio
async def test_prometheus_scrapes_diagnosis_counters(chains_dir: Path, node_a: Anvil, prometheus_for: object) -> None:
    """Prometheus scrapes /metrics; diagnoses made afterwards show up in its own query API."""
    chain = Chain(node_a)
    sent = [chain.send(account(5), account(4).address, value=1, gas=21_000) for _ in range(3)]
    async with serving(chains_dir) as live, aiohttp.ClientSession() as client:
        host, port = live.server.host, live.server.port
        base = prometheus_for(f"{host}:{port}")
        await _until(client, base, 'up{job="txdiag"}', 1.0)
        verdicts = []
        for h in sent[:2]:
            async with live.session.get(f"/v1/tx/{h}?chain=alpha") as resp:
                assert resp.status == 200
                verdicts.append((await resp.json())["verdict"])
        verdict = verdicts[0]
        counted = f'sum(txdiag_diagnoses_total{{job="txdiag",chain="alpha",verdict="{verdict}"}})'
        await _until(client, base, counted, float(verdicts.count(verdict)))
        async with live.session.get(f"/v1/tx/{sent[2]}?chain=alpha") as resp:
            assert (await resp.json())["verdict"] == verdict
        await _until(client, base, counted, float(verdicts.count(verdict) + 1))
        served = 'sum(txdiag_http_requests_total{job="txdiag",route="/v1/tx/{hash}",status="200"})'
        await _until(client, base, served, 3.0)
        assert (await _query(client, base, 'txdiag_chain_head_block{chain="alpha"}') or 0) >= 1


def _promtool(promtool: str, exposition: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [promtool, "check", "metrics"], input=exposition, capture_output=True, timeout=30, check=False
    )


@pytest.mark.asyncio
async def test_promtool_accepts_metrics(chains_dir: Path, node_a: Anvil) -> None:
    """`promtool check metrics` passes on /metrics after real traffic, and fails on a malformed exposition."""
    promtool = _binary("promtool")
    sent = Chain(node_a).send(account(5), account(4).address, value=1, gas=21_000)
    async with serving(chains_dir) as live:
        for path in (f"/v1/tx/{sent}", "/v1/chains", "/readyz", "/nowhere", "/v1/tx/0xbad"):
            async with live.session.get(path) as resp:
                await resp.read()
        async with live.session.get("/metrics") as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
            text = await resp.read()
    assert b'route="unmatched"' in text
    assert b"txdiag_rpc_requests_total" in text
    ok = await asyncio.to_thread(_promtool, promtool, text)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = text + b"# TYPE txdiag_broken counter\ntxdiag_broken 1\n"  # a counter without _total
    refused = await asyncio.to_thread(_promtool, promtool, bad)
    assert refused.returncode != 0
