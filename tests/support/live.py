"""A live txdiag HTTP service for tests: in-process on a loopback port, or `txdiag serve` as a subprocess.

An endpoint that carries a key in its path or answers slowly is the fault
proxy (tests/support/proxy.py) in front of the node.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from prometheus_client import CollectorRegistry

from txdiag.chains import load_chains
from txdiag.compose import build_service
from txdiag.http import create_app
from txdiag.metrics import Metrics
from txdiag.service import Service
from txdiag.settings import Settings

ROOT = Path(__file__).resolve().parents[2]

# generous limits so only the tests that mean to hit them do
BASE_SETTINGS = Settings(
    deadline=8.0, attempt_timeout=2.0, rpc_attempts=2, rate_per_second=1000.0, rate_burst=1000, shutdown_grace=5.0
)


@dataclass
class Live:
    """A running in-process service and a client session bound to its base URL."""

    server: TestServer
    session: aiohttp.ClientSession
    metrics: Metrics
    service: Service
    app: web.Application

    @property
    def url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")


def _listening_socket(host: str, port: int, family: socket.AddressFamily) -> socket.socket:
    """A socket bound to host:port; an IPv6 one also takes IPv4 peers, v4-mapped, as a dual-stack server does."""
    sock = socket.socket(family, socket.SOCK_STREAM)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind((host, port))
    return sock


@contextlib.asynccontextmanager
async def serving(
    chains_dir: Path,
    prepare: Callable[[web.Application], None] | None = None,
    *,
    host: str = "127.0.0.1",
    **overrides: Any,
) -> AsyncIterator[Live]:
    """The real app (create_app) on ``host`` (a loopback address) with a free port, and a real aiohttp client.

    ``host="::ffff:127.0.0.1"`` listens on IPv4 loopback through an IPv6 socket, so every
    peer's address is v4-mapped (``::ffff:127.0.0.1``), as on a server listening on ``::``.
    """
    settings = replace(BASE_SETTINGS, **overrides)
    metrics = Metrics(CollectorRegistry())
    service = build_service(settings, load_chains(chains_dir, env={}), metrics=metrics)
    app = create_app(service, settings, metrics)
    if prepare is not None:
        prepare(app)
    server = TestServer(app, host=host, port=0, socket_factory=_listening_socket)
    await server.start_server()
    try:
        async with aiohttp.ClientSession(base_url=str(server.make_url("/"))) as session:
            yield Live(server, session, metrics, service, app)
    finally:
        await server.close()


@contextlib.asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """A TCP port that accepts connections and never answers: every RPC to it times out."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        for w in held:
            w.close()
        server.close()
        await server.wait_closed()


@dataclass
class Subprocess:
    """`txdiag serve` running as a child process."""

    process: subprocess.Popen[str]
    url: str
    stderr: list[str]
    pump: threading.Thread | None = None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
            raise


_LISTENING = re.compile(r"listening on (http://\S+)")


def start_serve(chains_dir: Path, env: dict[str, str] | None = None, timeout: float = 20.0) -> Subprocess:
    """Run `txdiag serve` on a free port (TXDIAG_PORT=0) and wait for its "listening on" line."""
    full_env = {
        **os.environ,
        "TXDIAG_HOST": "127.0.0.1",
        "TXDIAG_PORT": "0",
        "TXDIAG_CHAINS_DIR": str(chains_dir),
        "TXDIAG_SIGHTINGS": "memory",  # nothing written into the work tree
        **(env or {}),
    }
    exe = str(Path(sys.executable).with_name("txdiag"))
    proc = subprocess.Popen(
        [exe, "serve"], env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert proc.stderr is not None
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        m = _LISTENING.search(line)
        if m:
            child = Subprocess(proc, m.group(1), lines)
            _drain(child)
            return child
    proc.kill()
    proc.wait(timeout=5)
    raise RuntimeError("txdiag serve did not start: " + "".join(lines)[-2000:])


def _drain(child: Subprocess) -> None:
    """Keep reading the child's stderr (access log lines) so it never blocks on a full pipe."""

    def pump() -> None:
        assert child.process.stderr is not None
        with child.process.stderr:
            for line in child.process.stderr:
                child.stderr.append(line)

    child.pump = threading.Thread(target=pump, daemon=True)
    child.pump.start()


@contextlib.contextmanager
def served(chains_dir: Path, env: dict[str, str] | None = None) -> Iterator[Subprocess]:
    child = start_serve(chains_dir, env)
    try:
        yield child
    finally:
        if child.process.poll() is None:
            child.stop()
        if child.pump is not None:
            child.pump.join(timeout=5)
