"""Work on one answer is bounded and linear: a 20,000-log airdrop receipt is read in well under a second."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.anvil import Anvil, start_anvil, write_chain_file
from tests.support.chain import Chain, account
from tests.support.clock import Clock
from txdiag import gcpolicy
from txdiag.chains import load_chains
from txdiag.compose import build_service
from txdiag.families.evm.transfers import MAX_LOG_SCAN, MAX_PAYMENTS, payments, payments_capped
from txdiag.families.evm.wire import TRANSFER_TOPIC
from txdiag.gcpolicy import FullCollections
from txdiag.http.serve import freeze_start_up_heap
from txdiag.models import Logs, LogView, ReceiptView, TxStatus, TxView
from txdiag.rpc import Reply, codec
from txdiag.settings import Settings

SENDER = "0x" + "11" * 20
TOKEN = "0x" + "22" * 20


def airdrop(n: int) -> tuple[TxView, ReceiptView]:
    """A transaction whose receipt holds ``n`` Transfer logs from the sender to ``n`` distinct recipients."""
    sender_topic = bytes(12) + bytes.fromhex(SENDER[2:])
    logs = tuple(
        LogView(
            address=TOKEN,
            topics=(TRANSFER_TOPIC, sender_topic, bytes(12) + i.to_bytes(20, "big")),
            data=(1).to_bytes(32, "big"),
            log_index=i,
        )
        for i in range(1, n + 1)
    )
    tx = TxView(
        hash="0x" + "33" * 32,
        sender=SENDER,
        to=TOKEN,
        nonce=1,
        value=0,
        gas=30_000_000,
        type=2,
        input=b"",
        gas_price=1,
        max_fee_per_gas=1,
        max_priority_fee_per_gas=1,
        block_number=10,
        block_hash="0x" + "44" * 32,
    )
    receipt = ReceiptView(TxStatus.SUCCESS, 10, "0x" + "44" * 32, 21_000, 1, logs)
    return tx, receipt


DECODE_CASES = [
    b"[]",
    b"{}",
    b' [ 1 , {"a" : [ ] , "b":{"c":[1,2,{"d":null}]}} ] ',
    b'"x"',
    b"12",
    b"[1,]",
    b'{"a":1,}',
    b"{1:2}",
    b"[1 2]",
    b"",
    b"[1] x",
    b'{"a" 1}',
    b"[" * 600 + b"]" * 600,
    b"[[[" + b'{"a":' + b"[" * 520 + b"]" * 520 + b"}]]]",
    b"[[[" + b'{"a":' + b"[" * 500 + b"]" * 500 + b"}]]]",
    '["\u00e9"]'.encode(),
    '["\u00e9"]'.encode("utf-16"),
    '["\u00e9\u4e2d\U0001f600", "a\\u00e9"]'.encode(),
    '["\u00e9\u4e2d"]'.encode("utf-32"),
    b'["\xe4\xb8"]',
    b"[NaN]",
    b'{"a":1,"a":2}',
    b"\xff\xfe\xfd",
    b'[{"jsonrpc":"2.0","id":1,"result":{"logs":[{"topics":["0x01"]},{"data":"0x"}]}}, {"id":2,"result":null}]',
]


@pytest.mark.parametrize("raw", DECODE_CASES)
def test_a_big_body_decoded_in_pieces_answers_as_one_decode(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """Decoding piece by piece (the loop served between pieces) gives the same value, or the same refusal."""

    def outcome(decoder: Callable[[bytes], Any]) -> tuple[str, Any]:
        try:
            return "value", decoder(raw)
        except ValueError:
            return "refused", None

    monkeypatch.setattr(codec, "DECODE_ON_THE_LOOP", 0)
    monkeypatch.setattr(codec, "PIECES_AT_A_STRETCH", 2)
    monkeypatch.setattr(codec, "TEXT_AT_A_STRETCH", 3)  # a character's bytes split between pieces of text
    assert outcome(lambda b: asyncio.run(codec.decode_off_loop(b))) == outcome(codec.decode)


def test_recipients_of_a_huge_airdrop_are_capped_and_linear() -> None:
    """20,000 distinct recipients: at most MAX_PAYMENTS kept, found with one set look-up each (not n**2)."""
    tx, receipt = airdrop(20_000)
    started = time.process_time()
    paid = payments(tx, receipt)
    spent = time.process_time() - started
    assert len(paid) == MAX_PAYMENTS
    assert len({p.address.lower() for p in paid}) == MAX_PAYMENTS
    assert spent < 1.0, spent  # quadratic comparison took tens of seconds here
    assert payments_capped(tx, receipt)
    assert not payments_capped(*airdrop(MAX_PAYMENTS))


def test_receipt_logs_are_plain_tuples_read_as_log_views() -> None:
    """A receipt's logs keep no object per log for the collector to walk; reading them gives the same LogViews."""
    _, receipt = airdrop(3)
    views = [LogView(lg.address, lg.topics, lg.data, lg.log_index) for lg in receipt.logs]
    assert isinstance(receipt.logs, Logs)
    assert len(receipt.logs) == 3
    assert list(receipt.logs) == views
    assert receipt.logs[1] == views[1]
    assert receipt.logs[-1] == views[-1]
    assert list(receipt.logs[1:]) == views[1:]
    assert Logs.of(views) == receipt.logs
    assert hash(Logs.of(views)) == hash(receipt.logs)
    again = ReceiptView(TxStatus.SUCCESS, 10, "0x" + "44" * 32, 21_000, 1, tuple(views))
    assert again == receipt
    gc.collect()
    assert not any(gc.is_tracked(row) for row in receipt.logs._rows)  # the point of the representation


@pytest.fixture
def held() -> Iterator[tuple[FullCollections, Clock]]:
    clock = Clock()
    policy = FullCollections(clock, quiet_for=5.0, at_most=20.0)
    thresholds = gc.get_threshold()
    gcpolicy.FULL_COLLECTIONS.release()  # another test's big answer must not hold this one's collections
    yield policy, clock
    policy.release()
    gc.set_threshold(*thresholds)


def test_full_collections_wait_while_a_big_answer_is_read_and_run_after(held: tuple[FullCollections, Clock]) -> None:
    """No full collection from a big answer's decode until quiet_for later; the young generations as usual."""
    policy, clock = held
    gc.set_threshold(700, 10, 10)
    policy.hold()
    assert policy.holding
    assert gc.get_threshold()[:2] == (700, 10)
    assert gc.get_threshold()[2] > 10**9
    clock.now += 4.9
    gc.collect(0)  # a young collection: its callback finds the wait not over
    assert policy.holding
    clock.now += 0.2
    gc.collect(0)
    assert not policy.holding
    assert gc.get_threshold() == (700, 10, 10)


def test_full_collections_wait_at_most_so_long_however_many_big_answers_come(
    held: tuple[FullCollections, Clock],
) -> None:
    """Big answers one after another hold full collections for at_most seconds; then the owed one runs first."""
    policy, clock = held
    gc.set_threshold(700, 10, 10)
    for _ in range(9):
        policy.hold()
        clock.now += 2.5
        gc.collect(0)
    assert not policy.holding  # a big answer every 2.5 s for 22.5 s: released at 20 s
    policy.hold()
    assert not policy.holding  # not again before the full collection owed has run
    gc.collect()
    policy.hold()
    assert policy.holding
    assert gc.get_threshold()[:2] == (700, 10)


def test_full_collections_untouched_when_the_process_disabled_the_collector(
    held: tuple[FullCollections, Clock],
) -> None:
    policy, _ = held
    before = gc.get_threshold()
    gc.disable()
    try:
        policy.hold()
    finally:
        gc.enable()
    assert not policy.holding
    assert gc.get_threshold() == before


# init code that emits ``n`` Transfer(caller -> address(i), 1) logs, i = n .. 1, then stops (no contract is kept)
def airdrop_init_code(n: int) -> bytes:
    loop = 8
    return (
        bytes.fromhex("6001600052")  # mstore(0, 1): the value of every transfer
        + b"\x61"
        + n.to_bytes(2, "big")  # i = n
        + b"\x5b"  # loop:
        + b"\x80\x33\x7f"
        + TRANSFER_TOPIC  # topics: to = i, from = caller, Transfer
        + bytes.fromhex("60206000a3")  # log3(0, 32, ...)
        + bytes.fromhex("600190038060")
        + bytes([loop])
        + b"\x57"  # i -= 1; if i: goto loop
        + b"\x00"
    )


@pytest.fixture
def big_node() -> Iterator[Anvil]:
    node = start_anvil(31337, ["--gas-limit", "100000000"])
    yield node
    node.stop()


@pytest.mark.asyncio
async def test_a_diagnosis_answers_are_freed_when_it_ends_not_by_a_full_collection(
    big_node: Anvil, tmp_path: Path
) -> None:
    """No reference cycle keeps a node's answers (a 13 MB receipt, say) alive until the collector's next full run."""
    chain = Chain(big_node)
    paid = chain.send(account(2), account(3).address, value=1, gas=21_000)
    directory = tmp_path / "chains"
    write_chain_file(directory, "alpha", 31337, [big_node.url])

    def about_it(o: object) -> bool:
        value = o.value if isinstance(o, Reply) else None
        return isinstance(value, dict) and paid.lower() in (value.get("hash"), value.get("transactionHash"))

    async with build_service(Settings(deadline=12.0, result_cache_size=0), load_chains(directory)) as service:
        await service.diagnose(paid)  # warm: what is built once is built
        gc.collect()
        gc.disable()
        try:
            d = await service.diagnose(paid)
            alive = sum(1 for o in gc.get_objects() if about_it(o))
        finally:
            gc.enable()
    assert d.evidence.receipt is not None  # it was found, mined
    assert alive == 0  # the transaction and its receipt as the node sent them: freed by reference counting


@pytest.mark.asyncio
async def test_a_20000_log_receipt_answers_within_the_deadline_beside_normal_traffic(
    big_node: Anvil, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """One answer within the deadline; the longest event-loop stall meanwhile is measured and printed."""
    chain = Chain(big_node)
    big = chain.send(account(1), None, data=airdrop_init_code(20_000), gas=60_000_000)
    receipt = chain.receipt(big)
    assert receipt is not None
    assert len(receipt["logs"]) == 20_000
    normal = chain.send(account(2), account(3).address, value=1, gas=21_000)
    directory = tmp_path / "chains"
    write_chain_file(directory, "alpha", 31337, [big_node.url])
    settings = Settings(deadline=12.0, result_cache_size=0)
    freeze_start_up_heap()  # as ``txdiag serve`` does at start-up
    request.addfinalizer(gc.unfreeze)
    request.addfinalizer(gcpolicy.FULL_COLLECTIONS.release)  # the next test's collections are not held
    stalls: list[float] = []  # wall-clock gaps between the probe's wake-ups (a loaded machine also deschedules us)
    busy: list[float] = []  # the loop thread's own CPU time in each gap: work that held the loop
    pauses: list[tuple[float, int]] = []  # each collection: the collecting thread's CPU time in it, its generation
    done = asyncio.Event()
    collecting: list[float] = []

    def timed(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            collecting[:] = [time.thread_time()]
        elif collecting:
            pauses.append((time.thread_time() - collecting[0], info["generation"]))

    gc.callbacks.append(timed)
    request.addfinalizer(lambda: timed in gc.callbacks and gc.callbacks.remove(timed))

    async def watch() -> None:
        loop = asyncio.get_running_loop()
        while not done.is_set():
            before, cpu = loop.time(), time.thread_time()
            await asyncio.sleep(0.001)
            stalls.append(loop.time() - before - 0.001)
            busy.append(time.thread_time() - cpu)

    async with build_service(settings, load_chains(directory)) as service:
        await service.diagnose(normal)  # warm: the snapshot and connections exist, as on a running server

        async def traffic() -> int:
            count = 0
            while not done.is_set():
                await service.diagnose(normal)
                count += 1
            return count

        watcher = asyncio.create_task(watch())
        others = asyncio.create_task(traffic())
        started = time.monotonic()
        d = await service.diagnose(big)
        elapsed = time.monotonic() - started
        done.set()
        served = await others
        await watcher
        gc.callbacks.remove(timed)
        longest_pause, generation = max(pauses, default=(0.0, 0))
        # the full collection that waited runs once the answers are gone (the evidence, kept, holds only plain rows)
        gcpolicy.FULL_COLLECTIONS.release()
        cpu = time.thread_time()
        gc.collect()
        owed = time.thread_time() - cpu
        zh = (await service.diagnose(big, lang="zh-CN")).to_json()
    print(
        f"\n20,000-log receipt: answered in {elapsed:.2f} s ({d.verdict}, complete={d.to_json()['complete']}); "
        f"longest event-loop stall {1000 * max(stalls):.0f} ms ({1000 * max(busy):.0f} ms of it the loop's own CPU); "
        f"longest collection {1000 * longest_pause:.1f} ms (generation {generation}, "
        f"{sum(g == 2 for _, g in pauses)} full of {len(pauses)}); the full collection after it {1000 * owed:.1f} ms; "
        f"{served} normal diagnoses meanwhile"
    )
    assert elapsed < settings.deadline
    # the loop's own CPU time between wake-ups, so a busy shared machine descheduling the process does not count.
    # The goal is ~20 ms: 30 runs on a shared 2-core machine (load average 3.5-6) gave 11-29 ms, median 16.5; one
    # JSON decode of the whole body held the loop ~350 ms, a full collection walking the decoded answers 20-56 ms
    assert max(busy) < 0.045, (max(busy), max(stalls), pauses)
    assert owed < 0.045, owed
    assert d.evidence.receipt is not None
    assert len(d.evidence.receipt.logs) == 20_000
    # the caps are said, in words, in each language
    en = d.to_json()
    said = {f["code"]: f for f in en["findings"]}
    assert said["logs_capped"]["details"] == {"logs": 20_000, "logs_read": MAX_LOG_SCAN}
    assert said["recipients_capped"]["details"] == {"recipients_read": MAX_PAYMENTS}
    assert f"first {MAX_LOG_SCAN} of its 20000 logs were read" in said["logs_capped"]["message"]
    assert f"only the first {MAX_PAYMENTS} were checked" in said["recipients_capped"]["message"]
    said_zh = {f["code"]: f["message"] for f in zh["findings"]}
    assert f"20000 条日志中的前 {MAX_LOG_SCAN} 条" in said_zh["logs_capped"]
    assert f"只检查了前 {MAX_PAYMENTS} 个" in said_zh["recipients_capped"]
