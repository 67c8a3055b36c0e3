"""Replacement-fee maths: the fees that would replace a waiting transaction now. Pure integers in wei.

A replacement keeps the nonce and must outbid the waiting transaction: nodes
want the fee cap and the tip each raised by a minimum step (geth 10 %, some
clients reject exactly 10 %), so we ask for 12.5 %, rounded up in wei. It must
also be worth including now: a fee cap covering the next base fee after a few
full blocks (each may raise it by 12.5 %) plus the tip the market pays.

Suggestions are then rounded *up* to a step a person can type (0.01 gwei from
1 gwei up, 0.0001 gwei below), so the figure shown is exactly the figure
that works, never one rounded down under the minimum.
"""

from __future__ import annotations

from dataclasses import dataclass

BUMP_NUM, BUMP_DEN = 9, 8  # +12.5 %
HEADROOM_BLOCKS = 3  # full blocks the new fee cap survives: base fee x 1.125^3
GWEI = 10**9
COARSE_STEP = 10**7  # 0.01 gwei, for values of 1 gwei and more
FINE_STEP = 10**5  # 0.0001 gwei, the smallest step the guidance shows


def ceil_div(a: int, b: int) -> int:
    """a / b rounded up (non-negative integers)."""
    return -(-a // b)


def bump(value: int) -> int:
    """The smallest value at least 12.5 % above ``value``, rounded up in wei."""
    return ceil_div(value * BUMP_NUM, BUMP_DEN)


def with_headroom(base_fee: int, blocks: int = HEADROOM_BLOCKS) -> int:
    """The base fee after ``blocks`` full blocks (each +12.5 %), rounded up in wei."""
    num, den = BUMP_NUM**blocks, BUMP_DEN**blocks
    return ceil_div(base_fee * num, den)


def typeable(value: int) -> int:
    """``value`` rounded up to a step a person can type into a wallet without loss."""
    step = COARSE_STEP if value >= GWEI else FINE_STEP
    return ceil_div(value, step) * step


@dataclass(frozen=True, slots=True)
class Replacement:
    """Fees for a same-nonce replacement (speed-up, or cancel as a zero-value self-transfer).

    Dynamic-fee transactions get ``max_fee_per_gas`` and ``max_priority_fee_per_gas``;
    legacy ones (type 0 and 1) get ``gas_price`` only.
    """

    max_fee_per_gas: int | None
    max_priority_fee_per_gas: int | None
    gas_price: int | None
    network_floor: int | None  # the fee cap the network needs now, when the base fee is known

    def details(self) -> dict[str, int]:
        """The wei integers a finding carries (``suggested_*``)."""
        if self.gas_price is not None:
            return {"suggested_gas_price": self.gas_price}
        assert self.max_fee_per_gas is not None
        assert self.max_priority_fee_per_gas is not None
        return {
            "suggested_max_fee_per_gas": self.max_fee_per_gas,
            "suggested_max_priority_fee_per_gas": self.max_priority_fee_per_gas,
        }


def replacement(
    *,
    fee_cap: int,
    tip_cap: int,
    legacy: bool,
    next_base_fee: int | None,
    market_tip: int | None,
) -> Replacement:
    """The fees that replace a transaction paying ``fee_cap``/``tip_cap`` now.

    Each new value is at least 12.5 % above the old one and at least what the
    network needs: the tip at least ``market_tip``; the fee cap at least the
    next base fee after a few full blocks plus that tip. An unknown base fee
    or market tip only drops that floor; the bump always applies.
    """
    tip_floor = market_tip or 0
    tip = typeable(max(bump(tip_cap), tip_floor))
    floor = None if next_base_fee is None else with_headroom(next_base_fee)
    if legacy:
        # a legacy price is fee cap and tip at once: it must beat the old price and carry the tip
        need = 0 if floor is None else floor + tip_floor
        price = typeable(max(bump(fee_cap), need))
        return Replacement(None, None, price, None if floor is None else floor + tip_floor)
    need = 0 if floor is None else floor + tip
    cap = typeable(max(bump(fee_cap), need, tip))
    return Replacement(cap, tip, None, None if floor is None else floor + tip)
