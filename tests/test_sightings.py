"""The sightings stores: memory and SQLite (WAL, thread-safe, survives reopening), and which one the service uses."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.anvil import Anvil, write_chain_file
from tests.support.chain import Chain, account
from txdiag.chains import load_chains
from txdiag.compose import build_service
from txdiag.errors import ConfigError
from txdiag.settings import Settings
from txdiag.sightings import (
    SIGHTINGS_FILE,
    MemorySightings,
    Sighting,
    SightingStore,
    SqliteSightings,
    recall,
    remember,
)

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
SENDER = "0x" + "11" * 20


def sighting(n: int = 1, *, at: datetime = T0, fee: int = 3 * 10**9, value: int | None = 10**17) -> Sighting:
    return Sighting("0x" + f"{n:064x}", "alpha", SENDER, n, fee, 10**9, at, at, to="0x" + "22" * 20, value=value)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SightingStore]:
    made: SightingStore = MemorySightings() if request.param == "memory" else SqliteSightings.in_dir(tmp_path / "d")
    yield made
    made.close()


def test_record_and_get(store: SightingStore) -> None:
    """What is recorded comes back equal, every field included."""
    s = sighting()
    assert store.record(s) == s
    assert store.get(s.hash) == s
    assert store.get("0x" + "ff" * 32) is None


def test_first_seen_kept_last_seen_advanced(store: SightingStore) -> None:
    """Seeing a hash again keeps the earliest first_seen and moves last_seen; fees follow the latest sighting."""
    store.record(sighting(at=T0))
    later = sighting(at=T0 + timedelta(minutes=3), fee=5 * 10**9)
    stored = store.record(later)
    assert stored.first_seen == T0
    assert stored.last_seen == T0 + timedelta(minutes=3)
    assert stored.fee_cap == 5 * 10**9
    assert store.get(later.hash) == stored


def test_huge_wei_values_round_trip(tmp_path: Path) -> None:
    """Fees and values above SQLite's 64-bit integers are stored exactly."""
    big = 2**256 - 1
    with_big = sighting(fee=big, value=big)
    s = SqliteSightings.in_dir(tmp_path)
    try:
        s.record(with_big)
        got = s.get(with_big.hash)
    finally:
        s.close()
    assert got is not None
    assert (got.fee_cap, got.value) == (big, big)


def test_survives_reopening_and_uses_wal(tmp_path: Path) -> None:
    """A second store on the same directory (a restarted process) sees what the first wrote; the file is in WAL mode."""
    first = SqliteSightings.in_dir(tmp_path / "data")
    first.record(sighting(7))
    first.close()
    second = SqliteSightings.in_dir(tmp_path / "data")
    try:
        assert second.get(sighting(7).hash) == sighting(7)
    finally:
        second.close()
    with sqlite3.connect(tmp_path / "data" / SIGHTINGS_FILE) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_concurrent_writers(tmp_path: Path) -> None:
    """Threads sharing one store and a second store on the same file write concurrently without losing a row."""
    # a wait long enough that no scheduling of six threads on a busy machine can reach it: this test is about
    # rows, not about the short production wait (the busy-store tests cover that)
    a = SqliteSightings(tmp_path / SIGHTINGS_FILE, busy_timeout=30)
    b = SqliteSightings(tmp_path / SIGHTINGS_FILE, busy_timeout=30)
    errors: list[BaseException] = []

    def write(target: SqliteSightings, start: int) -> None:
        try:
            for n in range(start, start + 50):
                target.record(sighting(n, at=T0 + timedelta(seconds=n)))
                target.record(sighting(n, at=T0 + timedelta(seconds=n + 1)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(a if i % 2 else b, i * 50)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert not errors
        for n in range(300):
            got = a.get(sighting(n).hash)
            assert got is not None
            assert got.first_seen == T0 + timedelta(seconds=n)
            assert got.last_seen == T0 + timedelta(seconds=n + 1)
    finally:
        a.close()
        b.close()


def test_closed_store_and_naive_times_refused(tmp_path: Path) -> None:
    """A closed store refuses use; a time without a zone is refused rather than stored ambiguously."""
    s = SqliteSightings.in_dir(tmp_path)
    with pytest.raises(ValueError, match="timezone"):
        s.record(sighting(at=datetime(2025, 1, 1)))
    s.close()
    with pytest.raises(RuntimeError, match="closed"):
        s.get(sighting().hash)


@pytest.mark.parametrize(("value", "persist"), [(None, True), ("sqlite", True), ("memory", False), ("MEMORY", False)])
def test_setting_from_env(value: str | None, persist: bool) -> None:
    """From the environment, sightings persist unless TXDIAG_SIGHTINGS=memory; the constructor default is memory."""
    env = {} if value is None else {"TXDIAG_SIGHTINGS": value}
    assert Settings.from_env(env).persist_sightings is persist
    assert Settings().persist_sightings is False


def test_bad_setting_refused() -> None:
    """An unknown store name fails at start-up with the setting's name."""
    with pytest.raises(ConfigError, match="TXDIAG_SIGHTINGS"):
        Settings.from_env({"TXDIAG_SIGHTINGS": "redis"})


async def test_service_store_choice(tmp_path: Path) -> None:
    """The service keeps sightings in SQLite under data_dir when asked, and in memory if that directory is unusable."""
    write_chain_file(tmp_path / "chains", "alpha", 31337, ["http://127.0.0.1:9"])
    chains = load_chains(tmp_path / "chains")
    async with build_service(Settings(data_dir=tmp_path / "data", persist_sightings=True), chains) as service:
        assert isinstance(service.sightings, SqliteSightings)
    assert (tmp_path / "data" / SIGHTINGS_FILE).exists()
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    async with build_service(Settings(data_dir=blocker / "data", persist_sightings=True), chains) as service:
        assert isinstance(service.sightings, MemorySightings)
    async with build_service(Settings(data_dir=tmp_path / "unused"), chains) as service:
        assert isinstance(service.sightings, MemorySightings)
    assert not (tmp_path / "unused").exists()


def hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another connection (as another process would) takes the file's write lock and keeps it."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_busy_store_gives_up_quickly(tmp_path: Path) -> None:
    """While another connection holds the write lock, record() raises OperationalError within a second, not 5 s."""
    s = SqliteSightings.in_dir(tmp_path)
    other = hold_write_lock(tmp_path / SIGHTINGS_FILE)
    try:
        started = time.monotonic()
        with pytest.raises(sqlite3.OperationalError):
            s.record(sighting())
        assert time.monotonic() - started < 1.0
    finally:
        other.rollback()
        other.close()
    assert s.record(sighting()) == sighting()  # usable again once the lock is released
    s.close()


async def test_remember_and_recall_survive_an_unusable_store(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A nonce SQLite cannot hold, a locked file and a missing table: None and a warning, never an exception."""
    s = SqliteSightings.in_dir(tmp_path)
    huge = dataclasses.replace(sighting(), nonce=2**63)
    with pytest.raises(OverflowError):
        s.record(huge)  # the store itself says so; the async face turns it into "no sighting"
    assert await remember(s, huge) is None
    other = hold_write_lock(tmp_path / SIGHTINGS_FILE)
    try:
        assert await remember(s, sighting(2)) is None
    finally:
        other.rollback()
    other.execute("DROP TABLE sightings")
    other.close()
    assert await recall(s, sighting(2).hash) is None
    s.close()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "txdiag.sightings"]
    assert len(warnings) == 3, caplog.text
    assert "OverflowError" in warnings[0].getMessage()
    assert "no such table" in warnings[2].getMessage()
    memory = MemorySightings()
    assert await remember(memory, huge) == huge  # the memory store holds any nonce
    assert await recall(memory, huge.hash) == huge


async def test_locked_store_neither_blocks_the_loop_nor_fails_a_diagnosis(
    fresh_node: Anvil, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A pending tx diagnosed while another process holds the store's write lock: delayed, loop kept turning."""
    fresh_node.automine(False)
    tx_hash = Chain(fresh_node).send(account(0), account(1).address, value=10**15, gas=21_000)
    write_chain_file(tmp_path / "chains", "alpha", 31337, [fresh_node.url])
    store = SqliteSightings.in_dir(tmp_path / "data")
    gaps: list[float] = []

    async def ticker() -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.01)
            gaps.append(time.monotonic() - before)

    other = hold_write_lock(tmp_path / "data" / SIGHTINGS_FILE)
    ticking: asyncio.Task[None] | None = None
    try:
        async with build_service(Settings(), load_chains(tmp_path / "chains"), sightings=store) as service:
            # the diagnosis is what is watched: not the service's start-up, nor a full collection this test
            # process owes for what earlier tests left (a pause of its own, hundreds of ms on the suite's heap)
            gc.collect()
            ticking = asyncio.create_task(ticker())
            started = time.monotonic()
            diagnosis = await service.diagnose(tx_hash)
            elapsed = time.monotonic() - started
    finally:
        if ticking is not None:
            ticking.cancel()
        other.rollback()
        other.close()
    assert diagnosis.verdict == "delayed"
    assert elapsed < 3.0
    assert max(gaps) < 0.2, f"the event loop stalled for {max(gaps):.2f} s"
    assert "not recorded" in caplog.text
