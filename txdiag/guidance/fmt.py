"""Number formatting for people: exact decimals and gwei, with "," grouping and "." decimals. Pure.

A language that writes numbers otherwise maps the symbols (``Locale.number``);
durations and lists are the Locale's too.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

GWEI = 10**9


def units(value: int, decimals: int) -> str:
    """An integer amount in its smallest unit as an exact decimal string: 1500000000000000000, 18 -> '1.5'."""
    if decimals <= 0:
        return str(value)
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 10**decimals)
    text = f"{whole:,}"
    frac_text = str(frac).rjust(decimals, "0").rstrip("0")
    return sign + text + ("." + frac_text if frac_text else "")


def gwei(wei: int) -> str:
    """Wei per gas as gwei, exact but trimmed to at most 9 decimals: 1500000000 -> '1.5'."""
    return units(wei, 9)


def gwei_rounded(wei: int, places: int = 4) -> str:
    """Gwei for reading at a glance: ``places`` decimals, or as many significant digits below 1 gwei.

    Rounds half up. Fees on rollups are thousandths of a gwei, where a fixed
    number of decimals would show two different fees as the same number.
    """
    q = Decimal(wei) / Decimal(GWEI)
    if 0 < q < 1:
        # as many decimals as it takes to show ``places`` significant digits (wei is the 9th)
        places = min(9, places - 1 - q.adjusted())
    shown = q.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) if q < 10**12 else q.quantize(Decimal(1))
    text = format(shown, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
