"""Every Prometheus metric txdiag exports, built on a registry handed in.

Label values are bounded: chain names come from configuration, endpoints are
redacted names, methods come from a fixed set of namespaces, verdicts and
outcomes are enums. Never a hash or an address.
"""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest

# The classic text format: every Prometheus 2.x server and promtool read it.
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The metrics, and the RpcObserver the RPC clients report to."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.diagnoses = Counter(
            "txdiag_diagnoses", "Diagnoses produced, by chain and verdict", ["chain", "verdict"], registry=registry
        )
        self.diagnosis_duration = Histogram(
            "txdiag_diagnosis_duration_seconds",
            "Wall time of one diagnosis",
            ["chain"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.rpc_requests = Counter(
            "txdiag_rpc_requests",
            "JSON-RPC calls sent to nodes, by endpoint, method and outcome",
            ["chain", "endpoint", "method", "outcome"],
            registry=registry,
        )
        self.rpc_duration = Histogram(
            "txdiag_rpc_request_duration_seconds",
            "Wall time of one HTTP request to a node (a batch counts once)",
            ["chain", "endpoint"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.rpc_retries = Counter(
            "txdiag_rpc_retries", "RPC attempts retried, by reason", ["chain", "reason"], registry=registry
        )
        self.endpoint_up = Gauge(
            "txdiag_endpoint_up", "1 when the endpoint's circuit is closed", ["chain", "endpoint"], registry=registry
        )
        self.endpoint_head_lag = Gauge(
            "txdiag_endpoint_head_lag_blocks",
            "Blocks the endpoint's head trails the best head seen on the chain",
            ["chain", "endpoint"],
            registry=registry,
        )
        self.chain_head = Gauge("txdiag_chain_head_block", "Best head block seen", ["chain"], registry=registry)
        self.chain_info = Gauge(
            "txdiag_chain_info",
            "Configured chains and their family (evm, bitcoin); always 1",
            ["chain", "family"],
            registry=registry,
        )
        self.next_block_fee_rate = Gauge(
            "txdiag_next_block_fee_rate_sat_per_vbyte",
            "Bitcoin family: lowest package fee rate in the next projected block",
            ["chain"],
            registry=registry,
        )
        self.next_base_fee = Gauge(
            "txdiag_chain_next_base_fee_wei", "Base fee per gas of the next block", ["chain"], registry=registry
        )
        self.cache_requests = Counter(
            "txdiag_cache_requests", "Cache look-ups, by cache and result", ["cache", "result"], registry=registry
        )
        self.http_requests = Counter(
            "txdiag_http_requests", "HTTP requests served, by route and status", ["route", "status"], registry=registry
        )
        self.page_views = Counter(
            "txdiag_page_views", "Pages served to people, by route and status", ["route", "status"], registry=registry
        )
        self.http_duration = Histogram(
            "txdiag_http_request_duration_seconds",
            "Wall time of one HTTP request served",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )

        self.connections_refused = Counter(
            "txdiag_http_connections_refused",
            "Connections refused or limited to /healthz, by reason (total_cap, client_cap, fd_limit)",
            ["reason"],
            registry=registry,
        )
        self.connections_timed_out = Counter(
            "txdiag_http_connections_timed_out",
            "Connections closed because the request headers did not arrive in time",
            ["phase"],
            registry=registry,
        )
        self.open_connections = Gauge("txdiag_http_open_connections", "Client connections open now", registry=registry)

    # -- RpcObserver ------------------------------------------------------

    def on_request(self, chain: str, endpoint: str, method: str, outcome: str, seconds: float) -> None:
        self.rpc_requests.labels(chain, endpoint, method, outcome).inc()

    def on_http(self, chain: str, endpoint: str, seconds: float) -> None:
        self.rpc_duration.labels(chain, endpoint).observe(seconds)

    def on_retry(self, chain: str, reason: str) -> None:
        self.rpc_retries.labels(chain, reason).inc()

    def on_endpoint_up(self, chain: str, endpoint: str, up: bool) -> None:
        self.endpoint_up.labels(chain, endpoint).set(1 if up else 0)

    def on_head_lag(self, chain: str, endpoint: str, blocks: int) -> None:
        self.endpoint_head_lag.labels(chain, endpoint).set(blocks)

    # -- the rest ---------------------------------------------------------

    def cache(self, cache: str, result: str) -> None:
        self.cache_requests.labels(cache, result).inc()

    def observe_http(self, route: str, status: int, seconds: float) -> None:
        """One request served; ``route`` is the route template (or ``unmatched``), never the raw path."""
        self.http_requests.labels(route, str(status)).inc()
        self.http_duration.labels(route).observe(seconds)

    def observe_page(self, route: str, status: int) -> None:
        """One page shown; ``route`` is one of the page's route templates."""
        self.page_views.labels(route, str(status)).inc()

    def observe_heads(self, chain: str, heads: Mapping[str, int | None], up: Mapping[str, bool]) -> None:
        """Endpoint liveness and how far each endpoint's head trails the best one seen on the chain."""
        for endpoint, ok in up.items():
            self.endpoint_up.labels(chain, endpoint).set(1 if ok else 0)
        known = [h for e, h in heads.items() if h is not None and up.get(e, True)]
        if not known:
            return
        best = max(known)
        self.chain_head.labels(chain).set(best)
        for endpoint, head in heads.items():
            if head is not None:
                self.endpoint_head_lag.labels(chain, endpoint).set(max(0, best - head))

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)
