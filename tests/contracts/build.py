"""Compile the Solidity test contracts into ``tests/contracts/artifacts.json``.

Run from the repository root with the project's virtualenv::

    .venv/bin/python tests/contracts/build.py          # rewrite artifacts.json
    .venv/bin/python tests/contracts/build.py --check  # exit 1 if it is stale

The compiler is the pinned npm ``solc`` package (``solcjs``) under
``tools/node_modules/.bin``; set ``SOLCJS`` to use another binary. It runs
offline. Settings: optimizer on (200 runs), EVM version ``cancun``.

``artifacts.json`` is committed so that tests need no compiler. It maps each
contract name to ``{"abi", "bytecode", "deployedBytecode"}``, with sorted keys,
so the same sources always give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ARTIFACTS = HERE / "artifacts.json"
SOLCJS = Path(os.environ.get("SOLCJS", REPO / "tools" / "node_modules" / ".bin" / "solcjs"))


def standard_input(sources: dict[str, str]) -> dict[str, Any]:
    """The solc standard-JSON input for ``sources`` (unit name -> text)."""
    return {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sorted(sources.items())},
        "settings": {
            "optimizer": {"enabled": True, "runs": 200},
            "evmVersion": "cancun",
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
        },
    }


def compile_sources(sources: dict[str, str]) -> dict[str, Any]:
    """Compile with ``solcjs --standard-json``; raise with the compiler's errors."""
    # solcjs exits before a pipe drains, cutting its answer at 64 KiB: a file receives all of it
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as answer:
        proc = subprocess.run(
            [str(SOLCJS), "--standard-json"],
            input=json.dumps(standard_input(sources)),
            stdout=answer,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        answer.seek(0)
        text = answer.read()
    if proc.returncode != 0:
        raise SystemExit(f"solcjs failed ({proc.returncode}): {proc.stderr.strip()}")
    # solcjs may print notices before the JSON document.
    out: dict[str, Any] = json.loads(text[text.index("{") :])
    problems = out.get("errors", [])
    for p in problems:
        print(p.get("formattedMessage", p.get("message")), file=sys.stderr)
    if any(p.get("severity") == "error" for p in problems):
        raise SystemExit("compilation failed")
    return out


def artifacts(output: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Contract name -> abi and 0x-prefixed creation and runtime bytecode."""
    result: dict[str, dict[str, Any]] = {}
    for unit, contracts in sorted(output["contracts"].items()):
        for name, c in sorted(contracts.items()):
            if name in result:
                raise SystemExit(f"contract name {name} is defined twice (again in {unit})")
            result[name] = {
                "abi": c["abi"],
                "bytecode": "0x" + c["evm"]["bytecode"]["object"],
                "deployedBytecode": "0x" + c["evm"]["deployedBytecode"]["object"],
            }
    return result


def render(arts: dict[str, dict[str, Any]]) -> str:
    """The exact text written to artifacts.json."""
    return json.dumps(arts, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Build artifacts.json, or with ``--check`` compare against it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if artifacts.json differs from a fresh build")
    args = parser.parse_args(argv)

    sources = {p.name: p.read_text(encoding="utf-8") for p in sorted(HERE.glob("*.sol"))}
    text = render(artifacts(compile_sources(sources)))
    if args.check:
        current = ARTIFACTS.read_text(encoding="utf-8") if ARTIFACTS.exists() else ""
        if current != text:
            print(f"{ARTIFACTS.name} is stale: run {Path(__file__).name} to rebuild it", file=sys.stderr)
            return 1
        print(f"{ARTIFACTS.name} is up to date")
        return 0
    ARTIFACTS.write_text(text, encoding="utf-8")
    print(f"wrote {ARTIFACTS.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
