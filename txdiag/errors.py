"""Every error txdiag raises, and what each front end makes of it.

    TxdiagError                 base; never shown with a traceback
    ├── BadInput                the caller's fault: CLI exit 2 / HTTP 400
    │   ├── UnknownChain        a chain name that is not configured: exit 2 / HTTP 404
    │   └── ConfigError         an invalid chain file or setting: exit 2 at start-up
    ├── ChainUnavailable        no endpoint of a chain answered: exit 3 / HTTP 503
    └── DeadlineExceeded        the diagnosis ran out of time: exit 3 / HTTP 504

"Not found" is not an error: it is a verdict, carried as data.
"""

from __future__ import annotations

from collections.abc import Sequence


class TxdiagError(Exception):
    """Base of every error we raise."""


class BadInput(TxdiagError):
    """The caller sent something malformed: CLI exit 2, HTTP 400."""


class UnknownChain(BadInput):
    """A chain name that no chain file configures: CLI exit 2, HTTP 404."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        shown = name if len(name) <= 40 else name[:40] + "…"
        super().__init__(f"unknown chain {shown!r}; configured: {', '.join(sorted(known)) or 'none'}")
        self.name = name


class ConfigError(BadInput):
    """A chain file or setting is invalid; the message names the file and field."""


class ChainUnavailable(TxdiagError):
    """No endpoint of a chain could answer; the message names the redacted endpoints."""

    def __init__(self, chain: str, endpoints: Sequence[str], reason: str = "") -> None:
        tried = ", ".join(endpoints) or "no usable endpoint"
        msg = f"chain {chain!r}: no endpoint could answer (tried {tried})"
        if reason:
            msg += f": {reason}"
        super().__init__(msg)
        self.chain = chain
        self.endpoints = tuple(endpoints)


class DeadlineExceeded(TxdiagError):
    """The diagnosis did not finish within its deadline."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the diagnosis did not finish within {seconds:g} s")
        self.seconds = seconds
