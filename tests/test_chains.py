"""Chain files: the bundled chains, validation errors, ``${VAR}`` expansion and endpoint redaction."""

from __future__ import annotations

import json
import logging
import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from txdiag.chains import ChainSpec, Endpoint, default_chains_dir, load_chain, load_chains, redact
from txdiag.errors import BadInput, ConfigError
from txdiag.settings import Settings

# name -> (chain_id, native_symbol, mempool, environment variable of its first rpc entry)
BUNDLED = {
    "ethereum": (1, "ETH", True, "ETH_RPC_URL"),
    "bsc": (56, "BNB", True, "BSC_RPC_URL"),
    "polygon": (137, "POL", True, "POLYGON_RPC_URL"),
    "arbitrum": (42161, "ETH", False, "ARBITRUM_RPC_URL"),
    "optimism": (10, "ETH", False, "OPTIMISM_RPC_URL"),
    "base": (8453, "ETH", False, "BASE_RPC_URL"),
    "xlayer": (196, "OKB", False, "XLAYER_RPC_URL"),
    "avalanche": (43114, "AVAX", True, "AVALANCHE_RPC_URL"),
}

TX_HASH = "0x" + "ab" * 32
INFURA_KEY = "9aa3d95b3bc440fa88ea12eaa4456161"
ALCHEMY_KEY = "Zx3kQm9PfL2vT8wRy4NbC6hJd1sGe7Ua"
QUICKNODE_TOKEN = "4f1c2e9d8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e"
LOCAL = "http://127.0.0.1:8545"

VALID: dict[str, object] = {
    "name": "testnet",
    "chain_id": 990_001,
    "native_symbol": "TST",
    "confirmations": 3,
    "block_time": 2,
    "rpc": [LOCAL],
}
DROP = object()  # a field value that leaves the field out


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(value)


def write_chain(directory: Path, stem: str = "testnet", **fields: object) -> Path:
    """Write ``stem.toml``: a valid chain file with ``fields`` changed (``DROP`` removes one)."""
    data = {**VALID, "name": stem, **fields}
    text = "".join(f"{k} = {_toml_value(v)}\n" for k, v in data.items() if v is not DROP)
    path = directory / f"{stem}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load_one(directory: Path, env: Mapping[str, str] | None = None, **fields: object) -> ChainSpec:
    return load_chain(write_chain(directory, **fields), env or {})


# --- the bundled chains/ directory -------------------------------------------------------------


def test_bundled_chains_load_with_expected_ids_and_symbols() -> None:
    """Every bundled chain file loads, and its id, symbol and mempool flag match the table."""
    chains = load_chains(default_chains_dir(), env={})
    assert set(chains) == set(BUNDLED)
    for name, (chain_id, symbol, mempool, _var) in BUNDLED.items():
        spec = chains[name]
        assert (spec.name, spec.chain_id, spec.native_symbol, spec.mempool) == (name, chain_id, symbol, mempool)
        assert spec.native_decimals == 18


def test_bundled_chain_names_and_ids_are_unique() -> None:
    """No two bundled files share a chain name or a chain id, and every file stem is its name."""
    paths = sorted(default_chains_dir().glob("*.toml"))
    raw = [tomllib.loads(p.read_text(encoding="utf-8")) for p in paths]
    assert [p.stem for p in paths] == [r["name"] for r in raw]
    assert len({r["name"] for r in raw}) == len(raw)
    evm = [r for r in raw if r.get("family", "evm") == "evm"]
    assert len({r["chain_id"] for r in evm}) == len(evm)


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_explorer_link_contains_the_hash(name: str) -> None:
    """Each bundled chain's explorer link is https and carries the transaction hash."""
    link = load_chains(default_chains_dir(), env={})[name].explorer_link(TX_HASH)
    assert link is not None
    assert link.startswith("https://")
    assert TX_HASH in link


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_rpc_lists_env_override_then_keyless_endpoints(name: str) -> None:
    """Each bundled rpc list starts with its ``${X_RPC_URL}`` override, then at least two keyless https URLs."""
    var = BUNDLED[name][3]
    raw = tomllib.loads((default_chains_dir() / f"{name}.toml").read_text(encoding="utf-8"))
    assert raw["rpc"][0] == f"${{{var}}}"
    endpoints = load_chains(default_chains_dir(), env={})[name].endpoints
    assert len(endpoints) >= 2
    for ep in endpoints:
        assert ep.url.startswith("https://")
        # keyless, but a path is hidden whatever it looks like: a bare host reads as it is
        parts = urlsplit(ep.url)
        assert ep.name == f"{parts.scheme}://{parts.netloc}" + ("/…" if parts.path.strip("/") else "")


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_env_override_comes_first_and_is_redacted(name: str) -> None:
    """Setting a chain's override variable puts that endpoint first, shown without its key."""
    url = f"https://rpc.example.org/v3/{INFURA_KEY}"
    spec = load_chains(default_chains_dir(), env={BUNDLED[name][3]: url})[name]
    assert spec.endpoints[0].url == url
    assert INFURA_KEY not in spec.endpoints[0].name


def test_load_chains_reads_directory_from_txdiag_chains_dir(tmp_path: Path) -> None:
    """``TXDIAG_CHAINS_DIR`` picks the directory: read by Settings, which hands it to the loader."""
    write_chain(tmp_path)
    settings = Settings.from_env({"TXDIAG_CHAINS_DIR": str(tmp_path)})
    assert set(load_chains(settings.chains_dir, settings.variables)) == {"testnet"}


def test_load_chains_uses_process_environment_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Variables expand from the process environment as Settings.from_env read it."""
    monkeypatch.setenv("TXDIAG_TEST_RPC_URL", LOCAL)
    write_chain(tmp_path, rpc=["${TXDIAG_TEST_RPC_URL}"])
    variables = Settings.from_env().variables
    assert [ep.url for ep in load_chains(tmp_path, variables)["testnet"].endpoints] == [LOCAL]


# --- defaults --------------------------------------------------------------------------------


def test_optional_fields_take_their_defaults(tmp_path: Path) -> None:
    """A file with only the required fields gets 18 decimals, a mempool, no hedging and no explorer."""
    spec = load_one(tmp_path)
    assert (spec.native_decimals, spec.mempool, spec.hedge, spec.explorer_tx) == (18, True, False, None)
    assert spec.explorer_link(TX_HASH) is None


@pytest.mark.parametrize(
    ("block_time", "lag_tolerance", "expected"),
    [
        (12, DROP, 2),  # slow chains: two blocks
        (30, DROP, 2),
        (2, DROP, 12),  # fast chains: about 24 seconds of blocks
        (0.25, DROP, 96),
        (11, DROP, 2),
        (0.75, DROP, 32),
        (0.25, 5, 5),  # an explicit value wins
        (12, 0, 0),
    ],
)
def test_lag_tolerance_default_follows_block_time(
    tmp_path: Path, block_time: float, lag_tolerance: object, expected: int
) -> None:
    """Without ``lag_tolerance``, an endpoint may trail by about 24 s of blocks (at least 2)."""
    spec = load_one(tmp_path, block_time=block_time, lag_tolerance=lag_tolerance)
    assert spec.lag_tolerance == expected


# --- validation: every failure names the file and the field -----------------------------------

FIELD_ERRORS = [
    # (id, fields, field named in the message)
    *[(f"missing-{f}", {f: DROP}, f) for f in ("chain_id", "native_symbol", "confirmations", "block_time", "rpc")],
    ("chain_id-string", {"chain_id": "1"}, "chain_id"),
    ("chain_id-true", {"chain_id": True}, "chain_id"),
    ("chain_id-float", {"chain_id": 1.0}, "chain_id"),
    ("chain_id-zero", {"chain_id": 0}, "chain_id"),
    ("chain_id-negative", {"chain_id": -56}, "chain_id"),
    ("chain_id-too-big", {"chain_id": 2**63}, "chain_id"),
    ("symbol-number", {"native_symbol": 5}, "native_symbol"),
    ("symbol-empty", {"native_symbol": ""}, "native_symbol"),
    ("symbol-punctuation", {"native_symbol": "E-TH"}, "native_symbol"),
    ("symbol-too-long", {"native_symbol": "ABCDEFGHIJKL"}, "native_symbol"),
    ("decimals-float", {"native_decimals": 18.0}, "native_decimals"),
    ("decimals-too-many", {"native_decimals": 37}, "native_decimals"),
    ("confirmations-string", {"confirmations": "12"}, "confirmations"),
    ("confirmations-zero", {"confirmations": 0}, "confirmations"),
    ("block_time-string", {"block_time": "fast"}, "block_time"),
    ("block_time-true", {"block_time": True}, "block_time"),
    ("block_time-zero", {"block_time": 0}, "block_time"),
    ("block_time-too-long", {"block_time": 601}, "block_time"),
    ("lag_tolerance-negative", {"lag_tolerance": -1}, "lag_tolerance"),
    ("mempool-string", {"mempool": "yes"}, "mempool"),
    ("mempool-int", {"mempool": 1}, "mempool"),
    ("hedge-string", {"hedge": "no"}, "hedge"),
    ("unknown-field", {"rpc_url": LOCAL}, "rpc_url"),
    ("rpc-empty", {"rpc": []}, "rpc"),
    ("rpc-string", {"rpc": LOCAL}, "rpc"),
    ("rpc-entry-number", {"rpc": [8545]}, "rpc[0]"),
    ("rpc-second-entry-bad", {"rpc": [LOCAL, "ws://127.0.0.1:8546"]}, "rpc[1]"),
    ("rpc-websocket", {"rpc": ["wss://rpc.example.org"]}, "rpc[0]"),
    ("rpc-ftp", {"rpc": ["ftp://rpc.example.org/"]}, "rpc[0]"),
    ("rpc-no-scheme", {"rpc": ["127.0.0.1:8545"]}, "rpc[0]"),
    ("rpc-no-host", {"rpc": ["https:///rpc"]}, "rpc[0]"),
    ("rpc-bad-port", {"rpc": ["http://127.0.0.1:99999"]}, "rpc[0]"),
    ("rpc-port-not-number", {"rpc": ["http://127.0.0.1:port"]}, "rpc[0]"),
    ("rpc-broken-ipv6", {"rpc": ["http://[::1:8545/"]}, "rpc[0]"),
    ("rpc-malformed-var", {"rpc": ["https://rpc.example.org/${BAD-NAME}"]}, "rpc[0]"),
    ("rpc-unclosed-var", {"rpc": ["https://rpc.example.org/${KEY"]}, "rpc[0]"),
    ("explorer-http", {"explorer_tx": "http://etherscan.io/tx/{hash}"}, "explorer_tx"),
    ("explorer-no-hash", {"explorer_tx": "https://etherscan.io/tx/"}, "explorer_tx"),
    ("explorer-not-url", {"explorer_tx": "{hash}"}, "explorer_tx"),
    ("explorer-number", {"explorer_tx": 1}, "explorer_tx"),
]


@pytest.mark.parametrize(("fields", "field"), [(f, n) for _, f, n in FIELD_ERRORS], ids=[i for i, _, _ in FIELD_ERRORS])
def test_invalid_field_names_file_and_field(tmp_path: Path, fields: dict[str, object], field: str) -> None:
    """An invalid chain file fails with a ConfigError naming the file and the field at fault."""
    with pytest.raises(ConfigError) as exc_info:
        load_one(tmp_path, **fields)
    message = str(exc_info.value)
    assert message.startswith("testnet.toml: ")
    assert f"'{field}'" in message


def test_config_error_is_bad_input() -> None:
    """An invalid chain file is the caller's fault: ConfigError is BadInput (exit 2)."""
    assert issubclass(ConfigError, BadInput)


@pytest.mark.parametrize("name", ["Ethereum", "eth_main", "1eth", "-eth", "e" * 33])
def test_bad_name_is_rejected(tmp_path: Path, name: str) -> None:
    """A chain name must be lower-case letters, digits or '-', starting with a letter."""
    with pytest.raises(ConfigError, match=r"^.+\.toml: field 'name'"):
        load_chain(write_chain(tmp_path, stem=name), {})


def test_missing_name_is_rejected(tmp_path: Path) -> None:
    """A file without ``name`` fails naming that field."""
    with pytest.raises(ConfigError, match=r"^testnet\.toml: missing field 'name'"):
        load_one(tmp_path, name=DROP)


def test_name_must_match_file_stem(tmp_path: Path) -> None:
    """``name`` must equal the file stem; the message shows both."""
    with pytest.raises(ConfigError, match=r"^testnet\.toml: field 'name' is 'othernet'.*'testnet'"):
        load_one(tmp_path, name="othernet")


def test_duplicate_chain_id_across_files(tmp_path: Path) -> None:
    """Two files with one chain id fail, naming the later file, the field and the earlier chain."""
    write_chain(tmp_path, stem="alpha", chain_id=7)
    write_chain(tmp_path, stem="beta", chain_id=7)
    with pytest.raises(ConfigError, match=r"^beta\.toml: field 'chain_id' 7 is also used by alpha$"):
        load_chains(tmp_path, env={})


@pytest.mark.parametrize(
    "text",
    ['name = "testnet"\nchain_id = \n', "this is not toml\n", 'name = "testnet"\nname = "testnet"\n', "[rpc\n"],
)
def test_not_toml_names_the_file(tmp_path: Path, text: str) -> None:
    """A file that is not TOML fails with its name, through the directory loader too."""
    (tmp_path / "testnet.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^testnet\.toml: not valid TOML"):
        load_chains(tmp_path, env={})


def test_file_that_is_not_utf8_names_the_file(tmp_path: Path) -> None:
    """A file that is not UTF-8 text fails with its name."""
    (tmp_path / "testnet.toml").write_bytes(b'name = "\xff\xfe"\n')
    with pytest.raises(ConfigError, match=r"^testnet\.toml: cannot read"):
        load_chains(tmp_path, env={})


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    """A directory without ``*.toml`` files fails rather than starting with no chains."""
    (tmp_path / "README.md").write_text("not a chain\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"no chain files"):
        load_chains(tmp_path, env={})


def test_missing_directory_is_an_error(tmp_path: Path) -> None:
    """A chains directory that does not exist fails, naming it."""
    with pytest.raises(ConfigError, match=r"chains directory not found: nowhere"):
        load_chains(tmp_path / "nowhere", env={})


# --- ${VAR} expansion ---------------------------------------------------------------------------


def test_whole_url_expands_from_env(tmp_path: Path) -> None:
    """``${VAR}`` is replaced by the variable's value from the env passed in."""
    spec = load_one(tmp_path, {"TEST_RPC_URL": LOCAL}, rpc=["${TEST_RPC_URL}"])
    assert [(ep.url, ep.name) for ep in spec.endpoints] == [(LOCAL, LOCAL)]


def test_variable_inside_url_expands(tmp_path: Path) -> None:
    """A variable may be part of a URL, such as the key after a provider's path."""
    spec = load_one(tmp_path, {"INFURA_KEY": INFURA_KEY}, rpc=["https://mainnet.infura.io/v3/${INFURA_KEY}"])
    (ep,) = spec.endpoints
    assert ep.url == f"https://mainnet.infura.io/v3/{INFURA_KEY}"
    assert ep.name == "https://mainnet.infura.io/…"


@pytest.mark.parametrize("env", [{}, {"TEST_RPC_URL": ""}], ids=["unset", "empty"])
def test_unset_variable_skips_endpoint_with_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, env: dict[str, str]
) -> None:
    """An endpoint whose variable is unset or empty is skipped with a warning, never kept as ``${VAR}``."""
    caplog.set_level(logging.WARNING, logger="txdiag.chains")
    spec = load_one(tmp_path, env, rpc=["${TEST_RPC_URL}", LOCAL])
    assert [ep.url for ep in spec.endpoints] == [LOCAL]
    assert all("${" not in ep.url and "${" not in ep.name for ep in spec.endpoints)
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert "testnet.toml" in record.getMessage()
    assert "rpc[0]" in record.getMessage()


def test_one_unset_variable_skips_its_endpoint_only(tmp_path: Path) -> None:
    """A URL with two variables is skipped when either is missing; other endpoints stay."""
    env = {"RPC_HOST": "rpc.example.org"}
    rpc = ["https://${RPC_HOST}/v2/${RPC_KEY}", "https://${RPC_HOST}/rpc"]
    assert [ep.url for ep in load_one(tmp_path, env, rpc=rpc).endpoints] == ["https://rpc.example.org/rpc"]


def test_every_endpoint_unset_loads_with_no_endpoints(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A chain whose every endpoint lacks its variable still loads, with zero endpoints and one warning each."""
    caplog.set_level(logging.WARNING, logger="txdiag.chains")
    spec = load_one(tmp_path, rpc=["${A_RPC_URL}", "https://rpc.example.org/v3/${B_KEY}"])
    assert spec.endpoints == ()
    assert len(caplog.records) == 2
    assert all("${" not in r.getMessage() for r in caplog.records)


def test_value_is_not_expanded_twice(tmp_path: Path) -> None:
    """A variable's value is used as is: a ``${...}`` inside it is not expanded again."""
    env = {"OUTER": "https://rpc.example.org/${INNER}", "INNER": "secret"}
    (ep,) = load_one(tmp_path, env, rpc=["${OUTER}"]).endpoints
    assert ep.url == "https://rpc.example.org/${INNER}"


def test_expanded_value_must_be_http_url(tmp_path: Path) -> None:
    """A variable that expands to something other than an http(s) URL fails naming the entry."""
    with pytest.raises(ConfigError, match=r"^testnet\.toml: field 'rpc\[0\]' must be an http\(s\) URL"):
        load_one(tmp_path, {"TEST_RPC_URL": "not a url"}, rpc=["${TEST_RPC_URL}"])


def test_duplicate_urls_are_kept_once(tmp_path: Path) -> None:
    """The same URL listed twice (or once literally and once through a variable) is one endpoint."""
    spec = load_one(tmp_path, {"TEST_RPC_URL": LOCAL}, rpc=[LOCAL, "${TEST_RPC_URL}", LOCAL])
    assert [ep.url for ep in spec.endpoints] == [LOCAL]


# --- redaction ------------------------------------------------------------------------------------

SECRET_URLS = [
    # (id, url, secret parts that must not survive)
    ("infura", f"https://mainnet.infura.io/v3/{INFURA_KEY}", [INFURA_KEY]),
    ("alchemy", f"https://eth-mainnet.g.alchemy.com/v2/{ALCHEMY_KEY}", [ALCHEMY_KEY]),
    ("apikey-query", f"https://rpc.example.org/rpc?apikey={ALCHEMY_KEY}", [ALCHEMY_KEY, "apikey"]),
    ("short-query-key", "https://rpc.example.org/?key=s3cr3t", ["s3cr3t"]),
    ("userinfo", "https://user:pass@rpc.example.org/", ["user", "pass"]),
    ("userinfo-key-only", f"https://{INFURA_KEY}@rpc.example.org", [INFURA_KEY]),
    ("quicknode", f"https://name.quiknode.pro/{QUICKNODE_TOKEN}/", [QUICKNODE_TOKEN]),
    ("key-then-path", f"https://rpc.example.org/{ALCHEMY_KEY}/eth", [ALCHEMY_KEY]),
    ("short-mixed-segment", "https://rpc.example.org/ab12cd34", ["ab12cd34"]),
    ("uuid", "https://rpc.example.org/eth/3f2b8c1e-7d4a-4b9e-a6c5-0e1f2d3c4b5a", ["3f2b8c1e", "0e1f2d3c4b5a"]),
    ("fragment", "https://rpc.example.org/#token=abc", ["token", "abc"]),
    ("key-in-both", f"https://{INFURA_KEY}@rpc.example.org/v3/{ALCHEMY_KEY}?k={QUICKNODE_TOKEN}", [INFURA_KEY]),
]


@pytest.mark.parametrize(("url", "secrets"), [(u, s) for _, u, s in SECRET_URLS], ids=[i for i, _, _ in SECRET_URLS])
def test_redact_removes_secrets(url: str, secrets: list[str]) -> None:
    """The redacted form keeps scheme and host but no part of a key in user info, path, query or fragment."""
    shown = redact(url)
    assert shown.startswith(("http://", "https://"))
    for secret in [*secrets, INFURA_KEY, ALCHEMY_KEY, QUICKNODE_TOKEN]:
        assert secret not in shown


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://eth.llamarpc.com", "https://eth.llamarpc.com"),
        ("https://eth.llamarpc.com/", "https://eth.llamarpc.com"),
        (LOCAL, LOCAL),
        ("http://localhost:8545/", "http://localhost:8545"),
        ("http://[::1]:8545", "http://[::1]:8545"),
        ("https://arb1.arbitrum.io/rpc", "https://arb1.arbitrum.io/…"),
        ("https://api.avax.network/ext/bc/C/rpc", "https://api.avax.network/…"),
        ("https://RPC.Example.org/rpc?x=1", "https://rpc.example.org/…"),
        ("https://rpc.example.org?x=1", "https://rpc.example.org/…"),
        ("https://rpc.example.org/#frag", "https://rpc.example.org/…"),
        ("https://user:pass@rpc.example.org", "https://rpc.example.org/…"),
        ("https://rpc.example.org/pass/hunterpassword", "https://rpc.example.org/…"),
        ("https://mainnet.infura.io/v3/" + INFURA_KEY, "https://mainnet.infura.io/…"),
    ],
)
def test_redact_keeps_keyless_urls_readable(url: str, expected: str) -> None:
    """Scheme, host and port are shown; any path, query, fragment or user info is shown only as ``/…``."""
    assert redact(url) == expected


@pytest.mark.parametrize("url", ["http://[::1", "http://host:99999/", "http://host:port/"])
def test_redact_invalid_url_shows_nothing(url: str) -> None:
    """A URL that cannot be parsed is shown as a placeholder, never echoed."""
    assert redact(url) == "<invalid url>"


def test_endpoint_repr_never_contains_url() -> None:
    """``repr(Endpoint)`` and ``repr(ChainSpec)`` show the redacted name only, never the URL."""
    url = f"https://mainnet.infura.io/v3/{INFURA_KEY}"
    ep = Endpoint(url=url, name=redact(url))
    assert url not in repr(ep)
    assert INFURA_KEY not in repr(ep)
    spec = ChainSpec(
        name="x", chain_id=1, native_symbol="ETH", native_decimals=18, confirmations=1, block_time=1.0, endpoints=(ep,)
    )
    assert INFURA_KEY not in repr(spec)
    assert INFURA_KEY not in str(spec)


KEYED_CONFIG_ERRORS = [
    # (id, fields, env): every case is invalid and has INFURA_KEY somewhere in the file or the env
    ("ftp-url", {"rpc": [f"ftp://mainnet.infura.io/v3/{INFURA_KEY}"]}, {}),
    ("no-scheme", {"rpc": [f"mainnet.infura.io/v3/{INFURA_KEY}"]}, {}),
    ("websocket-userinfo", {"rpc": [f"wss://user:{INFURA_KEY}@rpc.example.org/"]}, {}),
    ("broken-ipv6", {"rpc": [f"http://[mainnet.infura.io/v3/{INFURA_KEY}"]}, {}),
    ("bad-port", {"rpc": [f"https://mainnet.infura.io:99999/v3/{INFURA_KEY}"]}, {}),
    ("malformed-var", {"rpc": [f"https://rpc.example.org/${{BAD-VAR}}/{INFURA_KEY}"]}, {}),
    ("expanded-websocket", {"rpc": ["${RPC}"]}, {"RPC": f"wss://eth-mainnet.g.alchemy.com/v2/{INFURA_KEY}"}),
    ("other-field-missing", {"rpc": [f"https://mainnet.infura.io/v3/{INFURA_KEY}"], "chain_id": DROP}, {}),
    ("rpc-as-string", {"rpc": f"https://mainnet.infura.io/v3/{INFURA_KEY}"}, {}),
    ("explorer-without-hash", {"explorer_tx": f"https://explorer.example.org/{INFURA_KEY}/tx"}, {}),
    ("url-as-chain_id", {"chain_id": f"https://mainnet.infura.io/v3/{INFURA_KEY}"}, {}),
    ("url-list-as-mempool", {"mempool": [f"https://mainnet.infura.io/v3/{INFURA_KEY}"]}, {}),
]


@pytest.mark.parametrize(
    ("fields", "env"), [(f, e) for _, f, e in KEYED_CONFIG_ERRORS], ids=[i for i, _, _ in KEYED_CONFIG_ERRORS]
)
def test_config_error_never_contains_key(tmp_path: Path, fields: dict[str, object], env: dict[str, str]) -> None:
    """A ConfigError about a file holding a keyed URL never repeats the key."""
    with pytest.raises(ConfigError) as exc_info:
        load_one(tmp_path, env, **fields)
    assert "testnet.toml" in str(exc_info.value)
    assert INFURA_KEY not in str(exc_info.value)
    assert INFURA_KEY[:16] not in str(exc_info.value)


def test_keyed_endpoints_on_one_host_get_distinct_names(tmp_path: Path) -> None:
    """Several keys on one provider host redact alike, so they are numbered to stay apart."""
    env = {"KEY_A": INFURA_KEY, "KEY_B": INFURA_KEY[::-1], "KEY_C": ALCHEMY_KEY.lower()}
    rpc = [f"https://mainnet.infura.io/v3/${{{v}}}" for v in env] + [LOCAL]
    spec = load_one(tmp_path, env, rpc=rpc)
    names = [ep.name for ep in spec.endpoints]
    assert names == [
        "https://mainnet.infura.io/…",
        "https://mainnet.infura.io/…#2",
        "https://mainnet.infura.io/…#3",
        LOCAL,
    ]
    assert all(key not in name for key in env.values() for name in names)


# --- property: no secret-looking token survives redaction ------------------------------------

_TOKEN_CHARS = string.ascii_letters + string.digits + "-_"


def _secret_looking(token: str) -> bool:
    """What a provider key looks like: long, or a mix of letters and digits."""
    mixed = any(c.isdigit() for c in token) and any(c.isalpha() for c in token)
    return len(token) >= 16 or mixed


tokens = st.text(alphabet=_TOKEN_CHARS, min_size=8, max_size=64).filter(_secret_looking)
hosts = st.sampled_from(
    ["mainnet.infura.io", "eth-mainnet.g.alchemy.com", "name.quiknode.pro", "rpc.example.org", "127.0.0.1:8545"]
)
paths = st.sampled_from(["", "/v2", "/v3", "/rpc", "/ext/bc/C/rpc", "/eth/mainnet"])


@given(
    scheme=st.sampled_from(["http", "https"]),
    host=hosts,
    before=paths,
    after=paths,
    token=tokens,
    where=st.sampled_from(["path", "path/", "query-value", "query-name", "query-second", "userinfo"]),
)
def test_redact_never_shows_a_secret_token(
    *, scheme: str, host: str, before: str, after: str, token: str, where: str
) -> None:
    """For any secret-looking token in the path, query or user info, ``redact()`` output never contains it."""
    url = {
        "path": f"{scheme}://{host}{before}/{token}{after}",
        "path/": f"{scheme}://{host}{before}/{token}/",
        "query-value": f"{scheme}://{host}{before}?apikey={token}",
        "query-name": f"{scheme}://{host}{before}?{token}",
        "query-second": f"{scheme}://{host}{before}?chain=1&key={token}",
        "userinfo": f"{scheme}://user:{token}@{host}{before}",
    }[where]
    assert token not in redact(url)


@given(st.text())
def test_redact_accepts_any_text(text: str) -> None:
    """``redact()`` never raises, whatever string it is given."""
    assert isinstance(redact(text), str)


def test_finality_field(tmp_path: Path) -> None:
    """`finality` is "finalized" by default, "confirmations" for rollups, and anything else names the field."""
    assert load_chain(write_chain(tmp_path), {}).finality == "finalized"
    assert load_chain(write_chain(tmp_path, finality="confirmations"), {}).finality == "confirmations"
    with pytest.raises(ConfigError, match=r"testnet\.toml: field 'finality'"):
        load_chain(write_chain(tmp_path, finality="eventually"), {})
    bundled = load_chains(default_chains_dir(), {})
    assert {n for n, c in bundled.items() if c.finality == "confirmations"} == {
        "arbitrum",
        "optimism",
        "base",
        "xlayer",
    }


# --- [tokens]: well-known tokens for fake-token detection ------------------------------------------

USDT_MAIN = "0xdAC17F958D2ee523a2206206994597C13D831ec7"


def _with_tokens(directory: Path, table: str) -> Path:
    path = write_chain(directory)
    path.write_text(path.read_text(encoding="utf-8") + "[tokens]\n" + table, encoding="utf-8")
    return path


def test_tokens_table_both_forms(tmp_path: Path) -> None:
    """[tokens] takes SYMBOL = "0x…" or SYMBOL = { address, issuer }; addresses are checksummed; lookup ignores case."""
    path = _with_tokens(
        tmp_path,
        f'USDT = {{ address = "{USDT_MAIN}", issuer = "Tether" }}\n'
        'DAI = "0x6b175474e89094c44da98b954eedeac495271d0f"\n',
    )
    spec = load_chain(path, {})
    usdt, dai = spec.known_token("usdt"), spec.known_token(" DAI ")
    assert usdt is not None
    assert (usdt.address, usdt.issuer) == (USDT_MAIN, "Tether")
    assert dai is not None
    assert (dai.address, dai.issuer) == ("0x6B175474E89094C44Da98b954EedeAC495271d0F", None)
    assert spec.known_token("USDC") is None


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ('USDT = "0xdAC17F958D2ee523a2206206994597C13D831ec8"\n', "wrong EIP-55 checksum"),  # one digit off
        ('USDT = "0x1234"\n', "tokens.USDT"),
        ("USDT = 5\n", "tokens.USDT"),
        (f'USDT = {{ address = "{USDT_MAIN}", website = "x" }}\n', "tokens.USDT.website"),
        (f'"US DT" = "{USDT_MAIN}"\n', "token symbol"),
        (f'USDT = "{USDT_MAIN}"\nusdt = "{USDT_MAIN}"\n', "listed twice"),
    ],
)
def test_bad_tokens_name_file_and_field(tmp_path: Path, table: str, words: str) -> None:
    """A malformed [tokens] entry fails at start-up with the file and the field."""
    with pytest.raises(ConfigError, match=words) as info:
        load_chain(_with_tokens(tmp_path, table), {})
    assert "testnet.toml" in str(info.value)


@pytest.mark.parametrize(
    ("name", "symbol", "address"),
    [
        ("ethereum", "USDT", "0xdAC17F958D2ee523a2206206994597C13D831ec7"),
        ("ethereum", "USDC", "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"),
        ("bsc", "USDT", "0x55d398326f99059fF775485246999027B3197955"),
        ("polygon", "USDT", "0xc2132D05D31c914a87C6611C10748AEb04B58e8F"),
        ("arbitrum", "USDC", "0xaf88d065e77c8cC2239327C5EDb3A432268e5831"),
        ("optimism", "USDC", "0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85"),
        ("base", "USDC", "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"),
        ("avalanche", "USDT", "0x9702230A8Ea53601f5cD2dc00fDBc13d4dF4A8c7"),
    ],
)
def test_bundled_main_chains_list_their_stablecoins(name: str, symbol: str, address: str) -> None:
    """The bundled main chains list the issuers' published stablecoin addresses."""
    known = load_chains(env={})[name].known_token(symbol)
    assert known is not None
    assert known.address == address
