"""One real transaction per verdict, for the page's tests, on a node of the page tests' own.

The node automines; "delayed" is a transaction stuck behind a missing nonce,
which stays in the pool however many blocks are mined, so every scenario keeps
its verdict for the whole session.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from tests.support import hostile
from tests.support.anvil import Anvil, start_anvil, write_chain_file
from tests.support.chain import Chain, account, calldata

ETH = 10**18
DEAD = "0x000000000000000000000000000000000000dEaD"
HOSTILE_SYMBOL = "<img src=x onerror=alert(1)>"
PAGE_CHAIN_ID = 31337
# finality by depth (anvil's finalized tag trails by 64 blocks); 3 confirmations are final
CHAIN_EXTRA = 'finality = "confirmations"\n'
# nothing is mined once the scenarios exist, so a long block time changes no verdict; it keeps a pending
# page's refresh (about a block time) well away from a browser test that is still reading the page
BLOCK_TIME = 60.0


@dataclass(frozen=True)
class Scenarios:
    """A hash for each verdict, and the extra cases the page must show safely."""

    node: Anvil
    chains_dir: Path
    confirmed: str
    delayed: str
    failed: str
    misdirected: str
    not_found: str
    hostile_token: str  # a confirmed transfer of a token whose symbol is HTML
    paid: str  # the recipient of the confirmed transfer (for an "expected_to" that differs)

    def by_verdict(self) -> dict[str, str]:
        return {
            "confirmed": self.confirmed,
            "delayed": self.delayed,
            "failed": self.failed,
            "misdirected": self.misdirected,
            "not_found": self.not_found,
        }


def funded(chain: Chain, eth: int = 5) -> LocalAccount:
    """A brand-new account with no history of its own."""
    acct: LocalAccount = Account.create()
    chain.send(account(0), acct.address, value=eth * ETH, gas=21_000)
    return acct


def build(node: Anvil, directory: Path) -> Scenarios:
    chain = Chain(node)
    write_chain_file(directory, "alpha", PAGE_CHAIN_ID, [node.url], block_time=BLOCK_TIME, extra=CHAIN_EXTRA)
    payer, recipient = funded(chain), Account.create()
    confirmed = chain.send(payer, recipient.address, value=ETH, gas=21_000)
    # nonce 1 before nonce 0 was ever sent: it waits in the pool for the missing nonce
    stuck = funded(chain)
    delayed = chain.send(stuck, Account.create().address, value=ETH, gas=21_000, nonce=1, wait=False)
    token = chain.deploy("Stardust", account(0))
    poor = funded(chain)
    failed = chain.send(poor, token, data=calldata("Stardust", "transfer", recipient.address, 7 * ETH), gas=100_000)
    misdirected = chain.send(funded(chain), DEAD, value=ETH, gas=21_000)
    lying = hostile.deploy(chain, account(0), HOSTILE_SYMBOL)
    hostile_tx = chain.send(funded(chain), lying, data=hostile.transfer_data(recipient.address, 5 * ETH), gas=100_000)
    node.mine(3)  # everything mined is final from here on (3 confirmations)
    return Scenarios(
        node=node,
        chains_dir=directory,
        confirmed=confirmed,
        delayed=delayed,
        failed=failed,
        misdirected=misdirected,
        not_found="0x" + secrets.token_hex(32),
        hostile_token=hostile_tx,
        paid=recipient.address,
    )


@pytest.fixture(scope="session")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenarios]:
    """The page tests' own node (nobody else's pool or blocks to share) and its scenarios."""
    node = start_anvil(PAGE_CHAIN_ID)
    try:
        yield build(node, tmp_path_factory.mktemp("page-chains"))
    finally:
        node.stop()
