"""Funds that went somewhere other than intended: said plainly, with who (if anyone) can help."""

from __future__ import annotations

from txdiag.guidance.catalog import Entry
from txdiag.models import Code

_IRREVERSIBLE_EN = (
    "A confirmed transfer cannot be reversed by any wallet, exchange or support desk. Only the owner of the "
    "receiving address can send funds back."
)
_IRREVERSIBLE_ZH = "已确认的转账无法被任何钱包、交易所或客服撤回。只有接收地址的所有者才能把资金退回。"

EN: dict[Code, Entry] = {
    Code.ZERO_ADDRESS_RECIPIENT: Entry(
        summary="The funds were sent to the zero address ({recipient}), which nobody controls: they are lost.",
        message="Recipient {recipient} is the zero address.",
        steps=(_IRREVERSIBLE_EN,),
    ),
    Code.BURN_ADDRESS_RECIPIENT: Entry(
        summary="The funds were sent to a well-known burn address ({recipient}) that nobody controls: they are lost.",
        message="Recipient {recipient} is a burn address.",
        steps=(_IRREVERSIBLE_EN,),
    ),
    Code.TOKEN_CONTRACT_RECIPIENT: Entry(
        summary="The tokens were sent to the token's own contract ({recipient}) instead of a person's address.",
        message="Recipient {recipient} is the token contract itself.",
        steps=(
            _IRREVERSIBLE_EN,
            "Only the token's issuer can sometimes recover tokens sent to its contract. Contact them through the "
            "official website listed by the project, never through someone who contacts you first.",
        ),
    ),
    Code.LOOKALIKE_RECIPIENT: Entry(
        summary=(
            "The recipient {recipient} only looks like {lookalike_of}, an address you used before: this is an "
            "address-poisoning scam."
        ),
        message="Recipient {recipient} imitates {lookalike_of}.",
        steps=(
            _IRREVERSIBLE_EN,
            "Never copy an address from your transaction history; use your address book or ask the recipient again.",
        ),
    ),
    Code.RECIPIENT_CONTRACT_ON_OTHER_CHAIN: Entry(
        summary=(
            "The recipient {recipient} has no contract on {chain}, but it is a contract on {chains}: the funds were "
            "probably sent on the wrong network."
        ),
        message="Recipient {recipient} is a contract only on {chains}.",
        steps=(
            "If the address is a smart-contract wallet, its owner may be able to recover the funds by deploying the "
            "same wallet on {chain}. Ask the owner (for an exchange, its official support).",
        ),
    ),
    Code.UNEXPECTED_RECIPIENT: Entry(
        summary="The funds went to {recipient}, not to the address you expected ({expected_to}).",
        message="Sent to {recipient}; expected {expected_to}.",
        steps=(_IRREVERSIBLE_EN,),
    ),
    Code.CONTRACT_RECIPIENT: Entry(
        summary="The tokens went to a contract ({recipient}), not to a personal wallet.",
        message="Recipient {recipient} is a contract.",
        steps=("Make sure this contract is meant to receive the tokens (for example, a deposit or wallet contract).",),
    ),
    Code.FRESH_RECIPIENT: Entry(
        summary="The recipient {recipient} had no activity before this transfer.",
        message="Recipient {recipient} had no earlier history.",
        steps=(
            "A new address is normal for a first payment; if it was not meant to be new, check it with the recipient.",
        ),
    ),
}

ZH: dict[Code, Entry] = {
    Code.ZERO_ADDRESS_RECIPIENT: Entry(
        summary="资金被发送到了零地址（{recipient}），没有人能控制该地址：这些资金已经丢失。",
        message="接收方 {recipient} 是零地址。",
        steps=(_IRREVERSIBLE_ZH,),
    ),
    Code.BURN_ADDRESS_RECIPIENT: Entry(
        summary="资金被发送到了一个众所周知的销毁地址（{recipient}），没有人能控制该地址：这些资金已经丢失。",
        message="接收方 {recipient} 是销毁地址。",
        steps=(_IRREVERSIBLE_ZH,),
    ),
    Code.TOKEN_CONTRACT_RECIPIENT: Entry(
        summary="代币被发送到了该代币自己的合约（{recipient}），而不是某个人的地址。",
        message="接收方 {recipient} 就是代币合约本身。",
        steps=(
            _IRREVERSIBLE_ZH,
            "只有代币发行方有时能找回发送到其合约的代币。请通过项目公布的官方网站联系他们，切勿相信主动联系您的人。",
        ),
    ),
    Code.LOOKALIKE_RECIPIENT: Entry(
        summary="接收方 {recipient} 只是看起来像您以前用过的地址 {lookalike_of}：这是地址投毒诈骗。",
        message="接收方 {recipient} 在模仿 {lookalike_of}。",
        steps=(
            _IRREVERSIBLE_ZH,
            "切勿从交易记录中复制地址；请使用地址簿，或重新向收款方确认地址。",
        ),
    ),
    Code.RECIPIENT_CONTRACT_ON_OTHER_CHAIN: Entry(
        summary="接收方 {recipient} 在 {chain} 上没有合约，但在 {chains} 上是合约：资金很可能发到了错误的网络。",
        message="接收方 {recipient} 只在 {chains} 上是合约。",
        steps=(
            "如果该地址是智能合约钱包，其所有者也许可以通过在 {chain} 上部署同一个钱包来找回资金。"
            "请联系地址所有者（如果是交易所，请联系其官方客服）。",
        ),
    ),
    Code.UNEXPECTED_RECIPIENT: Entry(
        summary="资金被发送到了 {recipient}，而不是您预期的地址（{expected_to}）。",
        message="实际发送到 {recipient}；预期为 {expected_to}。",
        steps=(_IRREVERSIBLE_ZH,),
    ),
    Code.CONTRACT_RECIPIENT: Entry(
        summary="代币被发送到了一个合约（{recipient}），而不是个人钱包。",
        message="接收方 {recipient} 是一个合约。",
        steps=("请确认这个合约确实用于接收这些代币（例如充值合约或钱包合约）。",),
    ),
    Code.FRESH_RECIPIENT: Entry(
        summary="接收方 {recipient} 在这次转账之前没有任何活动记录。",
        message="接收方 {recipient} 此前没有历史记录。",
        steps=("首次付款给新地址是正常的；如果它本不应是新地址，请向收款方核实。",),
    ),
}
