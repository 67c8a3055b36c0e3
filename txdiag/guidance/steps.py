"""Which next steps a finding has, and when each is shown: decided once, for every language.

A step is shown when every fact it ``needs`` is known for the finding (its
details, or the transaction and chain: ``chain``, ``symbol``, ``hash``,
``nonce``, ``sender``, ``explorer``) and none it is shown ``unless`` is. The facts are named as the finding's
details name them (``suggested_gas_price``, ``eta_seconds``), not by the
derived forms a sentence shows (``{suggested_gas_price_gwei}``, ``{eta}``).
The two fee forms are told apart here: a dynamic-fee replacement is known
by ``suggested_max_fee_per_gas``, a legacy one by ``suggested_gas_price``,
and a finding carries only one of them.

The catalogs give the words of each step by its name; a test checks that
every name has words in every language and that a step's words use no fact
the step does not need.

``EXPLANATIONS`` does the same for the sentences that explain a failure: the
first sentence whose facts are all known is used; the last needs none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from txdiag.models import Code

Needs = tuple[str, ...]

# the replacement fees of a dynamic-fee transaction, or of a legacy one: a finding carries one set or none
DYNAMIC_FEE: Needs = ("suggested_max_fee_per_gas", "suggested_max_priority_fee_per_gas")
LEGACY_FEE: Needs = ("suggested_gas_price",)


@dataclass(frozen=True, slots=True)
class Step:
    """One next step of a finding: its name in the catalogs, and the facts it must have to be shown."""

    name: str
    needs: Needs = ()
    unless: Needs = ()  # facts whose presence makes the step untrue (a sighting: "never broadcast" is not said)

    def shown(self, known: Mapping[str, object]) -> bool:
        return all(n in known for n in self.needs) and not any(n in known for n in self.unless)


# a pending transfer can still be stopped: the cancel comes first, with the fee kind the transaction uses
CANCEL = (
    Step("cancel", needs=("symbol", "sender", "nonce", *DYNAMIC_FEE)),
    Step("cancel_legacy", needs=("symbol", "sender", "nonce", *LEGACY_FEE)),
)

STEPS: Mapping[Code, tuple[Step, ...]] = {
    Code.CONFIRMED: (
        Step("nothing_to_do", needs=("chain",)),
        Step("exchange_checks", needs=()),
        Step("explorer", needs=("explorer",)),
    ),
    Code.AWAITING_CONFIRMATIONS: (
        Step("wait", needs=("eta_seconds",)),
        Step("exchange_confirmations", needs=()),
        Step("explorer", needs=("explorer",)),
    ),
    Code.FOUND_ON_OTHER_CHAIN: (Step("same_chain", needs=("chain",)),),
    Code.NOT_FOUND: (
        # txdiag saw it pending on a chain that cannot say now what became of it: broadcast, maybe mined
        Step("seen_pending", needs=("seen_on", "last_seen", "sender")),
        Step("unreachable", needs=("unreachable",)),
        Step("unconfirmed", needs=("unconfirmed",)),
        # with that sighting the hash is right, it reached a network txdiag checks, and it was broadcast
        Step("check_hash", unless=("seen_on",)),
        Step("wait_broadcast", unless=("seen_on",)),
        Step("never_broadcast", unless=("seen_on",)),
        Step("other_network", unless=("seen_on",)),
    ),
    Code.UNCHECKED: (Step("ask_again", needs=()),),
    Code.LOGS_CAPPED: (Step("explorer_rest", needs=("explorer",)),),
    Code.RECIPIENTS_CAPPED: (Step("explorer_rest", needs=("explorer",)),),
    Code.PENDING: (
        Step("do_not_pay_twice", needs=()),
        Step("sequencer", needs=("sequencer",)),
        Step("check_later", needs=()),
    ),
    Code.FEE_BELOW_BASE_FEE: (
        Step("speed_up", needs=("nonce", *DYNAMIC_FEE)),
        Step("speed_up_legacy", needs=("nonce", *LEGACY_FEE)),
        *CANCEL,
        Step("wait", needs=("max_fee_per_gas",)),
    ),
    Code.TIP_BELOW_MARKET: (
        Step("speed_up", needs=("nonce", *DYNAMIC_FEE)),
        Step("speed_up_legacy", needs=("nonce", *LEGACY_FEE)),
        *CANCEL,
    ),
    Code.NONCE_GAP: (
        Step("fill_gap", needs=("first_missing", "symbol", "sender", "missing_nonces", "nonce")),
        Step("more_may_be_missing", needs=("first_missing", "unchecked_nonces_to")),
    ),
    Code.NETWORK_CONGESTED: (Step("wait", needs=()),),
    Code.REVERTED: (
        Step("replayed", needs=("replayed_block",)),
        Step("funds_safe", needs=()),
        Step("fix_first", needs=()),
    ),
    Code.OUT_OF_GAS: (
        Step("raise_limit", needs=("suggested_gas_limit", "gas_estimate", "gas_margin_percent")),
        Step("funds_safe", needs=()),
    ),
    Code.INVALID_OPCODE: (
        Step("limit_will_not_help", needs=()),
        Step("funds_safe", needs=()),
    ),
    Code.BLOCKED_BY_EARLIER: (
        Step("speed_up_blocker", needs=("blocker_hash", "blocker_nonce", *DYNAMIC_FEE)),
        Step("speed_up_blocker_legacy", needs=("blocker_hash", "blocker_nonce", *LEGACY_FEE)),
        Step("cancel_blocker", needs=("symbol", "sender", "blocker_nonce", *DYNAMIC_FEE)),
        Step("cancel_blocker_legacy", needs=("symbol", "sender", "blocker_nonce", *LEGACY_FEE)),
        Step("leave_this_one", needs=("nonce", "blocker_nonce")),
    ),
    Code.FAKE_TOKEN: (
        Step("not_real", needs=()),
        Step("check_contract", needs=("genuine", "chain", "symbol_claimed")),
        Step("never_copy", needs=()),
    ),
    Code.ADDRESS_POISONING: (
        Step("nothing_moved", needs=()),
        Step("never_copy", needs=("planted",)),
        Step("hide", needs=()),
    ),
    Code.REPLACED: (
        Step("do_not_pay_again", needs=("replacement_succeeded", "replaced_by")),
        Step("wait_for_replacement", needs=("replacement_pending", "replaced_by", "nonce")),
        Step("speed_up_replacement", needs=("replacement_pending", "replaced_by", "nonce", *DYNAMIC_FEE)),
        Step("speed_up_replacement_legacy", needs=("replacement_pending", "replaced_by", "nonce", *LEGACY_FEE)),
        Step("look_at_replacement", needs=("replaced_by",)),
    ),
    Code.DROPPED: (
        Step("resend_same_nonce", needs=("nonce",)),
        Step("use_up_nonce", needs=("nonce", "symbol", "sender")),
        Step("wallet_rebroadcast", needs=("nonce",)),
    ),
    Code.NOTHING_TRANSFERRED: (
        Step("balance_unchanged", needs=("amount", "asset")),
        Step("find_cause", needs=()),
        Step("tell_recipient", needs=("recipient", "hash")),
    ),
    Code.ZERO_ADDRESS_RECIPIENT: (
        *CANCEL,
        Step("lost", needs=("recipient",)),
        Step("report_app", needs=()),
    ),
    Code.BURN_ADDRESS_RECIPIENT: (
        *CANCEL,
        Step("lost", needs=("recipient",)),
        Step("scam_warning", needs=()),
    ),
    Code.TOKEN_CONTRACT_RECIPIENT: (
        *CANCEL,
        Step("final", needs=("recipient",)),
        Step("issuer", needs=("hash",)),
        Step("next_time", needs=()),
    ),
    Code.LOOKALIKE_RECIPIENT: (
        *CANCEL,
        Step("final", needs=("recipient",)),
        Step("report", needs=("recipient",)),
        Step("never_copy", needs=()),
    ),
    Code.RECIPIENT_CONTRACT_ON_OTHER_CHAIN: (
        *CANCEL,
        Step("wallet_owner", needs=("chains", "wallet_kind", "chain", "hash")),
        Step("contract_team", needs=("chains", "contract_kind", "chain", "hash")),
        Step("final", needs=("recipient",)),
    ),
    Code.UNEXPECTED_RECIPIENT: (
        *CANCEL,
        Step("final", needs=("recipient",)),
        Step("ask_recipient", needs=("recipient",)),
        Step("find_source", needs=("recipient",)),
    ),
    Code.CONTRACT_RECIPIENT: (Step("check_contract", needs=("asset",)),),
    Code.FRESH_RECIPIENT: (Step("confirm_address", needs=()),),
    Code.SCAM_TOKEN: (Step("dont_visit", needs=("site",)), Step("dont_touch_token", needs=())),
    Code.SCAM_REVERT_MESSAGE: (Step("dont_visit", needs=("site",)),),
    Code.SCAM_PHONE_TOKEN: (Step("dont_call", needs=()), Step("dont_touch_token", needs=())),
    Code.SCAM_PHONE_MESSAGE: (Step("dont_call", needs=()),),
}

EXPLANATIONS: Mapping[str, tuple[Needs, ...]] = {
    "insufficient_balance": (
        ("balance_holder", "balance_amount", "token_symbol", "needed_amount", "missing_amount"),
        ("balance_amount", "token_symbol", "needed_amount", "missing_amount"),
        ("balance_amount", "needed_amount", "missing_amount"),
        (),
    ),
    "insufficient_allowance": (
        ("allowance_amount", "token_symbol", "needed_amount", "missing_amount"),
        ("allowance_amount", "needed_amount", "missing_amount"),
        (),
    ),
    "decreased_allowance_below_zero": ((),),
    "not_approved": ((),),
    "slippage": (("received_amount", "minimum_amount"), ("requested_amount", "maximum_amount"), ()),
    "insufficient_liquidity": ((),),
    "deadline_expired": ((),),
    "signature_expired": ((),),
    "allowance_expired": ((),),
    "invalid_signature": ((),),
    "invalid_nonce": ((),),
    "paused": ((),),
    "not_paused": ((),),
    "blacklisted": ((),),
    "trading_disabled": ((),),
    "exceeds_limit": (("requested_amount", "limit_amount"), ()),
    "unauthorized": ((),),
    "reentrant_call": ((),),
    "transfer_to_zero_address": ((),),
    "invalid_sender": ((),),
    "invalid_receiver": ((),),
    "invalid_approver": ((),),
    "invalid_spender": ((),),
    "invalid_operator": ((),),
    "invalid_owner": ((),),
    "not_token_owner": (("token_id",), ()),
    "nonexistent_token": (("token_id",), ()),
    "invalid_array_length": ((),),
    "transfer_failed": ((),),
    "inner_call_failed": ((),),
    "call_to_non_contract": ((),),
    "panic_generic": (("panic_code",),),
    "assertion_failed": ((),),
    "arithmetic_overflow": ((),),
    "division_by_zero": ((),),
    "invalid_enum_value": ((),),
    "corrupt_storage_array": ((),),
    "empty_array_pop": ((),),
    "array_out_of_bounds": ((),),
    "out_of_memory": ((),),
    "uninitialized_function": ((),),
    "panic_unknown": (("panic_code",),),
    "no_reason": ((),),
    "contract_message": (("message",), ()),
    "custom_error": (("reason",), ()),
    "unknown_error": (("selector",), ()),
    "malformed_reason": ((),),
    "vm_error": (("node_error",), ()),
    "reason_unavailable": (("reason_unavailable",), ()),
    "reason_unavailable_all_gas": (("reason_unavailable",), ()),
    "out_of_gas": (("gas_estimate", "gas_limit"), ()),
    "out_of_gas_no_estimate": (("gas_limit",), ()),
    "inner_out_of_gas": (("failing_contract", "gas_estimate"), ()),
    "inner_out_of_gas_no_estimate": (("failing_contract",), ()),
    "invalid_opcode": ((),),
    "replaced_speed_up": (("replaced_by", "replacement_block"),),
    "replaced_pending": (
        ("replaced_by", "replacement_fee_cap_per_gas", "replacement_tip_cap_per_gas"),
        ("replaced_by", "replacement_gas_price_per_gas"),
        ("replaced_by",),
    ),
    "replaced_failed": (("replaced_by", "replacement_block"),),
    "replaced_outcome_unknown": (("replaced_by",),),
    "replaced_cancel": (("replaced_by",),),
    "fake_received": (("amount", "symbol_claimed", "token_to"),),
    "fake_sent": (("token_from", "symbol_claimed"),),
    "fake_sending": (("symbol_claimed",),),
    "poisoning_lookalike": (("planted", "lookalike_of", "victim", "matching_prefix", "matching_suffix"),),
    "poisoning_zero_value": ((),),
    "poisoning_foreign": ((),),
    "replaced_other": (("replaced_by", "replacement_value_wei", "symbol", "replacement_to"), ("replaced_by",)),
    "replaced_unknown": (("nonce",), ()),
    "dropped": (("nonce",), ()),
}
