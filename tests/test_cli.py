"""The command line, run as a subprocess against real local nodes."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.anvil import Anvil, free_port, write_chain_file
from tests.support.chain import Chain, account, calldata
from txdiag.sightings import SIGHTINGS_FILE, SqliteSightings

TXDIAG = str(Path(sys.executable).parent / "txdiag")


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    full_env = {
        **os.environ,
        "TXDIAG_DATA_DIR": os.environ.get("TXDIAG_TEST_DATA", "/nonexistent-unused"),
        **(env or {}),
    }
    full_env.pop("TXDIAG_LANG", None)
    return subprocess.run([TXDIAG, *args], capture_output=True, text=True, timeout=timeout, env=full_env, check=False)


def diagnose_json(tx_hash: str, chains_dir: Path, *extra: str) -> dict[str, object]:
    result = run("diagnose", tx_hash, "--chains-dir", str(chains_dir), "--json", *extra)
    assert result.returncode == 0, result.stderr
    doc: dict[str, object] = json.loads(result.stdout)
    return doc


@pytest.fixture(scope="module")
def payment(chain_a: Chain) -> str:
    """A real 1.5 ETH payment, mined."""
    return chain_a.send(account(0), account(1).address, value=15 * 10**17, gas=21_000)


def test_confirmed_payment_json(payment: str, chains_dir: Path, node_a: Anvil) -> None:
    """A mined payment: chain, verdict, findings with numbers, tx facts and network, per the JSON contract."""
    node_a.mine(70)  # anvil's finalized tag trails the head by 64 blocks
    doc = diagnose_json(payment, chains_dir)
    assert doc["verdict"] == "confirmed"
    assert doc["chain"] == {"name": "alpha", "chain_id": 31337}
    assert doc["hash"] == payment
    tx = doc["tx"]
    assert isinstance(tx, dict)
    assert tx["from"] == account(0).address
    assert tx["value"] == str(15 * 10**17)
    assert tx["value_display"] == "1.5 ETH"
    assert tx["finalized"] is True
    assert tx["confirmations"] >= 70
    findings = doc["findings"]
    assert isinstance(findings, list)
    assert findings[0]["code"] == "confirmed"
    assert findings[0]["details"]["finalized"] is True
    assert doc["lang"] == "en"
    assert str(doc["observed_at"]).endswith("Z")
    network = doc["network"]
    assert isinstance(network, dict)
    assert isinstance(network["next_base_fee_per_gas"], int)


def test_awaiting_confirmations_in_both_languages(chain_a: Chain, chains_dir: Path) -> None:
    """A just-mined payment is delayed awaiting confirmations, with the same numbers in English and Chinese."""
    tx_hash = chain_a.send(account(0), account(2).address, value=10**17, gas=21_000)
    en = run("diagnose", tx_hash, "--chains-dir", str(chains_dir))
    zh = run("diagnose", tx_hash, "--chains-dir", str(chains_dir), "--lang", "zh-CN")
    assert en.returncode == zh.returncode == 0
    assert "Verdict: DELAYED" in en.stdout
    assert "awaiting_confirmations" in en.stdout
    assert "结论：延迟" in zh.stdout
    assert "确认" in zh.stdout
    assert "助记词" in zh.stdout  # the safety notice
    assert "seed phrase" in en.stdout


def test_token_transfer_listed_with_symbol_and_amount(chain_a: Chain, chains_dir: Path) -> None:
    """ERC-20 Transfer logs are listed with the token's symbol and a human amount."""
    token = chain_a.deploy("Stardust", account(3))
    chain_a.send(account(3), token, data=calldata("Stardust", "mint", account(3).address, 100 * 10**18), gas=200_000)
    tx_hash = chain_a.send(
        account(3), token, data=calldata("Stardust", "transfer", account(4).address, 7 * 10**18), gas=200_000
    )
    doc = diagnose_json(tx_hash, chains_dir)
    tx = doc["tx"]
    assert isinstance(tx, dict)
    (transfer,) = tx["token_transfers"]
    assert transfer["symbol"] == "STRD"
    assert transfer["amount"] == "7"
    assert transfer["to"] == account(4).address
    text = run("diagnose", tx_hash, "--chains-dir", str(chains_dir)).stdout
    assert f"7 STRD {account(3).address} -> {account(4).address}" in text


def test_reverted_is_failed(chain_a: Chain, chains_dir: Path) -> None:
    """A transaction whose receipt status is 0 is failed / reverted."""
    failures = chain_a.deploy("Failures", account(5))
    tx_hash = chain_a.send(account(5), failures, data=calldata("Failures", "failString"), gas=200_000)
    doc = diagnose_json(tx_hash, chains_dir, "--chain", "alpha")
    assert doc["verdict"] == "failed"
    codes = [f["code"] for f in doc["findings"]]  # type: ignore[attr-defined]
    assert "reverted" in codes


def test_found_on_other_chain(chain_b: Chain, chains_dir: Path) -> None:
    """Asked on alpha, the transaction is on beta: it is diagnosed on beta with found_on_other_chain."""
    tx_hash = chain_b.send(account(0), account(1).address, value=10**16, gas=21_000)
    doc = diagnose_json(tx_hash, chains_dir, "--chain", "alpha")
    assert doc["chain"] == {"name": "beta", "chain_id": 31338}
    findings = doc["findings"]
    assert isinstance(findings, list)
    other = next(f for f in findings if f["code"] == "found_on_other_chain")
    assert other["details"] == {"asked_chain": "alpha", "chain": "beta"}


def test_not_found_names_chains_and_endpoints(chains_dir: Path) -> None:
    """An unknown hash is not_found after every chain was asked; the details name chains and endpoints."""
    doc = diagnose_json("0x" + "5a" * 32, chains_dir)
    assert doc["verdict"] == "not_found"
    assert doc["chain"] is None
    details = doc["findings"][0]["details"]  # type: ignore[index]
    assert details["chains"] == ["alpha", "beta"]
    assert details["endpoints_asked"] == 2
    zh = run("diagnose", "0x" + "5a" * 32, "--chains-dir", str(chains_dir), "--lang", "zh-CN")
    assert "未找到" in zh.stdout


def test_pending_transaction(fresh_node: Anvil, tmp_path: Path) -> None:
    """A transaction in the pool and in no block is delayed / pending."""
    fresh_node.automine(False)
    chain = Chain(fresh_node)
    tx_hash = chain.send(account(0), account(1).address, value=10**15, gas=21_000)
    write_chain_file(tmp_path, "alpha", 31337, [fresh_node.url])
    doc = diagnose_json(tx_hash, tmp_path)
    assert doc["verdict"] == "delayed"
    assert "pending" in [f["code"] for f in doc["findings"]]  # type: ignore[attr-defined]
    assert doc["tx"]["block"] is None  # type: ignore[index]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["diagnose", "0x1234"], "not a transaction hash"),
        (["diagnose", "0x" + "ab" * 32, "--expected-to", "0xnothex"], "not an address"),
        (["diagnose", "0x" + "ab" * 32, "--expected-to", "0x70997970C51812dc3A010C7d01b50e0d17dc79c8"], "checksum"),
        (["diagnose", "0x" + "ab" * 32, "--chain", "nosuchchain"], "unknown chain 'nosuchchain'"),
        (["diagnose", "0x" + "ab" * 32, "--lang", "fr"], "invalid choice"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_exit_2(args: list[str], message: str, chains_dir: Path) -> None:
    """Bad input: exit 2 with one clear line on stderr, never a traceback."""
    extra = ["--chains-dir", str(chains_dir)] if args[0] == "diagnose" else []
    result = run(*args, *extra)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_invalid_chain_file_exit_2(tmp_path: Path) -> None:
    """An invalid chain file: exit 2 naming the file and the field."""
    (tmp_path / "broken.toml").write_text('name = "broken"\nchain_id = "one"\n')
    result = run("diagnose", "0x" + "ab" * 32, "--chains-dir", str(tmp_path))
    assert result.returncode == 2
    assert "broken.toml" in result.stderr
    assert "chain_id" in result.stderr
    assert "Traceback" not in result.stderr


def test_dead_endpoints_exit_3_within_deadline(tmp_path: Path) -> None:
    """Every endpoint down: exit 3 naming the chain and the redacted endpoints, within the deadline; no key shown."""
    key = "0123456789abcdef0123456789abcdef"
    write_chain_file(
        tmp_path, "alpha", 31337, [f"http://127.0.0.1:{free_port()}/v3/{key}", f"http://127.0.0.1:{free_port()}"]
    )
    started = time.monotonic()
    result = run("diagnose", "0x" + "ab" * 32, "--chains-dir", str(tmp_path), env={"TXDIAG_DEADLINE": "3"})
    elapsed = time.monotonic() - started
    assert result.returncode == 3, result.stderr
    assert "alpha" in result.stderr
    assert "127.0.0.1" in result.stderr
    assert key not in result.stderr
    assert "Traceback" not in result.stderr
    assert elapsed < 10


def test_chains_command(chains_dir: Path) -> None:
    """`txdiag chains` lists each chain with its endpoints' health."""
    result = run("chains", "--chains-dir", str(chains_dir))
    assert result.returncode == 0
    assert "alpha (chain id 31337, ETH)" in result.stdout
    assert "up" in result.stdout
    doc = json.loads(run("chains", "--chains-dir", str(chains_dir), "--json").stdout)
    assert {c["name"] for c in doc} == {"alpha", "beta"}
    assert all(c["ready"] for c in doc)


def test_python_dash_m(chains_dir: Path) -> None:
    """`python -m txdiag` is the same program."""
    result = subprocess.run(
        [sys.executable, "-m", "txdiag", "diagnose", "0x12"], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 2
    assert "not a transaction hash" in result.stderr


def one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    """Assert the exit code and a single stderr line without a traceback; return that line."""
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_unknown_log_level_exit_2(chains_dir: Path) -> None:
    """TXDIAG_LOG_LEVEL=verbose: one line naming the setting and the accepted levels, exit 2."""
    line = one_line_error(run("chains", "--chains-dir", str(chains_dir), env={"TXDIAG_LOG_LEVEL": "verbose"}), 2)
    assert "TXDIAG_LOG_LEVEL" in line
    assert "debug" in line
    assert run("chains", "--chains-dir", str(chains_dir), env={"TXDIAG_LOG_LEVEL": "Info"}).returncode == 0


@pytest.mark.parametrize("port", ["65536", "70000", "-1", "http"])
def test_serve_invalid_port_exit_2(port: str, chains_dir: Path) -> None:
    """`txdiag serve --port` outside 0-65535 (or not a number) is bad input: exit 2, one line, before listening."""
    line = one_line_error(run("serve", "--port", port, "--chains-dir", str(chains_dir), timeout=20), 2)
    assert "port" in line


def test_serve_port_in_use_says_so(chains_dir: Path) -> None:
    """`txdiag serve` on a port another socket holds: exit 1 with one line saying the port is in use."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = run("serve", "--port", str(port), "--chains-dir", str(chains_dir), timeout=20)
    line = one_line_error(result, 1)
    assert "already in use" in line
    assert str(port) in line
    assert "internal error" not in line


def test_locked_sightings_store_does_not_fail_diagnosis(fresh_node: Anvil, tmp_path: Path) -> None:
    """A pending tx while another process holds the sightings file's write lock: exit 0, delayed, promptly."""
    fresh_node.automine(False)
    tx_hash = Chain(fresh_node).send(account(0), account(1).address, value=10**15, gas=21_000)
    write_chain_file(tmp_path / "chains", "alpha", 31337, [fresh_node.url])
    data = tmp_path / "data"
    SqliteSightings.in_dir(data).close()  # the file exists, as after an earlier run
    holder = sqlite3.connect(data / SIGHTINGS_FILE, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        result = run(
            "diagnose", tx_hash, "--chains-dir", str(tmp_path / "chains"), "--json", env={"TXDIAG_DATA_DIR": str(data)}
        )
        elapsed = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["verdict"] == "delayed"
    assert "not recorded" in result.stderr  # the warning says why the sighting is missing
    assert elapsed < 4.5


_CHAIN_BODY = 'chain_id = 1\nnative_symbol = "ETH"\nconfirmations = 3\nblock_time = 1\nrpc = ["http://127.0.0.1:9"]\n'


@pytest.mark.parametrize(
    ("case", "text", "field"),
    [
        ("deep-tables", "x = " + "{a = " * 100_000 + "1" + "}" * 100_000 + "\n", "nested too deeply"),
        ("deep-arrays", "x = " + "[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
        ("huge-symbol", _CHAIN_BODY.replace('"ETH"', '"' + "A" * 5_000_000 + '"'), "'native_symbol'"),
        ("tiny-block-time", _CHAIN_BODY.replace("block_time = 1", "block_time = 0.001"), "'block_time'"),
        ("huge-key", _CHAIN_BODY + "k" * 100_000 + " = 1\n", "unknown field 'kkkk"),
    ],
)
def test_hostile_chain_file_exit_2(tmp_path: Path, case: str, text: str, field: str) -> None:
    """A hostile chain file: exit 2 and one bounded line naming the file and the real field."""
    directory = tmp_path / "chains"
    directory.mkdir()
    body = text if text.startswith("chain_id") else _CHAIN_BODY + text
    (directory / "hostile.toml").write_text('name = "hostile"\n' + body)
    line = one_line_error(run("chains", "--chains-dir", str(directory)), 2)
    assert line.startswith("txdiag: hostile.toml: ")
    assert field in line
    assert len(line) <= 320
    if case == "tiny-block-time":
        assert "lag_tolerance" not in line


def test_sightings_store_is_opened_only_when_an_answer_needs_it(
    payment: str, chains_dir: Path, fresh_node: Anvil, tmp_path: Path
) -> None:
    """A mined payment records nothing: no store, no data directory; a pending one is recorded in the store."""
    data = tmp_path / "data"
    mined = run("diagnose", payment, "--chains-dir", str(chains_dir), env={"TXDIAG_DATA_DIR": str(data)})
    assert mined.returncode == 0, mined.stderr
    assert not data.exists()
    fresh_node.automine(False)
    pending = Chain(fresh_node).send(account(0), account(1).address, value=10**15, gas=21_000)
    write_chain_file(tmp_path / "chains", "alpha", 31337, [fresh_node.url])
    waiting = run("diagnose", pending, "--chains-dir", str(tmp_path / "chains"), env={"TXDIAG_DATA_DIR": str(data)})
    assert waiting.returncode == 0, waiting.stderr
    with sqlite3.connect(data / SIGHTINGS_FILE) as conn:
        assert conn.execute("SELECT hash FROM sightings").fetchall() == [(pending,)]


@pytest.fixture
def third_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """One more catalog file, ``xx.py`` (the stub of tests/test_locales.py), found by discovery like the shipped."""
    import importlib
    import textwrap

    import txdiag.guidance.catalogs as catalogs_package
    from tests.test_locales import STUB
    from txdiag.guidance.catalogs import discover

    (tmp_path / "xx.py").write_text(textwrap.dedent(STUB), encoding="utf-8")
    monkeypatch.setattr(catalogs_package, "__path__", [*catalogs_package.__path__, str(tmp_path)])
    discover.cache_clear()
    yield
    discover.cache_clear()
    sys.modules.pop("txdiag.guidance.catalogs.xx", None)
    importlib.invalidate_caches()


def test_lang_choices_are_the_catalogs(third_language: None, capsys: pytest.CaptureFixture[str]) -> None:
    """A third catalog file is a --lang choice: accepted, listed in help; an unknown tag is still refused."""
    from txdiag.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["diagnose", "0x" + "ab" * 32, "--lang", "xx"]).lang == "xx"
    assert parser.parse_args(["diagnose", "0x" + "ab" * 32, "--lang", "zh-CN"]).lang == "zh-CN"
    with pytest.raises(SystemExit) as refused:
        parser.parse_args(["diagnose", "0x" + "ab" * 32, "--lang", "fr"])
    assert refused.value.code == 2
    assert "invalid choice: 'fr' (choose from 'en', 'xx', 'zh-CN')" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parser.parse_args(["diagnose", "--help"])
    assert "{en,xx,zh-CN}" in capsys.readouterr().out
