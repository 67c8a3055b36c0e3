"""The command line: parse, call diagnose(), print. No logic of its own.

Exit codes: 0 a diagnosis was produced (whatever the verdict), 2 bad input
(malformed hash or address, unknown chain, invalid chain file or setting),
3 no endpoint could answer (or the deadline ran out), 1 an internal error.
Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from txdiag import __version__
from txdiag.errors import TxdiagError

if TYPE_CHECKING:
    from txdiag.chains import ChainSpec
    from txdiag.settings import Settings

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2  # the others are the errors' own exit_code


class _Formatter(argparse.HelpFormatter):
    """argparse's layout of help, with the terminal's width asked when help is laid out, as argparse asks it.

    argparse builds a formatter for every ``add_argument`` too, only to check its metavar; the stock formatter
    asks ``shutil`` for the width each time, and importing shutil (bz2, lzma) is milliseconds of every start.
    """

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None):
        super().__init__(prog, indent_increment, max_help_position, width=80 if width is None else width)
        self._terminal = width is None
        self._max_help_asked = max_help_position

    def format_help(self) -> str:
        if self._terminal:  # what HelpFormatter.__init__ does with no width; nothing is laid out before this
            import shutil

            self._width = shutil.get_terminal_size().columns - 2
            self._max_help_position = min(self._max_help_asked, max(self._width - 20, self._indent_increment * 2))
        return super().format_help()


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit 2 with one line (argparse prints usage plus a line)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"txdiag: error: {message}\n")


class _Languages:
    """``--lang``'s choices: the tags of the catalogs shipped (one file per language), found on first use.

    argparse looks at its choices only when ``--lang`` is given or help is shown, so a command without it never
    loads the catalogs to build its parser.
    """

    def __iter__(self) -> Iterator[str]:
        from txdiag.guidance.catalogs import discover

        return iter(discover())

    def __contains__(self, tag: object) -> bool:
        return tag in list(self)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="txdiag", description="Diagnose a blockchain transaction by its hash.")
    parser.add_argument("--version", action="version", version=f"txdiag {__version__}")
    # prog given, which argparse would otherwise lay out as a usage line (asking the terminal's width) to find
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, prog=parser.prog)

    d = sub.add_parser("diagnose", help="diagnose one transaction hash")
    d.add_argument("hash", help="the transaction hash (0x + 64 hex digits)")
    d.add_argument("--chain", help="the chain to look on first (default: every configured chain)")
    d.add_argument("--expected-to", dest="expected_to", metavar="ADDR", help="the address the funds were meant for")
    lang = d.add_argument("--lang", default=None, help="answer language (default: en)")
    lang.choices = _Languages()  # set after add_argument, which would otherwise list them (load the catalogs) now
    d.add_argument("--json", action="store_true", help="print the diagnosis as JSON")
    d.add_argument("--chains-dir", type=Path, help="directory of chain files (default: bundled chains/)")

    s = sub.add_parser("serve", help="run the HTTP diagnosis service")
    s.add_argument("--host", help="address to listen on (default 127.0.0.1, or TXDIAG_HOST)")
    s.add_argument("--port", type=_port, help="port to listen on (default 8080, or TXDIAG_PORT)")
    s.add_argument("--chains-dir", type=Path)

    c = sub.add_parser("chains", help="list configured chains and their endpoints' health")
    c.add_argument("--chains-dir", type=Path)
    c.add_argument("--json", action="store_true")
    return parser


def _port(text: str) -> int:
    """An argparse type: a TCP port number, 0 (any free port) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text[:20]!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 0 and 65535, got {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "diagnose":
            _check_input(args)  # before the settings, logging, asyncio and the service load: bad input answers at once
        from txdiag.settings import Settings

        settings = Settings.from_env()  # the one reading of the environment
        import logging

        logging.basicConfig(level=settings.log_level, format="txdiag: %(message)s")
        if args.command == "diagnose":
            chains = _chains_asked(args, settings)
            import asyncio

            return asyncio.run(_diagnose(args, settings, chains))
        if args.command == "chains":
            import asyncio

            return asyncio.run(_chains(args, settings))
        return _serve(args, settings)
    except TxdiagError as exc:
        return _fail(exc.exit_code, exc)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the promise is one line, never a traceback
        import logging

        logging.getLogger("txdiag").debug("internal error", exc_info=True)
        return _fail(EXIT_INTERNAL, f"internal error: {type(exc).__name__}")


def run() -> NoReturn:
    """The console script and ``python -m txdiag``: :func:`main`, then the process ends at once.

    When main returns, the command has written its answer and closed what it opened (node connections, the
    sightings store, the worker threads told to stop). Tearing the interpreter down after that frees every
    loaded module's objects one by one: about a fifth of a diagnosis's CPU time, for nothing. So the output
    is flushed and the process exits with the code; when flushing fails (a closed pipe), Python's own exit
    runs and reports it as it always has.
    """
    code = main()
    logging = sys.modules.get("logging")  # loaded once the input was good
    if logging is not None:
        logging.shutdown()  # what the interpreter's exit would do first: flush every log handler
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        sys.exit(code)
    os._exit(code)


MAX_ERROR_LINE = 300  # characters of an error line: one line, whatever the message quotes


def _fail(code: int, message: object) -> int:
    text = " ".join(str(message).split())
    if len(text) > MAX_ERROR_LINE:
        text = text[: MAX_ERROR_LINE - 1] + "…"
    print(f"txdiag: {text}", file=sys.stderr)
    return code


def _check_input(args: argparse.Namespace) -> None:
    """Malformed input is refused before the service is even loaded, any file read or node asked."""
    from txdiag.inputs import parse_address, parse_hash

    parse_hash(args.hash)
    if args.expected_to:
        parse_address(args.expected_to)


def _chains_asked(args: argparse.Namespace, settings: Settings) -> Mapping[str, ChainSpec]:
    """The configured chains; a ``--chain`` none of them is refused here, as the service would, but before it loads."""
    from txdiag.chains import load_chains
    from txdiag.errors import UnknownChain

    chains = load_chains(args.chains_dir or settings.chains_dir, settings.variables)
    if args.chain is not None and args.chain not in chains:
        raise UnknownChain(args.chain, list(chains))
    return chains


async def _diagnose(args: argparse.Namespace, settings: Settings, chains: Mapping[str, ChainSpec]) -> int:
    from txdiag.compose import build_service, default_sightings

    # the sightings store opens only if this answer records or recalls one (a mined transaction's does not)
    sightings = default_sightings(settings, on_first_use=True)
    async with build_service(settings, chains, sightings=sightings, transport="plain") as service:
        diagnosis = await service.diagnose(
            args.hash, chain=args.chain, expected_to=args.expected_to, lang=args.lang or settings.lang
        )
    if args.json:
        import json  # here: refusing bad input never needs it

        print(json.dumps(diagnosis.to_json(), ensure_ascii=False, indent=2))
    else:
        print(diagnosis.to_text())
    return EXIT_OK


async def _chains(args: argparse.Namespace, settings: Settings) -> int:
    from txdiag.chains import load_chains
    from txdiag.compose import build_service

    chains = load_chains(args.chains_dir or settings.chains_dir, settings.variables)
    async with build_service(settings, chains, transport="plain") as service:
        statuses = await service.status()
    if args.json:
        doc = [
            {
                "name": st.name,
                "chain_id": st.chain_id,
                "family": st.family,
                "network": st.network,
                "ready": st.ready,
                "endpoints": [
                    {"name": e.name, "up": e.up, "head": e.head, "latency_ms": e.latency_ms, "error": e.error}
                    for e in st.endpoints
                ],
            }
            for st in statuses
        ]
        import json

        print(json.dumps(doc, indent=2))
        return EXIT_OK
    for st in statuses:
        spec = chains[st.name]
        flags = "" if spec.mempool else "  (sequencer: no public mempool)"
        ident = f"chain id {st.chain_id}" if st.chain_id is not None else f"{st.family} {st.network}"
        print(f"{st.name} ({ident}, {spec.native_symbol}){flags}")
        if not st.endpoints:
            print("  no endpoint configured (set its environment variable)")
        for e in st.endpoints:
            if e.up:
                print(f"  up    {e.name}  head {e.head}  {e.latency_ms:.0f} ms")
            else:
                print(f"  down  {e.name}  {e.error or ''}")
    return EXIT_OK


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from txdiag.http import run

    return run(settings, host=args.host, port=args.port, chains_dir=args.chains_dir)
