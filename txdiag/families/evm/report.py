"""The EVM family's part of a Diagnosis: its tx and network JSON, its text lines, its rendering. Pure."""

from __future__ import annotations

from typing import Any

from txdiag.chains import ChainSpec
from txdiag.families.evm.classify import confirmed
from txdiag.families.evm.classify.confirmed import confirmations, finality
from txdiag.guidance import fmt
from txdiag.guidance.locale import Locale
from txdiag.guidance.render import Rendered, render
from txdiag.models import Classification, Evidence


def incomplete(ev: Evidence, chain: ChainSpec | None) -> tuple[str, ...]:
    """The deciding checks that could not be made for a found transaction (empty: the answer is complete)."""
    return confirmed.incomplete(ev, chain)


def rendered(result: Classification, ev: Evidence, chain: ChainSpec | None, lang: str) -> Rendered:
    return render(result, ev, chain, lang)


def tx_json(ev: Evidence, chain: ChainSpec | None) -> dict[str, Any] | None:
    tx = ev.tx
    if tx is None:
        return None
    decimals = chain.native_decimals if chain else 18
    mined = ev.receipt is not None and chain is not None
    return {
        "from": tx.sender,
        "to": tx.to,
        "nonce": tx.nonce,
        "type": tx.type,
        "value": str(tx.value),
        "value_display": fmt.units(tx.value, decimals) + (f" {chain.native_symbol}" if chain else ""),
        "gas_limit": tx.gas,
        "max_fee_per_gas": tx.max_fee_per_gas,
        "max_priority_fee_per_gas": tx.max_priority_fee_per_gas,
        "gas_price": tx.gas_price,
        "status": ev.status.value,
        "block": ev.block_number,
        "gas_used": ev.receipt.gas_used if ev.receipt else None,
        "confirmations": confirmations(ev) if mined else 0,
        "finalized": finality(ev, chain)[0] if mined and chain is not None else False,
        "token_transfers": [
            {
                "token": t.token,
                "symbol": t.symbol,
                "name": t.name,
                "symbol_hex": t.symbol_hex,
                "name_hex": t.name_hex,
                "decimals": t.decimals,
                "from": t.sender,
                "to": t.recipient,
                "value": str(t.value),
                "amount": fmt.units(t.value, t.decimals) if t.decimals is not None else None,
                "standard": t.standard,
                "token_id": str(t.token_id) if t.token_id is not None else None,
            }
            for t in ev.token_transfers
        ],
    }


def network_json(ev: Evidence) -> dict[str, Any] | None:
    n = ev.network
    if n is None:
        return None
    return {
        "head": n.head,
        "finalized": n.finalized,
        "safe": n.safe,
        "next_base_fee_per_gas": n.next_base_fee,
        "tip_percentiles": {f"p{p:g}": n.market_tip(p) for p in n.reward_percentiles},
        "gas_used_ratio": round(sum(n.gas_used_ratios) / len(n.gas_used_ratios), 4) if n.gas_used_ratios else None,
        "pool": {"pending": n.pool.pending, "queued": n.pool.queued} if n.pool else None,
        "unavailable": sorted(n.unavailable),
    }


def text_lines(ev: Evidence, chain: ChainSpec, labels: dict[str, str] | Any, colon: str, loc: Locale) -> list[str]:
    """The transaction's lines of the text answer: chain, parties, value, token transfers, block, explorer."""
    if ev.tx is None:
        return []
    out = [f"{labels['chain']}{colon}{chain.name} ({chain.chain_id})"]
    out.append(f"{labels['from']}{colon}{ev.tx.sender}")
    if ev.tx.to:
        out.append(f"{labels['to']}{colon}{ev.tx.to}")
    value = loc.number(fmt.units(ev.tx.value, chain.native_decimals))
    out.append(f"{labels['value']}{colon}{value} {chain.native_symbol}")
    for t in ev.token_transfers:
        asset = t.symbol or t.token
        if t.nft:
            amount = labels["nft"].format(token_id=t.token_id, collection=asset)
        elif t.decimals is not None:
            amount = f"{loc.number(fmt.units(t.value, t.decimals))} {asset}"
        else:
            amount = labels["raw_amount"].format(value=t.value, asset=asset)
        out.append(f"{labels['tokens']}{colon}{amount} {t.sender} -> {t.recipient}")
    if ev.block_number is not None:
        out.append(f"{labels['block']}{colon}{ev.block_number}")
    link = chain.explorer_link(ev.hash)
    if link:
        out.append(f"{labels['explorer']}{colon}{link}")
    return out
