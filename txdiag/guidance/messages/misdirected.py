"""Funds that went somewhere other than intended: said plainly, with who (if anyone) can help.

A pending misdirected transfer can still be stopped, so the cancel step comes
first; its fees (``suggested_*``, from the replacement-fee maths) are in the
finding's details only while the transaction is pending, so for a mined one
the step is left out. Dynamic-fee and legacy forms are both listed; the
renderer keeps the one whose facts the finding has. While the transfer is
pending, the summary says what it is *about* to do (``pending_summary``),
not that the funds are gone.

A placeholder written ``{name:.0}`` shows nothing: it only makes a step depend
on that fact, so the wallet and non-wallet forms of the other-chain step are
told apart without printing a machine value such as ``safe_proxy``.
"""

from __future__ import annotations

from txdiag.guidance.catalog import Entry
from txdiag.models import Code

_CANCEL_EN = (
    "It is not in a block yet, so it can still be stopped: cancel it now by sending 0 {symbol} to your own "
    "address ({sender}) with the same nonce {nonce}, max fee {suggested_max_fee_per_gas_gwei} gwei and max "
    'priority fee {suggested_max_priority_fee_per_gas_gwei} gwei (a wallet\'s "Cancel" button does this). Once the '
    "cancel is in a block, this transfer can never go through."
)
_CANCEL_LEGACY_EN = (
    "It is not in a block yet, so it can still be stopped: cancel it now by sending 0 {symbol} to your own "
    "address ({sender}) with the same nonce {nonce} and gas price {suggested_gas_price_gwei} gwei (a wallet's "
    '"Cancel" button does this). Once the cancel is in a block, this transfer can never go through.'
)
_LOST_EN = (
    "Nobody holds the key to {recipient}, so no one (not your wallet, an exchange, a support desk or any "
    '"recovery service") can get these funds back once the transfer is in a block.'
)
_FINAL_EN = (
    "Once it is in a block, a transfer cannot be reversed by any wallet, exchange or support desk. Only whoever "
    "controls {recipient} can send the funds back."
)

_CANCEL_ZH = (
    "这笔交易还没有被打包，仍然可以阻止：请立即取消——向您自己的地址（{sender}）发送 0 {symbol}，使用相同的 "
    "nonce {nonce}，最高费用 {suggested_max_fee_per_gas_gwei} gwei，最高优先费用 "
    "{suggested_max_priority_fee_per_gas_gwei} gwei（钱包里的“取消”按钮就是这样做的）。取消交易被打包后，"
    "这笔转账就永远不会执行。"
)
_CANCEL_LEGACY_ZH = (
    "这笔交易还没有被打包，仍然可以阻止：请立即取消——向您自己的地址（{sender}）发送 0 {symbol}，使用相同的 "
    "nonce {nonce}，Gas 价格 {suggested_gas_price_gwei} gwei（钱包里的“取消”按钮就是这样做的）。取消交易被打包后，"
    "这笔转账就永远不会执行。"
)
_LOST_ZH = (
    "没有任何人持有 {recipient} 的私钥，所以转账一旦被打包，任何人（您的钱包、交易所、客服或任何“找回服务”）"
    "都无法取回这些资金。"
)
_FINAL_ZH = "转账一旦被打包，任何钱包、交易所或客服都无法撤回。只有控制 {recipient} 的人才能把资金退回。"

# ends every pending summary: the cancel is the first step whenever the transfer is pending
_STOP_EN = "It can still be stopped: cancel it now (step 1)."
_STOP_ZH = "它仍然可以被阻止：请立即取消（见第 1 步）。"

EN: dict[Code, Entry] = {
    Code.ZERO_ADDRESS_RECIPIENT: Entry(
        summary=(
            "You sent {amount} {asset} to the zero address ({recipient}). Nobody controls that address, so the "
            "funds are lost."
        ),
        pending_summary=(
            "This transfer is about to send {amount} {asset} to the zero address ({recipient}), which nobody "
            "controls. " + _STOP_EN
        ),
        message="The recipient {recipient} is the zero address ({amount} {asset}).",
        steps=(
            _CANCEL_EN,
            _CANCEL_LEGACY_EN,
            _LOST_EN,
            "If an app or website filled in this address for you, report it to them through their official site: "
            "sending to the zero address is a bug.",
        ),
    ),
    Code.BURN_ADDRESS_RECIPIENT: Entry(
        summary=(
            "You sent {amount} {asset} to {recipient}, a well-known burn address that nobody controls, so the "
            "funds are lost."
        ),
        pending_summary=(
            "This transfer is about to send {amount} {asset} to {recipient}, a well-known burn address that nobody "
            "controls. " + _STOP_EN
        ),
        message="The recipient {recipient} is a well-known burn address ({amount} {asset}).",
        steps=(
            _CANCEL_EN,
            _CANCEL_LEGACY_EN,
            _LOST_EN,
            'If someone told you to send funds to this address (for example to "verify" or "unlock" your wallet), '
            "that was a scam: stop and do not send anything more.",
        ),
    ),
    Code.TOKEN_CONTRACT_RECIPIENT: Entry(
        summary=(
            "You sent {amount} {asset} to a token contract ({recipient}) instead of a wallet. A token contract "
            "usually cannot send them back."
        ),
        pending_summary=(
            "This transfer is about to send {amount} {asset} to a token contract ({recipient}) instead of a wallet; "
            "a token contract usually cannot send them back. " + _STOP_EN
        ),
        message="The recipient {recipient} is a token contract, not a wallet ({amount} {asset}).",
        steps=(
            _CANCEL_EN,
            _CANCEL_LEGACY_EN,
            _FINAL_EN,
            "Only the token's issuer can sometimes help: some token contracts let the issuer return tokens stuck "
            "in them. Contact the issuer only through the official website or support channel the project lists, "
            "with the transaction hash {hash}. Never deal with anyone who contacts you first or asks for a fee.",
            "Next time, send to the recipient's wallet address, not to the token's contract address (explorers show "
            "both on a token page).",
        ),
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
            "scammer planted the look-alike in your transaction history. " + _STOP_EN
        ),
        message=(
            "The recipient {recipient} imitates {lookalike_of}, an address in your transaction history: "
            "{matched_chars} characters at its start and end match, far too many to be a coincidence."
        ),
        steps=(
            _CANCEL_EN,
            _CANCEL_LEGACY_EN,
            _FINAL_EN,
            "The look-alike address belongs to the scammer, who will not return the funds. You can report "
            "{recipient} to your wallet provider, to exchanges and to the police; that does not bring the funds "
            "back, but it helps warn others.",
            "Never copy an address from your transaction history. Use your address book or a QR code from the "
            "recipient, and compare every character, not only the start and the end. Anyone can make a "
            "zero-value transfer appear in your history without your keys.",
        ),
    ),
    Code.RECIPIENT_CONTRACT_ON_OTHER_CHAIN: Entry(
        summary=(
            "You sent {amount} {asset} to {recipient}, which has no contract on {chain} but is a contract on "
            "{chains}: the funds were probably sent on the wrong network."
        ),
        pending_summary=(
            "This transfer is about to send {amount} {asset} to {recipient}, which has no contract on {chain} but "
            "is a contract on {chains}: this is probably the wrong network. " + _STOP_EN
        ),
        message="The recipient {recipient} has no code on {chain}; it is a contract on {chains}.",
        steps=(
            _CANCEL_EN,
            _CANCEL_LEGACY_EN,
            "On {chains} this address is a smart-contract wallet{wallet_kind:.0}. Its owner may be able to get the "
            "funds back by deploying the same wallet at the same address on {chain}; only the owner can do that, "
            "and not every kind of wallet allows it. Contact the owner (for an exchange, its official support) "
            "with the transaction hash {hash}.",
            "On {chains} this address is a contract, but not a recognised wallet{contract_kind:.0}. "
            "Unless its team can deploy the same contract at the same address on {chain}, which is rarely possible, "
            "the funds cannot be returned. If it belongs to an exchange or a service, contact its official support "
            "with the hash {hash}: some services can return deposits sent on the wrong network, but not all do.",
            _FINAL_EN,
        ),
    ),
    Code.UNEXPECTED_RECIPIENT: Entry(
        summary="You sent {amount} {asset} to {recipient}, not to the address you meant ({expected_to}).",
        pending_summary=(
            "This transfer is about to send {amount} {asset} to {recipient}, not to the address you meant "
            "({expected_to}). " + _STOP_EN
        ),
        message=(
            "Sent to {recipient}; you expected {expected_to}. The two share the first {matching_prefix_chars} and "
            "the last {matching_suffix_chars} characters after 0x. A look-alike (similar at both ends, as in "
            "address poisoning): {looks_alike}."
        ),
        steps=(
            _CANCEL_EN,
            _CANCEL_LEGACY_EN,
            _FINAL_EN,
            "If you know who controls {recipient}, you can ask them to send the funds back. If the two addresses "
            "look alike, {recipient} was probably planted in your history by a scammer (address poisoning), and "
            "the funds are gone.",
            "Find out where {recipient} came from (copied from your history, a message, a website) so it does not "
            "happen again.",
        ),
    ),
    Code.CONTRACT_RECIPIENT: Entry(
        summary="You sent {amount} {asset} to a contract ({recipient}), not to a personal wallet.",
        message="The recipient {recipient} is a contract that is not a recognised wallet ({amount} {asset}).",
        steps=(
            "Make sure this contract is meant to receive {asset} (a deposit contract, for example). Tokens sent to "
            "a contract that does not expect them usually cannot be moved out again; only the contract's team can "
            "tell, so ask them through their official website.",
        ),
    ),
    Code.FRESH_RECIPIENT: Entry(
        summary="The recipient {recipient} had no activity before this transfer.",
        message="The recipient {recipient} had no transactions, balance or earlier transfers before this one.",
        steps=(
            "A new address is normal for a first payment. If the recipient should have used it before, confirm the "
            "address with them through another channel.",
        ),
    ),
}

ZH: dict[Code, Entry] = {
    Code.ZERO_ADDRESS_RECIPIENT: Entry(
        summary="您把 {amount} {asset} 发送到了零地址（{recipient}）。没有人能控制该地址，这些资金已经丢失。",
        pending_summary=(
            "这笔转账即将把 {amount} {asset} 发送到零地址（{recipient}），没有人能控制该地址。" + _STOP_ZH
        ),
        message="收款地址 {recipient} 是零地址（{amount} {asset}）。",
        steps=(
            _CANCEL_ZH,
            _CANCEL_LEGACY_ZH,
            _LOST_ZH,
            "如果这个地址是某个应用或网站替您填写的，请通过其官方网站向他们报告：向零地址转账是程序错误。",
        ),
    ),
    Code.BURN_ADDRESS_RECIPIENT: Entry(
        summary=(
            "您把 {amount} {asset} 发送到了 {recipient}，这是一个众所周知的销毁地址，没有人能控制它，这些资金已经丢失。"
        ),
        pending_summary=(
            "这笔转账即将把 {amount} {asset} 发送到 {recipient}，这是一个众所周知的销毁地址，没有人能控制它。"
            + _STOP_ZH
        ),
        message="收款地址 {recipient} 是众所周知的销毁地址（{amount} {asset}）。",
        steps=(
            _CANCEL_ZH,
            _CANCEL_LEGACY_ZH,
            _LOST_ZH,
            "如果有人让您向这个地址转账（例如为了“验证”或“解锁”钱包），那是诈骗：请停止操作，不要再转任何资金。",
        ),
    ),
    Code.TOKEN_CONTRACT_RECIPIENT: Entry(
        summary="您把 {amount} {asset} 发送到了一个代币合约（{recipient}），而不是钱包。代币合约通常无法把它们退回。",
        pending_summary=(
            "这笔转账即将把 {amount} {asset} 发送到一个代币合约（{recipient}），而不是钱包；代币合约通常无法把它们退回。"
            + _STOP_ZH
        ),
        message="收款地址 {recipient} 是代币合约，不是钱包（{amount} {asset}）。",
        steps=(
            _CANCEL_ZH,
            _CANCEL_LEGACY_ZH,
            _FINAL_ZH,
            "只有代币发行方有时能提供帮助：有些代币合约允许发行方退回卡在合约里的代币。请只通过项目公布的官方网站或"
            "客服渠道联系发行方，并提供交易哈希 {hash}。切勿理会主动联系您或要求收费的人。",
            "下次请转到收款方的钱包地址，而不是代币的合约地址（区块浏览器的代币页面会同时显示两者）。",
        ),
    ),
    Code.LOOKALIKE_RECIPIENT: Entry(
        summary=(
            "您把 {amount} {asset} 发送到了 {recipient}，但它并不是 {lookalike_of}，只是看起来像（开头都是 "
            "{matching_prefix}，结尾都是 {matching_suffix}）。这是地址投毒：骗子把相似地址植入您的交易记录，"
            "诱使您复制它。"
        ),
        pending_summary=(
            "这笔转账即将把 {amount} {asset} 发送到 {recipient}，但它并不是 {lookalike_of}，只是看起来像（开头都是 "
            "{matching_prefix}，结尾都是 {matching_suffix}）。这是地址投毒：骗子把相似地址植入了您的交易记录。"
            + _STOP_ZH
        ),
        message=(
            "收款地址 {recipient} 在模仿您交易记录中的地址 {lookalike_of}：开头和结尾共有 {matched_chars} "
            "个字符相同，远远超出了巧合的可能。"
        ),
        steps=(
            _CANCEL_ZH,
            _CANCEL_LEGACY_ZH,
            _FINAL_ZH,
            "这个相似地址属于骗子，对方不会退回资金。您可以向钱包服务商、交易所和警方举报 {recipient}；"
            "这无法找回资金，但可以帮助提醒其他人。",
            "切勿从交易记录中复制地址。请使用地址簿或收款方提供的二维码，并逐个字符核对，而不只是看开头和结尾。"
            "任何人都可以在不需要您私钥的情况下，让一笔零金额转账出现在您的交易记录中。",
        ),
    ),
    Code.RECIPIENT_CONTRACT_ON_OTHER_CHAIN: Entry(
        summary=(
            "您把 {amount} {asset} 发送到了 {recipient}，该地址在 {chain} 上没有合约，但在 {chains} 上是合约："
            "资金很可能发到了错误的网络。"
        ),
        pending_summary=(
            "这笔转账即将把 {amount} {asset} 发送到 {recipient}，该地址在 {chain} 上没有合约，但在 {chains} "
            "上是合约：这很可能是错误的网络。" + _STOP_ZH
        ),
        message="收款地址 {recipient} 在 {chain} 上没有代码；它在 {chains} 上是合约。",
        steps=(
            _CANCEL_ZH,
            _CANCEL_LEGACY_ZH,
            "在 {chains} 上，这个地址是智能合约钱包{wallet_kind:.0}。其所有者也许可以通过在 {chain} 上把同一个钱包"
            "部署到相同地址来取回资金；只有所有者能这样做，而且并非所有类型的钱包都支持。请联系所有者（如果是交易所，"
            "请联系其官方客服），并提供交易哈希 {hash}。",
            "在 {chains} 上，这个地址是合约，但不是可识别的钱包{contract_kind:.0}。除非其团队能在 {chain} "
            "上把同一个合约部署到相同地址（这很少能做到），否则资金无法退回。如果它属于某个交易所或服务，请通过官方"
            "客服联系，并提供交易哈希 {hash}：有些平台能够退回转错网络的充值，但并非都能做到。",
            _FINAL_ZH,
        ),
    ),
    Code.UNEXPECTED_RECIPIENT: Entry(
        summary="您把 {amount} {asset} 发送到了 {recipient}，而不是您想转给的地址（{expected_to}）。",
        pending_summary=(
            "这笔转账即将把 {amount} {asset} 发送到 {recipient}，而不是您想转给的地址（{expected_to}）。" + _STOP_ZH
        ),
        message=(
            "实际发送到 {recipient}；您预期的是 {expected_to}。两者 0x 之后的前 {matching_prefix_chars} 个字符和后 "
            "{matching_suffix_chars} 个字符相同。是否为仿冒地址（像地址投毒那样首尾都相似）：{looks_alike}。"
        ),
        steps=(
            _CANCEL_ZH,
            _CANCEL_LEGACY_ZH,
            _FINAL_ZH,
            "如果您知道 {recipient} 由谁控制，可以请对方把资金退回。如果两个地址看起来很像，{recipient} "
            "很可能是骗子植入您交易记录的地址（地址投毒），资金已无法追回。",
            "请查明 {recipient} 是从哪里来的（从交易记录复制、消息、网站），以免再次发生。",
        ),
    ),
    Code.CONTRACT_RECIPIENT: Entry(
        summary="您把 {amount} {asset} 发送到了一个合约（{recipient}），而不是个人钱包。",
        message="收款地址 {recipient} 是一个合约，但不是可识别的钱包（{amount} {asset}）。",
        steps=(
            "请确认这个合约确实用于接收 {asset}（例如充值合约）。发送到不接收代币的合约的代币通常无法再转出；"
            "只有该合约的团队能确认，请通过其官方网站询问。",
        ),
    ),
    Code.FRESH_RECIPIENT: Entry(
        summary="收款地址 {recipient} 在这次转账之前没有任何活动记录。",
        message="收款地址 {recipient} 在此之前没有交易、余额或转账记录。",
        steps=("首次付款给新地址是正常的。如果收款方此前应该用过这个地址，请通过其他渠道向对方核实地址。",),
    ),
}
