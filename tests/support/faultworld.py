"""A mixed world of real transactions, and the faults public endpoints show, for fault tests and the bench.

``build_world`` creates, on a node of its own, one or more transactions of each
kind a support desk hears about (a payment, tokens sent to the token's own
contract, a revert, a nonce gap, a look-alike of a friend's address, an
unknown hash). ``flaky`` is the fault mix of a throttling public endpoint:
429 with Retry-After 1, 502, 503 and resets on a share of requests.
"""

from __future__ import annotations

import random

from eth_account import Account
from eth_utils import to_checksum_address

from tests.support.anvil import Anvil
from tests.support.chain import Chain, account, calldata
from tests.support.proxy import Fault, Schedule, seeded

ETH = 10**18


FLAKY_KINDS: tuple[Fault, ...] = (
    Fault(status=429, retry_after="1"),
    Fault(status=502),
    Fault(status=503),
    Fault(reset=True),
)


def flaky(seed: int, rate: float = 0.4) -> Schedule:
    """429 (Retry-After: 1), 502, 503 or a reset, one as likely as another, on ``rate`` of requests.

    A fault schedule (:func:`tests.support.proxy.seeded`): which request meets
    which fault follows from what it asks and its attempt, not from timing.
    """
    return seeded(seed, rate, [lambda _rng, kind=kind: kind for kind in FLAKY_KINDS])


def _digits_at_ends(rng: random.Random, prefix: int, suffix: int) -> str:
    """A random address whose shared ends are digits only (so no text quoting them reads as a word)."""
    while True:
        body = rng.randbytes(20).hex()
        if (body[:prefix] + body[-suffix:]).isdigit():
            return to_checksum_address("0x" + body)


def _twin(address: str, prefix: int, suffix: int, rng: random.Random) -> str:
    """Another address sharing exactly ``prefix`` leading and ``suffix`` trailing hex digits with ``address``."""
    body = address[2:].lower()
    middle = list(rng.randbytes(20).hex()[: 40 - prefix - suffix])
    middle[0] = "0" if body[prefix] != "0" else "1"
    middle[-1] = "0" if body[39 - suffix] != "0" else "1"
    return to_checksum_address("0x" + body[:prefix] + "".join(middle) + body[40 - suffix :])


def build_world(node: Anvil) -> dict[str, list[str]]:
    """Transactions of every kind, by kind; mined ones are final, the nonce gap stays pending (mining is turned off)."""
    chain = Chain(node)
    funder = account(9)
    victim: Account = Account.create()
    attacker: Account = Account.create()
    chain.send(funder, victim.address, value=20 * ETH, gas=21_000)
    chain.send(funder, attacker.address, value=1 * ETH, gas=21_000)
    token = chain.deploy("Stardust", victim)
    chain.send(victim, token, data=calldata("Stardust", "mint", victim.address, 1000 * ETH), gas=200_000)

    def pay_token(to: str, amount: int) -> str:
        return chain.send(victim, token, data=calldata("Stardust", "transfer", to, amount), gas=200_000)

    world: dict[str, list[str]] = {}
    world["payment"] = [chain.send(account(1), account(2).address, value=1000 + i, gas=21_000) for i in range(3)]
    world["token_to_own_contract"] = [pay_token(token, 5 * ETH)]
    failures = chain.deploy("Failures", account(3))
    world["revert"] = [chain.send(account(3), failures, data=calldata("Failures", "failString"), gas=200_000)]
    rng = random.Random(11)
    lookalike = _digits_at_ends(rng, 5, 4)
    friend = _twin(lookalike, 5, 4, rng)
    pay_token(friend, 10 * ETH)
    pay_token(friend, 12 * ETH)
    chain.send(attacker, token, data=calldata("Stardust", "transferFrom", victim.address, lookalike, 0), gas=200_000)
    world["lookalike"] = [pay_token(lookalike, 11 * ETH)]
    node.mine(70)  # past anvil's finalized tag (64 behind)
    node.automine(False)
    gapper = account(5)
    start = chain.nonce(gapper.address)
    world["nonce_gap"] = [chain.send(gapper, account(7).address, value=1, gas=21_000, nonce=start + 1)]
    world["unknown"] = ["0x" + random.Random(7).randbytes(32).hex()]
    return world
