"""A bounded soak: thousands of concurrent diagnoses while two endpoints misbehave at random.

One endpoint is unreliable in every way the fault proxy knows (errors, resets,
malformed bodies, throttling, slowness past the attempt timeout, lagging, saying
"no such transaction"); the other fails now and then, transiently only. A
healthy path therefore always exists, and every diagnosis must either match
what the node says without faults or honestly say it could not check.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from tests.support.anvil import Anvil, write_chain_file
from tests.support.chain import Chain, account, calldata
from tests.support.proxy import Fault, FaultProxy
from txdiag.chains import load_chains
from txdiag.compose import build_service
from txdiag.errors import ChainUnavailable, DeadlineExceeded
from txdiag.metrics import Metrics
from txdiag.settings import Settings

SEED = 20240607
RUN_SECONDS = 25.0
MAX_DIAGNOSES = 6000
WORKERS = 24
SETTINGS = Settings(deadline=4.0, attempt_timeout=0.5, result_cache_size=0)


def unreliable(rng: random.Random, rate: float) -> Callable[[], Fault | None]:
    """Any fault the proxy knows, on ``rate`` of requests."""
    kinds: list[Callable[[], Fault]] = [
        lambda: Fault(status=rng.choice([500, 502, 503])),
        lambda: Fault(status=429, retry_after="0"),
        lambda: Fault(reset=True),
        lambda: Fault(malformed=True),
        lambda: Fault(item_errors={"eth_getTransactionByHash": (-32005, "rate limit exceeded")}),
        lambda: Fault(latency=rng.uniform(0.01, 0.1)),
        lambda: Fault(latency=0.8),  # past the attempt timeout
        lambda: Fault(lag=rng.randint(3, 8)),
        lambda: Fault(null_txs=True),
    ]
    return lambda: rng.choice(kinds)() if rng.random() < rate else None


def transient(rng: random.Random, rate: float) -> Callable[[], Fault | None]:
    """Only faults a retry can get past, on ``rate`` of requests."""
    kinds: list[Callable[[], Fault]] = [
        lambda: Fault(status=503),
        lambda: Fault(reset=True),
        lambda: Fault(malformed=True),
        lambda: Fault(latency=rng.uniform(0.01, 0.05)),
    ]
    return lambda: rng.choice(kinds)() if rng.random() < rate else None


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
    a.chooser = unreliable(random.Random(SEED + 1), 0.35)
    b.chooser = transient(random.Random(SEED + 2), 0.10)
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
                    reasons[str(exc).rsplit(": ", 1)[-1]] += 1
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
