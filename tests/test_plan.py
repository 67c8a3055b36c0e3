"""Plans of calls whose handles decode their own replies."""

from __future__ import annotations

import pytest

from txdiag.chains import ChainSpec
from txdiag.families.evm.probes.lookup import ask_lookup
from txdiag.families.evm.probes.plan import Plan, answer, as_reply, data_or_none, quantity_or_none, raw
from txdiag.families.evm.snapshot import ask_snapshot, parse_snapshot
from txdiag.families.evm.wire import quantity
from txdiag.rpc import Call, Reply, RpcItemError

TX_HASH = "0x" + "aa" * 32


def test_each_handle_reads_its_own_reply() -> None:
    """Handles from one plan each get the reply to their own call, decoded by their own decoder."""
    plan = Plan()
    nonce = plan.add(Call("eth_getTransactionCount", ("0x" + "11" * 20, "latest")), decode=quantity_or_none)
    code = plan.add(Call("eth_getCode", ("0x" + "11" * 20, "latest")), decode=data_or_none)
    logs = plan.add(Call("eth_getLogs", ({},)), decode=raw)
    assert [c.method for c in plan.calls] == ["eth_getTransactionCount", "eth_getCode", "eth_getLogs"]
    plan.settle([Reply("0x7"), Reply("0x6001"), Reply([{"a": 1}])])
    assert nonce.value == 7
    assert code.value == b"\x60\x01"
    assert logs.value == [{"a": 1}]
    assert nonce.error is None


def test_failed_and_malformed_items_decode_to_none() -> None:
    """A node error or an answer of the wrong shape is None for that handle alone; the error stays readable."""
    plan = Plan()
    failed = plan.add(Call("eth_call"), decode=data_or_none)
    malformed = plan.add(Call("eth_getBalance"), decode=quantity_or_none)
    kept = plan.add(Call("eth_call"), decode=as_reply)
    err = RpcItemError(3, "execution reverted", "0x")
    plan.settle([Reply(error=err), Reply("not hex"), Reply(error=err)])
    assert failed.value is None
    assert failed.error is err
    assert not failed.ok
    assert malformed.value is None
    assert kept.value.error is err


def test_reading_before_the_plan_is_sent_is_an_error() -> None:
    """A handle read before its plan was answered raises instead of returning a guess."""
    plan = Plan()
    h = plan.add(Call("eth_blockNumber"), decode=quantity_or_none)
    with pytest.raises(RuntimeError):
        _ = h.value


def test_a_reply_count_that_does_not_match_is_refused() -> None:
    """Replies are never paired with calls when their numbers differ."""
    plan = Plan()
    plan.add(Call("eth_blockNumber"), decode=quantity_or_none)
    with pytest.raises(ValueError, match="1 calls"):
        plan.settle([Reply("0x1"), Reply("0x2")])


def test_an_answer_says_why_it_has_no_value() -> None:
    """``answer(parse)`` tells a failed call, a null answer and a malformed one apart, and parses the rest."""
    plan = Plan()
    decode = answer(lambda v: quantity(v, "result"))
    failed, null, malformed, good = (plan.add(Call("eth_blockNumber"), decode=decode) for _ in range(4))
    err = RpcItemError(-32000, "header not found")
    plan.settle([Reply(error=err), Reply(None), Reply("not hex"), Reply("0x10")])
    assert (failed.value.error, failed.value.ok) == (err, False)
    assert (null.value.value, null.value.ok) == (None, True)
    assert (malformed.value.malformed, malformed.value.ok) == (True, False)
    assert (good.value.value, good.value.ok) == (16, True)


def test_a_verifier_reads_every_answer_through_the_handles_afresh() -> None:
    """The client's check of each endpoint's answer settles the handles first: the second answer is not the first."""
    plan = Plan()
    head = plan.add(Call("eth_blockNumber"), decode=quantity_or_none)
    seen: list[int | None] = []

    def check() -> str | None:
        seen.append(head.value)
        return "too_high" if (head.value or 0) > 100 else None

    verify = plan.verifier(check)
    assert verify([Reply("0x" + "ff" * 5, endpoint="liar")]) == "too_high"
    assert verify([Reply("0x10", endpoint="honest")]) is None
    assert seen == [0xFF_FF_FF_FF_FF, 16]
    assert plan.endpoint == "honest"


def test_round_one_is_a_plan_whose_handles_decode_their_own_replies() -> None:
    """The lookup and the snapshot each read their own call's reply; nothing is read by its position."""
    spec = ChainSpec(
        name="alpha",
        chain_id=1,
        native_symbol="ETH",
        native_decimals=18,
        confirmations=3,
        block_time=12.0,
        endpoints=(),
    )
    plan = Plan()
    snap = ask_snapshot(spec, plan)
    lookup = ask_lookup(TX_HASH, plan)  # after the snapshot's calls: the order of asking does not matter
    methods = [c.method for c in plan.calls]
    assert methods[-2:] == ["eth_getTransactionByHash", "eth_getTransactionReceipt"]
    by_method = {
        "eth_getTransactionByHash": Reply(None),
        "eth_getTransactionReceipt": Reply(None),
        "eth_feeHistory": Reply({"oldestBlock": "0x60", "gasUsedRatio": [0.5] * 5, "baseFeePerGas": ["0x7"] * 6}),
        "txpool_status": Reply({"pending": "0x2", "queued": "0x1"}),
    }
    tags = {"latest": "0x64", "finalized": "0x24", "safe": "0x44"}
    replies = [by_method.get(c.method) or Reply({"number": tags[c.params[0]], "timestamp": "0x10"}) for c in plan.calls]
    plan.settle(replies)
    network = parse_snapshot(snap())
    assert (network.head, network.finalized, network.safe, network.next_base_fee) == (100, 36, 68, 7)
    assert network.pool is not None
    assert (network.pool.pending, network.pool.queued) == (2, 1)
    assert lookup.tx.value.value is None
    assert lookup.tx.value.ok
    assert lookup.receipt.value.value is None
