"""Bitcoin-family faults through the fault proxy in front of a real litecoind, and the round trips a diagnosis costs.

The proxy answers with injected HTTP statuses, hangs, resets, malformed bodies
or item errors; the real node answers the rest. Diagnoses go through
Service.diagnose(), with a fresh service (and so cold caches) per test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from tests.support.anvil import free_port
from tests.support.litecoind import RPC_PASSWORD, Litecoind, write_bitcoin_chain_file
from tests.support.proxy import Fault, FaultProxy
from tests.support.transports import both_transports, pytest_generate_tests  # noqa: F401
from txdiag.chains import load_chains
from txdiag.compose import build_service
from txdiag.errors import ChainUnavailable
from txdiag.metrics import Metrics
from txdiag.service import Service
from txdiag.settings import Settings
from txdiag.sightings import MemorySightings

SETTINGS = Settings(deadline=5.0, attempt_timeout=1.0, result_cache_size=0)


@pytest.fixture
def pending(ltc_node: Litecoind) -> Iterator[str]:
    """A payment waiting in the mempool; mined when the test ends."""
    ltc_node.clear_mempool()
    txid = str(ltc_node.wallet("sendtoaddress", ltc_node.new_address(), "0.05"))
    yield txid
    ltc_node.clear_mempool()


@pytest.fixture
def pair(ltc_node: Litecoind) -> Iterator[tuple[FaultProxy, FaultProxy]]:
    a, b = FaultProxy(ltc_node.url).start(), FaultProxy(ltc_node.url).start()
    yield a, b
    a.stop()
    b.stop()


def service(tmp_path: Path, *urls: str, network: str = "regtest", metrics: Metrics | None = None) -> Service:
    directory = tmp_path / "chains"
    directory.mkdir(exist_ok=True)
    path = write_bitcoin_chain_file(directory, "ltc", urls[0])
    text = path.read_text(encoding="utf-8")
    text = text.replace(f'rpc = ["{urls[0]}"]', "rpc = [" + ", ".join(f'"{u}"' for u in urls) + "]")
    path.write_text(text.replace('network = "regtest"', f'network = "{network}"'), encoding="utf-8")
    return build_service(SETTINGS, load_chains(directory, env={}), metrics, sightings=MemorySightings())


@pytest.mark.parametrize(
    "fault",
    [Fault(status=503), Fault(status=429, retry_after="0"), Fault(reset=True), Fault(malformed=True), Fault(hang=True)],
    ids=["503", "429", "reset", "malformed", "hang"],
)
async def test_first_endpoint_faulty_answer_from_second(
    pending: str, pair: tuple[FaultProxy, FaultProxy], tmp_path: Path, fault: Fault
) -> None:
    """Whatever the first endpoint does, the diagnosis comes from the second and is the node's truth."""
    a, b = pair
    a.set(fault)
    async with service(tmp_path, a.url, b.url) as s:
        d = await s.diagnose(pending)
    assert d.verdict == "delayed"
    assert d.to_json()["tx"]["txid"] == pending
    assert b.requests >= 1


async def test_every_endpoint_down_is_chain_unavailable(
    pending: str, pair: tuple[FaultProxy, FaultProxy], tmp_path: Path
) -> None:
    """No endpoint can answer (one refuses us, nothing listens at the other): ChainUnavailable (exit 3, HTTP 503)
    naming both, at once rather than at the deadline."""
    a, _ = pair
    a.set(Fault(status=403))
    closed = f"http://127.0.0.1:{free_port()}"
    async with service(tmp_path, a.url, closed) as s:
        with pytest.raises(ChainUnavailable) as err:
            await s.diagnose(pending, chain="ltc")
    assert a.url.removeprefix("http://") in str(err.value)
    assert closed.removeprefix("http://") in str(err.value)


async def test_wrong_network_endpoint_is_never_used(ltc_node: Litecoind, pending: str, tmp_path: Path) -> None:
    """A chain file that says main, pointing at a regtest node: the node's answers never become evidence."""
    async with service(tmp_path, ltc_node.url, network="main") as s:
        with pytest.raises(ChainUnavailable) as err:
            await s.diagnose(pending, chain="ltc")
    assert RPC_PASSWORD not in str(err.value)
    assert "txdiag:" not in str(err.value)  # the RPC user is not shown either


async def test_wrong_password_is_an_endpoint_fault_and_never_shown(
    ltc_node: Litecoind, pending: str, tmp_path: Path
) -> None:
    """HTTP 401 from the node: the endpoint cannot serve; the credentials appear in no message."""
    bad = ltc_node.url.replace(RPC_PASSWORD, "not-the-password")
    async with service(tmp_path, bad) as s:
        with pytest.raises(ChainUnavailable) as err:
            await s.diagnose(pending, chain="ltc")
    assert "not-the-password" not in str(err.value)
    assert "txdiag:" not in str(err.value)
    # which of the two concurrent requests is refused first decides the detail (http_401, or no endpoint left)


async def test_mempool_item_error_still_answers_and_says_what_is_missing(
    pending: str, pair: tuple[FaultProxy, FaultProxy], tmp_path: Path
) -> None:
    """getrawmempool fails: the payment is still diagnosed, and the answer says blocks could not be projected."""
    a, _ = pair
    a.set(Fault(item_errors={"getrawmempool": (-32603, "out of memory")}))
    async with service(tmp_path, a.url) as s:
        d = await s.diagnose(pending)
    doc = d.to_json()
    assert doc["verdict"] == "delayed"
    assert "projected_blocks" in doc["network"]["unavailable"]
    assert "unchecked" in [f["code"] for f in doc["findings"]]
    assert doc["complete"] is False  # the fix cannot be computed without the blocks: never cached, asked again
    assert doc["incomplete_parts"] == ["projected_blocks"]


async def test_cold_diagnosis_is_one_round_of_two_requests(
    pending: str, pair: tuple[FaultProxy, FaultProxy], tmp_path: Path
) -> None:
    """A cold pending diagnosis: one round trip (two concurrent requests); a warm one: one request."""
    a, _ = pair
    registry = CollectorRegistry()
    async with service(tmp_path, a.url, metrics=Metrics(registry)) as s:
        assert s.bitcoin is not None
        s.bitcoin.clock = lambda: 0.0  # the chain state never ages here: the second diagnosis finds it fresh
        await s.diagnose(pending)
        assert a.requests == 2
        assert s.contexts["ltc"].client.http_requests == 2
        a.reset_counts()
        await s.diagnose(pending)
        assert a.requests == 1
    assert registry.get_sample_value("txdiag_chain_info", {"chain": "ltc", "family": "bitcoin"}) == 1
    ok = registry.get_sample_value(
        "txdiag_rpc_requests_total",
        {"chain": "ltc", "endpoint": a.url, "method": "getrawtransaction", "outcome": "ok"},
    )
    assert ok == 2
    assert registry.get_sample_value("txdiag_diagnoses_total", {"chain": "ltc", "verdict": "delayed"}) == 2


async def test_status_probes_bitcoin_endpoints_with_their_head_method(
    ltc_node: Litecoind, pair: tuple[FaultProxy, FaultProxy], tmp_path: Path
) -> None:
    """/readyz and `txdiag chains` see a Bitcoin-family endpoint's head (getblockcount), and a down one as down."""
    a, b = pair
    b.set(Fault(status=503))
    async with service(tmp_path, a.url, b.url) as s:
        (st,) = await s.status()
    assert (st.name, st.family, st.network, st.chain_id, st.ready) == ("ltc", "bitcoin", "regtest", None, True)
    up, down = st.endpoints
    assert up.head == ltc_node.rpc("getblockcount")
    assert not down.up
    assert a.methods["getblockcount"] == 1


@pytest.mark.parametrize(
    ("fault", "named"),
    [
        (Fault(item_errors={"gettxout": (-32603, "internal error")}), True),  # the node could not say
        (Fault(status=403), True),  # the look-back's request refused: no endpoint left to ask
        (None, False),  # the control: the inputs were read, and the replacement is the answer
    ],
    ids=["gettxout_error", "refused", "answered"],
)
async def test_a_vanished_payment_whose_coins_could_not_be_checked_says_so(
    fault: Fault | None, named: bool, ltc_node: Litecoind, pair: tuple[FaultProxy, FaultProxy], tmp_path: Path
) -> None:
    """Seen pending, then replaced in the mempool: when its inputs cannot be read, "inputs" is named, incomplete."""
    ltc_node.clear_mempool()
    txid = str(ltc_node.wallet("sendtoaddress", ltc_node.new_address(), "0.05", "", "", False, True))
    a, _ = pair
    try:
        async with service(tmp_path, a.url) as s:
            assert (await s.diagnose(txid)).verdict == "delayed"  # seen pending: a sighting is kept
            ltc_node.wallet("bumpfee", txid)  # its replacement waits in the mempool; it is gone
            a.set(Fault())
            if fault is not None:
                a.schedule = lambda q: fault if "gettxout" in q.methods else None
            d = await s.diagnose(txid)
    finally:
        ltc_node.clear_mempool()
    doc = d.to_json()
    assert a.methods["gettxout"] >= 1
    if not named:
        assert doc["verdict"] == "failed"
        assert [f["code"] for f in doc["findings"]] == ["replaced"]
        assert doc["complete"] is True
        return
    assert doc["verdict"] == "not_found"  # nowhere now; whether dropped or replaced is not guessed
    assert doc["complete"] is False
    assert doc["incomplete_parts"] == ["inputs"]
    (finding,) = [f for f in doc["findings"] if f["code"] == "unchecked"]
    assert finding["details"]["parts"] == ["inputs"]
    assert finding["message"] == "Not checked: the coins it spent."
    assert "(the coins it spent)" in doc["summary"]


async def test_a_replacement_fee_step_the_node_did_not_give_is_named(
    pending: str, pair: tuple[FaultProxy, FaultProxy], tmp_path: Path
) -> None:
    """Litecoin 0.21 says incrementalrelayfee only in getnetworkinfo: when that fails, the default is not silent."""
    a, _ = pair
    a.set(Fault(item_errors={"getnetworkinfo": (-32603, "internal error")}))
    async with service(tmp_path, a.url) as s:
        d = await s.diagnose(pending)
    doc = d.to_json()
    assert a.injected["item_error"] >= 1
    assert doc["verdict"] == "delayed"
    assert "incremental_fee" in doc["network"]["unavailable"]
    assert doc["complete"] is False
    assert doc["incomplete_parts"] == ["incremental_fee"]
    (finding,) = [f for f in doc["findings"] if f["code"] == "unchecked"]
    assert "the node's minimum fee step for a replacement" in finding["message"]


async def test_with_the_fee_step_said_nothing_is_named(
    pending: str, pair: tuple[FaultProxy, FaultProxy], tmp_path: Path
) -> None:
    """The control: getnetworkinfo answers, so the replacement fee rests on the node's own step: complete."""
    a, _ = pair
    async with service(tmp_path, a.url) as s:
        d = await s.diagnose(pending)
    doc = d.to_json()
    assert "incremental_fee" not in doc["network"]["unavailable"]
    assert doc["complete"] is True, doc["incomplete_parts"]
