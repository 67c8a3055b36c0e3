"""Findings -> words, in the requested language. Pure: catalogs in, strings out.

Placeholders are filled from the finding's details plus a few facts about the
transaction and chain. Derived forms are added once, here, so the catalogs can
show people what the details carry for machines:

    key ending in ``_per_gas``   ->  ``{key}_gwei``      (wei per gas as gwei)
    key ending in ``_wei``       ->  ``{stem}_native``   (wei as the chain's coin, exact)
    key ending in ``_sat``       ->  ``{stem}_native``   (satoshis as the chain's coin: bitcoin family)
    key ending in ``_seconds``   ->  ``{stem}``          (a short duration)
    a list                       ->  items joined by commas

Which steps a finding has, and when each is shown, is written out in
``steps.py``; the words come from the language's catalog (``catalogs/``), the
way the language writes lists, durations and numbers from its ``Locale``. The
summary and messages must always render (a test checks every catalog entry).
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
from txdiag.guidance.catalog import Catalog, Entry
from txdiag.guidance.catalogs import discover
from txdiag.guidance.locale import Lang, Locale
from txdiag.guidance.steps import EXPLANATIONS, STEPS, Step
from txdiag.models import TOKEN_AMOUNT_KEYS, Classification, Code, Evidence, Severity, Verdict

log = logging.getLogger(__name__)

CATALOGS: Mapping[str, Catalog] = discover()  # the shipped languages, by tag


def catalog_for(lang: str) -> Catalog:
    """The catalog of a language tag (a ``Lang`` or the tag of any catalog file found)."""
    return discover()[lang]


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


def facts(
    details: Mapping[str, Any], ev: Evidence | None, chain: ChainSpec | None, lang: str | Catalog
) -> dict[str, str]:
    """Every placeholder value a template may use, as display strings."""
    cat = lang if isinstance(lang, Catalog) else catalog_for(lang)
    loc = cat.locale
    out = _context(ev, chain)
    decimals = chain.native_decimals if chain is not None else 18
    terms = loc.terms
    shown = amounts(details)
    for key, value in details.items():
        if value is None:
            continue
        out[key] = _show(value, loc)
        if isinstance(value, int) and not isinstance(value, bool):
            if key.endswith("_per_gas") or key in ("tip", "market_tip", "gas_price", "suggested_gas_price"):
                out[f"{key}_gwei"] = loc.number(fmt.gwei_rounded(value))
            if key.endswith(("_wei", "_sat")):  # wei, or satoshis (bitcoin family), as the chain's coin
                out[f"{key.rsplit('_', 1)[0]}_native"] = loc.number(fmt.units(value, decimals))
            if key.endswith("_seconds"):
                out[key.removesuffix("_seconds")] = loc.duration(value)
    out.update({key: loc.number(value) for key, value in shown.items()})
    _worded(details, out, cat)
    explanation = details.get("explanation")
    if isinstance(explanation, str):
        # the first of the key's sentences whose facts are all known (steps.EXPLANATIONS; the last needs none)
        sentences = cat.explanations.get(explanation, ())
        for needs, template in zip(EXPLANATIONS.get(explanation, ()), sentences, strict=False):
            if all(_known(n, details, out) for n in needs) and (text := fill(template, out)) is not None:
                out["explanation_text"] = text
                break
    if details.get("decimals_known") is False and "asset" in out:
        out["asset"] += terms["smallest_units"]
    out.update(_nft_words(details, out, terms))
    out.update(_genuine_words(out, terms))
    parts = details.get("parts")
    if isinstance(parts, list | tuple):
        out["parts"] = loc.join(_part(str(p), cat) for p in parts)
    if "finality_source" in details:
        template = terms.get(str(details["finality_source"]), "")
        try:
            out["finality"] = template.format_map(_Facts(out))
        except _Missing:
            out["finality"] = template
    return out


def _context(ev: Evidence | None, chain: ChainSpec | None) -> dict[str, str]:
    """Facts about the transaction and chain every template may use."""
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
    return out


def amounts(details: Mapping[str, Any]) -> dict[str, str]:
    """Amounts for people, from the smallest units and decimals a finding carries (language-neutral strings).

    ``units`` + ``decimals`` -> ``amount``; each revert number that is a token amount
    (``balance``, ``needed``, ...) -> ``{key}_amount``, in ``token_decimals`` when known.
    Without decimals an amount stays in the token's smallest units.
    """
    out: dict[str, str] = {}
    units = details.get("units")
    if isinstance(units, int) and not isinstance(units, bool):
        decimals = details.get("decimals")
        out["amount"] = fmt.units(units, decimals) if isinstance(decimals, int) else str(units)
    token_decimals = details.get("token_decimals")
    for key in TOKEN_AMOUNT_KEYS:
        value = details.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            out[f"{key}_amount"] = fmt.units(value, token_decimals) if isinstance(token_decimals, int) else str(value)
    return out


def _worded(details: Mapping[str, Any], out: dict[str, str], cat: Catalog) -> None:
    """Facts a finding carries as codes, in the catalog's words: the revert reason, why no method could tell."""
    kind = details.get("reason_kind")
    if isinstance(kind, str) and kind in cat.common.revert_reasons:
        out["reason"] = fill(cat.common.revert_reasons[kind], out) or out.get("reason", "")
    unanswered = details.get("reason_unavailable")
    if isinstance(unanswered, list | tuple):
        out["reason_unavailable"] = cat.locale.join(_unanswered(str(code), cat) for code in unanswered)


def _unanswered(code: str, cat: Catalog) -> str:
    """A ``"method:why"`` code (models.Unanswered) in words; the method's name is shown as it is."""
    method, _, why = code.rpartition(":")
    words = cat.common.node_reasons
    if method in ("", "node"):
        return words["node"]
    return words.get(why, words["error"]).format(method=method)


def _known(fact: str, details: Mapping[str, Any], values: Mapping[str, str]) -> bool:
    return fact in values or details.get(fact) is not None


def _nft_words(details: Mapping[str, Any], out: Mapping[str, str], terms: Mapping[str, str]) -> dict[str, str]:
    """An NFT's ``{amount} {asset}``: "NFT #7" "of KIT" in English, "KIT 的 NFT" "#7" in Chinese."""
    if details.get("nft") is not True or "token_id" not in out or "collection" not in out:
        return {}
    names = {"token_id": out["token_id"], "collection": out["collection"], "count": out.get("nft_count", "1")}
    amount = terms["nft_amount_many"] if "nft_count" in out else terms["nft_amount"]
    return {"amount": amount.format(**names), "asset": terms["nft_asset"].format(**names)}


def _genuine_words(out: Mapping[str, str], terms: Mapping[str, str]) -> dict[str, str]:
    """A well-known token for people: "Tether's USDT" when the chain file names the issuer, else "the real USDT";
    and what the impostor calls itself: the listed symbol, or a look-alike of it and the characters that differ."""
    if "symbol_claimed" not in out:
        return {}
    template = terms["issued_token"] if "issuer" in out else terms["listed_token"]
    claim = terms["imitates_symbol"] if "symbol_shown" in out and "lookalike_chars" in out else terms["claims_symbol"]
    return {"genuine_name": template.format_map(out), "claim": claim.format_map(out)}


def _part(part: str, cat: Catalog) -> str:
    words = cat.common.parts
    prefix, sep, name = part.partition(":")
    if sep and prefix + ":" in words:
        return words[prefix + ":"].format(name=name)
    return words.get(part, part)


def _show(value: Any, loc: Locale) -> str:
    if isinstance(value, bool):
        return loc.yes_no(value)
    if isinstance(value, list | tuple):
        return loc.join(_show(v, loc) for v in value)
    if isinstance(value, Mapping):
        return loc.join(f"{k}={_show(v, loc)}" for k, v in value.items())
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


def render(
    classification: Classification,
    ev: Evidence | None,
    chain: ChainSpec | None,
    lang: str = Lang.EN,
    *,
    catalogs: Mapping[str, Catalog] | None = None,
    steps_of: Mapping[Code, tuple[Step, ...]] | None = None,
    known: Mapping[str, str] | None = None,
) -> Rendered:
    """Summary, one message per finding, and numbered next steps ending with the safety notice.

    The summary comes from the most serious finding that says *why* (a generic
    "still waiting" leads only when nothing more specific is known). Next steps
    come only from findings of the verdict's own class and from soft findings:
    a misdirected transfer gets no "speed it up", a lost one no "nothing to do".

    A chain family with its own words passes its ``catalogs`` and ``steps_of``,
    and the facts about its transaction as ``known`` (``hash``, ``explorer``).
    """
    cat = catalogs[lang] if catalogs is not None else catalog_for(lang)
    plans = STEPS if steps_of is None else steps_of
    findings: list[RenderedFinding] = []
    steps: list[str] = []
    deferred: list[str] = []
    leads: list[tuple[Entry, dict[str, str], bool]] = []
    verdict = classification.verdict
    specific = any(f.verdict is verdict and f.code.escalates and f.code not in GENERIC for f in classification.findings)
    for finding in classification.findings:
        entry = cat.entries[finding.code]
        values = {**(known or {}), **facts(finding.details, ev, chain, cat)}
        message = fill(entry.message, values) or fill(entry.summary, values) or entry.message
        details = {**finding.details, **amounts(finding.details)}
        findings.append(RenderedFinding(finding.code.value, finding.severity.value, message, details))
        same_class = finding.verdict is verdict
        generic = finding.code in GENERIC and specific
        if same_class and (finding.code.escalates or verdict is Verdict.NOT_FOUND) and not generic:
            leads.append((entry, values, bool(finding.details.get("pending"))))
        if not (same_class or not finding.code.escalates):
            continue
        # with a specific cause known, a generic finding keeps only its first step (its warning), after the cause's
        plan = plans.get(finding.code, ())
        for step_plan in plan[:1] if generic else plan:
            step = _step(step_plan, entry, finding.code, finding.details, values)
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
        summary = cat.common.verdicts[verdict.value] + "."
    summary = _incomplete_summary(classification, ev, chain, cat, summary)
    steps = steps[: MAX_STEPS - 1] if len(steps) >= MAX_STEPS else steps
    steps.append(cat.common.safety)
    return Rendered(summary, tuple(findings), tuple(steps))


# parts (Evidence.unchecked) that say only how final a transaction is, not where it went: the head checked against
# the block's time, the network's finalized block
_FINALITY_PARTS = frozenset({"confirmations", "finalized"})


def _incomplete_summary(
    classification: Classification, ev: Evidence | None, chain: ChainSpec | None, cat: Catalog, summary: str
) -> str:
    """Never a silent all-clear: when a deciding check could not be made, the summary says which and what it means.

    An all-clear ("confirmed") is replaced; any other verdict's summary keeps its cause and gains a note (a "not
    found" whose chains could not all be asked among them).
    """
    entry = cat.entries[Code.UNCHECKED]
    for finding in classification.findings:
        deciding = finding.details.get("deciding") if finding.code in (Code.UNCHECKED, Code.NOT_FOUND) else None
        if not deciding:
            continue
        values = facts(finding.details, ev, chain, cat)
        values["deciding"] = cat.locale.join(_part(str(p), cat) for p in deciding)
        if classification.verdict is Verdict.CONFIRMED and entry.incomplete_summary:
            template = entry.incomplete_summary
            if entry.incomplete_final_summary and {str(p) for p in deciding} <= _FINALITY_PARTS:
                template = entry.incomplete_final_summary  # where it went was checked; how final it is was not
            return fill(template, values) or summary
        note = fill(entry.incomplete_note, values) if entry.incomplete_note else None
        return f"{summary}{cat.locale.terms.get('sentence_gap', ' ')}{note}" if note else summary
    return summary


def _step(plan: Step, entry: Entry, code: Code, details: Mapping[str, Any], values: Mapping[str, str]) -> str | None:
    """The words of one step when its condition holds (steps.STEPS), else None."""
    if not all(_known(n, details, values) for n in plan.needs) or any(_known(n, details, values) for n in plan.unless):
        return None
    text = fill(entry.steps[plan.name], values)
    if text is None:
        # the catalog uses a fact the step does not name as needed: a catalog bug the tests catch
        log.error("step %s of %s uses a fact it does not need", plan.name, code.value)
    return text


def severity_marker(severity: str) -> str:
    return {Severity.ERROR.value: "✖", Severity.WARNING.value: "!", Severity.INFO.value: "·"}.get(severity, "·")


def step_lines(steps: Sequence[str]) -> list[str]:
    return [f"{i}. {s}" for i, s in enumerate(steps, 1)]
