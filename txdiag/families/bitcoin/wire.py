"""Bitcoin Core's JSON answers -> typed values, once, at the edge.

Amounts arrive as JSON numbers in coins; they become exact satoshis (the
shortest decimal that round-trips the float is the node's own 8-decimal
text). Fields are read the way newer Bitcoin Core writes them: ``fees.base``
and friends (the top-level ``fee``, ``ancestorfees`` ... are deprecated and
dropped by newer versions; read only when ``fees`` is absent),
``incrementalrelayfee`` and ``fullrbf`` from getmempoolinfo (24+) with
getnetworkinfo's ``incrementalfee`` before that.
Anything that does not have the expected shape raises WireError.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from txdiag import text
from txdiag.errors import WireError
from txdiag.families.bitcoin.models import BtcTx, MempoolEntry, MempoolInfo, Outpoint, TxOutput

COIN = 100_000_000
_TXID = re.compile(r"^[0-9a-f]{64}$")
MAX_SEQUENCE_RBF = 0xFFFFFFFD  # BIP125: an input with nSequence at most this signals replaceability
_MAX_SCRIPT = 10_000  # bytes: a longer output script can never be spent (MAX_SCRIPT_SIZE)
# base58 and bech32 (Litecoin's MWEB too) write only letters and digits; the address is shown in a next step
_ADDRESS = re.compile(r"^[A-Za-z0-9]{1,100}$")


def sats(value: Any, what: str) -> int:
    """An amount in coins (JSON number or string) as exact satoshis."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise WireError(f"{what} is not an amount")
    try:
        exact = Decimal(repr(value) if isinstance(value, float) else str(value)) * COIN
    except InvalidOperation as exc:
        raise WireError(f"{what} is not an amount") from exc
    if not exact.is_finite() or exact < 0 or exact > 21_000_000 * 84 * COIN:
        raise WireError(f"{what} is out of range")
    return int(exact.to_integral_value())


def txid(value: Any, what: str = "txid") -> str:
    if not isinstance(value, str) or not _TXID.match(value):
        raise WireError(f"{what} is not a txid")
    return value


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise WireError(f"{what} is not a non-negative integer")
    return value


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise WireError(f"{what} is not an object")
    return value


def _unspendable(script: dict[str, Any]) -> bool:
    hex_ = script.get("hex")
    kind = script.get("type")
    if kind == "nulldata":
        return True
    if isinstance(hex_, str):
        return hex_.startswith("6a") or len(hex_) // 2 > _MAX_SCRIPT
    return False


def parse_tx(value: Any, asked: str) -> BtcTx:
    """getrawtransaction (verbose); its txid must be the one asked for."""
    o = _obj(value, "transaction")
    tid = txid(o.get("txid"))
    if tid != asked:
        raise WireError("the node answered for another transaction")
    vin = o.get("vin")
    vout = o.get("vout")
    if not isinstance(vin, list) or not isinstance(vout, list):
        raise WireError("transaction inputs or outputs missing")
    inputs: list[Outpoint] = []
    coinbase = False
    rbf = False
    for raw_in in vin:
        i = _obj(raw_in, "input")
        seq = i.get("sequence")
        if isinstance(seq, int) and not isinstance(seq, bool) and seq <= MAX_SEQUENCE_RBF:
            rbf = True
        if "coinbase" in i:
            coinbase = True
            continue
        if i.get("ismweb"):  # Litecoin's MWEB inputs have no outpoint here
            continue
        inputs.append(Outpoint(txid(i.get("txid"), "input txid"), _int(i.get("vout"), "input vout")))
    outputs: list[TxOutput] = []
    for raw_out in vout:
        out = _obj(raw_out, "output")
        script = _obj(out.get("scriptPubKey", {}), "output script")
        address = script.get("address")
        if address is None and isinstance(script.get("addresses"), list) and script["addresses"]:
            address = script["addresses"][0]  # before Bitcoin Core 22
        if address is not None and not (isinstance(address, str) and _ADDRESS.match(address)):
            raise WireError("output address: not an address")
        kind = script.get("type", "nonstandard")
        outputs.append(
            TxOutput(
                n=_int(out.get("n"), "output index"),
                value=sats(out.get("value", 0), "output value"),
                # the node's name for the script, shown in the JSON: untrusted text like any from a node
                # (sites defanged, phone numbers masked: txdiag never shows a number to call)
                script_type=(text.display(kind, 32) if isinstance(kind, str) else "") or "nonstandard",
                address=address,
                unspendable=_unspendable(script),
            )
        )
    block_hash = o.get("blockhash")
    confirmations = o.get("confirmations", 0)
    if block_hash is None:
        confirmations = 0
    vsize = _int(o.get("vsize"), "vsize")
    return BtcTx(
        txid=tid,
        vsize=vsize,
        weight=_int(o.get("weight", vsize * 4), "weight"),
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        coinbase=coinbase,
        signals_rbf=rbf,
        block_hash=txid(block_hash, "block hash") if block_hash is not None else None,
        confirmations=_int(confirmations, "confirmations"),
        block_time=o.get("blocktime") if isinstance(o.get("blocktime"), int) else None,
    )


def parse_entry(value: Any, tid: str) -> MempoolEntry:
    """getmempoolentry, or one value of the verbose getrawmempool."""
    o = _obj(value, "mempool entry")
    fees = o.get("fees")
    if isinstance(fees, dict):
        base = sats(fees.get("base"), "fees.base")
        modified = sats(fees.get("modified", fees.get("base")), "fees.modified")
        ancestor = sats(fees.get("ancestor"), "fees.ancestor")
        descendant = sats(fees.get("descendant"), "fees.descendant")
    else:  # a node without the fees object: the deprecated top-level fields (ancestorfees in satoshis)
        base = sats(o.get("fee"), "fee")
        modified = sats(o.get("modifiedfee", o.get("fee")), "modifiedfee")
        ancestor = _int(o.get("ancestorfees"), "ancestorfees")
        descendant = _int(o.get("descendantfees"), "descendantfees")
    depends = o.get("depends", [])
    spent_by = o.get("spentby", [])
    if not isinstance(depends, list) or not isinstance(spent_by, list):
        raise WireError("depends or spentby is not a list")
    replaceable = o.get("bip125-replaceable")
    return MempoolEntry(
        txid=tid,
        vsize=_int(o.get("vsize", o.get("size")), "vsize"),
        fee=base,
        modified_fee=modified,
        ancestor_count=_int(o.get("ancestorcount"), "ancestorcount"),
        ancestor_size=_int(o.get("ancestorsize"), "ancestorsize"),
        ancestor_fee=ancestor,
        descendant_count=_int(o.get("descendantcount"), "descendantcount"),
        descendant_size=_int(o.get("descendantsize"), "descendantsize"),
        descendant_fee=descendant,
        depends=tuple(txid(d, "depends") for d in depends),
        spent_by=tuple(txid(d, "spentby") for d in spent_by),
        bip125_replaceable=replaceable if isinstance(replaceable, bool) else None,
        time=_int(o.get("time", 0), "time"),
    )


def parse_mempool(value: Any) -> dict[str, MempoolEntry]:
    """The verbose getrawmempool: txid -> entry."""
    o = _obj(value, "mempool")
    return {txid(k): parse_entry(v, k) for k, v in o.items()}


def parse_mempool_info(value: Any, network_info: Any) -> MempoolInfo:
    o = _obj(value, "mempool info")
    incremental = o.get("incrementalrelayfee")
    if incremental is None and isinstance(network_info, dict):
        incremental = network_info.get("incrementalfee")
    full_rbf = o.get("fullrbf")
    return MempoolInfo(
        size=_int(o.get("size"), "size"),
        vbytes=_int(o.get("bytes"), "bytes"),
        usage=_int(o.get("usage", 0), "usage"),
        max_mempool=_int(o.get("maxmempool", 0), "maxmempool"),
        min_fee=sats(o.get("mempoolminfee", 0), "mempoolminfee"),
        min_relay_fee=sats(o.get("minrelaytxfee", 0), "minrelaytxfee"),
        incremental_fee=sats(incremental if incremental is not None else 0.00001, "incrementalrelayfee"),
        full_rbf=full_rbf if isinstance(full_rbf, bool) else None,
    )


def says_incremental_fee(mempool_info: Any, network_info: Any) -> bool:
    """Whether the node said its incrementalrelayfee (getmempoolinfo, or getnetworkinfo's incrementalfee); when it
    did not, :func:`parse_mempool_info` takes Bitcoin Core's default."""
    for value, key in ((mempool_info, "incrementalrelayfee"), (network_info, "incrementalfee")):
        if isinstance(value, dict) and value.get(key) is not None:
            return True
    return False


def parse_estimate(value: Any) -> float | None:
    """estimatesmartfee's feerate (coins per 1000 vB) as sat/vB; None when the node has no estimate."""
    if not isinstance(value, dict) or value.get("feerate") is None:
        return None
    try:
        return sats(value["feerate"], "feerate") / 1000
    except WireError:
        return None
