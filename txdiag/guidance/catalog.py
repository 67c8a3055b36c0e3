"""What a catalog holds: one language's words and its Locale. The files are ``catalogs/<lang>.py``.

A catalog holds only words. Which steps a finding has, and when each is
shown, is decided once for every language in ``steps.py``; a catalog gives
the words of each step by its name. Every code has an entry in every
language, with the same step names and the same placeholders; a test
enforces it. Placeholders name facts (``{confirmations}``,
``{suggested_max_fee_per_gas_gwei}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from txdiag.guidance.locale import Locale
from txdiag.models import Code


@dataclass(frozen=True, slots=True)
class Entry:
    """The words for one finding code in one language."""

    summary: str  # the diagnosis summary when this finding leads
    message: str  # the finding's own line
    steps: Mapping[str, str] = field(default_factory=dict)  # step name (see steps.STEPS) -> words
    # the summary while the transaction is still pending (details say ``pending``): it can still be stopped
    pending_summary: str | None = None
    # the summary of an all-clear whose deciding checks could not all be made (``{deciding}``: what, in words)
    incomplete_summary: str | None = None
    # the same, when what could not be checked says only how final it is (the head against the block's time)
    incomplete_final_summary: str | None = None
    # added to any other verdict's summary when a deciding check could not be made
    incomplete_note: str | None = None


@dataclass(frozen=True, slots=True)
class Common:
    """Words that belong to no one finding."""

    safety: str  # the anti-scam notice that ends every answer
    verdicts: Mapping[str, str]  # verdict -> short label
    labels: Mapping[str, str]  # headings for text output
    # what could not be checked (Evidence.unchecked), in words; "chain:" and "code_on:" take a chain {name}
    parts: Mapping[str, str] = field(default_factory=dict)
    # the page's labels: headings, form fields, errors in words (the same keys in every language)
    page: Mapping[str, str] = field(default_factory=dict)
    # a revert reason by its kind (RevertKind value); ``{reason}`` is the decoder's own form
    # (``Error("…")``, ``Name(arg=value)``), which carries only the contract's names and values
    revert_reasons: Mapping[str, str] = field(default_factory=dict)
    # why a method could not tell why a transaction failed (models.Unanswered), with its ``{method}``
    node_reasons: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Catalog:
    """One language: its Locale, the words of every finding, shared words, failure explanations."""

    locale: Locale
    entries: Mapping[Code, Entry]
    common: Common
    # explanation key -> its sentences, most specific first (when each is used: steps.EXPLANATIONS)
    explanations: Mapping[str, tuple[str, ...]]

    @property
    def tag(self) -> str:
        return self.locale.tag
