"""Why a transaction failed, in words a non-expert can act on."""

from __future__ import annotations

from txdiag.guidance.catalog import Entry
from txdiag.models import Code

EN: dict[Code, Entry] = {
    Code.REVERTED: Entry(
        summary=(
            "Your transaction failed: it was included in block {block} but the contract rejected it, so nothing "
            "was transferred. Only the network fee ({fee_paid_native} {symbol}) was spent."
        ),
        message="Reverted in block {block}: {reason}.",
        steps=(
            "Your funds (other than the fee) did not move; you can check your balance.",
            "Fix the cause before trying again; sending the same transaction again will fail the same way.",
        ),
    ),
    Code.OUT_OF_GAS: Entry(
        summary=(
            "Your transaction failed because it ran out of gas: it needed more than its limit of {gas_limit}. "
            "Nothing was transferred; the fee ({fee_paid_native} {symbol}) was spent."
        ),
        message="Ran out of gas: used {gas_used} of a {gas_limit} limit.",
        steps=("Try again with a gas limit of at least {suggested_gas_limit}.",),
    ),
    Code.INVALID_OPCODE: Entry(
        summary=(
            "Your transaction failed: the contract hit an invalid instruction (an internal check failed), "
            "which uses up all the gas. Nothing was transferred."
        ),
        message="Stopped at an invalid opcode after using {gas_used} gas.",
        steps=("Raising the gas limit will not help: the contract refuses this call as it stands.",),
    ),
    Code.REPLACED: Entry(
        summary="This transaction was replaced by another one with the same nonce ({nonce}), so it will never be included.",
        message="Nonce {nonce} was used by transaction {replaced_by}.",
        steps=("Look at the replacing transaction to see what happened to the funds.",),
    ),
    Code.DROPPED: Entry(
        summary="This transaction was dropped by the network and will not be included. No funds left your wallet.",
        message="Last seen pending {last_seen}; the network no longer has it.",
        steps=("If you still want to make this payment, send it again from your wallet.",),
    ),
}

ZH: dict[Code, Entry] = {
    Code.REVERTED: Entry(
        summary=(
            "您的交易失败了：它已被打包进区块 {block}，但合约拒绝了它，因此没有任何资产被转出。"
            "只花费了网络手续费（{fee_paid_native} {symbol}）。"
        ),
        message="在区块 {block} 中被回滚：{reason}。",
        steps=(
            "除手续费外，您的资金没有移动；可以查看余额确认。",
            "请先解决失败原因再重试；原样再次发送仍会以同样的方式失败。",
        ),
    ),
    Code.OUT_OF_GAS: Entry(
        summary=(
            "您的交易因 gas 耗尽而失败：它需要的 gas 超过了 {gas_limit} 的上限。"
            "没有资产被转出；手续费（{fee_paid_native} {symbol}）已被扣除。"
        ),
        message="gas 耗尽：在 {gas_limit} 的上限中用掉了 {gas_used}。",
        steps=("请将 gas 上限设为至少 {suggested_gas_limit} 后重试。",),
    ),
    Code.INVALID_OPCODE: Entry(
        summary="您的交易失败了：合约执行到一条无效指令（内部检查未通过），这会耗尽全部 gas。没有资产被转出。",
        message="在使用 {gas_used} gas 后停在无效操作码处。",
        steps=("提高 gas 上限没有帮助：合约在当前条件下会拒绝这次调用。",),
    ),
    Code.REPLACED: Entry(
        summary="这笔交易已被另一笔使用相同 nonce（{nonce}）的交易替换，它永远不会被打包。",
        message="nonce {nonce} 已被交易 {replaced_by} 使用。",
        steps=("请查看替换它的那笔交易，了解资金的去向。",),
    ),
    Code.DROPPED: Entry(
        summary="这笔交易已被网络丢弃，不会被打包。没有资金离开您的钱包。",
        message="最后一次看到它处于待处理状态是在 {last_seen}；网络中已不再有这笔交易。",
        steps=("如果仍要付这笔款，请在钱包中重新发送。",),
    ),
}
