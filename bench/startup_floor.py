"""The least a diagnosis through txdiag's standard-library transport does, and nothing more.

    python bench/startup_floor.py HASH URL           # asyncio.run, one batch over http.client in a worker thread
    python bench/startup_floor.py HASH URL --sync    # the same batch, no asyncio

One JSON-RPC batch (the transaction and its receipt, which is what ``cast tx`` and
``cast receipt`` fetch between them), posted the way txdiag's plain transport
posts it, and the reply printed. No argument parsing, chain files, retries,
checks, classification or words. bench/startup.py times it beside ``txdiag
diagnose`` as the floor of a Python process that does this over asyncio: what
is left above it is txdiag's own.
"""

import http.client
import json
import sys
from urllib.parse import urlsplit


def post(tx_hash: str, url: str) -> object:
    where = urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname or "127.0.0.1", where.port or 80, timeout=10)
    calls = [
        {"jsonrpc": "2.0", "id": 1, "method": "eth_getTransactionByHash", "params": [tx_hash]},
        {"jsonrpc": "2.0", "id": 2, "method": "eth_getTransactionReceipt", "params": [tx_hash]},
    ]
    connection.request("POST", where.path or "/", json.dumps(calls), {"Content-Type": "application/json"})
    reply = json.loads(connection.getresponse().read())
    connection.close()
    return reply


def main(argv: list[str]) -> int:
    tx_hash, url = argv[0], argv[1]
    if "--sync" in argv[2:]:
        print(post(tx_hash, url))
        return 0
    import asyncio

    async def diagnose() -> object:
        return await asyncio.get_running_loop().run_in_executor(None, post, tx_hash, url)

    print(asyncio.run(diagnose()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
