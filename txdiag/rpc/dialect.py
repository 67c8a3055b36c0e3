"""What differs from one chain family to another on the same seam: the head method, who the node is, how calls go.

This module is the seam's contract only; each family defines its own instance
in its own package, and the composition root hands each client its chain's.

``identity`` is asked once per endpoint, in the same request as its first
calls; ``read_identity`` turns its answer into what the chain file names, and
``expected_identity`` says what that is for a chain. ``head_in`` reads a head
out of a family's other answers (a call for its latest block, say), so an
endpoint's head is known from the calls a diagnosis makes anyway. A family
whose node answers a failed single call with an HTTP error sets
``always_batch``, so each item carries its own error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from txdiag.chains import ChainSpec
from txdiag.errors import WireError
from txdiag.rpc.codec import Call


def _no_other_head(call: Call, value: Any) -> int | None:
    return None


@dataclass(frozen=True, slots=True)
class Dialect:
    """One family's way of speaking JSON-RPC, as the client, the pool and the metrics need it."""

    family: str  # the ChainSpec.family this dialect speaks for
    head: str  # the method whose answer is the head block number
    read_head: Callable[[Any], int]  # raises WireError
    identity: str
    read_identity: Callable[[Any], str | None]  # None: the answer does not say (asked again next time)
    expected_identity: Callable[[ChainSpec], str]  # what read_identity gives for the right chain
    always_batch: bool
    head_in: Callable[[Call, Any], int | None] = _no_other_head  # a head another call's answer reveals; WireError
    methods: frozenset[str] = frozenset()  # exact method names allowed as metric labels
    prefixes: tuple[str, ...] = ()  # method name prefixes allowed as metric labels

    def head_of(self, call: Call, value: Any) -> int | None:
        """The head an answer reveals (the head method's, or what ``head_in`` reads); None when it shows none."""
        try:
            if call.method == self.head:
                return self.read_head(value)
            return self.head_in(call, value)
        except WireError:
            return None

    def label(self, method: str) -> str:
        """Bound the metric label: our own calls only ever use known names and namespaces."""
        known = method in self.methods or (bool(self.prefixes) and method.startswith(self.prefixes))
        return method if known and len(method) <= 48 else "other"


# what a client is handed: the dialect, or (a family loaded on first use) how to get it when first needed
DialectSource = Dialect | Callable[[], Dialect]
