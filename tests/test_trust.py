"""Answers from nodes are checked before they become evidence: a lying endpoint never decides a verdict.

A lie is well-formed and wrong: another transaction for the hash asked, a
receipt naming another block, a head of 2**40. Beside an honest endpoint the
honest answer wins; alone, the answer is "could not check" (exit 3 / 503).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from tests.support import cli as support_cli
from tests.support.anvil import Anvil, write_chain_file
from tests.support.builders import chain_spec
from tests.support.chain import Chain, account
from tests.support.proxy import Fault, FaultProxy, on_calls
from txdiag.chains import ChainSpec, load_chains, redact
from txdiag.compose import build_service
from txdiag.errors import ChainUnavailable, Reason
from txdiag.families.evm import verify
from txdiag.families.evm.dialect import EVM
from txdiag.families.evm.probes.lookup import BlockTime, Lookup, ask_lookup, parse_block_mark
from txdiag.families.evm.probes.plan import Plan, answer
from txdiag.families.evm.snapshot import SnapshotAnswer, ask_snapshot, parse_snapshot
from txdiag.http import create_app
from txdiag.metrics import Metrics
from txdiag.rpc import Call, Reply
from txdiag.settings import Settings

SETTINGS = Settings(deadline=5.0, attempt_timeout=1.0, result_cache_size=0)
TXDIAG = str(Path(sys.executable).parent / "txdiag")
ABSURD = 2**40
UNKNOWN = "0x" + "ab" * 32


def lies(other: str) -> dict[str, Fault]:
    return {
        "another_transaction": Fault(other_tx=other),
        "mismatched_receipt": Fault(receipt_block_hash="0x" + "11" * 32),
        "absurd_head": Fault(head=ABSURD),
        # the head, the fee history ending at it and the finalized block all at 2**40, every timestamp current
        "consistent_head": Fault(consistent_head=ABSURD),
    }


@pytest.fixture
def two_payments(chain_a: Chain, node_a: Anvil) -> tuple[str, str]:
    """The payment diagnosed, and another one a liar passes off as it; both a few blocks deep."""
    first = chain_a.send(account(6), account(7).address, value=777, gas=21_000)
    second = chain_a.send(account(6), account(8).address, value=888, gas=21_000)
    node_a.mine(4)
    return first, second


def directory(tmp_path: Path, *urls: str) -> Path:
    d = tmp_path / "chains"
    write_chain_file(d, "alpha", 31337, list(urls))
    return d


async def honest(tmp_path: Path, node: Anvil, tx_hash: str) -> tuple[str, int | None]:
    async with build_service(SETTINGS, load_chains(directory(tmp_path / "honest", node.url))) as service:
        d = await service.diagnose(tx_hash)
    return d.verdict, d.evidence.block_number


@pytest.mark.asyncio
@pytest.mark.parametrize("lie", ["another_transaction", "mismatched_receipt", "absurd_head", "consistent_head"])
@pytest.mark.parametrize("liar_first", [True, False])
async def test_beside_an_honest_endpoint_the_honest_answer_wins(
    lie: str,
    liar_first: bool,
    *,
    two_payments: tuple[str, str],
    proxies: list[FaultProxy],
    node_a: Anvil,
    tmp_path: Path,
) -> None:
    """Whichever endpoint is asked first, the verdict, block and confirmations are the honest node's."""
    tx, other = two_payments
    liar, good = proxies
    liar.set(lies(other)[lie])
    urls = (liar.url, good.url) if liar_first else (good.url, liar.url)
    expected = await honest(tmp_path, node_a, tx)
    registry = CollectorRegistry()
    async with build_service(SETTINGS, load_chains(directory(tmp_path, *urls)), Metrics(registry)) as service:
        d = await service.diagnose(tx)
        assert (d.verdict, d.evidence.block_number) == expected
        head = d.evidence.network.head if d.evidence.network is not None else None
        assert head is not None
        assert head < ABSURD
        assert d.to_json()["tx"]["confirmations"] < 1000
        client = service.contexts["alpha"].client
        best = client.best_head()
        assert best is not None
        assert best < ABSURD
        assert not client.is_lagging(redact(good.url))
    chain_head = registry.get_sample_value("txdiag_chain_head_block", {"chain": "alpha"})
    assert chain_head is not None
    assert chain_head < ABSURD
    lag = registry.get_sample_value("txdiag_endpoint_head_lag_blocks", {"chain": "alpha", "endpoint": redact(good.url)})
    assert lag in (None, 0.0)


@pytest.mark.asyncio
async def test_another_transaction_for_an_unknown_hash_is_not_believed(
    two_payments: tuple[str, str], proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """A liar answering a random hash with a real transaction: the honest endpoint's "not found" stands."""
    liar, good = proxies
    liar.set(Fault(other_tx=two_payments[0]))
    async with build_service(SETTINGS, load_chains(directory(tmp_path, liar.url, good.url))) as service:
        d = await service.diagnose(UNKNOWN)
    assert d.verdict == "not_found"


@pytest.mark.asyncio
@pytest.mark.parametrize("lie", ["another_transaction", "mismatched_receipt", "absurd_head", "consistent_head"])
async def test_a_lying_endpoint_alone_is_could_not_check(
    lie: str, two_payments: tuple[str, str], proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """Alone, a liar's answer is never a verdict: ChainUnavailable (unverified), not out of time, nothing cached."""
    tx, other = two_payments
    liar = proxies[0]
    liar.set(lies(other)[lie])
    settings = Settings(deadline=5.0, attempt_timeout=1.0)
    async with build_service(settings, load_chains(directory(tmp_path, liar.url))) as service:
        with pytest.raises(ChainUnavailable) as info:
            await service.diagnose(tx)
        assert len(service.results) == 0
    assert info.value.reason is Reason.UNVERIFIED
    assert not info.value.out_of_time
    assert info.value.exit_code == 3
    assert info.value.http_status == 503


@pytest.mark.asyncio
async def test_a_lying_endpoint_alone_is_503_over_http(
    two_payments: tuple[str, str], proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """HTTP: the lone liar's mismatched receipt is problem+json 503, never a diagnosis."""
    liar = proxies[0]
    liar.set(Fault(receipt_block_hash="0x" + "22" * 32))
    metrics = Metrics(CollectorRegistry())
    service = build_service(SETTINGS, load_chains(directory(tmp_path, liar.url)), metrics)
    async with TestClient(TestServer(create_app(service, SETTINGS, metrics))) as client:
        resp = await client.get(f"/v1/tx/{two_payments[0]}")
        body = await resp.json(content_type=None)
    assert resp.status == 503
    assert "unverified_answer" in body["detail"]


def test_a_lying_endpoint_alone_exits_3_from_the_cli(
    two_payments: tuple[str, str], proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """CLI: a lone liar passing off another transaction: exit 3 and one line saying the answer failed a check."""
    liar = proxies[0]
    liar.set(Fault(other_tx=two_payments[1]))
    env = {**os.environ, "TXDIAG_DEADLINE": "5", "TXDIAG_RPC_TIMEOUT": "1", "TXDIAG_SIGHTINGS": "memory"}
    result = subprocess.run(
        [TXDIAG, "diagnose", two_payments[0], "--json", "--chains-dir", str(directory(tmp_path, liar.url))],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stdout == ""
    assert "transaction_hash_mismatch" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_background_probe_reporting_an_absurd_head_is_not_believed(proxies: list[FaultProxy], node_a: Anvil) -> None:
    """A head far past every other endpoint's is kept out of the best head and of lag; the honest one is not lagging."""
    from txdiag.rpc import RpcClient

    liar, good = proxies
    spec = chain_spec(good.url, liar.url, confirmations=3, block_time=1.0)
    client = RpcClient(spec, dialect=EVM)
    real = node_a.head()
    client.note_head(redact(good.url), real)
    client.note_head(redact(liar.url), ABSURD)
    assert client.best_head() == real
    assert not client.is_lagging(redact(good.url))
    assert not client.head_believed(redact(liar.url))
    views = {v.name: v.head for v in client.endpoints()}
    assert views[redact(liar.url)] is None
    client.note_head(redact(liar.url), real + 1)  # it comes back to earth: believed again
    assert client.head_believed(redact(liar.url))
    assert client.best_head() == real + 1


TX = {
    "hash": "0x" + "aa" * 32,
    "from": "0x" + "01" * 20,
    "to": "0x" + "02" * 20,
    "nonce": "0x1",
    "value": "0x0",
    "gas": "0x5208",
    "type": "0x2",
    "input": "0x",
    "maxFeePerGas": "0x1",
    "maxPriorityFeePerGas": "0x1",
    "blockNumber": "0x10",
    "blockHash": "0x" + "bb" * 32,
}
RECEIPT = {
    "transactionHash": TX["hash"],
    "status": "0x1",
    "blockNumber": "0x10",
    "blockHash": TX["blockHash"],
    "gasUsed": "0x5208",
    "effectiveGasPrice": "0x1",
    "logs": [],
}
ROOTED = {k: v for k, v in {**RECEIPT, "root": "0x" + "ee" * 32}.items() if k != "status"}


@pytest.mark.parametrize(
    ("tx", "receipt", "fault"),
    [
        (TX, RECEIPT, None),
        ({**TX, "hash": "0x" + "cc" * 32}, RECEIPT, "transaction_hash_mismatch"),
        (TX, {**RECEIPT, "transactionHash": "0x" + "cc" * 32}, "receipt_hash_mismatch"),
        (TX, {**RECEIPT, "blockHash": "0x" + "dd" * 32}, "receipt_block_mismatch"),
        (TX, {**RECEIPT, "blockNumber": "0x11"}, "receipt_block_mismatch"),
        ({**TX, "blockNumber": None, "blockHash": None}, RECEIPT, "receipt_for_pending_transaction"),
        ({**TX, "blockNumber": None, "blockHash": None}, None, None),
        (TX, None, "receipt_missing"),
        (None, RECEIPT, "receipt_without_transaction"),
        (None, None, None),
        # a receipt stripped of its status, and with no state root either: not a receipt at all
        (TX, {k: v for k, v in RECEIPT.items() if k != "status"}, "malformed_receipt"),
        (TX, {**RECEIPT, "status": None}, "malformed_receipt"),
        (TX, {**RECEIPT, "status": "0x2"}, "malformed_receipt"),
        # a state root (before Byzantium) for a typed transaction, which came long after it
        (TX, {**ROOTED, "status": None}, "receipt_without_status"),
        ({**TX, "type": "0x0", "gasPrice": "0x1"}, ROOTED, None),
    ],
)
def test_transaction_checks(tx: object, receipt: object, fault: str | None) -> None:
    """Each way a transaction and its receipt can disagree with the question or each other has its own label."""
    lookup = looked_up(tx, receipt)
    assert verify.transaction(TX["hash"], lookup.tx.value, lookup.receipt.value) == fault


def looked_up(tx: object, receipt: object) -> Lookup:
    """Round 1's lookup of TX, answered with these replies."""
    plan = Plan()
    lookup = ask_lookup(TX["hash"], plan)
    plan.settle([Reply(tx), Reply(receipt)])
    return lookup


def answered(spec: ChainSpec, *replies: Reply) -> SnapshotAnswer:
    """The snapshot's answers, decoded by their handles (a chain with a pool: its status is not asked about)."""
    plan = Plan()
    read = ask_snapshot(spec, plan)
    plan.settle([*replies, *([Reply(None)] * (len(plan) - len(replies)))])
    return read()


def block(number: int, ts: int) -> dict[str, str]:
    return {"number": hex(number), "timestamp": hex(ts)}


def fees(newest: int, count: int = 5) -> dict[str, object]:
    return {
        "oldestBlock": hex(newest - count + 1),
        "gasUsedRatio": [0.5] * count,
        "baseFeePerGas": ["0x1"] * (count + 1),
    }


NOW = 1_800_000_000


@pytest.mark.parametrize(
    ("latest", "final", "history", "fault"),
    [
        (block(1000, NOW), block(936, NOW - 64), fees(1000), None),
        (block(1000, NOW + 3600), block(936, NOW - 64), fees(1000), "head_in_future"),
        (block(ABSURD, NOW), block(936, NOW - 64), fees(ABSURD), "head_implausible"),
        (block(ABSURD, NOW), None, fees(1000), "fee_history_disagrees_with_head"),
        (block(1000, NOW), block(2000, NOW), fees(1000), "finality_beyond_head"),
        (block(1500, NOW), block(936, NOW), fees(1500), None),  # a burst of blocks at one timestamp (anvil)
    ],
)
def test_head_checks(latest: object, final: object, history: object, fault: str | None) -> None:
    """A head is believed only when its time, the finalized block and the fee history in the same answer agree."""
    from txdiag.chains import ChainSpec

    spec = ChainSpec(
        name="alpha",
        chain_id=1,
        native_symbol="ETH",
        native_decimals=18,
        confirmations=3,
        block_time=12.0,
        endpoints=(),
    )
    replies = answered(spec, Reply(latest), Reply(final), Reply(None), Reply(history))
    assert verify.snapshot(spec, replies, NOW) == fault


def cli(tx_hash: str, chains: Path) -> subprocess.CompletedProcess[str]:
    """``txdiag diagnose HASH --json`` as a person runs it: a fresh process, the production settings."""
    return support_cli.run(
        tx_hash, chains, env={"TXDIAG_DEADLINE": "5", "TXDIAG_RPC_TIMEOUT": "1", "TXDIAG_SIGHTINGS": "memory"}
    )


def test_a_lone_consistent_liar_exits_3_from_the_cli(
    two_payments: tuple[str, str], proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """CLI: head, fee history and finalized block all at 2**40 with current timestamps: exit 3, never "final"."""
    liar = proxies[0]
    liar.set(Fault(consistent_head=ABSURD))
    result = cli(two_payments[0], directory(tmp_path, liar.url))
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stdout == ""
    assert "head_implausible_for_block_time" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert liar.injected["lie"] > 0


def test_a_consistent_liar_beside_an_honest_endpoint_gives_the_honest_answer_from_the_cli(
    two_payments: tuple[str, str], proxies: list[FaultProxy], node_a: Anvil, tmp_path: Path
) -> None:
    """CLI, liar listed first: the verdict, block, confirmations and finality are the honest node's."""
    liar, good = proxies
    honest_answer = cli(two_payments[0], directory(tmp_path / "honest", good.url))
    assert honest_answer.returncode == 0, honest_answer.stderr
    liar.set(Fault(consistent_head=ABSURD))
    result = cli(two_payments[0], directory(tmp_path, liar.url, good.url))
    assert result.returncode == 0, result.stderr
    expected, got = json.loads(honest_answer.stdout), json.loads(result.stdout)
    assert got["verdict"] == expected["verdict"] == "delayed"  # 5 blocks deep; anvil finalizes 64 behind
    assert got["tx"]["block"] == expected["tx"]["block"]
    assert got["tx"]["finalized"] is expected["tx"]["finalized"] is False
    # the honest node may mine nothing in between: the confirmations are the honest count, give or take a block
    assert 0 <= got["tx"]["confirmations"] - expected["tx"]["confirmations"] <= 1
    assert got["tx"]["confirmations"] < 1000


@pytest.mark.asyncio
async def test_a_lone_consistent_liar_is_503_over_http(
    two_payments: tuple[str, str], proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """HTTP: the lone consistent liar is problem+json 503 naming the failed check, never a diagnosis."""
    liar = proxies[0]
    liar.set(Fault(consistent_head=ABSURD))
    metrics = Metrics(CollectorRegistry())
    service = build_service(SETTINGS, load_chains(directory(tmp_path, liar.url)), metrics)
    async with TestClient(TestServer(create_app(service, SETTINGS, metrics))) as client:
        resp = await client.get(f"/v1/tx/{two_payments[0]}")
        body = await resp.json(content_type=None)
    assert resp.status == 503
    assert "head_implausible_for_block_time" in body["detail"]


@pytest.mark.asyncio
async def test_a_cached_snapshot_is_checked_against_the_transactions_block(
    two_payments: tuple[str, str], proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """A liar's snapshot cached by an unknown hash (no block to check it by) does not make a mined one final."""
    liar = proxies[0]
    liar.set(Fault(consistent_head=ABSURD))
    async with build_service(SETTINGS, load_chains(directory(tmp_path, liar.url))) as service:
        missing = await service.diagnose(UNKNOWN)
        assert missing.verdict == "not_found"
        cached = service.contexts["alpha"].snapshots.fresh()
        assert cached is not None
        assert cached.head == ABSURD  # nothing in that answer could tell
        with pytest.raises(ChainUnavailable) as info:
            await service.diagnose(two_payments[0])
    assert info.value.reason is Reason.UNVERIFIED
    assert "head_implausible_for_block_time" in str(info.value)


@pytest.mark.asyncio
async def test_a_cached_liars_snapshot_is_replaced_from_an_honest_endpoint(
    two_payments: tuple[str, str], proxies: list[FaultProxy], node_a: Anvil, tmp_path: Path
) -> None:
    """Beside an honest endpoint, the cached lie is fetched again, the honest snapshot replaces it in the cache."""
    liar, good = proxies
    expected = await honest(tmp_path, node_a, two_payments[0])
    async with build_service(SETTINGS, load_chains(directory(tmp_path, liar.url, good.url))) as service:
        ctx = service.contexts["alpha"]
        liar.set(Fault(consistent_head=ABSURD))
        # the liar's snapshot in the cache, as a request with no block to check it by left it there
        plan = Plan()
        lie = ask_snapshot(ctx.chain, plan)
        await plan.send(ctx.client, only=redact(liar.url))
        ctx.snapshots.correct(parse_snapshot(lie()))
        d = await service.diagnose(two_payments[0])
        assert (d.verdict, d.evidence.block_number) == expected
        assert d.evidence.network is not None
        assert d.evidence.network.head < ABSURD
        fresh = ctx.snapshots.fresh()
        assert fresh is not None
        assert fresh.head < ABSURD


def test_no_false_alarm_after_mining_thousands_of_blocks_in_seconds(fresh_node: Anvil, tmp_path: Path) -> None:
    """anvil mines ~1000 blocks a second, many sharing a timestamp: a payment under 1200 of them is confirmed."""
    chain = Chain(fresh_node)
    paid = chain.send(account(1), account(2).address, value=1, gas=21_000)
    mined = fresh_node.head()
    fresh_node.mine(1200)
    head = fresh_node.rpc("eth_getBlockByNumber", "latest", False)
    first = fresh_node.rpc("eth_getBlockByNumber", hex(mined), False)
    # more blocks than a 1-second chain makes in that time, even at 20 times its rate
    assert (int(head["timestamp"], 16) - int(first["timestamp"], 16) + 1) * 20 < 1200
    result = cli(paid, directory(tmp_path, fresh_node.url))
    assert result.returncode == 0, result.stderr
    d = json.loads(result.stdout)
    assert d["verdict"] == "confirmed"
    assert d["tx"]["finalized"] is True
    assert d["tx"]["confirmations"] >= 1201


SPEC = ChainSpec(
    name="alpha", chain_id=1, native_symbol="ETH", native_decimals=18, confirmations=3, block_time=12.0, endpoints=()
)


@pytest.mark.parametrize(
    ("chain_file", "blocks_per_second", "seconds", "believable"),
    [
        ("ethereum", 1 / 12, 365 * 86400, True),  # a year of slots
        ("arbitrum", 4, 3600, True),  # four blocks a second, all stamped with whole seconds
        ("arbitrum", 40, 3600, True),  # a sequencer burst at ten times its usual rate for an hour
        ("bsc", 1 / 0.45, 86400, True),
        ("polygon", 1 / 2, 0, True),  # one block, the same second
        ("ethereum", 0, 0, True),
        ("ethereum", ABSURD, 1, False),
        ("arbitrum", ABSURD / 3600, 3600, False),
    ],
)
def test_the_block_time_ceiling_holds_on_every_real_chain_rate(
    chain_file: str, blocks_per_second: float, seconds: int, believable: bool
) -> None:
    """Real chains' block rates (bundled chain files) pass; a head 2**40 blocks on does not."""
    spec = load_chains(Path(__file__).resolve().parents[1] / "txdiag" / "data" / "chains")[chain_file]
    assert isinstance(spec, ChainSpec)
    head = 1_000 + int(blocks_per_second * seconds)
    fault = verify.head_after_block(spec, head, NOW + seconds, (1_000, NOW))
    assert (fault is None) is believable


def test_a_consistent_liars_snapshot_fails_against_the_receipts_block() -> None:
    """Head, finalized and fee history agreeing at 2**40 pass alone, and fail against the receipt's own block."""
    replies = answered(
        SPEC, Reply(block(ABSURD, NOW)), Reply(block(ABSURD - 64, NOW - 64)), Reply(None), Reply(fees(ABSURD))
    )
    assert verify.snapshot(SPEC, replies, NOW) is None
    fault = verify.snapshot(SPEC, replies, NOW, receipt_block=1000, anchor=(1000, NOW - 12))
    assert fault == "head_implausible_for_block_time"
    honest_replies = answered(
        SPEC, Reply(block(1001, NOW)), Reply(block(937, NOW - 768)), Reply(None), Reply(fees(1001))
    )
    assert verify.snapshot(SPEC, honest_replies, NOW, receipt_block=1000, anchor=(1000, NOW - 12)) is None


@pytest.mark.parametrize(
    ("receipt", "anchor"),
    [
        ({**RECEIPT, "blockTimestamp": hex(NOW)}, (0x10, NOW)),
        (RECEIPT, None),  # a node without the field (Arbitrum's)
        ({**RECEIPT, "blockTimestamp": "soon"}, None),
        (None, None),
    ],
)
def test_the_receipts_block_time_is_read_where_the_node_gives_it(receipt: object, anchor: object) -> None:
    """The receipt's blockTimestamp, with its blockNumber, is the block the head is checked against."""
    link = looked_up(TX, receipt).receipt.value.value
    assert (link.anchor if link is not None else None) == anchor


def test_without_the_receipts_block_time_a_lone_consistent_liar_exits_3_from_the_cli(
    two_payments: tuple[str, str], proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """CLI: receipts without blockTimestamp (Arbitrum's nodes): round 2's block header catches the liar: exit 3."""
    liar = proxies[0]
    liar.set(Fault(consistent_head=ABSURD, no_block_timestamp=True))
    result = cli(two_payments[0], directory(tmp_path, liar.url))
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stdout == ""
    assert "head_implausible_for_block_time" in result.stderr
    assert liar.methods["eth_getBlockByHash"] >= 1


@pytest.mark.asyncio
@pytest.mark.parametrize("liar_first", [True, False])
async def test_without_the_receipts_block_time_the_honest_answer_wins(
    liar_first: bool, two_payments: tuple[str, str], proxies: list[FaultProxy], node_a: Anvil, tmp_path: Path
) -> None:
    """Neither endpoint says its receipts' block time: beside an honest one, the consistent liar's head is not used."""
    liar, good = proxies
    liar.set(Fault(consistent_head=ABSURD, no_block_timestamp=True))
    good.set(Fault(no_block_timestamp=True))
    urls = (liar.url, good.url) if liar_first else (good.url, liar.url)
    expected = await honest(tmp_path, node_a, two_payments[0])
    async with build_service(SETTINGS, load_chains(directory(tmp_path, *urls))) as service:
        d = await service.diagnose(two_payments[0])
        fresh = service.contexts["alpha"].snapshots.fresh()
    assert (d.verdict, d.evidence.block_number) == expected
    assert d.evidence.network is not None
    assert d.evidence.network.head < ABSURD
    assert d.to_json()["tx"]["finalized"] is False
    assert fresh is not None
    assert fresh.head < ABSURD


@pytest.mark.asyncio
async def test_a_cached_lie_is_caught_by_round_twos_block_header(
    two_payments: tuple[str, str], proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """No blockTimestamp, the liar's snapshot cached: the header asked in round 2 makes it "could not check"."""
    liar = proxies[0]
    liar.set(Fault(consistent_head=ABSURD, no_block_timestamp=True))
    async with build_service(SETTINGS, load_chains(directory(tmp_path, liar.url))) as service:
        assert (await service.diagnose(UNKNOWN)).verdict == "not_found"
        with pytest.raises(ChainUnavailable) as info:
            await service.diagnose(two_payments[0])
    assert info.value.reason is Reason.UNVERIFIED
    assert "head_implausible_for_block_time" in str(info.value)


@pytest.mark.parametrize(
    ("header", "fault", "anchor"),
    [
        ({"number": "0x10", "timestamp": hex(NOW), "hash": TX["blockHash"]}, None, (0x10, NOW)),
        ({"number": "0x11", "timestamp": hex(NOW), "hash": TX["blockHash"]}, "block_header_mismatch", None),
        ({"number": "0x10", "timestamp": hex(NOW), "hash": "0x" + "ee" * 32}, "block_header_mismatch", None),
        (None, None, None),  # no header: no block time to check the head by (gather names "confirmations" unchecked)
    ],
)
def test_round_twos_block_header_must_be_the_receipts_block(header: object, fault: str | None, anchor: object) -> None:
    """The header asked for the receipt's block is that block, or the answer is the endpoint's fault."""
    plan = Plan()
    lookup = ask_lookup(TX["hash"], plan)
    plan.settle([Reply(TX), Reply(RECEIPT)])
    link = lookup.receipt.value.value
    assert link is not None
    plan = Plan()
    header_handle = plan.add(Call("eth_getBlockByHash", (link.block_hash, False)), decode=answer(parse_block_mark))
    block = BlockTime(link.block_number, link.block_hash, header_handle)
    plan.settle([Reply(header)])
    assert block.fault() == fault
    assert block.anchor == anchor


@pytest.mark.asyncio
async def test_a_wrong_block_time_in_the_receipt_is_questioned_not_the_honest_heads(
    fresh_node: Anvil, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One endpoint gives the receipt's blockTimestamp in milliseconds: every honest head then looks implausible
    after that block. The block's header is asked of another endpoint, and the honest answer stands.

    The allowance for a dev node's bursts is lowered to 20 blocks, and the transaction is 60 blocks (60 s of
    block time) deep: an old transaction here.
    """
    monkeypatch.setattr(verify, "BURST_BLOCKS", 20)
    tx_hash = Chain(fresh_node).send(account(6), account(7).address, value=777, gas=21_000)
    fresh_node.rpc("anvil_mine", hex(60), hex(1))
    fresh_node.fee_history_caught_up()
    expected = await honest(tmp_path, fresh_node, tx_hash)
    with FaultProxy(fresh_node.url) as liar, FaultProxy(fresh_node.url) as good:
        async with build_service(SETTINGS, load_chains(directory(tmp_path, liar.url, good.url))) as service:
            ctx = service.contexts["alpha"]
            # an honest snapshot in the cache, so round 1 asks only the transaction and its receipt
            plan = Plan()
            snap = ask_snapshot(ctx.chain, plan)
            await plan.send(ctx.client, only=redact(good.url))
            ctx.snapshots.correct(parse_snapshot(snap()))
            liar.set(Fault(receipt_block_timestamp=(2**31) * 1000))
            d = await service.diagnose(tx_hash)
        assert (d.verdict, d.evidence.block_number) == expected
        assert liar.methods["eth_getTransactionReceipt"] >= 1  # the liar's receipt was the one read
        assert good.methods["eth_getBlockByHash"] >= 1  # its block was asked of the other endpoint


# --- a receipt that does not say how the transaction ended ------------------------------------------------------


def stripped(result: object) -> object:
    """The receipt with its status taken out, as a broken or stripping proxy sends it."""
    return {k: v for k, v in result.items() if k != "status"} if isinstance(result, dict) else result


def rooted(result: object) -> object:
    """The receipt as a node before Byzantium writes it: a state root where the status was."""
    if not isinstance(result, dict):
        return result
    return {**{k: v for k, v in result.items() if k != "status"}, "root": "0x" + "ee" * 32}


STRIPPED = Fault(rewrite={"eth_getTransactionReceipt": stripped})
ROOTED_ANSWER = Fault(rewrite={"eth_getTransactionReceipt": rooted})
REVERT_INIT = bytes([0x60, 0x00, 0x60, 0x00, 0xFD])  # creation code that reverts at once: PUSH1 0 PUSH1 0 REVERT


@pytest.fixture
def legacy_revert(chain_a: Chain, node_a: Anvil) -> str:
    """A legacy (type 0) transaction that reverted with most of its gas left, a few blocks deep."""
    tx = chain_a.send(account(6), None, data=REVERT_INIT, gas=100_000, legacy_gas_price=2 * chain_a.base_fee())
    receipt = chain_a.wait(tx)
    assert receipt["status"] == "0x0"
    assert int(receipt["gasUsed"], 16) < 100_000
    node_a.mine(4)
    return tx


@pytest.mark.asyncio
async def test_a_receipt_stripped_of_its_status_alone_is_could_not_check(
    legacy_revert: str, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """A reverted transaction whose receipt lost its status is no success: the answer fails its check, uncached."""
    liar = proxies[0]
    liar.set(STRIPPED)
    settings = Settings(deadline=5.0, attempt_timeout=1.0)
    async with build_service(settings, load_chains(directory(tmp_path, liar.url))) as service:
        with pytest.raises(ChainUnavailable) as info:
            await service.diagnose(legacy_revert)
        assert len(service.results) == 0
    assert info.value.reason is Reason.UNVERIFIED
    assert "malformed_receipt" in str(info.value)
    assert liar.methods["eth_getTransactionReceipt"] >= 1


def test_a_receipt_stripped_of_its_status_alone_exits_3_from_the_cli(
    legacy_revert: str, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """CLI: never "confirmed" from a stripped receipt; exit 3 and one line naming the malformed receipt."""
    liar = proxies[0]
    liar.set(STRIPPED)
    env = {"TXDIAG_DEADLINE": "5", "TXDIAG_RPC_TIMEOUT": "1", "TXDIAG_SIGHTINGS": "memory"}
    result = support_cli.run(legacy_revert, directory(tmp_path, liar.url), env=env)
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stdout == ""
    assert "malformed_receipt" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.asyncio
@pytest.mark.parametrize("lie", ["stripped", "rooted"])
@pytest.mark.parametrize("liar_first", [True, False])
async def test_beside_an_honest_endpoint_the_receipt_with_its_status_wins(
    lie: str, liar_first: bool, *, legacy_revert: str, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """A receipt without its status (or with a state root in its place) beside an honest one: the revert stands."""
    liar, good = proxies
    liar.set(STRIPPED if lie == "stripped" else ROOTED_ANSWER)
    urls = (liar.url, good.url) if liar_first else (good.url, liar.url)
    async with build_service(SETTINGS, load_chains(directory(tmp_path, *urls))) as service:
        d = await service.diagnose(legacy_revert)
    doc = d.to_json()
    assert d.verdict == "failed", doc["summary"]
    assert doc["tx"]["status"] == "reverted"
    assert "reverted" in {f["code"] for f in doc["findings"]}
    assert doc["complete"] is True
    if liar_first:
        assert liar.methods["eth_getTransactionReceipt"] >= 1  # the liar was asked, and not believed


@pytest.mark.asyncio
async def test_a_receipt_from_before_byzantium_that_used_all_its_gas_is_no_bare_confirmed(
    chain_a: Chain, node_a: Anvil, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """A state root and all the gas used: failed or not, the receipt cannot say; so the answer says that, uncached."""
    payment = chain_a.send(account(6), account(7).address, value=5, gas=21_000, legacy_gas_price=2 * chain_a.base_fee())
    spent = chain_a.send(account(6), account(7).address, value=6, gas=30_000, legacy_gas_price=2 * chain_a.base_fee())
    node_a.mine(70)  # past anvil's finalized block: only the outcome is in doubt
    old = proxies[0]
    old.set(ROOTED_ANSWER)
    settings = Settings(deadline=5.0, attempt_timeout=1.0)
    async with build_service(settings, load_chains(directory(tmp_path, old.url))) as service:
        unknown = await service.diagnose(payment)
        known = await service.diagnose(spent)
        assert service.results.get(payment) is None  # an answer that may yet change is never cached
        assert service.results.get(spent) is not None
    doc = unknown.to_json()
    assert doc["tx"]["status"] == "unknown"
    assert doc["complete"] is False
    assert doc["incomplete_parts"] == ["outcome"]
    assert "whether the transaction succeeded" in doc["summary"]
    assert not {"confirmed", "awaiting_confirmations"} & {f["code"] for f in doc["findings"]}
    # gas left over: before Byzantium every failure used all of it, so this one succeeded
    other = known.to_json()
    assert (known.verdict, other["tx"]["status"], other["complete"]) == ("confirmed", "success", True)
    assert "confirmed" in {f["code"] for f in other["findings"]}


# --- items read a moment apart: an honest node's answer, asked again ---------------------------------------------


def read_pending(result: object) -> object:
    """The transaction as a node gives it when the batch's first item is read just before a block takes it in."""
    if not isinstance(result, dict):
        return result
    return {**result, "blockNumber": None, "blockHash": None, "transactionIndex": None}


READ_PENDING = Fault(rewrite={"eth_getTransactionByHash": read_pending})


@pytest.mark.asyncio
async def test_a_receipt_beside_a_transaction_read_as_pending_is_asked_again_not_blamed(
    two_payments: tuple[str, str], proxies: list[FaultProxy], node_a: Anvil, tmp_path: Path
) -> None:
    """A lone endpoint whose first answer reads the transaction pending beside its receipt (as anvil does right
    after mining): asked again, the whole answer is the mined one, and the endpoint is not counted at fault."""
    node = proxies[0]
    node.schedule = on_calls("eth_getTransactionByHash", [READ_PENDING])
    async with build_service(SETTINGS, load_chains(directory(tmp_path, node.url))) as service:
        d = await service.diagnose(two_payments[0])
        health = service.contexts["alpha"].client.health[redact(node.url)]
    doc = d.to_json()
    assert (d.verdict, d.evidence.block_number) == await honest(tmp_path, node_a, two_payments[0]), doc["summary"]
    assert d.evidence.block_number is not None
    assert doc["complete"] is True
    assert node.injected["lie"] == 1  # the answer read a moment apart was given, and not believed
    assert node.methods["eth_getTransactionByHash"] >= 2
    assert health.error_rate == 0.0


def test_a_receipt_beside_a_transaction_read_as_pending_is_asked_again_from_the_cli(
    two_payments: tuple[str, str], proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """CLI, one endpoint: the answer read a moment apart is asked again; exit 0 and the mined transaction's answer."""
    node = proxies[0]
    node.schedule = on_calls("eth_getTransactionByHash", [READ_PENDING])
    env = {"TXDIAG_DEADLINE": "5", "TXDIAG_RPC_TIMEOUT": "1", "TXDIAG_SIGHTINGS": "memory"}
    result = support_cli.run(two_payments[0], directory(tmp_path, node.url), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    doc = json.loads(result.stdout)
    assert doc["tx"]["status"] == "success"
    assert doc["tx"]["block"] is not None
    assert doc["verdict"] in {"confirmed", "delayed"}  # mined: final, or waiting for blocks to be final
    assert doc["complete"] is True
    assert node.injected["lie"] == 1


@pytest.mark.asyncio
async def test_an_endpoint_that_always_reads_the_transaction_pending_beside_its_receipt_is_could_not_check(
    two_payments: tuple[str, str], proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """Asked again is not believed at last: a lone endpoint that keeps answering so is ChainUnavailable, uncached."""
    node = proxies[0]
    node.set(READ_PENDING)
    settings = Settings(deadline=2.0, attempt_timeout=1.0)
    async with build_service(settings, load_chains(directory(tmp_path, node.url))) as service:
        with pytest.raises(ChainUnavailable) as info:
            await service.diagnose(two_payments[0])
        assert len(service.results) == 0
        health = service.contexts["alpha"].client.health[redact(node.url)]
    assert info.value.reason is Reason.UNVERIFIED
    assert "receipt_for_pending_transaction" in str(info.value)
    # forgiven once, asked again, blamed the second time: the call ends then, not at its deadline
    assert node.methods["eth_getTransactionByHash"] == 2
    assert not info.value.out_of_time
    assert health.error_rate > 0


@pytest.mark.asyncio
async def test_beside_a_transaction_read_as_pending_another_endpoint_is_asked_first(
    two_payments: tuple[str, str], proxies: list[FaultProxy], node_a: Anvil, tmp_path: Path
) -> None:
    """Two endpoints: the one that read the transaction a moment apart is not blamed, and the other answers."""
    apart, good = proxies
    apart.set(READ_PENDING)
    async with build_service(SETTINGS, load_chains(directory(tmp_path, apart.url, good.url))) as service:
        d = await service.diagnose(two_payments[0])
        health = service.contexts["alpha"].client.health[redact(apart.url)]
    assert (d.verdict, d.evidence.block_number) == await honest(tmp_path, node_a, two_payments[0])
    assert d.to_json()["complete"] is True
    assert health.error_rate == 0.0


def receipt_naming(tx_hash: str) -> Callable[[object], object]:
    """A receipt for ``tx_hash`` where the node has none: what a hostile endpoint makes up for a hash no chain has."""
    made_up = {
        "transactionHash": tx_hash,
        "blockNumber": "0x1",
        "blockHash": "0x" + "cd" * 32,
        "status": "0x1",
        "gasUsed": "0x5208",
        "cumulativeGasUsed": "0x5208",
        "logs": [],
        "transactionIndex": "0x0",
        "from": "0x" + "11" * 20,
        "to": "0x" + "22" * 20,
        "effectiveGasPrice": "0x1",
        "contractAddress": None,
        "logsBloom": "0x" + "00" * 256,
        "type": "0x2",
    }
    return lambda result: made_up if result is None else result


@pytest.mark.asyncio
@pytest.mark.parametrize("names_the_hash", [True, False])
async def test_a_made_up_receipt_for_an_unknown_hash_does_not_hold_the_answer(
    names_the_hash: bool, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """A hash no chain has, and an endpoint that makes up its receipt (with no transaction): blamed at once when
    the receipt names another transaction, after one more ask when it names this one; never a verdict of its own."""
    liar, good = proxies
    liar.set(
        Fault(rewrite={"eth_getTransactionReceipt": receipt_naming(UNKNOWN if names_the_hash else "0x" + "ab" * 32)})
    )
    async with build_service(SETTINGS, load_chains(directory(tmp_path, liar.url, good.url))) as service:
        d = await service.diagnose(UNKNOWN)
        health = service.contexts["alpha"].client.health[redact(liar.url)]
    assert d.verdict == "not_found"
    assert d.to_json()["complete"] is True
    # asked by round 1 and by the search's confirming question: a few times in all, never until the deadline
    assert liar.methods["eth_getTransactionReceipt"] <= 3
    assert health.error_rate > 0
