"""Plain typed values shared by every layer.

Wire data becomes these values once, in ``gather``; past that point nothing
sees a hex string. Classification and guidance take and return only these.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, cast, overload


class Verdict(StrEnum):
    """What happened to the transaction, from the user's point of view."""

    CONFIRMED = "confirmed"
    DELAYED = "delayed"
    FAILED = "failed"
    MISDIRECTED = "misdirected"
    NOT_FOUND = "not_found"

    @property
    def rank(self) -> int:
        """Seriousness: the verdict of a diagnosis is its most serious finding's."""
        return _VERDICT_RANK[self]


_VERDICT_RANK = {
    Verdict.NOT_FOUND: 0,
    Verdict.CONFIRMED: 1,
    Verdict.DELAYED: 2,
    Verdict.MISDIRECTED: 3,
    Verdict.FAILED: 4,
}


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Code(StrEnum):
    """Finding codes. Extend, never rename: clients match on them."""

    # confirmed
    CONFIRMED = "confirmed"
    FOUND_ON_OTHER_CHAIN = "found_on_other_chain"
    # delayed
    PENDING = "pending"
    FEE_BELOW_BASE_FEE = "fee_below_base_fee"
    TIP_BELOW_MARKET = "tip_below_market"
    NONCE_GAP = "nonce_gap"
    BLOCKED_BY_EARLIER = "blocked_by_earlier"  # an earlier nonce of the sender waits, priced too low
    NETWORK_CONGESTED = "network_congested"
    AWAITING_CONFIRMATIONS = "awaiting_confirmations"
    # failed
    REVERTED = "reverted"
    OUT_OF_GAS = "out_of_gas"
    INVALID_OPCODE = "invalid_opcode"
    REPLACED = "replaced"
    DROPPED = "dropped"
    NOTHING_TRANSFERRED = "nothing_transferred"  # status 1, but the token moved nothing (refused, returned false)
    # misdirected
    ZERO_ADDRESS_RECIPIENT = "zero_address_recipient"
    BURN_ADDRESS_RECIPIENT = "burn_address_recipient"
    TOKEN_CONTRACT_RECIPIENT = "token_contract_recipient"  # noqa: S105 - a finding code, not a secret
    LOOKALIKE_RECIPIENT = "lookalike_recipient"
    RECIPIENT_CONTRACT_ON_OTHER_CHAIN = "recipient_contract_on_other_chain"
    UNEXPECTED_RECIPIENT = "unexpected_recipient"
    CONTRACT_RECIPIENT = "contract_recipient"
    FRESH_RECIPIENT = "fresh_recipient"
    # scam signs (inform, never set the verdict): chain text that advertises a website or a giveaway
    SCAM_TOKEN = "scam_token"  # noqa: S105 - a finding code, not a secret
    SCAM_REVERT_MESSAGE = "scam_revert_message"
    # chain text that carries a phone number (shown masked): the fake-support-line scam
    SCAM_PHONE_TOKEN = "scam_phone_token"  # noqa: S105 - a finding code, not a secret
    SCAM_PHONE_MESSAGE = "scam_phone_message"
    FAKE_TOKEN = "fake_token"  # noqa: S105 - a finding code: a token calling itself a well-known one, elsewhere
    ADDRESS_POISONING = "address_poisoning"  # a transfer that plants a look-alike in someone's history
    # not found
    NOT_FOUND = "not_found"
    # partial data: a check that could not be made (never escalates)
    UNCHECKED = "unchecked"
    LOGS_CAPPED = "logs_capped"  # a receipt with more logs than are read (an airdrop): the rest were not checked
    RECIPIENTS_CAPPED = "recipients_capped"  # more recipients than are checked: the rest were not
    # bitcoin family (pending, confirmed, awaiting_confirmations, replaced, dropped, not_found are shared)
    FEE_RATE_BELOW_NEXT_BLOCK = "fee_rate_below_next_block"
    BELOW_MEMPOOL_MIN_FEE = "below_mempool_min_fee"
    UNCONFIRMED_PARENTS = "unconfirmed_parents"
    BURN_OUTPUT = "burn_output"

    @property
    def verdict(self) -> Verdict:
        """The class of verdict this finding argues for."""
        return _CODE_VERDICT[self]

    @property
    def escalates(self) -> bool:
        """Whether this finding may set the verdict (soft findings only inform)."""
        return self not in _SOFT_CODES


_CODE_VERDICT: dict[Code, Verdict] = {
    Code.CONFIRMED: Verdict.CONFIRMED,
    Code.FOUND_ON_OTHER_CHAIN: Verdict.CONFIRMED,
    Code.PENDING: Verdict.DELAYED,
    Code.FEE_BELOW_BASE_FEE: Verdict.DELAYED,
    Code.TIP_BELOW_MARKET: Verdict.DELAYED,
    Code.NONCE_GAP: Verdict.DELAYED,
    Code.BLOCKED_BY_EARLIER: Verdict.DELAYED,
    Code.NETWORK_CONGESTED: Verdict.DELAYED,
    Code.AWAITING_CONFIRMATIONS: Verdict.DELAYED,
    Code.REVERTED: Verdict.FAILED,
    Code.OUT_OF_GAS: Verdict.FAILED,
    Code.INVALID_OPCODE: Verdict.FAILED,
    Code.REPLACED: Verdict.FAILED,
    Code.DROPPED: Verdict.FAILED,
    Code.NOTHING_TRANSFERRED: Verdict.FAILED,
    Code.ZERO_ADDRESS_RECIPIENT: Verdict.MISDIRECTED,
    Code.BURN_ADDRESS_RECIPIENT: Verdict.MISDIRECTED,
    Code.TOKEN_CONTRACT_RECIPIENT: Verdict.MISDIRECTED,
    Code.LOOKALIKE_RECIPIENT: Verdict.MISDIRECTED,
    Code.RECIPIENT_CONTRACT_ON_OTHER_CHAIN: Verdict.MISDIRECTED,
    Code.UNEXPECTED_RECIPIENT: Verdict.MISDIRECTED,
    Code.CONTRACT_RECIPIENT: Verdict.MISDIRECTED,
    Code.FRESH_RECIPIENT: Verdict.MISDIRECTED,
    Code.FAKE_TOKEN: Verdict.MISDIRECTED,
    Code.ADDRESS_POISONING: Verdict.MISDIRECTED,
    Code.NOT_FOUND: Verdict.NOT_FOUND,
    Code.UNCHECKED: Verdict.CONFIRMED,
    Code.LOGS_CAPPED: Verdict.CONFIRMED,
    Code.RECIPIENTS_CAPPED: Verdict.CONFIRMED,
    Code.SCAM_TOKEN: Verdict.CONFIRMED,
    Code.SCAM_REVERT_MESSAGE: Verdict.FAILED,
    Code.SCAM_PHONE_TOKEN: Verdict.CONFIRMED,
    Code.SCAM_PHONE_MESSAGE: Verdict.FAILED,
    Code.FEE_RATE_BELOW_NEXT_BLOCK: Verdict.DELAYED,
    Code.BELOW_MEMPOOL_MIN_FEE: Verdict.DELAYED,
    Code.UNCONFIRMED_PARENTS: Verdict.DELAYED,
    Code.BURN_OUTPUT: Verdict.MISDIRECTED,
}

# codes only the bitcoin family says: the EVM catalogs have no words for them, the bitcoin family's do
BITCOIN_ONLY_CODES = frozenset(
    {Code.FEE_RATE_BELOW_NEXT_BLOCK, Code.BELOW_MEMPOOL_MIN_FEE, Code.UNCONFIRMED_PARENTS, Code.BURN_OUTPUT}
)
_SOFT_CODES = frozenset(
    {
        Code.CONTRACT_RECIPIENT,
        Code.FRESH_RECIPIENT,
        Code.FOUND_ON_OTHER_CHAIN,
        Code.UNCHECKED,
        Code.LOGS_CAPPED,
        Code.RECIPIENTS_CAPPED,
        Code.SCAM_TOKEN,
        Code.SCAM_REVERT_MESSAGE,
        Code.SCAM_PHONE_TOKEN,
        Code.SCAM_PHONE_MESSAGE,
    }
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One fact the rules established: a code, how serious, and its evidence.

    ``details`` holds JSON-ready values only (ints in wei, strings, lists);
    the wording lives in the guidance catalogs.
    """

    code: Code
    severity: Severity
    details: Mapping[str, Any] = field(default_factory=dict)
    # the verdict this finding argues for when it is not its code's usual one: a speed-up that was mined and
    # succeeded is ``replaced`` and yet the payment went through (confirmed); a replacement still waiting is delayed
    argues: Verdict | None = None

    @property
    def verdict(self) -> Verdict:
        """The class of verdict this finding argues for."""
        return self.argues if self.argues is not None else self.code.verdict


class TxStatus(StrEnum):
    PENDING = "pending"
    SUCCESS = "success"
    REVERTED = "reverted"
    # mined, but its receipt cannot say how it ended: a receipt from before Byzantium (a state root, no status)
    # for a transaction that used all of its gas, which it does whether it failed or not
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class TxView:
    """A transaction as the node reported it, normalised."""

    hash: str  # 0x-prefixed lower-case hex
    sender: str  # checksummed
    to: str | None  # checksummed; None for a contract creation
    nonce: int
    value: int
    gas: int
    type: int
    input: bytes
    gas_price: int | None  # legacy price, or the effective price once mined
    max_fee_per_gas: int | None
    max_priority_fee_per_gas: int | None
    block_number: int | None
    block_hash: str | None
    chain_id: int | None = None

    @property
    def pending(self) -> bool:
        return self.block_number is None

    @property
    def fee_cap(self) -> int:
        """The most the sender will pay per gas (max fee, or the legacy gas price)."""
        if self.max_fee_per_gas is not None:
            return self.max_fee_per_gas
        return self.gas_price or 0

    @property
    def tip_cap(self) -> int:
        """The most the sender offers the block producer per gas."""
        if self.max_priority_fee_per_gas is not None:
            return self.max_priority_fee_per_gas
        return self.gas_price or 0

    @property
    def is_dynamic_fee(self) -> bool:
        return self.max_fee_per_gas is not None


@dataclass(frozen=True, slots=True)
class LogView:
    address: str  # checksummed
    topics: tuple[bytes, ...]
    data: bytes
    log_index: int


LogRow = tuple[str, bytes, bytes, int]  # address, the topics one after another (32 bytes each), data, log index


class Logs(Sequence[LogView]):
    """A receipt's logs: a sequence of LogView, held as rows of plain values (``LogRow``).

    A receipt can hold tens of thousands of logs (an airdrop). As objects, every
    one is a container the cyclic garbage collector walks in each full
    collection for as long as the receipt lives (~20 ms for 20,000 of them, on
    the event loop); a tuple of strings, bytes and ints is dropped from its
    lists at its first collection. A LogView is built when one is read.
    """

    __slots__ = ("_rows",)

    def __init__(self, rows: Iterable[LogRow] = ()) -> None:
        self._rows: tuple[LogRow, ...] = tuple(rows)

    @classmethod
    def of(cls, views: Iterable[LogView]) -> Logs:
        if isinstance(views, Logs):
            return views
        return cls((v.address, b"".join(v.topics), v.data, v.log_index) for v in views)

    @staticmethod
    def view(row: LogRow) -> LogView:
        address, topics, data, log_index = row
        return LogView(address, tuple(topics[i : i + 32] for i in range(0, len(topics), 32)), data, log_index)

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, i: int) -> LogView: ...
    @overload
    def __getitem__(self, i: slice) -> Logs: ...
    def __getitem__(self, i: int | slice) -> LogView | Logs:
        if isinstance(i, slice):
            return Logs(self._rows[i])
        return self.view(self._rows[i])

    def __iter__(self) -> Iterator[LogView]:
        return map(self.view, self._rows)

    @property
    def rows(self) -> tuple[LogRow, ...]:
        """The plain rows, for a scan that should not build a LogView for every log it passes."""
        return self._rows

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Logs):
            return self._rows == other._rows
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._rows)

    def __repr__(self) -> str:
        return f"Logs({len(self._rows)} logs)"


@dataclass(frozen=True, slots=True)
class ReceiptView:
    status: TxStatus  # SUCCESS or REVERTED; UNKNOWN only for a receipt with a state root (``root``)
    block_number: int
    block_hash: str
    gas_used: int
    effective_gas_price: int | None
    logs: Logs  # a tuple of LogView is accepted, and held as Logs
    contract_address: str | None = None
    # the receipt carries a state root instead of a status (before Byzantium): its status was inferred
    root: bool = False
    # past the first logs read for transfers (transfers.MAX_LOG_SCAN), the Transfer logs that pay a token payment
    # the calldata addressed and those first logs did not show (transfers.late_transfers); None: not looked for
    late: Logs | None = None

    def __post_init__(self) -> None:
        logs: object = self.logs
        if not isinstance(logs, Logs):  # a tuple of LogView, as a test builds one
            object.__setattr__(self, "logs", Logs.of(cast("Iterable[LogView]", logs)))
        late: object = self.late
        if late is not None and not isinstance(late, Logs):
            object.__setattr__(self, "late", Logs.of(cast("Iterable[LogView]", late)))


@dataclass(frozen=True, slots=True)
class TokenTransfer:
    """A Transfer log (ERC-20, ERC-721 or ERC-1155), with the token's metadata where it could be read."""

    token: str
    sender: str
    recipient: str
    value: int  # ERC-20 units; 1 for an ERC-721 token; the ERC-1155 amount
    symbol: str | None = None
    decimals: int | None = None
    log_index: int = 0
    name: str | None = None
    symbol_hex: str | None = None  # the raw symbol() bytes (bounded), beside the sanitised symbol
    name_hex: str | None = None
    standard: str = "erc20"
    token_id: int | None = None  # the NFT's id

    @property
    def nft(self) -> bool:
        return self.standard != "erc20"


@dataclass(frozen=True, slots=True)
class TokenMeta:
    """What a token says about itself: display forms already sanitised (txdiag.text), raw bytes in hex."""

    symbol: str | None
    decimals: int | None
    name: str | None = None
    symbol_hex: str | None = None
    name_hex: str | None = None


@dataclass(frozen=True, slots=True)
class TokenFacts:
    """What a token contract the transaction touched or addressed says about itself (None: it would not say)."""

    token: str
    symbol: str | None
    decimals: int | None
    standard: str | None = None  # "erc721" or "erc1155" when its ERC-165 supportsInterface says so


@dataclass(frozen=True, slots=True)
class PoolStatus:
    pending: int
    queued: int


@dataclass(frozen=True, slots=True)
class NetworkView:
    """Chain-wide conditions, shared by every diagnosis on the chain for about a block."""

    head: int
    head_timestamp: int
    finalized: int | None  # None when the node has no finalized tag
    safe: int | None
    next_base_fee: int | None  # the last entry of eth_feeHistory's baseFeePerGas
    base_fees: tuple[int, ...] = ()  # oldest first, ending with the next block's
    gas_used_ratios: tuple[float, ...] = ()
    reward_percentiles: tuple[float, ...] = ()
    rewards: tuple[tuple[int, ...], ...] = ()  # per block, one tip per percentile
    pool: PoolStatus | None = None
    unavailable: frozenset[str] = frozenset()  # parts that could not be read, e.g. "fee_history"

    # median tip per percentile over recent non-empty blocks; derived once, since every request reads it
    market_tips: tuple[int | None, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        used = self.gas_used_ratios
        medians: list[int | None] = []
        for i in range(len(self.reward_percentiles)):
            # empty blocks report a tip of 0 at every percentile: counting them would make a quiet market look free
            column = sorted(r[i] for k, r in enumerate(self.rewards) if len(r) > i and (k >= len(used) or used[k] > 0))
            medians.append(column[len(column) // 2] if column else None)
        object.__setattr__(self, "market_tips", tuple(medians))

    def market_tip(self, percentile: float) -> int | None:
        """The median, over recent blocks that included anything, of the tip paid at ``percentile``."""
        if percentile not in self.reward_percentiles:
            return None
        return self.market_tips[self.reward_percentiles.index(percentile)]

    def base_fee_change(self, blocks: int) -> float | None:
        """The base fee trend: next block's base fee relative to ``blocks`` blocks earlier (0.1 = +10 %)."""
        if self.next_base_fee is None or len(self.base_fees) <= blocks or blocks <= 0:
            return None
        then = self.base_fees[-1 - blocks]
        if then <= 0:
            return None
        return self.next_base_fee / then - 1


@dataclass(frozen=True, slots=True)
class PoolTx:
    """A transaction of the sender's that the node's pool holds."""

    hash: str
    nonce: int
    fee_cap: int
    tip_cap: int
    queued: bool
    legacy: bool = False  # a gas price, not a fee cap and tip


@dataclass(frozen=True, slots=True)
class SenderState:
    """The sender's nonces, and its pool entries where the pool is readable."""

    latest_nonce: int  # next nonce the chain will execute
    pending_nonce: int  # next nonce counting the node's pool
    pool: tuple[PoolTx, ...] | None = None  # None: the pool could not be read
    # nonces just below the transaction's, looked up one by one (works where the pool cannot be read):
    # every nonce in [checked_from, tx nonce) is known present (in ``seen_nonces``) or absent
    checked_from: int | None = None  # None: no lookup answered
    seen_nonces: frozenset[int] = frozenset()
    earlier: tuple[PoolTx, ...] = ()  # the waiting transactions those lookups found, with their fees

    def waiting_at(self, nonce: int) -> PoolTx | None:
        """The sender's waiting transaction that holds ``nonce``, where the pool or a lookup named it."""
        for entry in (*(self.pool or ()), *self.earlier):
            if entry.nonce == nonce:
                return entry
        return None


@dataclass(frozen=True, slots=True)
class Asked:
    """One chain txdiag asked, and which (redacted) endpoints answered."""

    chain: str
    endpoints: tuple[str, ...]
    agreed: int = 1  # how many endpoints agreed the transaction is absent
    configured: int = 1  # how many endpoints the chain has

    @property
    def confirmed_absent(self) -> bool:
        """Whether "absent" was confirmed by a second endpoint wherever the chain has one."""
        return self.agreed >= min(2, self.configured)


class FailureKind(StrEnum):
    """How the failing call frame stopped."""

    REVERT = "revert"  # REVERT opcode: the contract refused, maybe with revert data
    OUT_OF_GAS = "out_of_gas"
    INVALID_OPCODE = "invalid_opcode"  # 0xfe: pre-0.8 assert, some old tokens
    UNKNOWN = "unknown"  # the node named another error, or could not tell


class Unanswered(StrEnum):
    """Why a method could not tell why a transaction failed: the ``why`` of a ``"method:why"`` code.

    The words for each are in the guidance catalogs; the node's own error text never reaches people.
    """

    NO_ANSWER = "no_answer"  # no usable answer
    UNSUPPORTED = "unsupported"  # the node does not offer the method
    STATE_MISSING = "state_missing"  # the state it needs is pruned or too old
    ERROR = "error"  # the node answered with another error
    NO_FAILING_FRAME = "no_failing_frame"  # a trace without a failing call
    NO_REVERT_DATA = "no_revert_data"  # an answer without revert data
    REPLAY_SUCCEEDED = "replay_succeeded"  # the replay at the parent block succeeded, so it cannot say why

    def at(self, method: str) -> str:
        """The code for ``method``: ``"debug_traceTransaction:unsupported"``."""
        return f"{method}:{self.value}"


TOKEN_AMOUNT_KEYS = frozenset(
    {"balance", "needed", "missing", "allowance", "limit", "requested", "excess", "maximum", "received", "minimum"}
)
"""Numbers from a revert (``RevertReason.numbers``) that are token amounts (others are deadlines, ids, nonces).

Guidance shows each as ``{key}_amount``, in the token's units when the finding carries ``token_decimals``.
"""


@dataclass(frozen=True, slots=True)
class FailureInfo:
    """Why a mined transaction failed, as far as the node could tell.

    ``source`` says how it was learnt: ``"trace"`` (debug_traceTransaction),
    ``"ots"`` (ots_getTransactionError) or ``"replay"`` (eth_call at the parent
    block, which may differ from what happened in the block); None when no
    method could tell, with the reasons in ``unavailable``.
    """

    source: str | None
    kind: FailureKind
    revert_data: bytes | None = None  # the failing frame's output; None when it had none
    error: str | None = None  # the node's own error text for the failing frame
    depth: int = 0  # 0: the transaction's own call; more: a call it made
    contract: str | None = None  # the failing frame's address, when known
    gas_estimate: int | None = None  # eth_estimateGas replayed at the parent block
    replay_block: int | None = None  # the block a replay ran at
    unavailable: tuple[str, ...] = ()  # "method:why" codes (``Unanswered``) for each way that could not tell
    token_symbol: str | None = None  # metadata of ``contract`` (or the tx's ``to``), if a token
    token_decimals: int | None = None


@dataclass(frozen=True, slots=True)
class Replacement:
    """The transaction that holds a vanished transaction's nonce now, with its own outcome.

    ``status`` comes from the replacement's own receipt: PENDING while it waits
    in the pool, None when it is mined but its receipt could not be read.
    """

    hash: str
    to: str | None
    value: int
    fee_cap: int
    block_number: int | None
    tip_cap: int = 0
    input: bytes = b""
    legacy: bool = False
    status: TxStatus | None = None


@dataclass(frozen=True, slots=True)
class Vanished:
    """A transaction txdiag saw pending that its chain no longer has."""

    sender: str
    nonce: int
    to: str | None
    value: int | None
    fee_cap: int
    tip_cap: int
    first_seen: datetime
    last_seen: datetime
    latest_nonce: int | None  # the sender's next executable nonce now; None if it could not be read
    replacement: Replacement | None = None

    @property
    def settled(self) -> bool:
        """Whether the chain said what became of it: the sender's nonce was read, or a transaction waits with it.

        Without either, dropped and replaced cannot be told apart, and nothing is said about the funds.
        """
        return self.latest_nonce is not None or (self.replacement is not None and self.replacement.block_number is None)


@dataclass(frozen=True, slots=True)
class Recipient:
    """One address the transaction sent value to, and what its chain says about it.

    ``via`` is ``"native"`` (the transaction's own value), ``"calldata"`` (a
    decoded ERC-20 ``transfer``/``transferFrom``) or ``"log"`` (a Transfer log
    out of the sender). State marked "before" is read at the parent block
    (at ``latest`` for a pending transaction); None when it could not be read.
    """

    address: str  # checksummed
    via: str
    token: str | None = None  # the token contract for token transfers; None for the native coin
    value: int = 0  # wei, or the token's smallest unit
    has_code: bool | None = None  # code on this chain now (an EIP-7702 delegation counts as none)
    wallet_kind: str | None = None  # a recognised wallet shape: minimal_proxy, safe_proxy, owned_contract, ...
    token_like: bool = False  # answers ERC-20 decimals() and symbol(): a token contract
    nonce_before: int | None = None
    balance_before: int | None = None  # native coin
    token_balance_before: int | None = None  # of ``token``
    token_id: int | None = None  # the NFT's id (ERC-721 and ERC-1155)
    standard: str | None = None  # "erc20", "erc721" or "erc1155" when a Transfer log said which


@dataclass(frozen=True, slots=True)
class Counterparty:
    """An address in the sender's recent Transfer history, with how it first appeared."""

    address: str
    first_block: int
    first_log_index: int
    first_value: int
    first_outgoing: bool  # first seen as a transfer out of the sender (else into it)
    first_token: str
    transfers: int = 1
    paid: int = 0  # transfers of a non-zero value out of the sender to it


@dataclass(frozen=True, slots=True)
class SenderHistory:
    """An account's ERC-20 Transfer counterparties in a bounded block window before the transaction.

    The account (``subject``) is the sender, or, for a transaction shaped like
    address poisoning, the person whose history it plants an address in.
    """

    from_block: int
    to_block: int
    counterparties: tuple[Counterparty, ...]
    complete: bool = True  # False when some chunk of the window could not be read
    subject: str | None = None  # None: the transaction's sender

    def get(self, address: str) -> Counterparty | None:
        key = address.lower()
        return next((c for c in self.counterparties if c.address.lower() == key), None)


@dataclass(frozen=True, slots=True)
class RemoteCode:
    """A recipient that has code on another configured chain."""

    address: str
    chain: str
    wallet_kind: str | None = None  # as for Recipient.wallet_kind; None: not a recognised wallet


@dataclass(frozen=True, slots=True)
class Evidence:
    """Everything known about one transaction on one chain, at one moment.

    Optional parts are ``None`` when they do not apply or could not be read;
    what could not be read is named in ``unchecked``.
    """

    hash: str
    chain: str  # where the transaction is (or where it was looked for)
    network: NetworkView | None
    tx: TxView | None
    receipt: ReceiptView | None = None
    asked_chain: str | None = None  # the chain the caller named, if any
    expected_to: str | None = None
    token_transfers: tuple[TokenTransfer, ...] = ()
    tokens: tuple[TokenFacts, ...] = ()  # metadata of every token in the logs or addressed by the calldata
    # a successful token call whose transfer no log shows: whether the token's call returned false (None: unread)
    returned_false: bool | None = None
    sender: SenderState | None = None
    first_seen: datetime | None = None
    asked: tuple[Asked, ...] = ()
    unchecked: frozenset[str] = frozenset()
    recipients: tuple[Recipient, ...] = ()  # where the value went (native, calldata, Transfer logs)
    history: SenderHistory | None = None  # the sender's recent Transfer counterparties
    code_elsewhere: tuple[RemoteCode, ...] = ()  # recipients that are contracts on other configured chains
    failure: FailureInfo | None = None  # for a mined failed transaction: why
    vanished: Vanished | None = None  # a sighting of a pending transaction the chain no longer has

    @property
    def status(self) -> TxStatus:
        if self.receipt is not None:
            return self.receipt.status
        return TxStatus.PENDING

    def token(self, address: str) -> TokenFacts | None:
        """What is known about token ``address``: its own answers, or its Transfer logs' metadata."""
        key = address.lower()
        info = next((t for t in self.tokens if t.token.lower() == key), None)
        if info is not None:
            return info
        moved = next((t for t in self.token_transfers if t.token.lower() == key), None)
        return None if moved is None else TokenFacts(moved.token, moved.symbol, moved.decimals)

    @property
    def block_number(self) -> int | None:
        if self.receipt is not None:
            return self.receipt.block_number
        return self.tx.block_number if self.tx else None


@dataclass(frozen=True, slots=True)
class Classification:
    """The rules' answer: a verdict and the findings behind it, most serious first."""

    verdict: Verdict
    findings: tuple[Finding, ...]

    @classmethod
    def from_findings(cls, findings: list[Finding]) -> Classification:
        """The verdict is the class of the most serious finding that may escalate."""
        deciding = [f.verdict for f in findings if f.code.escalates]
        verdict = max(deciding, key=lambda v: v.rank) if deciding else Verdict.NOT_FOUND
        if verdict is Verdict.NOT_FOUND and findings and all(f.code is not Code.NOT_FOUND for f in findings):
            # a transaction was found and nothing about it escalates; a not-found stays so beside soft findings
            verdict = Verdict.CONFIRMED
        severity_order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
        ordered = sorted(
            findings, key=lambda f: (-f.verdict.rank if f.code.escalates else 0, severity_order[f.severity])
        )
        return cls(verdict, tuple(ordered))

    def codes(self) -> list[str]:
        return [f.code.value for f in self.findings]
