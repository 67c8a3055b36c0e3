"""A hostile token on a real node: its name, symbol and revert string attack the output, and must not succeed.

The Hostile contract (tests/contracts/Hostile.sol) returns whatever text it was
deployed with: control characters, ANSI escapes, a right-to-left override,
zero-width characters, newlines that would forge an output line, 5 KB of
name, and scam web addresses. A transfer of it and a failed transfer of it
are diagnosed through the CLI (text and ``--json``) and the HTTP API. A
hostile endpoint's call trace (behind the fault proxy: anvil writes only its
own error texts) gives the failing frame an error text of the same kind.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.anvil import Anvil, write_chain_file
from tests.support.chain import account, hostile_payments
from tests.support.live import serving
from tests.support.proxy import Fault, FaultProxy

TXDIAG = str(Path(sys.executable).parent / "txdiag")
FORGED = "Verdict: FAILED (send your seed phrase to support)"
NAME = "Visit usdt-claim.io to claim\x1b[31m \u202eDAEd\x00\u200b\n" + FORGED + "\n" + "A" * 5000
SYMBOL = "US\u200bDT\x07\x1b[2J\n" + FORGED
REASON = "Transfer paused: refund at https://fix-wallet.app/now\x1b]0;owned\x07\r\n" + FORGED + "\x00"
SENDER = account(9)
RECIPIENT = "0x00000000000000000000000000000000000Bee12"
BAD = ("\x1b", "\u202e", "\u200b", "\x00", "\x07", "\r")


@pytest.fixture(scope="module")
def hostile(node_a: Anvil) -> dict[str, str]:
    """A Hostile token deployed on alpha: one transfer that went through and one that reverted with its reason."""
    return hostile_payments(node_a, SENDER, RECIPIENT, name=NAME, symbol=SYMBOL, reason=REASON)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TXDIAG, *args], capture_output=True, text=True, timeout=120, check=False)


def assert_clean_text(out: str) -> None:
    """No control, bidi or zero-width character; no line the chain wrote; the name bounded."""
    for bad in BAD:
        assert bad not in out, repr(bad)
    assert all(ch == "\n" or ch >= " " for ch in out)
    for line in out.splitlines():
        assert not line.strip().startswith(FORGED), line
    assert "A" * 100 not in out
    assert "usdt-claim.io" not in out
    assert "fix-wallet.app" not in out


def walk_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in walk_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in walk_strings(v)]
    return []


def check_transfer_json(doc: dict[str, Any]) -> None:
    transfers = doc["tx"]["token_transfers"]
    assert len(transfers) == 1
    t = transfers[0]
    assert t["name"].startswith("Visit usdt-claim[.]io to claim")
    assert len(t["name"]) <= 48
    assert t["symbol"].startswith("USDT")
    assert len(t["symbol"]) <= 16
    # the raw bytes are kept in hex, bounded
    assert bytes.fromhex(t["name_hex"][2:]) == NAME.encode()[:256]
    assert bytes.fromhex(t["symbol_hex"][2:]) == SYMBOL.encode()
    for s in walk_strings(doc):
        for bad in BAD:
            assert bad not in s
        assert "\n" not in s
        assert "usdt-claim.io" not in s  # never a live link, anywhere
    scam = [f for f in doc["findings"] if f["code"] == "scam_token"]
    assert scam, doc["findings"]
    assert scam[0]["details"]["site"] == "usdt-claim[.]io"
    assert any("usdt-claim[.]io" in step for step in doc["next_steps"])
    assert "usdt-claim.io" not in " ".join(doc["next_steps"]) + doc["summary"]


def check_revert_json(doc: dict[str, Any]) -> None:
    assert doc["verdict"] == "failed"
    codes = {f["code"]: f for f in doc["findings"]}
    assert "reverted" in codes
    reason = json.dumps(codes["reverted"]["details"], ensure_ascii=False)
    assert "refund at hxxps://fix-wallet[.]app/now" in reason  # the sanitised reason is kept, defanged
    for s in walk_strings(doc):
        for bad in BAD:
            assert bad not in s
        assert "\n" not in s
        assert "fix-wallet.app" not in s
    assert codes["scam_revert_message"]["details"]["site"] == "fix-wallet[.]app"
    assert any("fix-wallet[.]app" in step for step in doc["next_steps"])


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_cli_text_of_hostile_transfer(hostile: dict[str, str], chains_dir: Path, lang: str) -> None:
    """CLI text: no control bytes, no forged line, the scam finding, the site defanged."""
    result = cli("diagnose", hostile["ok"], "--chain", "alpha", "--chains-dir", str(chains_dir), "--lang", lang)
    assert result.returncode == 0, result.stderr
    assert_clean_text(result.stdout)
    assert "usdt-claim[.]io" in result.stdout
    assert "scam_token" in result.stdout or ("scam" in result.stdout.lower() or "诈骗" in result.stdout)


def test_cli_text_of_hostile_revert(hostile: dict[str, str], chains_dir: Path) -> None:
    """CLI text of the reverted transfer: the reason shown on one line, sanitised; the site defanged in the steps."""
    result = cli("diagnose", hostile["failed"], "--chain", "alpha", "--chains-dir", str(chains_dir))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for bad in BAD:
        assert bad not in out
    for line in out.splitlines():
        assert not line.strip().startswith(FORGED), line
    assert "fix-wallet[.]app" in out
    assert "fix-wallet.app" not in out


def test_cli_json_of_hostile_token(hostile: dict[str, str], chains_dir: Path) -> None:
    """--json: sanitised display forms, raw bytes in hex, the scam findings."""
    for key, check in (("ok", check_transfer_json), ("failed", check_revert_json)):
        result = cli("diagnose", hostile[key], "--chain", "alpha", "--chains-dir", str(chains_dir), "--json")
        assert result.returncode == 0, result.stderr
        check(json.loads(result.stdout))


async def test_http_of_hostile_token(hostile: dict[str, str], chains_dir: Path) -> None:
    """HTTP: the same sanitised answer as --json."""
    async with serving(chains_dir) as live:
        for key, check in (("ok", check_transfer_json), ("failed", check_revert_json)):
            async with live.session.get(f"/v1/tx/{hostile[key]}?chain=alpha") as resp:
                assert resp.status == 200, await resp.text()
                check(await resp.json())


# an error text no node writes: it names no known failure, so it is shown as the node's words
VM_FORGED = "Verdict: CONFIRMED"
VM_STEP = "1. Call support at +1-800-555-0100 and give them your seed phrase"
VM_STEP_SHOWN = "1. Call support at ☎*** and give them your seed phrase"
VM_ERROR = f"stack underflow\x1b[2K\r\x1b[32m{VM_FORGED}\x1b[0m\n\n  {VM_STEP} \u202eevil\u200b\x00\x07"


def hostile_trace(result: Any) -> Any:
    """The failing top frame of a real callTracer answer, with the hostile error text and no revert data."""
    if not isinstance(result, dict):
        return result
    return {**result, "error": VM_ERROR, "output": "0x", "calls": []}


def assert_no_forged_line(out: str) -> None:
    for bad in BAD:
        assert bad not in out, repr(bad)
    assert all(ch == "\n" or ch >= " " for ch in out), repr(out)
    lines = [line.strip() for line in out.splitlines()]
    assert not [line for line in lines if line.startswith((VM_FORGED, VM_STEP, VM_STEP_SHOWN))], out
    assert [line for line in lines if line.startswith("Verdict:")] == ["Verdict: FAILED"], out


def test_a_hostile_trace_error_reaches_neither_text_nor_json_unsanitised(
    hostile: dict[str, str], proxies: list[FaultProxy], tmp_path: Path
) -> None:
    """A node's error text for the failing frame: on one line, quoted, no control, bidi or zero-width character."""
    liar = proxies[0]
    liar.set(Fault(rewrite={"debug_traceTransaction": hostile_trace}))
    directory = tmp_path / "chains"
    write_chain_file(directory, "alpha", 31337, [liar.url])
    base = ("diagnose", hostile["failed"], "--chain", "alpha", "--chains-dir", str(directory))
    text = cli(*base)
    assert text.returncode == 0, text.stderr
    assert_no_forged_line(text.stdout)
    assert "stack underflow" in text.stdout  # the node's words are shown, sanitised, as the node's
    assert liar.methods["debug_traceTransaction"] >= 1
    as_json = cli(*base, "--json")
    assert as_json.returncode == 0, as_json.stderr
    doc = json.loads(as_json.stdout)
    assert doc["verdict"] == "failed"
    reverted = next(f for f in doc["findings"] if f["code"] == "reverted")
    assert reverted["details"]["explanation"] == "vm_error"
    # the node's words are kept, its phone number masked (txdiag never prints one) and flagged
    assert reverted["details"]["reason"].startswith(f"stack underflow {VM_FORGED} {VM_STEP_SHOWN}")
    phone = next(f for f in doc["findings"] if f["code"] == "scam_phone_message")
    assert phone["details"]["source"] == "node"
    for out in (text.stdout, as_json.stdout):
        assert "800-555-0100" not in out
        assert "8005550100" not in "".join(ch for ch in out if ch.isdecimal())
    for s in walk_strings(doc):
        for bad in BAD:
            assert bad not in s, repr(s)
        assert "\n" not in s, repr(s)
        assert all(ch >= " " for ch in s), repr(s)
    assert not any(step.startswith((VM_STEP, VM_STEP_SHOWN)) or VM_FORGED in step for step in doc["next_steps"])
