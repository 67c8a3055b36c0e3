"""Why a transaction is waiting, and the exact fee that would move it."""

from __future__ import annotations

from txdiag.guidance.catalog import Entry
from txdiag.models import Code

EN: dict[Code, Entry] = {
    Code.PENDING: Entry(
        summary="Your transaction (nonce {nonce}) has been sent but is not in a block yet.",
        message="Waiting in the network's queue (nonce {nonce}); first seen by txdiag {waiting} ago.",
        steps=(
            "Do not send the same payment again while this one is waiting: both could go through.",
            "Check again in a few minutes; most transactions are included within a few blocks.",
        ),
    ),
    Code.FEE_BELOW_BASE_FEE: Entry(
        summary=(
            "Your transaction cannot be included: its maximum fee ({max_fee_per_gas_gwei} gwei) is below the "
            "network's current base fee ({base_fee_per_gas_gwei} gwei)."
        ),
        message=(
            "Max fee {max_fee_per_gas_gwei} gwei is under the next block's base fee {base_fee_per_gas_gwei} gwei."
        ),
        steps=(
            "Speed it up in your wallet with the same nonce ({nonce}): max fee {suggested_max_fee_per_gas_gwei} gwei "
            "and priority fee {suggested_max_priority_fee_per_gas_gwei} gwei.",
        ),
    ),
    Code.TIP_BELOW_MARKET: Entry(
        summary="Your transaction offers a lower priority fee than recent blocks accepted, so others go first.",
        message="Priority fee {tip_gwei} gwei is below the {percentile}th percentile of recent blocks ({market_tip_gwei} gwei).",
        steps=(
            "Speed it up with the same nonce ({nonce}): max fee {suggested_max_fee_per_gas_gwei} gwei and "
            "priority fee {suggested_max_priority_fee_per_gas_gwei} gwei.",
        ),
    ),
    Code.NONCE_GAP: Entry(
        summary="Your transaction is waiting for an earlier one: nonce {missing_nonces} has not been sent or confirmed.",
        message="Nonce {nonce} cannot run until the missing nonces {missing_nonces} are used.",
        steps=("Send (or speed up) the transaction with nonce {first_missing} first; this one follows by itself.",),
    ),
    Code.NETWORK_CONGESTED: Entry(
        summary="The network is busy: blocks are full and fees are rising.",
        message="Recent blocks were {gas_used_percent}% full on average and the base fee is rising.",
        steps=("If it is not urgent, waiting for fees to fall costs nothing.",),
    ),
}

ZH: dict[Code, Entry] = {
    Code.PENDING: Entry(
        summary="您的交易（nonce {nonce}）已发出，但尚未被打包进区块。",
        message="正在网络队列中等待（nonce {nonce}）；txdiag 于 {waiting} 前首次看到它。",
        steps=(
            "在这笔交易等待期间，请不要重复发送同一笔付款：两笔都可能成功。",
            "请几分钟后再查；大多数交易会在几个区块内被打包。",
        ),
    ),
    Code.FEE_BELOW_BASE_FEE: Entry(
        summary=(
            "您的交易无法被打包：它的最高费用（{max_fee_per_gas_gwei} gwei）低于网络当前的基础费用"
            "（{base_fee_per_gas_gwei} gwei）。"
        ),
        message="最高费用 {max_fee_per_gas_gwei} gwei 低于下一个区块的基础费用 {base_fee_per_gas_gwei} gwei。",
        steps=(
            "在钱包中使用相同的 nonce（{nonce}）加速：最高费用 {suggested_max_fee_per_gas_gwei} gwei，"
            "优先费用 {suggested_max_priority_fee_per_gas_gwei} gwei。",
        ),
    ),
    Code.TIP_BELOW_MARKET: Entry(
        summary="您的交易提供的优先费用低于最近区块接受的水平，所以其他交易会先被打包。",
        message="优先费用 {tip_gwei} gwei 低于最近区块第 {percentile} 百分位的 {market_tip_gwei} gwei。",
        steps=(
            "使用相同的 nonce（{nonce}）加速：最高费用 {suggested_max_fee_per_gas_gwei} gwei，"
            "优先费用 {suggested_max_priority_fee_per_gas_gwei} gwei。",
        ),
    ),
    Code.NONCE_GAP: Entry(
        summary="您的交易在等待更早的一笔交易：nonce {missing_nonces} 尚未发送或确认。",
        message="在缺失的 nonce {missing_nonces} 被使用之前，nonce {nonce} 无法执行。",
        steps=("请先发送（或加速）nonce 为 {first_missing} 的交易；这笔交易随后会自动执行。",),
    ),
    Code.NETWORK_CONGESTED: Entry(
        summary="网络繁忙：区块已满，费用正在上涨。",
        message="最近的区块平均使用了 {gas_used_percent}% 的容量，且基础费用在上涨。",
        steps=("如果不着急，等待费用回落不需要任何成本。",),
    ),
}
