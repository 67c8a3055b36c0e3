"""``txdiag serve``: the app on aiohttp's AppRunner and a TCP site, stopped by SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import socket
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry

from txdiag.chains import load_chains
from txdiag.errors import ConfigError, TxdiagError
from txdiag.http.app import create_app
from txdiag.http.edge import access_log
from txdiag.metrics import Metrics
from txdiag.service import Service
from txdiag.settings import Settings


class CannotListen(TxdiagError):
    """The service could not open its listening socket (port in use, no such address, not permitted)."""


def run(*, host: str | None = None, port: int | None = None, chains_dir: Path | None = None) -> int:
    """``txdiag serve``: serve until SIGTERM or SIGINT, then drain in-flight requests within the grace time.

    Raises ConfigError for a port outside 0-65535 and CannotListen when the socket cannot be opened.
    """
    settings = Settings.from_env()
    if port is not None and not 0 <= port <= 65535:
        raise ConfigError(f"port must be between 0 and 65535, got {port}")
    chains = load_chains(chains_dir or settings.chains_dir)
    if not access_log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False
    return asyncio.run(_serve(settings, chains, host or settings.host, settings.port if port is None else port))


async def _serve(settings: Settings, chains: Mapping[str, Any], host: str, port: int) -> int:
    metrics = Metrics(CollectorRegistry())
    service = Service(chains, settings, metrics=metrics)
    app = create_app(service, settings, metrics)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=settings.shutdown_grace)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as exc:
            raise CannotListen(f"cannot listen on {host}:{port}: {_listen_failure(exc)}") from exc
        for address in runner.addresses:
            shown_host, shown_port = address[0], address[1]
            print(f"txdiag: listening on http://{shown_host}:{shown_port}", file=sys.stderr, flush=True)
        await stop.wait()
        print("txdiag: shutting down", file=sys.stderr, flush=True)
    finally:
        # stops listening, lets in-flight requests finish within the grace time, then closes the RPC clients
        await runner.cleanup()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
    return 0


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
