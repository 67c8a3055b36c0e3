"""The one I/O seam: a JSON-RPC client per chain, layered like httpx's transports.

    transport.py   one POST: the status taxonomy, a bounded read, no redirects
    codec.py       JSON-RPC ids, replies, item errors (pure)
    health.py      one endpoint's rolling window and circuit breaker (clock injected)
    pool.py        a chain's endpoints: ordering, heads, lag, background probes
    client.py      chunking, retries within the deadline, failover, hedging; the Rpc protocol
    base.py        the retry policy, the deadline in scope, the observer
    dialect.py     what a chain family tells the client (head and identity methods, batching, labels);
                   each family defines its own, and the composition root hands it to the client

Everything above this package uses ``Rpc`` (client.py) and the values
re-exported here; nothing above it reads an endpoint's health directly.
"""

from txdiag.rpc.base import NullObserver, RetryPolicy, RpcObserver, deadline_scope, remaining_time
from txdiag.rpc.client import EndpointView, HeadProbes, Outcome, ReadApart, Rpc, RpcClient, Verifier
from txdiag.rpc.codec import MAX_JSON_DEPTH, Call, Reply, RpcItemError, nesting
from txdiag.rpc.health import Circuit, EndpointHealth
from txdiag.rpc.transport import MAX_RETRY_AFTER, TransientError, parse_retry_after

__all__ = [
    "MAX_JSON_DEPTH",
    "MAX_RETRY_AFTER",
    "Call",
    "Circuit",
    "EndpointHealth",
    "EndpointView",
    "HeadProbes",
    "NullObserver",
    "Outcome",
    "ReadApart",
    "Reply",
    "RetryPolicy",
    "Rpc",
    "RpcClient",
    "RpcItemError",
    "RpcObserver",
    "TransientError",
    "Verifier",
    "deadline_scope",
    "nesting",
    "parse_retry_after",
    "remaining_time",
]
