"""txdiag's benchmark: one command, one node, one run, txdiag against a plain web3.py lookup.

    make bench                      # or: .venv/bin/python bench/run.py [--latency 0.02] [--seconds 5]

It starts its own anvil node behind the test suite's proxy (tests/support/proxy.py) adding a fixed latency to every
HTTP request (standing for the distance to a real provider) and counts them,
creates a realistic mix of real transactions (payments, token transfers,
failed calls, pending ones), and measures in the same run:

1. per cold diagnosis: HTTP requests to the node and wall time, txdiag versus
   bench/baseline_web3.py (sequential web3.py, as a developer would write it);
2. `txdiag serve` under concurrent load (1, 16, 64, 256 clients): throughput,
   p50/p99 latency and peak memory, with the result cache on (warm) and off
   (cold path: every request asks the node, chain-wide data still shared);
3. the CLI's time to first answer versus `cast tx` + `cast receipt`, and the
   CLI's import time.

It writes bench/REPORT.md (a markdown table) and prints it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.baseline_web3 import lookup  # noqa: E402
from tests.support.anvil import free_port, start_anvil, tool, write_chain_file  # noqa: E402
from tests.support.chain import GWEI, Chain, account, calldata  # noqa: E402
from tests.support.proxy import Fault, FaultProxy  # noqa: E402

TXDIAG = str(Path(sys.executable).parent / "txdiag")


@dataclass
class Sample:
    kind: str
    requests: int
    seconds: float


def make_transactions(chain: Chain) -> dict[str, list[str]]:
    """A realistic mix of real transactions: final, fresh, failed, pending."""
    alice, bob, carol = account(0), account(1), account(2)
    token = chain.deploy("Stardust", alice)
    failures = chain.deploy("Failures", alice)
    chain.send(alice, token, data=calldata("Stardust", "mint", alice.address, 10**24), gas=200_000)
    mix: dict[str, list[str]] = {"payment": [], "token transfer": [], "failed": [], "pending": []}
    for i in range(6):
        mix["payment"].append(chain.send(alice, bob.address, value=10**16 + i, gas=21_000))
        mix["token transfer"].append(
            chain.send(alice, token, data=calldata("Stardust", "transfer", carol.address, 10**18 + i), gas=200_000)
        )
        fn = ("failString", "failCustom", "panicOverflow")[i % 3]
        args: tuple[int, ...] = (5,) if fn == "failCustom" else ()
        mix["failed"].append(chain.send(alice, failures, data=calldata("Failures", fn, *args), gas=200_000))
    chain.node.mine(80)  # final
    chain.node.automine(False)
    for i in range(6):
        mix["pending"].append(chain.send(bob, carol.address, value=10**15 + i, gas=21_000, max_fee=50 * GWEI))
    return mix


async def cold_txdiag(chains_dir: Path, proxy: FaultProxy, tx_hash: str) -> Sample:
    from txdiag.chains import load_chains
    from txdiag.compose import build_service
    from txdiag.settings import Settings

    chains = load_chains(chains_dir)
    async with build_service(Settings(), chains) as service:  # a new service: nothing cached, no open connection
        proxy.reset_counts()
        started = time.perf_counter()
        await service.diagnose(tx_hash, chain="local")
        return Sample("", proxy.requests, time.perf_counter() - started)


def cold_baseline(proxy: FaultProxy, tx_hash: str) -> Sample:
    from web3 import Web3

    w3 = Web3(Web3.HTTPProvider(proxy.url, request_kwargs={"timeout": 30}))
    proxy.reset_counts()
    started = time.perf_counter()
    lookup(w3, tx_hash)
    return Sample("", proxy.requests, time.perf_counter() - started)


def per_diagnosis(chains_dir: Path, proxy: FaultProxy, mix: dict[str, list[str]]) -> list[list[str]]:
    rows = []
    for kind, hashes in mix.items():
        ours = [asyncio.run(cold_txdiag(chains_dir, proxy, h)) for h in hashes]
        base = [cold_baseline(proxy, h) for h in hashes]
        o_ms = statistics.median(s.seconds for s in ours) * 1000
        b_ms = statistics.median(s.seconds for s in base) * 1000
        rows.append(
            [
                kind,
                f"{statistics.median(s.requests for s in ours):g}",
                f"{statistics.median(s.requests for s in base):g}",
                f"{o_ms:.1f}",
                f"{b_ms:.1f}",
                f"{b_ms / o_ms:.1f}×",
                f"{o_ms / (proxy.fault.latency * 1000):.2f}",
            ]
        )
    return rows


async def load(url: str, hashes: Sequence[str], clients: int, seconds: float) -> tuple[float, float, float, int]:
    """Throughput (per second), p50 and p99 latency (ms), and non-200 count for one concurrency level."""
    latencies: list[float] = []
    errors = 0
    stop_at = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=clients)

    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:

        async def worker(offset: int) -> None:
            nonlocal errors
            i = offset
            while time.perf_counter() < stop_at:
                h = hashes[i % len(hashes)]
                i += 1
                started = time.perf_counter()
                async with session.get(f"{url}/v1/tx/{h}?chain=local") as resp:
                    await resp.read()
                    if resp.status != 200:
                        errors += 1
                latencies.append(time.perf_counter() - started)

        begun = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(clients)))
        elapsed = time.perf_counter() - begun
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return len(latencies) / elapsed, p50, p99, errors


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def serve(chains_dir: Path, extra_env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "TXDIAG_RATE_PER_SECOND": "100000",
        "TXDIAG_RATE_BURST": "1000000",
        "TXDIAG_MAX_CONCURRENT": "4096",
        "TXDIAG_MAX_WAITING": "100000",
        "TXDIAG_LOG_LEVEL": "ERROR",
        "TXDIAG_ACCESS_LOG": "0",
        **extra_env,
    }
    proc = subprocess.Popen(
        [TXDIAG, "serve", "--port", str(port), "--chains-dir", str(chains_dir)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib_open(f"{url}/healthz"):
                return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("txdiag serve did not start")


def urllib_open(url: str):  # type: ignore[no-untyped-def]
    import urllib.request

    return urllib.request.urlopen(url, timeout=5)


def snapshot_fetches(url: str) -> float:
    """Chain snapshot fetches the server made, from its own /metrics."""
    with urllib_open(f"{url}/metrics") as resp:
        text = resp.read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith("txdiag_cache_requests_total{") and 'cache="snapshot"' in line and 'result="miss"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def load_rows(
    chains_dir: Path,
    proxy: FaultProxy,
    *,
    hashes: Sequence[str],
    levels: Sequence[int],
    seconds: float,
    block_time: float,
) -> list[list[str]]:
    rows = []
    for mode, env in (("warm (cache on)", {}), ("cold (result cache off)", {"TXDIAG_RESULT_CACHE": "0"})):
        proc, url = serve(chains_dir, env)
        try:
            asyncio.run(load(url, hashes, 4, 1.0))  # warm up connections (and the cache in warm mode)
            for clients in levels:
                fetch_before, proxy_before = snapshot_fetches(url), proxy.requests
                rps, p50, p99, errors = asyncio.run(load(url, hashes, clients, seconds))
                fetches = snapshot_fetches(url) - fetch_before
                rows.append(
                    [
                        mode,
                        str(clients),
                        f"{rps:,.0f}",
                        f"{p50:.1f}",
                        f"{p99:.1f}",
                        str(errors),
                        f"{proxy.requests - proxy_before:,}",
                        f"{fetches / seconds * block_time:.2f}",
                        f"{peak_rss_mib(proc.pid):.0f}",
                    ]
                )
        finally:
            proc.terminate()
            proc.wait(10)
    return rows


def timed(cmd: list[str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def import_time_ms() -> float:
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import txdiag.cli"], capture_output=True, text=True, check=True
    ).stderr
    total = 0
    for line in out.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].strip() == "txdiag.cli":
            total = int(parts[1].strip())
    return total / 1000


def cli_rows(chains_dir: Path, proxy: FaultProxy, tx_hash: str) -> list[list[str]]:
    ours = timed([TXDIAG, "diagnose", tx_hash, "--chain", "local", "--chains-dir", str(chains_dir)])
    cast = tool("cast")
    cast_tx = timed([cast, "tx", tx_hash, "--rpc-url", proxy.url])
    cast_receipt = timed([cast, "receipt", tx_hash, "--rpc-url", proxy.url])
    bad = timed([TXDIAG, "diagnose", "0x12"])
    return [
        ["txdiag diagnose (whole answer)", f"{ours:.0f}"],
        ["cast tx + cast receipt (raw facts only)", f"{cast_tx + cast_receipt:.0f}"],
        ["txdiag diagnose with a malformed hash (start-up and exit)", f"{bad:.0f}"],
        ["import txdiag.cli (python -X importtime)", f"{import_time_ms():.0f}"],
    ]


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return f"{os.cpu_count()} cores ({cpu}), {int(mem) // 1024 // 1024} GiB, Python {platform.python_version()}"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--latency", type=float, default=0.02, help="seconds added to every HTTP request to the node")
    ap.add_argument("--seconds", type=float, default=5.0, help="duration of each load level")
    ap.add_argument("--levels", default="1,16,64,256")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "REPORT.md")
    args = ap.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    block_time = 2.0

    node = start_anvil(31337)
    proxy = FaultProxy(node.url).start()
    proxy.set(Fault(latency=args.latency))  # every request costs a fixed network distance
    try:
        with tempfile.TemporaryDirectory() as tmp:
            chains_dir = Path(tmp)
            write_chain_file(chains_dir, "local", 31337, [proxy.url], confirmations=12, block_time=block_time)
            os.environ["TXDIAG_DATA_DIR"] = str(Path(tmp) / "data")
            mix = make_transactions(Chain(node))
            print("measuring cold diagnoses…", flush=True)
            diag = per_diagnosis(chains_dir, proxy, mix)
            print("measuring the service under load…", flush=True)
            final = [h for k in ("payment", "token transfer", "failed") for h in mix[k]]
            served = load_rows(
                chains_dir,
                proxy,
                hashes=final + mix["pending"],
                levels=levels,
                seconds=args.seconds,
                block_time=block_time,
            )
            print("measuring the CLI…", flush=True)
            cli = cli_rows(chains_dir, proxy, mix["payment"][0])
    finally:
        proxy.stop()
        node.stop()

    report = "\n\n".join(
        [
            "# txdiag benchmark",
            f"Machine: {machine()}. Node: anvil behind a proxy adding **{args.latency * 1000:.0f} ms** to every "
            "HTTP request. Command: `make bench` "
            f"(`bench/run.py --latency {args.latency} --seconds {args.seconds:g} --levels {args.levels}`).",
            "## 1. One cold diagnosis (new process state, nothing cached), median over 6 transactions each",
            table(
                [
                    "transaction",
                    "txdiag HTTP requests",
                    "web3.py HTTP requests",
                    "txdiag ms",
                    "web3.py ms",
                    "speed-up",
                    "txdiag wall / latency",
                ],
                diag,
            ),
            "## 2. `txdiag serve` under load (same proxy; 24 hashes cycled; load generator on the same machine)",
            "Warm: results of final transactions are cached, so the node is asked only about pending ones. "
            "Cold: the result cache is off, so every request asks the node, except that identical requests "
            "in flight at the same moment share one diagnosis (coalescing) and the chain snapshot is shared "
            "for a block time. Snapshot fetches per block time are counted over each level's window, so a "
            "window that starts just before a refresh can show slightly more than 1.",
            table(
                [
                    "mode",
                    "clients",
                    "diagnoses/s",
                    "p50 ms",
                    "p99 ms",
                    "non-200",
                    "node requests",
                    "snapshot fetches per block time",
                    "peak RSS MiB",
                ],
                served,
            ),
            "## 3. Command line, time to first answer (median of 5 runs)",
            table(["command", "ms"], cli),
        ]
    )
    args.out.write_text(report + "\n", encoding="utf-8")
    print(report)
    print(json.dumps({"report": str(args.out)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
