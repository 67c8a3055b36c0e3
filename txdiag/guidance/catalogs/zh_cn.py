"""简体中文 (Simplified Chinese): every word txdiag says, and how Chinese writes lists, durations and numbers."""

from __future__ import annotations

from txdiag.guidance.catalog import Catalog, Common, Entry
from txdiag.guidance.locale import Locale
from txdiag.models import Code

LOCALE = Locale(
    tag="zh-CN",
    cldr="zh_Hans_CN",
    aliases=("zh", "zh-cn", "zh-sg"),
    prefixes=("zh-hans",),
    terms={
        "finalized_tag": "已被网络最终确认",
        "confirmations": "已达到所需确认数（{required}）",
        "sentence_gap": "",  # Chinese sentences follow each other without a space
        "yes": "是",
        "no": "否",
        "smallest_units": "（按代币最小单位计）",
        # "Kittens 的 NFT #7"
        "nft_amount": "{collection} 的 NFT",
        "nft_amount_many": "{collection} 的 {count} 个 NFT",
        "nft_asset": "#{token_id}",
        "issued_token": " {issuer} 发行的 {symbol_claimed} ",
        "listed_token": "真正的 {symbol_claimed}",
        "claims_symbol": "只是自称 {symbol_claimed}",
        "imitates_symbol": "自称 {symbol_shown}，用其他字符（{lookalike_chars}）写成，只是看起来像 {symbol_claimed}",
    },
    # CLDR's Chinese lists put 和 before the last item; nonces and network names are enumerated with 、
    list_style=None,
    list_separator="、",
    colon="：",  # full-width in Chinese text
    duration_length="short",  # CLDR: "2小时5分钟"
    duration_joiner="",
    # CLDR's short duration units (tests/test_locales.py holds them to Babel's)
    duration_units={
        "second": {"other": "{0}秒"},
        "minute": {"other": "{0}分钟"},
        "hour": {"other": "{0}小时"},
        "day": {"other": "{0}天"},
    },
    upper_verdict=False,
)

# steps shared by several findings
_SPEED_UP = (
    "加速：在钱包中选择“加速”，或在高级设置中修改网络费（Gas 费）；保持 nonce {nonce} 不变，填写最高费用 {suggested_max_fee_per_gas_gwei} gwei、最高优先费用 "
    "{suggested_max_priority_fee_per_gas_gwei} gwei。"
)
_SPEED_UP_LEGACY = "加速：在钱包中选择“加速”，或在高级设置中修改 Gas 价格；保持 nonce {nonce} 不变，填写 Gas 价格 {suggested_gas_price_gwei} gwei。"
_CANCEL_PENDING = (
    "或者取消它：向您自己的地址（{sender}）发送 0 {symbol}，nonce 填 {nonce}，最高费用 {suggested_max_fee_per_gas_gwei} gwei，最高优先费用 "
    "{suggested_max_priority_fee_per_gas_gwei} gwei；这笔取消交易被打包后，原交易就永远不会执行。"
)
_CANCEL_PENDING_LEGACY = "或者取消它：向您自己的地址（{sender}）发送 0 {symbol}，nonce 填 {nonce}，Gas 价格 {suggested_gas_price_gwei} gwei；这笔取消交易被打包后，原交易就永远不会执行。"
_CANCEL = (
    "这笔交易还没有被打包，仍然可以阻止：请立即取消——向您自己的地址（{sender}）发送 0 {symbol}，使用相同的 nonce {nonce}，最高费用 "
    "{suggested_max_fee_per_gas_gwei} gwei，最高优先费用 {suggested_max_priority_fee_per_gas_gwei} "
    "gwei（钱包里的“取消”按钮就是这样做的）。取消交易被打包后，这笔转账就永远不会执行。"
)
_CANCEL_LEGACY = (
    "这笔交易还没有被打包，仍然可以阻止：请立即取消——向您自己的地址（{sender}）发送 0 {symbol}，使用相同的 nonce {nonce}，Gas 价格 {suggested_gas_price_gwei} "
    "gwei（钱包里的“取消”按钮就是这样做的）。取消交易被打包后，这笔转账就永远不会执行。"
)
_LOST = "没有任何人持有 {recipient} 的私钥，所以转账一旦被打包，任何人（您的钱包、交易所、客服或任何“找回服务”）都无法取回这些资金。"
_FINAL = "转账一旦被打包，任何钱包、交易所或客服都无法撤回。只有控制 {recipient} 的人才能把资金退回。"

CATALOG = Catalog(
    locale=LOCALE,
    entries={
        Code.CONFIRMED: Entry(
            summary="您的交易已成功：它在 {chain} 的区块 {block} 中，且已最终确认。",
            message="已打包进区块 {block}，共 {confirmations} 个确认；该区块已最终确认（{finality}）。",
            steps={
                "nothing_to_do": "链上无需再做任何操作。如果收款方没有看到资金，请让对方在同一条链（{chain}）上核对同一个地址。",
                "exchange_checks": "交易所或服务商可能还需要完成自己的入账检查；如对方需要，请提供交易哈希。",
                "explorer": "在区块浏览器中查看：{explorer}",
            },
        ),
        Code.AWAITING_CONFIRMATIONS: Entry(
            summary="您的交易已在 {chain} 的区块 {block} 中成功执行，正在等待更多区块以达到最终确认：大约还需 {eta}。",
            message="目前已有 {confirmations} 个确认；大约再过 {remaining_blocks} 个区块（约 {eta}）即可最终确认。",
            steps={
                "wait": "请等待约 {eta}，无需任何操作。请不要重复付款。",
                "exchange_confirmations": "交易所要达到其规定的确认数后才会入账，届时资金会自动到账。",
                "explorer": "在区块浏览器中查看：{explorer}",
            },
        ),
        Code.FOUND_ON_OTHER_CHAIN: Entry(
            summary="这笔交易不在 {asked_chain} 上，而是在 {chain} 上。",
            message="已按要求在 {asked_chain} 上查询，但这笔交易位于 {chain}。",
            steps={
                "same_chain": "请确认您的钱包和收款方都在使用 {chain}：在 {chain} 上发送的资金只会出现在 {chain} 上。",
            },
        ),
        Code.NOT_FOUND: Entry(
            summary="已配置的网络中都找不到这个交易哈希（已查询的网络：{chains}）。",
            message="已查询 {chains}（{endpoints_asked} 个节点），都没有这笔交易。",
            steps={
                "seen_pending": "txdiag 曾于 {last_seen} 在 {seen_on} 上看到这笔交易处于待处理状态。暂时无法读取它后来的情况：它可能已被打包进区块。重新发送之前，请一分钟后再查询，或在 {seen_on} 的区块浏览器上查看发送方（{sender}）的交易记录。",
                "unreachable": "txdiag 暂时无法连接 {unreachable}，这笔交易可能就在那里。请一分钟后再查询，在此之前不要重新发送任何交易。",
                "unconfirmed": "在 {unconfirmed} 上，刚才只有一个节点给出了答复，而节点有时会漏掉最新的交易。请一分钟后再查询以确认。",
                "check_hash": "请确认哈希复制完整且准确（以 0x 开头，共 66 个字符）。",
                "wait_broadcast": "如果刚刚发送，请等一分钟后再查：交易可能还没有传到网络。",
                "never_broadcast": "如果钱包里显示了这笔交易，但所有网络都找不到，它很可能从未广播成功或已被丢弃。重新发送之前，请先查看余额和钱包的交易记录。",
                "other_network": "请确认钱包使用的是哪个网络；它可能不在 txdiag 的查询范围内。",
            },
        ),
        Code.UNCHECKED: Entry(
            summary="暂时无法读取部分网络数据，因此跳过了部分检查。",
            message="未能检查：{parts}。对这些内容未做任何推测。",
            incomplete_summary="交易已在区块中，但未能检查{deciding}，所以还不能确定它是否到达了应到的地方。请一分钟后再查询，再依据这个结果行事。",
            incomplete_final_summary="交易已在区块中，但未能检查{deciding}，所以还不能确定它是否已最终确认。请一分钟后再查询，再依据这个结果行事。",
            incomplete_note="部分内容未能检查（{deciding}）：请一分钟后再查询，以获得完整结果。",
            steps={
                "ask_again": "请一分钟后再查询，以获得完整结果。",
            },
        ),
        Code.LOGS_CAPPED: Entry(
            summary="这笔交易有 {logs} 条日志；只读取了前 {logs_read} 条来查找转账。",
            message="只读取了这笔交易 {logs} 条日志中的前 {logs_read} 条来查找转账；其余的没有检查。",
            steps={
                "explorer_rest": "区块浏览器列出了它转移的全部内容：{explorer}",
            },
        ),
        Code.RECIPIENTS_CAPPED: Entry(
            summary="这笔交易付款的收款人多于 txdiag 检查的数量；只检查了前 {recipients_read} 个。",
            message="它向超过 {recipients_read} 个收款人付款；只检查了前 {recipients_read} 个，其余的没有检查。",
            steps={
                "explorer_rest": "区块浏览器列出了它转移的全部内容：{explorer}",
            },
        ),
        Code.PENDING: Entry(
            summary="您的交易（nonce {nonce}）已发出，但尚未被打包进区块。",
            message="正在网络队列中等待（nonce {nonce}）；txdiag 首次发现这笔交易是在 {waiting}前。",
            steps={
                "do_not_pay_twice": "在这笔交易等待期间，请不要重复发送同一笔付款：两笔都可能成功。",
                "sequencer": "在 {sequencer} 上，由单一排序器按收到的先后顺序打包交易，提高优先费用并不能让交易插队。在那里一直待处理的交易，通常是在等待更早的 nonce，或者它的最高费用低于网络的基础费用。",
                "check_later": "请几分钟后再查；大多数交易会在几个区块内被打包。",
            },
        ),
        Code.FEE_BELOW_BASE_FEE: Entry(
            summary="您的交易无法被打包：它的最高费用（{max_fee_per_gas_gwei} gwei）低于网络当前的基础费用（{base_fee_per_gas_gwei} gwei）。",
            message=(
                "最高费用 {max_fee_per_gas_gwei} gwei 低于下一个区块的基础费用 {base_fee_per_gas_gwei} gwei：基础费用需要下降 "
                "{shortfall_per_gas_gwei} gwei（{base_fee_fall_percent}%）。最近 {history_blocks} 个区块中最低的基础费用为 "
                "{lowest_recent_base_fee_per_gas_gwei} gwei（近期是否曾降到您的最高费用这一水平：{reached_recently}）。"
            ),
            steps={
                "speed_up": _SPEED_UP,
                "speed_up_legacy": _SPEED_UP_LEGACY,
                "cancel": _CANCEL_PENDING,
                "cancel_legacy": _CANCEL_PENDING_LEGACY,
                "wait": "或者等待：如果基础费用降到 {max_fee_per_gas_gwei} gwei 或更低，它仍可能成功，但在此期间节点可能会丢弃它，网络费也可能继续上涨。",
            },
        ),
        Code.TIP_BELOW_MARKET: Entry(
            summary="您的交易提供的优先费用低于最近区块中大多数交易，所以其他交易会先被打包。",
            message=(
                "它能支付的优先费用为 {tip_gwei} gwei。在最近的典型区块中，优先费用低于 {market_tip_gwei} gwei 的交易不超过 "
                "{percentile}%，所以大多数交易的出价都比您高。"
            ),
            steps={
                "speed_up": _SPEED_UP,
                "speed_up_legacy": _SPEED_UP_LEGACY,
                "cancel": _CANCEL_PENDING,
                "cancel_legacy": _CANCEL_PENDING_LEGACY,
            },
        ),
        Code.NONCE_GAP: Entry(
            summary="您的交易（nonce {nonce}）在等待您地址上更早的交易，而那些交易从未发出或已被丢弃（缺失的 nonce：{missing_nonces}）。",
            message=(
                "必须先用掉每个缺失的 nonce，nonce {nonce} 才能执行（缺失 {missing_count} 个：{missing_nonces}）；网络上这个地址的下一个 nonce 是 "
                "{next_nonce}。"
            ),
            steps={
                "fill_gap": (
                    "请先发送一笔 nonce 为 {first_missing} 的交易（大多数钱包可在高级设置中自定义 nonce）；向您自己的地址（{sender}）转 0 {symbol} "
                    "即可。对每个缺失的 nonce（{missing_nonces}）都这样做；之后 nonce {nonce} 会自动执行。"
                ),
                "more_may_be_missing": (
                    "txdiag 无法逐个检查 {first_missing} 之后、直到 {unchecked_nonces_to}（含）的 nonce，所以可能还有更多缺失：请在钱包的活动记录中查看您用过哪些 "
                    "nonce。"
                ),
            },
        ),
        Code.NETWORK_CONGESTED: Entry(
            summary="网络繁忙：区块已满，网络费（Gas 费）正在上涨。",
            message=(
                "最近 {blocks} 个区块中有 {full_blocks} 个已满（平均使用 {gas_used_percent}%），基础费用上涨了 {base_fee_rise_percent}%，达到 "
                "{base_fee_per_gas_gwei} gwei。"
            ),
            steps={
                "wait": "如果不着急，等待网络费回落不需要任何成本。",
            },
        ),
        Code.REVERTED: Entry(
            summary="您的交易在区块 {block} 中失败了：{explanation_text}没有任何资产被转出，只花费了 {fee_paid_native} {symbol} 的网络费（Gas 费）。",
            message="在区块 {block} 中被回滚：{reason}。",
            steps={
                "replayed": "这个原因来自在区块 {replayed_block} 上重新执行这笔交易的结果；在它实际所在的区块中，结果可能有所不同。",
                "funds_safe": "除网络费外，您的资金没有移动；可以查看余额确认。",
                "fix_first": "请先解决失败原因再重试；原样再次发送仍会以同样的方式失败。",
            },
        ),
        Code.OUT_OF_GAS: Entry(
            summary="您的交易在区块 {block} 中因 Gas 耗尽而失败：{explanation_text}没有资产被转出；{fee_paid_native} {symbol} 的网络费（Gas 费）已被扣除。",
            message="Gas 耗尽：在 {gas_limit} 的 Gas 上限中用掉了 {gas_used}。",
            steps={
                "raise_limit": "请将 Gas 上限设为至少 {suggested_gas_limit} 后重试（重新执行估算出 {gas_estimate} Gas，再加 {gas_margin_percent}% 的余量）。",
                "funds_safe": "除网络费外，您的资金没有移动；可以查看余额确认。",
            },
        ),
        Code.INVALID_OPCODE: Entry(
            summary="您的交易在区块 {block} 中失败了：{explanation_text}这会耗尽全部 Gas；没有资产被转出，{fee_paid_native} {symbol} 的网络费（Gas 费）已被扣除。",
            message="在使用 {gas_used} Gas 后停在无效操作码处。",
            steps={
                "limit_will_not_help": "提高 Gas 上限没有帮助：合约在当前条件下会拒绝这次调用。",
                "funds_safe": "除网络费外，您的资金没有移动；可以查看余额确认。",
            },
        ),
        Code.BLOCKED_BY_EARLIER: Entry(
            summary=(
                "这笔交易（nonce {nonce}）排在同一地址更早的一笔交易之后：{blocker_hash}（nonce {blocker_nonce}，"
                "最高费用 {blocker_max_fee_per_gas_gwei} gwei，最高优先费用 {blocker_max_priority_fee_per_gas_gwei} "
                "gwei），那笔交易出价太低，现在无法被打包。在它之前，nonce {blocker_nonce} 之后发送的任何交易都无法执行。"
            ),
            message=(
                "被 {blocker_hash}（nonce {blocker_nonce}）阻塞：最高费用 {blocker_max_fee_per_gas_gwei} gwei，"
                "最高优先费用 {blocker_max_priority_fee_per_gas_gwei} gwei。"
            ),
            steps={
                "speed_up_blocker": (
                    "请加速更早的那笔交易 {blocker_hash}，而不是这一笔：在钱包中对它选择“加速”（nonce {blocker_nonce}），"
                    "最高费用 {suggested_max_fee_per_gas_gwei} gwei，最高优先费用 "
                    "{suggested_max_priority_fee_per_gas_gwei} gwei。那笔交易被打包后，这一笔会自动跟上。"
                ),
                "speed_up_blocker_legacy": (
                    "请加速更早的那笔交易 {blocker_hash}，而不是这一笔：在钱包中对它选择“加速”（nonce {blocker_nonce}），"
                    "Gas 价格 {suggested_gas_price_gwei} gwei。那笔交易被打包后，这一笔会自动跟上。"
                ),
                "cancel_blocker": (
                    "或者，如果您不再需要那笔更早的交易，请取消它：向您自己的地址（{sender}）发送 0 {symbol}，"
                    "nonce {blocker_nonce}，最高费用 {suggested_max_fee_per_gas_gwei} gwei，最高优先费用 "
                    "{suggested_max_priority_fee_per_gas_gwei} gwei；之后这一笔就会跟上。"
                ),
                "cancel_blocker_legacy": (
                    "或者，如果您不再需要那笔更早的交易，请取消它：向您自己的地址（{sender}）发送 0 {symbol}，"
                    "nonce {blocker_nonce}，Gas 价格 {suggested_gas_price_gwei} gwei；之后这一笔就会跟上。"
                ),
                "leave_this_one": (
                    "不要加速或重新发送这笔交易（nonce {nonce}）：在 nonce {blocker_nonce} 等待期间，"
                    "提高这一笔的费用没有帮助。"
                ),
            },
        ),
        Code.FAKE_TOKEN: Entry(
            summary=(
                "这不是 {chain} 上的{genuine_name}：代币 {token} {claim}；{chain} 上的{genuine_name}"
                "是地址为 {genuine} 的代币。{explanation_text}"
            ),
            message="代币 {token} {claim}，但 {chain} 上的{genuine_name}是 {genuine}。",
            steps={
                "not_real": (
                    "请不要把它当作付款，也不要尝试出售、兑换或“解锁”这些代币：提供这类服务的网站会索要授权，"
                    "从而清空钱包。"
                ),
                "check_contract": (
                    "在接收或发送 {symbol_claimed} 之前，请核对代币的合约地址，而不是名称：{chain} 上真正的 "
                    "{symbol_claimed} 是 {genuine}。"
                ),
                "never_copy": (
                    "切勿从交易记录中复制地址：假代币就是为了在那里植入相似地址而发送的。请使用地址簿或收款方提供的"
                    "二维码，并逐个字符核对。"
                ),
            },
        ),
        Code.ADDRESS_POISONING: Entry(
            summary=(
                "这是地址投毒，没有转走任何资金：它把 {planted} 放进了 {victim} 的交易记录，诱使日后被误复制。"
                "{explanation_text}"
            ),
            message="地址投毒，没有转走任何资金：{planted} 被植入 {victim} 的交易记录。",
            steps={
                "nothing_moved": "您的资产没有任何移动，也没有人拿到您的私钥：这类转账不需要私钥就能发起。无需撤销任何操作。",
                "never_copy": (
                    "切勿从交易记录中复制地址：{planted} 就是为了让人误复制而放进去的。请使用地址簿或收款方提供的"
                    "二维码，并逐个字符核对，而不只是看开头和结尾。"
                ),
                "hide": "很多钱包可以隐藏零金额转账和未知代币的转账；开启后，这类记录就不会再出现在眼前。",
            },
        ),
        Code.REPLACED: Entry(
            summary="这笔交易已被替换：同一地址的另一笔交易使用了它的 nonce（{nonce}），因此它永远不会被打包。{explanation_text}",
            message="nonce {nonce} 已被另一笔交易使用；最后一次看到这笔交易处于待处理状态是在 {last_seen}。",
            steps={
                "do_not_pay_again": "请不要再次发送这笔付款：{replaced_by} 已经完成了它。",
                "wait_for_replacement": (
                    "请等待 {replaced_by}：它现在占用着 nonce {nonce}。除非您要替换 {replaced_by} 本身，否则不要再用 "
                    "nonce {nonce} 发送任何交易。"
                ),
                "speed_up_replacement": (
                    "如果 {replaced_by} 一直卡住，请加速那笔交易（不是这一笔）：在钱包中选择“加速”，保持 nonce {nonce}，"
                    "最高费用至少 {suggested_max_fee_per_gas_gwei} gwei，最高优先费用至少 "
                    "{suggested_max_priority_fee_per_gas_gwei} gwei。"
                ),
                "speed_up_replacement_legacy": (
                    "如果 {replaced_by} 一直卡住，请加速那笔交易（不是这一笔）：在钱包中选择“加速”，保持 nonce {nonce}，"
                    "Gas 价格至少 {suggested_gas_price_gwei} gwei。"
                ),
                "look_at_replacement": "请查看交易 {replaced_by}，了解它做了什么。",
            },
        ),
        Code.DROPPED: Entry(
            summary="这笔交易已被丢弃：网络中现在没有它。{explanation_text}但在 nonce {nonce} 被使用之前，这笔已签名交易的副本仍可能被重新广播并成功执行。",
            message="最后一次看到它处于待处理状态是在 {last_seen}；网络中已不再有这笔交易。",
            steps={
                "resend_same_nonce": "如果仍要付这笔款，为安全起见，请使用相同的 nonce {nonce} 重新发送（在钱包的高级设置中自定义 nonce）：两笔交易都使用 nonce {nonce}，因此最多只有一笔能成功。",
                "use_up_nonce": "如果不再想付这笔款，请把 nonce {nonce} 用掉：向您自己的地址（{sender}）发送 0 {symbol}，nonce 填 {nonce}。这笔交易被打包后，原来那笔就永远不会执行。",
                "wallet_rebroadcast": "如果钱包仍显示它在待处理中，钱包可能会自动重新广播它；完成以上任一步骤后，最多只有一笔交易能使用 nonce {nonce}。",
            },
        ),
        Code.NOTHING_TRANSFERRED: Entry(
            summary=(
                "代币拒绝了这笔转账，什么也没有转出。这笔交易在区块 {block} 中，显示为成功，但没有任何代币转到 "
                "{recipient}；只花费了 {fee_paid_native} {symbol} 的网络费（Gas 费）。"
            ),
            message="向 {recipient} 转账的代币调用执行成功，但什么也没有转移：没有记录任何转账。",
            steps={
                "balance_unchanged": "您的 {amount} {asset} 没有离开您的账户，可以查看余额确认。",
                "find_cause": (
                    "在弄清代币为何拒绝之前请不要再次付款（常见原因是余额不足，或代币已暂停、受限）；"
                    "原样再次发送多半仍会被拒绝。"
                ),
                "tell_recipient": "如果 {recipient} 正在等这笔款，请告诉对方款项没有到账，并提供交易哈希 {hash}。",
            },
        ),
        Code.ZERO_ADDRESS_RECIPIENT: Entry(
            summary="您把 {amount} {asset} 发送到了零地址（{recipient}）。没有人能控制该地址，这些资金已经丢失。",
            pending_summary="这笔转账即将把 {amount} {asset} 发送到零地址（{recipient}），没有人能控制该地址。它仍然可以被阻止：请立即取消（见第 1 步）。",
            message="收款地址 {recipient} 是零地址（{amount} {asset}）。",
            steps={
                "cancel": _CANCEL,
                "cancel_legacy": _CANCEL_LEGACY,
                "lost": _LOST,
                "report_app": "如果这个地址是某个应用或网站替您填写的，请通过其官方网站向他们报告：向零地址转账是程序错误。",
            },
        ),
        Code.BURN_ADDRESS_RECIPIENT: Entry(
            summary="您把 {amount} {asset} 发送到了 {recipient}，这是一个众所周知的销毁地址，没有人能控制它，这些资金已经丢失。",
            pending_summary="这笔转账即将把 {amount} {asset} 发送到 {recipient}，这是一个众所周知的销毁地址，没有人能控制它。它仍然可以被阻止：请立即取消（见第 1 步）。",
            message="收款地址 {recipient} 是众所周知的销毁地址（{amount} {asset}）。",
            steps={
                "cancel": _CANCEL,
                "cancel_legacy": _CANCEL_LEGACY,
                "lost": _LOST,
                "scam_warning": "如果有人让您向这个地址转账（例如为了“验证”或“解锁”钱包），那是诈骗：请停止操作，不要再转任何资金。",
            },
        ),
        Code.TOKEN_CONTRACT_RECIPIENT: Entry(
            summary="您把 {amount} {asset} 发送到了一个代币合约（{recipient}），而不是钱包。代币合约通常无法把它们退回。",
            pending_summary="这笔转账即将把 {amount} {asset} 发送到一个代币合约（{recipient}），而不是钱包；代币合约通常无法把它们退回。它仍然可以被阻止：请立即取消（见第 1 步）。",
            message="收款地址 {recipient} 是代币合约，不是钱包（{amount} {asset}）。",
            steps={
                "cancel": _CANCEL,
                "cancel_legacy": _CANCEL_LEGACY,
                "final": _FINAL,
                "issuer": "只有代币发行方有时能提供帮助：有些代币合约允许发行方退回卡在合约里的代币。请只通过项目公布的官方网站或客服渠道联系发行方，并提供交易哈希 {hash}。切勿理会主动联系您或要求收费的人。",
                "next_time": "下次请转到收款方的钱包地址，而不是代币的合约地址（区块浏览器的代币页面会同时显示两者）。",
            },
        ),
        Code.LOOKALIKE_RECIPIENT: Entry(
            summary=(
                "您把 {amount} {asset} 发送到了 {recipient}，但它并不是 {lookalike_of}，只是看起来像（开头都是 {matching_prefix}，结尾都是 "
                "{matching_suffix}）。这是地址投毒：骗子把相似地址植入您的交易记录，诱使您复制它。"
            ),
            pending_summary=(
                "这笔转账即将把 {amount} {asset} 发送到 {recipient}，但它并不是 {lookalike_of}，只是看起来像（开头都是 {matching_prefix}，结尾都是 "
                "{matching_suffix}）。这是地址投毒：骗子把相似地址植入了您的交易记录。它仍然可以被阻止：请立即取消（见第 1 步）。"
            ),
            message="收款地址 {recipient} 在模仿您交易记录中的地址 {lookalike_of}：开头和结尾共有 {matched_chars} 个字符相同，远远超出了巧合的可能。",
            steps={
                "cancel": _CANCEL,
                "cancel_legacy": _CANCEL_LEGACY,
                "final": _FINAL,
                "report": "这个相似地址属于骗子，对方不会退回资金。您可以向钱包服务商、交易所和警方举报 {recipient}；这无法找回资金，但可以帮助提醒其他人。",
                "never_copy": "切勿从交易记录中复制地址。请使用地址簿或收款方提供的二维码，并逐个字符核对，而不只是看开头和结尾。任何人都可以在不需要您私钥的情况下，让一笔零金额转账出现在您的交易记录中。",
            },
        ),
        Code.RECIPIENT_CONTRACT_ON_OTHER_CHAIN: Entry(
            summary="您把 {amount} {asset} 发送到了 {recipient}，该地址在 {chain} 上没有合约，但在 {chains} 上是合约：资金很可能发到了错误的网络。",
            pending_summary=(
                "这笔转账即将把 {amount} {asset} 发送到 {recipient}，该地址在 {chain} 上没有合约，但在 {chains} "
                "上是合约：这很可能是错误的网络。它仍然可以被阻止：请立即取消（见第 1 步）。"
            ),
            message="收款地址 {recipient} 在 {chain} 上没有代码；它在 {chains} 上是合约。",
            steps={
                "cancel": _CANCEL,
                "cancel_legacy": _CANCEL_LEGACY,
                "wallet_owner": (
                    "在 {chains} 上，这个地址是智能合约钱包。其所有者也许可以通过在 {chain} "
                    "上把同一个钱包部署到相同地址来取回资金；只有所有者能这样做，而且并非所有类型的钱包都支持。请联系所有者（如果是交易所，请联系其官方客服），并提供交易哈希 {hash}。"
                ),
                "contract_team": (
                    "在 {chains} 上，这个地址是合约，但不是可识别的钱包。除非其团队能在 {chain} "
                    "上把同一个合约部署到相同地址（这很少能做到），否则资金无法退回。如果它属于某个交易所或服务，请通过官方客服联系，并提供交易哈希 {hash}：有些平台能够退回转错网络的充值，但并非都能做到。"
                ),
                "final": _FINAL,
            },
        ),
        Code.UNEXPECTED_RECIPIENT: Entry(
            summary="您把 {amount} {asset} 发送到了 {recipient}，而不是您想转给的地址（{expected_to}）。",
            pending_summary="这笔转账即将把 {amount} {asset} 发送到 {recipient}，而不是您想转给的地址（{expected_to}）。它仍然可以被阻止：请立即取消（见第 1 步）。",
            message=(
                "实际发送到 {recipient}；您预期的是 {expected_to}。两者 0x 之后的前 {matching_prefix_chars} 个字符和后 "
                "{matching_suffix_chars} 个字符相同。是否为仿冒地址（像地址投毒那样首尾都相似）：{looks_alike}。"
            ),
            steps={
                "cancel": _CANCEL,
                "cancel_legacy": _CANCEL_LEGACY,
                "final": _FINAL,
                "ask_recipient": "如果您知道 {recipient} 由谁控制，可以请对方把资金退回。如果两个地址看起来很像，{recipient} 很可能是骗子植入您交易记录的地址（地址投毒），资金已无法追回。",
                "find_source": "请查明 {recipient} 是从哪里来的（从交易记录复制、消息、网站），以免再次发生。",
            },
        ),
        Code.CONTRACT_RECIPIENT: Entry(
            summary="您把 {amount} {asset} 发送到了一个合约（{recipient}），而不是个人钱包。",
            message="收款地址 {recipient} 是一个合约，但不是可识别的钱包（{amount} {asset}）。",
            steps={
                "check_contract": "请确认这个合约确实用于接收 {asset}（例如充值合约）。发送到不接收代币的合约的代币通常无法再转出；只有该合约的团队能确认，请通过其官方网站询问。",
            },
        ),
        Code.FRESH_RECIPIENT: Entry(
            summary="收款地址 {recipient} 在这次转账之前没有任何活动记录。",
            message="收款地址 {recipient} 在此之前没有交易、余额或转账记录。",
            steps={
                "confirm_address": "首次付款给新地址是正常的。如果收款方此前应该用过这个地址，请通过其他渠道向对方核实地址。",
            },
        ),
        Code.SCAM_TOKEN: Entry(
            summary="代币 {token} 在自己的名称里宣传网站或空投奖励：这是诈骗代币。",
            message="代币 {token} 的名称或代号在宣传网站或空投奖励。宣传网站的代币都是诈骗：它们被群发到大量钱包，引诱人们访问那个网站。",
            steps={
                "dont_visit": "不要访问 {site}（用 [.] 书写，以免成为链接），也不要访问该代币提到的任何网站；这些网站由骗子运营。",
                "dont_touch_token": "不要授权、出售、兑换或转出这个代币，也不要把钱包连接到与它有关的任何网站：这类网站正是这样盗空钱包的。请忽略这个代币（大多数钱包可以隐藏它）。",
            },
        ),
        Code.SCAM_REVERT_MESSAGE: Entry(
            summary="合约的错误信息在宣传网站（{site}）：这是诈骗的迹象。",
            message="合约的错误信息在宣传网站（{site}）。把您引向网站的合约都是诈骗。",
            steps={
                "dont_visit": "不要访问 {site}（用 [.] 书写，以免成为链接）；真正的服务不会让您去错误信息里提到的网站处理失败的交易。",
            },
        ),
        Code.SCAM_PHONE_TOKEN: Entry(
            summary="代币 {token} 在自己的名称或代号里写着一个电话号码（此处隐藏为 ☎***）：这是诈骗代币。",
            message="代币 {token} 的名称或代号里写着一个电话号码，此处隐藏为 ☎***。真正的客服绝不会通过代币名称联系您：这个号码是假冒的客服电话。",
            steps={
                "dont_call": "不要拨打这个号码，也不要拨打代币或错误信息里出现的任何号码：真正的客服绝不会通过代币名称或合约的错误信息联系您。请只通过钱包官方应用或官方网站联系客服。",
                "dont_touch_token": "不要授权、出售、兑换或转出这个代币，也不要把钱包连接到与它有关的任何网站：这类骗局正是这样盗空钱包的。请忽略这个代币（大多数钱包可以隐藏它）。",
            },
        ),
        Code.SCAM_PHONE_MESSAGE: Entry(
            summary="这笔交易的错误信息里写着一个电话号码（此处隐藏为 ☎***）：这是诈骗的迹象。",
            message="这笔交易的错误信息里写着一个电话号码，此处隐藏为 ☎***。真正的客服绝不会通过合约的错误信息联系您：这个号码是假冒的客服电话。",
            steps={
                "dont_call": "不要拨打这个号码，也不要拨打代币或错误信息里出现的任何号码：真正的客服绝不会通过代币名称或合约的错误信息联系您。请只通过钱包官方应用或官方网站联系客服。",
            },
        ),
    },
    common=Common(
        safety="安全提示：真正的客服绝不会向您索要助记词或私钥；任何声称可以收费“找回”资金的人都是骗子。请只通过钱包官方应用或官方网站联系客服。",
        verdicts={
            "confirmed": "已确认",
            "delayed": "延迟",
            "failed": "失败",
            "misdirected": "转错地址",
            "not_found": "未找到",
        },
        labels={
            "verdict": "结论",
            "chain": "链",
            "transaction": "交易",
            "findings": "诊断详情",
            "next_steps": "建议操作",
            "from": "发送方",
            "to": "目标地址",
            "value": "金额",
            "block": "区块",
            "confirmations": "确认数",
            "tokens": "代币转账",
            "explorer": "区块浏览器",
            "observed": "检查时间",
            "raw_amount": "{value} {asset}（按代币最小单位计）",
            "nft": "{collection} 的 NFT #{token_id}",
        },
        revert_reasons={
            "empty": "未给出原因",
            # 合约自己的错误名称和参数值，按原样显示：Error("…")、Name(arg=value)
            "error_string": "{reason}",
            "custom": "{reason}",
            "panic": "Panic({panic_code})",
            "unknown": "无法识别的错误 {selector}",
            "malformed": "无法读取的回滚数据",
            "node_error": "节点报告“{reason}”",
        },
        node_reasons={
            "node": "节点没有应答",
            "no_answer": "{method}：没有可用的应答",
            "unsupported": "{method}：节点不支持该方法",
            "state_missing": "{method}：所需的状态不可用（已被修剪或过旧）",
            "error": "{method}：节点返回了错误",
            "no_failing_frame": "{method}：跟踪结果中没有失败的调用",
            "no_revert_data": "{method}：没有回滚数据",
            "replay_succeeded": "{method}：在父区块上重新执行成功，因此无法说明交易失败的原因",
        },
        parts={
            "fee_history": "近期网络费",
            "pool": "网络的待处理交易池",
            "finalized": "网络的最终确认区块",
            "safe": "网络的安全区块",
            "sender": "发送方的 nonce 和待处理交易",
            "sender_nonce": "发送方的 nonce",
            "sender_pool": "发送方的待处理交易",
            "token": "代币名称和精度",
            "failure": "交易失败的原因",
            "outcome": "交易是否成功（其收据没有说明）",
            "recipient": "收款地址的信息和历史",
            "recipient_code": "收款地址是否为合约",
            "sender_history": "发送方的近期转账",
            "confirmations": "确认数和最终确认状态（与交易所在区块的时间核对）",
            "chain:": "{name} 网络",
            "look_back:": "txdiag 在 {name} 上看到的那笔待处理交易后来的情况",
            "code_on:": "{name} 上的收款地址",
        },
        # the page for people (GET /, /tx/{hash}): every label it shows
        page={
            "language_name": "简体中文",
            "site_name": "txdiag",
            "title": "我的交易怎么了？",
            "intro": "粘贴钱包交易记录中的交易哈希，即可查看交易是否成功，以及下一步该怎么做。",
            "lang_switch": "语言",
            "hash_label": "交易哈希",
            "hash_hint": "以 0x 开头，后跟 64 位字母和数字，可在钱包的交易记录中找到。",
            "chain_label": "网络",
            "chain_all": "所有网络",
            "expected_label": "您本想转给的地址（可选）",
            "expected_hint": "填写后，结果会告诉您这笔转账是否转到了别的地址。",
            "submit": "查询",
            "error_heading": "请检查您输入的内容",
            "error_hash": "这不是交易哈希。交易哈希以 0x 开头，后跟 64 位字母（a 到 f）和数字。",
            "error_address": "这不是地址。地址以 0x 开头，后跟 40 位字母（a 到 f）和数字。",
            "error_checksum": "这个地址有输入错误：其中大小写字母的组合校验不通过。",
            "error_chain": "本服务不支持这个网络。请从列表中选择。",
            "error_lang": "不支持该语言。请选择 English 或 简体中文。",
            "error_query": "链接中含有本页面不接受的内容。请使用下面的表单。",
            "error_too_long": "链接太长。请使用下面的表单。",
            "error_rate": "来自您地址的查询太多。请等待 {seconds} 秒后再试。",
            "error_busy": "服务繁忙。请稍等片刻再试。",
            "error_unavailable": "暂时无法连接该网络的节点。请等一分钟后再试。",
            "error_timeout": "查询用时过长。请等一分钟后再试。",
            "error_internal": "我们这边出了问题。请一分钟后再试。",
            "error_not_found_page": "此地址没有页面。请使用下面的表单。",
            "result_heading": "结果",
            "verdict_label": "结论",
            "steps_heading": "建议操作",
            "facts_heading": "交易信息",
            "hash": "交易哈希",
            "chain": "网络",
            "block": "区块",
            "not_in_block": "尚未打包进区块",
            "confirmations": "确认数",
            "final": "已最终确认",
            "from": "发送方",
            "to": "目标地址",
            "value": "金额",
            "tokens": "代币转账",
            "token_transfer": "{amount}，从 {sender} 到 {recipient}",
            "token_raw": "{value} {asset}（按代币最小单位计）",
            "expected_to": "您本想转给",
            "checked_at": "检查时间",
            "explorer": "在该网络的区块浏览器中查看",
            "findings_heading": "诊断详情（{count}）",
            "severity_error": "问题",
            "severity_warning": "警告",
            "severity_info": "说明",
            "incomplete": "部分检查未能完成，因此结果可能不完整。请一分钟后再试。",
            "refresh": "本页面大约每 {seconds} 秒自动重新查询一次。",
            "refresh_off": "停止自动查询",
            "refresh_stopped": "自动查询已关闭；重新加载页面即可再次查询。",
            "refresh_on": "每 {seconds} 秒自动查询一次",
            "ticket_heading": "复制给客服",
            "ticket_intro": "请通过钱包或交易所的官方应用或官方网站，把这段文字交给他们的客服。其中不含任何秘密信息，客服也不需要更多信息。",
            "ticket_title": "txdiag 客服工单",
            "ticket_codes": "诊断代码",
            "ticket_numbers": "数值",
            "copy_button": "复制文字",
            "copied": "已复制。",
            "copy_failed": "复制失败：文字已选中，请用设备的复制功能复制。",
            "another": "查询另一笔交易",
            "safety_heading": "联系任何人之前请注意",
            "yes": "是",
            "no": "否",
        },
    ),
    explanations={
        "insufficient_balance": (
            (
                "代币合约显示 {balance_holder} 的余额为 {balance_amount} {token_symbol}，但需要 {needed_amount} {token_symbol}（差 "
                "{missing_amount} {token_symbol}）。"
            ),
            (
                "代币合约显示您的余额为 {balance_amount} {token_symbol}，而您尝试发送 {needed_amount} {token_symbol}（差 {missing_amount} "
                "{token_symbol}）。"
            ),
            "余额为 {balance_amount}，但需要 {needed_amount}（按代币最小单位计，差 {missing_amount}）。",
            "余额不足以完成这笔转账。",
        ),
        "insufficient_allowance": (
            (
                "代币只允许授权方转移 {allowance_amount} {token_symbol}，但它尝试转移 {needed_amount} {token_symbol}（差 "
                "{missing_amount} {token_symbol}）。"
            ),
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
        "not_token_owner": (
            "发送方并不拥有这个代币（编号 {token_id}）。",
            "发送方并不拥有这个代币。",
        ),
        "nonexistent_token": (
            "编号为 {token_id} 的代币不存在。",
            "该代币不存在。",
        ),
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
        "contract_message": (
            "合约给出的信息是：“{message}”。",
            "合约拒绝了它并给出了一条信息。",
        ),
        "custom_error": (
            "合约报告了错误 {reason}。",
            "合约报告了一个错误。",
        ),
        "unknown_error": (
            "合约报告了一个我们无法识别的错误（{selector}）。",
            "合约报告了一个我们无法识别的错误。",
        ),
        "malformed_reason": ("合约返回的错误数据无法读取。",),
        "vm_error": (
            "节点报告的错误是“{node_error}”。",
            "节点报告了一个执行错误。",
        ),
        "reason_unavailable": (
            "节点无法说明原因（{reason_unavailable}）。",
            "节点无法说明原因。",
        ),
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
            "它对 {failing_contract} 的一次调用耗尽了 Gas，导致整笔交易失败；在前一个区块上重新执行，大约需要 {gas_estimate} Gas。",
            "它对另一个合约的一次调用耗尽了 Gas，导致整笔交易失败。",
        ),
        "inner_out_of_gas_no_estimate": (
            "它对 {failing_contract} 的一次调用耗尽了 Gas，导致整笔交易失败；用更多 Gas 重新执行也失败了，合约可能自己限制了这次调用的 Gas。",
            "它对另一个合约的一次调用耗尽了 Gas，导致整笔交易失败。",
        ),
        "invalid_opcode": (
            "合约执行了一条无效指令（INVALID，0xfe），旧式 assert 检查和部分代币会用这种方式拒绝调用。",
        ),
        "replaced_speed_up": (
            (
                "它被一笔更快的副本 {replaced_by} 替换，收款方和金额都相同；那笔交易在区块 {replacement_block} "
                "中执行成功：您的付款已经完成。请不要重新发送。"
            ),
        ),
        "replaced_pending": (
            (
                "现在占用这个 nonce 的交易 {replaced_by} 本身仍在等待（最高费用 {replacement_fee_cap_per_gas_gwei} "
                "gwei，最高优先费用 {replacement_tip_cap_per_gas_gwei} gwei）。"
            ),
            "现在占用这个 nonce 的交易 {replaced_by} 本身仍在等待（Gas 价格 {replacement_gas_price_per_gas_gwei} gwei）。",
            "现在占用这个 nonce 的交易 {replaced_by} 本身仍在等待。",
        ),
        "replaced_failed": (
            "替换交易 {replaced_by} 在区块 {replacement_block} 中失败了：除网络费外，两笔交易都没有转出任何资金。",
        ),
        "replaced_outcome_unknown": ("无法读取替换交易 {replaced_by} 是否成功：在做任何其他操作之前，请先查看它。",),
        "fake_received": (
            "显示转入 {token_to} 的 {amount} {symbol_claimed} 毫无价值：没有收到任何真正的 {symbol_claimed}。",
        ),
        "fake_sent": ("从 {token_from} 转出的是这种仿冒品，而不是真正的 {symbol_claimed}。",),
        "fake_sending": ("这笔转账发送的是仿冒品，而不是真正的 {symbol_claimed}。",),
        "poisoning_lookalike": (
            (
                "{planted} 在模仿 {lookalike_of}——{victim} 以前打过交道的地址：两者开头都是 {matching_prefix}，"
                "结尾都是 {matching_suffix}。"
            ),
        ),
        "poisoning_zero_value": ("这是一笔零金额转账，该代币允许任何人以他人的名义发起。",),
        "poisoning_foreign": ("它使用的是假代币，所以显示的任何金额都毫无价值。",),
        "replaced_cancel": (
            "它已被 {replaced_by} 取消，那笔交易向您自己的地址转账 0：除那笔交易的网络费（Gas 费）外，没有资金离开您的钱包。如果仍要完成原来的付款，请作为一笔新交易重新发送。",
        ),
        "replaced_other": (
            (
                "它的 nonce 被另一笔不同的交易 {replaced_by} 使用，该交易向 {replacement_to} 发送了 {replacement_value_native} "
                "{symbol}：只有那笔交易转出的资金离开了您的钱包。如果那不是您想要的付款，而您仍要完成原来的付款，请作为一笔新交易重新发送。"
            ),
            "它的 nonce 被另一笔不同的交易 {replaced_by} 使用：只有那笔交易转出的资金离开了您的钱包。如果那不是您想要的付款，而您仍要完成原来的付款，请作为一笔新交易重新发送。",
        ),
        "replaced_unknown": (
            "没有资金通过这笔交易离开您的钱包。请先在最近的记录中找到使用了 nonce {nonce} 的那笔交易：如果它不是同一笔付款，而您仍要付款，请作为一笔新交易重新发送。",
            "没有资金通过这笔交易离开您的钱包。请先在最近的记录中找到使用了它的 nonce 的那笔交易：如果它不是同一笔付款，而您仍要付款，请作为一笔新交易重新发送。",
        ),
        "dropped": (
            "nonce {nonce} 仍未被使用，没有资金离开您的钱包。",
            "没有资金离开您的钱包。",
        ),
    },
)
