"""The main job on a local embedded default: a real node, real transactions, real diagnoses.

Starts an anvil node, deploys a test token and a contract that fails on
purpose, sends a few real signed transactions (confirmed, token transfer,
failed, misdirected, one left pending with a fee under the base fee), then
diagnoses each one through the `txdiag` command line exactly as a user would.

    make demo            # English
    TXDIAG_LANG=zh-CN make demo
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.anvil import start_anvil, write_chain_file  # noqa: E402
from tests.support.chain import GWEI, Chain, account, calldata  # noqa: E402

TXDIAG = str(Path(sys.executable).parent / "txdiag")


def main() -> int:
    lang = os.environ.get("TXDIAG_LANG", "en")
    node = start_anvil(31337)
    try:
        chain = Chain(node)
        alice, bob = account(0), account(1)
        with tempfile.TemporaryDirectory() as tmp:
            chains_dir = Path(tmp) / "chains"
            write_chain_file(chains_dir, "local", 31337, [node.url], confirmations=12, block_time=2)
            env = {**os.environ, "TXDIAG_DATA_DIR": str(Path(tmp) / "data")}

            token = chain.deploy("Stardust", alice)
            failures = chain.deploy("Failures", alice)
            chain.send(alice, token, data=calldata("Stardust", "mint", alice.address, 1000 * 10**18), gas=200_000)

            examples: list[tuple[str, str]] = []
            examples.append(("a payment of 1.5 ETH", chain.send(alice, bob.address, value=15 * 10**17, gas=21_000)))
            examples.append(
                (
                    "a token transfer of 7 STRD",
                    chain.send(
                        alice, token, data=calldata("Stardust", "transfer", bob.address, 7 * 10**18), gas=200_000
                    ),
                )
            )
            examples.append(
                (
                    "a token transfer Bob cannot afford",
                    chain.send(
                        bob, token, data=calldata("Stardust", "transfer", alice.address, 50 * 10**18), gas=200_000
                    ),
                )
            )
            examples.append(
                (
                    "a call that reverts with a reason",
                    chain.send(alice, failures, data=calldata("Failures", "failString"), gas=200_000),
                )
            )
            examples.append(
                (
                    "tokens sent to the token's own contract",
                    chain.send(alice, token, data=calldata("Stardust", "transfer", token, 3 * 10**18), gas=200_000),
                )
            )
            node.mine(70)  # the first examples are now final; later ones are still gaining confirmations
            examples.append(("a fresh payment", chain.send(alice, bob.address, value=10**17, gas=21_000)))

            # a transaction left waiting: sent, then the base fee rises above its fee cap before any block
            node.automine(False)
            stuck = chain.send(alice, bob.address, value=10**16, gas=21_000, max_fee=3 * GWEI, tip=1 * GWEI)
            node.rpc("anvil_setNextBlockBaseFeePerGas", hex(5 * GWEI))
            examples.append(("a payment whose fee is now too low", stuck))
            examples.append(("a hash no network knows", "0x" + "5a" * 32))

            for title, tx_hash in examples:
                print("=" * 100)
                print(f"# {title}: txdiag diagnose {tx_hash} --lang {lang}")
                print("=" * 100, flush=True)
                result = subprocess.run(
                    [TXDIAG, "diagnose", tx_hash, "--chains-dir", str(chains_dir), "--lang", lang],
                    env=env,
                    check=False,
                )
                if result.returncode != 0:
                    print(f"(exit code {result.returncode})")
                print(flush=True)
    finally:
        node.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
