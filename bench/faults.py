"""Completeness and wall time under the faults public endpoints show, next to the same work without faults.

    .venv/bin/python bench/faults.py [--runs 60] [--workers 4] [--write]

One local anvil node holds every kind of transaction (tests/support/faultworld.py:
payments, tokens sent to their own contract, a revert, a nonce gap, a
look-alike, an unknown hash). Each mode diagnoses them round-robin:

- fault-free: one endpoint, the proxy passing everything through;
- faulty: one endpoint refusing connections, then the proxy failing 40 % of
  requests (429 with Retry-After 1, 502, 503, resets).

Through the CLI (a fresh process per diagnosis, ``--workers`` at once) and
through one ``txdiag serve``-equivalent service (result cache off, 8 requests at
once). A diagnosis is *complete* when it answered (exit 0 / HTTP 200) and its
JSON says ``complete: true``; *wrong* when its verdict differs from the
fault-free one. With ``--write`` the table replaces section 7 of bench/REPORT.md.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support import cli  # noqa: E402
from tests.support.anvil import free_port, start_anvil, write_chain_file  # noqa: E402
from tests.support.faultworld import build_world, flaky  # noqa: E402
from tests.support.proxy import FaultProxy  # noqa: E402
from txdiag.chains import load_chains  # noqa: E402
from txdiag.compose import build_service  # noqa: E402
from txdiag.http import create_app  # noqa: E402
from txdiag.metrics import Metrics  # noqa: E402
from txdiag.settings import Settings  # noqa: E402

HEADING = "## 7. Under faults: a dead endpoint and a 40 % flaky one"
Outcome = tuple[str, bool, float]  # verdict ("" when no answer), complete, seconds


def cli_once(tx_hash: str, directory: Path, data_dir: Path) -> Outcome:
    env = {"TXDIAG_DEADLINE": "12", "TXDIAG_SIGHTINGS": "memory", "TXDIAG_DATA_DIR": str(data_dir)}
    started = time.monotonic()
    result = cli.run(tx_hash, directory, env=env)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        return "", False, elapsed
    doc = json.loads(result.stdout)
    return doc["verdict"], bool(doc["complete"]), elapsed


def via_cli(hashes: list[str], directory: Path, workers: int, data_dir: Path) -> list[Outcome]:
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda h: cli_once(h, directory, data_dir), hashes))


async def via_http(hashes: list[str], directory: Path) -> list[Outcome]:
    settings = Settings(deadline=12.0, result_cache_size=0, max_concurrent=16, rate_per_second=1e4, rate_burst=10_000)
    metrics = Metrics(CollectorRegistry())
    service = build_service(settings, load_chains(directory), metrics)
    gate = asyncio.Semaphore(8)
    async with TestClient(TestServer(create_app(service, settings, metrics))) as client:

        async def one(h: str) -> Outcome:
            async with gate:
                started = time.monotonic()
                resp = await client.get(f"/v1/tx/{h}")
                doc = await resp.json(content_type=None)
                elapsed = time.monotonic() - started
                if resp.status != 200:
                    return "", False, elapsed
                return doc["verdict"], bool(doc["complete"]), elapsed

        return list(await asyncio.gather(*(one(h) for h in hashes)))


def row(surface: str, mode: str, outcomes: list[Outcome], truth: list[str]) -> str:
    times = sorted(t for _, _, t in outcomes)
    complete = sum(1 for _, c, _ in outcomes if c)
    wrong = sum(1 for (v, _, _), want in zip(outcomes, truth, strict=True) if v and v != want)
    p99 = times[max(0, int(len(times) * 0.99) - 1)]
    return (
        f"| {surface} | {mode} | {len(outcomes)} | {100 * complete / len(outcomes):.1f} % | {wrong} | "
        f"{statistics.median(times):.2f} | {p99:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    node = start_anvil(31337)
    try:
        world = build_world(node)
        ordered = [h for hs in world.values() for h in hs]
        hashes = [ordered[i % len(ordered)] for i in range(args.runs)]
        with tempfile.TemporaryDirectory() as tmp, FaultProxy(node.url) as proxy:
            clean, faulty = Path(tmp) / "clean", Path(tmp) / "faulty"
            write_chain_file(clean, "alpha", 31337, [proxy.url])
            write_chain_file(faulty, "alpha", 31337, [f"http://127.0.0.1:{free_port()}", proxy.url])
            data = Path(tmp) / "data"
            rows = []
            base = via_cli(hashes, clean, args.workers, data)
            truth = [v for v, _, _ in base]
            rows.append(row("CLI", "fault-free", base, truth))
            proxy.schedule = flaky(1, 0.4)
            rows.append(row("CLI", "dead + 40 % flaky", via_cli(hashes, faulty, args.workers, data), truth))
            proxy.schedule = None
            rows.append(row("HTTP", "fault-free", asyncio.run(via_http(hashes, clean)), truth))
            proxy.schedule = flaky(2, 0.4)
            rows.append(row("HTTP", "dead + 40 % flaky", asyncio.run(via_http(hashes, faulty)), truth))
            injected = dict(proxy.injected)
    finally:
        node.stop()
    table = "\n".join(
        [
            HEADING,
            "",
            f"Command: `.venv/bin/python bench/faults.py --runs {args.runs} --workers {args.workers} --write`. "
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; no added latency. "
            "Every kind of transaction (payment, tokens to their own contract, revert, nonce gap, look-alike, "
            "unknown hash), round-robin. CLI: a fresh process per diagnosis (start-up included), "
            f"{args.workers} at once; HTTP: the service with its result cache off, 8 requests at once. "
            "Complete: an answer whose JSON says `complete: true`; wrong: a verdict other than the fault-free one. "
            f"Faults injected in the faulty runs: {injected}.",
            "",
            "| surface | endpoints | diagnoses | complete | wrong | p50 s | p99 s |",
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    )
    print(table)
    if args.write:
        report = ROOT / "bench" / "REPORT.md"
        text = report.read_text(encoding="utf-8")
        if HEADING in text:
            before, _, rest = text.partition(HEADING)
            after = rest[rest.find("\n## ") :] if "\n## " in rest else ""
            text = before + table + after.lstrip("\n")
        else:
            text = text.rstrip("\n") + "\n\n" + table
        report.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
