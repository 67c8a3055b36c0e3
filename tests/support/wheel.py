"""The package as users get it: a wheel built from a clean copy of the source, installed (not editable) in a fresh venv.

No network: the fresh venv has no pip of its own and finds the dependencies this
venv already installed through a path file (so the editable install's finder is
not loaded there); the wheel is installed by this venv's pip into it with
``--no-index --no-deps``. Used by tests/test_wheel.py and bench/startup.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def install_wheel(base: Path) -> tuple[Path, Path]:
    """(the fresh venv's bin directory, the wheel), both under ``base``."""
    source = base / "source"
    source.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    # a copy, so that building leaves nothing in the checkout and nothing stray gets into the wheel
    shutil.copytree(ROOT / "txdiag", source / "txdiag", ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    build = [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(base / "dist"), str(source)]
    subprocess.run(build, check=True, capture_output=True, timeout=120)
    (wheel,) = (base / "dist").glob("txdiag-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    target = Path(sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)})["purelib"])
    (target / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    install = [*pip, "--python", str(venv / "bin" / "python"), "install", "--no-index", "--no-deps", str(wheel)]
    subprocess.run(install, check=True, capture_output=True, timeout=120)  # pip compiles the modules' bytecode
    return venv / "bin", wheel
