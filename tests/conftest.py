"""Shared fixtures: two real anvil nodes with different chain ids, and chain files pointing at them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.anvil import Anvil, start_anvil, write_chain_file
from tests.support.chain import Chain
from tests.support.litecoind import Litecoind, start_litecoind
from tests.support.proxy import FaultProxy
from tests.support.words import english_words, names_of
from txdiag.families.bitcoin.models import BtcEvidence
from txdiag.families.bitcoin.report import rendered as bitcoin_rendered
from txdiag.guidance.render import render
from txdiag.report import Diagnosis

ALPHA_ID = 31337
BETA_ID = 31338


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test (and every CLI it runs) keeps its sightings in its own directory.

    Local nodes produce the same hashes on every start, so a sighting left by
    one test would turn another's fresh transaction into "seen long ago".
    """
    monkeypatch.setenv("TXDIAG_DATA_DIR", str(tmp_path / "txdiag-data"))
    monkeypatch.delenv("TXDIAG_LANG", raising=False)


def _strings(values: Iterable[Any]) -> list[str]:
    out: list[str] = []
    for v in values:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, list | tuple):
            out += _strings(v)
        elif isinstance(v, dict):
            out += _strings(v.values())
    return out


@pytest.fixture(autouse=True)
def _every_answer_also_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every diagnosis a test builds in this process is rendered in zh-CN too, and must hold no English words.

    So every scenario of every test (anvil transactions, faults, rules through the
    service) is checked, not a hand-picked list.
    """
    original = Diagnosis.build.__func__  # type: ignore[attr-defined]

    def build(  # noqa: PLR0917 - the signature of Diagnosis.build
        cls: type[Diagnosis], ev: Any, result: Any, chain: Any, lang: str, observed_at: Any
    ) -> Diagnosis:
        if isinstance(ev, BtcEvidence):  # a family with its own words renders them itself
            zh = bitcoin_rendered(result, ev, chain, "zh-CN")
        else:
            zh = render(result, ev, chain, "zh-CN")
        more = [chain.name] if chain is not None else []
        if isinstance(ev, BtcEvidence):  # addresses, txids and outpoints in its details are data
            more += [v for f in result.findings for v in _strings(f.details.values())]
        more += [t.symbol or "" for t in getattr(ev, "token_transfers", ())]
        names = names_of([f.details for f in result.findings], more)
        for text in (zh.summary, *(f.message for f in zh.findings), *zh.next_steps):
            assert english_words(text, names) == [], text
        built: Diagnosis = original(cls, ev, result, chain, lang, observed_at)
        return built

    monkeypatch.setattr(Diagnosis, "build", classmethod(build))


@pytest.fixture(scope="session")
def node_a() -> Iterator[Anvil]:
    """A shared automining node, chain "alpha" (31337). Tests must not change its mining mode."""
    node = start_anvil(ALPHA_ID)
    yield node
    node.stop()


@pytest.fixture(scope="session")
def node_b() -> Iterator[Anvil]:
    """A second shared node, chain "beta" (31338), for multi-chain and wrong-chain cases."""
    node = start_anvil(BETA_ID)
    yield node
    node.stop()


@pytest.fixture
def fresh_node() -> Iterator[Anvil]:
    """A node of the test's own (chain "alpha" id), free to switch mining off or change fees."""
    node = start_anvil(ALPHA_ID)
    yield node
    node.stop()


@pytest.fixture(scope="session")
def chain_a(node_a: Anvil) -> Chain:
    return Chain(node_a)


@pytest.fixture(scope="session")
def chain_b(node_b: Anvil) -> Chain:
    return Chain(node_b)


@pytest.fixture(scope="session")
def chains_dir(tmp_path_factory: pytest.TempPathFactory, node_a: Anvil, node_b: Anvil) -> Path:
    """Chain files for alpha and beta (confirmations 3; anvil's finalized tag trails by 64 blocks)."""
    directory = tmp_path_factory.mktemp("chains")
    write_chain_file(directory, "alpha", ALPHA_ID, [node_a.url])
    write_chain_file(directory, "beta", BETA_ID, [node_b.url], symbol="BETA")
    return directory


@pytest.fixture
def proxies(node_a: Anvil) -> Iterator[list[FaultProxy]]:
    """Two fault proxies in front of the shared node "alpha"; stopped after the test."""
    started = [FaultProxy(node_a.url).start(), FaultProxy(node_a.url).start()]
    yield started
    for p in started:
        p.stop()


@pytest.fixture(scope="session")
def ltc_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Litecoind]:
    """A shared Bitcoin-family node (litecoind -regtest, small blocks, a funded wallet).

    Tests that leave payments in its mempool mine them before they end.
    """
    node = start_litecoind(tmp_path_factory.mktemp("ltc") / "node")
    yield node
    node.stop()
