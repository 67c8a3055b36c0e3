"""The standard-library transport's own promises, beyond the shared contract (tests/test_rpc.py runs that)."""

from __future__ import annotations

import pytest

from tests.support.anvil import Anvil
from txdiag.chains import Endpoint, redact
from txdiag.rpc.plain import PlainTransport

BODY = b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}'


@pytest.mark.asyncio
async def test_one_kept_alive_connection_per_endpoint_and_no_tls_for_http(node_a: Anvil) -> None:
    transport = PlainTransport()
    endpoint = Endpoint(node_a.url, redact(node_a.url))
    try:
        socks = []
        for _ in range(3):
            posted = await transport.post(endpoint, BODY, seconds=5.0, max_bytes=64 * 1024)
            assert b'"result":"0x7a69"' in posted.raw
            (conn,) = transport._idle[node_a.url]
            socks.append(conn.sock)
        assert socks[0] is not None
        assert socks == [socks[0]] * 3  # three requests in turn, one kept-alive connection
        assert transport._ssl is None  # an http:// node never builds a TLS context (nor reads the CA bundle)
    finally:
        await transport.close()
    assert transport._idle == {}
