"""The bitcoin family's part of a Diagnosis: its tx and network JSON, its text lines, its rendering. Pure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from txdiag.chains import ChainSpec
from txdiag.families.bitcoin import rules, words
from txdiag.families.bitcoin.models import BtcEvidence
from txdiag.guidance import fmt
from txdiag.guidance.render import Rendered, render
from txdiag.models import Classification


def incomplete(ev: BtcEvidence) -> tuple[str, ...]:
    """The deciding parts that could not be read: for a pending payment, its mempool entry and the projected blocks;
    for one seen pending and gone, the coins it spent (whether it was dropped or replaced)."""
    if ev.vanished is not None and ev.tx is None:
        return tuple(sorted(ev.vanished.unchecked))
    if not ev.pending:
        return ()
    parts = ev.unchecked | (ev.network.unavailable if ev.network is not None else frozenset())
    return tuple(sorted(parts))


def classify(ev: BtcEvidence, chain: ChainSpec, now: datetime) -> Classification:
    return rules.classify(ev, chain, now)


def rendered(result: Classification, ev: BtcEvidence, chain: ChainSpec | None, lang: str) -> Rendered:
    known = {"hash": ev.txid}
    if chain is not None and ev.tx is not None:
        link = chain.explorer_link(ev.hash)
        if link:
            known["explorer"] = link
    return render(result, None, chain, lang, catalogs=words.catalogs(), steps_of=words.STEPS, known=known)


def tx_json(ev: BtcEvidence, chain: ChainSpec | None) -> dict[str, Any] | None:
    tx = ev.tx
    if tx is None:
        return None
    decimals = chain.native_decimals if chain is not None else 8
    symbol = f" {chain.native_symbol}" if chain is not None else ""
    entry = ev.entry
    head = ev.network.head if ev.network is not None else None
    return {
        "txid": tx.txid,
        "status": "pending" if tx.confirmations == 0 else "confirmed",
        "vsize": tx.vsize,
        "weight": tx.weight,
        "value": str(tx.value),
        "value_display": fmt.units(tx.value, decimals) + symbol,
        "fee": entry.fee if entry is not None else None,
        "fee_rate_sat_vb": round(entry.fee / entry.vsize, 3) if entry is not None and entry.vsize else None,
        "replaceable": bool(entry.bip125_replaceable or tx.signals_rbf) if entry is not None else tx.signals_rbf,
        "inputs": [str(o) for o in tx.inputs],
        "outputs": [
            {"n": o.n, "value": o.value, "address": o.address, "type": o.script_type, "unspendable": o.unspendable}
            for o in tx.outputs
        ],
        "block": head - tx.confirmations + 1 if tx.confirmations and head is not None else None,
        "block_hash": tx.block_hash,
        "confirmations": tx.confirmations,
        "finalized": chain is not None and tx.confirmations >= chain.confirmations,
    }


def network_json(ev: BtcEvidence) -> dict[str, Any] | None:
    n = ev.network
    if n is None:
        return None
    return {
        "head": n.head,
        "mempool": {
            "transactions": n.mempool.size,
            "vbytes": n.mempool.vbytes,
            "min_fee_rate_sat_vb": n.mempool.min_fee / 1000,
            "incremental_relay_fee_sat_vb": n.mempool.incremental_fee / 1000,
            "full_rbf": n.mempool.full_rbf,
        },
        "projected_blocks": [
            {
                "index": b.index,
                "vsize": b.vsize,
                "transactions": b.tx_count,
                "min_fee_rate": b.min_rate,
                "median_fee_rate": b.median_rate,
                "full": b.full,
            }
            for b in n.blocks
        ],
        "beyond_vsize": n.beyond_vsize,
        "estimate_next_block_sat_vb": n.estimate_next,
        "block_capacity_vsize": n.capacity,
        "unavailable": sorted(n.unavailable),
    }


def text_lines(ev: BtcEvidence, chain: ChainSpec, labels: dict[str, str] | Any, colon: str) -> list[str]:
    tx = ev.tx
    out = [f"{labels['chain']}{colon}{chain.name} ({chain.network})"]
    if tx is None:
        return out
    out.append(f"{labels['value']}{colon}{fmt.units(tx.value, chain.native_decimals)} {chain.native_symbol}")
    if tx.confirmations and ev.network is not None:
        out.append(f"{labels['block']}{colon}{ev.network.head - tx.confirmations + 1}")
    link = chain.explorer_link(ev.hash)
    if link:
        out.append(f"{labels['explorer']}{colon}{link}")
    return out
