"""Chain families: each keeps its own gather, rules and words; render, report, service and front ends are shared.

    evm/       Ethereum's JSON-RPC: imported with the service (most chains are EVM chains)
    bitcoin/   Bitcoin Core's JSON-RPC: imported on the first use of one of its chains

:class:`Families` is the registry, keyed by family name, of the families other than EVM: it builds a family's
shared state (and so imports its modules) on the first use of one of its chains. Only the bitcoin family's
evidence types (``bitcoin.models``, plain dataclasses) are imported up front, for dispatch.
:func:`dialect` gives each family's way of speaking on the RPC seam (its ``dialect`` module), imported when a
client of one of its chains first sends a request.
What both use (the chain context, the RPC client, models, report, guidance) lives outside this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from txdiag.families.bitcoin.gather import BitcoinFamily
    from txdiag.rpc.dialect import Dialect

LAZY: Final = frozenset({"bitcoin"})  # the family names this registry loads on first use


class Families:
    """One service's non-EVM families by name, each built (and its modules imported) when first asked for."""

    def __init__(self, bitcoin: BitcoinFamily | None = None) -> None:
        self._bitcoin = bitcoin

    def loaded(self, family: str) -> bool:
        return family == "bitcoin" and self._bitcoin is not None

    def bitcoin(self) -> BitcoinFamily:
        if self._bitcoin is None:
            from txdiag.families.bitcoin.gather import BitcoinFamily  # noqa: PLC0415 - on first use only

            self._bitcoin = BitcoinFamily()
        return self._bitcoin


def dialect(family: str) -> Dialect:
    """The family's dialect for its chains' RPC clients; its module (and family package) is imported here."""
    if family == "evm":
        from txdiag.families.evm.dialect import EVM  # noqa: PLC0415 - on first use only

        return EVM
    if family == "bitcoin":
        from txdiag.families.bitcoin.dialect import BITCOIN  # noqa: PLC0415 - on first use only

        return BITCOIN
    raise ValueError(f"no chain family {family!r}")
