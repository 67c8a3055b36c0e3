"""A Diagnosis: the rendered answer, as JSON (HTTP, --json) or as text (CLI). Pure.

The parts that differ by family (the tx and network JSON, the text lines, the rendering) are each family's
``report`` module: ``families.evm.report`` always, ``families.bitcoin.report`` on the first use of its chains.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from txdiag.chains import ChainSpec
from txdiag.families.evm import report as evm
from txdiag.guidance.render import Rendered, catalog_for, severity_marker, step_lines
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
        return cls(ev, result, chain, evm.rendered(result, ev, chain, lang), lang, observed_at)

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
            parts, tx_doc, network_doc = evm.incomplete(ev, chain), evm.tx_json(ev, chain), evm.network_json(ev)
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
        elif chain is not None:
            out += evm.text_lines(ev, chain, labels, colon, loc)
        out += ["", f"{labels['findings']}{colon.strip()}"]
        out += [f"  {severity_marker(f.severity)} [{f.code}] {f.message}" for f in self.rendered.findings]
        out += ["", f"{labels['next_steps']}{colon.strip()}"]
        out += [f"  {line}" for line in step_lines(self.rendered.next_steps)]
        return "\n".join(out)
