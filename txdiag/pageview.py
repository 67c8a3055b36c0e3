"""The page for people: what the templates show, built from a Diagnosis. Pure: no I/O, no aiohttp.

The page shows what the API answers (``Diagnosis.to_json()``), laid out for a
person: the verdict as a badge, the summary, numbered steps, the transaction's
facts, the findings folded away, and a plain-text ticket for a support desk.
Templates are Jinja2 with autoescaping on, so text from chain data (token
symbols, revert reasons) can only ever be text. Every label comes from the
catalogs (``Common.page`` in ``guidance/catalogs/<lang>.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jinja2

from txdiag.guidance import fmt
from txdiag.guidance.render import CATALOGS
from txdiag.report import Diagnosis

# the page's labels, from each language's catalog file (``Common.page``)
PAGE_WORDS: Mapping[str, Mapping[str, str]] = {tag: catalog.common.page for tag, catalog in CATALOGS.items()}
VERDICT_ICONS = {"confirmed": "✓", "delayed": "◷", "failed": "✕", "misdirected": "⚠", "not_found": "?"}
MIN_REFRESH = 15  # seconds: a phone is not reloaded faster than this, however short the block time
MAX_REFRESH = 300
# the numbers a support desk needs, when a finding carries them
TICKET_NUMBERS = (
    "block",
    "confirmations",
    "required",
    "nonce",
    "missing_nonces",
    "max_fee_per_gas",
    "max_priority_fee_per_gas",
    "gas_price",
    "base_fee_per_gas",
    "next_base_fee_per_gas",
    "suggested_max_fee_per_gas",
    "suggested_max_priority_fee_per_gas",
    "market_tip",
    "tip",
    "gas_used",
    "gas_limit",
)


def words(lang: str) -> Mapping[str, str]:
    """The page's labels in ``lang``."""
    return PAGE_WORDS[lang]


def environment() -> jinja2.Environment:
    """The template environment: package templates, autoescaping always on, undefined names are errors."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("txdiag", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass(frozen=True, slots=True)
class Chrome:
    """What every page has: language, links to the other language, asset URLs, the chains to choose from."""

    lang: str
    lang_links: Sequence[tuple[str, str, str, bool]]  # (language tag, its name, URL, current?)
    css: str
    js: str
    icon: str
    chains: Sequence[str]

    @property
    def words(self) -> Mapping[str, str]:
        return PAGE_WORDS[self.lang]

    @property
    def safety(self) -> str:
        return CATALOGS[self.lang].common.safety


@dataclass(frozen=True, slots=True)
class FormView:
    """The form, with what was entered and, after bad input, the error in words."""

    hash: str = ""
    chain: str = ""
    expected_to: str = ""
    error: str | None = None
    error_field: str | None = None  # "hash", "expected_to", "chain" or None when it is about the whole request


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str
    mono: bool = False  # hashes and addresses: monospace, broken anywhere


@dataclass(frozen=True, slots=True)
class FindingView:
    code: str
    severity: str
    severity_label: str
    message: str


@dataclass(frozen=True, slots=True)
class ResultView:
    verdict: str
    verdict_label: str
    verdict_icon: str
    summary: str
    steps: Sequence[str]
    facts: Sequence[Fact]
    findings: Sequence[FindingView]
    explorer: str | None
    ticket: str
    refresh: int | None
    incomplete: bool
    form: FormView = field(default_factory=FormView)


def result_view(d: Diagnosis, expected_to: str | None = None) -> ResultView:
    """Everything the result page shows, in the diagnosis's language."""
    data = d.to_json()
    lang = d.lang
    w = PAGE_WORDS[lang]
    verdict = data["verdict"]
    safety = CATALOGS[lang].common.safety
    # the safety notice is shown on its own, always; the steps are the rest
    steps = [s for s in data["next_steps"] if s != safety]
    findings = [
        FindingView(f["code"], f["severity"], w.get(f"severity_{f['severity']}", f["severity"]), f["message"])
        for f in data["findings"]
    ]
    chain = d.chain
    return ResultView(
        verdict=verdict,
        verdict_label=CATALOGS[lang].common.verdicts[verdict],
        verdict_icon=VERDICT_ICONS[verdict],
        summary=data["summary"],
        steps=steps,
        facts=_facts(data, w, expected_to),
        findings=findings,
        explorer=chain.explorer_link(data["hash"]) if chain is not None and data["tx"] is not None else None,
        ticket=ticket(d, expected_to, data),
        refresh=refresh_seconds(d, data),
        incomplete=data.get("complete") is False,
    )


def _facts(data: Mapping[str, Any], w: Mapping[str, str], expected_to: str | None) -> list[Fact]:
    out = [Fact(w["hash"], data["hash"], mono=True)]
    chain = data.get("chain")
    if chain:
        out.append(Fact(w["chain"], _chain_label(chain)))
    tx = data.get("tx")
    if tx:
        block = tx.get("block")
        out.append(Fact(w["block"], str(block) if block is not None else w["not_in_block"]))
        if block is not None:
            out.append(Fact(w["confirmations"], str(tx.get("confirmations") or 0)))
            out.append(Fact(w["final"], w["yes"] if tx.get("finalized") else w["no"]))
        if tx.get("from"):  # the bitcoin family has no sender field: its inputs are outpoints
            out.append(Fact(w["from"], tx["from"], mono=True))
        if tx.get("to"):
            out.append(Fact(w["to"], tx["to"], mono=True))
        if tx.get("value_display"):
            out.append(Fact(w["value"], tx["value_display"]))
        for t in tx.get("token_transfers") or ():
            asset = t.get("symbol") or t["token"]
            if t.get("amount") is not None:
                amount = f"{t['amount']} {asset}"
            else:
                amount = w["token_raw"].format(value=t["value"], asset=asset)
            out.append(
                Fact(w["tokens"], w["token_transfer"].format(amount=amount, sender=t["from"], recipient=t["to"]))
            )
    if expected_to:
        out.append(Fact(w["expected_to"], expected_to, mono=True))
    out.append(Fact(w["checked_at"], data["observed_at"]))
    return out


def ticket(d: Diagnosis, expected_to: str | None = None, data: Mapping[str, Any] | None = None) -> str:
    """The plain text a support desk needs: hash, chain, verdict, codes, key numbers. Nothing secret.

    Labels are in the page's language; codes and numbers are the stable ones
    of the API, so a desk can match them whatever language the person reads.
    """
    data = d.to_json() if data is None else data
    w = PAGE_WORDS[d.lang]
    colon = "：" if d.lang == "zh-CN" else ": "
    lines = [w["ticket_title"], f"{w['hash']}{colon}{data['hash']}"]
    chain = data.get("chain")
    if chain:
        lines.append(f"{w['chain']}{colon}{_chain_label(chain)}")
    lines.append(f"{w['verdict_label']}{colon}{data['verdict']}")
    lines.append(f"{w['ticket_codes']}{colon}{', '.join(f['code'] for f in data['findings']) or '-'}")
    tx = data.get("tx")
    numbers: dict[str, str] = {}
    if tx:
        if tx.get("block") is not None:
            numbers["block"] = str(tx["block"])
            numbers["confirmations"] = str(tx.get("confirmations") or 0)
            numbers["finalized"] = "true" if tx.get("finalized") else "false"
        if isinstance(tx.get("nonce"), int):
            numbers["nonce"] = str(tx["nonce"])
        for key in (
            "max_fee_per_gas",
            "max_priority_fee_per_gas",
            "gas_price",
            "gas_limit",
            "gas_used",
            "fee",
            "vsize",
        ):
            if isinstance(tx.get(key), int):
                numbers[key] = _number(key, tx[key])
    for f in data["findings"]:
        for key in TICKET_NUMBERS:
            value = f["details"].get(key)
            if key not in numbers and _is_number(value):
                numbers[key] = _number(key, value)
    network = data.get("network") or {}
    if isinstance(network.get("next_base_fee_per_gas"), int) and "next_base_fee_per_gas" not in numbers:
        numbers["next_base_fee_per_gas"] = _number("next_base_fee_per_gas", network["next_base_fee_per_gas"])
    if data.get("complete") is False:
        numbers["incomplete_parts"] = ", ".join(str(p) for p in data.get("incomplete_parts") or ()) or "-"
    if numbers:
        lines.append(f"{w['ticket_numbers']}{colon.rstrip()}")
        lines += [f"  {k} = {v}" for k, v in numbers.items()]
    if tx and tx.get("from"):
        lines.append(f"{w['from']}{colon}{tx['from']}")
    if tx and tx.get("to"):
        lines.append(f"{w['to']}{colon}{tx['to']}")
    if expected_to:
        lines.append(f"{w['expected_to']}{colon}{expected_to}")
    lines.append(f"{w['checked_at']}{colon}{data['observed_at']}")
    return "\n".join(lines)


def _chain_label(chain: Mapping[str, Any]) -> str:
    """``ethereum (1)``; a Bitcoin-family chain by its network: ``bitcoin (main)``."""
    ident = chain.get("chain_id") if chain.get("chain_id") is not None else chain.get("network")
    return f"{chain['name']} ({ident})"


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, list | tuple) and bool(value) and all(isinstance(v, int) for v in value)


def _number(key: str, value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if key.endswith("_per_gas") or key in ("gas_price", "market_tip", "tip"):
        return f"{value} wei ({fmt.gwei_rounded(value)} gwei)"
    return str(value)


def refresh_seconds(d: Diagnosis, data: Mapping[str, Any] | None = None) -> int | None:
    """When the page of a pending or not-yet-final transaction should look again: about a block time."""
    tx = (d.to_json() if data is None else data)["tx"]
    if d.chain is None or tx is None or (tx.get("block") is not None and tx.get("finalized")):
        return None
    return int(min(MAX_REFRESH, max(MIN_REFRESH, round(d.chain.block_time))))


def lang_links(path: str, query: Mapping[str, str], current: str) -> list[tuple[str, str, str, bool]]:
    """Links to this same page in every language (the switch works without JavaScript)."""
    out = []
    for lang, words in PAGE_WORDS.items():
        name = words["language_name"]  # each language named in itself, as a switch shows them
        params = {k: v for k, v in query.items() if k != "lang" and v}
        params["lang"] = lang
        out.append((lang, name, f"{path}?{urlencode(params)}", lang == current))
    return out
