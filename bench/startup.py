"""Start-up of `txdiag diagnose`: the whole answer and bad input, against `cast tx` + `cast receipt`, in one run.

    .venv/bin/python bench/startup.py [--runs 15] [--write]
    .venv/bin/python bench/startup.py --runs 11 --before REV   # this tree against commit REV, interleaved

One local anvil node (no added latency: start-up is what is measured), one
mined payment. Each command runs ``--runs`` times, interleaved, and the median
is reported, in four settings:

- bytecode cached: the normal case (``__pycache__`` written on first use, or
  at install time by pip, ``make setup``'s compileall and the container's);
- ``PYTHONDONTWRITEBYTECODE=1`` with that bytecode present: the variable only
  stops Python from writing ``.pyc`` files, it still reads them, so this is
  the same as the first wherever something compiled the package beforehand;
- ``PYTHONDONTWRITEBYTECODE=1`` on a copy without ``__pycache__``: every run
  compiles txdiag from source (installed dependencies keep the bytecode pip
  compiled when it installed them);
- installed from the wheel: the ``txdiag`` console script of a fresh venv,
  the package installed (not editable) from a wheel built from this tree.

Beside each, the floor (bench/startup_floor.py): asyncio started and one
JSON-RPC batch posted the way txdiag's transport posts it, nothing else; and
the same batch without asyncio.

It also lists the modules ``python -X importtime`` says a diagnosis imports,
largest first. With ``--write`` the tables replace the start-up section of
bench/REPORT.md.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.anvil import start_anvil, tool, write_chain_file  # noqa: E402
from tests.support.chain import Chain, account  # noqa: E402
from tests.support.wheel import install_wheel  # noqa: E402

REPORT = ROOT / "bench" / "REPORT.md"
SECTION = "## 4. Start-up"
LIMIT = 2.5  # txdiag diagnose may take at most this many times cast tx + cast receipt


def import_profile(
    env: Mapping[str, str], args: Sequence[str], cwd: Path, top: int = 12
) -> tuple[float, list[tuple[str, float]], list[tuple[str, float]]]:
    """What ``python -X importtime`` says the command imports: the sum of its top-level imports (ms), the largest
    of those (cumulative ms), and the modules whose own code costs most (self ms), largest first."""
    err = subprocess.run(
        [sys.executable, "-X", "importtime", *args], capture_output=True, text=True, env=env, cwd=cwd, check=False
    ).stderr
    tops, selves = [], []
    for line in err.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
        if m is None:
            continue
        name, own, cumulative = m.group(4), int(m.group(1)) / 1000, int(m.group(2)) / 1000
        selves.append((name, own))
        if not m.group(3):  # a top-level import: made by the program itself, not inside another import
            tops.append((name, cumulative))
    total = sum(ms for name, ms in tops if not name.startswith(("site", "encodings")))  # as `python -c pass` has
    return total, sorted(tops, key=lambda r: -r[1])[:top], sorted(selves, key=lambda r: -r[1])[:top]


def one_run(cmd: Sequence[str], env: Mapping[str, str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall ms and CPU ms (user + system) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall * 1000, (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000


def measure(runs: int) -> str:
    before = os.getloadavg()  # the other work on the machine, before this adds its own
    node = start_anvil(31337)
    try:
        chain = Chain(node)
        tx_hash = chain.send(account(0), account(1).address, value=10**18, gas=21_000)
        node.mine(70)  # final: the answer is a whole "confirmed"
        # mined, not final yet: the answer says how long finality will take (a duration in words)
        waiting_hash = chain.send(account(2), account(3).address, value=10**18, gas=21_000)
        with tempfile.TemporaryDirectory() as tmp:
            chains = Path(tmp) / "chains"
            write_chain_file(chains, "local", 31337, [node.url])
            source = Path(tmp) / "source"  # txdiag without __pycache__, for the compile-every-run case
            shutil.copytree(ROOT / "txdiag", source / "txdiag", ignore=shutil.ignore_patterns("__pycache__"))
            wheel_bin, _wheel = install_wheel(Path(tmp) / "wheel")
            base = {k: v for k, v in os.environ.items() if not k.startswith(("TXDIAG_", "PYTHON"))}
            base["TXDIAG_DATA_DIR"] = str(Path(tmp) / "data")
            here = [sys.executable, "-m", "txdiag"]
            # (environment, the txdiag command, the python beside it) of each setting
            settings: dict[str, tuple[dict[str, str], list[str], str]] = {
                "bytecode cached": (dict(base), here, sys.executable),
                "PYTHONDONTWRITEBYTECODE=1, bytecode present": (
                    {**base, "PYTHONDONTWRITEBYTECODE": "1"},
                    here,
                    sys.executable,
                ),
                "PYTHONDONTWRITEBYTECODE=1, no __pycache__": (
                    {**base, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(source)},
                    here,
                    sys.executable,
                ),
                "installed from the wheel (console script, fresh venv)": (
                    dict(base),
                    [str(wheel_bin / "txdiag")],
                    str(wheel_bin / "python"),
                ),
            }
            cast = tool("cast")
            warm = settings["bytecode cached"][0]
            subprocess.run(
                [*here, "diagnose", tx_hash, "--chains-dir", str(chains)], env=warm, check=True, capture_output=True
            )  # writes __pycache__ once
            floor = str(ROOT / "bench" / "startup_floor.py")
            rows = []
            for label, (env, txdiag, python) in settings.items():
                # every command once per round, rounds repeated: a change of load falls on all of them alike.
                # txdiag runs outside the checkout: `python -m` puts the working directory first on sys.path,
                # which would shadow PYTHONPATH's copy without __pycache__
                commands = {
                    "cast tx": ([cast, "tx", tx_hash, "--rpc-url", node.url], warm, None),
                    "cast receipt": ([cast, "receipt", tx_hash, "--rpc-url", node.url], warm, None),
                    "ours": ([*txdiag, "diagnose", tx_hash, "--chains-dir", str(chains)], env, Path(tmp)),
                    "waiting": ([*txdiag, "diagnose", waiting_hash, "--chains-dir", str(chains)], env, Path(tmp)),
                    "bad": ([*txdiag, "diagnose", "0x12", "--chains-dir", str(chains)], env, Path(tmp)),
                    "empty": ([python, "-c", "pass"], env, Path(tmp)),
                    "floor": ([python, floor, tx_hash, node.url], env, Path(tmp)),
                    "sync floor": ([python, floor, tx_hash, node.url, "--sync"], env, Path(tmp)),
                }
                seen: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
                for _ in range(runs):
                    for name, (cmd, cmd_env, cwd) in commands.items():
                        seen[name].append(one_run(cmd, cmd_env, cwd))
                wall = {name: statistics.median(w for w, _ in got) for name, got in seen.items()}
                cpu = {name: statistics.median(c for _, c in got) for name, got in seen.items()}
                rows.append((label, wall, cpu))
            diag_total, diag_top, diag_self = import_profile(
                warm, ["-m", "txdiag", "diagnose", tx_hash, "--chains-dir", str(chains)], Path(tmp)
            )
    finally:
        node.stop()
    lines = [
        SECTION,
        "",
        f"Command: `.venv/bin/python bench/startup.py --runs {runs} --write`, at a load average of "
        f"{before[0]:.2f} (1 min) / {before[1]:.2f} (5 min) before it started, on {os.cpu_count()} cores. "
        f"Median of {runs} rounds, each running every command of its row once, against one local anvil node "
        "with no added latency. The bar: `txdiag diagnose` of a final payment (the whole answer: verdict, findings, "
        f"steps) within {LIMIT}× of `cast tx` + `cast receipt` (the raw facts only) in the same run. Beside it, a "
        "payment mined but not final yet, whose answer says in words how long finality will take. The first three "
        "rows run `python -m txdiag` from this checkout (an editable install); the last runs the `txdiag` console "
        "script of a fresh venv with the package installed from its wheel, as users get it.",
        "",
        "The floor (`bench/startup_floor.py`): a Python process that starts asyncio, posts one JSON-RPC batch "
        "(the transaction and its receipt) over http.client in a worker thread, as txdiag's standard-library "
        "transport does, and prints the reply; no arguments, chain files, retries, checks or words. Beside it the "
        "same batch without asyncio. Every diagnosis that runs on asyncio pays at least the floor.",
        "",
        "Wall ms, with CPU ms (user + system) in brackets: on a shared machine the wall time waits for a core.",
        "",
        "| setting | txdiag diagnose (final payment) | cast tx + cast receipt | ratio (wall) | ratio (CPU) "
        "| a payment not final yet | malformed hash | python -c pass | floor: asyncio + one batch (ratio) "
        "| one batch, no asyncio (ratio) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, wall, cpu in rows:
        cast_wall, cast_cpu = wall["cast tx"] + wall["cast receipt"], cpu["cast tx"] + cpu["cast receipt"]
        lines.append(
            f"| {label} | {wall['ours']:.0f} ({cpu['ours']:.0f}) | {cast_wall:.0f} ({cast_cpu:.0f}) "
            f"| {wall['ours'] / cast_wall:.2f}× | {cpu['ours'] / cast_cpu:.2f}× "
            f"| {wall['waiting']:.0f} ({cpu['waiting']:.0f}) | {wall['bad']:.0f} ({cpu['bad']:.0f}) "
            f"| {wall['empty']:.0f} ({cpu['empty']:.0f}) "
            f"| {wall['floor']:.0f} ({cpu['floor']:.0f}) {wall['floor'] / cast_wall:.2f}× "
            f"| {wall['sync floor']:.0f} ({cpu['sync floor']:.0f}) {wall['sync floor'] / cast_wall:.2f}× |"
        )
    lines += [
        "",
        f"Imports of that diagnosis (`python -X importtime -m txdiag diagnose …`, bytecode cached; importtime's "
        f"own overhead included): {diag_total:.0f} ms in all. The largest top-level imports (cumulative) and the "
        "modules whose own code costs most (self):",
        "",
        "| top-level import | cumulative ms | module | self ms |",
        "|---|---|---|---|",
        *[f"| {a} | {ams:.1f} | {b} | {bms:.1f} |" for (a, ams), (b, bms) in zip(diag_top, diag_self, strict=False)],
        "",
    ]
    return "\n".join(lines)


def before_after(rev: str, runs: int) -> str:
    """``txdiag diagnose`` (a final payment, one not final yet, a malformed hash) of commit ``rev`` and of this
    tree, interleaved."""
    load = os.getloadavg()[0]
    node = start_anvil(31337)
    try:
        chain = Chain(node)
        tx_hash = chain.send(account(0), account(1).address, value=10**18, gas=21_000)
        node.mine(70)
        waiting_hash = chain.send(account(2), account(3).address, value=10**18, gas=21_000)
        with tempfile.TemporaryDirectory() as tmp:
            chains = Path(tmp) / "chains"
            write_chain_file(chains, "local", 31337, [node.url])
            old = Path(tmp) / "before"
            old.mkdir()
            archive = subprocess.run(["git", "archive", rev, "txdiag"], cwd=ROOT, capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
            base = {k: v for k, v in os.environ.items() if not k.startswith(("TXDIAG_", "PYTHON"))}
            base["TXDIAG_DATA_DIR"] = str(Path(tmp) / "data")
            trees = {"before": {**base, "PYTHONPATH": str(old)}, "after": base}
            commands = {
                "`txdiag diagnose` of a final payment": ["diagnose", tx_hash, "--chains-dir", str(chains)],
                "`txdiag diagnose` of a payment not final yet": ["diagnose", waiting_hash, "--chains-dir", str(chains)],
                "`txdiag diagnose 0x12` (malformed hash)": ["diagnose", "0x12", "--chains-dir", str(chains)],
            }
            wall: dict[tuple[str, str], list[float]] = {}
            cpu: dict[tuple[str, str], list[float]] = {}
            for args in commands.values():  # bytecode written once for each tree
                for env in trees.values():
                    subprocess.run(
                        [sys.executable, "-m", "txdiag", *args], env=env, cwd=tmp, capture_output=True, check=False
                    )
            for _ in range(runs):
                for label, args in commands.items():
                    for tree, env in trees.items():
                        ms, cpu_ms = one_run([sys.executable, "-m", "txdiag", *args], env, cwd=Path(tmp))
                        wall.setdefault((label, tree), []).append(ms)
                        cpu.setdefault((label, tree), []).append(cpu_ms)
    finally:
        node.stop()
    lines = [
        f"`.venv/bin/python bench/startup.py --runs {runs} --before {rev}` (load average {load:.1f} before it "
        f"started): medians of {runs} interleaved runs, ms",
        "",
        "| | before wall | before CPU | after wall | after CPU | before / after (CPU) |",
        "|---|---|---|---|---|---|",
    ]
    for label in commands:
        bw, bc = statistics.median(wall[label, "before"]), statistics.median(cpu[label, "before"])
        aw, ac = statistics.median(wall[label, "after"]), statistics.median(cpu[label, "after"])
        lines.append(f"| {label} | {bw:.0f} | {bc:.0f} | {aw:.0f} | {ac:.0f} | {bc / ac:.2f}× |")
    return "\n".join(lines)


def write(section: str) -> None:
    text = REPORT.read_text(encoding="utf-8")
    start = text.find(SECTION)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + (text[end + 1 :] if end != -1 else "")
    REPORT.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--write", action="store_true", help="put the tables into bench/REPORT.md")
    parser.add_argument("--before", metavar="REV", help="compare this tree with commit REV instead, interleaved")
    args = parser.parse_args(argv)
    if args.before:
        print(before_after(args.before, args.runs))
        return 0
    section = measure(args.runs)
    print(section)
    if args.write:
        write(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
