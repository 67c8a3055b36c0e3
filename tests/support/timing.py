"""Deadline checks that do not time a busy machine: when each of a client's attempts would have timed out.

The client gives each attempt only the time its deadline leaves (less a
margin), so "the call stayed within its deadline" is "no attempt could run
past it": a fact of the client's own decisions, not of how fast the machine
was. Background head probes run under no deadline and are not noted.
"""

from __future__ import annotations

import time

from txdiag.chains import Endpoint
from txdiag.rpc import RpcClient
from txdiag.rpc.base import remaining_time
from txdiag.rpc.transport import Posted, Transport


class _Timed:
    """A client's transport, noting when each caller's POST would time out (on the deadline's clock)."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.ends: list[float] = []

    async def post(self, endpoint: Endpoint, body: bytes, *, seconds: float, max_bytes: int) -> Posted:
        if remaining_time() is not None:  # a caller's attempt (background probes run under no deadline)
            self.ends.append(time.monotonic() + seconds)
        return await self.inner.post(endpoint, body, seconds=seconds, max_bytes=max_bytes)

    async def close(self) -> None:
        await self.inner.close()


def attempt_ends(client: RpcClient) -> list[float]:
    """When each of the client's HTTP attempts under a deadline would time out, in order."""
    timed = _Timed(client._transport)
    client._transport = timed
    return timed.ends
