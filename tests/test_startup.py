"""What a one-shot diagnosis loads: no aiohttp, no server, no metrics, no ABI machinery, no other family."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.chain import Chain, account

# a diagnosis of an EVM payment must not import these (start-up time; see bench/startup.py); asyncio and
# http.client import the ssl module itself, but no TLS context is built (nor a CA bundle read) for an http:// node
AVOIDED = (
    "aiohttp",
    "jinja2",
    "babel",  # durations and lists of the shipped languages come from the CLDR tables in their catalogs
    "prometheus_client",
    "eth_abi",
    "eth_utils",
    "eth_hash",
    "web3",
    "Crypto",  # a payment's few checksums are hashed in Python; pycryptodome loads for many
    "importlib.resources",
    "zipfile",
    "shutil",  # argparse asks it for the terminal's width only when help is shown (bz2 and lzma come with it)
    "platform",
    "ctypes",
    "txdiag.http",
    "txdiag.rpc.aio",
    "txdiag.metrics",
    "txdiag.openapi",
    "txdiag.pageview",
    "txdiag.families.evm.revert",  # revert decoding and its error table: only for a failure
    "txdiag.status",  # endpoint health: only `txdiag chains` and the server's /readyz
    "txdiag.lookalike",  # look-alike token symbols and their table: only once a token's symbol is compared
    "txdiag.confusables",
    "txdiag.families.bitcoin",  # another family loads on the first use of one of its chains
)

# bad input is refused before any of these load (nor anything else AVOIDED)
NOT_FOR_BAD_INPUT = (
    "asyncio",
    "json",
    "ssl",
    "http.client",
    "sqlite3",
    "tomllib",
    "tenacity",
    "logging",  # a hash or an address is checked before the settings and the log are set up
    "dataclasses",
    "txdiag.settings",
    "txdiag.service",
    "txdiag.compose",
    "txdiag.chains",
    "txdiag.rpc",
    "txdiag.models",
    "txdiag.guidance",
)

PROBE = """
import sys
from txdiag.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:  # argparse refuses a usage error by exiting
    code = exc.code
modules = sorted(sys.modules)  # before this probe imports anything of its own
import json
print(json.dumps({"code": code, "modules": modules}), file=sys.stderr)
"""


def loaded(*args: str) -> tuple[int, set[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60, check=False
    )
    doc = json.loads(result.stderr.strip().splitlines()[-1])
    return int(doc["code"]), set(doc["modules"])


def among(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """The modules that are one of ``names`` or inside one of them."""
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_a_payment_diagnosis_loads_nothing_it_does_not_need(chain_a: Chain, chains_dir: Path) -> None:
    """A payment's whole answer, text and JSON: no server, metrics, templates, ABI machinery or other family."""
    tx_hash = chain_a.send(account(0), account(3).address, value=10**15, gas=21_000)
    for extra in ((), ("--json",), ("--lang", "zh-CN")):
        code, modules = loaded("diagnose", tx_hash, "--chains-dir", str(chains_dir), "--chain", "alpha", *extra)
        assert code == 0
        assert "txdiag.rpc.plain" in modules  # the answer really came over the standard-library transport
        assert "txdiag.guidance.render" in modules  # and was rendered: the check is of a whole answer
        assert among(modules, AVOIDED) == []


def test_the_guard_sees_what_it_guards() -> None:
    """A module that is avoided, or inside one, is reported; a name that only starts alike is not."""
    seen = {"txdiag.cli", "aiohttp.web", "txdiag.families.evm.revert", "txdiag.families.evm.reverting", "sslx", "ssl"}
    assert among(seen, AVOIDED) == ["aiohttp.web", "txdiag.families.evm.revert"]
    assert among(seen, ("ssl",)) == ["ssl"]


@pytest.mark.parametrize(
    ("args", "needed"),
    [
        (("diagnose", "0x12"), ()),
        (("diagnose", "0x" + "g" * 64), ()),
        (("diagnose", "0x" + "ab" * 32, "--expected-to", "0x1234"), ()),
        # the languages are the catalogs found: they are read to refuse one, nothing more
        (
            ("diagnose", "0x" + "ab" * 32, "--lang", "fr"),
            ("txdiag.guidance", "txdiag.models", "txdiag.chains", "tomllib", "dataclasses", "logging"),
        ),
        # a chain is known only once the chain files are read: they are, nothing more
        (
            ("diagnose", "0x" + "ab" * 32, "--chain", "nosuchchain"),
            ("tomllib", "txdiag.chains", "txdiag.settings", "dataclasses", "logging"),
        ),
    ],
    ids=["short-hash", "not-hex", "bad-address", "unknown-language", "unknown-chain"],
)
def test_bad_input_is_refused_before_the_service_loads(
    chains_dir: Path, args: tuple[str, ...], needed: tuple[str, ...]
) -> None:
    """Malformed input exits 2 before asyncio, TLS, the service or anything it does not need loads."""
    code, modules = loaded(*args, "--chains-dir", str(chains_dir))
    assert code == 2
    refused = tuple(n for n in AVOIDED + NOT_FOR_BAD_INPUT if n not in needed)
    assert among(modules, refused) == []
