"""What differs between chain families on the same seam: the head method, who the node is, how calls go.

``identity`` is asked once per endpoint, in the same request as its first
calls; ``read_identity`` turns its answer into what the chain file names (an
EVM chain id as decimal text, a Bitcoin-family network). Bitcoin Core answers
a failed single call with HTTP 500, so its calls always go as a batch, where
each item carries its own error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from txdiag.chains import ChainSpec
from txdiag.errors import WireError
from txdiag.families.evm.wire import quantity


def _evm_identity(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(int(value, 16))
    except ValueError:
        return None


def _evm_head(value: Any) -> int:
    return quantity(value, "block number")


def _bitcoin_identity(value: Any) -> str | None:
    chain = value.get("chain") if isinstance(value, dict) else None
    return chain[:32] if isinstance(chain, str) else None


def _bitcoin_head(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise WireError("block count is not a non-negative integer")
    return value


@dataclass(frozen=True, slots=True)
class Dialect:
    family: str
    head: str  # the method whose answer is the head block number
    read_head: Callable[[Any], int]  # raises WireError
    identity: str
    read_identity: Callable[[Any], str | None]  # None: the answer does not say (asked again next time)
    always_batch: bool
    methods: frozenset[str] = frozenset()  # exact method names allowed as metric labels
    prefixes: tuple[str, ...] = ()  # method name prefixes allowed as metric labels

    def expected_identity(self, chain: ChainSpec) -> str:
        if self.family == "bitcoin":
            return chain.network or ""
        return str(chain.chain_id)

    def label(self, method: str) -> str:
        """Bound the metric label: our own calls only ever use known names and namespaces."""
        known = method in self.methods or (bool(self.prefixes) and method.startswith(self.prefixes))
        return method if known and len(method) <= 48 else "other"


EVM = Dialect(
    "evm",
    "eth_blockNumber",
    _evm_head,
    "eth_chainId",
    _evm_identity,
    always_batch=False,
    prefixes=("eth_", "debug_", "txpool_", "net_", "web3_", "ots_", "trace_", "anvil_", "evm_"),
)
BITCOIN = Dialect(
    "bitcoin",
    "getblockcount",
    _bitcoin_head,
    "getblockchaininfo",
    _bitcoin_identity,
    always_batch=True,
    methods=frozenset(
        {
            "getblockcount",
            "getblockchaininfo",
            "getblockhash",
            "getblock",
            "getblockheader",
            "getrawtransaction",
            "getmempoolentry",
            "getmempoolinfo",
            "getrawmempool",
            "getnetworkinfo",
            "estimatesmartfee",
            "gettxout",
            "gettxspendingprevout",
        }
    ),
)
DIALECTS = {"evm": EVM, "bitcoin": BITCOIN}
