"""Delayed-transaction rules and the replacement-fee maths, table-tested from small evidence values."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support import builders
from txdiag.chains import ChainSpec
from txdiag.families.evm.classify import classify
from txdiag.families.evm.classify.delayed import (
    blocked_by_earlier,
    fee_below_base_fee,
    network_congested,
    nonce_gap,
    pending,
    tip_below_market,
)
from txdiag.families.evm.classify.fees import bump, replacement, typeable, with_headroom
from txdiag.families.evm.probes.sender import _read_lookups, _waiting
from txdiag.guidance.render import render
from txdiag.models import Code, Evidence, NetworkView, PoolTx, SenderState, TxView
from txdiag.rpc import Reply, RpcItemError

GWEI = 10**9
NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
PCTS = (10.0, 25.0, 50.0, 75.0, 90.0)
HASH = "0x" + "ab" * 32


def spec(*, mempool: bool = True) -> ChainSpec:
    return builders.chain_spec(confirmations=3, mempool=mempool)


def tx(
    *, nonce: int = 5, max_fee: int | None = 30 * GWEI, tip: int | None = 2 * GWEI, gas_price: int | None = None
) -> TxView:
    return builders.tx_view(
        hash=HASH,
        sender="0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        to="0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
        nonce=nonce,
        value=1,
        gas_price=gas_price,
        max_fee=max_fee,
        tip=tip,
        block=None,
    )


def network(
    *,
    base_fees: tuple[int, ...] = (10 * GWEI, 10 * GWEI, 10 * GWEI),
    ratios: tuple[float, ...] = (0.5, 0.5),
    tips: tuple[int, ...] = (1 * GWEI, 2 * GWEI, 3 * GWEI, 4 * GWEI, 5 * GWEI),
) -> NetworkView:
    return builders.network_view(
        next_base_fee=base_fees[-1],
        base_fees=base_fees,
        gas_used_ratios=ratios,
        reward_percentiles=PCTS,
        rewards=tuple(tips if r > 0 else (0,) * 5 for r in ratios),
    )


def evidence(t: TxView | None = None, net: NetworkView | None = None, **kw: Any) -> Evidence:
    return builders.evidence(t or tx(), network=net or network(), hash=HASH, **kw)


# -- fee maths ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "bumped"),
    [(0, 0), (1, 2), (8, 9), (9, 11), (1_000_000_000, 1_125_000_000), (1_000_000_001, 1_125_000_002)],
)
def test_bump_is_at_least_one_eighth_more_rounded_up(value: int, bumped: int) -> None:
    """The bump is +12.5 %, rounded up in wei."""
    assert bump(value) == bumped


@pytest.mark.parametrize(
    ("value", "shown"),
    [(1_123_000_001, 1_130_000_000), (1_130_000_000, 1_130_000_000), (12_345_678, 12_400_000), (1, 100_000)],
)
def test_typeable_rounds_up_to_a_step_a_person_can_enter(value: int, shown: int) -> None:
    """Suggestions round up (0.01 gwei from 1 gwei, 0.0001 gwei below), never down."""
    assert typeable(value) == shown


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        # the network floor wins: 10 gwei x 1.125^3 = 14.23828125 gwei, plus the market tip 3 gwei
        (
            {
                "fee_cap": 5 * GWEI,
                "tip_cap": 1 * GWEI,
                "legacy": False,
                "next_base_fee": 10 * GWEI,
                "market_tip": 3 * GWEI,
            },
            (17_240_000_000, 3_000_000_000, None),
        ),
        # the +12.5 % bump wins over a quiet network: 100 -> 112.5 gwei, tip 2 -> 2.25 gwei
        (
            {
                "fee_cap": 100 * GWEI,
                "tip_cap": 2 * GWEI,
                "legacy": False,
                "next_base_fee": 1 * GWEI,
                "market_tip": GWEI,
            },
            (112_500_000_000, 2_250_000_000, None),
        ),
        # unknown base fee and market: the bump alone
        (
            {"fee_cap": 3 * GWEI, "tip_cap": 1 * GWEI, "legacy": False, "next_base_fee": None, "market_tip": None},
            (3_380_000_000, 1_130_000_000, None),
        ),
        # legacy: one gas price, over both the bumped price and base-with-headroom plus the tip
        (
            {
                "fee_cap": 5 * GWEI,
                "tip_cap": 5 * GWEI,
                "legacy": True,
                "next_base_fee": 10 * GWEI,
                "market_tip": 2 * GWEI,
            },
            (None, None, 16_240_000_000),
        ),
        (
            {
                "fee_cap": 40 * GWEI,
                "tip_cap": 40 * GWEI,
                "legacy": True,
                "next_base_fee": 10 * GWEI,
                "market_tip": GWEI,
            },
            (None, None, 45_000_000_000),
        ),
    ],
)
def test_replacement_fees(kw: dict[str, Any], expected: tuple[int | None, int | None, int | None]) -> None:
    """Each new fee is at least +12.5 % and at least what the network needs now."""
    r = replacement(**kw)
    assert (r.max_fee_per_gas, r.max_priority_fee_per_gas, r.gas_price) == expected
    if not kw["legacy"]:
        assert r.max_fee_per_gas is not None
        assert r.max_priority_fee_per_gas is not None
        assert r.max_fee_per_gas * 8 >= kw["fee_cap"] * 9
        assert r.max_priority_fee_per_gas * 8 >= kw["tip_cap"] * 9
        assert r.max_priority_fee_per_gas <= r.max_fee_per_gas
        if kw["next_base_fee"] is not None:
            assert r.max_fee_per_gas >= with_headroom(kw["next_base_fee"]) + r.max_priority_fee_per_gas
        assert set(r.details()) == {"suggested_max_fee_per_gas", "suggested_max_priority_fee_per_gas"}
    else:
        assert set(r.details()) == {"suggested_gas_price"}


def test_headroom_is_three_full_blocks() -> None:
    """The network floor is the next base fee after three +12.5 % steps, rounded up in wei."""
    assert with_headroom(512) == 729
    assert with_headroom(513) == 731  # 513 x 729 / 512 = 730.42...


# -- fee_below_base_fee --------------------------------------------------------


def test_fee_below_base_fee_details() -> None:
    """A cap under the next base fee: both numbers, the shortfall, the recent low, the suggestion."""
    net = network(base_fees=(4 * GWEI, 8 * GWEI, 20 * GWEI))
    f = fee_below_base_fee(evidence(tx(max_fee=5 * GWEI, tip=1 * GWEI), net), spec(), NOW)
    assert f is not None
    assert f.code is Code.FEE_BELOW_BASE_FEE
    d = f.details
    assert d["max_fee_per_gas"] == 5 * GWEI
    assert d["base_fee_per_gas"] == 20 * GWEI
    assert d["shortfall_per_gas"] == 15 * GWEI
    assert d["base_fee_fall_percent"] == 75.0
    assert d["lowest_recent_base_fee_per_gas"] == 4 * GWEI
    assert d["reached_recently"] is True
    assert d["history_blocks"] == 2
    # 20 gwei x 1.423828125 = 28.4765625 gwei + the median tip 3 gwei
    assert d["suggested_max_fee_per_gas"] == 31_480_000_000
    assert d["suggested_max_priority_fee_per_gas"] == 3 * GWEI


@pytest.mark.parametrize(
    ("fee_cap", "base_fees", "fires", "reached"),
    [
        (10 * GWEI, (9 * GWEI, 10 * GWEI), False, None),  # exactly the base fee: includable
        (9 * GWEI, (12 * GWEI, 10 * GWEI), True, False),  # never that low in the window
        (9 * GWEI, (9 * GWEI, 10 * GWEI), True, True),
    ],
)
def test_fee_below_base_fee_table(fee_cap: int, base_fees: tuple[int, ...], fires: bool, reached: bool | None) -> None:
    """Fires only strictly under the next base fee; says whether the window saw a low enough base fee."""
    f = fee_below_base_fee(
        evidence(tx(max_fee=fee_cap, tip=GWEI), network(base_fees=base_fees, ratios=(0.5,))), spec(), NOW
    )
    assert (f is not None) is fires
    if f is not None:
        assert f.details["reached_recently"] is reached


def test_fee_below_base_fee_legacy_suggests_a_gas_price() -> None:
    """A legacy transaction gets a gas price, not 1559 fields."""
    f = fee_below_base_fee(evidence(tx(max_fee=None, tip=None, gas_price=5 * GWEI)), spec(), NOW)
    assert f is not None
    assert "suggested_max_fee_per_gas" not in f.details
    assert f.details["suggested_gas_price"] == 17_240_000_000  # 14.23828125 + median tip 3, rounded up
    ev = evidence(tx(max_fee=None, tip=None, gas_price=5 * GWEI))
    text = render(classify(ev, spec(), NOW), ev, spec(), "en")
    assert any("gas price 17.24 gwei" in s for s in text.next_steps)
    assert not any("max priority fee" in s for s in text.next_steps)


def test_mined_transaction_gets_no_fee_findings() -> None:
    """A mined transaction is not waiting for fees, whatever it paid."""
    mined = replace(tx(max_fee=1 * GWEI), block_number=99, block_hash="0x" + "11" * 32)
    ev = evidence(mined, network(base_fees=(50 * GWEI,) * 3))
    for rule in (fee_below_base_fee, tip_below_market, pending, network_congested):
        assert rule(ev, spec(), NOW) is None


# -- tip_below_market ----------------------------------------------------------


@pytest.mark.parametrize(
    ("tip", "fee_cap", "percentile", "market"),
    [
        (GWEI // 2, 30 * GWEI, 10, GWEI),  # under even the 10th percentile
        (GWEI, 30 * GWEI, 25, 2 * GWEI),  # equal to p10, under p25
        (2 * GWEI, 30 * GWEI, 50, 3 * GWEI),
        (3 * GWEI, 30 * GWEI, None, None),  # at the median: not behind the market
        (5 * GWEI, 11 * GWEI, 25, 2 * GWEI),  # the cap leaves only 1 gwei of tip over a 10 gwei base fee
        (5 * GWEI, 9 * GWEI, None, None),  # under the base fee: fee_below_base_fee's case
    ],
)
def test_tip_below_market_table(tip: int, fee_cap: int, percentile: int | None, market: int | None) -> None:
    """The effective tip is compared with each percentile up to the median; the lowest one it loses to is named."""
    f = tip_below_market(evidence(tx(max_fee=fee_cap, tip=tip)), spec(), NOW)
    if percentile is None:
        assert f is None
        return
    assert f is not None
    assert f.details["percentile"] == percentile
    assert f.details["market_tip"] == market
    assert f.details["tip"] == min(tip, fee_cap - 10 * GWEI)
    # the median tip, or the old tip cap +12.5 % when that is more
    assert f.details["suggested_max_priority_fee_per_gas"] == max(3 * GWEI, typeable(bump(tip)))


def test_tip_ignores_empty_blocks() -> None:
    """Empty blocks report tips of 0; they are not the market."""
    net = network(ratios=(0.0, 0.0, 0.0, 0.6), base_fees=(10 * GWEI,) * 5)
    f = tip_below_market(evidence(tx(tip=GWEI // 2), net), spec(), NOW)
    assert f is not None
    assert f.details["market_tip"] == GWEI


def test_sequencer_chain_gets_no_tip_advice_but_a_first_come_note() -> None:
    """On a sequencer chain a tip buys no place in line: no tip finding; the pending step says why."""
    ev = evidence(tx(tip=GWEI // 2))
    assert tip_below_market(ev, spec(mempool=False), NOW) is None
    p = pending(ev, spec(mempool=False), NOW)
    assert p is not None
    assert p.details["sequencer"] == "alpha"
    text = render(classify(ev, spec(mempool=False), NOW), ev, spec(mempool=False), "zh-CN")
    assert any("排序器" in s for s in text.next_steps)
    assert pending(ev, spec(), NOW) is not None
    assert "sequencer" not in pending(ev, spec(), NOW).details  # type: ignore[union-attr]


# -- nonce_gap -----------------------------------------------------------------


def sender(latest: int, pending_: int, **kw: Any) -> SenderState:
    return SenderState(latest_nonce=latest, pending_nonce=pending_, **kw)


@pytest.mark.parametrize(
    ("nonce", "state", "missing", "truncated", "queued"),
    [
        (5, sender(5, 6), None, False, None),  # the next one: no gap
        (5, sender(4, 4, checked_from=0, seen_nonces=frozenset({0, 1, 2, 3})), [4], False, [5]),
        (7, sender(2, 3, checked_from=0, seen_nonces=frozenset({0, 1, 2, 5})), [3, 4, 6], False, [5, 7]),
        # lookups unavailable (geth): the pool says which are there
        (
            7,
            sender(2, 3, pool=(PoolTx("0x" + "01" * 32, 2, 1, 1, False), PoolTx("0x" + "02" * 32, 5, 1, 1, True))),
            [3, 4, 6],
            False,
            [5, 7],
        ),
        # neither: only the pool's own next nonce is known missing; honest about the rest
        (7, sender(2, 3), [3], True, None),
        # wider than the lookup window: the nonces under it are unknown
        (
            40,
            sender(0, 0, checked_from=24, seen_nonces=frozenset({30})),
            [0, *range(24, 30), *range(31, 40)],
            True,
            [30, 40],
        ),
        (3, sender(5, 5), None, False, None),  # nonce already used: not a gap (it will be dropped)
    ],
)
def test_nonce_gap_table(
    nonce: int, state: SenderState, missing: list[int] | None, truncated: bool, queued: list[int] | None
) -> None:
    """Every missing nonce is listed; what could not be checked is said, not guessed."""
    f = nonce_gap(evidence(tx(nonce=nonce), sender=state), spec(), NOW)
    if missing is None:
        assert f is None
        return
    assert f is not None
    assert f.details["missing_nonces"] == missing
    assert f.details["first_missing"] == missing[0]
    assert f.details["missing_count"] == len(missing)
    assert f.details["missing_nonces_truncated"] is truncated
    assert ("unchecked_nonces_to" in f.details) is truncated
    assert f.details.get("pool_queued_nonces") == queued


def test_nonce_gap_guidance_names_the_nonce_to_send() -> None:
    """The steps tell the user which nonce to send first, in both languages."""
    ev = evidence(tx(nonce=7), sender=sender(2, 3, checked_from=0, seen_nonces=frozenset({0, 1, 2, 5})))
    for lang, word, listed in (("en", "nonce 3 first", "3, 4, 6"), ("zh-CN", "nonce 为 3", "3、4、6")):
        text = render(classify(ev, spec(), NOW), ev, spec(), lang)
        assert any(word in s for s in text.next_steps), text.next_steps
        assert listed in text.summary


# -- network_congested ---------------------------------------------------------


@pytest.mark.parametrize(
    ("ratios", "base_fees", "fires"),
    [
        ((1.0,) * 5, (10, 11, 12, 13, 14, 16), True),
        ((1.0, 1.0, 0.95, 0.3, 1.0), (10, 11, 12, 13, 14, 16), True),  # 4 of 5 full
        ((1.0, 1.0, 0.3, 0.3, 1.0), (10, 11, 12, 13, 14, 16), False),  # not persistently full
        ((1.0,) * 5, (16, 15, 14, 13, 12, 16), False),  # full, but the base fee is not rising
        ((1.0, 1.0), (10, 11, 12), False),  # too little history
    ],
)
def test_network_congested_table(ratios: tuple[float, ...], base_fees: tuple[int, ...], fires: bool) -> None:
    """Persistently full blocks and a rising base fee, both required."""
    net = network(ratios=ratios, base_fees=tuple(b * GWEI for b in base_fees))
    f = network_congested(evidence(net=net), spec(), NOW)
    assert (f is not None) is fires
    if f is not None:
        assert f.details["blocks"] == 5
        assert f.details["base_fee_rise_percent"] == 60.0


def test_pending_reports_how_long_it_waited() -> None:
    """A hash seen before carries its first-seen time and the wait so far."""
    ev = evidence(first_seen=NOW - timedelta(minutes=7))
    f = pending(ev, spec(), NOW)
    assert f is not None
    assert f.details["waiting_seconds"] == 420
    text = render(classify(ev, spec(), NOW), ev, spec(), "en")
    assert "7 min ago" in text.findings[[x.code for x in text.findings].index("pending")].message


# -- reading the sender probe's nonce lookups -------------------------------------


@pytest.mark.parametrize(
    ("answers", "checked_from", "seen"),
    [
        ([{}, None, {}, None], 3, {3, 5}),  # every lookup answered: nonces 3..6
        ([{}, None, "error", None], 6, set()),  # a failure hides everything below it
        (["error"] * 4, None, set()),  # a node without the method (geth): nothing known
        ([{}, None, ["odd"], {}], 6, {6}),  # a malformed answer counts as a failure
    ],
)
def test_nonce_lookups_count_only_an_unbroken_run(answers: list[Any], checked_from: int | None, seen: set[int]) -> None:
    """Only lookups answered without a break up to the transaction's nonce make nonces known."""
    replies = [
        Reply(error=RpcItemError(-32601, "Method not found")) if a == "error" else Reply(value=a) for a in answers
    ]
    assert _read_lookups(range(3, 7), replies) == (checked_from, frozenset(seen))


# -- blocked by an earlier transaction of the sender -----------------------------------

BLOCKER = "0x" + "cd" * 32


def _blocked(pool: tuple[PoolTx, ...] | None = None, earlier: tuple[PoolTx, ...] = (), latest: int = 3) -> Evidence:
    return evidence(sender=SenderState(latest, 6, pool, checked_from=0, seen_nonces=frozenset({3, 4}), earlier=earlier))


@pytest.mark.parametrize(
    ("ev", "fires", "below_base"),
    [
        # the next nonce waits under the base fee (10 gwei): this one (nonce 5) cannot go first
        (_blocked(earlier=(PoolTx(BLOCKER, 3, 3 * GWEI, 1 * GWEI, False),)), True, True),
        # the same, learnt from the pool
        (_blocked(pool=(PoolTx(BLOCKER, 3, 3 * GWEI, 1 * GWEI, False),)), True, True),
        # above the base fee but with a tip under the market's median (3 gwei)
        (_blocked(earlier=(PoolTx(BLOCKER, 3, 30 * GWEI, 1 * GWEI, False),)), True, False),
        # priced to go soon: no finding, this one follows it
        (_blocked(earlier=(PoolTx(BLOCKER, 3, 30 * GWEI, 5 * GWEI, False),)), False, None),
        # the waiting one is not the next nonce (nonce 3 executes first and is absent): a gap, not a blocker
        (_blocked(earlier=(PoolTx(BLOCKER, 4, 3 * GWEI, 1 * GWEI, False),)), False, None),
        # nothing earlier waits
        (_blocked(), False, None),
        # this transaction is itself the next nonce
        (_blocked(earlier=(PoolTx(BLOCKER, 5, 3 * GWEI, 1 * GWEI, False),), latest=5), False, None),
    ],
)
def test_blocked_by_earlier_table(ev: Evidence, fires: bool, below_base: bool | None) -> None:
    """An earlier waiting nonce priced too low is named as the blocker; one priced to go soon is not."""
    f = blocked_by_earlier(ev, spec(), NOW)
    assert (f is not None) is fires
    if f is not None:
        assert (f.details["blocker_hash"], f.details["blocker_nonce"], f.details["nonce"]) == (BLOCKER, 3, 5)
        assert f.details["blocker_below_base_fee"] is below_base


def test_blocker_gets_the_same_fee_rules() -> None:
    """The blocker's speed-up is the replacement maths applied to the blocker's own fees; legacy gets a gas price."""
    ev = _blocked(earlier=(PoolTx(BLOCKER, 3, 3 * GWEI, 1 * GWEI, False),))
    f = blocked_by_earlier(ev, spec(), NOW)
    assert f is not None
    want = replacement(fee_cap=3 * GWEI, tip_cap=1 * GWEI, legacy=False, next_base_fee=10 * GWEI, market_tip=3 * GWEI)
    assert f.details["suggested_max_fee_per_gas"] == want.max_fee_per_gas
    assert f.details["suggested_max_priority_fee_per_gas"] == want.max_priority_fee_per_gas
    legacy = blocked_by_earlier(
        _blocked(earlier=(PoolTx(BLOCKER, 3, 3 * GWEI, 3 * GWEI, False, legacy=True),)), spec(), NOW
    )
    assert legacy is not None
    assert "suggested_gas_price" in legacy.details
    assert "suggested_max_fee_per_gas" not in legacy.details


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "waiting behind an earlier one"), ("zh-CN", "排在同一地址更早的一笔交易之后")]
)
def test_blocked_guidance_speeds_up_the_blocker(lang: str, words: str) -> None:
    """The summary names the blocker; the first step speeds up the blocker (its nonce), not this transaction."""
    ev = _blocked(earlier=(PoolTx(BLOCKER, 3, 3 * GWEI, 1 * GWEI, False),))
    result = classify(ev, spec(), NOW)
    assert result.findings[0].code is Code.BLOCKED_BY_EARLIER
    text = render(result, ev, spec(), lang)
    assert words in text.summary
    assert BLOCKER in text.summary
    assert BLOCKER in text.next_steps[0]
    assert "nonce 3" in text.next_steps[0]


def test_waiting_lookups_keep_the_fees() -> None:
    """Nonce lookups that find a waiting transaction keep its hash and fees; mined ones are not blockers."""
    waiting = {
        "hash": BLOCKER,
        "from": "0x" + "11" * 20,
        "to": "0x" + "22" * 20,
        "nonce": "0x3",
        "value": "0x0",
        "gas": "0x5208",
        "type": "0x2",
        "input": "0x",
        "maxFeePerGas": hex(3 * GWEI),
        "maxPriorityFeePerGas": hex(GWEI),
        "gasPrice": hex(3 * GWEI),
        "blockNumber": None,
        "blockHash": None,
    }
    mined = {**waiting, "hash": "0x" + "ef" * 32, "nonce": "0x2", "blockNumber": "0x9", "blockHash": "0x" + "aa" * 32}
    found = _waiting([Reply(mined), Reply(waiting), Reply(None)])
    assert found == (PoolTx(BLOCKER, 3, 3 * GWEI, GWEI, False),)
