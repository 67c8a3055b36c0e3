"""Diagnoses stay right, or honestly "could not check", when endpoints fail, lag or disagree.

Every scenario is a real transaction on a real node, reached through fault proxies,
and diagnosed through Service.diagnose(), the CLI or the HTTP app.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from eth_account import Account
from prometheus_client import CollectorRegistry

from tests.support.anvil import Anvil, free_port, write_chain_file
from tests.support.chain import Chain, account, calldata
from tests.support.proxy import Fault, FaultProxy, Schedule, on_calls
from tests.support.timing import attempt_ends
from tests.support.transports import both_transports, pytest_generate_tests  # noqa: F401
from txdiag.chains import load_chains, redact
from txdiag.compose import build_service
from txdiag.errors import ChainUnavailable
from txdiag.http import create_app
from txdiag.metrics import Metrics
from txdiag.report import Diagnosis
from txdiag.rpc import RetryPolicy
from txdiag.settings import Settings

TXDIAG = str(Path(sys.executable).parent / "txdiag")
SETTINGS = Settings(deadline=5.0, attempt_timeout=1.0, result_cache_size=0)


@dataclass(frozen=True)
class Truth:
    """What a fault-free diagnosis says about a transaction."""

    hash: str
    verdict: str
    block: int


@pytest.fixture(scope="module")
def clean_dir(tmp_path_factory: pytest.TempPathFactory, node_a: Anvil) -> Path:
    directory = tmp_path_factory.mktemp("clean")
    write_chain_file(directory, "alpha", 31337, [node_a.url])
    return directory


def chain_dir(tmp_path: Path, *urls: str, extra: str = "") -> Path:
    directory = tmp_path / "chains"
    write_chain_file(directory, "alpha", 31337, list(urls), extra=extra)
    return directory


def send_payment(chain: Chain, value: int) -> str:
    return chain.send(account(6), account(7).address, value=value, gas=21_000)


async def truth(tx_hash: str, clean_dir: Path) -> Truth:
    """The verdict and block straight from the node, no proxy in between."""
    async with build_service(SETTINGS, load_chains(clean_dir)) as service:
        d = await service.diagnose(tx_hash)
    block = d.evidence.block_number
    assert block is not None
    return Truth(tx_hash, d.verdict, block)


@pytest.fixture
def mined(chain_a: Chain, node_a: Anvil) -> str:
    """A payment mined 8 blocks ago (below the view of a node held 5 behind)."""
    tx = send_payment(chain_a, 12345)
    node_a.mine(8)
    return tx


async def diagnose(directory: Path, tx_hash: str, **kwargs: Any) -> Diagnosis:
    async with build_service(SETTINGS, load_chains(directory), **kwargs) as service:
        return await service.diagnose(tx_hash)


def cli(*args: str, deadline: float = 5.0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TXDIAG_DEADLINE": str(deadline), "TXDIAG_RPC_TIMEOUT": "1", "TXDIAG_SIGHTINGS": "memory"}
    env.pop("TXDIAG_LANG", None)
    return subprocess.run([TXDIAG, *args], capture_output=True, text=True, timeout=60, env=env, check=False)


def confirmations(d: Diagnosis) -> Any:
    return d.to_json()["tx"]["confirmations"]


@pytest.mark.asyncio
async def test_first_endpoint_down_answer_from_second(
    mined: str, clean_dir: Path, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """A closed port as the first endpoint: the diagnosis comes from the second, and matches the node."""
    expected = await truth(mined, clean_dir)
    directory = chain_dir(tmp_path, f"http://127.0.0.1:{free_port()}", proxies[1].url)
    d = await diagnose(directory, mined)
    assert d.verdict == expected.verdict
    assert d.evidence.block_number == expected.block


def test_first_endpoint_503_cli(mined: str, clean_dir: Path, proxies: list[FaultProxy], tmp_path: Path) -> None:
    """CLI: the first endpoint answers 503 to everything; exit 0 and the node's verdict, via the second."""
    expected = asyncio.run(truth(mined, clean_dir))
    a, b = proxies
    a.set(Fault(status=503))
    result = cli("diagnose", mined, "--chains-dir", str(chain_dir(tmp_path, a.url, b.url)), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["verdict"] == expected.verdict
    assert doc["tx"]["block"] == expected.block
    assert a.requests >= 1
    assert b.methods["eth_getTransactionByHash"] >= 1


def test_all_endpoints_down_cli_exits_3_within_the_deadline(
    mined: str, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """CLI: one endpoint refuses connections, the other hangs: exit 3, one line naming the chain and endpoints."""
    dead = f"http://127.0.0.1:{free_port()}/v3/0123456789abcdef0123456789abcdef"
    hang = proxies[0]
    hang.set(Fault(hang=True))
    result = cli("diagnose", mined, "--chains-dir", str(chain_dir(tmp_path, dead, hang.url)), deadline=2.0)
    exited = time.monotonic()  # the same clock as the proxy's arrivals (CLOCK_MONOTONIC is system-wide)
    assert result.returncode == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "alpha" in lines[0]
    assert redact(dead) in lines[0]  # shown redacted: the key in the path never appears
    assert "0123456789abcdef" not in lines[0]
    assert redact(hang.url) in lines[0]
    assert "Traceback" not in result.stderr
    # timed from the diagnosis's first request, so start-up (however busy the machine) is not in it: the process
    # gave up at its 2 s deadline, while the endpoint was still hanging (it never answers before the proxy stops)
    assert hang.requests >= 1
    assert exited - hang.arrivals[0] < 2.0 + 2.0


@pytest.mark.asyncio
async def test_all_endpoints_down_http_503(mined: str, proxies: list[FaultProxy], tmp_path: Path) -> None:
    """HTTP: every endpoint fails with 502/503: problem+json 503 with Retry-After, within the deadline."""
    a, b = proxies
    a.set(Fault(status=502))
    b.set(Fault(status=503))
    settings = Settings(deadline=2.0, attempt_timeout=1.0, result_cache_size=0)
    metrics = Metrics(CollectorRegistry())
    # the client stops asking half a second before the deadline, not 0.1 s: on a machine busy enough to wake the
    # loop that late, the deadline itself (504) would otherwise fall before the endpoints' last failure is said
    policy = RetryPolicy(attempt_timeout=1.0, deadline_margin=0.5)
    service = build_service(settings, load_chains(chain_dir(tmp_path, a.url, b.url)), metrics=metrics, policy=policy)
    ends = attempt_ends(service.contexts["alpha"].client)
    async with TestClient(TestServer(create_app(service, settings, metrics))) as client:
        started = time.monotonic()
        resp = await client.get(f"/v1/tx/{mined}")
        body = await resp.json(content_type=None)
    assert resp.status == 503  # not 504: the endpoints' failures ended it, before the deadline did
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert "Retry-After" in resp.headers
    assert "alpha" in body["detail"]
    # within the deadline, whatever the machine's load: no attempt was given time past it
    assert len(ends) >= 2
    assert all(end <= started + settings.deadline for end in ends), (started, ends)


def test_lagging_endpoint_gives_confirmations_from_the_best_head(
    mined: str, node_a: Anvil, clean_dir: Path, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """CLI: the first endpoint is 5 blocks behind; confirmations still count from the real head."""
    expected = asyncio.run(truth(mined, clean_dir))
    a, b = proxies
    a.set(Fault(lag=5))
    result = cli("diagnose", mined, "--chains-dir", str(chain_dir(tmp_path, a.url, b.url)), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert a.methods["eth_getTransactionByHash"] == 1  # the lagging node did answer round 1
    assert doc["tx"]["block"] == expected.block
    assert doc["tx"]["confirmations"] == node_a.head() - expected.block + 1


@pytest.mark.asyncio
async def test_transaction_newer_than_a_lagging_node_is_found_elsewhere(
    chain_a: Chain, node_a: Anvil, clean_dir: Path, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """A payment in the newest block: the node 5 behind says null, the other has it; verdict and count right."""
    tx = send_payment(chain_a, 777)
    expected = await truth(tx, clean_dir)
    a, b = proxies
    a.set(Fault(lag=5))
    registry = CollectorRegistry()
    d = await diagnose(chain_dir(tmp_path, a.url, b.url), tx, metrics=Metrics(registry))
    assert d.verdict == expected.verdict
    assert confirmations(d) == node_a.head() - expected.block + 1
    assert d.evidence.asked[0].endpoints == (redact(a.url), redact(b.url))
    lag = registry.get_sample_value("txdiag_endpoint_head_lag_blocks", {"chain": "alpha", "endpoint": redact(a.url)})
    assert lag == 5


@pytest.mark.asyncio
async def test_one_endpoint_says_null_another_has_it(
    mined: str, clean_dir: Path, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """The first endpoint answers null for every transaction; the second's answer is the diagnosis."""
    expected = await truth(mined, clean_dir)
    a, b = proxies
    a.set(Fault(null_txs=True))
    d = await diagnose(chain_dir(tmp_path, a.url, b.url), mined)
    assert d.verdict == expected.verdict
    assert d.evidence.block_number == expected.block
    assert a.methods["eth_getTransactionByHash"] == 1
    assert b.methods["eth_getTransactionByHash"] == 1


@pytest.mark.asyncio
async def test_not_found_is_confirmed_by_a_second_endpoint(proxies: list[FaultProxy], tmp_path: Path) -> None:
    """An unknown hash is not_found only after both endpoints said so; the finding says two agreed."""
    unknown = "0x" + "ab" * 32
    a, b = proxies
    d = await diagnose(chain_dir(tmp_path, a.url, b.url), unknown)
    assert d.verdict == "not_found"
    (finding,) = [f for f in d.to_json()["findings"] if f["code"] == "not_found"]
    assert finding["details"]["endpoints_agreed"] == 2
    assert finding["details"]["asked"][0]["endpoints"] == [redact(a.url), redact(b.url)]
    assert a.methods["eth_getTransactionByHash"] + b.methods["eth_getTransactionByHash"] == 2


@pytest.mark.asyncio
async def test_not_found_with_the_other_endpoint_down_says_only_one_agreed(
    proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """When the confirming endpoint is down, not_found still comes back, saying one endpoint was asked."""
    unknown = "0x" + "cd" * 32
    a, b = proxies
    b.set(Fault(status=503))
    d = await diagnose(chain_dir(tmp_path, a.url, b.url), unknown)
    assert d.verdict == "not_found"
    (finding,) = [f for f in d.to_json()["findings"] if f["code"] == "not_found"]
    assert finding["details"]["endpoints_agreed"] == 1


@pytest.mark.asyncio
async def test_flapping_endpoint_circuit_opens_and_recovers(
    mined: str, clean_dir: Path, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """An endpoint failing for a while is taken out (endpoint_up 0) and put back (1); every verdict stays right."""
    expected = await truth(mined, clean_dir)
    a, b = proxies
    registry = CollectorRegistry()
    policy = RetryPolicy(failure_threshold=3, cooldown=0.4, recheck_after=0.05)
    up = {"chain": "alpha", "endpoint": redact(a.url)}
    verdicts: list[str] = []
    async with build_service(
        SETTINGS, load_chains(chain_dir(tmp_path, a.url, b.url)), metrics=Metrics(registry), policy=policy
    ) as service:

        async def until(value: float) -> bool:
            for _ in range(60):
                verdicts.append((await service.diagnose(mined)).verdict)
                if registry.get_sample_value("txdiag_endpoint_up", up) == value:
                    return True
                await asyncio.sleep(0.05)
            return False

        assert await until(1)
        a.set(Fault(status=503))
        assert await until(0)
        a.set()
        assert await until(1)
    assert set(verdicts) == {expected.verdict}


@pytest.mark.asyncio
async def test_retry_after_is_honoured_by_a_diagnosis(
    mined: str, clean_dir: Path, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """The only endpoint answers 429 Retry-After: 1 once: the diagnosis waits about a second, then is right."""
    expected = await truth(mined, clean_dir)
    a = proxies[0]
    a.then(Fault(status=429, retry_after="1"))
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        await asyncio.sleep(seconds)

    async with build_service(SETTINGS, load_chains(chain_dir(tmp_path, a.url))) as service:
        service.contexts["alpha"].client.sleep = sleep
        d = await service.diagnose(mined)
    assert d.verdict == expected.verdict
    assert a.arrivals[1] - a.arrivals[0] >= 0.95
    assert len(pauses) == 1  # one wait, for the Retry-After, and no other anywhere in the diagnosis
    assert 0 < pauses[0] <= 1.0  # the rest of the Retry-After, counted from the 429 (the gap above says it was kept)


@pytest.mark.asyncio
async def test_deterministic_error_is_not_retried(mined: str, proxies: list[FaultProxy], tmp_path: Path) -> None:
    """An invalid-params answer to the lookup is one request, then an honest "could not answer", no retries."""
    a = proxies[0]
    a.set(Fault(item_errors={"eth_getTransactionByHash": (-32602, "invalid params")}))
    with pytest.raises(ChainUnavailable, match="alpha"):
        await diagnose(chain_dir(tmp_path, a.url), mined)
    assert a.requests == 1


@pytest.mark.asyncio
async def test_partial_chain_data_is_marked_unchecked(
    mined: str, clean_dir: Path, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """Fee history failing: the diagnosis still comes back, right, and names fee_history as not checked."""
    expected = await truth(mined, clean_dir)
    a = proxies[0]
    a.set(Fault(item_errors={"eth_feeHistory": (-32603, "internal error")}))
    d = await diagnose(chain_dir(tmp_path, a.url), mined)
    assert d.verdict == expected.verdict
    assert "fee_history" in d.evidence.unchecked
    (finding,) = [f for f in d.to_json()["findings"] if f["code"] == "unchecked"]
    assert "fee_history" in finding["details"]["parts"]
    assert d.to_json()["network"]["next_base_fee_per_gas"] is None


@pytest.mark.asyncio
async def test_a_deciding_check_left_undone_is_never_a_silent_all_clear(
    mined: str, proxies: list[FaultProxy], node_a: Anvil, tmp_path: Path
) -> None:
    """eth_getCode failing: no bare "confirmed"; complete is false, the summary says what was unchecked, not cached."""
    node_a.mine(70)  # final by any rule (anvil's finalized tag trails by 64 blocks)
    a = proxies[0]
    a.set(Fault(item_errors={"eth_getCode": (-32603, "internal error")}))
    async with build_service(Settings(deadline=5.0, attempt_timeout=1.0), load_chains(chain_dir(tmp_path, a.url))) as s:
        d = await s.diagnose(mined)
        zh = await s.diagnose(mined, lang="zh-CN")
        assert len(s.results) == 0  # nothing incomplete is cached: the second one asked the node again
    doc = d.to_json()
    assert doc["verdict"] == "confirmed"
    assert doc["complete"] is False
    assert doc["incomplete_parts"] == ["recipient_code"]
    assert doc["summary"].startswith("It is in a block, but whether the recipient is a contract could not be checked")
    assert "收款地址是否为合约" in zh.to_json()["summary"]
    (finding,) = [f for f in doc["findings"] if f["code"] == "unchecked"]
    assert finding["severity"] == "warning"
    assert a.methods["eth_getTransactionByHash"] == 2


@pytest.mark.asyncio
async def test_a_complete_diagnosis_says_so(mined: str, clean_dir: Path) -> None:
    """Fault-free: complete is true and nothing is listed as incomplete."""
    d = await diagnose(clean_dir, mined)
    assert d.to_json()["complete"] is True
    assert d.to_json()["incomplete_parts"] == []


def test_chains_json_never_shows_a_path_key(tmp_path: Path) -> None:
    """`txdiag chains --json`: an endpoint with a letters-only key in its path is shown as scheme://host:port/…."""
    port = free_port()
    url = f"http://user:secret@127.0.0.1:{port}/pass/hunterpassword?k=v"
    result = cli("chains", "--json", "--chains-dir", str(chain_dir(tmp_path, url)), deadline=2.0)
    for secret in ("hunterpassword", "pass", "secret", "user", "k=v"):
        assert secret not in result.stdout + result.stderr
    (chain,) = json.loads(result.stdout)
    assert [e["name"] for e in chain["endpoints"]] == [f"http://127.0.0.1:{port}/…"]


# --- a dead endpoint beside a failing one; item errors a node makes ----------------------------


def first_of(*schedules: Schedule) -> Schedule:
    """The first fault any of ``schedules`` picks for a request."""
    return lambda q: next((f for f in (s(q) for s in schedules) if f is not None), None)


@pytest.mark.asyncio
async def test_a_dead_endpoint_beside_a_failing_one_leaves_no_deciding_check_undone(
    chain_a: Chain, node_a: Anvil, clean_dir: Path, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """Nothing listens at the first endpoint; at the second, round 1 fails 3 times and the recipients' batch 5:
    the answer is complete, every retry went to the live endpoint, and the dead one was asked once.

    Attempts at the dead endpoint used to alternate with those at the live one, and the backoff grew with
    every attempt anywhere (to 2 s): round 1 then took 1.6-3.2 s of a 6 s deadline and the recipients' batch
    more than the rest, so the recipient's code went unchecked.
    """
    tx = send_payment(chain_a, 31337)
    node_a.mine(70)
    expected = await truth(tx, clean_dir)
    dead, flaky = f"http://127.0.0.1:{free_port()}", proxies[0]
    bad = Fault(status=502)
    flaky.schedule = first_of(on_calls("eth_getTransactionByHash", [bad] * 3), on_calls("eth_getCode", [bad] * 5))
    settings = Settings(deadline=6.0, attempt_timeout=1.0, result_cache_size=0)
    async with build_service(settings, load_chains(chain_dir(tmp_path, dead, flaky.url))) as service:
        d = await service.diagnose(tx)
        health = service.contexts["alpha"].client.health
        dead_attempts = len(health[redact(dead)].window)
    doc = d.to_json()
    assert doc["verdict"] == expected.verdict == "confirmed"
    assert doc["complete"] is True, doc["incomplete_parts"]
    assert flaky.injected["status"] == 8  # every scheduled failure was met
    assert flaky.methods["eth_getCode"] == 6  # the recipients' batch: 5 failures, then the answer
    assert dead_attempts == 1  # refused once; never asked again while the live endpoint was there


ETH = 10**18
ENDPOINT_FAULTS = {
    "internal": (-32603, "internal error"),
    "header": (-32000, "header not found"),
    "trie": (-32000, "missing trie node 4f2a9c (path 0x0a)"),
}
ROUND_TWO = ("eth_getCode", "eth_call", "eth_getLogs", "eth_getBalance", "eth_getTransactionCount")


@pytest.fixture(scope="module")
def token_to_itself(chain_a: Chain, node_a: Anvil) -> str:
    """Tokens sent to the token's own contract, final: misdirected, from the calldata, the code and the token."""
    owner = Account.create()
    chain_a.send(account(8), owner.address, value=ETH, gas=21_000)
    token = chain_a.deploy("Stardust", owner)
    chain_a.send(owner, token, data=calldata("Stardust", "mint", owner.address, 1000 * ETH), gas=200_000)
    tx = chain_a.send(owner, token, data=calldata("Stardust", "transfer", token, 5 * ETH), gas=200_000)
    node_a.mine(70)
    return tx


@pytest.fixture(scope="module")
def final_payment(chain_a: Chain, node_a: Anvil) -> str:
    tx = send_payment(chain_a, 4242)
    node_a.mine(70)
    return tx


def faulting(error: tuple[int, str]) -> Fault:
    """A node that cannot answer round 2's questions (code, calls, logs, balances, nonces) with ``error``."""
    return Fault(item_errors=dict.fromkeys(ROUND_TWO, error))


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["payment", "token_to_itself"])
@pytest.mark.parametrize("error", sorted(ENDPOINT_FAULTS))
async def test_item_errors_of_one_endpoint_beside_an_honest_one_give_the_honest_answer(
    *, kind: str, error: str, request: pytest.FixtureRequest, clean_dir: Path, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """The first endpoint answers round 2's calls with an error of its own; the second is asked: complete and right."""
    tx = request.getfixturevalue("final_payment" if kind == "payment" else kind)
    async with build_service(SETTINGS, load_chains(clean_dir)) as clean:
        expected = (await clean.diagnose(tx)).to_json()
    a, b = proxies
    a.set(faulting(ENDPOINT_FAULTS[error]))
    d = await diagnose(chain_dir(tmp_path, a.url, b.url), tx)
    doc = d.to_json()
    assert doc["verdict"] == expected["verdict"] == ("confirmed" if kind == "payment" else "misdirected")
    assert sorted(f["code"] for f in doc["findings"]) == sorted(f["code"] for f in expected["findings"])
    assert doc["complete"] is True, doc["incomplete_parts"]
    assert a.injected["item_error"] >= 1
    assert b.methods["eth_getCode"] >= 1  # the calls the first could not answer were asked of the second


@pytest.mark.asyncio
@pytest.mark.parametrize(("kind", "part"), [("payment", "recipient_code"), ("token_to_itself", "token")])
@pytest.mark.parametrize("error", sorted(ENDPOINT_FAULTS))
async def test_item_errors_of_the_only_endpoint_are_an_incomplete_answer_over_http(
    *, kind: str, part: str, error: str, request: pytest.FixtureRequest, proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """Alone, the endpoint's own errors leave the checks undone: HTTP 200, complete false naming them, not cached."""
    tx = request.getfixturevalue("final_payment" if kind == "payment" else kind)
    a = proxies[0]
    a.set(faulting(ENDPOINT_FAULTS[error]))
    settings = Settings(deadline=5.0, attempt_timeout=1.0)
    metrics = Metrics(CollectorRegistry())
    service = build_service(settings, load_chains(chain_dir(tmp_path, a.url)), metrics=metrics)
    async with TestClient(TestServer(create_app(service, settings, metrics))) as client:
        resp = await client.get(f"/v1/tx/{tx}")
        doc = await resp.json()
        again = await client.get(f"/v1/tx/{tx}")
        assert again.status == 200
    assert resp.status == 200
    assert doc["complete"] is False
    assert part in doc["incomplete_parts"]
    assert doc["verdict"] != "confirmed" or any(f["code"] == "unchecked" for f in doc["findings"])
    assert a.methods["eth_getTransactionByHash"] == 2  # nothing incomplete was cached: the second asked again
    assert a.methods["eth_getCode"] == 2  # each asked once: an error of the only endpoint is not retried there
