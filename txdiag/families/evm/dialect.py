"""How EVM nodes speak on the shared RPC seam: eth_blockNumber heads, eth_chainId identity, single calls allowed."""

from __future__ import annotations

from typing import Any

from txdiag.chains import ChainSpec
from txdiag.families.evm.wire import parse_block_head, quantity
from txdiag.rpc.codec import Call
from txdiag.rpc.dialect import Dialect


def _identity(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(int(value, 16))
    except ValueError:
        return None


def _expected(chain: ChainSpec) -> str:
    return str(chain.chain_id)


def _head(value: Any) -> int:
    return quantity(value, "block number")


def _head_in(call: Call, value: Any) -> int | None:
    """The latest block's number, from the snapshot's eth_getBlockByNumber("latest")."""
    if call.method == "eth_getBlockByNumber" and call.params[:1] == ("latest",) and value is not None:
        return parse_block_head(value)[0]
    return None


EVM = Dialect(
    family="evm",
    head="eth_blockNumber",
    read_head=_head,
    identity="eth_chainId",
    read_identity=_identity,
    expected_identity=_expected,
    always_batch=False,
    head_in=_head_in,
    prefixes=("eth_", "debug_", "txpool_", "net_", "web3_", "ots_", "trace_", "anvil_", "evm_"),
)
