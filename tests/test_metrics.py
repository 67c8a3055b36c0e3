"""Metrics: names and labels as the design lists them, moved by real diagnoses, label values bounded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from tests.support.anvil import Anvil
from tests.support.chain import Chain, account
from txdiag.chains import load_chains
from txdiag.compose import build_service
from txdiag.metrics import Metrics
from txdiag.settings import Settings

DESIGN_METRICS = {
    "txdiag_diagnoses": ("counter", {"chain", "verdict"}),
    "txdiag_diagnosis_duration_seconds": ("histogram", {"chain"}),
    "txdiag_rpc_requests": ("counter", {"chain", "endpoint", "method", "outcome"}),
    "txdiag_rpc_request_duration_seconds": ("histogram", {"chain", "endpoint"}),
    "txdiag_rpc_retries": ("counter", {"chain", "reason"}),
    "txdiag_endpoint_up": ("gauge", {"chain", "endpoint"}),
    "txdiag_endpoint_head_lag_blocks": ("gauge", {"chain", "endpoint"}),
    "txdiag_chain_head_block": ("gauge", {"chain"}),
    "txdiag_chain_next_base_fee_wei": ("gauge", {"chain"}),
    "txdiag_cache_requests": ("counter", {"cache", "result"}),
    "txdiag_http_requests": ("counter", {"route", "status"}),
    "txdiag_http_request_duration_seconds": ("histogram", {"route"}),
    "txdiag_http_connections_refused": ("counter", {"reason"}),
    "txdiag_http_connections_timed_out": ("counter", {"phase"}),
    "txdiag_http_open_connections": ("gauge", set()),
}
HEX_RUN = re.compile(r"[0-9a-fA-F]{40}")


def test_every_design_metric_exists_with_its_labels() -> None:
    """Each metric the design lists is registered with exactly its type and label names."""
    metrics = Metrics(CollectorRegistry())
    found = {}
    for collector in (
        metrics.diagnoses,
        metrics.diagnosis_duration,
        metrics.rpc_requests,
        metrics.rpc_duration,
        metrics.rpc_retries,
        metrics.endpoint_up,
        metrics.endpoint_head_lag,
        metrics.chain_head,
        metrics.next_base_fee,
        metrics.cache_requests,
        metrics.http_requests,
        metrics.http_duration,
        metrics.connections_refused,
        metrics.connections_timed_out,
        metrics.open_connections,
    ):
        found[collector._name] = (collector._type, set(collector._labelnames))
    assert found == DESIGN_METRICS
    text = metrics.exposition().decode()
    for name, (kind, _labels) in DESIGN_METRICS.items():
        exposed = f"{name}_total" if kind == "counter" else name
        assert f"# TYPE {exposed} {kind}" in text


def test_two_registries_do_not_share_values() -> None:
    """Metrics built on different registries are independent (no module-level singleton)."""
    one, two = Metrics(CollectorRegistry()), Metrics(CollectorRegistry())
    one.observe_http("/healthz", 200, 0.01)
    assert one.registry.get_sample_value("txdiag_http_requests_total", {"route": "/healthz", "status": "200"}) == 1
    assert two.registry.get_sample_value("txdiag_http_requests_total", {"route": "/healthz", "status": "200"}) is None


@pytest.mark.parametrize(
    ("heads", "up", "lags", "best"),
    [
        ({"a": 100, "b": 97}, {"a": True, "b": True}, {"a": 0, "b": 3}, 100),
        ({"a": 100, "b": 105}, {"a": True, "b": False}, {"a": 0, "b": 0}, 100),  # a down node does not set the best
        ({"a": 50, "b": None}, {"a": True, "b": True}, {"a": 0}, 50),
        ({"a": None}, {"a": False}, {}, None),
    ],
)
def test_head_lag_from_heads(
    heads: dict[str, int | None], up: dict[str, bool], lags: dict[str, int], best: int | None
) -> None:
    """Each endpoint's lag is the best live head minus its own head; endpoint_up mirrors liveness."""
    metrics = Metrics(CollectorRegistry())
    metrics.observe_heads("alpha", heads, up)
    get = metrics.registry.get_sample_value
    for endpoint, lag in lags.items():
        assert get("txdiag_endpoint_head_lag_blocks", {"chain": "alpha", "endpoint": endpoint}) == lag
    for endpoint, ok in up.items():
        assert get("txdiag_endpoint_up", {"chain": "alpha", "endpoint": endpoint}) == (1 if ok else 0)
    assert get("txdiag_chain_head_block", {"chain": "alpha"}) == best


@pytest.mark.asyncio
async def test_real_diagnoses_move_counters_with_bounded_labels(chains_dir: Path, node_a: Anvil) -> None:
    """Diagnosing real transactions counts them by chain and verdict; no label value is a hash or an address."""
    chain = Chain(node_a)
    sent = [chain.send(account(6), account(9).address, value=1, gas=21_000) for _ in range(2)]
    metrics = Metrics(CollectorRegistry())
    async with build_service(Settings(), load_chains(chains_dir, env={}), metrics=metrics) as service:
        verdicts = [(await service.diagnose(h)).verdict for h in sent]
        await service.diagnose("0x" + "cd" * 32)
    get = metrics.registry.get_sample_value
    for verdict in set(verdicts):
        assert get("txdiag_diagnoses_total", {"chain": "alpha", "verdict": verdict}) == verdicts.count(verdict)
    assert get("txdiag_diagnoses_total", {"chain": "none", "verdict": "not_found"}) == 1
    assert get("txdiag_diagnosis_duration_seconds_count", {"chain": "alpha"}) == 2
    assert (get("txdiag_chain_head_block", {"chain": "alpha"}) or 0) >= 1
    assert (get("txdiag_chain_next_base_fee_wei", {"chain": "alpha"}) or 0) > 0
    rpc_total = sum(
        s.value
        for m in metrics.registry.collect()
        if m.name == "txdiag_rpc_requests"
        for s in m.samples
        if s.name.endswith("_total") and s.labels["endpoint"] == node_a.url
    )
    assert rpc_total > 0
    for family in metrics.registry.collect():
        for sample in family.samples:
            for value in sample.labels.values():
                assert not HEX_RUN.search(value), (sample.name, value)
