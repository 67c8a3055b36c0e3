"""The package as users get it: a wheel built from the source, installed (not editable) in a fresh venv.

No network: the fresh venv has no pip of its own and finds the dependencies the
suite already installed through a path file; the wheel is installed by this
venv's pip into it with ``--no-index --no-deps``. Commands run from a directory
that holds no source, so only the installed package can answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.support.anvil import Anvil
from tests.support.chain import Chain, account
from tests.support.wheel import install_wheel

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the fresh venv's bin directory, the wheel): the wheel built from a clean copy of the source."""
    return install_wheel(tmp_path_factory.mktemp("wheel"))


def _run(bin_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TXDIAG_", "PYTHON"))}
    env["TXDIAG_DATA_DIR"] = str(cwd / "data")
    return subprocess.run(
        [str(bin_dir / "txdiag"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_wheel_carries_the_chain_files(installed: tuple[Path, Path]) -> None:
    """Every bundled chain file is package data in the wheel; no chains/ outside the package."""
    names = set(zipfile.ZipFile(installed[1]).namelist())
    bundled = sorted(p.name for p in (ROOT / "txdiag" / "data" / "chains").glob("*.toml"))
    assert bundled
    for name in bundled:
        assert f"txdiag/data/chains/{name}" in names
    assert not [n for n in names if n.startswith("chains/")]


def test_installed_txdiag_is_the_wheel_and_knows_the_bundled_chains(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    """From a directory without source: the installed package answers, with the bundled chains and no web3."""
    bin_dir = installed[0]
    probe = "import sys, txdiag, txdiag.cli; print(txdiag.__file__); print('web3' in sys.modules)"
    where = subprocess.run(
        [str(bin_dir / "python"), "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True
    )
    path, web3_loaded = where.stdout.split()
    assert Path(path).is_relative_to(bin_dir.parent), path
    assert web3_loaded == "False"
    # an unknown chain is bad input, told before any endpoint is asked: the message lists the bundled chains
    result = _run(bin_dir, tmp_path, "diagnose", "0x" + "ab" * 32, "--chain", "nosuch")
    assert result.returncode == 2, result.stderr
    bundled = sorted(p.stem for p in (ROOT / "txdiag" / "data" / "chains").glob("*.toml"))
    for name in bundled:
        assert name in result.stderr, (name, result.stderr)


def test_installed_txdiag_chains_and_diagnose_against_a_local_node(
    installed: tuple[Path, Path], tmp_path: Path, chains_dir: Path, chain_a: Chain, node_a: Anvil
) -> None:
    """`txdiag chains` and `txdiag diagnose` of the installed wheel, with --chains-dir, against a real node."""
    bin_dir = installed[0]
    tx_hash = chain_a.send(account(0), account(1).address, value=10**18, gas=21_000)
    node_a.mine(70)  # anvil's finalized tag trails the head by 64 blocks
    listed = _run(bin_dir, tmp_path, "chains", "--chains-dir", str(chains_dir), "--json")
    assert listed.returncode == 0, listed.stderr
    ready = {c["name"]: c["ready"] for c in json.loads(listed.stdout)}
    assert ready == {"alpha": True, "beta": True}
    result = _run(bin_dir, tmp_path, "diagnose", tx_hash, "--chains-dir", str(chains_dir), "--json", "--lang", "zh-CN")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["verdict"], doc["chain"]["name"], doc["lang"]) == ("confirmed", "alpha", "zh-CN")
    assert doc["tx"]["value_display"] == "1 ETH"
    assert "区块" in doc["summary"]  # the catalogs are in the wheel too
