"""English: every word txdiag says, and how English writes lists, durations and numbers."""

from __future__ import annotations

from txdiag.guidance.catalog import Catalog, Common, Entry
from txdiag.guidance.locale import Locale
from txdiag.models import Code

LOCALE = Locale(
    tag="en",
    cldr="en",
    prefixes=("en",),
    terms={
        "finalized_tag": "finalized by the network",
        "confirmations": "enough confirmations ({required})",
        "sentence_gap": " ",  # between two sentences
        "yes": "yes",
        "no": "no",
        "smallest_units": " (in the token's smallest units)",
        # an NFT reads "NFT #7 of Kittens": {amount} {asset} in every template
        "nft_amount": "NFT #{token_id}",
        "nft_amount_many": "{count} × NFT #{token_id}",
        "nft_asset": "of {collection}",
        # a well-known token by its issuer, or by its listing on the chain
        "issued_token": "{issuer}'s {symbol_claimed}",
        "listed_token": "the real {symbol_claimed}",
        # what a fake token calls itself: the listed symbol, or a look-alike of it ("UЅDT" with a Cyrillic Ѕ)
        "claims_symbol": "only calls itself {symbol_claimed}",
        "imitates_symbol": "calls itself {symbol_shown}, written with other characters ({lookalike_chars}) to look like {symbol_claimed}",
    },
    list_style="unit-short",  # CLDR: "5, 6, 7"
    colon=": ",
    duration_length="short",  # CLDR: "2 hr 5 min"
    duration_joiner=" ",
    # CLDR's (tests/test_locales.py holds them to Babel's): short duration units, and the unit-short list
    duration_units={
        "second": {"one": "{0} sec", "other": "{0} sec"},
        "minute": {"one": "{0} min", "other": "{0} min"},
        "hour": {"one": "{0} hr", "other": "{0} hr"},
        "day": {"one": "{0} day", "other": "{0} days"},
    },
    list_patterns={"2": "{0}, {1}", "start": "{0}, {1}", "middle": "{0}, {1}", "end": "{0}, {1}"},
)

# steps shared by several findings
_SPEED_UP = (
    'Speed it up: in your wallet choose "Speed up" (or edit the network fee under advanced settings), keep nonce '
    "{nonce}, and enter max fee {suggested_max_fee_per_gas_gwei} gwei and max priority fee "
    "{suggested_max_priority_fee_per_gas_gwei} gwei."
)
_SPEED_UP_LEGACY = (
    'Speed it up: in your wallet choose "Speed up" (or edit the gas price under advanced settings), keep nonce '
    "{nonce}, and enter gas price {suggested_gas_price_gwei} gwei."
)
_CANCEL_PENDING = (
    "Or cancel it: send 0 {symbol} to your own address ({sender}) with nonce {nonce}, max fee "
    "{suggested_max_fee_per_gas_gwei} gwei and max priority fee {suggested_max_priority_fee_per_gas_gwei} gwei; once "
    "that is included, the original transaction can never go through."
)
_CANCEL_PENDING_LEGACY = (
    "Or cancel it: send 0 {symbol} to your own address ({sender}) with nonce {nonce} and gas price "
    "{suggested_gas_price_gwei} gwei; once that is included, the original transaction can never go through."
)
_CANCEL = (
    "It is not in a block yet, so it can still be stopped: cancel it now by sending 0 {symbol} to your own address "
    "({sender}) with the same nonce {nonce}, max fee {suggested_max_fee_per_gas_gwei} gwei and max priority fee "
    '{suggested_max_priority_fee_per_gas_gwei} gwei (a wallet\'s "Cancel" button does this). Once the cancel is in a '
    "block, this transfer can never go through."
)
_CANCEL_LEGACY = (
    "It is not in a block yet, so it can still be stopped: cancel it now by sending 0 {symbol} to your own address "
    '({sender}) with the same nonce {nonce} and gas price {suggested_gas_price_gwei} gwei (a wallet\'s "Cancel" '
    "button does this). Once the cancel is in a block, this transfer can never go through."
)
_LOST = (
    'Nobody holds the key to {recipient}, so no one (not your wallet, an exchange, a support desk or any "recovery '
    'service") can get these funds back once the transfer is in a block.'
)
_FINAL = (
    "Once it is in a block, a transfer cannot be reversed by any wallet, exchange or support desk. Only whoever "
    "controls {recipient} can send the funds back."
)

CATALOG = Catalog(
    locale=LOCALE,
    entries={
        Code.CONFIRMED: Entry(
            summary="Your transaction went through: it is in block {block} on {chain} and is final.",
            message="Included in block {block}; confirmations: {confirmations}; the block is final ({finality}).",
            steps={
                "nothing_to_do": (
                    "Nothing more is needed on the blockchain. If the recipient does not see the funds, ask them to "
                    "check the same chain ({chain}) and the same address."
                ),
                "exchange_checks": (
                    "An exchange or service may credit deposits only after its own checks; give them the transaction "
                    "hash if they ask."
                ),
                "explorer": "See it on the explorer: {explorer}",
            },
        ),
        Code.AWAITING_CONFIRMATIONS: Entry(
            summary=(
                "Your transaction succeeded in block {block} on {chain} and is waiting for more blocks before it is "
                "final: about {eta} more."
            ),
            message="Confirmations so far: {confirmations}. Final in about {remaining_blocks} more blocks (about {eta}).",
            steps={
                "wait": "Wait about {eta}; nothing needs to be done. Do not send the payment again.",
                "exchange_confirmations": (
                    "Exchanges credit a deposit only after their own number of confirmations; it will appear once "
                    "that is reached."
                ),
                "explorer": "See it on the explorer: {explorer}",
            },
        ),
        Code.FOUND_ON_OTHER_CHAIN: Entry(
            summary="This transaction is not on {asked_chain}; it is on {chain}.",
            message="Looked up on {asked_chain} as asked, but the transaction is on {chain}.",
            steps={
                "same_chain": (
                    "Check that your wallet and the recipient are both using {chain}: funds sent on {chain} only "
                    "appear on {chain}."
                ),
            },
        ),
        Code.NOT_FOUND: Entry(
            summary="No configured network knows this transaction hash (networks asked: {chains}).",
            message="Networks asked: {chains}; endpoints asked: {endpoints_asked}. None has this transaction.",
            steps={
                "seen_pending": (
                    "txdiag saw this transaction pending on {seen_on} at {last_seen}. What became of it could not be "
                    "read just now: it may have been mined. Check again in a minute, or look at the sender's history "
                    "({sender}) on the {seen_on} explorer, before you send it again."
                ),
                "unreachable": (
                    "txdiag could not reach {unreachable} just now, so the transaction may be there. Ask again in a "
                    "minute before you send anything again."
                ),
                "unconfirmed": (
                    "On {unconfirmed}, only one endpoint could answer just now, and endpoints sometimes miss recent "
                    "transactions. Ask again in a minute to be sure."
                ),
                "check_hash": "Check that the hash is copied whole and exactly (66 characters starting with 0x).",
                "wait_broadcast": "If you only just sent it, wait a minute and check again: it may not have reached the network yet.",
                "never_broadcast": (
                    "If your wallet shows the transaction but no network has it, it was probably never broadcast or "
                    "was dropped. Check your balance and the wallet's activity list before you send it again."
                ),
                "other_network": "Check which network your wallet used; it may be one txdiag is not set up to check.",
            },
        ),
        Code.UNCHECKED: Entry(
            summary="Part of the network data could not be read just now, so some checks were skipped.",
            message="Could not check: {parts}. Nothing was assumed about them.",
            incomplete_summary=(
                "It is in a block, but {deciding} could not be checked, so txdiag cannot yet say it went where it "
                "should. Ask again in a minute before you rely on this answer."
            ),
            incomplete_final_summary=(
                "It is in a block, but {deciding} could not be checked, so txdiag cannot yet say it is final. Ask "
                "again in a minute before you rely on this answer."
            ),
            incomplete_note="Not everything could be checked ({deciding}): ask again in a minute for a complete answer.",
            steps={
                "ask_again": "Ask again in a minute for a complete answer.",
            },
        ),
        Code.LOGS_CAPPED: Entry(
            summary="This transaction has {logs} logs; only the first {logs_read} were read for transfers.",
            message=(
                "Only the first {logs_read} of its {logs} logs were read for transfers; the rest were not checked."
            ),
            steps={
                "explorer_rest": "The explorer lists everything it moved: {explorer}",
            },
        ),
        Code.RECIPIENTS_CAPPED: Entry(
            summary="This transaction paid more recipients than txdiag checks; only the first {recipients_read} were.",
            message=(
                "It paid more than {recipients_read} recipients; only the first {recipients_read} were checked, "
                "the rest were not."
            ),
            steps={
                "explorer_rest": "The explorer lists everything it moved: {explorer}",
            },
        ),
        Code.PENDING: Entry(
            summary="Your transaction (nonce {nonce}) has been sent but is not in a block yet.",
            message="Waiting in the network's queue (nonce {nonce}); first seen by txdiag {waiting} ago.",
            steps={
                "do_not_pay_twice": "Do not send the same payment again while this one is waiting: both could go through.",
                "sequencer": (
                    "On {sequencer}, a single sequencer includes transactions in the order it receives them, so a "
                    "higher priority fee does not move one ahead. A transaction that stays pending there is usually "
                    "waiting for an earlier nonce, or its max fee is below the network's base fee."
                ),
                "check_later": "Check again in a few minutes; most transactions are included within a few blocks.",
            },
        ),
        Code.FEE_BELOW_BASE_FEE: Entry(
            summary=(
                "Your transaction cannot be included: its maximum fee ({max_fee_per_gas_gwei} gwei) is below the "
                "network's current base fee ({base_fee_per_gas_gwei} gwei)."
            ),
            message=(
                "Max fee {max_fee_per_gas_gwei} gwei is under the next block's base fee {base_fee_per_gas_gwei} gwei: "
                "the base fee would have to fall by {shortfall_per_gas_gwei} gwei ({base_fee_fall_percent}%). Lowest "
                "base fee in the last {history_blocks} blocks: {lowest_recent_base_fee_per_gas_gwei} gwei (the base "
                "fee was as low as your max fee recently: {reached_recently})."
            ),
            steps={
                "speed_up": _SPEED_UP,
                "speed_up_legacy": _SPEED_UP_LEGACY,
                "cancel": _CANCEL_PENDING,
                "cancel_legacy": _CANCEL_PENDING_LEGACY,
                "wait": (
                    "Or wait: if the base fee falls to {max_fee_per_gas_gwei} gwei or less it can still go through, "
                    "but nodes may drop it meanwhile and fees may keep rising."
                ),
            },
        ),
        Code.TIP_BELOW_MARKET: Entry(
            summary=(
                "Your transaction offers a lower priority fee than most transactions in recent blocks, so they go "
                "first."
            ),
            message=(
                "It can pay a priority fee of {tip_gwei} gwei. In a typical recent block, no more than {percentile}% "
                "of transactions paid less than {market_tip_gwei} gwei, so most offer more than yours."
            ),
            steps={
                "speed_up": _SPEED_UP,
                "speed_up_legacy": _SPEED_UP_LEGACY,
                "cancel": _CANCEL_PENDING,
                "cancel_legacy": _CANCEL_PENDING_LEGACY,
            },
        ),
        Code.NONCE_GAP: Entry(
            summary=(
                "Your transaction (nonce {nonce}) is waiting for earlier transactions from your address that were "
                "never sent or were dropped (missing nonces: {missing_nonces})."
            ),
            message=(
                "Nonce {nonce} cannot run until every missing nonce is used ({missing_count} missing: "
                "{missing_nonces}); the network's next nonce for this address is {next_nonce}."
            ),
            steps={
                "fill_gap": (
                    "Send a transaction with nonce {first_missing} first (most wallets let you set a custom nonce "
                    "under advanced settings); a transfer of 0 {symbol} to your own address ({sender}) is enough. Do "
                    "the same for each missing nonce ({missing_nonces}); then nonce {nonce} goes through by itself."
                ),
                "more_may_be_missing": (
                    "txdiag could not check the nonces after {first_missing}, up to and including "
                    "{unchecked_nonces_to}, so more of them may be missing: your wallet's activity list shows which "
                    "nonces you have used."
                ),
            },
        ),
        Code.NETWORK_CONGESTED: Entry(
            summary="The network is busy: blocks are full and fees are rising.",
            message=(
                "{full_blocks} of the last {blocks} blocks were full ({gas_used_percent}% used on average) and the "
                "base fee rose {base_fee_rise_percent}% to {base_fee_per_gas_gwei} gwei."
            ),
            steps={
                "wait": "If it is not urgent, waiting for fees to fall costs nothing.",
            },
        ),
        Code.REVERTED: Entry(
            summary=(
                "Your transaction failed in block {block}: {explanation_text} Nothing was transferred; only the "
                "network fee ({fee_paid_native} {symbol}) was spent."
            ),
            message="Reverted in block {block}: {reason}.",
            steps={
                "replayed": (
                    "This reason comes from re-running the transaction at block {replayed_block}; inside its own "
                    "block the result may have been different."
                ),
                "funds_safe": "Your funds (other than the fee) did not move; you can check your balance.",
                "fix_first": "Fix the cause before trying again; sending the same transaction again will fail the same way.",
            },
        ),
        Code.OUT_OF_GAS: Entry(
            summary=(
                "Your transaction failed in block {block} because it ran out of gas: {explanation_text} Nothing was "
                "transferred; the network fee ({fee_paid_native} {symbol}) was spent."
            ),
            message="Ran out of gas: used {gas_used} of a {gas_limit} limit.",
            steps={
                "raise_limit": (
                    "Try again with a gas limit of at least {suggested_gas_limit} (the re-run estimate of "
                    "{gas_estimate} gas plus {gas_margin_percent} % headroom)."
                ),
                "funds_safe": "Your funds (other than the fee) did not move; you can check your balance.",
            },
        ),
        Code.INVALID_OPCODE: Entry(
            summary=(
                "Your transaction failed in block {block}: {explanation_text} That uses up all the gas; nothing was "
                "transferred and the network fee ({fee_paid_native} {symbol}) was spent."
            ),
            message="Stopped at an invalid opcode after using {gas_used} gas.",
            steps={
                "limit_will_not_help": "Raising the gas limit will not help: the contract refuses this call as it stands.",
                "funds_safe": "Your funds (other than the fee) did not move; you can check your balance.",
            },
        ),
        Code.BLOCKED_BY_EARLIER: Entry(
            summary=(
                "This transaction (nonce {nonce}) is waiting behind an earlier one from the same address, "
                "{blocker_hash} (nonce {blocker_nonce}, max fee {blocker_max_fee_per_gas_gwei} gwei, max priority "
                "fee {blocker_max_priority_fee_per_gas_gwei} gwei), which pays too little to be included now. "
                "Nothing sent after nonce {blocker_nonce} can go through before it."
            ),
            message=(
                "Blocked by {blocker_hash} (nonce {blocker_nonce}): max fee {blocker_max_fee_per_gas_gwei} gwei, "
                "max priority fee {blocker_max_priority_fee_per_gas_gwei} gwei."
            ),
            steps={
                "speed_up_blocker": (
                    'Speed up the earlier transaction {blocker_hash}, not this one: choose "Speed up" on it in your '
                    "wallet (nonce {blocker_nonce}) with max fee {suggested_max_fee_per_gas_gwei} gwei and max "
                    "priority fee {suggested_max_priority_fee_per_gas_gwei} gwei. This one follows by itself once "
                    "that is in a block."
                ),
                "speed_up_blocker_legacy": (
                    'Speed up the earlier transaction {blocker_hash}, not this one: choose "Speed up" on it in your '
                    "wallet (nonce {blocker_nonce}) with gas price {suggested_gas_price_gwei} gwei. This one follows "
                    "by itself once that is in a block."
                ),
                "cancel_blocker": (
                    "Or, if you no longer want the earlier transaction, cancel it: send 0 {symbol} to your own "
                    "address ({sender}) with nonce {blocker_nonce}, max fee {suggested_max_fee_per_gas_gwei} gwei and "
                    "max priority fee {suggested_max_priority_fee_per_gas_gwei} gwei; this one then follows."
                ),
                "cancel_blocker_legacy": (
                    "Or, if you no longer want the earlier transaction, cancel it: send 0 {symbol} to your own "
                    "address ({sender}) with nonce {blocker_nonce} and gas price {suggested_gas_price_gwei} gwei; "
                    "this one then follows."
                ),
                "leave_this_one": (
                    "Do not speed up or resend this transaction (nonce {nonce}): a higher fee on it does not help "
                    "while nonce {blocker_nonce} waits."
                ),
            },
        ),
        Code.FAKE_TOKEN: Entry(
            summary=(
                "This is not {genuine_name} on {chain}: the token {token} {claim}; "
                "{genuine_name} on {chain} is the token at {genuine}. {explanation_text}"
            ),
            message="The token {token} {claim}, but {genuine_name} on {chain} is {genuine}.",
            steps={
                "not_real": (
                    'Do not treat this as a payment, and do not try to sell, swap or "unlock" these tokens: sites '
                    "that offer to do that ask for approvals that empty wallets."
                ),
                "check_contract": (
                    "Before you accept or send {symbol_claimed}, check the token's contract address, not its name: "
                    "the real {symbol_claimed} on {chain} is {genuine}."
                ),
                "never_copy": (
                    "Never copy an address from your transaction history: fake tokens are sent to plant look-alike "
                    "addresses there. Use your address book or a QR code from the recipient, and check every character."
                ),
            },
        ),
        Code.ADDRESS_POISONING: Entry(
            summary=(
                "This was address poisoning, and it moved no funds: it put {planted} into the transaction history of "
                "{victim}, so that it would be copied by mistake later. {explanation_text}"
            ),
            message="Address poisoning that moved no funds: {planted} was planted in the history of {victim}.",
            steps={
                "nothing_moved": (
                    "Nothing of yours moved and no one had your keys: such a transfer can be made without them. There "
                    "is nothing to undo."
                ),
                "never_copy": (
                    "Never copy an address from your transaction history: {planted} was put there to be copied by "
                    "mistake. Use your address book or a QR code from the recipient, and check every character, not "
                    "only the start and the end."
                ),
                "hide": (
                    "Many wallets can hide zero-value and unknown-token transfers; turning that on keeps entries like "
                    "this one out of sight."
                ),
            },
        ),
        Code.REPLACED: Entry(
            summary=(
                "This transaction was replaced: another transaction from the same address used its nonce ({nonce}), "
                "so it will never be included. {explanation_text}"
            ),
            message="Nonce {nonce} was used by another transaction; this one was last seen pending at {last_seen}.",
            steps={
                "do_not_pay_again": "Do not send this payment again: {replaced_by} made it.",
                "wait_for_replacement": (
                    "Wait for {replaced_by}: it holds nonce {nonce} now. Do not send anything else with nonce {nonce} "
                    "unless you mean to replace {replaced_by} itself."
                ),
                "speed_up_replacement": (
                    'If {replaced_by} stays stuck, speed up that transaction (not this one): "Speed up" in your '
                    "wallet, keeping nonce {nonce}, with max fee at least {suggested_max_fee_per_gas_gwei} gwei and "
                    "max priority fee at least {suggested_max_priority_fee_per_gas_gwei} gwei."
                ),
                "speed_up_replacement_legacy": (
                    'If {replaced_by} stays stuck, speed up that transaction (not this one): "Speed up" in your '
                    "wallet, keeping nonce {nonce}, with a gas price of at least {suggested_gas_price_gwei} gwei."
                ),
                "look_at_replacement": "Look at transaction {replaced_by} to see what it did.",
            },
        ),
        Code.DROPPED: Entry(
            summary=(
                "This transaction was dropped: the network does not have it now. {explanation_text} But until nonce "
                "{nonce} is used, a copy of the signed transaction could still be broadcast again and go through."
            ),
            message="Last seen pending at {last_seen}; the network no longer has it.",
            steps={
                "resend_same_nonce": (
                    "To make this payment safely, send it again with the same nonce {nonce} (set a custom nonce in "
                    "your wallet's advanced settings): both use nonce {nonce}, so at most one of them can go through."
                ),
                "use_up_nonce": (
                    "If you no longer want to make this payment, use up nonce {nonce} instead: send 0 {symbol} to "
                    "your own address ({sender}) with nonce {nonce}. Once that is in a block, the old one can never "
                    "go through."
                ),
                "wallet_rebroadcast": (
                    "If your wallet still shows it as pending, your wallet may broadcast it again by itself; after "
                    "either step above, at most one transaction can ever use nonce {nonce}."
                ),
            },
        ),
        Code.NOTHING_TRANSFERRED: Entry(
            summary=(
                "The token refused the transfer; nothing was sent. The transaction is in block {block} and shows as "
                "successful, but no tokens moved to {recipient}; only the network fee ({fee_paid_native} {symbol}) "
                "was spent."
            ),
            message=(
                "The token call to send to {recipient} succeeded without moving anything: no transfer was recorded."
            ),
            steps={
                "balance_unchanged": "Your {amount} {asset} did not leave your account; you can check your balance.",
                "find_cause": (
                    "Do not pay again before you know why the token refused (often a balance that was too low, or a "
                    "paused or restricted token); sending the same transfer again will most likely be refused again."
                ),
                "tell_recipient": (
                    "If {recipient} is waiting for this payment, tell them it did not arrive and give them the hash "
                    "{hash}."
                ),
            },
        ),
        Code.ZERO_ADDRESS_RECIPIENT: Entry(
            summary=(
                "You sent {amount} {asset} to the zero address ({recipient}). Nobody controls that address, so the "
                "funds are lost."
            ),
            pending_summary=(
                "This transfer is about to send {amount} {asset} to the zero address ({recipient}), which nobody "
                "controls. It can still be stopped: cancel it now (step 1)."
            ),
            message="The recipient {recipient} is the zero address ({amount} {asset}).",
            steps={
                "cancel": _CANCEL,
                "cancel_legacy": _CANCEL_LEGACY,
                "lost": _LOST,
                "report_app": (
                    "If an app or website filled in this address for you, report it to them through their official "
                    "site: sending to the zero address is a bug."
                ),
            },
        ),
        Code.BURN_ADDRESS_RECIPIENT: Entry(
            summary=(
                "You sent {amount} {asset} to {recipient}, a well-known burn address that nobody controls, so the "
                "funds are lost."
            ),
            pending_summary=(
                "This transfer is about to send {amount} {asset} to {recipient}, a well-known burn address that "
                "nobody controls. It can still be stopped: cancel it now (step 1)."
            ),
            message="The recipient {recipient} is a well-known burn address ({amount} {asset}).",
            steps={
                "cancel": _CANCEL,
                "cancel_legacy": _CANCEL_LEGACY,
                "lost": _LOST,
                "scam_warning": (
                    'If someone told you to send funds to this address (for example to "verify" or "unlock" your '
                    "wallet), that was a scam: stop and do not send anything more."
                ),
            },
        ),
        Code.TOKEN_CONTRACT_RECIPIENT: Entry(
            summary=(
                "You sent {amount} {asset} to a token contract ({recipient}) instead of a wallet. A token contract "
                "usually cannot send them back."
            ),
            pending_summary=(
                "This transfer is about to send {amount} {asset} to a token contract ({recipient}) instead of a "
                "wallet; a token contract usually cannot send them back. It can still be stopped: cancel it now (step "
                "1)."
            ),
            message="The recipient {recipient} is a token contract, not a wallet ({amount} {asset}).",
            steps={
                "cancel": _CANCEL,
                "cancel_legacy": _CANCEL_LEGACY,
                "final": _FINAL,
                "issuer": (
                    "Only the token's issuer can sometimes help: some token contracts let the issuer return tokens "
                    "stuck in them. Contact the issuer only through the official website or support channel the "
                    "project lists, with the transaction hash {hash}. Never deal with anyone who contacts you first "
                    "or asks for a fee."
                ),
                "next_time": (
                    "Next time, send to the recipient's wallet address, not to the token's contract address "
                    "(explorers show both on a token page)."
                ),
            },
        ),
        Code.LOOKALIKE_RECIPIENT: Entry(
            summary=(
                "You sent {amount} {asset} to {recipient}, which is not {lookalike_of}: it only looks like it (both "
                "start {matching_prefix} and end {matching_suffix}). This is address poisoning: a scammer planted the "
                "look-alike in your transaction history so that you would copy it."
            ),
            pending_summary=(
                "This transfer is about to send {amount} {asset} to {recipient}, which is not {lookalike_of}: it only "
                "looks like it (both start {matching_prefix} and end {matching_suffix}). This is address poisoning: a "
                "scammer planted the look-alike in your transaction history. It can still be stopped: cancel it now "
                "(step 1)."
            ),
            message=(
                "The recipient {recipient} imitates {lookalike_of}, an address in your transaction history: "
                "{matched_chars} characters at its start and end match, far too many to be a coincidence."
            ),
            steps={
                "cancel": _CANCEL,
                "cancel_legacy": _CANCEL_LEGACY,
                "final": _FINAL,
                "report": (
                    "The look-alike address belongs to the scammer, who will not return the funds. You can report "
                    "{recipient} to your wallet provider, to exchanges and to the police; that does not bring the "
                    "funds back, but it helps warn others."
                ),
                "never_copy": (
                    "Never copy an address from your transaction history. Use your address book or a QR code from the "
                    "recipient, and compare every character, not only the start and the end. Anyone can make a "
                    "zero-value transfer appear in your history without your keys."
                ),
            },
        ),
        Code.RECIPIENT_CONTRACT_ON_OTHER_CHAIN: Entry(
            summary=(
                "You sent {amount} {asset} to {recipient}, which has no contract on {chain} but is a contract on "
                "{chains}: the funds were probably sent on the wrong network."
            ),
            pending_summary=(
                "This transfer is about to send {amount} {asset} to {recipient}, which has no contract on {chain} but "
                "is a contract on {chains}: this is probably the wrong network. It can still be stopped: cancel it "
                "now (step 1)."
            ),
            message="The recipient {recipient} has no code on {chain}; it is a contract on {chains}.",
            steps={
                "cancel": _CANCEL,
                "cancel_legacy": _CANCEL_LEGACY,
                "wallet_owner": (
                    "On {chains} this address is a smart-contract wallet. Its owner may be able to get the funds back "
                    "by deploying the same wallet at the same address on {chain}; only the owner can do that, and not "
                    "every kind of wallet allows it. Contact the owner (for an exchange, its official support) with "
                    "the transaction hash {hash}."
                ),
                "contract_team": (
                    "On {chains} this address is a contract, but not a recognised wallet. Unless its team can deploy "
                    "the same contract at the same address on {chain}, which is rarely possible, the funds cannot be "
                    "returned. If it belongs to an exchange or a service, contact its official support with the hash "
                    "{hash}: some services can return deposits sent on the wrong network, but not all do."
                ),
                "final": _FINAL,
            },
        ),
        Code.UNEXPECTED_RECIPIENT: Entry(
            summary="You sent {amount} {asset} to {recipient}, not to the address you meant ({expected_to}).",
            pending_summary=(
                "This transfer is about to send {amount} {asset} to {recipient}, not to the address you meant "
                "({expected_to}). It can still be stopped: cancel it now (step 1)."
            ),
            message=(
                "Sent to {recipient}; you expected {expected_to}. The two share the first {matching_prefix_chars} and "
                "the last {matching_suffix_chars} characters after 0x. A look-alike (similar at both ends, as in "
                "address poisoning): {looks_alike}."
            ),
            steps={
                "cancel": _CANCEL,
                "cancel_legacy": _CANCEL_LEGACY,
                "final": _FINAL,
                "ask_recipient": (
                    "If you know who controls {recipient}, you can ask them to send the funds back. If the two "
                    "addresses look alike, {recipient} was probably planted in your history by a scammer (address "
                    "poisoning), and the funds are gone."
                ),
                "find_source": (
                    "Find out where {recipient} came from (copied from your history, a message, a website) so it does "
                    "not happen again."
                ),
            },
        ),
        Code.CONTRACT_RECIPIENT: Entry(
            summary="You sent {amount} {asset} to a contract ({recipient}), not to a personal wallet.",
            message="The recipient {recipient} is a contract that is not a recognised wallet ({amount} {asset}).",
            steps={
                "check_contract": (
                    "Make sure this contract is meant to receive {asset} (a deposit contract, for example). Tokens "
                    "sent to a contract that does not expect them usually cannot be moved out again; only the "
                    "contract's team can tell, so ask them through their official website."
                ),
            },
        ),
        Code.FRESH_RECIPIENT: Entry(
            summary="The recipient {recipient} had no activity before this transfer.",
            message="The recipient {recipient} had no transactions, balance or earlier transfers before this one.",
            steps={
                "confirm_address": (
                    "A new address is normal for a first payment. If the recipient should have used it before, "
                    "confirm the address with them through another channel."
                ),
            },
        ),
        Code.SCAM_TOKEN: Entry(
            summary="The token {token} advertises a website or a giveaway in its own name: that is a scam token.",
            message=(
                "The token {token} advertises a website or a giveaway in its name or symbol. Tokens that advertise "
                "websites are scams: they are sent to many wallets to lure people to the site."
            ),
            steps={
                "dont_visit": (
                    "Do not visit {site} (written with [.] so that it is not a link) or any site the token names; "
                    "it is run by scammers."
                ),
                "dont_touch_token": (
                    "Do not approve, sell, swap or send this token, and connect your wallet to no site about it: "
                    "that is how such sites empty wallets. Ignore the token (most wallets can hide it)."
                ),
            },
        ),
        Code.SCAM_REVERT_MESSAGE: Entry(
            summary="The contract's error message advertises a website ({site}): that is a sign of a scam.",
            message=(
                "The contract's error message advertises a website ({site}). Contracts that send you to a website "
                "are scams."
            ),
            steps={
                "dont_visit": (
                    "Do not visit {site} (written with [.] so that it is not a link); no real service asks you to "
                    "fix a failed transaction on a website named in an error message."
                ),
            },
        ),
        Code.SCAM_PHONE_TOKEN: Entry(
            summary=(
                "The token {token} shows a phone number in its own name or symbol (hidden here as ☎***): "
                "that is a scam token."
            ),
            message=(
                "The token {token} shows a phone number in its name or symbol; it is hidden here as ☎***. "
                "A real support desk never reaches you through a token's name: the number is a fake support line."
            ),
            steps={
                "dont_call": (
                    "Do not call that number, or any number a token or an error message shows: a real support desk "
                    "never reaches you through a token's name or a contract's error message. Contact support only "
                    "through your wallet's own app or website."
                ),
                "dont_touch_token": (
                    "Do not approve, sell, swap or send this token, and connect your wallet to no site about it: "
                    "that is how such scams empty wallets. Ignore the token (most wallets can hide it)."
                ),
            },
        ),
        Code.SCAM_PHONE_MESSAGE: Entry(
            summary=(
                "The error message of this transaction shows a phone number (hidden here as ☎***): "
                "that is a sign of a scam."
            ),
            message=(
                "The error message of this transaction shows a phone number; it is hidden here as ☎***. "
                "A real support desk never reaches you through a contract's error message: the number is a fake "
                "support line."
            ),
            steps={
                "dont_call": (
                    "Do not call that number, or any number a token or an error message shows: a real support desk "
                    "never reaches you through a token's name or a contract's error message. Contact support only "
                    "through your wallet's own app or website."
                ),
            },
        ),
    },
    common=Common(
        safety=(
            "Stay safe: no real support agent will ever ask for your seed phrase or private key, and anyone who offers to "
            "recover funds for a fee is a scammer. Contact support only through your wallet's own app or website."
        ),
        verdicts={
            "confirmed": "Confirmed",
            "delayed": "Delayed",
            "failed": "Failed",
            "misdirected": "Misdirected",
            "not_found": "Not found",
        },
        labels={
            "verdict": "Verdict",
            "chain": "Chain",
            "transaction": "Transaction",
            "findings": "Findings",
            "next_steps": "What to do",
            "from": "From",
            "to": "To",
            "value": "Value",
            "block": "Block",
            "confirmations": "Confirmations",
            "tokens": "Token transfers",
            "explorer": "Explorer",
            "observed": "Checked at",
            "raw_amount": "{value} {asset} (in the token's smallest units)",
            "nft": "NFT #{token_id} of {collection}",
        },
        revert_reasons={
            "empty": "reverted without a reason",
            # the decoder's form: Error("…"), Panic(0x11: …), Name(arg=value), unknown error 0x… (+n bytes)
            "error_string": "{reason}",
            "custom": "{reason}",
            "panic": "{reason}",
            "unknown": "{reason}",
            "malformed": "{reason}",
            "node_error": 'the node reports "{reason}"',
        },
        node_reasons={
            "node": "the node did not answer",
            "no_answer": "{method}: no usable answer",
            "unsupported": "{method}: not supported by the node",
            "state_missing": "{method}: state not available (pruned or too old)",
            "error": "{method}: the node answered with an error",
            "no_failing_frame": "{method}: no failing call in the trace",
            "no_revert_data": "{method}: no revert data",
            "replay_succeeded": "{method}: the replay at the parent block succeeded, so it cannot say why the transaction failed",
        },
        parts={
            "fee_history": "recent network fees",
            "pool": "the network's pending pool",
            "finalized": "the network's finalized block",
            "safe": "the network's safe block",
            "sender": "the sender's nonces and pending transactions",
            "sender_nonce": "the sender's nonces",
            "sender_pool": "the sender's pending transactions",
            "token": "token names and decimals",
            "failure": "the reason the transaction failed",
            "outcome": "whether the transaction succeeded (its receipt does not say)",
            "recipient": "the recipient's details and history",
            "recipient_code": "whether the recipient is a contract",
            "sender_history": "the sender's recent transfers",
            "confirmations": "the confirmation count and finality against the time of the transaction's block",
            "chain:": "the network {name}",
            "look_back:": "what became of the transaction txdiag saw pending on {name}",
            "code_on:": "the recipient on {name}",
        },
        # the page for people (GET /, /tx/{hash}): every label it shows
        page={
            "language_name": "English",
            "site_name": "txdiag",
            "title": "What happened to my transaction?",
            "intro": "Paste the transaction hash from your wallet's history to see whether it went through, and what to do next.",
            "lang_switch": "Language",
            "hash_label": "Transaction hash",
            "hash_hint": "0x followed by 64 letters and digits, from your wallet's activity or history.",
            "chain_label": "Network",
            "chain_all": "Every network",
            "expected_label": "Address you meant to pay (optional)",
            "expected_hint": "If you give it, the answer says whether the transfer went somewhere else.",
            "submit": "Check",
            "error_heading": "Please check what you entered",
            "error_hash": "That is not a transaction hash. A hash is 0x followed by 64 letters (a to f) and digits.",
            "error_address": "That is not an address. An address is 0x followed by 40 letters (a to f) and digits.",
            "error_checksum": "That address has a typing mistake: its mix of capital and small letters does not check out.",
            "error_chain": "That network is not one this service knows. Choose one from the list.",
            "error_lang": "That language is not available. Choose English or 简体中文.",
            "error_query": "The link has a part this page does not take. Use the form below.",
            "error_too_long": "The link is too long. Use the form below.",
            "error_rate": "Too many checks from your address. Wait {seconds} s, then try again.",
            "error_busy": "The service is busy. Wait a moment, then try again.",
            "error_unavailable": "The network's nodes could not be reached just now. Wait a minute, then try again.",
            "error_timeout": "Checking took too long. Wait a minute, then try again.",
            "error_internal": "Something went wrong on our side. Try again in a minute.",
            "error_not_found_page": "There is no page at this address. Use the form below.",
            "result_heading": "Result",
            "verdict_label": "Verdict",
            "steps_heading": "What to do",
            "facts_heading": "The transaction",
            "hash": "Transaction hash",
            "chain": "Network",
            "block": "Block",
            "not_in_block": "not in a block yet",
            "confirmations": "Confirmations",
            "final": "Final",
            "from": "From",
            "to": "To",
            "value": "Amount",
            "tokens": "Token transfers",
            "token_transfer": "{amount} from {sender} to {recipient}",
            "token_raw": "{value} {asset} (in the token's smallest units)",
            "expected_to": "You meant to pay",
            "checked_at": "Checked at",
            "explorer": "View it on the network's explorer",
            "findings_heading": "Details ({count})",
            "severity_error": "Problem",
            "severity_warning": "Warning",
            "severity_info": "Note",
            "incomplete": "Some checks could not be made, so this answer may be incomplete. Try again in a minute.",
            "refresh": "This page checks again by itself about every {seconds} s.",
            "refresh_off": "Stop checking by itself",
            "refresh_stopped": "Automatic checking is off; reload the page to check again.",
            "refresh_on": "Check again by itself every {seconds} s",
            "ticket_heading": "Copy for support",
            "ticket_intro": "Give this text to your wallet's or exchange's support team, through their own app or website. It holds no secret, and support needs nothing more.",
            "ticket_title": "txdiag support ticket",
            "ticket_codes": "Findings",
            "ticket_numbers": "Numbers",
            "copy_button": "Copy the text",
            "copied": "Copied.",
            "copy_failed": "Copying did not work: the text is selected, copy it with your device's copy command.",
            "another": "Check another transaction",
            "safety_heading": "Before you contact anyone",
            "yes": "yes",
            "no": "no",
        },
    ),
    explanations={
        "insufficient_balance": (
            (
                "the token says the balance of {balance_holder} is {balance_amount} {token_symbol} but "
                "{needed_amount} {token_symbol} was needed ({missing_amount} {token_symbol} short)."
            ),
            (
                "the token says your balance is {balance_amount} {token_symbol} and you tried to send {needed_amount} "
                "{token_symbol} ({missing_amount} {token_symbol} short)."
            ),
            (
                "the balance was {balance_amount} but {needed_amount} was needed, in the token's smallest units "
                "({missing_amount} short)."
            ),
            "the balance was too low for this transfer.",
        ),
        "insufficient_allowance": (
            (
                "the token lets the spender move only {allowance_amount} {token_symbol} of these tokens, but it tried "
                "to move {needed_amount} {token_symbol} ({missing_amount} {token_symbol} short)."
            ),
            (
                "the approved amount was {allowance_amount} but {needed_amount} was needed, in the token's smallest "
                "units ({missing_amount} short)."
            ),
            "the app was not allowed to move that many of your tokens: the approval (allowance) was too small.",
        ),
        "decreased_allowance_below_zero": ("the approval cannot be lowered below zero.",),
        "not_approved": ("the contract was not approved to move this token on your behalf.",),
        "slippage": (
            (
                "the price moved while it waited: the swap would have given {received_amount} but at least "
                "{minimum_amount} was asked for, so the swap was cancelled."
            ),
            (
                "the price moved while it waited: the swap would have cost {requested_amount} but at most "
                "{maximum_amount} was allowed, so the swap was cancelled."
            ),
            "the price moved beyond the slippage limit that was set, so the swap was cancelled.",
        ),
        "insufficient_liquidity": ("the pool does not hold enough liquidity for this trade.",),
        "deadline_expired": ("the deadline set for this transaction had passed when a block included it.",),
        "signature_expired": ("the signed permit had expired when a block included the transaction.",),
        "allowance_expired": ("the token approval had expired.",),
        "invalid_signature": ("the signature in the transaction was not valid for this contract.",),
        "invalid_nonce": ("the signature or order used a nonce that was already used or out of order.",),
        "paused": (
            "the token (or contract) is paused by its operator: nothing can be transferred until it is resumed.",
        ),
        "not_paused": ("this action needs the contract to be paused, and it was not.",),
        "blacklisted": (
            (
                "the token refused the transfer because the sender or the recipient is blacklisted by the token's "
                "issuer."
            ),
        ),
        "trading_disabled": ("trading of this token is not enabled yet.",),
        "exceeds_limit": (
            "the amount asked for ({requested_amount}) is above the limit the contract enforces ({limit_amount}).",
            "the amount is above a limit the contract enforces.",
        ),
        "unauthorized": ("your address is not allowed to call this function: it is reserved for the owner or a role.",),
        "reentrant_call": ("the contract blocked a re-entrant call.",),
        "transfer_to_zero_address": (
            "the recipient was the zero address, which the token refuses (tokens sent there would be lost).",
        ),
        "invalid_sender": ("the token refused the sending address.",),
        "invalid_receiver": ("the recipient cannot receive this token.",),
        "invalid_approver": ("the address giving the approval is not valid.",),
        "invalid_spender": ("the address to be approved is not valid (the zero address, for instance).",),
        "invalid_operator": ("the operator address is not valid.",),
        "invalid_owner": ("the owner address is not valid.",),
        "not_token_owner": (
            "the sender does not own this token (id {token_id}).",
            "the sender does not own this token.",
        ),
        "nonexistent_token": (
            "token id {token_id} does not exist.",
            "the token does not exist.",
        ),
        "invalid_array_length": ("the lists of ids and amounts have different lengths.",),
        "transfer_failed": ("a token transfer the contract made on your behalf failed.",),
        "inner_call_failed": ("a call the contract made to another contract failed.",),
        "call_to_non_contract": ("the contract called an address that has no code.",),
        "panic_generic": ("the contract stopped on an internal error (panic {panic_code}).",),
        "assertion_failed": ("an internal consistency check (assert) in the contract failed: this is a contract bug.",),
        "arithmetic_overflow": (
            (
                "a calculation in the contract went out of range (overflow or underflow), often because an amount is "
                "larger than what is available."
            ),
        ),
        "division_by_zero": ("the contract divided by zero.",),
        "invalid_enum_value": ("the contract was given a value outside the allowed set of options.",),
        "corrupt_storage_array": ("the contract's stored data is corrupted.",),
        "empty_array_pop": ("the contract tried to remove an item from an empty list.",),
        "array_out_of_bounds": ("the contract read past the end of a list (an index out of range).",),
        "out_of_memory": ("the contract tried to use too much memory.",),
        "uninitialized_function": ("the contract called a function that was never set up: this is a contract bug.",),
        "panic_unknown": ("the contract stopped with an unknown panic code ({panic_code}).",),
        "no_reason": ("the contract rejected it without giving a reason.",),
        "contract_message": (
            'the contract said: "{message}".',
            "the contract rejected it with a message.",
        ),
        "custom_error": (
            "the contract reported {reason}.",
            "the contract reported an error.",
        ),
        "unknown_error": (
            "the contract reported an error we do not recognise ({selector}).",
            "the contract reported an error we do not recognise.",
        ),
        "malformed_reason": ("the contract returned error data that could not be read.",),
        "vm_error": (
            'the node reports "{node_error}".',
            "the node reports an execution error.",
        ),
        "reason_unavailable": (
            "the node could not tell why ({reason_unavailable}).",
            "the node could not tell why.",
        ),
        "reason_unavailable_all_gas": (
            (
                "the node could not tell why ({reason_unavailable}); it used all of its gas, which can mean it ran "
                "out of gas or hit an internal check."
            ),
            "the node could not tell why; it used all of its gas.",
        ),
        "out_of_gas": (
            "re-run at the block before, it needs about {gas_estimate} gas, more than its limit of {gas_limit}.",
            "it used its whole gas limit.",
        ),
        "out_of_gas_no_estimate": (
            (
                "it used its whole limit of {gas_limit} gas, and re-running it with more gas failed too, so a higher "
                "limit alone may not fix it."
            ),
            "it used its whole gas limit.",
        ),
        "inner_out_of_gas": (
            (
                "a call it made to {failing_contract} ran out of gas, and that made the whole transaction fail; "
                "re-run at the block before, it needs about {gas_estimate} gas."
            ),
            "a call it made to another contract ran out of gas, and that made the whole transaction fail.",
        ),
        "inner_out_of_gas_no_estimate": (
            (
                "a call it made to {failing_contract} ran out of gas, and that made the whole transaction fail; "
                "re-running it with more gas failed too, so the contract may cap that call's gas itself."
            ),
            "a call it made to another contract ran out of gas, and that made the whole transaction fail.",
        ),
        "invalid_opcode": (
            (
                "the contract executed an invalid instruction (INVALID, 0xfe), the way old-style assert checks and "
                "some tokens refuse a call."
            ),
        ),
        "replaced_speed_up": (
            (
                "It was replaced by a faster copy paying the same recipient the same amount, {replaced_by}, which is "
                "in block {replacement_block} and succeeded: your payment went through. Do not send it again."
            ),
        ),
        "replaced_pending": (
            (
                "The transaction holding the nonce now, {replaced_by}, is itself still waiting (max fee "
                "{replacement_fee_cap_per_gas_gwei} gwei, max priority fee {replacement_tip_cap_per_gas_gwei} gwei)."
            ),
            (
                "The transaction holding the nonce now, {replaced_by}, is itself still waiting (gas price "
                "{replacement_gas_price_per_gas_gwei} gwei)."
            ),
            "The transaction holding the nonce now, {replaced_by}, is itself still waiting.",
        ),
        "replaced_failed": (
            (
                "The replacement, {replaced_by}, failed in block {replacement_block}: nothing was sent by either "
                "transaction, apart from the network fees."
            ),
        ),
        "replaced_outcome_unknown": (
            (
                "Whether the replacement, {replaced_by}, succeeded could not be read: check it before doing anything "
                "else."
            ),
        ),
        "fake_received": (
            (
                "The {amount} {symbol_claimed} shown arriving at {token_to} are worthless: no real {symbol_claimed} "
                "was received."
            ),
        ),
        "fake_sent": ("What left {token_from} was this imitation, not real {symbol_claimed}.",),
        "fake_sending": ("This transfer sends the imitation, not real {symbol_claimed}.",),
        "poisoning_lookalike": (
            (
                "{planted} imitates {lookalike_of}, an address {victim} has dealt with before: both start "
                "{matching_prefix} and end {matching_suffix}."
            ),
        ),
        "poisoning_zero_value": ("It is a zero-value transfer, which the token lets anyone make in another's name.",),
        "poisoning_foreign": ("It used a fake token, so whatever amount it shows is worthless.",),
        "replaced_cancel": (
            (
                "It was cancelled by {replaced_by}, a transfer of nothing to your own address: no funds left your "
                "wallet apart from that transaction's network fee. If you still want to make the original payment, "
                "send it again as a new transaction."
            ),
        ),
        "replaced_other": (
            (
                "Its nonce was used by a different transaction, {replaced_by}, sending {replacement_value_native} "
                "{symbol} to {replacement_to}: only what that transaction moved has left your wallet. If that was not "
                "the payment you meant and you still want to make it, send it again as a new transaction."
            ),
            (
                "Its nonce was used by a different transaction, {replaced_by}: only what that transaction moved has "
                "left your wallet. If that was not the payment you meant and you still want to make it, send it again "
                "as a new transaction."
            ),
        ),
        "replaced_unknown": (
            (
                "Nothing left your wallet through this transaction. Find the transaction that used nonce {nonce} in "
                "your recent activity first: if it was not this same payment and you still want to make it, send it "
                "again as a new transaction."
            ),
            (
                "Nothing left your wallet through this transaction. Find the transaction that used its nonce in your "
                "recent activity first: if it was not this same payment and you still want to make it, send it again "
                "as a new transaction."
            ),
        ),
        "dropped": (
            "Nonce {nonce} is still unused and no funds left your wallet.",
            "No funds left your wallet.",
        ),
    },
)
