"""Real local nodes for tests, the demo and the bench: anvil on free loopback ports."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TOOLS_BIN = ROOT / "tools" / "node_modules" / ".bin"
MNEMONIC = "test test test test test test test test test test test junk"


def tool(name: str) -> str:
    """A pinned tool installed by the project's set-up (never one from PATH by accident)."""
    path = TOOLS_BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed: run `make setup`")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Anvil:
    """One running anvil node; ``rpc`` sends raw JSON-RPC to it."""

    chain_id: int
    port: int
    process: subprocess.Popen[bytes]
    args: tuple[str, ...] = ()
    cache: Path | None = None  # where anvil writes the states it keeps no longer in memory; removed by stop()
    _ids: int = field(default=0)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rpc(self, method: str, *params: Any) -> Any:
        """One JSON-RPC call; raises RuntimeError carrying the node's error."""
        self._ids += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self._ids, "method": method, "params": list(params)}).encode()
        req = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            reply = json.loads(resp.read())
        if "error" in reply:
            raise RpcFailed(reply["error"].get("code"), reply["error"].get("message", ""), reply["error"].get("data"))
        return reply["result"]

    def mine(self, blocks: int = 1) -> None:
        self.rpc("anvil_mine", hex(blocks))
        self.fee_history_caught_up()

    def fee_history_caught_up(self, timeout: float = 15.0) -> None:
        """Return once eth_feeHistory with reward percentiles reaches the head.

        anvil fills the cache behind those answers in the background: just after a burst of mined blocks the
        fee history can end a few blocks below the head, and a snapshot read then fails txdiag's check that
        its fee history ends at its head (``fee_history_disagrees_with_head``). This waits for that state.
        """
        head = self.head()
        deadline = time.monotonic() + timeout
        while True:
            history = self.rpc("eth_feeHistory", "0x1", "latest", [50.0])
            if int(history["oldestBlock"], 16) + len(history["gasUsedRatio"]) - 1 >= head:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"anvil's fee history did not reach block {head} in {timeout} s")
            time.sleep(0.005)  # a poll interval while the node's own task catches up, not an ordering

    def automine(self, on: bool) -> None:
        self.rpc("evm_setAutomine", on)

    def head(self) -> int:
        return int(self.rpc("eth_blockNumber"), 16)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.cache is not None:
            shutil.rmtree(self.cache, ignore_errors=True)


class RpcFailed(RuntimeError):
    def __init__(self, code: int | None, message: str, data: Any = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.data = data


def start_anvil(chain_id: int = 31337, extra: Sequence[str] = (), *, port: int | None = None) -> Anvil:
    """Start anvil and wait until it answers; the caller stops it."""
    for _attempt in range(5):
        p = port or free_port()
        # anvil writes the states it no longer keeps in memory (beyond ~500 blocks: ~100 kB each) under
        # ~/.foundry/anvil/tmp and leaves them there when it is stopped: each node gets its own directory instead,
        # removed when it stops, so a run of the suite leaves no gigabytes behind
        cache = Path(tempfile.mkdtemp(prefix="anvil-states-"))
        args = (
            tool("anvil"), "--host", "127.0.0.1", "--port", str(p), "--chain-id", str(chain_id), "--silent",
            "--cache-path", str(cache), *extra,
        )  # fmt: skip
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
        node = Anvil(chain_id, p, proc, tuple(extra), cache)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break  # the port was taken between choosing and binding: try another
            with contextlib.suppress(OSError, ValueError):
                if int(node.rpc("eth_chainId"), 16) == chain_id:
                    return node
            time.sleep(0.05)
        node.stop()
        if port is not None:
            break
    raise RuntimeError(f"anvil did not start (chain id {chain_id})")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("NO_COLOR", "1")
    return env


@contextlib.contextmanager
def anvil(chain_id: int = 31337, extra: Sequence[str] = ()) -> Iterator[Anvil]:
    node = start_anvil(chain_id, extra)
    try:
        yield node
    finally:
        node.stop()


def write_chain_file(
    directory: Path,
    name: str,
    chain_id: int,
    urls: Sequence[str],
    *,
    symbol: str = "ETH",
    confirmations: int = 3,
    block_time: float = 1.0,
    mempool: bool = True,
    extra: str = "",
) -> Path:
    """A chain file pointing at local nodes (or proxies in front of them)."""
    directory.mkdir(parents=True, exist_ok=True)
    rpc = ", ".join(json.dumps(u) for u in urls)
    text = (
        f'name = "{name}"\nchain_id = {chain_id}\nnative_symbol = "{symbol}"\nconfirmations = {confirmations}\n'
        f"block_time = {block_time}\nrpc = [{rpc}]\nmempool = {'true' if mempool else 'false'}\n"
        f'explorer_tx = "https://explorer.invalid/{name}/tx/{{hash}}"\n{extra}'
    )
    path = directory / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path
