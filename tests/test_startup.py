"""What a one-shot diagnosis loads: no aiohttp, no server, no metrics, no ABI machinery, no other family."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.chain import Chain, account

# a diagnosis of an EVM payment must not import these (start-up time; see bench/startup.py); asyncio itself
# imports the ssl module, but no TLS context is built for an http:// node
AVOIDED = ("aiohttp", "txdiag.http", "txdiag.rpc.aio", "prometheus_client", "eth_abi", "eth_utils", "eth_hash", "web3")

PROBE = """
import json, sys
from txdiag.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def loaded(*args: str) -> tuple[int, set[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60, check=False
    )
    doc = json.loads(result.stderr.strip().splitlines()[-1])
    return int(doc["code"]), set(doc["modules"])


def test_a_payment_diagnosis_loads_nothing_it_does_not_need(chain_a: Chain, chains_dir: Path) -> None:
    tx_hash = chain_a.send(account(0), account(3).address, value=10**15, gas=21_000)
    code, modules = loaded("diagnose", tx_hash, "--chains-dir", str(chains_dir), "--chain", "alpha")
    assert code == 0
    assert "txdiag.rpc.plain" in modules  # the answer really came over the standard-library transport
    heavy = sorted(m for m in modules if m.split(".")[0] in AVOIDED or m.startswith(AVOIDED))
    assert heavy == []
    # another family's modules load on first use of one of its chains; only its evidence types are known up front
    assert sorted(m for m in modules if m.startswith("txdiag.families.bitcoin.")) == ["txdiag.families.bitcoin.models"]


def test_malformed_hash_is_refused_before_the_service_loads(chains_dir: Path) -> None:
    code, modules = loaded("diagnose", "0x12", "--chains-dir", str(chains_dir))
    assert code == 2
    assert not {"asyncio", "txdiag.service", "txdiag.rpc", "aiohttp", "Crypto"} & modules
