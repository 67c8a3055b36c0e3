"""Confirmed, awaiting confirmations, found elsewhere, not found, partly unchecked."""

from __future__ import annotations

from txdiag.guidance.catalog import Entry
from txdiag.models import Code

EN: dict[Code, Entry] = {
    Code.CONFIRMED: Entry(
        summary="Your transaction went through: it is in block {block} on {chain} and is final.",
        message="Included in block {block}; confirmations: {confirmations}; the block is final ({finality}).",
        steps=(
            "Nothing more is needed on the blockchain. If the recipient does not see the funds, ask them to "
            "check the same chain ({chain}) and the same address.",
            "An exchange or service may credit deposits only after its own checks; give them the transaction "
            "hash if they ask.",
            "See it on the explorer: {explorer}",
        ),
    ),
    Code.AWAITING_CONFIRMATIONS: Entry(
        summary=(
            "Your transaction succeeded in block {block} on {chain} and is waiting for more blocks before it is "
            "final: about {eta} more."
        ),
        message="Confirmations so far: {confirmations}. Final in about {remaining_blocks} more blocks (about {eta}).",
        steps=(
            "Wait about {eta}; nothing needs to be done. Do not send the payment again.",
            "Exchanges credit a deposit only after their own number of confirmations; it will appear once "
            "that is reached.",
            "See it on the explorer: {explorer}",
        ),
    ),
    Code.FOUND_ON_OTHER_CHAIN: Entry(
        summary="This transaction is not on {asked_chain}; it is on {chain}.",
        message="Looked up on {asked_chain} as asked, but the transaction is on {chain}.",
        steps=(
            "Check that your wallet and the recipient are both using {chain}: funds sent on {chain} only "
            "appear on {chain}.",
        ),
    ),
    Code.NOT_FOUND: Entry(
        summary="No configured network knows this transaction hash (networks asked: {chains}).",
        message="Networks asked: {chains}; endpoints asked: {endpoints_asked}. None has this transaction.",
        steps=(
            "txdiag could not reach {unreachable} just now, so the transaction may be there. Ask again in a "
            "minute before you send anything again.",
            "On {unconfirmed}, only one endpoint could answer just now, and endpoints sometimes miss recent "
            "transactions. Ask again in a minute to be sure.",
            "Check that the hash is copied whole and exactly (66 characters starting with 0x).",
            "If you only just sent it, wait a minute and check again: it may not have reached the network yet.",
            "If your wallet shows the transaction but no network has it, it was probably never broadcast or was "
            "dropped. Check your balance and the wallet's activity list before you send it again.",
            "Check which network your wallet used; it may be one txdiag is not set up to check.",
        ),
    ),
    Code.UNCHECKED: Entry(
        summary="Part of the network data could not be read just now, so some checks were skipped.",
        message="Could not check: {parts}. Nothing was assumed about them.",
        steps=("Ask again in a minute for a complete answer.",),
    ),
}

ZH: dict[Code, Entry] = {
    Code.CONFIRMED: Entry(
        summary="您的交易已成功：它在 {chain} 的区块 {block} 中，且已最终确认。",
        message="已打包进区块 {block}，共 {confirmations} 个确认；该区块已最终确认（{finality}）。",
        steps=(
            "链上无需再做任何操作。如果收款方没有看到资金，请让对方在同一条链（{chain}）上核对同一个地址。",
            "交易所或服务商可能还需要完成自己的入账检查；如对方需要，请提供交易哈希。",
            "在区块浏览器中查看：{explorer}",
        ),
    ),
    Code.AWAITING_CONFIRMATIONS: Entry(
        summary="您的交易已在 {chain} 的区块 {block} 中成功执行，正在等待更多区块以达到最终确认：大约还需 {eta}。",
        message="目前已有 {confirmations} 个确认；大约再过 {remaining_blocks} 个区块（约 {eta}）即可最终确认。",
        steps=(
            "请等待约 {eta}，无需任何操作。请不要重复付款。",
            "交易所要达到其规定的确认数后才会入账，届时资金会自动到账。",
            "在区块浏览器中查看：{explorer}",
        ),
    ),
    Code.FOUND_ON_OTHER_CHAIN: Entry(
        summary="这笔交易不在 {asked_chain} 上，而是在 {chain} 上。",
        message="已按要求在 {asked_chain} 上查询，但这笔交易位于 {chain}。",
        steps=("请确认您的钱包和收款方都在使用 {chain}：在 {chain} 上发送的资金只会出现在 {chain} 上。",),
    ),
    Code.NOT_FOUND: Entry(
        summary="已配置的网络中都找不到这个交易哈希（已查询的网络：{chains}）。",
        message="已查询 {chains}（{endpoints_asked} 个节点），都没有这笔交易。",
        steps=(
            "txdiag 暂时无法连接 {unreachable}，这笔交易可能就在那里。请一分钟后再查询，在此之前不要重新发送任何交易。",
            "在 {unconfirmed} 上，刚才只有一个节点给出了答复，而节点有时会漏掉最新的交易。请一分钟后再查询以确认。",
            "请确认哈希复制完整且准确（以 0x 开头，共 66 个字符）。",
            "如果刚刚发送，请等一分钟后再查：交易可能还没有传到网络。",
            "如果钱包里显示了这笔交易，但所有网络都找不到，它很可能从未广播成功或已被丢弃。"
            "重新发送之前，请先查看余额和钱包的交易记录。",
            "请确认钱包使用的是哪个网络；它可能不在 txdiag 的查询范围内。",
        ),
    ),
    Code.UNCHECKED: Entry(
        summary="暂时无法读取部分网络数据，因此跳过了部分检查。",
        message="未能检查：{parts}。对这些内容未做任何推测。",
        steps=("请一分钟后再查询，以获得完整结果。",),
    ),
}
