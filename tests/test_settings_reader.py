"""Settings are read in one place: Settings.from_env is the only reader of the environment."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest

from tests.support.anvil import write_chain_file
from txdiag.chains import default_chains_dir, load_chains
from txdiag.errors import ConfigError
from txdiag.settings import Settings

PACKAGE = Path(__file__).resolve().parents[1] / "txdiag"


def _environment_reads(path: Path) -> list[int]:
    """Lines of ``path`` that touch ``os.environ`` or call ``os.getenv``/``os.putenv``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "putenv", "environb"):
            lines.append(node.lineno)
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            lines += [node.lineno for alias in node.names if alias.name in ("environ", "getenv", "environb")]
    return lines


def test_only_settings_reads_the_environment() -> None:
    """No module of the package but settings.py reads os.environ or os.getenv."""
    found = {str(p.relative_to(PACKAGE)): _environment_reads(p) for p in PACKAGE.rglob("*.py")}
    readers = {name: lines for name, lines in found.items() if lines}
    assert set(readers) == {"settings.py"}, readers


def test_the_check_finds_a_reader(tmp_path: Path) -> None:
    """The source check can fail: a module reading the environment is found."""
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom os import getenv\nA = os.environ.get('X')\n", encoding="utf-8")
    assert _environment_reads(module) == [2, 3]


def test_language_log_level_and_variables_come_from_settings() -> None:
    """TXDIAG_LANG, TXDIAG_LOG_LEVEL and the chain files' variables are Settings' too."""
    s = Settings.from_env({"TXDIAG_LANG": " zh-CN ", "TXDIAG_LOG_LEVEL": "Info", "ETH_RPC_URL": "http://127.0.0.1:1"})
    assert (s.lang, s.log_level) == ("zh-CN", logging.INFO)
    assert s.variables["ETH_RPC_URL"] == "http://127.0.0.1:1"
    assert "ETH_RPC_URL" not in repr(s)  # variables may hold keys
    defaults = Settings.from_env({})
    assert (defaults.lang, defaults.log_level, defaults.chains_dir) == (None, logging.WARNING, None)
    with pytest.raises(ConfigError, match="TXDIAG_LOG_LEVEL"):
        Settings.from_env({"TXDIAG_LOG_LEVEL": "verbose"})


def test_chain_variables_expand_only_from_what_settings_hand_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """load_chains never reads the environment: a ${VAR} endpoint expands from Settings.variables alone."""
    write_chain_file(tmp_path, "alpha", 31337, ["${ALPHA_URL}", "http://127.0.0.1:9"])
    monkeypatch.setenv("ALPHA_URL", "http://127.0.0.1:7")
    monkeypatch.setenv("TXDIAG_CHAINS_DIR", str(tmp_path / "nowhere"))
    assert [e.url for e in load_chains(tmp_path)["alpha"].endpoints] == ["http://127.0.0.1:9"]
    settings = Settings.from_env({"ALPHA_URL": "http://127.0.0.1:8"})
    assert [e.url for e in load_chains(tmp_path, settings.variables)["alpha"].endpoints] == [
        "http://127.0.0.1:8",
        "http://127.0.0.1:9",
    ]
    # without a directory: the bundled files, whatever TXDIAG_CHAINS_DIR says (Settings reads that)
    assert set(load_chains(None, {})) == set(load_chains(default_chains_dir(), {}))
