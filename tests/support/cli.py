"""The txdiag CLI run as a subprocess, as a person would run it: its JSON answer and its text answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

TXDIAG = str(Path(sys.executable).with_name("txdiag"))


def run(
    tx_hash: str, chains_dir: Path, *extra: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``txdiag diagnose HASH --json`` in a fresh process, with ``env`` over this process's environment; any exit."""
    return subprocess.run(
        [TXDIAG, "diagnose", tx_hash, "--chains-dir", str(chains_dir), "--json", *extra],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


def diagnose(tx_hash: str, chains_dir: Path, *extra: str) -> dict[str, Any]:
    """The CLI's JSON answer for one hash."""
    out = run(tx_hash, chains_dir, *extra)
    assert out.returncode == 0, out.stderr
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def text(tx_hash: str, chains_dir: Path, lang: str) -> str:
    """The CLI's text answer for one hash in one language."""
    out = subprocess.run(
        [TXDIAG, "diagnose", tx_hash, "--chains-dir", str(chains_dir), "--lang", lang],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout
