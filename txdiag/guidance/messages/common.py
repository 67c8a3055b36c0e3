"""Words shared by every answer."""

from __future__ import annotations

from txdiag.guidance.catalog import Common

EN = Common(
    safety=(
        "Stay safe: no real support agent will ever ask for your seed phrase or private key, and anyone who "
        "offers to recover funds for a fee is a scammer. Contact support only through your wallet's own app "
        "or website."
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
        # a token amount whose decimals are unknown: shown as the integer the token counts in
        "raw_amount": "{value} {asset} (in the token's smallest units)",
    },
)

ZH = Common(
    safety=(
        "安全提示：真正的客服绝不会向您索要助记词或私钥；任何声称可以收费\u201c找回\u201d资金的人都是骗子。"
        "请只通过钱包官方应用或官方网站联系客服。"
    ),
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
    },
)
