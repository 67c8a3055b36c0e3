"""Bitcoin-family fee maths and rules, table first, from small evidence values; the family's catalogs."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from txdiag.chains import ChainSpec, Endpoint
from txdiag.errors import WireError
from txdiag.families.bitcoin import fees, rules, wire, words
from txdiag.families.bitcoin.models import (
    BtcEvidence,
    BtcNetwork,
    BtcTx,
    BtcVanished,
    MempoolEntry,
    MempoolInfo,
    Outpoint,
    Spend,
    TxOutput,
)
from txdiag.families.bitcoin.report import rendered
from txdiag.guidance.render import placeholders
from txdiag.models import Code, Verdict

NOW = datetime(2026, 1, 1, tzinfo=UTC)
WEIGHT = 20_000  # 4,000 vB blocks: (20000 - 4000) / 4, strictly below
CHAIN = ChainSpec(
    name="ltc",
    chain_id=None,
    native_symbol="LTC",
    native_decimals=8,
    confirmations=6,
    block_time=150,
    endpoints=(Endpoint("http://u:p@127.0.0.1:1", "http://127.0.0.1:1"),),
    finality="confirmations",
    family="bitcoin",
    network="regtest",
    block_max_weight=WEIGHT,
)
INFO = MempoolInfo(
    size=0,
    vbytes=0,
    usage=0,
    max_mempool=300_000_000,
    min_fee=1000,
    min_relay_fee=1000,
    incremental_fee=1000,
    full_rbf=None,
)


def txid(n: int) -> str:
    return f"{n:064x}"


def entry(
    n: int,
    fee: int,
    *,
    vsize: int = 100,
    depends: tuple[int, ...] = (),
    spent_by: tuple[int, ...] = (),
    ancestors: tuple[tuple[int, int], ...] = (),
    replaceable: bool | None = True,
) -> MempoolEntry:
    """A mempool entry; ``ancestors`` are (fee, vsize) of its unconfirmed ancestors."""
    return MempoolEntry(
        txid=txid(n),
        vsize=vsize,
        fee=fee,
        modified_fee=fee,
        ancestor_count=1 + len(ancestors),
        ancestor_size=vsize + sum(v for _, v in ancestors),
        ancestor_fee=fee + sum(f for f, _ in ancestors),
        descendant_count=1,
        descendant_size=vsize,
        descendant_fee=fee,
        depends=tuple(txid(d) for d in depends),
        spent_by=tuple(txid(s) for s in spent_by),
        bip125_replaceable=replaceable,
        time=0,
    )


def pool(*entries: MempoolEntry) -> dict[str, MempoolEntry]:
    return {e.txid: e for e in entries}


# --- the node's own integer fee arithmetic -------------------------------------


@pytest.mark.parametrize(
    ("rate", "vsize", "fee"), [(1000, 141, 141), (1000, 0, 0), (1, 141, 1), (0, 141, 0), (1500, 141, 211)]
)
def test_fee_for_truncates_like_cfeerate(rate: int, vsize: int, fee: int) -> None:
    """CFeeRate::GetFee: truncated, but never 0 for a non-zero rate."""
    assert fees.fee_for(rate, vsize) == fee


# --- projected blocks ---------------------------------------------------------


def test_blocks_are_filled_best_package_first_and_strictly_below_the_limit() -> None:
    """40 payments of 100 vB: the block takes 39 (3,900 vB; a 40th would reach the 4,000 vB limit)."""
    p = pool(*(entry(i, fee=1000 + i) for i in range(1, 41)))
    proj = fees.project(p, WEIGHT)
    assert sum(len(pkg.txids) for pkg in proj.blocks[0]) == 39
    assert proj.where[txid(1)] == 2  # the cheapest waits
    assert proj.where[txid(40)] == 1


def test_child_pays_for_parent_in_projection() -> None:
    """A low-fee parent with a rich child is chosen as one package, ahead of middling payments."""
    parent = entry(1, fee=100, spent_by=(2,))
    child = entry(2, fee=10_000, depends=(1,), ancestors=((100, 100),))
    middling = [entry(10 + i, fee=2_000) for i in range(39)]
    proj = fees.project(pool(parent, child, *middling), WEIGHT)
    assert proj.where[txid(1)] == proj.where[txid(2)] == 1
    assert proj.blocks[0][0].txids == tuple(sorted((txid(1), txid(2))))


def test_a_package_that_does_not_fit_leaves_room_for_smaller_ones() -> None:
    """First fit: a big package goes to the next block while smaller, cheaper ones still fill this one."""
    big = entry(1, fee=3_000 * 50, vsize=3_000)
    small = [entry(10 + i, fee=5_000, vsize=100) for i in range(15)]  # 1,500 vB at 50 sat/vB
    low = entry(2, fee=100, vsize=100)
    proj = fees.project(pool(big, low, *small), WEIGHT)
    assert proj.where[txid(1)] == 1
    assert proj.where[txid(2)] == 2 or proj.where[txid(2)] == 1
    assert sum(p.vsize for p in proj.blocks[0]) < 4_000


def test_next_block_fee_beats_the_package_it_displaces() -> None:
    """Full block of 20 sat/vB payments: a 141 vB newcomer must pay strictly more than 20 sat/vB."""
    p = pool(*(entry(i, fee=2_000) for i in range(1, 60)))
    proj = fees.project(p, WEIGHT)
    need = fees.next_block_fee(proj, 141, WEIGHT, 1000)
    assert need == 141 * 20 + 1
    empty = fees.project({}, WEIGHT)
    assert fees.next_block_fee(empty, 141, WEIGHT, 1000) == 141


# --- the replacement and the child ---------------------------------------------


@pytest.mark.parametrize(
    ("target", "binding", "fee"),
    [
        (0, "replacement_rules", 282 + 141),  # the original's fee plus incrementalrelayfee for its size
        (2821, "next_block", 2821),
    ],
)
def test_replacement_fee_names_the_rule_that_binds(target: int, binding: str, fee: int) -> None:
    """The least replacement fee is the largest of the BIP125 rules, the floors and the target."""
    e = entry(1, fee=282, vsize=141)
    r = fees.replacement_fee(e, INFO, target)
    assert (r.binding, r.fee, r.vsize) == (binding, fee, 141)


def test_replacement_covers_evicted_descendants() -> None:
    """Descendants leave the mempool with the original: the replacement pays for them too."""
    e = entry(1, fee=282, vsize=141)
    e = MempoolEntry(**{**{f: getattr(e, f) for f in e.__slots__}, "descendant_fee": 282 + 500, "descendant_count": 2})
    assert fees.replacement_fee(e, INFO, 0).fee == 282 + 500 + 141


def test_cpfp_fee_lifts_the_package_and_pays_its_own_floor() -> None:
    """Child fee = package target less what the ancestors pay; never below the child's own relay floor."""
    e = entry(1, fee=282, vsize=141)
    assert fees.cpfp_fee(e, INFO, package_target_fee=251 * 20 + 1, child_vsize=110) == 251 * 20 + 1 - 282
    assert fees.cpfp_fee(e, INFO, package_target_fee=100, child_vsize=110) == 110


# --- rules ---------------------------------------------------------------------


def tx(n: int, *, confirmations: int = 0, outputs: tuple[TxOutput, ...] | None = None, rbf: bool = True) -> BtcTx:
    outs = outputs or (
        TxOutput(0, 10_000_000, "witness_v0_keyhash", "rltcpay", False),
        TxOutput(1, 39_990_000, "witness_v0_keyhash", "rltcchange", False),
    )
    return BtcTx(
        txid(n),
        141,
        561,
        (Outpoint(txid(99), 0),),
        outs,
        False,
        rbf,
        txid(77) if confirmations else None,
        confirmations,
        None,
    )


def network(p: dict[str, MempoolEntry]) -> BtcNetwork:
    proj = fees.project(p, WEIGHT)
    cap = fees.capacity_vsize(WEIGHT)
    return BtcNetwork(200, None, INFO, proj.summary(cap), proj.beyond, None, cap)


def pending_ev(n: int, e: MempoolEntry, p: dict[str, MempoolEntry], *, rbf: bool = True) -> BtcEvidence:
    return BtcEvidence("0x" + txid(n), "ltc", network(p), tx(n, rbf=rbf), entry=e, mempool=p)


def codes(ev: BtcEvidence) -> list[str]:
    return rules.classify(ev, CHAIN, NOW).codes()


def test_confirmed_and_awaiting_by_depth() -> None:
    """Six confirmations are confirmed; one is awaiting five more blocks (12.5 minutes at 150 s)."""
    net = network({})
    deep = BtcEvidence("0x" + txid(1), "ltc", net, tx(1, confirmations=6))
    one = BtcEvidence("0x" + txid(1), "ltc", net, tx(1, confirmations=1))
    assert rules.classify(deep, CHAIN, NOW).verdict is Verdict.CONFIRMED
    result = rules.classify(one, CHAIN, NOW)
    assert result.verdict is Verdict.DELAYED
    (f,) = result.findings
    assert (f.code, f.details["remaining_blocks"], f.details["remaining_seconds"], f.details["block"]) == (
        Code.AWAITING_CONFIRMATIONS,
        5,
        750,
        200,
    )


def test_stuck_replaceable_payment_gets_both_fixes() -> None:
    """Below the next block: an RBF fee and a CPFP child, each reaching the next block."""
    crowd = [entry(10 + i, fee=2_000) for i in range(45)]
    low = entry(1, fee=282, vsize=141)
    p = pool(low, *crowd)
    result = rules.classify(pending_ev(1, low, p), CHAIN, NOW)
    assert result.verdict is Verdict.DELAYED
    f = next(x for x in result.findings if x.code is Code.FEE_RATE_BELOW_NEXT_BLOCK)
    assert f.details["rbf_fee_sat"] == 141 * 20 + 1
    assert f.details["rbf_binding"] == "next_block"
    assert f.details["cpfp_vout"] == 1  # the larger output
    assert f.details["cpfp_child_fee_sat"] == (141 + 110) * 20 + 1 - 282
    assert f.details["projected_block"] == 2


def test_not_replaceable_payment_gets_only_the_child() -> None:
    """No BIP125 signal and no full RBF: no replacement fee, the child is the way."""
    crowd = [entry(10 + i, fee=2_000) for i in range(45)]
    low = entry(1, fee=282, vsize=141, replaceable=False)
    f = next(
        x
        for x in rules.classify(pending_ev(1, low, pool(low, *crowd), rbf=False), CHAIN, NOW).findings
        if x.code is Code.FEE_RATE_BELOW_NEXT_BLOCK
    )
    assert "rbf_fee_sat" not in f.details
    assert f.details["not_replaceable"] is True
    assert f.details["cpfp_child_fee_sat"] > 0


def test_full_rbf_node_makes_any_payment_replaceable() -> None:
    """getmempoolinfo.fullrbf (Bitcoin Core 24+) replaces without a signal."""
    crowd = [entry(10 + i, fee=2_000) for i in range(45)]
    low = entry(1, fee=282, vsize=141, replaceable=False)
    ev = pending_ev(1, low, pool(low, *crowd), rbf=False)
    assert ev.network is not None
    net = BtcNetwork(
        **{
            **{f: getattr(ev.network, f) for f in ev.network.__slots__},
            "mempool": MempoolInfo(**{**{f: getattr(INFO, f) for f in INFO.__slots__}, "full_rbf": True}),
        }
    )
    ev = BtcEvidence(ev.hash, ev.chain, net, ev.tx, entry=ev.entry, mempool=ev.mempool)
    f = next(x for x in rules.classify(ev, CHAIN, NOW).findings if x.code is Code.FEE_RATE_BELOW_NEXT_BLOCK)
    assert f.details["replaceable"] is True
    assert "rbf_fee_sat" in f.details


def test_in_the_next_block_is_only_pending() -> None:
    """A payment the next block takes is pending, with its ETA, and nothing more."""
    e = entry(1, fee=1410, vsize=141)
    assert codes(pending_ev(1, e, pool(e))) == ["pending"]


def test_unconfirmed_parent_and_mempool_floor() -> None:
    """A payment with a low-fee parent names it; one below the mempool floor is warned about."""
    parent = entry(2, fee=141, vsize=141, spent_by=(1,))
    child = entry(1, fee=1100, vsize=110, depends=(2,), ancestors=((141, 141),))
    ev = pending_ev(1, child, pool(parent, child))
    ev = BtcEvidence(ev.hash, ev.chain, ev.network, ev.tx, entry=child, parents=(parent,), mempool=ev.mempool)
    f = next(x for x in rules.classify(ev, CHAIN, NOW).findings if x.code is Code.UNCONFIRMED_PARENTS)
    assert f.details["parents"] == [txid(2)]
    assert f.details["low_fee_parent_txid"] == txid(2)
    assert f.details["package_fee_rate"] == round(1241 / 251, 3)
    cheap = entry(3, fee=100, vsize=141)
    assert "below_mempool_min_fee" in codes(pending_ev(3, cheap, pool(cheap)))


def test_op_return_with_value_is_a_burn() -> None:
    """Value to OP_RETURN is misdirected; an OP_RETURN of 0 (a data carrier) is not."""
    burn = (TxOutput(0, 5_000, "nulldata", None, True), TxOutput(1, 1_000_000, "witness_v0_keyhash", "a", False))
    carrier = (TxOutput(0, 0, "nulldata", None, True), TxOutput(1, 1_000_000, "witness_v0_keyhash", "a", False))
    net = network({})
    assert (
        rules.classify(
            BtcEvidence("0x" + txid(1), "ltc", net, tx(1, confirmations=6, outputs=burn)), CHAIN, NOW
        ).verdict
        is Verdict.MISDIRECTED
    )
    assert (
        rules.classify(
            BtcEvidence("0x" + txid(1), "ltc", net, tx(1, confirmations=6, outputs=carrier)), CHAIN, NOW
        ).verdict
        is Verdict.CONFIRMED
    )


@pytest.mark.parametrize(
    ("spends", "code"),
    [
        ((Spend(Outpoint(txid(9), 0), unspent=False, spender=txid(5), spender_block=7),), Code.REPLACED),
        ((Spend(Outpoint(txid(9), 0), unspent=False),), Code.REPLACED),
        ((Spend(Outpoint(txid(9), 0), unspent=True),), Code.DROPPED),
    ],
)
def test_vanished_payment_replaced_or_dropped(spends: tuple[Spend, ...], code: Code) -> None:
    """Gone from the node: an input spent elsewhere means replaced (named where found); all unspent, dropped."""
    v = BtcVanished((Outpoint(txid(9), 0),), 282, 141, NOW - timedelta(hours=1), NOW, spends)
    result = rules.classify(BtcEvidence("0x" + txid(1), "ltc", None, None, vanished=v), CHAIN, NOW)
    assert result.verdict is Verdict.FAILED
    assert result.findings[0].code is code


# --- wire ------------------------------------------------------------------------


def test_amounts_are_exact_satoshis() -> None:
    """Coins as the node writes them become exact satoshis, floats included."""
    assert wire.sats(0.00000282, "x") == 282
    assert wire.sats(20999999.9769, "x") == 2_099_999_997_690_000
    assert wire.sats("0.1", "x") == 10_000_000
    for bad in (-1, "x", None, True, float("nan")):
        with pytest.raises(WireError):
            wire.sats(bad, "x")


def test_entry_reads_fees_base_and_the_deprecated_fields_before_it() -> None:
    """fees.base is read; a node that only has the old top-level fields is read too."""
    new = {
        "fees": {"base": 0.00000282, "modified": 0.00000282, "ancestor": 0.00000282, "descendant": 0.00000282},
        "vsize": 141,
        "ancestorcount": 1,
        "ancestorsize": 141,
        "descendantcount": 1,
        "descendantsize": 141,
        "depends": [],
        "spentby": [],
        "time": 1,
    }
    old = {
        "fee": 0.00000282,
        "modifiedfee": 0.00000282,
        "ancestorfees": 282,
        "descendantfees": 282,
        "size": 141,
        "ancestorcount": 1,
        "ancestorsize": 141,
        "descendantcount": 1,
        "descendantsize": 141,
        "depends": [],
        "spentby": [],
        "time": 1,
        "bip125-replaceable": False,
    }
    a, b = wire.parse_entry(new, txid(1)), wire.parse_entry(old, txid(1))
    assert (a.fee, a.ancestor_fee, a.vsize, a.bip125_replaceable) == (282, 282, 141, None)
    assert (b.fee, b.ancestor_fee, b.vsize, b.bip125_replaceable) == (282, 282, 141, False)


def test_transaction_for_another_txid_is_refused() -> None:
    """An answer about another transaction is an endpoint fault, never evidence."""
    with pytest.raises(WireError):
        wire.parse_tx({"txid": txid(2), "vin": [], "vout": [], "vsize": 1}, txid(1))


def _with_output(script: dict[str, object]) -> dict[str, object]:
    out = {"n": 0, "value": 0.001, "scriptPubKey": script}
    return {"txid": txid(1), "vin": [], "vout": [out], "vsize": 141}


@pytest.mark.parametrize(
    "address",
    ["rltc1q\x1b[2J\nVerdict: confirmed", "rltc1q\u202eabc", "rltc1q\u200babc", "", "a" * 101, 5],
)
def test_an_output_address_that_is_no_address_is_refused(address: object) -> None:
    """An output address shown in a next step: anything but letters and digits is the endpoint's fault."""
    with pytest.raises(WireError):
        wire.parse_tx(_with_output({"type": "witness_v0_keyhash", "address": address}), txid(1))
    with pytest.raises(WireError):
        wire.parse_tx(_with_output({"type": "witness_v0_keyhash", "addresses": [address]}), txid(1))


def test_an_output_script_type_is_sanitised() -> None:
    """The node's name for a script is untrusted text: control, bidi and zero-width characters are removed."""
    tx = wire.parse_tx(_with_output({"type": "witness\x1b[31m_v0\u202e_keyhash\n" + "x" * 40}), txid(1))
    kind = tx.outputs[0].script_type
    assert kind.startswith("witness_v0_keyhash")
    assert all(ch >= " " and ch not in "\u202e\x7f" for ch in kind)
    assert len(kind) <= 32
    assert wire.parse_tx(_with_output({"type": "\x00\x1b[2J"}), txid(1)).outputs[0].script_type == "nonstandard"
    called = wire.parse_tx(_with_output({"type": "Call +1 800 555 0199"}), txid(1)).outputs[0].script_type
    assert called == "Call ☎***"  # a node's text is never a number to call
    address = "mzBc4XEFSdzCDcTxAgf6EZXgsZWpztRhef"
    good = wire.parse_tx(_with_output({"type": "pubkeyhash", "address": address}), txid(1))
    assert (good.outputs[0].script_type, good.outputs[0].address) == ("pubkeyhash", address)


def test_incremental_fee_from_mempool_info_or_network_info() -> None:
    """incrementalrelayfee (getmempoolinfo, 24+) first, getnetworkinfo.incrementalfee before that."""
    base = {"size": 0, "bytes": 0, "mempoolminfee": 0.00001, "minrelaytxfee": 0.00001}
    assert wire.parse_mempool_info({**base, "incrementalrelayfee": 0.00002}, None).incremental_fee == 2000
    assert wire.parse_mempool_info(base, {"incrementalfee": 0.00001}).incremental_fee == 1000
    assert wire.parse_mempool_info({**base, "fullrbf": True}, None).full_rbf is True


# --- words -------------------------------------------------------------------------


def test_every_step_has_words_in_both_languages_with_the_same_placeholders() -> None:
    """Each code the family says has an entry in en and zh-CN; steps and placeholders agree."""
    en, zh = words.catalogs()["en"].entries, words.catalogs()["zh-CN"].entries
    assert set(en) == set(zh) == set(words.STEPS)
    for code, entry in en.items():
        other = zh[code]
        assert placeholders(entry.summary) == placeholders(other.summary), code
        assert placeholders(entry.message) == placeholders(other.message), code
        assert set(entry.steps) == set(other.steps) == {s.name for s in words.STEPS[code]}, code
        for name, text in entry.steps.items():
            assert placeholders(text) == placeholders(other.steps[name]), (code, name)


def test_chinese_answer_has_no_english_words() -> None:
    """A rendered zh-CN answer for a stuck payment carries no English sentence."""
    crowd = [entry(10 + i, fee=2_000) for i in range(45)]
    low = entry(1, fee=282, vsize=141)
    ev = pending_ev(1, low, pool(low, *crowd))
    out = rendered(rules.classify(ev, CHAIN, NOW), ev, CHAIN, "zh-CN")
    allowed = {
        "sat",
        "vB",
        "RBF",
        "CPFP",
        "OP",
        "RETURN",
        "LTC",
        "vout",
        "rltcchange",
        "rltcpay",
        "abandontransaction",
    }

    for line in (out.summary, *out.next_steps[:-1], *(f.message for f in out.findings)):
        stray = set(re.findall(r"[A-Za-z]{3,}", line)) - allowed
        assert not stray, (line, stray)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=70),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
    max_leaves=20,
)
ENTRY_KEYS = ("fees", "vsize", "ancestorcount", "ancestorsize", "descendantcount", "descendantsize", "depends")
TX_KEYS = ("txid", "vin", "vout", "vsize", "weight", "blockhash", "confirmations")


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from((*ENTRY_KEYS, "spentby", "time", "fee")), JSON, max_size=8) | JSON)
def test_mempool_entry_parser_refuses_anything_malformed_with_wire_error(value: object) -> None:
    """Whatever a node sends as a mempool entry, the parser returns a value or raises WireError: nothing else."""
    with contextlib.suppress(WireError):
        wire.parse_entry(value, txid(1))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(TX_KEYS), JSON, max_size=7) | JSON)
def test_transaction_parser_refuses_anything_malformed_with_wire_error(value: object) -> None:
    """Whatever a node sends as a transaction, the parser returns a value or raises WireError: nothing else."""
    if isinstance(value, dict):
        value.setdefault("txid", txid(1))
    with contextlib.suppress(WireError):
        wire.parse_tx(value, txid(1))


@given(st.floats(min_value=0, max_value=21_000_000) | st.decimals(min_value=0, max_value=21_000_000, places=8))
def test_amount_parser_is_exact_for_eight_decimals(value: object) -> None:
    """Any amount with at most 8 decimals becomes the exact satoshis it writes."""
    from decimal import Decimal

    got = wire.sats(value, "x")
    text = repr(value) if isinstance(value, float) else str(value)
    assert got == int((Decimal(text) * 100_000_000).to_integral_value())
