"""Bitcoin-family chain files: family and network, defaults, credentials in endpoints, the bundled files."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from txdiag.chains import default_chains_dir, load_chain, load_chains, redact
from txdiag.errors import ConfigError

BASE: dict[str, object] = {
    "name": "ltc",
    "family": "bitcoin",
    "network": "regtest",
    "native_symbol": "LTC",
    "confirmations": 6,
    "block_time": 150,
    "rpc": ["http://user:s3cretpass@127.0.0.1:19443"],
}


def write(directory: Path, **fields: object) -> Path:
    data = {**BASE, **fields}
    text = "".join(f"{k} = {json.dumps(v)}\n" for k, v in data.items() if v is not None)
    path = directory / f"{data['name']}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bitcoin_file_loads_with_family_defaults(tmp_path: Path) -> None:
    """A bitcoin-family file has no chain id, 8 decimals by default, and finality by depth."""
    spec = load_chain(write(tmp_path), {})
    assert (spec.family, spec.network, spec.chain_id) == ("bitcoin", "regtest", None)
    assert spec.native_decimals == 8
    assert spec.finality == "confirmations"
    assert spec.identity == "bitcoin/regtest"


def test_evm_is_the_default_family(tmp_path: Path) -> None:
    """A file without ``family`` is an EVM chain, as every file was before families existed."""
    path = tmp_path / "evmish.toml"
    path.write_text(
        'name = "evmish"\nchain_id = 5\nnative_symbol = "E"\nconfirmations = 2\nblock_time = 2\n'
        'rpc = ["http://127.0.0.1:8545"]\n',
        encoding="utf-8",
    )
    spec = load_chain(path, {})
    assert (spec.family, spec.network, spec.chain_id, spec.native_decimals) == ("evm", None, 5, 18)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"network": "mainnet"}, r"ltc\.toml: field 'network' must be one of main, test, signet, regtest"),
        ({"network": None}, r"ltc\.toml: missing field 'network'"),
        ({"chain_id": 1}, r"ltc\.toml: field 'chain_id' is for EVM chains"),
        ({"family": "solana"}, r"ltc\.toml: field 'family' must be \"evm\" or \"bitcoin\""),
        ({"finality": "finalized"}, r"ltc\.toml: field 'finality' must be \"confirmations\""),
    ],
)
def test_bitcoin_file_errors_name_file_and_field(tmp_path: Path, fields: dict[str, object], message: str) -> None:
    """A wrong bitcoin-family file fails with its name and the field at fault."""
    with pytest.raises(ConfigError, match=message):
        load_chain(write(tmp_path, **fields), {})


def test_network_on_an_evm_file_is_refused(tmp_path: Path) -> None:
    """``network`` belongs to the bitcoin family; an EVM file naming one is a mistake."""
    with pytest.raises(ConfigError, match=r"field 'network' is for the bitcoin family"):
        load_chain(write(tmp_path, family="evm", chain_id=7, network="main"), {})


def test_userinfo_is_never_shown(tmp_path: Path) -> None:
    """RPC credentials in the URL stay in the URL: the endpoint's name has no user or password."""
    spec = load_chain(write(tmp_path), {})
    (ep,) = spec.endpoints
    assert ep.url == "http://user:s3cretpass@127.0.0.1:19443"
    assert ep.name == "http://127.0.0.1:19443/…"
    assert "s3cret" not in repr(spec)
    assert redact("http://u:p@[::1]:8332") == "http://[::1]:8332/…"


def test_endpoint_from_variable_and_chain_skipped_when_unset(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A bitcoin chain whose only endpoint is an unset variable is left out with a warning; set, it loads."""
    write(tmp_path, rpc=["${LTC_TEST_URL}"])
    write(tmp_path, name="other", family="evm", network=None, chain_id=9, rpc=["http://127.0.0.1:1"])
    with caplog.at_level(logging.WARNING, logger="txdiag.chains"):
        assert set(load_chains(tmp_path, env={})) == {"other"}
    assert "ltc.toml: skipped" in caplog.text
    chains = load_chains(tmp_path, env={"LTC_TEST_URL": "http://rpc:pw@127.0.0.1:9332"})
    assert chains["ltc"].endpoints[0].name == "http://127.0.0.1:9332/…"


def test_directory_of_only_unset_bitcoin_chains_is_an_error(tmp_path: Path) -> None:
    """With every chain skipped there is nothing to ask: start-up fails and says why."""
    write(tmp_path, rpc=["${LTC_TEST_URL}"])
    with pytest.raises(ConfigError, match=r"no chain in .* has an endpoint configured"):
        load_chains(tmp_path, env={})


@pytest.mark.parametrize(
    ("name", "symbol", "var", "block_time"),
    [("bitcoin", "BTC", "BTC_RPC_URL", 600), ("litecoin", "LTC", "LTC_RPC_URL", 150)],
)
def test_bundled_bitcoin_family_files(name: str, symbol: str, var: str, block_time: float) -> None:
    """bitcoin.toml and litecoin.toml take their endpoint only from their variable, and are skipped without it."""
    assert name not in load_chains(default_chains_dir(), env={})
    chains = load_chains(default_chains_dir(), env={var: "http://rpc:secretpw@127.0.0.1:8332"})
    spec = chains[name]
    assert (spec.family, spec.network, spec.native_symbol, spec.native_decimals) == ("bitcoin", "main", symbol, 8)
    assert (spec.confirmations, spec.block_time) == (6, block_time)
    assert [e.name for e in spec.endpoints] == ["http://127.0.0.1:8332/…"]
    link = spec.explorer_link("0x" + "ab" * 32)
    assert link is not None
    assert link.startswith("https://")
    assert link.endswith("/tx/" + "ab" * 32)
