"""What every family's gather is given for one chain: its spec, its RPC client and its caches."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from txdiag.cache import LRU
from txdiag.chains import ChainSpec
from txdiag.models import TokenMeta
from txdiag.rpc import Rpc

if TYPE_CHECKING:  # built by the composition root; only the EVM family's gather reads it
    from txdiag.families.evm.snapshot import SnapshotCache

TOKEN_CACHE_SIZE = 4096  # token metadata rarely changes: kept until the bound pushes it out


@dataclass(slots=True)
class ChainContext:
    """Everything gather needs for one chain; built once by the service."""

    chain: ChainSpec
    client: Rpc
    snapshots: SnapshotCache
    tokens: LRU[str, TokenMeta] = field(default_factory=lambda: LRU(TOKEN_CACHE_SIZE))
    # the other configured chains, for probes that ask them too (set by the service)
    peers: Mapping[str, ChainContext] = field(default_factory=dict)
