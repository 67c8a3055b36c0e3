"""A Diagnosis: the rendered answer, as JSON (HTTP, --json) or as text (CLI). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from txdiag.chains import ChainSpec
from txdiag.families.evm.classify.confirmed import confirmations, finality, incomplete
from txdiag.guidance import fmt
from txdiag.guidance.render import Rendered, catalog_for, render, severity_marker, step_lines
from txdiag.models import Classification, Evidence

if TYPE_CHECKING:  # the bitcoin family loads on first use of one of its chains
    from txdiag.families.bitcoin.models import BtcEvidence


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """Everything one answer holds; language-independent parts are shared across languages."""

    evidence: Evidence | BtcEvidence
    classification: Classification
    chain: ChainSpec | None
    rendered: Rendered
    lang: str
    observed_at: datetime

    @classmethod
    def build(
        cls,
        ev: Evidence | BtcEvidence,
        result: Classification,
        chain: ChainSpec | None,
        lang: str,
        observed_at: datetime,
    ) -> Diagnosis:
        if not isinstance(ev, Evidence):
            from txdiag.families.bitcoin import report as bitcoin  # noqa: PLC0415 - the family loads on first use

            return cls(ev, result, chain, bitcoin.rendered(result, ev, chain, lang), lang, observed_at)
        return cls(ev, result, chain, render(result, ev, chain, lang), lang, observed_at)

    @property
    def verdict(self) -> str:
        return self.classification.verdict.value

    def to_json(self) -> dict[str, Any]:
        ev, chain = self.evidence, self.chain
        btc = not isinstance(ev, Evidence)
        if not isinstance(ev, Evidence):
            from txdiag.families.bitcoin import report as bitcoin  # noqa: PLC0415 - the family loads on first use

            parts, tx_doc, network_doc = bitcoin.incomplete(ev), bitcoin.tx_json(ev, chain), bitcoin.network_json(ev)
        else:
            parts, tx_doc, network_doc = incomplete(ev), _tx_json(ev, chain), _network_json(ev)
        chain_json = None
        if chain is not None and (ev.tx is not None or (btc and ev.vanished is not None)):
            chain_json = {"name": chain.name, "chain_id": chain.chain_id}
            if chain.family != "evm":
                chain_json |= {"family": chain.family, "network": chain.network}
        return {
            "hash": ev.hash,
            "chain": chain_json,
            "verdict": self.verdict,
            # False when a check that decides the verdict (recipient code, token, failure reason, the recipient on
            # another chain) could not be made: the verdict may lack its cause; ask again
            "complete": not parts,
            "incomplete_parts": list(parts),
            "summary": self.rendered.summary,
            "findings": [
                {"code": f.code, "severity": f.severity, "message": f.message, "details": dict(f.details)}
                for f in self.rendered.findings
            ],
            "next_steps": list(self.rendered.next_steps),
            "tx": tx_doc,
            "network": network_doc,
            "observed_at": self.observed_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "lang": self.lang,
        }

    def to_text(self) -> str:
        """What a person reads at a glance: verdict, summary, findings, numbered steps."""
        cat = catalog_for(self.lang)
        common, loc = cat.common, cat.locale
        labels = common.labels
        ev, chain = self.evidence, self.chain
        colon = loc.colon
        verdict = common.verdicts[self.verdict]
        out = [
            f"{labels['verdict']}{colon}{verdict.upper() if loc.upper_verdict else verdict}",
            "",
            self.rendered.summary,
            "",
        ]
        out.append(f"{labels['transaction']}{colon}{ev.hash if isinstance(ev, Evidence) else ev.txid}")
        if not isinstance(ev, Evidence):
            if chain is not None:
                from txdiag.families.bitcoin import report as bitcoin  # noqa: PLC0415 - the family loads on first use

                out += bitcoin.text_lines(ev, chain, labels, colon)
        elif chain is not None and ev.tx is not None:
            out.append(f"{labels['chain']}{colon}{chain.name} ({chain.chain_id})")
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
        out += ["", f"{labels['findings']}{colon.strip()}"]
        out += [f"  {severity_marker(f.severity)} [{f.code}] {f.message}" for f in self.rendered.findings]
        out += ["", f"{labels['next_steps']}{colon.strip()}"]
        out += [f"  {line}" for line in step_lines(self.rendered.next_steps)]
        return "\n".join(out)


def _tx_json(ev: Evidence, chain: ChainSpec | None) -> dict[str, Any] | None:
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


def _network_json(ev: Evidence) -> dict[str, Any] | None:
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
