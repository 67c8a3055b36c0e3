"""The sightings stores: memory and SQLite (WAL, thread-safe, survives reopening), and which one the service uses."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.anvil import write_chain_file
from txdiag.chains import load_chains
from txdiag.errors import ConfigError
from txdiag.service import Service
from txdiag.settings import Settings
from txdiag.sightings import SIGHTINGS_FILE, MemorySightings, Sighting, SightingStore, SqliteSightings

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
    a = SqliteSightings.in_dir(tmp_path)
    b = SqliteSightings.in_dir(tmp_path)
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
    async with Service(chains, Settings(data_dir=tmp_path / "data", persist_sightings=True)) as service:
        assert isinstance(service.sightings, SqliteSightings)
    assert (tmp_path / "data" / SIGHTINGS_FILE).exists()
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    async with Service(chains, Settings(data_dir=blocker / "data", persist_sightings=True)) as service:
        assert isinstance(service.sightings, MemorySightings)
    async with Service(chains, Settings(data_dir=tmp_path / "unused")) as service:
        assert isinstance(service.sightings, MemorySightings)
    assert not (tmp_path / "unused").exists()
