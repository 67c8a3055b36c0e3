"""Number formatting for people: exact decimals, gwei, durations. Pure."""

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


def duration(seconds: int | float, lang: str) -> str:
    """A short human duration: '45 s', '3 min', '2 h 5 min', '3 d 4 h' (or 秒/分钟/小时/天)."""
    s = max(0, round(seconds))
    zh = lang == "zh-CN"
    if s < 60:
        return f"{s} 秒" if zh else f"{s} s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m} 分钟" if zh else f"{m} min"
    h, m = divmod(m, 60)
    if h < 48:
        if zh:
            return f"{h} 小时" + (f" {m} 分钟" if m else "")
        return f"{h} h" + (f" {m} min" if m else "")
    d, h = divmod(h, 24)
    if zh:
        return f"{d} 天" + (f" {h} 小时" if h else "")
    return f"{d} d" + (f" {h} h" if h else "")
