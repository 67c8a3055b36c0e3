"""What a message catalog holds. The texts live in ``messages/``, one module per verdict class.

Every code has an entry in every language with the same placeholders; a test
enforces it. Placeholders name facts (``{confirmations}``, ``{suggested_max_fee_per_gas_gwei}``);
a next step whose facts are unknown is left out rather than shown with a gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Entry:
    """The words for one finding code in one language."""

    summary: str  # the diagnosis summary when this finding leads
    message: str  # the finding's own line
    steps: tuple[str, ...] = ()  # numbered next steps, most useful first
    # the summary while the transaction is still pending (details say ``pending``): it can still be stopped
    pending_summary: str | None = None


@dataclass(frozen=True, slots=True)
class Common:
    """Words that belong to no one finding."""

    safety: str  # the anti-scam notice that ends every answer
    verdicts: Mapping[str, str]  # verdict -> short label
    labels: Mapping[str, str]  # headings for text output
