"""Every error txdiag raises, and what each front end makes of it.

    TxdiagError                 base; never shown with a traceback       exit 1 / HTTP 500
    ├── BadInput                the caller's fault                       exit 2 / HTTP 400
    │   ├── UnknownChain        a chain name that is not configured      exit 2 / HTTP 404
    │   └── ConfigError         an invalid chain file or setting         exit 2 (at start-up)
    ├── ChainUnavailable        no endpoint of a chain answered          exit 3 / HTTP 503
    └── DeadlineExceeded        the diagnosis ran out of time            exit 3 / HTTP 504

Each class carries its CLI exit code and HTTP status as class attributes
(``exit_code``, ``http_status``); the CLI and the HTTP handler read those, and
nobody parses a message. ChainUnavailable carries a ``Reason`` (a fixed label,
never a node's own text) and ``out_of_time`` (the deadline ended the search:
the HTTP handler answers 504 rather than 503).

"Not found" is not an error: it is a verdict, carried as data.

WireError stands outside the tree: a family's wire parser raises it for a node
answer of the wrong shape, and whoever reads that answer turns it into that
endpoint's fault or an unread part; it never reaches a front end.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import ClassVar


class Reason(StrEnum):
    """Why an endpoint (or every endpoint of a chain) could not answer: bounded labels for messages and metrics."""

    TIMEOUT = "timeout"
    CONNECTION = "connection_error"  # reset or broken mid-answer
    REFUSED = "connection_refused"  # could not connect at all (refused, unreachable, no such host)
    HTTP_THROTTLED = "http_429"
    HTTP_REDIRECT = "http_3xx"
    HTTP_CLIENT = "http_4xx"
    HTTP_SERVER = "http_5xx"
    HTTP_OTHER = "http_other"
    MALFORMED = "malformed_response"
    OVERSIZE = "oversize_response"
    ANSWER_BUDGET = "answer_budget"  # no memory free in time for the answer (the process's own limit)
    BATCH_ERROR = "batch_error"  # one JSON-RPC error object answering a whole batch
    RATE_LIMITED = "rate_limited_item"  # the node answered, but throttled some items
    ITEM_ERROR = "rpc_error"  # a needed call's item error (the code is in the detail)
    WRONG_CHAIN = "wrong_chain_id"
    UNVERIFIED = "unverified_answer"  # the answer failed a check (another hash, a receipt of another block)
    RETRY_AFTER_TOO_LONG = "retry_after_too_long"
    NO_ENDPOINT = "no_endpoint"  # none configured, none left to ask, or an unknown one named
    ABANDONED = "abandoned"  # a shared fetch this request waited on was given up by its owner
    NO_CHAIN = "no_chain"  # no chain of several could be asked
    OUT_OF_TIME = "out_of_time"


class WireError(ValueError):
    """A node's answer does not have the shape the protocol promises."""


class TxdiagError(Exception):
    """Base of every error we raise."""

    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 500


class BadInput(TxdiagError):
    """The caller sent something malformed: CLI exit 2, HTTP 400."""

    exit_code = 2
    http_status = 400


class UnknownChain(BadInput):
    """A chain name that no chain file configures: CLI exit 2, HTTP 404."""

    http_status = 404

    def __init__(self, name: str, known: Sequence[str]) -> None:
        shown = name if len(name) <= 40 else name[:40] + "…"
        super().__init__(f"unknown chain {shown!r}; configured: {', '.join(sorted(known)) or 'none'}")
        self.name = name


class ConfigError(BadInput):
    """A chain file or setting is invalid; the message names the file and field."""


class ChainUnavailable(TxdiagError):
    """No endpoint of a chain could answer; the message names the redacted endpoints.

    ``reason`` is the last failure's fixed label, ``detail`` a bounded
    refinement of it that we wrote ourselves (``http_401``, ``rpc_error -32000``),
    ``out_of_time`` says the deadline ended the search before an answer.
    """

    exit_code = 3
    http_status = 503

    def __init__(
        self,
        chain: str,
        endpoints: Sequence[str],
        reason: Reason = Reason.NO_ENDPOINT,
        *,
        detail: str = "",
        out_of_time: bool = False,
    ) -> None:
        tried = ", ".join(endpoints) or "no usable endpoint"
        msg = f"chain {chain!r}: no endpoint could answer (tried {tried}): {detail or reason.value}"
        if out_of_time:
            msg += "; out of time"
        super().__init__(msg)
        self.chain = chain
        self.endpoints = tuple(endpoints)
        self.reason = reason
        self.detail = detail
        self.out_of_time = out_of_time

    @property
    def label(self) -> str:
        """The failure in one bounded word or two, for status listings."""
        return self.detail or self.reason.value


class DeadlineExceeded(TxdiagError):
    """The diagnosis did not finish within its deadline."""

    exit_code = 3
    http_status = 504

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the diagnosis did not finish within {seconds:g} s")
        self.seconds = seconds
