"""How Bitcoin Core speaks on the shared RPC seam: getblockcount heads, getblockchaininfo identity, always batched.

Bitcoin Core answers a failed single call with HTTP 500, so its calls always
go as a batch, where each item carries its own error.
"""

from __future__ import annotations

from typing import Any

from txdiag.chains import ChainSpec
from txdiag.errors import WireError
from txdiag.rpc.dialect import Dialect


def _identity(value: Any) -> str | None:
    chain = value.get("chain") if isinstance(value, dict) else None
    return chain[:32] if isinstance(chain, str) else None


def _expected(chain: ChainSpec) -> str:
    return chain.network or ""


def _head(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise WireError("block count is not a non-negative integer")
    return value


BITCOIN = Dialect(
    family="bitcoin",
    head="getblockcount",
    read_head=_head,
    identity="getblockchaininfo",
    read_identity=_identity,
    expected_identity=_expected,
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
