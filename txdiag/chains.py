"""Chain specifications: one TOML file per chain, validated at start-up.

A file that is wrong fails with its name and the field at fault. RPC URLs may
carry secrets (API keys in the path or the query), so an endpoint is only
ever shown through :func:`redact`.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from txdiag.checksum import to_checksum_address
from txdiag.errors import ConfigError

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_KNOWN_FIELDS = frozenset(
    {
        "name",
        "chain_id",
        "native_symbol",
        "native_decimals",
        "confirmations",
        "block_time",
        "rpc",
        "explorer_tx",
        "mempool",
        "lag_tolerance",
        "hedge",
        "finality",
        "family",
        "network",
        "tokens",
        "block_max_weight",
    }
)
_TOKEN_SYMBOL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.]{0,15}$")
_TOKEN_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
FAMILIES = ("evm", "bitcoin")
# what getblockchaininfo.chain says on each Bitcoin-family network (Litecoin uses the same names)
BITCOIN_NETWORKS = ("main", "test", "signet", "regtest")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """An RPC endpoint: the real URL, and the name it is shown by."""

    url: str
    name: str  # redacted, safe for logs, metrics labels and messages

    def __repr__(self) -> str:  # the URL may hold a key: never print it
        return f"Endpoint({self.name})"


@dataclass(frozen=True, slots=True)
class KnownToken:
    """A well-known token of a chain, as its issuer publishes it: for telling an impostor from the real one."""

    symbol: str
    address: str  # checksummed
    issuer: str | None = None  # who issues it on this chain, when the chain file says (e.g. "Tether")


@dataclass(frozen=True, slots=True)
class ChainSpec:
    name: str
    chain_id: int | None  # EVM chains; None for the bitcoin family, which has ``network`` instead
    native_symbol: str
    native_decimals: int
    confirmations: int
    block_time: float
    endpoints: tuple[Endpoint, ...]
    explorer_tx: str | None = None
    mempool: bool = True
    lag_tolerance: int = 3  # blocks an endpoint may trail the best head
    hedge: bool = False  # send slow reads to a second endpoint as well
    # "finalized": the node's finalized tag decides when it has one, else the depth does;
    # "confirmations": the depth always decides (rollups, whose finalized tag waits for L1 for many minutes)
    finality: str = "finalized"
    family: str = "evm"  # "evm" or "bitcoin" (Bitcoin Core's JSON-RPC)
    network: str | None = None  # bitcoin family: main | test | signet | regtest, as getblockchaininfo.chain says
    tokens: tuple[KnownToken, ...] = ()  # [tokens]: well-known tokens by symbol, for fake-token detection

    def known_token(self, symbol: str) -> KnownToken | None:
        """The well-known token this chain lists under ``symbol`` (case-insensitive), or that it is made to look like.

        A look-alike reads as the listed symbol once confusable characters,
        compatibility forms and punctuation are seen through (``UЅDT`` with a
        Cyrillic Ѕ, ``ＵＳＤＴ``, ``USDT.``: txdiag.lookalike); whether it is one
        is ``symbol`` not being the listed symbol itself.
        """
        if not self.tokens:
            return None
        key = symbol.strip().upper()
        listed = next((t for t in self.tokens if t.symbol.upper() == key), None)
        if listed is not None:
            return listed
        from txdiag import lookalike  # noqa: PLC0415 - its table loads only when a token's symbol is compared

        return next((t for t in self.tokens if lookalike.collides(symbol, t.symbol)), None)

    # bitcoin family: the miners' block weight limit (Bitcoin Core's -blockmaxweight), for projected blocks
    block_max_weight: int = 4_000_000

    @property
    def identity(self) -> str:
        """How the chain is told apart from others in messages: its chain id, or its network."""
        return str(self.chain_id) if self.chain_id is not None else f"{self.family}/{self.network}"

    def explorer_link(self, tx_hash: str) -> str | None:
        if not self.explorer_tx:
            return None
        if self.family == "bitcoin":
            tx_hash = tx_hash.removeprefix("0x")  # txids are written without it
        return self.explorer_tx.replace("{hash}", tx_hash)


def redact(url: str) -> str:
    """Show an endpoint without anything that may be a secret, without guessing what looks like one.

    Keeps scheme, host and port. Anything else (a path, a query, a fragment,
    user info) may carry a key, whatever its letters (``/pass/hunterpassword``
    does), so an endpoint with any of them is shown as ``scheme://host[:port]/…``:
    ``https://eth.llamarpc.com`` stays as it is, ``https://mainnet.infura.io/v3/<key>``
    and ``https://arb1.arbitrum.io/rpc`` become ``https://…/…``. Two endpoints
    that redact alike are numbered by the chain loader.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = parts.port
    except ValueError:
        return "<invalid url>"
    if ":" in host:  # an IPv6 literal keeps its brackets, or the port would run into it
        host = f"[{host}]"
    shown = f"{parts.scheme}://{host}" + (f":{port}" if port else "")
    hidden = parts.path.strip("/") or parts.query or parts.fragment or "@" in parts.netloc
    return shown + "/…" if hidden else shown


def _looks_secret(segment: str) -> bool:
    if len(segment) >= 16:
        return True
    has_digit = any(c.isdigit() for c in segment)
    has_alpha = any(c.isalpha() for c in segment)
    return len(segment) >= 8 and has_digit and has_alpha


def _shown(value: Any) -> str:
    """A wrong value as an error message may show it: never a URL, a long string or a container."""
    if isinstance(value, bool | int | float):
        return repr(value)
    if isinstance(value, str):
        short = len(value) <= 16 and "/" not in value and not _looks_secret(value)
        return repr(value) if short else "a string"
    return "an array" if isinstance(value, list) else "a table" if isinstance(value, dict) else "a date or time"


def _shown_key(key: str) -> str:
    """A field name from the file, quoted and bounded (a hostile file's keys can be megabytes long)."""
    shown = "".join(c if c.isprintable() else "?" for c in key[:40])
    return f"'{shown}…'" if len(key) > 40 else f"'{shown}'"


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a port that is not a number in range
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _expand(value: str, env: Mapping[str, str]) -> str | None:
    """Expand ``${VAR}``; None when a variable is unset or empty."""
    missing = [m.group(1) for m in _VAR.finditer(value) if not env.get(m.group(1))]
    if missing:
        return None
    return _VAR.sub(lambda m: env[m.group(1)], value)


MAX_FILE_BYTES = 16 << 20  # a chain file is a few hundred bytes; this only stops a runaway read
MIN_BLOCK_TIME = 0.05  # seconds; no chain is faster, and the default lag tolerance (24 s of blocks) stays bounded


def _field(path: Path, data: Mapping[str, Any], key: str, kind: type, *, default: Any = ...) -> Any:
    if key not in data:
        if default is ...:
            raise ConfigError(f"{path.name}: missing field '{key}'")
        return default
    value = data[key]
    # bool is an int in Python; a chain id of `true` is still wrong
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"{path.name}: field '{key}' must be an integer, got {_shown(value)}")
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{path.name}: field '{key}' must be a number, got {_shown(value)}")
        return float(value)
    if not isinstance(value, kind):
        raise ConfigError(f"{path.name}: field '{key}' must be {kind.__name__}, got {_shown(value)}")
    return value


def _identity(path: Path, data: Mapping[str, Any]) -> tuple[str, int | None, str | None]:
    """The family, and what tells the chain apart: an EVM chain id, or a Bitcoin-family network."""
    family = _field(path, data, "family", str, default="evm")
    if family not in FAMILIES:
        raise ConfigError(f'{path.name}: field \'family\' must be "evm" or "bitcoin", got {_shown(family)}')
    chain_id: int | None = None
    network: str | None = None
    if family == "evm":
        if "network" in data:
            raise ConfigError(f"{path.name}: field 'network' is for the bitcoin family; EVM chains have 'chain_id'")
        chain_id = _field(path, data, "chain_id", int)
        if not 0 < chain_id < 2**63:
            raise ConfigError(f"{path.name}: field 'chain_id' must be positive, got {chain_id}")
    else:
        if "chain_id" in data:
            raise ConfigError(f"{path.name}: field 'chain_id' is for EVM chains; the bitcoin family has 'network'")
        network = _field(path, data, "network", str)
        if network not in BITCOIN_NETWORKS:
            raise ConfigError(f"{path.name}: field 'network' must be one of {', '.join(BITCOIN_NETWORKS)}")
    return family, chain_id, network


def _block_max_weight(path: Path, data: Mapping[str, Any], family: str) -> int:
    """Bitcoin family: the miners' block weight limit, for projected blocks (Bitcoin Core's default 4,000,000)."""
    max_weight: int = _field(path, data, "block_max_weight", int, default=4_000_000)
    if family != "bitcoin" and "block_max_weight" in data:
        raise ConfigError(f"{path.name}: field 'block_max_weight' is for the bitcoin family")
    if not 8_000 <= max_weight <= 4_000_000:
        raise ConfigError(f"{path.name}: field 'block_max_weight' must be 8000-4000000, got {max_weight}")
    return max_weight


def load_chain(path: Path, env: Mapping[str, str]) -> ChainSpec:
    """Read and validate one chain file."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ConfigError(f"{path.name}: larger than {MAX_FILE_BYTES // (1 << 20)} MiB; not a chain file")
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path.name}: cannot read: {type(exc).__name__}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: not valid TOML: {str(exc)[:120]}") from exc
    except RecursionError:
        # tomllib recurses per nesting level: a hostile file runs the stack out before it is rejected
        raise ConfigError(f"{path.name}: not valid TOML: tables or arrays nested too deeply") from None

    unknown = sorted(set(data) - _KNOWN_FIELDS)
    if unknown:
        raise ConfigError(f"{path.name}: unknown field {_shown_key(unknown[0])}")
    name = _field(path, data, "name", str)
    if not _NAME.match(name):
        raise ConfigError(f"{path.name}: field 'name' must be lower-case letters, digits or '-', got {_shown(name)}")
    if name != path.stem:
        raise ConfigError(f"{path.name}: field 'name' is {_shown(name)} but the file stem is {_shown(path.stem)}")
    family, chain_id, network = _identity(path, data)
    symbol = _field(path, data, "native_symbol", str)
    if not 1 <= len(symbol) <= 11 or not symbol.isalnum():
        raise ConfigError(f"{path.name}: field 'native_symbol' must be 1-11 letters or digits, got {_shown(symbol)}")
    decimals = _field(path, data, "native_decimals", int, default=18 if family == "evm" else 8)
    if not 0 <= decimals <= 36:
        raise ConfigError(f"{path.name}: field 'native_decimals' must be 0-36, got {decimals}")
    confirmations = _field(path, data, "confirmations", int)
    if not 1 <= confirmations <= 10_000:
        raise ConfigError(f"{path.name}: field 'confirmations' must be 1-10000, got {confirmations}")
    block_time = _field(path, data, "block_time", float)
    if not MIN_BLOCK_TIME <= block_time <= 600:
        raise ConfigError(
            f"{path.name}: field 'block_time' must be {MIN_BLOCK_TIME:g} to 600 seconds, got {_shown(block_time)}"
        )
    # the default lag follows the block time; it is the file's own field only when the file sets it
    lag = _field(path, data, "lag_tolerance", int, default=max(2, round(24 / block_time)) if block_time < 12 else 2)
    if not 0 <= lag <= 10_000:
        raise ConfigError(f"{path.name}: field 'lag_tolerance' must be 0-10000, got {lag}")
    mempool = _field(path, data, "mempool", bool, default=True)
    hedge = _field(path, data, "hedge", bool, default=False)
    finality = _field(path, data, "finality", str, default="finalized" if family == "evm" else "confirmations")
    if finality not in ("finalized", "confirmations"):
        raise ConfigError(f'{path.name}: field \'finality\' must be "finalized" or "confirmations"')
    if family == "bitcoin" and finality != "confirmations":
        raise ConfigError(f"{path.name}: field 'finality' must be \"confirmations\" for the bitcoin family")
    explorer = _field(path, data, "explorer_tx", str, default=None)
    if explorer is not None and ("{hash}" not in explorer or not explorer.startswith("https://")):
        raise ConfigError(f"{path.name}: field 'explorer_tx' must be an https URL containing {{hash}}")

    max_weight = _block_max_weight(path, data, family)
    endpoints = _endpoints(path, _field(path, data, "rpc", list), env)
    tokens = _tokens(path, _field(path, data, "tokens", dict, default={}))
    return ChainSpec(
        name=name,
        chain_id=chain_id,
        native_symbol=symbol,
        native_decimals=decimals,
        confirmations=confirmations,
        block_time=block_time,
        endpoints=endpoints,
        explorer_tx=explorer,
        mempool=mempool,
        lag_tolerance=lag,
        hedge=hedge,
        finality=finality,
        family=family,
        network=network,
        tokens=tokens,
        block_max_weight=max_weight,
    )


def _tokens(path: Path, raw: Mapping[str, Any]) -> tuple[KnownToken, ...]:
    """``[tokens]``: ``SYMBOL = "0x…"``, or ``SYMBOL = { address = "0x…", issuer = "…" }``."""
    out: list[KnownToken] = []
    for symbol, value in raw.items():
        where = f"tokens.{symbol}"
        if not _TOKEN_SYMBOL.match(symbol):
            raise ConfigError(f"{path.name}: field '{where}' must be a token symbol of letters, digits or '.'")
        issuer = None
        address = value
        if isinstance(value, dict):
            extra = sorted(set(value) - {"address", "issuer"})
            if extra:
                raise ConfigError(f"{path.name}: unknown field '{where}.{extra[0]}'")
            issuer = value.get("issuer")
            if issuer is not None and (not isinstance(issuer, str) or not 0 < len(issuer) <= 40):
                raise ConfigError(f"{path.name}: field '{where}.issuer' must be a name of at most 40 characters")
            address = value.get("address")
        if not isinstance(address, str) or not _TOKEN_ADDRESS.match(address):
            raise ConfigError(f"{path.name}: field '{where}' must be a 0x-prefixed 20-byte hex address")
        hexed = address[2:]
        # a mixed-case address carries an EIP-55 checksum: a wrong one is a typo
        if hexed not in (hexed.lower(), hexed.upper()) and to_checksum_address(address) != address:
            raise ConfigError(f"{path.name}: field '{where}' has a wrong EIP-55 checksum (a typo?)")
        if any(t.symbol.upper() == symbol.upper() for t in out):
            raise ConfigError(f"{path.name}: field '{where}' is listed twice")
        out.append(KnownToken(symbol, to_checksum_address(address), issuer))
    return tuple(out)


def _endpoints(path: Path, raw_rpc: list[Any], env: Mapping[str, str]) -> tuple[Endpoint, ...]:
    """Validate ``rpc`` and expand its variables; an endpoint whose variable is unset is skipped."""
    if not raw_rpc:
        raise ConfigError(f"{path.name}: field 'rpc' must list at least one endpoint")
    endpoints: list[Endpoint] = []
    for i, raw in enumerate(raw_rpc):
        if not isinstance(raw, str):
            raise ConfigError(f"{path.name}: field 'rpc[{i}]' must be a string")
        if "${" in _VAR.sub("", raw):  # would otherwise be sent as a literal
            raise ConfigError(f"{path.name}: field 'rpc[{i}]' has a malformed ${{VAR}} reference")
        url = _expand(raw, env)
        if url is None:
            log.warning("%s: skipping rpc[%d]: its environment variable is not set", path.name, i)
            continue
        if not _is_http_url(url):
            raise ConfigError(f"{path.name}: field 'rpc[{i}]' must be an http(s) URL, got {redact(url)}")
        if url not in (e.url for e in endpoints):
            endpoints.append(Endpoint(url=url, name=redact(url)))
    _disambiguate(endpoints)
    return tuple(endpoints)


def _disambiguate(endpoints: list[Endpoint]) -> None:
    """Two keys on one host redact alike; number them so metrics keep them apart."""
    seen: dict[str, int] = {}
    for i, ep in enumerate(endpoints):
        n = seen.get(ep.name, 0)
        seen[ep.name] = n + 1
        if n:
            endpoints[i] = Endpoint(url=ep.url, name=f"{ep.name}#{n + 1}")


def default_chains_dir() -> Path:
    """The bundled chain files: package data (``txdiag/data/chains``), in a checkout and an installed wheel alike."""
    return Path(__file__).resolve().parent / "data" / "chains"


def load_chains(directory: Path | None = None, env: Mapping[str, str] | None = None) -> dict[str, ChainSpec]:
    """Load every ``*.toml`` in ``directory`` (the bundled files when None); chain names and ids must be unique.

    ``env`` is what ``${VAR}`` endpoints expand from: ``Settings.variables``, never read here (None: nothing set).
    """
    env = {} if env is None else env
    directory = directory or default_chains_dir()
    if not directory.is_dir():
        raise ConfigError(f"chains directory not found: {directory.name or directory}")
    chains: dict[str, ChainSpec] = {}
    ids: dict[int, str] = {}
    for path in sorted(directory.glob("*.toml")):
        spec = load_chain(path, env)
        if spec.family == "bitcoin" and not spec.endpoints:
            # its endpoints carry node credentials and come only from variables: none set, no such chain here
            log.warning("%s: skipped: no endpoint is configured (is its variable set?)", path.name)
            continue
        if spec.chain_id is not None:
            if spec.chain_id in ids:
                raise ConfigError(f"{path.name}: field 'chain_id' {spec.chain_id} is also used by {ids[spec.chain_id]}")
            ids[spec.chain_id] = spec.name
        chains[spec.name] = spec
    if not chains:
        shown = directory.name or directory
        if any(directory.glob("*.toml")):
            raise ConfigError(f"no chain in {shown} has an endpoint configured (are their variables set?)")
        raise ConfigError(f"no chain files (*.toml) in {shown}")
    return chains
