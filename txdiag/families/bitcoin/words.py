"""The bitcoin family's words (en, zh-CN) and which next steps each finding has.

Shared codes (``pending``, ``confirmed``, ``replaced`` ...) mean the same thing
as for EVM chains but are said differently here: no nonces or gas, fee rates
in sat/vB, RBF and CPFP. The locales, the safety notice and the verdict labels
are the shared catalogs' own.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping

from txdiag.guidance.catalog import Catalog, Entry
from txdiag.guidance.catalogs import discover
from txdiag.guidance.steps import Step
from txdiag.models import Code

STEPS: Mapping[Code, tuple[Step, ...]] = {
    Code.CONFIRMED: (Step("nothing_to_do"), Step("explorer", needs=("explorer",))),
    Code.AWAITING_CONFIRMATIONS: (
        Step("wait", needs=("remaining_seconds",)),
        Step("explorer", needs=("explorer",)),
    ),
    Code.PENDING: (
        Step("do_not_pay_twice"),
        Step("eta", needs=("eta_seconds",)),
        Step("check_later"),
    ),
    Code.FEE_RATE_BELOW_NEXT_BLOCK: (
        Step("rbf", needs=("rbf_fee_sat",)),
        Step("rbf_refused", needs=("rbf_fee_sat", "cpfp_child_fee_sat")),
        Step("not_replaceable", needs=("not_replaceable",)),
        Step("cpfp", needs=("cpfp_child_fee_sat", "cpfp_vout", "cpfp_address")),
        Step("eta", needs=("eta_seconds",)),
        Step("beyond", needs=("beyond_blocks",)),
    ),
    Code.BELOW_MEMPOOL_MIN_FEE: (Step("bump"),),
    Code.UNCONFIRMED_PARENTS: (Step("together"), Step("low_parent", needs=("low_fee_parent_txid",))),
    Code.BURN_OUTPUT: (Step("replace_first", needs=("replace_possible",)), Step("irreversible")),
    Code.REPLACED: (Step("named", needs=("replacement",)), Step("do_not_resend")),
    Code.DROPPED: (Step("abandon"), Step("resend")),
    Code.UNCHECKED: (Step("retry"),),
}

EN: dict[Code, Entry] = {
    Code.CONFIRMED: Entry(
        summary="Your payment is confirmed: {confirmations} confirmations (at least {required} are customary).",
        message="In block {block} with {confirmations} confirmations.",
        steps={
            "nothing_to_do": "Nothing more to do: the payment is settled. If the recipient does not see it, give "
            "them the transaction id.",
            "explorer": "See it on a block explorer: {explorer}",
        },
    ),
    Code.AWAITING_CONFIRMATIONS: Entry(
        summary="Your payment is in block {block} with {confirmations} of the {required} confirmations usually "
        "required.",
        message="{confirmations} of {required} confirmations.",
        steps={
            "wait": "Wait about {remaining_blocks} more blocks (around {remaining}); nothing needs to be done.",
            "explorer": "See it on a block explorer: {explorer}",
        },
    ),
    Code.PENDING: Entry(
        summary="Your payment is in the mempool, waiting to be mined.",
        message="In the mempool: pays {fee_sat} sat ({fee_rate_sat_vb} sat/vB) for {vsize} vB; the mempool holds "
        "{mempool_txs} transactions ({mempool_vbytes} vB).",
        steps={
            "do_not_pay_twice": "Do not send the same payment again while this one is waiting: both could go through.",
            "eta": "Where it sits now it should be mined in about {eta_blocks} blocks ({eta}).",
            "check_later": "Check again after the next block.",
        },
    ),
    Code.FEE_RATE_BELOW_NEXT_BLOCK: Entry(
        summary="Your payment pays {fee_rate_sat_vb} sat/vB, below the {next_block_fee_rate} sat/vB the next block "
        "needs, so it is waiting behind better-paying payments.",
        message="Pays {fee_rate_sat_vb} sat/vB; the next block needs {next_block_fee_rate} sat/vB for its size.",
        steps={
            "rbf": 'Speed it up by replacing it (RBF, "Bump fee" in most wallets): set the fee to {rbf_fee_sat} sat '
            "({rbf_fee_rate} sat/vB for its {rbf_vsize} vB), {rbf_extra_sat} sat more than now. That is the least "
            "the replacement rules and the next block accept.",
            "rbf_refused": "Some nodes and wallets refuse replacements. If your wallet has no fee bump, or the "
            "replacement is not relayed, pay for it with a child payment instead (next step).",
            "not_replaceable": "It did not signal replaceability (RBF), so nodes will not accept a higher-fee "
            "version of it; a child payment can still pull it into a block.",
            "cpfp": "Pay for it with a child (CPFP): spend output #{cpfp_vout} ({cpfp_value_native} {symbol} to "
            "{cpfp_address}) in a new payment of about {cpfp_child_vsize} vB with a fee of {cpfp_child_fee_sat} sat "
            "({cpfp_child_fee_rate} sat/vB). Together they then pay {cpfp_package_fee_rate} sat/vB, enough for the "
            "next block.",
            "eta": "If you do nothing, it should be mined in about {eta_blocks} blocks ({eta}) at today's fees.",
            "beyond": "If you do nothing, it waits behind more than {beyond_blocks} blocks of better-paying payments "
            "and may be dropped by nodes.",
        },
    ),
    Code.BELOW_MEMPOOL_MIN_FEE: Entry(
        summary="Your payment pays {fee_rate_sat_vb} sat/vB, below the {mempool_min_fee_rate} sat/vB nodes keep "
        "now: it may be dropped.",
        message="Below the mempool's minimum fee rate ({mempool_min_fee_rate} sat/vB).",
        steps={"bump": "Raise its fee (RBF) or pay for it with a child (CPFP) before nodes drop it."},
    ),
    Code.UNCONFIRMED_PARENTS: Entry(
        summary="Your payment spends coins of {ancestor_count} unconfirmed payment(s); they can only be mined "
        "together, at {package_fee_rate} sat/vB.",
        message="Unconfirmed parents: {parents}. Together they pay {package_fee_rate} sat/vB.",
        steps={
            "together": "It cannot be mined before its parents: they go into a block together, or not at all.",
            "low_parent": "The parent {low_fee_parent_txid} pays less than this payment; a higher fee here (RBF or "
            "a child) pays for the parent too.",
        },
    ),
    Code.BURN_OUTPUT: Entry(
        summary="This payment sends {burned_native} {symbol} to an output no one can ever spend (OP_RETURN): "
        "that amount is gone for good.",
        pending_summary="This payment would send {burned_native} {symbol} to an output no one can ever spend "
        "(OP_RETURN); it is not mined yet.",
        message="{burned_native} {symbol} to unspendable output(s) #{outputs}.",
        steps={
            "replace_first": "It is not mined yet: replace it now (RBF) with a payment without that output, paying "
            "a higher fee, and the coins stay yours.",
            "irreversible": "Once mined, no wallet, miner or support desk can get those coins back.",
        },
    ),
    Code.REPLACED: Entry(
        summary="This payment was replaced: another transaction spent the same coins, so this one will never be mined.",
        message="Its inputs {inputs_spent} were spent by another transaction.",
        steps={
            "named": "The transaction that spent them is {replacement}: look it up to see where the coins went.",
            "do_not_resend": "If you bumped the fee yourself, that replacement is your payment: do not pay again.",
        },
    ),
    Code.DROPPED: Entry(
        summary="Nodes dropped this payment: it left the mempool without being mined, and its coins were never spent.",
        message="Dropped (evicted or expired); the coins it spent ({inputs}) are still unspent.",
        steps={
            "abandon": 'If your wallet still lists it as pending, "abandon" it (Bitcoin Core: abandontransaction) '
            "to free its coins.",
            "resend": "Then send the payment again with a fee rate at least that of the next block; the coins are "
            "still yours.",
        },
    ),
    Code.UNCHECKED: Entry(
        summary=(
            "Part of the network data could not be read just now ({parts}), so some checks were skipped. Ask again "
            "in a minute for a complete answer."
        ),
        message="Not checked: {parts}.",
        steps={"retry": "Ask again in a minute for a complete answer."},
    ),
}

ZH: dict[Code, Entry] = {
    Code.CONFIRMED: Entry(
        summary="您的付款已确认：{confirmations} 个确认（通常要求至少 {required} 个）。",
        message="在区块 {block} 中，已有 {confirmations} 个确认。",
        steps={
            "nothing_to_do": "无需再做任何操作：付款已完成。如果收款方看不到，请把交易编号发给对方。",
            "explorer": "在区块浏览器中查看：{explorer}",
        },
    ),
    Code.AWAITING_CONFIRMATIONS: Entry(
        summary="您的付款已在区块 {block} 中，已有 {confirmations} 个确认，通常需要 {required} 个。",
        message="确认数 {confirmations}/{required}。",
        steps={
            "wait": "再等大约 {remaining_blocks} 个区块（约 {remaining}）即可，无需任何操作。",
            "explorer": "在区块浏览器中查看：{explorer}",
        },
    ),
    Code.PENDING: Entry(
        summary="您的付款在内存池中，正在等待被打包。",
        message="在内存池中：手续费 {fee_sat} 聪（{fee_rate_sat_vb} 聪/vB），大小 {vsize} vB；内存池共有 "
        "{mempool_txs} 笔交易（{mempool_vbytes} vB）。",
        steps={
            "do_not_pay_twice": "在这笔付款等待期间，请不要重复付款：两笔都可能成功。",
            "eta": "按当前位置，预计约 {eta_blocks} 个区块（约 {eta}）后被打包。",
            "check_later": "下一个区块出块后再查看一次。",
        },
    ),
    Code.FEE_RATE_BELOW_NEXT_BLOCK: Entry(
        summary="您的付款费率为 {fee_rate_sat_vb} 聪/vB，低于下一个区块所需的 {next_block_fee_rate} 聪/vB，"
        "因此排在费率更高的付款之后等待。",
        message="费率 {fee_rate_sat_vb} 聪/vB；按它的大小，下一个区块需要 {next_block_fee_rate} 聪/vB。",
        steps={
            "rbf": "通过替换来加速（RBF，多数钱包中的“提高手续费”）：把手续费设为 {rbf_fee_sat} 聪（{rbf_vsize} vB，"
            "即 {rbf_fee_rate} 聪/vB），比现在多 {rbf_extra_sat} 聪。这是替换规则和下一个区块都能接受的最低值。",
            "rbf_refused": "有些节点和钱包不接受替换交易。如果您的钱包不能提高手续费，或替换交易没有被转发，"
            "请改用下一步的子交易。",
            "not_replaceable": "这笔付款没有声明可替换（RBF），节点不会接受它的高手续费版本；但子交易仍可带动它被打包。",
            "cpfp": "用子交易带动（CPFP）：在一笔新付款中花费输出 #{cpfp_vout}（{cpfp_value_native} {symbol}，"
            "地址 {cpfp_address}），大小约 {cpfp_child_vsize} vB，手续费 {cpfp_child_fee_sat} 聪"
            "（{cpfp_child_fee_rate} 聪/vB）。两笔合计费率为 {cpfp_package_fee_rate} 聪/vB，足以进入下一个区块。",
            "eta": "如果不做任何操作，按当前手续费水平预计约 {eta_blocks} 个区块（约 {eta}）后被打包。",
            "beyond": "如果不做任何操作，它排在超过 {beyond_blocks} 个区块的高费率付款之后，可能会被节点丢弃。",
        },
    ),
    Code.BELOW_MEMPOOL_MIN_FEE: Entry(
        summary="您的付款费率为 {fee_rate_sat_vb} 聪/vB，低于节点当前保留交易的最低费率 {mempool_min_fee_rate} 聪/vB，"
        "可能会被丢弃。",
        message="低于内存池最低费率（{mempool_min_fee_rate} 聪/vB）。",
        steps={"bump": "在节点丢弃它之前，提高手续费（RBF）或用子交易带动（CPFP）。"},
    ),
    Code.UNCONFIRMED_PARENTS: Entry(
        summary="您的付款花费了 {ancestor_count} 笔未确认付款的币；它们只能一起被打包，合计费率 {package_fee_rate} 聪/vB。",
        message="未确认的父交易：{parents}。合计费率 {package_fee_rate} 聪/vB。",
        steps={
            "together": "它不能早于父交易被打包：它们要么一起进入区块，要么都不进入。",
            "low_parent": "父交易 {low_fee_parent_txid} 的费率低于这笔付款；在这里提高手续费（RBF 或子交易）也会替父交易付费。",
        },
    ),
    Code.BURN_OUTPUT: Entry(
        summary="这笔付款把 {burned_native} {symbol} 发送到了任何人都无法花费的输出（OP_RETURN）：这部分金额已永久销毁。",
        pending_summary="这笔付款会把 {burned_native} {symbol} 发送到任何人都无法花费的输出（OP_RETURN）；它尚未被打包。",
        message="{burned_native} {symbol} 发送到了无法花费的输出 #{outputs}。",
        steps={
            "replace_first": "它尚未被打包：现在用一笔不含该输出、手续费更高的付款替换它（RBF），这些币就仍归您所有。",
            "irreversible": "一旦被打包，任何钱包、矿工或客服都无法找回这些币。",
        },
    ),
    Code.REPLACED: Entry(
        summary="这笔付款已被替换：另一笔交易花费了相同的币，因此这笔永远不会被打包。",
        message="它的输入 {inputs_spent} 已被另一笔交易花费。",
        steps={
            "named": "花费这些币的交易是 {replacement}：查询它即可看到币的去向。",
            "do_not_resend": "如果是您自己提高了手续费，那笔替换交易就是您的付款：请不要重复付款。",
        },
    ),
    Code.DROPPED: Entry(
        summary="节点已丢弃这笔付款：它未被打包就离开了内存池，它的币从未被花费。",
        message="已被丢弃（被挤出或过期）；它花费的币（{inputs}）仍未被花费。",
        steps={
            "abandon": "如果钱包仍显示它在等待中，请“放弃”它（比特币核心钱包的命令：“abandontransaction”）以释放这些币。",
            "resend": "然后以不低于下一个区块的费率重新付款；这些币仍归您所有。",
        },
    ),
    Code.UNCHECKED: Entry(
        summary="部分网络数据暂时无法读取（{parts}），因此跳过了一些检查。请一分钟后再查询一次，以获得完整的结果。",
        message="未检查：{parts}。",
        steps={"retry": "请一分钟后再查询一次，以获得完整的结果。"},
    ),
}

_PARTS = {
    "en": {
        "mempool": "the node's mempool",
        "projected_blocks": "the projected blocks",
        "inputs": "the coins it spent",
        "incremental_fee": "the node's minimum fee step for a replacement (its usual default was used)",
    },
    "zh-CN": {
        "mempool": "节点的内存池",
        "projected_blocks": "预测区块",
        "inputs": "它花费的币",
        "incremental_fee": "节点对替换交易要求的最低费率增量（已按其通常的默认值计算）",
    },
}


def _catalog(tag: str, entries: Mapping[Code, Entry]) -> Catalog:
    shared = discover()[tag]
    common = dataclasses.replace(shared.common, parts={**shared.common.parts, **_PARTS[tag]})
    return Catalog(locale=shared.locale, entries=entries, common=common, explanations={})


@functools.cache
def catalogs() -> Mapping[str, Catalog]:
    """The family's catalogs by language tag, built on first use (the shared locales and common words)."""
    return {"en": _catalog("en", EN), "zh-CN": _catalog("zh-CN", ZH)}
