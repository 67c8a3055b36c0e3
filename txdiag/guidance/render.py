"""Findings -> words, in the requested language. Pure: catalogs in, strings out.

Placeholders are filled from the finding's details plus a few facts about the
transaction and chain. Derived forms are added once, here, so the catalogs can
show people what the details carry for machines:

    key ending in ``_per_gas``   ->  ``{key}_gwei``      (wei per gas as gwei)
    key ending in ``_wei``       ->  ``{stem}_native``   (wei as the chain's coin, exact)
    key ending in ``_seconds``   ->  ``{stem}``          (a short duration)
    a list                       ->  items joined by commas

A step that needs a fact the diagnosis does not have is left out; the summary
and messages must always render (a test checks every catalog entry).
"""

from __future__ import annotations

import logging
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from txdiag.chains import ChainSpec
from txdiag.guidance import fmt
from txdiag.guidance.catalog import Common, Entry
from txdiag.guidance.messages import common, confirmed, delayed, failed, misdirected
from txdiag.models import Classification, Code, Evidence, Severity, Verdict

log = logging.getLogger(__name__)

CATALOGS: dict[str, dict[Code, Entry]] = {
    "en": {**confirmed.EN, **delayed.EN, **failed.EN, **misdirected.EN},
    "zh-CN": {**confirmed.ZH, **delayed.ZH, **failed.ZH, **misdirected.ZH},
}
COMMON: dict[str, Common] = {"en": common.EN, "zh-CN": common.ZH}
EXPLANATIONS: dict[str, dict[str, tuple[str, ...]]] = {"en": failed.EXPLAIN_EN, "zh-CN": failed.EXPLAIN_ZH}
TERMS: dict[str, dict[str, str]] = {
    "en": {
        "finalized_tag": "finalized by the network",
        "confirmations": "enough confirmations ({required})",
        "yes": "yes",
        "no": "no",
        "smallest_units": " (in the token's smallest units)",
    },
    "zh-CN": {
        "finalized_tag": "已被网络最终确认",
        "confirmations": "已达到所需确认数（{required}）",
        "yes": "是",
        "no": "否",
        "smallest_units": "（按代币最小单位计）",
    },
}
LIST_SEPARATOR = {"en": ", ", "zh-CN": "、"}
# what could not be checked (Evidence.unchecked), in words; "chain:X" and "code_on:X" name a chain
PARTS: dict[str, dict[str, str]] = {
    "en": {
        "fee_history": "recent network fees",
        "pool": "the network's pending pool",
        "finalized": "the network's finalized block",
        "safe": "the network's safe block",
        "sender": "the sender's nonces and pending transactions",
        "sender_nonce": "the sender's nonces",
        "sender_pool": "the sender's pending transactions",
        "token": "token names and decimals",
        "failure": "the reason the transaction failed",
        "recipient": "the recipient's details and history",
        "recipient_code": "whether the recipient is a contract",
        "sender_history": "the sender's recent transfers",
        "chain:": "the network {name}",
        "code_on:": "the recipient on {name}",
    },
    "zh-CN": {
        "fee_history": "近期网络费",
        "pool": "网络的待处理交易池",
        "finalized": "网络的最终确认区块",
        "safe": "网络的安全区块",
        "sender": "发送方的 nonce 和待处理交易",
        "sender_nonce": "发送方的 nonce",
        "sender_pool": "发送方的待处理交易",
        "token": "代币名称和精度",
        "failure": "交易失败的原因",
        "recipient": "收款地址的信息和历史",
        "recipient_code": "收款地址是否为合约",
        "sender_history": "发送方的近期转账",
        "chain:": "{name} 网络",
        "code_on:": "{name} 上的收款地址",
    },
}
# a finding that only says "it is waiting": it leads only when no finding says why
GENERIC = frozenset({Code.PENDING})
MAX_STEPS = 6


@dataclass(frozen=True, slots=True)
class RenderedFinding:
    code: str
    severity: str
    message: str
    details: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Rendered:
    summary: str
    findings: tuple[RenderedFinding, ...]
    next_steps: tuple[str, ...]


class _Missing(KeyError):
    pass


class _Facts(dict[str, str]):
    def __missing__(self, key: str) -> str:
        raise _Missing(key)


def placeholders(template: str) -> set[str]:
    """The names a template refers to."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def facts(details: Mapping[str, Any], ev: Evidence | None, chain: ChainSpec | None, lang: str) -> dict[str, str]:
    """Every placeholder value a template may use, as display strings."""
    out: dict[str, str] = {}
    if chain is not None:
        out["chain"] = chain.name
        out["chain_id"] = str(chain.chain_id)
        out["symbol"] = chain.native_symbol
    if ev is not None:
        out["hash"] = ev.hash
        if chain is not None and ev.tx is not None:
            link = chain.explorer_link(ev.hash)
            if link:
                out["explorer"] = link
        if ev.tx is not None:
            out["nonce"] = str(ev.tx.nonce)
            out["sender"] = ev.tx.sender
            if ev.tx.to:
                out["to"] = ev.tx.to
    decimals = chain.native_decimals if chain is not None else 18
    terms = TERMS[lang]
    for key, value in details.items():
        if value is None:
            continue
        out[key] = _show(value, terms, LIST_SEPARATOR[lang])
        if isinstance(value, int) and not isinstance(value, bool):
            if key.endswith("_per_gas") or key in ("tip", "market_tip", "gas_price", "suggested_gas_price"):
                out[f"{key}_gwei"] = fmt.gwei_rounded(value)
            if key.endswith("_wei"):
                out[f"{key.removesuffix('_wei')}_native"] = fmt.units(value, decimals)
            if key.endswith("_seconds"):
                out[key.removesuffix("_seconds")] = fmt.duration(value, lang)
    explanation = details.get("explanation")
    if isinstance(explanation, str):
        # the first of the key's sentences whose facts are all known (the last needs none)
        for template in EXPLANATIONS[lang].get(explanation, ()):
            text = fill(template, out)
            if text is not None:
                out["explanation_text"] = text
                break
    if details.get("decimals_known") is False and "asset" in out:
        out["asset"] += terms["smallest_units"]
    parts = details.get("parts")
    if isinstance(parts, list | tuple):
        out["parts"] = LIST_SEPARATOR[lang].join(_part(str(p), lang) for p in parts)
    if "finality_source" in details:
        template = terms.get(str(details["finality_source"]), "")
        try:
            out["finality"] = template.format_map(_Facts(out))
        except _Missing:
            out["finality"] = template
    return out


def _part(part: str, lang: str) -> str:
    words = PARTS[lang]
    prefix, sep, name = part.partition(":")
    if sep and prefix + ":" in words:
        return words[prefix + ":"].format(name=name)
    return words.get(part, part)


def _show(value: Any, terms: Mapping[str, str], sep: str = ", ") -> str:
    if isinstance(value, bool):
        return terms["yes"] if value else terms["no"]
    if isinstance(value, list | tuple):
        return sep.join(_show(v, terms, sep) for v in value)
    if isinstance(value, Mapping):
        return sep.join(f"{k}={_show(v, terms, sep)}" for k, v in value.items())
    if isinstance(value, str) and _ISO_TIME.fullmatch(value):
        # times are shown to people in UTC to the minute, not as ISO 8601
        return value[:10] + " " + value[11:16] + " UTC"
    return str(value)


_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|\+00:00)")


def fill(template: str, values: Mapping[str, str]) -> str | None:
    """The template with its placeholders filled, or None when a fact is missing."""
    try:
        return template.format_map(_Facts(values))
    except _Missing:
        return None
    except (ValueError, IndexError):
        log.error("malformed catalog template: %r", template[:60])
        return None


def render(classification: Classification, ev: Evidence | None, chain: ChainSpec | None, lang: str) -> Rendered:
    """Summary, one message per finding, and numbered next steps ending with the safety notice.

    The summary comes from the most serious finding that says *why* (a generic
    "still waiting" leads only when nothing more specific is known). Next steps
    come only from findings of the verdict's own class and from soft findings:
    a misdirected transfer gets no "speed it up", a lost one no "nothing to do".
    """
    catalog = CATALOGS[lang]
    findings: list[RenderedFinding] = []
    steps: list[str] = []
    deferred: list[str] = []
    leads: list[tuple[Entry, dict[str, str], bool]] = []
    verdict = classification.verdict
    specific = any(
        f.code.verdict is verdict and f.code.escalates and f.code not in GENERIC for f in classification.findings
    )
    for finding in classification.findings:
        entry = catalog[finding.code]
        values = facts(finding.details, ev, chain, lang)
        message = fill(entry.message, values) or fill(entry.summary, values) or entry.message
        findings.append(RenderedFinding(finding.code.value, finding.severity.value, message, finding.details))
        same_class = finding.code.verdict is verdict
        generic = finding.code in GENERIC and specific
        if same_class and (finding.code.escalates or verdict is Verdict.NOT_FOUND) and not generic:
            leads.append((entry, values, bool(finding.details.get("pending"))))
        if not (same_class or not finding.code.escalates):
            continue
        # with a specific cause known, a generic finding keeps only its first step (its warning), after the cause's
        templates = entry.steps[:1] if generic else entry.steps
        for template in templates:
            step = fill(template, values)
            if step and step not in steps:
                (deferred if generic else steps).append(step)
    steps += [s for s in deferred if s not in steps]
    summary = None
    for entry, values, pending in leads:
        template = entry.pending_summary if pending and entry.pending_summary else entry.summary
        summary = fill(template, values)
        if summary:
            break
    if summary is None:
        summary = _fallback_summary(verdict, lang)
    steps = steps[: MAX_STEPS - 1] if len(steps) >= MAX_STEPS else steps
    steps.append(COMMON[lang].safety)
    return Rendered(summary, tuple(findings), tuple(steps))


def _fallback_summary(verdict: Verdict, lang: str) -> str:
    return COMMON[lang].verdicts[verdict.value] + "."


def severity_marker(severity: str) -> str:
    return {Severity.ERROR.value: "✖", Severity.WARNING.value: "!", Severity.INFO.value: "·"}.get(severity, "·")


def step_lines(steps: Sequence[str]) -> list[str]:
    return [f"{i}. {s}" for i, s in enumerate(steps, 1)]
