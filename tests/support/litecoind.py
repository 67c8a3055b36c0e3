"""A real Bitcoin-family node for tests and the bench: Debian's litecoind in regtest on free loopback ports.

Litecoin Core 0.21 speaks Bitcoin Core's JSON-RPC of that era. The node is
started so that it behaves like Bitcoin Core for what txdiag reads: BIP125
replacements honoured (``-mempoolreplacement=1``, off by default in Litecoin),
a transaction index, a fallback fee (regtest has no estimates), wallet
payments allowed down to the relay floor, and small blocks so congestion is
real with a few dozen payments.
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.support.anvil import free_port

RPC_USER = "txdiag"
RPC_PASSWORD = "regtest-only-password"
BLOCK_MAX_WEIGHT = 20_000  # about 4,000 vB a block: a few dozen payments congest it
READY_TIMEOUT = 60.0
COIN = 100_000_000
COIN_BATCHES, COINS_PER_BATCH = 4, 40


class NodeRpcError(RuntimeError):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def litecoind() -> str:
    found = shutil.which("litecoind")
    if found is None:
        raise RuntimeError("litecoind is not installed: run scripts/install-test-deps.sh")
    return found


def sats(coins: Any) -> int:
    """An amount the node writes in coins (a JSON number), as an exact number of satoshis."""
    return int((Decimal(str(coins)) * COIN).to_integral_value())


def coins(sat: int) -> Decimal:
    return Decimal(sat) / COIN


@dataclass
class Litecoind:
    """One running regtest node; ``rpc`` talks to the node, ``wallet`` to its test wallet."""

    datadir: Path
    port: int
    rpc_port: int
    args: tuple[str, ...]
    process: subprocess.Popen[bytes] | None = None
    _ids: int = field(default=0)

    @property
    def url(self) -> str:
        """The endpoint as a chain file writes it: credentials in the userinfo."""
        return f"http://{RPC_USER}:{RPC_PASSWORD}@127.0.0.1:{self.rpc_port}"

    def _post(self, path: str, method: str, params: list[Any], timeout: float = 30.0) -> Any:
        self._ids += 1
        body = json.dumps({"jsonrpc": "1.0", "id": self._ids, "method": method, "params": params}).encode()
        auth = base64.b64encode(f"{RPC_USER}:{RPC_PASSWORD}".encode()).decode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.rpc_port}{path}",
            data=body,
            headers={"Content-Type": "application/json", "Authorization": f"Basic {auth}"},
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                reply = json.loads(resp.read(), parse_float=Decimal)
        except urllib.error.HTTPError as exc:  # Bitcoin Core answers a failed single call with HTTP 500 and a body
            payload = exc.read()
            try:
                reply = json.loads(payload, parse_float=Decimal)
            except ValueError:
                raise NodeRpcError(exc.code, payload.decode(errors="replace")[:200]) from exc
        err = reply.get("error")
        if err:
            raise NodeRpcError(int(err.get("code", 0)), str(err.get("message", "")))
        return reply["result"]

    def rpc(self, method: str, *params: Any) -> Any:
        return self._post("/", method, list(params))

    def wallet(self, method: str, *params: Any, name: str = "test") -> Any:
        return self._post(f"/wallet/{name}", method, list(params))

    # -- lifetime -----------------------------------------------------------

    def start(self) -> Litecoind:
        self.datadir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [litecoind(), f"-datadir={self.datadir}", *self.args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        """Poll the RPC until it answers (warm-up answers -28), bounded; a node that exits is reported."""
        deadline = time.monotonic() + READY_TIMEOUT
        delay = 0.05
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise RuntimeError(f"litecoind exited with {self.process.returncode}: {err[-500:]}")
            try:
                self._post("/", "getblockcount", [], timeout=2.0)
                return
            except (OSError, NodeRpcError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("litecoind did not answer RPC in time")
            time.sleep(delay)  # polling a process we do not control: the only signal is its answer
            delay = min(delay * 2, 0.5)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(OSError, NodeRpcError):
            self.rpc("stop")
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.process.stderr is not None:
            self.process.stderr.close()

    # -- helpers for scenarios ---------------------------------------------

    def new_address(self, kind: str = "bech32") -> str:
        return str(self.wallet("getnewaddress", "", kind))

    def mine(self, blocks: int = 1) -> list[str]:
        return list(self.rpc("generatetoaddress", blocks, self.miner_address))

    @property
    def miner_address(self) -> str:
        addr = getattr(self, "_miner", None)
        if addr is None:
            addr = self.new_address()
            self._miner = addr
        return addr

    def clear_mempool(self) -> None:
        """Mine until the node's mempool is empty (small blocks take a few)."""
        for _ in range(200):
            if not self.rpc("getrawmempool"):
                return
            self.mine(1)
        raise RuntimeError("mempool did not empty")


def node_args(port: int, rpc_port: int, *extra: str) -> tuple[str, ...]:
    return (
        "-regtest",
        "-server=1",
        "-listen=1",
        "-bind=127.0.0.1",
        f"-port={port}",
        "-rpcbind=127.0.0.1",
        "-rpcallowip=127.0.0.1",
        f"-rpcport={rpc_port}",
        f"-rpcuser={RPC_USER}",
        f"-rpcpassword={RPC_PASSWORD}",
        "-txindex=1",
        "-mempoolreplacement=1",  # Litecoin 0.21 refuses BIP125 replacements without it
        "-fallbackfee=0.0001",
        "-mintxfee=0.00001",  # 1 sat/vB: the relay floor, so low-fee payments can be made
        f"-blockmaxweight={BLOCK_MAX_WEIGHT}",
        "-persistmempool=0",
        "-dnsseed=0",
        "-discover=0",
        "-upnp=0",
        "-printtoconsole=0",
        "-rpcthreads=8",
        "-rpcworkqueue=64",
        *extra,
    )


def start_litecoind(datadir: Path, *extra: str) -> Litecoind:
    """A fresh regtest node with a funded wallet ("test") holding many confirmed coins."""
    port, rpc_port = free_port(), free_port()
    node = Litecoind(datadir, port, rpc_port, node_args(port, rpc_port, *extra)).start()
    try:
        node.rpc("createwallet", "test")
        node.mine(110)  # coinbase outputs mature after 100 blocks
        # many confirmed coins, so every scenario's payment spends its own coin and no chain forms by accident
        big = [u for u in node.wallet("listunspent") if sats(u["amount"]) >= 10 * COIN][:COIN_BATCHES]
        for u in big:  # one mature coinbase coin each, so each payment fits one small block
            outputs = {node.new_address(): "0.5" for _ in range(COINS_PER_BATCH)}
            outputs[node.new_address()] = str(coins(sats(u["amount"]) - COINS_PER_BATCH * COIN // 2 - 20_000))
            raw = node.wallet("createrawtransaction", [{"txid": u["txid"], "vout": u["vout"]}], outputs)
            signed = node.wallet("signrawtransactionwithwallet", raw)["hex"]
            node.rpc("sendrawtransaction", signed)
        node.clear_mempool()
    except BaseException:
        node.stop()
        raise
    return node


def write_bitcoin_chain_file(directory: Path, name: str, url: str, *, confirmations: int = 6) -> Path:
    path = directory / f"{name}.toml"
    path.write_text(
        f'name = "{name}"\nfamily = "bitcoin"\nnetwork = "regtest"\nnative_symbol = "LTC"\n'
        f"native_decimals = 8\nconfirmations = {confirmations}\nblock_time = 150\n"
        f"block_max_weight = {BLOCK_MAX_WEIGHT}\n"
        f'rpc = ["{url}"]\n',
        encoding="utf-8",
    )
    return path
