"""The OpenAPI 3.1 document of the HTTP API, built from the same enums the service answers with.

Finding codes, verdicts, severities and statuses come from :mod:`txdiag.models`,
so a code added there is documented here without a second list to keep in step.
The document is served at ``/openapi.json``; tests validate it and fuzz the live
server against it.
"""

from __future__ import annotations

from typing import Any

from txdiag import __version__
from txdiag.inputs import LANGUAGES
from txdiag.models import Code, Severity, TxStatus, Verdict

PROBLEM = "application/problem+json"
HASH_PATTERN = "^(0x)?[0-9a-fA-F]{64}$"
# JSON Schema cannot check EIP-55; mixed case is accepted too when its checksum is right
ADDRESS_PATTERN = "^(0x)?([0-9a-f]{40}|[0-9A-F]{40})$"
CHAIN_PATTERN = "^[a-z][a-z0-9-]{0,31}$"
REQUEST_ID_PATTERN = "^[A-Za-z0-9._:-]{1,128}$"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str) -> dict[str, Any]:
    return {"type": [kind, "null"]}


_INT = {"type": "integer"}
_STR = {"type": "string"}

_ADDRESS = {"type": "string", "pattern": "^0x[0-9a-fA-F]{40}$"}

_SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "description": "An error, per RFC 9457. `request_id` matches the X-Request-ID response header.",
        "required": ["type", "title", "status", "detail", "request_id"],
        "properties": {
            "type": {"type": "string", "format": "uri-reference"},
            "title": _STR,
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": _STR,
            "instance": _STR,
            "request_id": _STR,
            "chains": {"type": "object", "additionalProperties": {"type": "boolean"}},
        },
    },
    "Finding": {
        "type": "object",
        "required": ["code", "severity", "message", "details"],
        "additionalProperties": False,
        "properties": {
            "code": {"type": "string", "enum": [c.value for c in Code]},
            "severity": {"type": "string", "enum": [s.value for s in Severity]},
            "message": _STR,
            "details": {
                "type": "object",
                "description": "Exact figures: quantities in wei are integers; keys depend on the code.",
            },
        },
    },
    "TokenTransfer": {
        "type": "object",
        "required": ["token", "symbol", "decimals", "from", "to", "value", "amount"],
        "properties": {
            "token": _ADDRESS,
            "symbol": {
                **_nullable("string"),
                "description": "sanitised: no control, bidi or zero-width characters; at most 16 characters",
            },
            "name": {**_nullable("string"), "description": "sanitised for display, at most 48 characters"},
            "symbol_hex": {**_nullable("string"), "description": "the raw symbol bytes as 0x hex (at most 256 bytes)"},
            "name_hex": {**_nullable("string"), "description": "the raw name bytes as 0x hex (at most 256 bytes)"},
            "decimals": _nullable("integer"),
            "from": _ADDRESS,
            "to": _ADDRESS,
            "value": {"type": "string", "pattern": "^[0-9]+$", "description": "raw amount, a decimal string"},
            "amount": {**_nullable("string"), "description": "the amount with the token's decimals applied"},
            "standard": {"type": "string", "enum": ["erc20", "erc721", "erc1155"]},
            "token_id": {
                **_nullable("string"),
                "pattern": "^[0-9]+$",
                "description": "the NFT's id (ERC-721, ERC-1155), a decimal string",
            },
        },
    },
    "Transaction": {
        "type": "object",
        "required": ["from", "to", "nonce", "value", "token_transfers", "block", "confirmations", "finalized"],
        "properties": {
            "from": _ADDRESS,
            "to": {"oneOf": [_ADDRESS, {"type": "null"}]},
            "nonce": {"type": "integer", "minimum": 0},
            "type": _INT,
            "value": {"type": "string", "pattern": "^[0-9]+$", "description": "wei, a decimal string"},
            "value_display": _STR,
            "gas_limit": _INT,
            "max_fee_per_gas": _nullable("integer"),
            "max_priority_fee_per_gas": _nullable("integer"),
            "gas_price": _nullable("integer"),
            "status": {"type": "string", "enum": [s.value for s in TxStatus]},
            "block": _nullable("integer"),
            "gas_used": _nullable("integer"),
            "confirmations": {"type": "integer", "minimum": 0},
            "finalized": {"type": "boolean"},
            "token_transfers": {"type": "array", "items": _ref("TokenTransfer")},
        },
    },
    "BitcoinTransaction": {
        "type": "object",
        "description": "bitcoin family: amounts in satoshis, sizes in virtual bytes",
        "required": ["txid", "status", "vsize", "value", "outputs", "confirmations", "finalized"],
        "properties": {
            "txid": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "status": {"type": "string", "enum": ["pending", "confirmed"]},
            "vsize": _INT,
            "weight": _INT,
            "value": {"type": "string", "pattern": "^[0-9]+$", "description": "satoshis, a decimal string"},
            "value_display": _STR,
            "fee": _nullable("integer"),
            "fee_rate_sat_vb": _nullable("number"),
            "replaceable": {"type": "boolean"},
            "inputs": {"type": "array", "items": _STR, "description": "outpoints spent, txid:vout"},
            "outputs": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["n", "value", "type", "unspendable"],
                    "properties": {
                        "n": _INT,
                        "value": _INT,
                        "address": _nullable("string"),
                        "type": _STR,
                        "unspendable": {"type": "boolean"},
                    },
                },
            },
            "block": _nullable("integer"),
            "block_hash": _nullable("string"),
            "confirmations": {"type": "integer", "minimum": 0},
            "finalized": {"type": "boolean"},
        },
    },
    "BitcoinNetwork": {
        "type": "object",
        "description": "bitcoin family: the mempool and the blocks projected from it (fee rates in sat/vB)",
        "required": ["head", "mempool", "projected_blocks"],
        "properties": {
            "head": _INT,
            "mempool": {
                "type": "object",
                "properties": {
                    "transactions": _INT,
                    "vbytes": _INT,
                    "min_fee_rate_sat_vb": {"type": "number"},
                    "incremental_relay_fee_sat_vb": {"type": "number"},
                    "full_rbf": _nullable("boolean"),
                },
            },
            "projected_blocks": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "index": _INT,
                        "vsize": _INT,
                        "transactions": _INT,
                        "min_fee_rate": {"type": "number"},
                        "median_fee_rate": {"type": "number"},
                        "full": {"type": "boolean"},
                    },
                },
            },
            "beyond_vsize": _INT,
            "estimate_next_block_sat_vb": _nullable("number"),
            "block_capacity_vsize": _INT,
            "unavailable": {"type": "array", "items": _STR},
        },
    },
    "Network": {
        "type": "object",
        "required": ["next_base_fee_per_gas", "tip_percentiles", "gas_used_ratio", "pool"],
        "properties": {
            "head": _INT,
            "finalized": _nullable("integer"),
            "safe": _nullable("integer"),
            "next_base_fee_per_gas": _nullable("integer"),
            "tip_percentiles": {"type": "object", "additionalProperties": _nullable("integer")},
            "gas_used_ratio": _nullable("number"),
            "pool": {
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["pending", "queued"],
                        "properties": {"pending": _INT, "queued": _INT},
                    },
                    {"type": "null"},
                ]
            },
            "unavailable": {"type": "array", "items": _STR},
        },
    },
    "Diagnosis": {
        "type": "object",
        "required": [
            "hash",
            "chain",
            "verdict",
            "complete",
            "incomplete_parts",
            "summary",
            "findings",
            "next_steps",
            "tx",
            "network",
            "observed_at",
            "lang",
        ],
        "properties": {
            "hash": {"type": "string", "pattern": "^0x[0-9a-f]{64}$"},
            "chain": {
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["name", "chain_id"],
                        "properties": {
                            "name": _STR,
                            "chain_id": _nullable("integer"),
                            "family": {"type": "string", "enum": ["evm", "bitcoin"]},
                            "network": _nullable("string"),
                        },
                    },
                    {"type": "null"},
                ],
                "description": "the chain the transaction was found on; null when it was found nowhere",
            },
            "verdict": {"type": "string", "enum": [v.value for v in Verdict]},
            "complete": {
                "type": "boolean",
                "description": (
                    "false when a check that decides the verdict could not be made within the deadline (whether "
                    "the recipient is a contract, the token's details, the reason a transaction failed, whether it "
                    "succeeded where its receipt does not say, the recipient on another chain, the head against the "
                    "transaction's block time that the confirmations and finality are counted from, the network's "
                    "finalized block; on a Bitcoin-family chain, a waiting payment's mempool entry and fee rules, or "
                    "the coins of one seen pending and now gone; for a hash found "
                    "nowhere, a chain that could not be asked, or what became of a transaction txdiag saw pending on "
                    "a chain that was asked): the verdict may lack its cause, the summary says so in words, and the "
                    "answer is not cached; ask again"
                ),
            },
            "incomplete_parts": {
                "type": "array",
                "items": {"type": "string"},
                "description": (
                    "the deciding checks that could not be made (recipient, recipient_code, sender_history, token, "
                    "failure, confirmations, code_on:CHAIN; outcome, whether the transaction succeeded, where its "
                    "receipt (from before Byzantium) does not say; finalized for a mined transaction on a chain whose "
                    "finality is the node's finalized block; on a Bitcoin-family chain, mempool, projected_blocks "
                    "and incremental_fee for a payment still waiting, and inputs for one seen pending and now gone "
                    "whose coins could not be read; for a hash found nowhere, chain:CHAIN, a chain that "
                    "could not be asked, and look_back:CHAIN, a chain that was asked but could not say what became "
                    "of a transaction txdiag saw pending there: the look-back failed, the sender's nonce could not "
                    "be read, or the chain holds that very transaction at its nonce); empty when complete is true"
                ),
            },
            "summary": _STR,
            "findings": {"type": "array", "items": _ref("Finding")},
            "next_steps": {"type": "array", "items": _STR},
            "tx": {"oneOf": [_ref("Transaction"), _ref("BitcoinTransaction"), {"type": "null"}]},
            "network": {"oneOf": [_ref("Network"), _ref("BitcoinNetwork"), {"type": "null"}]},
            "observed_at": {"type": "string", "format": "date-time"},
            "lang": {"type": "string", "enum": list(LANGUAGES)},
        },
    },
    "Endpoint": {
        "type": "object",
        "required": ["name", "up", "head", "latency_ms", "error"],
        "properties": {
            "name": {"type": "string", "description": "redacted: no key, path secret or query"},
            "up": {"type": "boolean"},
            "head": _nullable("integer"),
            "latency_ms": _nullable("number"),
            "error": _nullable("string"),
        },
    },
    "Chain": {
        "type": "object",
        "required": ["name", "chain_id", "native_symbol", "mempool", "ready", "endpoints"],
        "properties": {
            "name": _STR,
            "chain_id": {**_nullable("integer"), "description": "null for the bitcoin family"},
            "family": {"type": "string", "enum": ["evm", "bitcoin"]},
            "network": {**_nullable("string"), "description": "bitcoin family: main, test, signet or regtest"},
            "native_symbol": _STR,
            "mempool": {"type": "boolean"},
            "ready": {"type": "boolean"},
            "endpoints": {"type": "array", "items": _ref("Endpoint")},
        },
    },
    "Chains": {
        "type": "object",
        "required": ["chains"],
        "properties": {"chains": {"type": "array", "items": _ref("Chain")}},
    },
    "Health": {
        "type": "object",
        "required": ["status"],
        "properties": {"status": {"type": "string", "enum": ["ok", "ready"]}},
    },
    "Ready": {
        "type": "object",
        "required": ["status", "chains"],
        "properties": {
            "status": {"type": "string", "enum": ["ready"]},
            "chains": {"type": "object", "additionalProperties": {"type": "boolean"}},
        },
    },
}

_REQUEST_ID_HEADER = {
    "description": "The request's id: the client's X-Request-ID when it was sane, else a new one",
    "schema": {"type": "string"},
}
_RETRY_AFTER = {"description": "Seconds to wait before trying again", "schema": {"type": "string"}}

_PROBLEMS: dict[str, str] = {
    "400": (
        "Malformed input: a bad hash, address, language or chain name; an unknown or repeated parameter; "
        "a request that is not valid HTTP/1.1 (NUL or raw bytes in the target, a bad Content-Length, "
        "Content-Length with Transfer-Encoding)"
    ),
    "401": "An API key is required (Authorization: Bearer) and was missing or wrong",
    "404": "The chain is not configured",
    "413": "The request body is over 64 KiB (no route takes a body)",
    "414": "The request target is too long",
    "431": "A request header line is over 8192 bytes, or there are more than 64 header lines",
    "429": "Over the per-client rate limit, or too many failed authentications from the address",
    "503": "No endpoint of the chain answered, or too many diagnoses are already waiting",
    "504": "The diagnosis did not finish within the deadline",
}


def _problem(code: str, description: str) -> dict[str, Any]:
    headers: dict[str, Any] = {"X-Request-ID": _REQUEST_ID_HEADER}
    if code in ("429", "503"):
        headers["Retry-After"] = {**_RETRY_AFTER, "required": True}
    if code == "401":
        headers["WWW-Authenticate"] = {"description": "Bearer", "schema": {"type": "string"}, "required": True}
    return {"description": description, "headers": headers, "content": {PROBLEM: {"schema": _ref("Problem")}}}


def _ok(description: str, schema: dict[str, Any], media: str = "application/json") -> dict[str, Any]:
    return {
        "description": description,
        "headers": {"X-Request-ID": _REQUEST_ID_HEADER},
        "content": {media: {"schema": schema}},
    }


def _responses(ok: dict[str, Any], *problems: str) -> dict[str, Any]:
    out: dict[str, Any] = {"200": ok}
    for code in ("400", "413", "414", "431", *problems):
        out[code] = _problem(code, _PROBLEMS[code])
    return dict(sorted(out.items()))


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


_SECURED: list[dict[str, list[str]]] = [{"bearer": []}, {}]


def build_document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document, as a JSON-ready dict."""
    tx_op = {
        "operationId": "diagnose",
        "summary": "Diagnose a transaction by its hash",
        "description": (
            "Without `chain`, every configured chain is asked concurrently. "
            "`lang` picks the language; when absent, Accept-Language does; else English. "
            "Query parameters other than these, or given twice, are refused with 400."
        ),
        "security": _SECURED,
        "parameters": [
            {
                "name": "hash",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": HASH_PATTERN},
            },
            _query("chain", "the chain to look on first", {"type": "string", "pattern": CHAIN_PATTERN}),
            _query(
                "expected_to",
                "the address the funds were meant for; mixed case must carry a valid EIP-55 checksum",
                {"type": "string", "pattern": ADDRESS_PATTERN},
            ),
            _query("lang", "answer language", {"type": "string", "enum": list(LANGUAGES)}),
            {"name": "Accept-Language", "in": "header", "required": False, "schema": {"type": "string"}},
        ],
        "responses": _responses(_ok("A diagnosis", _ref("Diagnosis")), "401", "404", "429", "503", "504"),
    }
    chains_op = {
        "operationId": "chains",
        "summary": "Configured chains, their redacted endpoints and each endpoint's health now",
        "security": _SECURED,
        "responses": _responses(_ok("The chains", _ref("Chains")), "401", "429"),
    }
    healthz = {
        "operationId": "healthz",
        "summary": "The process is up",
        "security": [],
        "responses": _responses(_ok("Up", _ref("Health"))),
    }
    readyz = {
        "operationId": "readyz",
        "summary": "Every configured chain has an endpoint that answers",
        "security": [],
        "responses": _responses(_ok("Ready", _ref("Ready")), "503"),
    }
    metrics = {
        "operationId": "metrics",
        "summary": "Prometheus metrics (text exposition format 0.0.4)",
        "security": [],
        "responses": _responses(_ok("The metrics", {"type": "string"}, "text/plain")),
    }
    openapi = {
        "operationId": "openapi",
        "summary": "This document",
        "security": [],
        "responses": _responses(_ok("The OpenAPI document", {"type": "object"})),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "txdiag",
            "version": __version__,
            "description": "Why a transaction is confirmed, delayed, failed, misdirected or not found.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "paths": {
            "/v1/tx/{hash}": {"get": tx_op},
            "/v1/chains": {"get": chains_op},
            "/healthz": {"get": healthz},
            "/readyz": {"get": readyz},
            "/metrics": {"get": metrics},
            "/openapi.json": {"get": openapi},
        },
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Required only when the service is configured with API keys",
                }
            },
        },
    }
