"""Plans of calls whose handles decode their own replies."""

from __future__ import annotations

import pytest

from txdiag.probes.plan import Plan, as_reply, data_or_none, quantity_or_none, raw
from txdiag.rpc import Call, Reply, RpcItemError


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
