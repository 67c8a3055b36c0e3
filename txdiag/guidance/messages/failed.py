"""Why a transaction failed, in words a non-expert can act on.

``EXPLAIN_EN`` / ``EXPLAIN_ZH`` hold one sentence per ``explanation`` key of a
failed finding (the revert decoder's keys plus this module's own), most
specific first: the first whose placeholders the finding's details fill becomes
``{explanation_text}``; the last of each needs no placeholder.
"""

from __future__ import annotations

from txdiag.guidance.catalog import Entry
from txdiag.models import Code

EN: dict[Code, Entry] = {
    Code.REVERTED: Entry(
        summary=(
            "Your transaction failed in block {block}: {explanation_text} Nothing was transferred; only the "
            "network fee ({fee_paid_native} {symbol}) was spent."
        ),
        message="Reverted in block {block}: {reason}.",
        steps=(
            "This reason comes from re-running the transaction at block {replayed_block}; inside its own block "
            "the result may have been different.",
            "Your funds (other than the fee) did not move; you can check your balance.",
            "Fix the cause before trying again; sending the same transaction again will fail the same way.",
        ),
    ),
    Code.OUT_OF_GAS: Entry(
        summary=(
            "Your transaction failed in block {block} because it ran out of gas: {explanation_text} Nothing was "
            "transferred; the network fee ({fee_paid_native} {symbol}) was spent."
        ),
        message="Ran out of gas: used {gas_used} of a {gas_limit} limit.",
        steps=(
            "Try again with a gas limit of at least {suggested_gas_limit} (the re-run estimate of {gas_estimate} "
            "gas plus {gas_margin_percent} % headroom).",
            "Your funds (other than the fee) did not move; you can check your balance.",
        ),
    ),
    Code.INVALID_OPCODE: Entry(
        summary=(
            "Your transaction failed in block {block}: {explanation_text} That uses up all the gas; nothing was "
            "transferred and the network fee ({fee_paid_native} {symbol}) was spent."
        ),
        message="Stopped at an invalid opcode after using {gas_used} gas.",
        steps=(
            "Raising the gas limit will not help: the contract refuses this call as it stands.",
            "Your funds (other than the fee) did not move; you can check your balance.",
        ),
    ),
    Code.REPLACED: Entry(
        summary=(
            "This transaction was replaced: another transaction from the same address used its nonce ({nonce}), "
            "so it will never be included. {explanation_text}"
        ),
        message="Nonce {nonce} was used by another transaction; this one was last seen pending at {last_seen}.",
        steps=("Look at transaction {replaced_by} to see what it did.",),
    ),
    Code.DROPPED: Entry(
        summary=(
            "This transaction was dropped: the network does not have it now. {explanation_text} But until nonce "
            "{nonce} is used, a copy of the signed transaction could still be broadcast again and go through."
        ),
        message="Last seen pending at {last_seen}; the network no longer has it.",
        steps=(
            "To make this payment safely, send it again with the same nonce {nonce} (set a custom nonce in your "
            "wallet's advanced settings): both use nonce {nonce}, so at most one of them can go through.",
            "If you no longer want to make this payment, use up nonce {nonce} instead: send 0 {symbol} to your own "
            "address ({sender}) with nonce {nonce}. Once that is in a block, the old one can never go through.",
            "If your wallet still shows it as pending, your wallet may broadcast it again by itself; after either "
            "step above, at most one transaction can ever use nonce {nonce}.",
        ),
    ),
}

ZH: dict[Code, Entry] = {
    Code.REVERTED: Entry(
        summary=(
            "您的交易在区块 {block} 中失败了：{explanation_text}没有任何资产被转出，"
            "只花费了 {fee_paid_native} {symbol} 的网络费（Gas 费）。"
        ),
        message="在区块 {block} 中被回滚：{reason}。",
        steps=(
            "这个原因来自在区块 {replayed_block} 上重新执行这笔交易的结果；在它实际所在的区块中，结果可能有所不同。",
            "除网络费外，您的资金没有移动；可以查看余额确认。",
            "请先解决失败原因再重试；原样再次发送仍会以同样的方式失败。",
        ),
    ),
    Code.OUT_OF_GAS: Entry(
        summary=(
            "您的交易在区块 {block} 中因 Gas 耗尽而失败：{explanation_text}没有资产被转出；"
            "{fee_paid_native} {symbol} 的网络费（Gas 费）已被扣除。"
        ),
        message="Gas 耗尽：在 {gas_limit} 的 Gas 上限中用掉了 {gas_used}。",
        steps=(
            "请将 Gas 上限设为至少 {suggested_gas_limit} 后重试（重新执行估算出 {gas_estimate} Gas，"
            "再加 {gas_margin_percent}% 的余量）。",
            "除网络费外，您的资金没有移动；可以查看余额确认。",
        ),
    ),
    Code.INVALID_OPCODE: Entry(
        summary=(
            "您的交易在区块 {block} 中失败了：{explanation_text}这会耗尽全部 Gas；"
            "没有资产被转出，{fee_paid_native} {symbol} 的网络费（Gas 费）已被扣除。"
        ),
        message="在使用 {gas_used} Gas 后停在无效操作码处。",
        steps=(
            "提高 Gas 上限没有帮助：合约在当前条件下会拒绝这次调用。",
            "除网络费外，您的资金没有移动；可以查看余额确认。",
        ),
    ),
    Code.REPLACED: Entry(
        summary=(
            "这笔交易已被替换：同一地址的另一笔交易使用了它的 nonce（{nonce}），因此它永远不会被打包。{explanation_text}"
        ),
        message="nonce {nonce} 已被另一笔交易使用；最后一次看到这笔交易处于待处理状态是在 {last_seen}。",
        steps=("请查看交易 {replaced_by}，了解它做了什么。",),
    ),
    Code.DROPPED: Entry(
        summary=(
            "这笔交易已被丢弃：网络中现在没有它。{explanation_text}但在 nonce {nonce} 被使用之前，"
            "这笔已签名交易的副本仍可能被重新广播并成功执行。"
        ),
        message="最后一次看到它处于待处理状态是在 {last_seen}；网络中已不再有这笔交易。",
        steps=(
            "如果仍要付这笔款，为安全起见，请使用相同的 nonce {nonce} 重新发送（在钱包的高级设置中自定义 nonce）："
            "两笔交易都使用 nonce {nonce}，因此最多只有一笔能成功。",
            "如果不再想付这笔款，请把 nonce {nonce} 用掉：向您自己的地址（{sender}）发送 0 {symbol}，nonce 填 "
            "{nonce}。这笔交易被打包后，原来那笔就永远不会执行。",
            "如果钱包仍显示它在待处理中，钱包可能会自动重新广播它；完成以上任一步骤后，最多只有一笔交易能使用 nonce {nonce}。",
        ),
    ),
}


EXPLAIN_EN: dict[str, tuple[str, ...]] = {
    # funds and approvals
    "insufficient_balance": (
        "the token says the balance of {balance_holder} is {balance_amount} {token_symbol} but "
        "{needed_amount} {token_symbol} was needed ({missing_amount} {token_symbol} short).",
        "the token says your balance is {balance_amount} {token_symbol} and you tried to send "
        "{needed_amount} {token_symbol} ({missing_amount} {token_symbol} short).",
        "the balance was {balance_amount} but {needed_amount} was needed, in the token's smallest units "
        "({missing_amount} short).",
        "the balance was too low for this transfer.",
    ),
    "insufficient_allowance": (
        "the token lets the spender move only {allowance_amount} {token_symbol} of these tokens, but it tried to "
        "move {needed_amount} {token_symbol} ({missing_amount} {token_symbol} short).",
        "the approved amount was {allowance_amount} but {needed_amount} was needed, in the token's smallest units "
        "({missing_amount} short).",
        "the app was not allowed to move that many of your tokens: the approval (allowance) was too small.",
    ),
    "decreased_allowance_below_zero": ("the approval cannot be lowered below zero.",),
    "not_approved": ("the contract was not approved to move this token on your behalf.",),
    # swaps
    "slippage": (
        "the price moved while it waited: the swap would have given {received_amount} but at least "
        "{minimum_amount} was asked for, so the swap was cancelled.",
        "the price moved while it waited: the swap would have cost {requested_amount} but at most "
        "{maximum_amount} was allowed, so the swap was cancelled.",
        "the price moved beyond the slippage limit that was set, so the swap was cancelled.",
    ),
    "insufficient_liquidity": ("the pool does not hold enough liquidity for this trade.",),
    "deadline_expired": ("the deadline set for this transaction had passed when a block included it.",),
    # signatures and permits
    "signature_expired": ("the signed permit had expired when a block included the transaction.",),
    "allowance_expired": ("the token approval had expired.",),
    "invalid_signature": ("the signature in the transaction was not valid for this contract.",),
    "invalid_nonce": ("the signature or order used a nonce that was already used or out of order.",),
    # token and contract state
    "paused": ("the token (or contract) is paused by its operator: nothing can be transferred until it is resumed.",),
    "not_paused": ("this action needs the contract to be paused, and it was not.",),
    "blacklisted": (
        "the token refused the transfer because the sender or the recipient is blacklisted by the token's issuer.",
    ),
    "trading_disabled": ("trading of this token is not enabled yet.",),
    "exceeds_limit": (
        "the amount asked for ({requested_amount}) is above the limit the contract enforces ({limit_amount}).",
        "the amount is above a limit the contract enforces.",
    ),
    "unauthorized": ("your address is not allowed to call this function: it is reserved for the owner or a role.",),
    "reentrant_call": ("the contract blocked a re-entrant call.",),
    # parties to a transfer
    "transfer_to_zero_address": (
        "the recipient was the zero address, which the token refuses (tokens sent there would be lost).",
    ),
    "invalid_sender": ("the token refused the sending address.",),
    "invalid_receiver": ("the recipient cannot receive this token.",),
    "invalid_approver": ("the address giving the approval is not valid.",),
    "invalid_spender": ("the address to be approved is not valid (the zero address, for instance).",),
    "invalid_operator": ("the operator address is not valid.",),
    "invalid_owner": ("the owner address is not valid.",),
    "not_token_owner": ("the sender does not own this token (id {token_id}).", "the sender does not own this token."),
    "nonexistent_token": ("token id {token_id} does not exist.", "the token does not exist."),
    "invalid_array_length": ("the lists of ids and amounts have different lengths.",),
    # calls the contract made
    "transfer_failed": ("a token transfer the contract made on your behalf failed.",),
    "inner_call_failed": ("a call the contract made to another contract failed.",),
    "call_to_non_contract": ("the contract called an address that has no code.",),
    # compiler panics
    "panic_generic": ("the contract stopped on an internal error (panic {panic_code}).",),
    "assertion_failed": ("an internal consistency check (assert) in the contract failed: this is a contract bug.",),
    "arithmetic_overflow": (
        "a calculation in the contract went out of range (overflow or underflow), often because an amount is "
        "larger than what is available.",
    ),
    "division_by_zero": ("the contract divided by zero.",),
    "invalid_enum_value": ("the contract was given a value outside the allowed set of options.",),
    "corrupt_storage_array": ("the contract's stored data is corrupted.",),
    "empty_array_pop": ("the contract tried to remove an item from an empty list.",),
    "array_out_of_bounds": ("the contract read past the end of a list (an index out of range).",),
    "out_of_memory": ("the contract tried to use too much memory.",),
    "uninitialized_function": ("the contract called a function that was never set up: this is a contract bug.",),
    "panic_unknown": ("the contract stopped with an unknown panic code ({panic_code}).",),
    # this module's own
    "no_reason": ("the contract rejected it without giving a reason.",),
    "contract_message": ('the contract said: "{message}".', "the contract rejected it with a message."),
    "custom_error": ("the contract reported {reason}.", "the contract reported an error."),
    "unknown_error": (
        "the contract reported an error we do not recognise ({selector}).",
        "the contract reported an error we do not recognise.",
    ),
    "malformed_reason": ("the contract returned error data that could not be read.",),
    "vm_error": ('the node reports "{node_error}".', "the node reports an execution error."),
    "reason_unavailable": (
        "the node could not tell why ({reason_unavailable}).",
        "the node could not tell why.",
    ),
    "reason_unavailable_all_gas": (
        "the node could not tell why ({reason_unavailable}); it used all of its gas, which can mean it ran out "
        "of gas or hit an internal check.",
        "the node could not tell why; it used all of its gas.",
    ),
    "out_of_gas": (
        "re-run at the block before, it needs about {gas_estimate} gas, more than its limit of {gas_limit}.",
        "it used its whole gas limit.",
    ),
    "out_of_gas_no_estimate": (
        "it used its whole limit of {gas_limit} gas, and re-running it with more gas failed too, so a higher "
        "limit alone may not fix it.",
        "it used its whole gas limit.",
    ),
    "inner_out_of_gas": (
        "a call it made to {failing_contract} ran out of gas, and that made the whole transaction fail; re-run at "
        "the block before, it needs about {gas_estimate} gas.",
        "a call it made to another contract ran out of gas, and that made the whole transaction fail.",
    ),
    "inner_out_of_gas_no_estimate": (
        "a call it made to {failing_contract} ran out of gas, and that made the whole transaction fail; "
        "re-running it with more gas failed too, so the contract may cap that call's gas itself.",
        "a call it made to another contract ran out of gas, and that made the whole transaction fail.",
    ),
    "invalid_opcode": (
        "the contract executed an invalid instruction (INVALID, 0xfe), the way old-style assert checks and some "
        "tokens refuse a call.",
    ),
    "replaced_speed_up": (
        "It was replaced by a faster copy paying the same recipient the same amount. Do not send it again: the "
        "payment was made by transaction {replaced_by}.",
    ),
    "replaced_cancel": (
        "It was cancelled by {replaced_by}, a transfer of nothing to your own address: no funds left your wallet "
        "apart from that transaction's network fee. If you still want to make the original payment, send it "
        "again as a new transaction.",
    ),
    "replaced_other": (
        "Its nonce was used by a different transaction, {replaced_by}, sending {replacement_value_native} "
        "{symbol} to {replacement_to}: only what that transaction moved has left your wallet. If that was not "
        "the payment you meant and you still want to make it, send it again as a new transaction.",
        "Its nonce was used by a different transaction, {replaced_by}: only what that transaction moved has left "
        "your wallet. If that was not the payment you meant and you still want to make it, send it again as a "
        "new transaction.",
    ),
    "replaced_unknown": (
        "Nothing left your wallet through this transaction. Find the transaction that used nonce {nonce} in your "
        "recent activity first: if it was not this same payment and you still want to make it, send it again as "
        "a new transaction.",
        "Nothing left your wallet through this transaction. Find the transaction that used its nonce in your "
        "recent activity first: if it was not this same payment and you still want to make it, send it again as "
        "a new transaction.",
    ),
    "dropped": (
        "Nonce {nonce} is still unused and no funds left your wallet.",
        "No funds left your wallet.",
    ),
    "dropped_nonce_unknown": (
        "No funds left your wallet through this transaction (whether nonce {nonce} is still unused could not be "
        "checked).",
        "No funds left your wallet through this transaction.",
    ),
}

EXPLAIN_ZH: dict[str, tuple[str, ...]] = {
    "insufficient_balance": (
        "代币合约显示 {balance_holder} 的余额为 {balance_amount} {token_symbol}，但需要 {needed_amount} "
        "{token_symbol}（差 {missing_amount} {token_symbol}）。",
        "代币合约显示您的余额为 {balance_amount} {token_symbol}，而您尝试发送 {needed_amount} "
        "{token_symbol}（差 {missing_amount} {token_symbol}）。",
        "余额为 {balance_amount}，但需要 {needed_amount}（按代币最小单位计，差 {missing_amount}）。",
        "余额不足以完成这笔转账。",
    ),
    "insufficient_allowance": (
        "代币只允许授权方转移 {allowance_amount} {token_symbol}，但它尝试转移 {needed_amount} "
        "{token_symbol}（差 {missing_amount} {token_symbol}）。",
        "授权额度为 {allowance_amount}，但需要 {needed_amount}（按代币最小单位计，差 {missing_amount}）。",
        "应用无权转移这么多代币：授权额度（allowance）不足。",
    ),
    "decreased_allowance_below_zero": ("授权额度不能减到零以下。",),
    "not_approved": ("该合约未获授权代您转移这个代币。",),
    "slippage": (
        "等待期间价格变动：兑换只能得到 {received_amount}，但要求至少 {minimum_amount}，因此兑换被取消。",
        "等待期间价格变动：兑换需要花费 {requested_amount}，但最多只允许 {maximum_amount}，因此兑换被取消。",
        "价格变动超出了设定的滑点上限，因此兑换被取消。",
    ),
    "insufficient_liquidity": ("资金池的流动性不足以完成这笔交易。",),
    "deadline_expired": ("交易被打包时，它设定的截止时间已经过了。",),
    "signature_expired": ("交易被打包时，签名许可（permit）已经过期。",),
    "allowance_expired": ("代币授权已经过期。",),
    "invalid_signature": ("交易中的签名对该合约无效。",),
    "invalid_nonce": ("签名或订单使用的 nonce 已被使用或顺序不对。",),
    "paused": ("该代币（或合约）已被运营方暂停：恢复之前无法进行任何转账。",),
    "not_paused": ("此操作要求合约处于暂停状态，但它并未暂停。",),
    "blacklisted": ("代币拒绝了这笔转账，因为发送方或收款方已被代币发行方列入黑名单。",),
    "trading_disabled": ("该代币尚未开放交易。",),
    "exceeds_limit": (
        "请求的数量（{requested_amount}）超过了合约规定的上限（{limit_amount}）。",
        "数量超过了合约规定的上限。",
    ),
    "unauthorized": ("您的地址无权调用这个函数：它仅限所有者或特定角色使用。",),
    "reentrant_call": ("合约阻止了一次重入调用。",),
    "transfer_to_zero_address": ("收款地址是零地址，代币拒绝转入（转到那里的代币将永久丢失）。",),
    "invalid_sender": ("代币拒绝了发送地址。",),
    "invalid_receiver": ("收款方无法接收这个代币。",),
    "invalid_approver": ("给出授权的地址无效。",),
    "invalid_spender": ("被授权的地址无效（例如零地址）。",),
    "invalid_operator": ("操作者地址无效。",),
    "invalid_owner": ("所有者地址无效。",),
    "not_token_owner": ("发送方并不拥有这个代币（编号 {token_id}）。", "发送方并不拥有这个代币。"),
    "nonexistent_token": ("编号为 {token_id} 的代币不存在。", "该代币不存在。"),
    "invalid_array_length": ("编号列表和数量列表的长度不一致。",),
    "transfer_failed": ("合约代您进行的一笔代币转账失败了。",),
    "inner_call_failed": ("合约对另一个合约的调用失败了。",),
    "call_to_non_contract": ("合约调用了一个没有代码的地址。",),
    "panic_generic": ("合约因内部错误而停止（panic {panic_code}）。",),
    "assertion_failed": ("合约内部的一致性检查（assert）未通过：这是合约的缺陷。",),
    "arithmetic_overflow": ("合约中的计算超出了范围（上溢或下溢），常见原因是数额大于可用数额。",),
    "division_by_zero": ("合约做了除以零的运算。",),
    "invalid_enum_value": ("合约收到了一个不在允许选项范围内的值。",),
    "corrupt_storage_array": ("合约存储的数据已损坏。",),
    "empty_array_pop": ("合约试图从空列表中移除元素。",),
    "array_out_of_bounds": ("合约读取超出了列表末尾（索引越界）。",),
    "out_of_memory": ("合约试图使用过多内存。",),
    "uninitialized_function": ("合约调用了一个从未设置的函数：这是合约的缺陷。",),
    "panic_unknown": ("合约以未知的 panic 代码（{panic_code}）停止。",),
    "no_reason": ("合约拒绝了它，但没有给出原因。",),
    "contract_message": ("合约给出的信息是：“{message}”。", "合约拒绝了它并给出了一条信息。"),
    "custom_error": ("合约报告了错误 {reason}。", "合约报告了一个错误。"),
    "unknown_error": ("合约报告了一个我们无法识别的错误（{selector}）。", "合约报告了一个我们无法识别的错误。"),
    "malformed_reason": ("合约返回的错误数据无法读取。",),
    "vm_error": ("节点报告的错误是“{node_error}”。", "节点报告了一个执行错误。"),
    "reason_unavailable": ("节点无法说明原因（{reason_unavailable}）。", "节点无法说明原因。"),
    "reason_unavailable_all_gas": (
        "节点无法说明原因（{reason_unavailable}）；它用光了全部 Gas，可能是 Gas 耗尽，也可能是触发了内部检查。",
        "节点无法说明原因；它用光了全部 Gas。",
    ),
    "out_of_gas": (
        "在前一个区块上重新执行，它大约需要 {gas_estimate} Gas，超过了 {gas_limit} 的上限。",
        "它用光了全部 Gas 上限。",
    ),
    "out_of_gas_no_estimate": (
        "它用光了 {gas_limit} 的全部 Gas 上限，而且用更多 Gas 重新执行也失败了，所以仅提高上限可能无法解决。",
        "它用光了全部 Gas 上限。",
    ),
    "inner_out_of_gas": (
        "它对 {failing_contract} 的一次调用耗尽了 Gas，导致整笔交易失败；在前一个区块上重新执行，"
        "大约需要 {gas_estimate} Gas。",
        "它对另一个合约的一次调用耗尽了 Gas，导致整笔交易失败。",
    ),
    "inner_out_of_gas_no_estimate": (
        "它对 {failing_contract} 的一次调用耗尽了 Gas，导致整笔交易失败；用更多 Gas 重新执行也失败了，"
        "合约可能自己限制了这次调用的 Gas。",
        "它对另一个合约的一次调用耗尽了 Gas，导致整笔交易失败。",
    ),
    "invalid_opcode": ("合约执行了一条无效指令（INVALID，0xfe），旧式 assert 检查和部分代币会用这种方式拒绝调用。",),
    "replaced_speed_up": (
        "它被一笔更快的副本替换，收款方和金额都相同。请不要重新发送：这笔付款已由交易 {replaced_by} 完成。",
    ),
    "replaced_cancel": (
        "它已被 {replaced_by} 取消，那笔交易向您自己的地址转账 0：除那笔交易的网络费（Gas 费）外，没有资金离开您的钱包。"
        "如果仍要完成原来的付款，请作为一笔新交易重新发送。",
    ),
    "replaced_other": (
        "它的 nonce 被另一笔不同的交易 {replaced_by} 使用，该交易向 {replacement_to} 发送了 "
        "{replacement_value_native} {symbol}：只有那笔交易转出的资金离开了您的钱包。如果那不是您想要的付款，"
        "而您仍要完成原来的付款，请作为一笔新交易重新发送。",
        "它的 nonce 被另一笔不同的交易 {replaced_by} 使用：只有那笔交易转出的资金离开了您的钱包。"
        "如果那不是您想要的付款，而您仍要完成原来的付款，请作为一笔新交易重新发送。",
    ),
    "replaced_unknown": (
        "没有资金通过这笔交易离开您的钱包。请先在最近的记录中找到使用了 nonce {nonce} 的那笔交易："
        "如果它不是同一笔付款，而您仍要付款，请作为一笔新交易重新发送。",
        "没有资金通过这笔交易离开您的钱包。请先在最近的记录中找到使用了它的 nonce 的那笔交易："
        "如果它不是同一笔付款，而您仍要付款，请作为一笔新交易重新发送。",
    ),
    "dropped": ("nonce {nonce} 仍未被使用，没有资金离开您的钱包。", "没有资金离开您的钱包。"),
    "dropped_nonce_unknown": (
        "没有资金通过这笔交易离开您的钱包（无法确认 nonce {nonce} 是否仍未被使用）。",
        "没有资金通过这笔交易离开您的钱包。",
    ),
}
