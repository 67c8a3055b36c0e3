"""Failed transactions end to end: real contracts, real signed transactions, the CLI and Service.diagnose()."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ALPHA_ID
from tests.support import filler
from tests.support.anvil import Anvil, write_chain_file
from tests.support.chain import GWEI, Chain, account, calldata
from tests.support.proxy import Fault, FaultProxy
from txdiag.chains import load_chains
from txdiag.compose import build_service
from txdiag.families.evm.transfers import MAX_LOG_SCAN
from txdiag.models import Unanswered
from txdiag.service import Service
from txdiag.settings import Settings
from txdiag.sightings import SIGHTINGS_FILE, SqliteSightings

TXDIAG = str(Path(sys.executable).parent / "txdiag")
SENDER = account(4)
OTHER = account(9).address
STRD = 10**18
ZERO = "0x" + "00" * 20


@dataclass(frozen=True)
class Case:
    name: str
    code: str
    explanation: str
    details: dict[str, Any]


def _cases() -> list[Case]:
    panics = [
        ("panicAssert", "0x01", "assertion_failed"),
        ("panicOverflow", "0x11", "arithmetic_overflow"),
        ("panicDivZero", "0x12", "division_by_zero"),
        ("panicEnum", "0x21", "invalid_enum_value"),
        ("panicPop", "0x31", "empty_array_pop"),
        ("panicIndex", "0x32", "array_out_of_bounds"),
        ("panicMemory", "0x41", "out_of_memory"),
        ("panicZeroFn", "0x51", "uninitialized_function"),
    ]
    return [
        Case("failString", "reverted", "contract_message", {"message": "Stardust: nothing to claim"}),
        Case("failCustom", "reverted", "insufficient_balance", {"balance": 0, "needed": 5, "missing": 5}),
        Case("failEmpty", "reverted", "no_reason", {"selector": None, "reason": "reverted without a reason"}),
        *(Case(fn, "reverted", key, {"panic_code": code, "selector": "0x4e487b71"}) for fn, code, key in panics),
        Case("outOfGas", "out_of_gas", "out_of_gas_no_estimate", {"node_error": "out of gas"}),
        Case("fixableOutOfGas", "out_of_gas", "out_of_gas", {"gas_limit": 30_000, "gas_margin_percent": 20}),
        Case("invalidOpcode", "invalid_opcode", "invalid_opcode", {"node_error": "invalid opcode: INVALID"}),
        Case("innerOutOfGasBubbled", "out_of_gas", "inner_out_of_gas_no_estimate", {"depth": 1}),
        Case("failNestedToken", "reverted", "insufficient_balance", {"depth": 1, "needed_amount": "7"}),
        Case("strdShort", "reverted", "insufficient_balance", {"balance_amount": "2.5", "needed_amount": "7"}),
        Case("strdPaused", "reverted", "paused", {"selector": "0xd93c0665"}),
        Case("strdBlacklisted", "reverted", "blacklisted", {}),
        Case("strdToZero", "reverted", "transfer_to_zero_address", {}),
    ]


CASES = _cases()
NO_ARGUMENTS = (
    "failString",
    "failEmpty",
    "panicAssert",
    "panicOverflow",
    "panicDivZero",
    "panicEnum",
    "panicPop",
    "panicIndex",
    "panicMemory",
    "panicZeroFn",
    "outOfGas",
    "invalidOpcode",
)


@pytest.fixture(scope="module")
def sent(chain_a: Chain, node_a: Anvil) -> dict[str, str]:
    """Every failure kind as a real mined transaction on chain alpha, plus contract addresses."""
    c = chain_a
    failures = c.deploy("Failures", SENDER)
    token = c.deploy("Stardust", SENDER)
    paused = c.deploy("Stardust", SENDER)
    c.send(SENDER, token, data=calldata("Stardust", "mint", SENDER.address, 25 * STRD // 10))
    c.send(SENDER, token, data=calldata("Stardust", "blacklist", account(8).address))
    c.send(SENDER, paused, data=calldata("Stardust", "pause"))
    out = {"failures": failures, "token": token}

    def fail(
        name: str, fn: str, *args: Any, gas: int = 100_000, to: str = failures, contract: str = "Failures"
    ) -> None:
        out[name] = c.send(SENDER, to, data=calldata(contract, fn, *args), gas=gas)

    for fn in NO_ARGUMENTS:
        fail(fn, fn)
    fail("failCustom", "failCustom", 5)
    fail("fixableOutOfGas", "succeed", gas=30_000)
    fail("innerOutOfGasBubbled", "innerOutOfGasBubbled", gas=200_000)
    fail("failNestedToken", "failNestedToken", token, OTHER, 7 * STRD, gas=200_000)
    fail("strdShort", "transfer", OTHER, 7 * STRD, to=token, contract="Stardust")
    fail("strdPaused", "transfer", OTHER, 1, to=paused, contract="Stardust")
    fail("strdBlacklisted", "transfer", account(8).address, 1, to=token, contract="Stardust")
    fail("strdToZero", "transfer", ZERO, 1, to=token, contract="Stardust")
    fail("innerOutOfGasCaught", "innerOutOfGasCaught", gas=200_000)
    node_a.mine(70)  # past anvil's finalized tag, so the successful one is plainly confirmed
    for name, tx_hash in out.items():
        if name in ("failures", "token", "innerOutOfGasCaught"):
            continue
        receipt = c.receipt(tx_hash)
        assert receipt is not None
        assert receipt["status"] == "0x0", name
    return out


def _service(chains_dir: Path) -> Service:
    return build_service(Settings(), {k: v for k, v in load_chains(chains_dir).items() if k == "alpha"})


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
async def test_service_names_the_failure(case: Case, sent: dict[str, str], chains_dir: Path) -> None:
    """Service.diagnose gives the failed code, the explanation key and its numbers, in English and Chinese."""
    async with _service(chains_dir) as service:
        en = await service.diagnose(sent[case.name])
        zh = await service.diagnose(sent[case.name], lang="zh-CN")
    assert en.verdict == "failed"
    finding = en.classification.findings[0]
    assert finding.code.value == case.code
    assert finding.details["explanation"] == case.explanation
    assert finding.details["source"] == "trace"
    shown = en.rendered.findings[0].details  # as the JSON has them: amounts with the token's decimals applied
    for key, value in case.details.items():
        assert shown[key] == value, key
    assert zh.verdict == "failed"
    assert en.rendered.summary != zh.rendered.summary
    assert "{" not in en.rendered.summary
    assert "{" not in zh.rendered.summary


async def test_custom_error_arguments_decoded(sent: dict[str, str], chains_dir: Path) -> None:
    """A custom error with arguments is decoded by name with its arguments, the sender among them."""
    async with _service(chains_dir) as service:
        d = await service.diagnose(sent["failCustom"])
    details = d.classification.findings[0].details
    assert details["reason"].startswith("InsufficientFunds(account=")
    assert details["decoded"]["name"] == "InsufficientFunds"
    assert details["decoded"]["args"][0]["value"] == SENDER.address
    assert details["decoded"]["args"][2]["value"] == 5


async def test_fixable_out_of_gas_suggests_limit(sent: dict[str, str], chains_dir: Path) -> None:
    """Out of gas that more gas fixes: the suggestion is the replayed estimate plus 20 %, above the old limit."""
    async with _service(chains_dir) as service:
        d = await service.diagnose(sent["fixableOutOfGas"])
    details = d.classification.findings[0].details
    estimate = details["gas_estimate"]
    assert 30_000 < estimate < 100_000
    assert details["suggested_gas_limit"] == -(-estimate * 120 // 100)
    assert str(details["suggested_gas_limit"]) in " ".join(d.rendered.next_steps)


async def test_caught_inner_out_of_gas_is_not_a_failure(sent: dict[str, str], chains_dir: Path) -> None:
    """An inner call's out of gas that the outer call caught leaves the transaction confirmed."""
    async with _service(chains_dir) as service:
        d = await service.diagnose(sent["innerOutOfGasCaught"])
    assert d.verdict == "confirmed"
    assert not {"reverted", "out_of_gas", "invalid_opcode"} & set(d.classification.codes())


async def test_nested_token_error_names_the_token(sent: dict[str, str], chains_dir: Path) -> None:
    """The token's error bubbled through a contract: the token is the failing frame and amounts are in STRD."""
    async with _service(chains_dir) as service:
        d = await service.diagnose(sent["failNestedToken"])
    details = d.classification.findings[0].details
    assert details["failing_contract"] == sent["token"]
    assert details["balance_holder"] == sent["failures"]
    assert details["token_symbol"] == "STRD"
    assert "7 STRD" in d.rendered.summary


@pytest.mark.parametrize(("name", "budget"), [("failString", 2), ("fixableOutOfGas", 3), ("failNestedToken", 3)])
async def test_round_trips(name: str, budget: int, sent: dict[str, str], chains_dir: Path) -> None:
    """A failed tx costs two round trips with a trace; three when it needs an estimate or nested token metadata."""
    async with _service(chains_dir) as service:
        await service.diagnose(sent[name])
        assert service.contexts["alpha"].client.http_requests == budget


# --- the CLI, in both languages ----------------------------------------------------


def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TXDIAG_DATA_DIR": str(data_dir)}
    env.pop("TXDIAG_LANG", None)
    return subprocess.run([TXDIAG, *args], capture_output=True, text=True, timeout=60, env=env, check=False)


def cli_json(tx_hash: str, chains_dir: Path, data_dir: Path, *extra: str) -> dict[str, Any]:
    result = run_cli("diagnose", tx_hash, "--chains-dir", str(chains_dir), "--json", *extra, data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


CLI_CASES = [
    ("strdShort", "en", ["2.5 STRD", "7 STRD", "4.5 STRD short", "ERC20InsufficientBalance("]),
    ("strdShort", "zh-CN", ["余额为 2.5 STRD", "发送 7 STRD", "差 4.5 STRD"]),
    ("failString", "en", ['the contract said: "Stardust: nothing to claim"', 'Error("Stardust: nothing to claim")']),
    ("failString", "zh-CN", ["合约给出的信息是：“Stardust: nothing to claim”"]),
    ("failCustom", "en", ["InsufficientFunds(account=", "required=5", "the balance was 0 but 5 was needed"]),
    ("failCustom", "zh-CN", ["余额为 0，但需要 5"]),
    ("panicOverflow", "en", ["Panic(0x11: arithmetic overflow or underflow)", "out of range"]),
    ("panicDivZero", "zh-CN", ["除以零"]),
    ("failEmpty", "en", ["without giving a reason"]),
    ("failEmpty", "zh-CN", ["没有给出原因"]),
    ("outOfGas", "en", ["ran out of gas", "[out_of_gas]"]),
    ("fixableOutOfGas", "zh-CN", ["Gas 耗尽", "请将 Gas 上限设为至少"]),
    ("invalidOpcode", "en", ["invalid instruction (INVALID, 0xfe)", "[invalid_opcode]"]),
    ("invalidOpcode", "zh-CN", ["无效指令"]),
    ("innerOutOfGasBubbled", "en", ["a call it made to", "ran out of gas"]),
    ("failNestedToken", "zh-CN", ["余额为 0 STRD，但需要 7 STRD"]),
    ("strdPaused", "en", ["paused by its operator"]),
    ("strdToZero", "zh-CN", ["零地址"]),
]


def test_cli_text_in_both_languages(sent: dict[str, str], chains_dir: Path, tmp_path: Path) -> None:
    """`txdiag diagnose` (text) names each failure and its reason in English and Chinese, with amounts in STRD."""

    def one(case: tuple[str, str, list[str]]) -> tuple[tuple[str, str, list[str]], subprocess.CompletedProcess[str]]:
        name, lang, _ = case
        return case, run_cli("diagnose", sent[name], "--chains-dir", str(chains_dir), "--lang", lang, data_dir=tmp_path)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(one, CLI_CASES))
    for (name, lang, expected), result in results:
        assert result.returncode == 0, (name, result.stderr)
        verdict = "FAILED" if lang == "en" else "失败"
        assert verdict in result.stdout.splitlines()[0], (name, lang)
        for text in expected:
            assert text in result.stdout, (name, lang, text, result.stdout)


def test_cli_json_reverted_details(sent: dict[str, str], chains_dir: Path, tmp_path: Path) -> None:
    """--json carries reason, selector, decoded and source for a reverted transaction."""
    doc = cli_json(sent["strdShort"], chains_dir, tmp_path, "--lang", "zh-CN")
    assert doc["verdict"] == "failed"
    details = doc["findings"][0]["details"]
    assert details["selector"] == "0xe450d38c"
    assert details["source"] == "trace"
    assert details["decoded"]["name"] == "ERC20InsufficientBalance"
    assert details["decoded"]["args"][2]["value"] == 7 * STRD
    assert details["missing_amount"] == "4.5"
    assert "差 4.5 STRD" in doc["summary"]


# --- nodes that cannot trace --------------------------------------------------------


@pytest.fixture
def limited(node_a: Anvil, tmp_path: Path) -> Iterator[tuple[Path, set[str]]]:
    """A proxy to node_a that refuses the methods in the returned set (as a node without them would)."""
    refused: set[str] = set()
    with FaultProxy(node_a.url) as proxy:
        proxy.chooser = lambda: Fault(item_errors=dict.fromkeys(refused, (-32601, "Method not found")))
        directory = tmp_path / "limited"
        write_chain_file(directory, "alpha", ALPHA_ID, [proxy.url])
        yield directory, refused


async def test_without_trace_or_ots_the_call_is_replayed(sent: dict[str, str], limited: tuple[Path, set[str]]) -> None:
    """No debug_ or ots_ methods: the reason comes from an eth_call replay at the parent block, marked as such."""
    directory, refused = limited
    refused.update({"debug_traceTransaction", "ots_getTransactionError"})
    async with build_service(Settings(), load_chains(directory)) as service:
        d = await service.diagnose(sent["strdShort"])
        trips = service.contexts["alpha"].client.http_requests
    details = d.classification.findings[0].details
    assert d.verdict == "failed"
    assert details["source"] == "replay"
    assert details["explanation"] == "insufficient_balance"
    block = d.evidence.block_number
    assert block is not None
    assert details["replayed_block"] == block - 1
    assert any(str(details["replayed_block"]) in s for s in d.rendered.next_steps)
    assert trips == 3


async def test_ots_used_when_trace_missing(sent: dict[str, str], limited: tuple[Path, set[str]]) -> None:
    """No debug_traceTransaction: ots_getTransactionError gives the revert data in the same round."""
    directory, refused = limited
    refused.add("debug_traceTransaction")
    async with build_service(Settings(), load_chains(directory)) as service:
        d = await service.diagnose(sent["failCustom"])
    details = d.classification.findings[0].details
    assert details["source"] == "ots"
    assert details["decoded"]["name"] == "InsufficientFunds"


async def test_no_method_can_tell(sent: dict[str, str], limited: tuple[Path, set[str]]) -> None:
    """A node with no trace, no ots and no historical eth_call: still failed, and the reason says why it is unknown."""
    directory, refused = limited
    refused.update({"debug_traceTransaction", "ots_getTransactionError", "eth_call", "eth_estimateGas"})
    async with build_service(Settings(), load_chains(directory)) as service:
        en = await service.diagnose(sent["outOfGas"])
        zh = await service.diagnose(sent["outOfGas"], lang="zh-CN")
    finding = en.classification.findings[0]
    assert en.verdict == "failed"
    assert finding.code.value == "reverted"
    assert finding.details["source"] is None
    assert finding.details["explanation"] == "reason_unavailable_all_gas"
    assert Unanswered.UNSUPPORTED.at("debug_traceTransaction") in finding.details["reason_unavailable"]
    assert "could not tell why" in en.rendered.summary
    assert "节点无法说明原因" in zh.rendered.summary


@pytest.fixture
def faulting(node_a: Anvil, tmp_path: Path) -> Iterator[tuple[FaultProxy, Path, dict[str, tuple[int, str]]]]:
    """A proxy to node_a answering the methods in the returned map with that error (a node that could not answer)."""
    errors: dict[str, tuple[int, str]] = {}
    with FaultProxy(node_a.url) as proxy:
        proxy.chooser = lambda: Fault(item_errors=dict(errors))
        directory = tmp_path / "faulting"
        write_chain_file(directory, "alpha", ALPHA_ID, [proxy.url])
        yield proxy, directory, errors


TELLERS = ("debug_traceTransaction", "ots_getTransactionError", "eth_call")


@pytest.mark.parametrize(
    ("failing", "unchecked"),
    [
        (TELLERS, True),  # every method that could tell why failed through the node's fault
        (TELLERS[:2], False),  # the trace and ots failed, the replay told why: checked
    ],
    ids=["none_answered", "replay_answered"],
)
async def test_a_reason_the_node_could_not_give_is_named_unchecked(
    failing: tuple[str, ...],
    unchecked: bool,
    sent: dict[str, str],
    faulting: tuple[FaultProxy, Path, dict[str, tuple[int, str]]],
) -> None:
    """Internal errors where the reason is asked: "failure" is unchecked (incomplete, not cached) until one tells."""
    proxy, directory, errors = faulting
    async with build_service(Settings(), load_chains(directory)) as service:
        # another failure at the same token, first: its symbol and decimals are then known and not asked again
        await service.diagnose(sent["strdBlacklisted"])
        errors.update(dict.fromkeys(failing, (-32603, "internal error")))
        d = await service.diagnose(sent["strdShort"])
        cached = service.results.get(sent["strdShort"]) is not None
    doc = d.to_json()
    assert proxy.injected["item_error"] >= 1
    assert doc["verdict"] == "failed"
    if not unchecked:
        assert d.classification.findings[0].details["source"] == "replay"
        assert doc["complete"] is True
        assert cached
        return
    assert d.classification.findings[0].details["source"] is None
    assert "could not tell why" in doc["summary"]
    assert doc["complete"] is False
    assert doc["incomplete_parts"] == ["failure"]
    assert not cached  # asked again next time: a node that faulted may answer then
    assert "the reason the transaction failed" in doc["summary"]


# --- dropped and replaced ------------------------------------------------------------


@pytest.fixture
def paused_pool(fresh_node: Anvil, tmp_path: Path) -> tuple[Anvil, Chain, Path]:
    """The test's own node with automine off, and a chain file for it."""
    fresh_node.automine(False)
    directory = tmp_path / "chains"
    write_chain_file(directory, "alpha", ALPHA_ID, [fresh_node.url])
    return fresh_node, Chain(fresh_node), directory


def test_replaced_and_dropped_through_the_cli(paused_pool: tuple[Anvil, Chain, Path], tmp_path: Path) -> None:
    """Seen pending by one CLI run, then sped up, cancelled or dropped: later CLI runs say replaced or dropped."""
    node, chain, directory = paused_pool
    data = tmp_path / "data"
    me = account(2)
    fee = 3 * GWEI
    speed = chain.send(me, OTHER, value=10**17, gas=21_000, nonce=0, max_fee=fee)
    cancel = chain.send(me, OTHER, value=10**17, gas=21_000, nonce=1, max_fee=fee)
    drop = chain.send(account(3), OTHER, value=10**16, gas=21_000, nonce=0, max_fee=fee)
    for h in (speed, cancel, drop):
        assert cli_json(h, directory, data)["verdict"] == "delayed"
    assert (data / SIGHTINGS_FILE).exists()

    faster = chain.send(me, OTHER, value=10**17, gas=21_000, nonce=0, max_fee=fee + GWEI)
    nothing = chain.send(me, me.address, value=0, gas=21_000, nonce=1, max_fee=fee + GWEI)
    assert node.rpc("anvil_dropTransaction", drop) == drop
    node.mine()

    doc = cli_json(speed, directory, data)
    assert doc["verdict"] == "confirmed"  # the faster copy was mined and succeeded: the payment went through
    replaced = doc["findings"][0]
    assert replaced["code"] == "replaced"
    assert replaced["details"]["replaced_by"] == faster
    assert replaced["details"]["replacement_kind"] == "speed_up"
    assert faster in doc["summary"]

    doc = cli_json(cancel, directory, data, "--lang", "zh-CN")
    assert doc["findings"][0]["code"] == "replaced"
    assert doc["findings"][0]["details"]["replacement_kind"] == "cancel"
    assert doc["findings"][0]["details"]["replaced_by"] == nothing
    assert "已被" in doc["summary"]
    assert "取消" in doc["summary"]

    result = run_cli("diagnose", drop, "--chains-dir", str(directory), data_dir=data)
    assert result.returncode == 0, result.stderr
    assert "[dropped]" in result.stdout
    assert "Nonce 0 is still unused and no funds left your wallet" in result.stdout
    doc = cli_json(drop, directory, data, "--lang", "zh-CN")
    assert doc["verdict"] == "failed"
    assert doc["findings"][0]["details"]["latest_nonce"] == 0
    assert "没有资金离开您的钱包" in doc["summary"]


async def test_replaced_through_the_service(paused_pool: tuple[Anvil, Chain, Path], tmp_path: Path) -> None:
    """Service with a SQLite store: a pending tx replaced by one to another recipient is named, with its value."""
    node, chain, directory = paused_pool
    me = account(2)
    store = SqliteSightings.in_dir(tmp_path / "svc")
    async with build_service(Settings(pending_cache_seconds=0), load_chains(directory), sightings=store) as service:
        first = chain.send(me, OTHER, value=10**17, gas=21_000, nonce=0, max_fee=3 * GWEI)
        assert (await service.diagnose(first)).verdict == "delayed"
        other = chain.send(me, account(8).address, value=2 * 10**17, gas=21_000, nonce=0, max_fee=4 * GWEI)
        node.mine()
        d = await service.diagnose(first)
    details = d.classification.findings[0].details
    assert d.verdict == "failed"
    assert details["replacement_kind"] == "other"
    assert details["replaced_by"] == other
    assert "0.2 ETH" in d.rendered.summary


# --- a token that emits more filler events before its Transfer than the logs read for transfers ------------------


@pytest.fixture(scope="module")
def past_the_cap(chain_a: Chain, node_a: Anvil) -> dict[str, str]:
    """Two token transfers, each after MAX_LOG_SCAN filler events: one whose Transfer log follows, one without."""
    paying = filler.deploy(chain_a, SENDER, MAX_LOG_SCAN, pays=True)
    silent = filler.deploy(chain_a, SENDER, MAX_LOG_SCAN, pays=False)
    sent = {}
    for name, token in (("paid", paying), ("refused", silent)):
        tx = chain_a.send(SENDER, token, data=calldata("Stardust", "transfer", OTHER, 7 * STRD), gas=3_000_000)
        receipt = chain_a.wait(tx)
        assert receipt["status"] == "0x1"
        assert len(receipt["logs"]) == MAX_LOG_SCAN + (1 if name == "paid" else 0)
        sent[name] = tx
    node_a.mine(70)  # past anvil's finalized block
    return sent


def test_a_transfer_logged_past_the_cap_is_no_refusal_from_the_cli(
    past_the_cap: dict[str, str], chains_dir: Path, tmp_path: Path
) -> None:
    """Its Transfer is log 2001: found past the logs read for transfers, so it went through; none, and it failed."""
    paid = cli_json(past_the_cap["paid"], chains_dir, tmp_path)
    codes = {f["code"]: f for f in paid["findings"]}
    assert paid["verdict"] == "confirmed", paid["summary"]
    assert "nothing_transferred" not in codes
    assert codes["logs_capped"]["details"] == {"logs": MAX_LOG_SCAN + 1, "logs_read": MAX_LOG_SCAN}
    assert paid["complete"] is True
    assert "refused" not in paid["summary"]
    refused = cli_json(past_the_cap["refused"], chains_dir, tmp_path)
    assert refused["verdict"] == "failed", refused["summary"]
    assert "nothing_transferred" in {f["code"] for f in refused["findings"]}
    assert refused["complete"] is True
