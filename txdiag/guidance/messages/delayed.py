"""Why a transaction is waiting, and the exact fee that would move it.

Speed-up and cancel steps come in two forms: dynamic-fee transactions get
"max fee" and "priority fee" (``suggested_max_fee_per_gas`` and
``suggested_max_priority_fee_per_gas``), legacy ones a "gas price"
(``suggested_gas_price``). A finding carries only one set, so the renderer
drops the steps of the other form.
"""

from __future__ import annotations

from txdiag.guidance.catalog import Entry
from txdiag.models import Code

_SPEED_UP_EN = (
    'Speed it up: in your wallet choose "Speed up" (or edit the network fee under advanced settings), keep '
    "nonce {nonce}, and enter max fee {suggested_max_fee_per_gas_gwei} gwei and max priority fee "
    "{suggested_max_priority_fee_per_gas_gwei} gwei."
)
_SPEED_UP_LEGACY_EN = (
    'Speed it up: in your wallet choose "Speed up" (or edit the gas price under advanced settings), keep '
    "nonce {nonce}, and enter gas price {suggested_gas_price_gwei} gwei."
)
_CANCEL_EN = (
    "Or cancel it: send 0 {symbol} to your own address ({sender}) with nonce {nonce}, max fee "
    "{suggested_max_fee_per_gas_gwei} gwei and max priority fee {suggested_max_priority_fee_per_gas_gwei} gwei; "
    "once that is included, the original transaction can never go through."
)
_CANCEL_LEGACY_EN = (
    "Or cancel it: send 0 {symbol} to your own address ({sender}) with nonce {nonce} and gas price "
    "{suggested_gas_price_gwei} gwei; once that is included, the original transaction can never go through."
)

_SPEED_UP_ZH = (
    "加速：在钱包中选择“加速”，或在高级设置中修改网络费（Gas 费）；保持 nonce {nonce} 不变，"
    "填写最高费用 {suggested_max_fee_per_gas_gwei} gwei、最高优先费用 {suggested_max_priority_fee_per_gas_gwei} gwei。"
)
_SPEED_UP_LEGACY_ZH = (
    "加速：在钱包中选择“加速”，或在高级设置中修改 Gas 价格；保持 nonce {nonce} 不变，"
    "填写 Gas 价格 {suggested_gas_price_gwei} gwei。"
)
_CANCEL_ZH = (
    "或者取消它：向您自己的地址（{sender}）发送 0 {symbol}，nonce 填 {nonce}，最高费用 "
    "{suggested_max_fee_per_gas_gwei} gwei，最高优先费用 {suggested_max_priority_fee_per_gas_gwei} gwei；"
    "这笔取消交易被打包后，原交易就永远不会执行。"
)
_CANCEL_LEGACY_ZH = (
    "或者取消它：向您自己的地址（{sender}）发送 0 {symbol}，nonce 填 {nonce}，Gas 价格 "
    "{suggested_gas_price_gwei} gwei；这笔取消交易被打包后，原交易就永远不会执行。"
)

EN: dict[Code, Entry] = {
    Code.PENDING: Entry(
        summary="Your transaction (nonce {nonce}) has been sent but is not in a block yet.",
        message="Waiting in the network's queue (nonce {nonce}); first seen by txdiag {waiting} ago.",
        steps=(
            "Do not send the same payment again while this one is waiting: both could go through.",
            "On {sequencer}, a single sequencer includes transactions in the order it receives them, so a higher "
            "priority fee does not move one ahead. A transaction that stays pending there is usually waiting for "
            "an earlier nonce, or its max fee is below the network's base fee.",
            "Check again in a few minutes; most transactions are included within a few blocks.",
        ),
    ),
    Code.FEE_BELOW_BASE_FEE: Entry(
        summary=(
            "Your transaction cannot be included: its maximum fee ({max_fee_per_gas_gwei} gwei) is below the "
            "network's current base fee ({base_fee_per_gas_gwei} gwei)."
        ),
        message=(
            "Max fee {max_fee_per_gas_gwei} gwei is under the next block's base fee {base_fee_per_gas_gwei} gwei: "
            "the base fee would have to fall by {shortfall_per_gas_gwei} gwei ({base_fee_fall_percent}%). Lowest "
            "base fee in the last {history_blocks} blocks: {lowest_recent_base_fee_per_gas_gwei} gwei (the base fee "
            "was as low as your max fee recently: {reached_recently})."
        ),
        steps=(
            _SPEED_UP_EN,
            _SPEED_UP_LEGACY_EN,
            _CANCEL_EN,
            _CANCEL_LEGACY_EN,
            "Or wait: if the base fee falls to {max_fee_per_gas_gwei} gwei or less it can still go through, but "
            "nodes may drop it meanwhile and fees may keep rising.",
        ),
    ),
    Code.TIP_BELOW_MARKET: Entry(
        summary="Your transaction offers a lower priority fee than most transactions in recent blocks, so they go first.",
        message=(
            "It can pay a priority fee of {tip_gwei} gwei. In a typical recent block, no more than {percentile}% of "
            "transactions paid less than {market_tip_gwei} gwei, so most offer more than yours."
        ),
        steps=(_SPEED_UP_EN, _SPEED_UP_LEGACY_EN, _CANCEL_EN, _CANCEL_LEGACY_EN),
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
        steps=(
            "Send a transaction with nonce {first_missing} first (most wallets let you set a custom nonce under "
            "advanced settings); a transfer of 0 {symbol} to your own address ({sender}) is enough. Do the same "
            "for each missing nonce ({missing_nonces}); then nonce {nonce} goes through by itself.",
            "txdiag could not check the nonces after {first_missing}, up to and including {unchecked_nonces_to}, "
            "so more of them may be missing: your wallet's activity list shows which nonces you have used.",
        ),
    ),
    Code.NETWORK_CONGESTED: Entry(
        summary="The network is busy: blocks are full and fees are rising.",
        message=(
            "{full_blocks} of the last {blocks} blocks were full ({gas_used_percent}% used on average) and the "
            "base fee rose {base_fee_rise_percent}% to {base_fee_per_gas_gwei} gwei."
        ),
        steps=("If it is not urgent, waiting for fees to fall costs nothing.",),
    ),
}

ZH: dict[Code, Entry] = {
    Code.PENDING: Entry(
        summary="您的交易（nonce {nonce}）已发出，但尚未被打包进区块。",
        message="正在网络队列中等待（nonce {nonce}）；txdiag 首次发现这笔交易是在 {waiting}前。",
        steps=(
            "在这笔交易等待期间，请不要重复发送同一笔付款：两笔都可能成功。",
            "在 {sequencer} 上，由单一排序器按收到的先后顺序打包交易，提高优先费用并不能让交易插队。"
            "在那里一直待处理的交易，通常是在等待更早的 nonce，或者它的最高费用低于网络的基础费用。",
            "请几分钟后再查；大多数交易会在几个区块内被打包。",
        ),
    ),
    Code.FEE_BELOW_BASE_FEE: Entry(
        summary=(
            "您的交易无法被打包：它的最高费用（{max_fee_per_gas_gwei} gwei）低于网络当前的基础费用"
            "（{base_fee_per_gas_gwei} gwei）。"
        ),
        message=(
            "最高费用 {max_fee_per_gas_gwei} gwei 低于下一个区块的基础费用 {base_fee_per_gas_gwei} gwei："
            "基础费用需要下降 {shortfall_per_gas_gwei} gwei（{base_fee_fall_percent}%）。最近 {history_blocks} "
            "个区块中最低的基础费用为 {lowest_recent_base_fee_per_gas_gwei} gwei（近期是否曾降到您的最高费用这一水平："
            "{reached_recently}）。"
        ),
        steps=(
            _SPEED_UP_ZH,
            _SPEED_UP_LEGACY_ZH,
            _CANCEL_ZH,
            _CANCEL_LEGACY_ZH,
            "或者等待：如果基础费用降到 {max_fee_per_gas_gwei} gwei 或更低，它仍可能成功，"
            "但在此期间节点可能会丢弃它，网络费也可能继续上涨。",
        ),
    ),
    Code.TIP_BELOW_MARKET: Entry(
        summary="您的交易提供的优先费用低于最近区块中大多数交易，所以其他交易会先被打包。",
        message=(
            "它能支付的优先费用为 {tip_gwei} gwei。在最近的典型区块中，优先费用低于 {market_tip_gwei} gwei 的交易"
            "不超过 {percentile}%，所以大多数交易的出价都比您高。"
        ),
        steps=(_SPEED_UP_ZH, _SPEED_UP_LEGACY_ZH, _CANCEL_ZH, _CANCEL_LEGACY_ZH),
    ),
    Code.NONCE_GAP: Entry(
        summary=(
            "您的交易（nonce {nonce}）在等待您地址上更早的交易，而那些交易从未发出或已被丢弃（缺失的 nonce："
            "{missing_nonces}）。"
        ),
        message=(
            "必须先用掉每个缺失的 nonce，nonce {nonce} 才能执行（缺失 {missing_count} 个：{missing_nonces}）；"
            "网络上这个地址的下一个 nonce 是 {next_nonce}。"
        ),
        steps=(
            "请先发送一笔 nonce 为 {first_missing} 的交易（大多数钱包可在高级设置中自定义 nonce）；"
            "向您自己的地址（{sender}）转 0 {symbol} 即可。对每个缺失的 nonce（{missing_nonces}）都这样做；"
            "之后 nonce {nonce} 会自动执行。",
            "txdiag 无法逐个检查 {first_missing} 之后、直到 {unchecked_nonces_to}（含）的 nonce，所以可能还有更多缺失："
            "请在钱包的活动记录中查看您用过哪些 nonce。",
        ),
    ),
    Code.NETWORK_CONGESTED: Entry(
        summary="网络繁忙：区块已满，网络费（Gas 费）正在上涨。",
        message=(
            "最近 {blocks} 个区块中有 {full_blocks} 个已满（平均使用 {gas_used_percent}%），"
            "基础费用上涨了 {base_fee_rise_percent}%，达到 {base_fee_per_gas_gwei} gwei。"
        ),
        steps=("如果不着急，等待网络费回落不需要任何成本。",),
    ),
}
