"""A bounded soak: thousands of concurrent diagnoses while two endpoints misbehave at random.

One endpoint is unreliable in every way the fault proxy knows (errors, resets,
malformed bodies, throttling, slowness past the attempt timeout, lagging, saying
"no such transaction"); the other fails now and then, transiently only. A
healthy path therefore always exists, and every diagnosis must either match
what the node says without faults or honestly say it could not check.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import http.client
import json
import random
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from tests.support import cli
from tests.support.anvil import Anvil, free_port, write_chain_file
from tests.support.chain import Chain, account, calldata
from tests.support.faultworld import build_world, flaky
from tests.support.proxy import Fault, FaultProxy, Question, Schedule, seeded
from txdiag.chains import load_chains
from txdiag.compose import build_service
from txdiag.errors import ChainUnavailable, DeadlineExceeded
from txdiag.http import create_app
from txdiag.metrics import Metrics
from txdiag.settings import Settings

SEED = 20240607
RUN_SECONDS = 25.0
MAX_DIAGNOSES = 6000
WORKERS = 24
SETTINGS = Settings(deadline=4.0, attempt_timeout=0.5, result_cache_size=0)


def unreliable(seed: int, rate: float) -> Schedule:
    """Any fault the proxy knows, on ``rate`` of requests (a seeded schedule: the same in any interleaving)."""
    kinds: list[Callable[[random.Random], Fault]] = [
        lambda rng: Fault(status=rng.choice([500, 502, 503])),
        lambda _: Fault(status=429, retry_after="0"),
        lambda _: Fault(reset=True),
        lambda _: Fault(malformed=True),
        lambda _: Fault(item_errors={"eth_getTransactionByHash": (-32005, "rate limit exceeded")}),
        lambda rng: Fault(latency=rng.uniform(0.01, 0.1)),
        lambda _: Fault(latency=0.8),  # past the attempt timeout
        lambda rng: Fault(lag=rng.randint(3, 8)),
        lambda _: Fault(null_txs=True),
    ]
    return seeded(seed, rate, kinds)


def transient(seed: int, rate: float) -> Schedule:
    """Only faults a retry can get past, on ``rate`` of requests."""
    kinds: list[Callable[[random.Random], Fault]] = [
        lambda _: Fault(status=503),
        lambda _: Fault(reset=True),
        lambda _: Fault(malformed=True),
        lambda rng: Fault(latency=rng.uniform(0.01, 0.05)),
    ]
    return seeded(seed, rate, kinds)


def test_the_flaky_schedule_is_honest() -> None:
    """The flaky mix faults 40 % of questions, its four kinds about equally, and a retry is a new draw."""
    schedule = flaky(SEED, 0.4)
    drawn = [schedule(Question(f"question {i}", 0, ())) for i in range(4000)]
    kinds = Counter((f.status, f.retry_after, f.reset) for f in drawn if f is not None)
    assert abs(sum(kinds.values()) / len(drawn) - 0.4) < 0.03
    assert set(kinds) == {(None, None, True), (429, "1", False), (502, None, False), (503, None, False)}
    assert all(abs(n / sum(kinds.values()) - 0.25) < 0.04 for n in kinds.values())
    retried = [schedule(Question("one question", attempt, ())) for attempt in range(200)]
    assert 40 < sum(f is not None for f in retried) < 120  # attempts are drawn afresh, not faulted forever


def _post(url: str, calls: list[tuple[str, list[object]]], first_id: int) -> int:
    """One JSON-RPC batch to ``url``; the HTTP status of the answer (0 for a reset)."""
    body = [{"jsonrpc": "2.0", "id": first_id + i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, ConnectionError, http.client.HTTPException):
        return 0


def test_the_fault_schedule_does_not_depend_on_the_interleaving() -> None:
    """The same questions in opposite orders, from concurrent threads: each question meets the same faults.

    A question is asked three times in a row, as a client retries; different
    questions are asked at once, in whatever order the threads reach the proxy.
    """
    questions = [[("eth_getTransactionByHash", [f"0x{i:064x}"]), ("eth_blockNumber", [])] for i in range(16)]
    fake_node = Fault(answer=lambda payload: web.json_response([{"jsonrpc": "2.0", "id": 1, "result": "0x1"}]))

    def run(order: list[int], ids: int) -> dict[int, list[int]]:
        with FaultProxy() as proxy:
            proxy.set(fake_node)
            proxy.schedule = flaky(SEED, 0.4)

            def ask(q: int) -> list[int]:
                # the ids differ between the runs (they are the client's business): only the question counts
                return [_post(proxy.url, questions[q], ids + 10 * attempt) for attempt in range(3)]

            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                return dict(zip(order, pool.map(ask, order), strict=True))

    forward = run(list(range(16)), 1)
    backward = run(list(range(16))[::-1], 1000)
    assert forward == backward
    statuses = {status for answers in forward.values() for status in answers}
    assert {0, 200, 429, 502, 503} <= statuses, forward


@pytest.fixture
def world(fresh_node: Anvil) -> tuple[Anvil, list[str]]:
    """Finalized payments, a finalized revert, a pending payment and unknown hashes, on a node of our own."""
    chain = Chain(fresh_node)
    hashes = [chain.send(account(1), account(2).address, value=1000 + i, gas=21_000) for i in range(24)]
    failures = chain.deploy("Failures", account(3))
    hashes.append(chain.send(account(3), failures, data=calldata("Failures", "failString"), gas=200_000))
    fresh_node.mine(70)  # past anvil's finalized tag (64 behind)
    fresh_node.automine(False)
    hashes.append(chain.send(account(4), account(5).address, value=1, gas=21_000))
    rng = random.Random(SEED)
    hashes += ["0x" + rng.randbytes(32).hex() for _ in range(4)]
    return fresh_node, hashes


@pytest.fixture
def proxies(world: tuple[Anvil, list[str]]) -> Iterator[list[FaultProxy]]:
    node = world[0]
    started = [FaultProxy(node.url).start(), FaultProxy(node.url).start()]
    yield started
    for p in started:
        p.stop()


async def expected(directory: Path, hashes: list[str]) -> dict[str, tuple[str, object]]:
    """Verdict and confirmations per hash, without faults."""
    async with build_service(SETTINGS, load_chains(directory)) as service:
        out = {}
        for h in hashes:
            doc = (await service.diagnose(h)).to_json()
            out[h] = (doc["verdict"], (doc["tx"] or {}).get("confirmations"))
        return out


@pytest.mark.slow
@pytest.mark.asyncio
async def test_soak_random_faults_zero_wrong_verdicts(
    world: tuple[Anvil, list[str]], proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """Thousands of concurrent diagnoses under seeded random faults: no wrong verdict, no unhandled exception."""
    node, hashes = world
    clean = tmp_path / "clean"
    write_chain_file(clean, "alpha", 31337, [node.url])
    truth = await expected(clean, hashes)
    assert sorted(v for v, _ in truth.values()) == sorted(
        ["confirmed"] * 24 + ["failed", "delayed"] + ["not_found"] * 4
    ), truth

    a, b = proxies
    a.schedule = unreliable(SEED + 1, 0.35)
    b.schedule = transient(SEED + 2, 0.10)
    faulty = tmp_path / "faulty"
    write_chain_file(faulty, "alpha", 31337, [a.url, b.url])
    registry = CollectorRegistry()
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    unhandled: list[str] = []
    wrong: list[str] = []
    pick = random.Random(SEED + 3)
    stop_at = time.monotonic() + RUN_SECONDS

    async with build_service(SETTINGS, load_chains(faulty), metrics=Metrics(registry)) as service:

        async def worker() -> None:
            while time.monotonic() < stop_at and counts["diagnoses"] < MAX_DIAGNOSES:
                h = pick.choice(hashes)
                counts["diagnoses"] += 1
                try:
                    doc = (await service.diagnose(h)).to_json()
                except (ChainUnavailable, DeadlineExceeded) as exc:
                    counts["could_not_check"] += 1
                    reasons[exc.label if isinstance(exc, ChainUnavailable) else "out_of_time"] += 1
                    continue
                except Exception as exc:  # the point of the test: count, never crash the soak
                    unhandled.append(f"{type(exc).__name__}: {exc}")
                    continue
                verdict, confirmations = truth[h]
                if doc["verdict"] != verdict:
                    wrong.append(f"{h[:10]} {doc['verdict']} != {verdict}")
                got = (doc["tx"] or {}).get("confirmations")
                if isinstance(confirmations, int) and isinstance(got, int):
                    if got > confirmations:
                        wrong.append(f"{h[:10]} {got} confirmations > {confirmations}")
                    elif got < confirmations:
                        counts["confirmations_understated"] += 1

        await asyncio.gather(*(worker() for _ in range(WORKERS)))

    retries = sum(
        s.value
        for m in registry.collect()
        if m.name == "txdiag_rpc_retries"
        for s in m.samples
        if s.name.endswith("_total")
    )
    faults = sum(a.injected.values()) + sum(b.injected.values())
    print(
        f"\nsoak: {counts['diagnoses']} diagnoses, {faults} faults injected "
        f"({dict(a.injected)} / {dict(b.injected)}), {int(retries)} retries, "
        f"{len(wrong)} verdict mismatches, {len(unhandled)} unhandled exceptions, "
        f"{counts['could_not_check']} could not check {dict(reasons)}, "
        f"{counts['confirmations_understated']} confirmations understated, {a.requests + b.requests} proxy requests"
    )
    assert not unhandled, unhandled[:5]
    assert not wrong, wrong[:5]
    assert counts["diagnoses"] >= 1000
    assert faults >= 200
    # a healthy path always existed: "could not check" must stay rare
    assert counts["could_not_check"] <= counts["diagnoses"] * 0.02


KIND_VERDICTS = {
    "payment": "confirmed",
    "token_to_own_contract": "misdirected",
    "revert": "failed",
    "lookalike": "misdirected",
    "nonce_gap": "delayed",
    "unknown": "not_found",
}
RUNS = 102
CLI_WORKERS = 4


@pytest.fixture
def mixed(fresh_node: Anvil, tmp_path: Path) -> Iterator[tuple[dict[str, str], Path, FaultProxy]]:
    """Every kind of transaction, their fault-free verdicts, and a chain file: a dead endpoint, then a flaky one."""
    world = build_world(fresh_node)
    truth = {h: KIND_VERDICTS[kind] for kind, hashes in world.items() for h in hashes}
    clean = tmp_path / "clean"
    write_chain_file(clean, "alpha", 31337, [fresh_node.url])
    seen = asyncio.run(expected(clean, list(truth)))
    assert {h: v for h, (v, _) in seen.items()} == truth
    with FaultProxy(fresh_node.url) as proxy:
        proxy.schedule = flaky(SEED + 4, 0.4)
        faulty = tmp_path / "faulty"
        write_chain_file(faulty, "alpha", 31337, [f"http://127.0.0.1:{free_port()}", proxy.url])
        yield truth, faulty, proxy


def _one_cli(tx_hash: str, directory: Path, data_dir: Path) -> tuple[int, dict[str, object] | None, float, str]:
    env = {"TXDIAG_DEADLINE": "12", "TXDIAG_SIGHTINGS": "memory", "TXDIAG_DATA_DIR": str(data_dir)}
    started = time.monotonic()
    result = cli.run(tx_hash, directory, env=env)
    elapsed = time.monotonic() - started
    doc = json.loads(result.stdout) if result.returncode == 0 else None
    return result.returncode, doc, elapsed, result.stderr.strip()[-300:]


def test_cli_under_a_dead_and_a_flaky_endpoint(mixed: tuple[dict[str, str], Path, FaultProxy], tmp_path: Path) -> None:
    """102 fresh CLI processes, every kind, one endpoint refusing and one failing 40 %: 0 wrong, >= 99 % complete."""
    truth, faulty, proxy = mixed
    hashes = [list(truth)[i % len(truth)] for i in range(RUNS)]
    with concurrent.futures.ThreadPoolExecutor(CLI_WORKERS) as pool:
        outcomes = list(pool.map(lambda h: (h, *_one_cli(h, faulty, tmp_path / "data")), hashes))
    wrong = [
        f"{h[:10]} {doc['verdict']} != {truth[h]}"
        for h, code, doc, _, _ in outcomes
        if doc and doc["verdict"] != truth[h]
    ]
    complete = sum(1 for _, code, doc, _, _ in outcomes if code == 0 and doc is not None and doc["complete"])
    failed = [
        f"{h[:10]} exit {code}: {err}"
        for h, code, doc, _, err in outcomes
        if code != 0 or not (doc or {}).get("complete")
    ]
    times = sorted(t for *_, t, _ in outcomes)
    print(
        f"\ncli under faults: {RUNS} runs, {complete} complete, {len(wrong)} wrong, "
        f"p50 {times[len(times) // 2]:.2f} s, p99 {times[int(len(times) * 0.99) - 1]:.2f} s, "
        f"faults injected {dict(proxy.injected)}"
    )
    assert not wrong, wrong
    assert complete >= 0.99 * RUNS, failed
    assert sum(proxy.injected.values()) >= RUNS  # the faults were really there


@pytest.mark.asyncio
async def test_http_under_a_dead_and_a_flaky_endpoint(mixed: tuple[dict[str, str], Path, FaultProxy]) -> None:
    """The same world through the HTTP service (no result cache): 0 wrong verdicts, >= 99 % complete."""
    truth, faulty, _ = mixed
    settings = Settings(deadline=12.0, result_cache_size=0, max_concurrent=16, rate_per_second=1000.0, rate_burst=1000)
    metrics = Metrics(CollectorRegistry())
    service = build_service(settings, load_chains(faulty), metrics)
    hashes = [list(truth)[i % len(truth)] for i in range(RUNS)]
    gate = asyncio.Semaphore(8)
    async with TestClient(TestServer(create_app(service, settings, metrics))) as client:

        async def one(h: str) -> tuple[str, int, dict[str, object]]:
            async with gate:
                resp = await client.get(f"/v1/tx/{h}")
                return h, resp.status, await resp.json(content_type=None)

        outcomes = await asyncio.gather(*(one(h) for h in hashes))
    wrong = [
        f"{h[:10]} {d['verdict']} != {truth[h]}" for h, st, d in outcomes if st == 200 and d["verdict"] != truth[h]
    ]
    complete = sum(1 for _, s, d in outcomes if s == 200 and d["complete"])
    assert not wrong, wrong
    assert complete >= 0.99 * RUNS, [(h[:10], s, d.get("detail")) for h, s, d in outcomes if s != 200]
