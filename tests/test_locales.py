"""Locales: no English in a Chinese answer, a third language is one file, Babel's CLDR rules where they fit."""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import txdiag.guidance.catalogs as catalogs_package
from tests.support.words import english_words
from txdiag.chains import ChainSpec
from txdiag.families.evm.revert import RevertKind, decode_revert
from txdiag.guidance.catalog import Catalog
from txdiag.guidance.catalogs import discover
from txdiag.guidance.render import CATALOGS, facts, fill, placeholders, render
from txdiag.guidance.steps import EXPLANATIONS
from txdiag.inputs import parse_lang
from txdiag.models import (
    BITCOIN_ONLY_CODES,
    TOKEN_AMOUNT_KEYS,
    Classification,
    Code,
    Evidence,
    Finding,
    Severity,
    Unanswered,
)

ZH = "zh-CN"
EVM_CODES = [c for c in Code if c not in BITCOIN_ONLY_CODES]  # the bitcoin family's own words cover the others
CHAIN = ChainSpec("alpha", 31337, "ETH", 18, 12, 12.0, (), explorer_tx="https://explorer.invalid/tx/{hash}")
ADDRESS = "0x" + "Ab" * 20
HASH = "0x" + "cd" * 32
NAMES = ("alpha", "beta", "STRD")  # chain and token names the evidence gives


def _sample(fact: str) -> Any:
    """A believable value for any fact a sentence may need."""
    if fact in ("recipient", "sender", "lookalike_of", "expected_to", "failing_contract", "balance_holder"):
        return ADDRESS
    if fact in ("replacement_to", "to", "token"):
        return ADDRESS
    if fact in ("replaced_by", "hash"):
        return HASH
    if fact in ("chains", "unreachable", "unconfirmed"):
        return ["alpha", "beta"]
    if fact in ("asked_chain", "sequencer"):
        return "beta"
    if fact == "missing_nonces":
        return [5, 6]
    if fact in ("reached_recently", "looks_alike"):
        return True
    if fact == "last_seen":
        return "2026-01-02T03:04:05Z"
    if fact in ("matching_prefix", "matching_suffix"):
        return "0xabcd"
    if fact in ("asset", "token_symbol", "collection"):
        return "STRD"
    if fact == "message":
        return "insufficient funds for transfer"  # the contract's own text, quoted
    if fact == "node_error":
        return "stack underflow"  # the node's own text, quoted
    if fact == "panic_code":
        return "0x11"
    if fact == "selector":
        return "0xdeadbeef"
    if fact.endswith("_seconds"):
        return 3700
    if fact.endswith(("_per_gas", "_wei")) or fact in ("tip", "market_tip"):
        return 3 * 10**9
    return 7


DERIVED = {"finality", "explanation_text", "amount", "parts", "reason_unavailable"}


def _shown_fact(placeholder: str) -> str:
    """The detail behind a placeholder: ``x_gwei`` shows ``x``, ``x_native`` ``x_wei``, ``eta`` ``eta_seconds``."""
    if placeholder in ("eta", "waiting"):
        return placeholder + "_seconds"
    if placeholder.endswith("_gwei"):
        return placeholder.removesuffix("_gwei")
    if placeholder.endswith("_native"):
        return placeholder.removesuffix("_native") + "_wei"
    return placeholder


def _every_fact() -> dict[str, Any]:
    cat = CATALOGS[ZH]
    templates = [s for sentences in cat.explanations.values() for s in sentences]
    templates += [*cat.common.labels.values()]
    for entry in cat.entries.values():
        templates += [entry.summary, entry.message, entry.pending_summary or "", *entry.steps.values()]
    needed = {_shown_fact(p) for t in templates for p in placeholders(t)} - DERIVED
    details = {n: _sample(n) for n in needed if not n.endswith("_amount")}
    details |= dict.fromkeys(TOKEN_AMOUNT_KEYS, 25 * 10**17) | {"token_decimals": 18, "units": 10**18}
    details |= {"decimals": 18, "finality_source": "finalized_tag", "required": 12, "percentile": 50}
    details |= {"parts": [*CATALOGS[ZH].common.parts], "reason_unavailable": [u.at("eth_call") for u in Unanswered]}
    return details


def _facts(details: dict[str, Any]) -> dict[str, str]:
    ev = Evidence(hash=HASH, chain="alpha", network=None, tx=None)
    return facts(details, ev, CHAIN, ZH)


def test_every_chinese_sentence_is_chinese() -> None:
    """Every zh-CN sentence, filled with every fact it can show, has no English word outside data."""
    values = _facts({**_every_fact(), "explanation": "no_reason"}) | {"value": "7"}
    cat = CATALOGS[ZH]
    texts = [cat.common.safety, *cat.common.verdicts.values(), *cat.common.labels.values()]
    for entry in cat.entries.values():
        texts += [entry.summary, entry.message, entry.pending_summary or "", *entry.steps.values()]
    texts += [s for sentences in cat.explanations.values() for s in sentences]
    for template in texts:
        filled = fill(template, values)
        assert filled is not None, template
        assert english_words(filled, NAMES) == [], filled


@pytest.mark.parametrize("code", EVM_CODES, ids=lambda c: c.value)
def test_every_finding_renders_without_english_in_chinese(code: Code) -> None:
    """A finding of every code, with every fact known, pending or not, renders in zh-CN without English words."""
    for pending in (False, True):
        details = {**_every_fact(), "pending": pending}
        for explanation in [None, *EXPLANATIONS]:
            if explanation is not None and code.verdict.value != "failed":
                continue
            d = details if explanation is None else {**details, "explanation": explanation}
            out = render(Classification.from_findings([Finding(code, Severity.ERROR, d)]), None, CHAIN, ZH)
            for text in (out.summary, *(f.message for f in out.findings), *out.next_steps):
                assert english_words(text, NAMES) == [], (code.value, explanation, text)


REVERTS = {
    RevertKind.EMPTY: b"",
    RevertKind.PANIC: bytes.fromhex("4e487b71" + "11".rjust(64, "0")),
    RevertKind.UNKNOWN: bytes.fromhex("deadbeef"),
    RevertKind.MALFORMED: b"\x01",
}


@pytest.mark.parametrize("kind", list(REVERTS), ids=str)
def test_revert_reasons_come_from_the_catalog(kind: RevertKind) -> None:
    """The decoder's English forms ("reverted without a reason", "unknown error …") never reach a Chinese answer."""
    decoded = decode_revert(REVERTS[kind])
    assert decoded.kind is kind
    details = {"block": 5, "reason": decoded.display(), "reason_kind": kind.value, "selector": decoded.selector}
    if decoded.panic_code is not None:
        details["panic_code"] = f"0x{decoded.panic_code:02x}"
    finding = Finding(Code.REVERTED, Severity.ERROR, details)
    zh = render(Classification.from_findings([finding]), None, CHAIN, ZH).findings[0].message
    en = render(Classification.from_findings([finding]), None, CHAIN, "en").findings[0].message
    assert english_words(zh, NAMES) == [], zh
    assert en == f"Reverted in block 5: {decoded.display()}."  # English keeps the decoder's own form


def test_why_no_method_could_tell_is_said_in_words() -> None:
    """Each way a method could not tell is a code in the finding and a sentence in each language."""
    codes = [u.at("debug_traceTransaction") for u in Unanswered] + ["node:no_answer"]
    for lang in CATALOGS:
        shown = (
            _facts({"reason_unavailable": codes})
            if lang == ZH
            else facts({"reason_unavailable": codes}, None, CHAIN, lang)
        )
        for code in codes:
            assert code not in shown["reason_unavailable"]
    en = facts({"reason_unavailable": [Unanswered.UNSUPPORTED.at("debug_traceTransaction")]}, None, CHAIN, "en")
    assert en["reason_unavailable"] == "debug_traceTransaction: not supported by the node"


def test_the_word_finder_finds_english() -> None:
    """The check can fail: an English sentence, or English beside data, is found."""
    assert english_words("reverted without a reason") == ["reverted", "without", "reason"]
    assert english_words(f"发送到 {ADDRESS}，state not available") == ["state", "not", "available"]
    assert english_words(f'在区块 5 中被回滚：Error("nope")，InsufficientFunds(account={ADDRESS})。') == []


# --- a third language is one file ------------------------------------------------------------

STUB = '''
"""A stub third language (Pig Latin of a sort): every word is the English one, marked, so the test can see it."""

from txdiag.guidance.catalogs.en import CATALOG as _EN
from txdiag.guidance.catalog import Catalog, Common, Entry
from txdiag.guidance.locale import Locale


def _x(text: str) -> str:
    return "[xx] " + text


LOCALE = Locale(tag="xx", cldr="de", list_style="standard", colon=" : ", duration_length="long")
CATALOG = Catalog(
    locale=LOCALE,
    entries={
        code: Entry(
            summary=_x(e.summary),
            message=_x(e.message),
            steps={name: _x(words) for name, words in e.steps.items()},
            pending_summary=None if e.pending_summary is None else _x(e.pending_summary),
        )
        for code, e in _EN.entries.items()
    },
    common=Common(
        safety=_x(_EN.common.safety),
        verdicts=_EN.common.verdicts,
        labels=_EN.common.labels,
        parts=_EN.common.parts,
        revert_reasons=_EN.common.revert_reasons,
        node_reasons=_EN.common.node_reasons,
    ),
    explanations=_EN.explanations,
)
'''


@pytest.fixture
def third_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Catalog:
    """The catalogs package with one more file in it, ``xx.py``, found by discovery like the shipped ones."""
    (tmp_path / "xx.py").write_text(textwrap.dedent(STUB), encoding="utf-8")
    monkeypatch.setattr(catalogs_package, "__path__", [*catalogs_package.__path__, str(tmp_path)])
    discover.cache_clear()
    monkeypatch.delitem(sys.modules, "txdiag.guidance.catalogs.xx", raising=False)
    return discover()["xx"]


@pytest.fixture(autouse=True)
def _fresh_discovery() -> Any:
    yield
    discover.cache_clear()
    sys.modules.pop("txdiag.guidance.catalogs.xx", None)
    importlib.invalidate_caches()


def test_a_third_language_is_one_file(third_language: Catalog) -> None:
    """A file dropped into the catalogs package is a language: chosen by its tag, rendered with its own Locale."""
    assert set(discover()) == {"en", "zh-CN", "xx"}
    assert parse_lang("xx") == "xx"
    assert parse_lang(None, "fr;q=0.9, xx;q=0.5") == "xx"
    finding = Finding(Code.NONCE_GAP, Severity.WARNING, {"nonce": 7, "missing_nonces": [4, 5, 6], "first_missing": 4})
    pending = Finding(Code.PENDING, Severity.WARNING, {"nonce": 7, "waiting_seconds": 3700})
    ev = Evidence(hash=HASH, chain="alpha", network=None, tx=None)
    out = render(Classification.from_findings([finding, pending]), ev, CHAIN, "xx")
    assert out.summary.startswith("[xx] ")
    assert "4, 5 und 6" in out.summary  # the stub's Locale: CLDR's German list pattern
    assert "1 Stunde 1 Minute" in out.findings[1].message  # and CLDR's long German units
    assert out.next_steps[-1].startswith("[xx] ")


def test_the_shipped_catalogs_are_complete_and_alike() -> None:
    """Each shipped catalog covers every code; the stub shows the same checks apply to any new file."""
    for cat in discover().values():
        assert set(cat.entries) == set(EVM_CODES), cat.tag
        assert set(cat.explanations) == set(EXPLANATIONS), cat.tag
        # every shape of revert data, and the node's own error text (quoted as the node's words)
        assert set(cat.common.revert_reasons) == {k.value for k in RevertKind} | {"node_error"}, cat.tag
        assert set(cat.common.node_reasons) == {u.value for u in Unanswered} | {"node"}, cat.tag


# --- Babel where it does the job ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("en-GB,en;q=0.8", "en"),
        ("zh-Hans-HK", "zh-CN"),
        ("zh-SG", "zh-CN"),
        ("zh-TW, en;q=0.1", "en"),  # Traditional Chinese readers are not served Simplified
        ("fr-CA, de", "en"),
    ],
)
def test_accept_language_negotiation(header: str, lang: str) -> None:
    """A regional tag chooses its language; zh-TW does not choose zh-CN; nothing served falls back to English."""
    assert parse_lang(None, header) == lang


def test_lists_and_numbers_follow_the_locale() -> None:
    """English lists are CLDR's unit lists; Chinese enumerates with 、; both group digits with commas."""
    assert CATALOGS["en"].locale.join(["5", "6", "7"]) == "5, 6, 7"
    assert CATALOGS[ZH].locale.join(["5", "6", "7"]) == "5、6、7"
    from babel import Locale as BabelLocale

    for cat in CATALOGS.values():
        symbols = BabelLocale.parse(cat.locale.cldr).number_symbols["latn"]
        assert (cat.locale.group_symbol, cat.locale.decimal_symbol) == (symbols["group"], symbols["decimal"])


# every duration shape: seconds, minutes, hours and minutes, days and hours; ones, zeros, and a grouped number
DURATIONS = [0, 1, 2, 59, 60, 61, 119, 3599, 3600, 3660, 7325, 86_399, 86_400, 90_061, 172_799, 172_800, 266_400]
DURATIONS += [10**8, 10**9 + 7, 3600 * 24 * 1001]


@pytest.mark.parametrize("tag", sorted(CATALOGS))
def test_a_catalogs_cldr_tables_are_babels(tag: str) -> None:
    """A language's copied CLDR patterns (durations, lists) say what Babel says, and Babel is asked without them."""
    import dataclasses

    loc = CATALOGS[tag].locale
    asks_babel = dataclasses.replace(loc, duration_units=None, list_patterns=None)
    assert loc.duration_units is not None  # the shipped languages carry their tables: an answer needs no Babel
    for seconds in DURATIONS:
        assert loc.duration(seconds) == asks_babel.duration(seconds), seconds
    for n in range(2, 7):
        items = [f"x{i}" for i in range(n)]
        assert loc.join(items) == asks_babel.join(items), n


def test_cldr_tables_that_disagree_with_babel_are_caught() -> None:
    """The comparison above can fail: a wrong plural form or list pattern shows."""
    import dataclasses

    en = CATALOGS["en"].locale
    assert en.duration_units is not None
    wrong = dict(en.duration_units) | {"day": {"other": "{0} day"}}
    assert dataclasses.replace(en, duration_units=wrong).duration(266_400) != en.duration(266_400)
    listed = dataclasses.replace(en, list_patterns={"2": "{0} & {1}", "start": "{0}; {1}", "middle": "", "end": ""})
    assert listed.join(["a", "b"]) == "a & b"
