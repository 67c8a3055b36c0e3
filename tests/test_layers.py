"""The package's layers: the RPC seam knows no chain family; each family's dialect loads with its first request."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.builders import chain_spec
from tests.support.chain import Chain, account
from tests.support.litecoind import write_bitcoin_chain_file
from tests.test_startup import among, loaded
from txdiag.families.bitcoin.dialect import BITCOIN
from txdiag.families.evm.dialect import EVM
from txdiag.rpc import Call, RpcClient
from txdiag.rpc.dialect import Dialect

PACKAGE = Path(__file__).resolve().parents[1] / "txdiag"
FAMILIES = "txdiag.families"


def _family_imports(path: Path, package: str) -> list[int]:
    """Lines of ``path`` (a module of ``package``) that import from txdiag.families, or name it to import it."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package, one level up per extra dot
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [node.value]  # importlib.import_module("txdiag.families...") and the like
        if any(n == FAMILIES or n.startswith(FAMILIES + ".") for n in names):
            lines.append(node.lineno)
    return lines


def test_the_rpc_seam_imports_nothing_from_the_families() -> None:
    """No module of txdiag/rpc imports from txdiag/families: the families use the seam, never the other way."""
    modules = sorted((PACKAGE / "rpc").rglob("*.py"))
    assert len(modules) > 5  # the walk really finds the package
    found = {
        str(p.relative_to(PACKAGE)): _family_imports(p, ".".join(("txdiag", *p.relative_to(PACKAGE).parent.parts)))
        for p in modules
    }
    assert {name: lines for name, lines in found.items() if lines} == {}


def test_the_check_finds_a_family_import(tmp_path: Path) -> None:
    """The source check can fail: absolute, relative, plain and by-name imports of a family are each found."""
    module = tmp_path / "m.py"
    module.write_text(
        "import json\n"
        "from txdiag.families.evm.wire import quantity\n"
        "import txdiag.families.bitcoin\n"
        "from ..families import evm\n"
        "from .. import families\n"
        "from . import codec\n"
        "from txdiag.familiesx import y\n"
        "importlib.import_module('txdiag.families.evm.dialect')\n",
        encoding="utf-8",
    )
    assert _family_imports(module, "txdiag.rpc") == [2, 3, 4, 5, 8]


def test_a_client_resolves_a_callable_dialect_on_first_use_only() -> None:
    """A client handed how to get its dialect asks for it once, when first needed; a wrong family is refused."""
    asked: list[str] = []

    def evm() -> Dialect:
        asked.append("evm")
        return EVM

    client = RpcClient(chain_spec(), dialect=evm)
    assert asked == []
    assert client.dialect is EVM
    assert client.dialect is EVM
    assert asked == ["evm"]
    with pytest.raises(ValueError, match="evm family, not bitcoin"):
        RpcClient(chain_spec(), dialect=BITCOIN)
    with pytest.raises(ValueError, match="evm family, not bitcoin"):
        _ = RpcClient(chain_spec(), dialect=lambda: BITCOIN).dialect


def test_each_family_reads_its_own_heads() -> None:
    """EVM heads come from eth_blockNumber and the latest block; Bitcoin's from getblockcount; bad shapes from none."""
    latest = Call("eth_getBlockByNumber", ("latest", False))
    assert EVM.head_of(Call("eth_blockNumber"), "0x10") == 16
    assert EVM.head_of(latest, {"number": "0x11", "timestamp": "0x5"}) == 17
    assert EVM.head_of(latest, {"number": "x"}) is None
    assert EVM.head_of(latest, None) is None
    assert EVM.head_of(Call("eth_getBlockByNumber", ("0x11", False)), {"number": "0x11", "timestamp": "0x5"}) is None
    assert BITCOIN.head_of(Call("getblockcount"), 120) == 120
    assert BITCOIN.head_of(Call("getblockcount"), True) is None
    assert BITCOIN.head_of(latest, {"number": "0x11", "timestamp": "0x5"}) is None


def test_an_evm_payment_with_a_bitcoin_chain_configured_loads_no_bitcoin_module(
    chain_a: Chain, chains_dir: Path, tmp_path: Path
) -> None:
    """A configured Bitcoin chain that is never asked costs an EVM diagnosis none of its family's modules."""
    for toml in chains_dir.glob("*.toml"):
        (tmp_path / toml.name).write_text(toml.read_text(encoding="utf-8"), encoding="utf-8")
    write_bitcoin_chain_file(tmp_path, "ltc", "http://txdiag:secret@127.0.0.1:1")
    tx_hash = chain_a.send(account(0), account(3).address, value=10**15, gas=21_000)
    code, modules = loaded("diagnose", tx_hash, "--chains-dir", str(tmp_path), "--chain", "alpha")
    assert code == 0
    assert "txdiag.families.evm.dialect" in modules  # alpha's client really asked its family for its dialect
    assert among(modules, (FAMILIES + ".bitcoin",)) == []
