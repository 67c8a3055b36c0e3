"""Cost of a diagnosis, counted in real HTTP requests to a real node: batching, sharing, caching."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from tests.support.anvil import Anvil, write_chain_file
from tests.support.chain import Chain, account, calldata
from tests.support.proxy import Fault, FaultProxy
from txdiag.chains import load_chains
from txdiag.compose import build_service
from txdiag.metrics import Metrics
from txdiag.service import Service
from txdiag.settings import Settings


def requests(service: Service) -> int:
    return sum(ctx.client.http_requests for ctx in service.contexts.values())


@pytest.fixture(scope="module")
def scenario(chain_a: Chain, node_a: Anvil) -> dict[str, str]:
    """A finalized payment and token transfer, a fresh payment, and a failed call, all real."""
    token = chain_a.deploy("Stardust", account(6))
    chain_a.send(account(6), token, data=calldata("Stardust", "mint", account(6).address, 50 * 10**18), gas=200_000)
    out = {
        "payment": chain_a.send(account(6), account(7).address, value=10**16, gas=21_000),
        "token": chain_a.send(
            account(6), token, data=calldata("Stardust", "transfer", account(7).address, 10**18), gas=200_000
        ),
    }
    failures = chain_a.deploy("Failures", account(6))
    out["failed"] = chain_a.send(account(6), failures, data=calldata("Failures", "failString"), gas=200_000)
    node_a.mine(70)
    out["fresh"] = chain_a.send(account(6), account(8).address, value=10**15, gas=21_000)
    return out


def service_for(chains_dir: Path, **settings: object) -> Service:
    chains = {k: v for k, v in load_chains(chains_dir).items() if k == "alpha"}
    return build_service(Settings(**settings), chains, metrics=Metrics(CollectorRegistry()))  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "budget"), [("payment", 2), ("token", 2), ("fresh", 2), ("failed", 3)])
async def test_cold_diagnosis_round_trips(scenario: dict[str, str], chains_dir: Path, name: str, budget: int) -> None:
    """A cold diagnosis costs at most two dependent HTTP round trips (three for a failed transaction)."""
    async with service_for(chains_dir) as service:
        await service.diagnose(scenario[name], chain="alpha")
        assert 1 <= requests(service) <= budget


async def test_final_result_is_cached(scenario: dict[str, str], chains_dir: Path) -> None:
    """A final transaction's evidence is reused: the second diagnosis, in another language, asks no node."""
    async with service_for(chains_dir) as service:
        first = await service.diagnose(scenario["payment"], chain="alpha")
        before = requests(service)
        second = await service.diagnose(scenario["payment"], chain="alpha", lang="zh-CN")
        assert requests(service) == before
        assert first.verdict == second.verdict == "confirmed"
        assert second.lang == "zh-CN"
        assert service.metrics is not None
        assert (
            service.metrics.registry.get_sample_value(
                "txdiag_cache_requests_total", {"cache": "result", "result": "hit"}
            )
            == 1
        )


async def test_unsettled_result_is_cached_briefly(scenario: dict[str, str], chains_dir: Path) -> None:
    """A not-yet-final answer is reused only within its short TTL."""
    async with service_for(chains_dir, pending_cache_seconds=0.3) as service:
        await service.diagnose(scenario["fresh"], chain="alpha")
        n = requests(service)
        await service.diagnose(scenario["fresh"], chain="alpha")
        assert requests(service) == n
        await asyncio.sleep(0.35)
        await service.diagnose(scenario["fresh"], chain="alpha")
        assert requests(service) > n


async def test_identical_concurrent_requests_coalesce(scenario: dict[str, str], chains_dir: Path) -> None:
    """Fifty identical concurrent requests share one diagnosis: the node sees one request's worth of traffic."""
    async with service_for(chains_dir) as single:
        await single.diagnose(scenario["token"], chain="alpha")
        one = requests(single)
    async with service_for(chains_dir) as service:
        results = await asyncio.gather(*(service.diagnose(scenario["token"], chain="alpha") for _ in range(50)))
        assert {r.verdict for r in results} == {results[0].verdict}
        assert requests(service) == one


async def test_snapshot_fetched_once_under_concurrency(scenario: dict[str, str], chains_dir: Path) -> None:
    """Concurrent diagnoses of different hashes share one chain snapshot fetch (single flight)."""
    async with service_for(chains_dir) as service:
        hashes = list(scenario.values())
        await asyncio.gather(*(service.diagnose(h, chain="alpha") for h in hashes * 3))
        assert service.contexts["alpha"].snapshots.fetches == 1


async def test_token_metadata_cached_across_diagnoses(scenario: dict[str, str], chains_dir: Path) -> None:
    """Once a token's symbol is cached, later diagnoses still list its transfers with symbol and amount."""
    async with service_for(chains_dir, result_cache_size=0) as service:
        first = await service.diagnose(scenario["token"], chain="alpha")
        second = await service.diagnose(scenario["token"], chain="alpha")
        for d in (first, second):
            (transfer,) = d.evidence.token_transfers
            assert transfer.symbol == "STRD"
            assert transfer.decimals == 18


async def test_waiters_survive_the_snapshot_fetcher_being_cancelled(scenario: dict[str, str], chains_dir: Path) -> None:
    """The request fetching the shared snapshot is cancelled mid-fetch; those waiting on it still get their answer."""
    from txdiag.families.evm.gather import find

    async with service_for(chains_dir) as service:
        ctx = service.contexts["alpha"]
        leader = asyncio.create_task(find(ctx, scenario["payment"]))
        await asyncio.sleep(0)  # the leader claims the snapshot and sends its batch
        waiter = asyncio.create_task(find(ctx, scenario["token"]))
        await asyncio.sleep(0)  # the waiter finds the fetch under way and waits on it
        leader.cancel()
        found = await waiter
        assert found.tx is not None
        assert found.network.head > 0
        assert leader.cancelled()


async def test_without_the_receipts_block_time_still_two_round_trips(
    scenario: dict[str, str], node_a: Anvil, tmp_path: Path
) -> None:
    """A node whose receipts have no blockTimestamp: the block's header rides in round 2, not in a round of its own."""
    with FaultProxy(node_a.url) as proxy:
        proxy.set(Fault(no_block_timestamp=True))
        directory = tmp_path / "chains"
        write_chain_file(directory, "alpha", node_a.chain_id, [proxy.url])
        async with service_for(directory) as service:
            d = await service.diagnose(scenario["payment"], chain="alpha")
            assert d.verdict == "confirmed"
            assert 1 <= requests(service) <= 2
        assert proxy.methods["eth_getBlockByHash"] == 1
