"""``txdiag serve``: the app on aiohttp's AppRunner and a TCP site, stopped by SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import dataclasses
import errno
import gc
import logging
import signal
import socket
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry

from txdiag.chains import load_chains
from txdiag.compose import build_service
from txdiag.errors import ConfigError, TxdiagError
from txdiag.http import limits
from txdiag.http.accesslog import access_log
from txdiag.http.app import create_app
from txdiag.http.protocol import MAX_FIELD, MAX_HEADERS, MAX_LINE, Connection, Policy
from txdiag.metrics import Metrics
from txdiag.settings import Settings

log = logging.getLogger("txdiag.http")


class CannotListen(TxdiagError):
    """The service could not open its listening socket (port in use, no such address, not permitted)."""


def run(
    settings: Settings | None = None,
    *,
    host: str | None = None,
    port: int | None = None,
    chains_dir: Path | None = None,
) -> int:
    """``txdiag serve``: serve until SIGTERM or SIGINT, then drain in-flight requests within the grace time.

    Raises ConfigError for a port outside 0-65535 and CannotListen when the socket cannot be opened.
    """
    settings = settings or Settings.from_env()
    if port is not None and not 0 <= port <= 65535:
        raise ConfigError(f"port must be between 0 and 65535, got {port}")
    chains = load_chains(chains_dir or settings.chains_dir, settings.variables)
    if not log.handlers and not logging.getLogger("txdiag").handlers and not logging.getLogger().handlers:
        errors = logging.StreamHandler(sys.stderr)
        errors.setFormatter(logging.Formatter("txdiag: %(levelname)s %(message)s"))
        log.addHandler(errors)
    if not access_log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False
    freeze_start_up_heap()
    return asyncio.run(_serve(settings, chains, host or settings.host, settings.port if port is None else port))


def freeze_start_up_heap() -> None:
    """Move everything alive after start-up (modules, chain files, settings) out of the cyclic collector's reach.

    Those objects live as long as the process; a full collection that walks them
    held the event loop ~50 ms of the ~115 ms longest stall while a 20,000-log receipt was read.
    pycryptodome's keccak is loaded first: a server soon hashes more addresses than
    the few a one-shot diagnosis hashes in Python, and loading it within a
    diagnosis held the loop ~20 ms.
    """
    import Crypto.Hash.keccak  # noqa: F401, PLC0415

    gc.collect()
    gc.freeze()


@dataclasses.dataclass
class Listening:
    """The app served on a TCP port by our connection protocol; ``close()`` is the one way down."""

    runner: web.AppRunner
    server: asyncio.Server
    policy: Policy

    @property
    def addresses(self) -> list[tuple[str, int]]:
        return [sock.getsockname()[:2] for sock in self.server.sockets]

    async def close(self) -> None:
        """Stop listening, let requests in flight finish within the grace time, then close every resource."""
        self.server.close()
        try:
            await self.runner.cleanup()  # idle connections closed, in-flight ones drained, then cleanup_ctx
        finally:
            await self.server.wait_closed()


async def listen(app: web.Application, settings: Settings, metrics: Metrics, host: str, port: int) -> Listening:
    """Start the app behind aiohttp's AppRunner, on a TCP socket whose protocol is our Connection.

    Raises CannotListen when the socket cannot be opened (the app is cleaned up again).
    """
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=settings.shutdown_grace)
    await runner.setup()
    server = runner.server
    assert server is not None
    policy = Policy(
        limits=limits.for_process(settings.max_connections, settings.max_connections_per_client),
        metrics=metrics,
        warnings=limits.Warnings(log),
        header_timeout=settings.header_timeout,
    )
    options: dict[str, Any] = {
        "keepalive_timeout": settings.keepalive_timeout,
        "lingering_time": settings.body_timeout,
        "max_line_size": MAX_LINE,
        "max_field_size": MAX_FIELD,
        "max_headers": MAX_HEADERS,
        "access_log": None,  # the edge middleware and Connection write our own
    }
    loop = asyncio.get_running_loop()

    def connection() -> Connection:
        return Connection(server, policy=policy, loop=loop, **options)

    try:
        sock = _listening_socket(host, port)
        # asyncio accepts up to ``backlog`` sockets per wake-up: that is the accept batch; the kernel's
        # queue is set on the socket again afterwards, so a fast client does not find it full
        tcp = await loop.create_server(connection, sock=sock, backlog=limits.accept_batch(limits.nofile_limit()))
        sock.listen(limits.LISTEN_BACKLOG)
    except OSError as exc:
        await runner.cleanup()
        raise CannotListen(f"cannot listen on {host}:{port}: {_listen_failure(exc)}") from exc
    return Listening(runner, tcp, policy)


async def _serve(settings: Settings, chains: Mapping[str, Any], host: str, port: int) -> int:
    metrics = Metrics(CollectorRegistry())
    service = build_service(settings, chains, metrics)
    app = create_app(service, settings, metrics)
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(_loop_errors(limits.Warnings(log)))
    listening = await listen(app, settings, metrics, host, port)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        for shown_host, shown_port in listening.addresses:
            print(f"txdiag: listening on http://{shown_host}:{shown_port}", file=sys.stderr, flush=True)
        await stop.wait()
        print("txdiag: shutting down", file=sys.stderr, flush=True)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await listening.close()
    return 0


def _loop_errors(warnings: limits.Warnings) -> Callable[[asyncio.AbstractEventLoop, dict[str, Any]], None]:
    """The loop's error reports as rate-limited one-line warnings (asyncio logs a traceback per failed accept)."""

    def report(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        message = str(context.get("message", "event loop error"))[:120]
        what = type(exc).__name__ if exc is not None else "error"
        warnings.warn(message, f"{message} ({what})")

    return report


def _listening_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket for host:port (the first address the name resolves to)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[
        0
    ]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(limits.LISTEN_BACKLOG)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def _listen_failure(exc: OSError) -> str:
    """Why a listening socket could not be opened, in words (asyncio's message quotes the socket address)."""
    reasons = {
        errno.EADDRINUSE: "the port is already in use (is another txdiag or server running?)",
        errno.EACCES: "permission denied (ports below 1024 need privileges)",
        errno.EADDRNOTAVAIL: "that address does not belong to this machine",
    }
    if exc.errno in reasons:
        return reasons[exc.errno]
    if isinstance(exc, socket.gaierror):
        return "the host name could not be resolved"
    return (exc.strerror or type(exc).__name__).lower()
