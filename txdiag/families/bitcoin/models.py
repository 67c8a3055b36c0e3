"""Typed values of the bitcoin family. Amounts are satoshis (ints); sizes are virtual bytes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from txdiag.models import Asked


@dataclass(frozen=True, slots=True)
class Outpoint:
    txid: str
    vout: int

    def __str__(self) -> str:
        return f"{self.txid}:{self.vout}"


@dataclass(frozen=True, slots=True)
class TxOutput:
    n: int
    value: int  # satoshis
    script_type: str  # the node's name: witness_v0_keyhash, pubkeyhash, nulldata, ...
    address: str | None
    unspendable: bool  # OP_RETURN, or a script no one can ever satisfy


@dataclass(frozen=True, slots=True)
class BtcTx:
    """A transaction as getrawtransaction (verbose) reported it."""

    txid: str  # 64 lower-case hex digits, no 0x
    vsize: int
    weight: int
    inputs: tuple[Outpoint, ...]
    outputs: tuple[TxOutput, ...]
    coinbase: bool
    signals_rbf: bool  # BIP125: some input's nSequence is below 0xfffffffe
    block_hash: str | None
    confirmations: int  # 0 while in the mempool
    block_time: int | None

    @property
    def value(self) -> int:
        return sum(o.value for o in self.outputs)


@dataclass(frozen=True, slots=True)
class MempoolEntry:
    """getmempoolentry / getrawmempool verbose, read as newer Bitcoin Core writes it (``fees.base``)."""

    txid: str
    vsize: int
    fee: int  # fees.base, satoshis
    modified_fee: int  # fees.modified (prioritisetransaction), what miners sort by
    ancestor_count: int
    ancestor_size: int
    ancestor_fee: int  # fees.ancestor (modified)
    descendant_count: int
    descendant_size: int
    descendant_fee: int
    depends: tuple[str, ...]  # in-mempool parents
    spent_by: tuple[str, ...]  # in-mempool children
    bip125_replaceable: bool | None  # None where the node no longer reports it
    time: int

    @property
    def fee_rate(self) -> float:
        return self.fee / self.vsize if self.vsize else 0.0

    @property
    def package_rate(self) -> float:
        """The fee rate of this transaction with its unconfirmed ancestors (what a miner sorts by)."""
        return self.ancestor_fee / self.ancestor_size if self.ancestor_size else 0.0


@dataclass(frozen=True, slots=True)
class MempoolInfo:
    size: int  # transactions
    vbytes: int  # getmempoolinfo.bytes: the sum of virtual sizes
    usage: int
    max_mempool: int
    min_fee: int  # mempoolminfee, sat per 1000 vB
    min_relay_fee: int  # minrelaytxfee, sat per 1000 vB
    incremental_fee: int  # incrementalrelayfee (getmempoolinfo, or getnetworkinfo.incrementalfee), sat per 1000 vB
    full_rbf: bool | None  # getmempoolinfo.fullrbf (Bitcoin Core 24+); None where not reported


@dataclass(frozen=True, slots=True)
class ProjectedBlock:
    """One block as miners would build it now from the mempool, by ancestor-package fee rate."""

    index: int  # 1 = the next block
    vsize: int
    tx_count: int
    min_rate: float  # sat/vB of the lowest package in it
    median_rate: float
    full: bool


@dataclass(frozen=True, slots=True)
class BtcNetwork:
    head: int
    head_time: int | None
    mempool: MempoolInfo
    blocks: tuple[ProjectedBlock, ...]  # empty when the mempool could not be read whole
    beyond_vsize: int  # vbytes waiting past the projected blocks
    estimate_next: float | None  # estimatesmartfee(1) in sat/vB; None where the node has no estimate
    capacity: int  # vbytes a block holds (the block weight limit less the coinbase reserve, over 4)
    unavailable: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Position:
    """Where a pending transaction (with its ancestors) sits in the projected blocks."""

    block: int | None  # 1 = the next block; None: past the projected blocks
    ahead_vsize: int  # vbytes of packages that pay more
    # the least fee (sat) a package of ``vsize`` needs now to be in the next block, as computed for the fixes
    next_block_rate: float


@dataclass(frozen=True, slots=True)
class Spend:
    """What now spends one input of a vanished transaction."""

    outpoint: Outpoint
    unspent: bool  # still unspent (gettxout answered)
    spender: str | None = None  # the transaction that spent it, where found
    spender_block: int | None = None


@dataclass(frozen=True, slots=True)
class BtcVanished:
    """A payment txdiag saw pending that the node no longer has (neither mempool nor chain)."""

    inputs: tuple[Outpoint, ...]
    fee: int
    vsize: int
    first_seen: datetime
    last_seen: datetime
    spends: tuple[Spend, ...] = ()  # empty when the inputs could not be checked

    @property
    def unchecked(self) -> frozenset[str]:
        """The part "inputs" when the coins it spent could not be checked: dropped or replaced is then unknown."""
        return frozenset({"inputs"}) if self.inputs and not self.spends else frozenset()


@dataclass(frozen=True, slots=True)
class BtcEvidence:
    """Everything known about one txid on one Bitcoin-family chain, at one moment."""

    hash: str  # as the caller gave it, normalised: 0x + 64 hex
    chain: str
    network: BtcNetwork | None
    tx: BtcTx | None
    entry: MempoolEntry | None = None
    parents: tuple[MempoolEntry, ...] = ()
    mempool: dict[str, MempoolEntry] | None = None  # the verbose mempool the blocks were projected from
    position: Position | None = None
    vanished: BtcVanished | None = None
    first_seen: datetime | None = None
    asked: tuple[Asked, ...] = ()
    asked_chain: str | None = None
    unchecked: frozenset[str] = frozenset()

    @property
    def txid(self) -> str:
        return self.hash.removeprefix("0x")

    @property
    def pending(self) -> bool:
        return self.tx is not None and self.tx.confirmations == 0
