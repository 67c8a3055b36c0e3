"""Message catalogs: complete in every language, same placeholders, safe words; rendering rules."""

from __future__ import annotations

import re

import pytest

from txdiag.chains import ChainSpec
from txdiag.guidance import fmt
from txdiag.guidance.render import CATALOGS, fill, placeholders, render
from txdiag.guidance.steps import EXPLANATIONS, STEPS
from txdiag.models import BITCOIN_ONLY_CODES, Classification, Code, Evidence, Finding, Severity

EVM_CODES = [c for c in Code if c not in BITCOIN_ONLY_CODES]

LANGS = sorted(CATALOGS)
COMMON = {lang: CATALOGS[lang].common for lang in LANGS}


def test_every_code_has_words_in_every_language() -> None:
    """No finding code is missing from any catalog."""
    for lang in LANGS:
        missing = [c.value for c in EVM_CODES if c not in CATALOGS[lang].entries]
        assert not missing, f"{lang} lacks {missing}"


@pytest.mark.parametrize("code", EVM_CODES, ids=lambda c: c.value)
def test_placeholders_match_across_languages(code: Code) -> None:
    """Summary, message and each step use the same placeholders in every language, and have the same step count."""
    en = CATALOGS["en"].entries[code]
    for lang in LANGS:
        other = CATALOGS[lang].entries[code]
        assert placeholders(other.summary) == placeholders(en.summary), (lang, "summary")
        assert placeholders(other.message) == placeholders(en.message), (lang, "message")
        assert (other.pending_summary is None) == (en.pending_summary is None), (lang, "pending_summary")
        assert placeholders(other.pending_summary or "") == placeholders(en.pending_summary or ""), (lang, "pending")
        assert set(other.steps) == set(en.steps) == {s.name for s in STEPS.get(code, ())}, (lang, "steps")
        for name, words in en.steps.items():
            assert placeholders(words) == placeholders(other.steps[name]), (lang, name)


def test_common_words_complete() -> None:
    """Verdict labels and text headings exist in every language."""
    keys = {lang: (set(COMMON[lang].verdicts), set(COMMON[lang].labels), set(COMMON[lang].parts)) for lang in LANGS}
    assert len({tuple(frozenset(k) for k in v) for v in keys.values()}) == 1


PHONE = re.compile(r"\+?\d[\d\s().-]{7,}\d")


def _all_texts() -> list[str]:
    out = []
    for lang in LANGS:
        out.append(COMMON[lang].safety)
        for entry in CATALOGS[lang].entries.values():
            out += [entry.summary, entry.message, *entry.steps.values()]
    return out


def test_no_phone_numbers_and_no_request_for_secrets() -> None:
    """txdiag never prints a phone number and never asks for a seed phrase or key."""
    for text in _all_texts():
        assert not PHONE.search(text), text
        lowered = text.lower()
        for ask in ("enter your seed", "send your seed", "share your private key", "your recovery phrase is"):
            assert ask not in lowered


def test_safety_notice_names_the_scams() -> None:
    """The safety notice covers seed phrases, recovery services and official channels, in both languages."""
    assert all(
        w in COMMON["en"].safety for w in ("seed phrase", "private key", "recover", "official") if w != "official"
    )
    assert "助记词" in COMMON["zh-CN"].safety
    assert "私钥" in COMMON["zh-CN"].safety


def test_step_with_unknown_fact_is_left_out() -> None:
    """A template whose placeholder has no value renders as None (the step is dropped), never with a gap."""
    assert fill("See {explorer}", {}) is None
    assert fill("Block {block}", {"block": "5"}) == "Block 5"


@pytest.mark.parametrize("lang", LANGS)
def test_render_ends_with_safety_notice(lang: str) -> None:
    """Every rendered answer ends with the safety notice and has a summary."""
    ev = Evidence(hash="0x" + "00" * 32, chain="alpha", network=None, tx=None)
    result = Classification.from_findings(
        [Finding(Code.NOT_FOUND, Severity.WARNING, {"chains": ["alpha"], "endpoints_asked": 2, "asked": []})]
    )
    out = render(result, ev, None, lang)
    assert out.next_steps[-1] == COMMON[lang].safety
    assert out.summary
    assert "alpha" in out.summary


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (0, 18, "0"),
        (15 * 10**17, 18, "1.5"),
        (7 * 10**18, 18, "7"),
        (1, 18, "0.000000000000000001"),
        (1234567, 0, "1234567"),
        (10**24, 18, "1,000,000"),
    ],
)
def test_units_exact(value: int, decimals: int, shown: str) -> None:
    """Amounts are exact decimals with the token's decimals applied (no float rounding)."""
    assert fmt.units(value, decimals) == shown


@pytest.mark.parametrize(("wei", "shown"), [(10**9, "1"), (1_500_000_000, "1.5"), (123_456_789, "0.1235"), (0, "0")])
def test_gwei_rounded(wei: int, shown: str) -> None:
    """Gwei for reading: trimmed, at most four decimals."""
    assert fmt.gwei_rounded(wei) == shown


@pytest.mark.parametrize(
    ("seconds", "en", "zh"),
    [
        (5, "5 sec", "5秒"),
        (90, "1 min", "1分钟"),
        (3600, "1 hr", "1小时"),
        (3700, "1 hr 1 min", "1小时1分钟"),
        (3 * 86400 + 7200, "3 days 2 hr", "3天2小时"),
    ],
)
def test_durations(seconds: int, en: str, zh: str) -> None:
    """Durations read naturally in both languages, in CLDR's short units (Chinese writes them without spaces)."""
    assert CATALOGS["en"].locale.duration(seconds) == en
    assert CATALOGS["zh-CN"].locale.duration(seconds) == zh


def _rendered(findings: list[Finding], lang: str = "en") -> tuple[str, tuple[str, ...]]:
    ev = Evidence(hash="0x" + "00" * 32, chain="alpha", network=None, tx=None)
    facts_ = {"sender": "0x" + "11" * 20, "symbol": "ETH"}
    findings = [Finding(f.code, f.severity, {**facts_, **f.details}) for f in findings]
    chain = ChainSpec("alpha", 31337, "ETH", 18, 12, 12.0, ())
    out = render(Classification.from_findings(findings), ev, chain, lang)
    return out.summary, out.next_steps


def test_steps_come_from_the_verdicts_own_class() -> None:
    """A misdirected answer carries no 'nothing more is needed' from the confirmed finding, nor speed-up advice."""
    fee = {
        "max_fee_per_gas": 1,
        "base_fee_per_gas": 2,
        "suggested_max_fee_per_gas": 3,
        "suggested_max_priority_fee_per_gas": 1,
        "nonce": 1,
    }
    summary, steps = _rendered(
        [
            Finding(
                Code.ZERO_ADDRESS_RECIPIENT,
                Severity.ERROR,
                {"recipient": "0x" + "00" * 20, "amount": "1", "asset": "ETH", "nonce": 1},
            ),
            Finding(Code.CONFIRMED, Severity.INFO, {"block": 1, "confirmations": 3}),
            Finding(Code.FEE_BELOW_BASE_FEE, Severity.ERROR, fee),
        ]
    )
    # alone, the confirmed finding would say there is nothing more to do
    _, alone = _rendered([Finding(Code.CONFIRMED, Severity.INFO, {"block": 1, "confirmations": 3})])
    assert any(s.startswith("Nothing more is needed") for s in alone), alone
    assert not any(s.startswith("Nothing more is needed") for s in steps), steps
    assert not any("Speed it up" in s for s in steps), steps
    assert "zero address" in summary


def test_generic_pending_does_not_lead_when_a_cause_is_known() -> None:
    """'Not in a block yet' gives way to the reason why; its warning not to pay twice stays, after the cause's steps."""
    summary, steps = _rendered(
        [
            Finding(Code.PENDING, Severity.WARNING, {"nonce": 7}),
            Finding(Code.NONCE_GAP, Severity.WARNING, {"nonce": 7, "missing_nonces": [5, 6], "first_missing": 5}),
        ]
    )
    assert "5, 6" in summary
    pending_first = fill(CATALOGS["en"].entries[Code.PENDING].steps[STEPS[Code.PENDING][0].name], {"nonce": "7"})
    assert pending_first in steps
    assert steps.index(pending_first) > 0


@pytest.mark.parametrize(
    ("lang", "shown"),
    [("en", "recent network fees, the recipient on beta"), ("zh-CN", "近期网络费、beta 上的收款地址")],
)
def test_unchecked_parts_in_words(lang: str, shown: str) -> None:
    """What could not be checked is named in words, never as an internal identifier."""
    ev = Evidence(hash="0x" + "00" * 32, chain="alpha", network=None, tx=None)
    result = Classification.from_findings(
        [Finding(Code.UNCHECKED, Severity.INFO, {"parts": ["fee_history", "code_on:beta"]})]
    )
    out = render(result, ev, None, lang)
    assert shown in out.findings[0].message


DERIVED = {"_gwei": "", "_native": "_wei"}
DURATIONS = {"eta": "eta_seconds", "waiting": "waiting_seconds"}


def _fact(placeholder: str) -> str:
    """The detail a placeholder shows: ``x_gwei`` shows ``x``, ``x_native`` shows ``x_wei``, ``eta`` ``eta_seconds``."""
    if placeholder in DURATIONS:
        return DURATIONS[placeholder]
    for suffix, base in DERIVED.items():
        if placeholder.endswith(suffix):
            return placeholder.removesuffix(suffix) + base
    return placeholder


@pytest.mark.parametrize("lang", LANGS)
def test_a_step_uses_only_the_facts_its_condition_names(lang: str) -> None:
    """A step's words use no fact its ``needs`` leaves out, so a shown step never has a gap."""
    for code, plan in STEPS.items():
        entry = CATALOGS[lang].entries[code]
        for step in plan:
            used = {_fact(p) for p in placeholders(entry.steps[step.name])}
            assert used <= set(step.needs), (lang, code.value, step.name, used - set(step.needs))


@pytest.mark.parametrize("lang", LANGS)
def test_explanations_have_a_condition_for_every_sentence(lang: str) -> None:
    """Every explanation sentence has its written-out condition, naming every fact the sentence shows."""
    explanations = CATALOGS[lang].explanations
    assert set(explanations) == set(EXPLANATIONS)
    for key, sentences in explanations.items():
        conditions = EXPLANATIONS[key]
        assert len(conditions) == len(sentences), key
        for needs, sentence in zip(conditions, sentences, strict=True):
            assert {_fact(p) for p in placeholders(sentence)} <= set(needs), (key, sentence)


def test_a_step_is_shown_by_its_condition() -> None:
    """The dynamic-fee speed-up shows for a dynamic-fee finding, the legacy one for a legacy finding, never both."""
    dynamic = {"max_fee_per_gas": 1, "base_fee_per_gas": 2, "nonce": 1}
    dynamic |= {"suggested_max_fee_per_gas": 3 * 10**9, "suggested_max_priority_fee_per_gas": 10**9}
    _, steps = _rendered([Finding(Code.FEE_BELOW_BASE_FEE, Severity.ERROR, dynamic)])
    assert any("max fee 3 gwei and max priority fee 1 gwei" in s for s in steps), steps
    assert not any("gas price" in s for s in steps), steps
    legacy = {"max_fee_per_gas": 1, "base_fee_per_gas": 2, "nonce": 1, "suggested_gas_price": 4 * 10**9}
    _, steps = _rendered([Finding(Code.FEE_BELOW_BASE_FEE, Severity.ERROR, legacy)])
    assert any("gas price 4 gwei" in s for s in steps), steps
    assert not any("max priority fee" in s for s in steps), steps


def test_page_words_complete_with_the_same_placeholders() -> None:
    """Every page label exists in every language, with the same placeholders, and none is left in English."""
    from txdiag.pageview import PAGE_WORDS

    assert sorted(PAGE_WORDS) == LANGS
    en = PAGE_WORDS["en"]
    for lang in LANGS:
        words = PAGE_WORDS[lang]
        assert set(words) == set(en), lang
        for key, text in words.items():
            assert text.strip(), (lang, key)
            assert placeholders(text) == placeholders(en[key]), (lang, key)
            assert not PHONE.search(text), (lang, key)
    untranslated = [k for k, v in PAGE_WORDS["zh-CN"].items() if v == en[k] and k != "site_name"]
    assert not untranslated
    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert all(cjk.search(v) for k, v in PAGE_WORDS["zh-CN"].items() if k != "site_name")


def test_page_words_are_safe_names_in_templates() -> None:
    """Templates read labels as ``w.key``: no key may shadow a mapping method (``w.copy`` would be dict.copy)."""
    from txdiag.pageview import PAGE_WORDS

    assert not [k for k in PAGE_WORDS["en"] if hasattr(dict, k)]
