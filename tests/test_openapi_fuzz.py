"""The OpenAPI document validates, and a property-based fuzzer drives the live server against it."""

from __future__ import annotations

import re
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from tests.support.anvil import Anvil
from tests.support.chain import Chain, account
from tests.support.live import served
from txdiag.openapi import build_document

DOCUMENT = build_document()
schema = schemathesis.openapi.from_dict(DOCUMENT)
# valid requests and invalid ones (wrong types, patterns, missing or extra parts): invalid ones must get a 4xx
schema.config.generation.update(modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE])


def test_document_is_valid_openapi_31() -> None:
    """The served document passes the OpenAPI 3.1 validator."""
    validate(DOCUMENT)
    assert DOCUMENT["openapi"].startswith("3.1")


def test_every_part_an_answer_can_leave_unchecked_is_named_in_the_document() -> None:
    """``incomplete_parts`` is described with every name it can hold: the EVM rules' deciding parts and part
    prefixes, the finalized block, and every part the Bitcoin family has words for."""
    from txdiag.families.bitcoin.words import _PARTS as BITCOIN_PARTS
    from txdiag.families.evm.classify.confirmed import DECIDING_PARTS, DECIDING_PREFIXES, LOOK_BACK, UNREACHABLE

    described = DOCUMENT["components"]["schemas"]["Diagnosis"]["properties"]["incomplete_parts"]["description"]
    names = {*DECIDING_PARTS, *DECIDING_PREFIXES, LOOK_BACK, UNREACHABLE, "finalized", *BITCOIN_PARTS["en"]}
    words = set(re.findall(r"[a-z_]+:?", described))
    assert sorted(n for n in names if n not in words) == []


def test_validator_would_catch_a_broken_document() -> None:
    """The validator is really checking: a response without a description is refused."""
    broken = build_document()
    del broken["paths"]["/healthz"]["get"]["responses"]["200"]["description"]
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


@pytest.fixture(scope="module")
def live_url(chains_dir: Path) -> Iterator[str]:
    """`txdiag serve` as a subprocess against the shared anvil nodes, with room for the fuzzer's traffic."""
    env = {"TXDIAG_RATE_PER_SECOND": "10000", "TXDIAG_RATE_BURST": "10000", "TXDIAG_DEADLINE": "5"}
    with served(chains_dir, env=env) as child:
        yield child.url
        # whatever the fuzzer sent, the service's own count shows no 5xx answer
        with urllib.request.urlopen(f"{child.url}/metrics", timeout=10) as resp:
            text = resp.read().decode()
        served_statuses = set(re.findall(r'txdiag_http_requests_total\{route="[^"]*",status="(\d+)"\}', text))
        assert served_statuses, "the fuzzer sent nothing"
        assert not any(s.startswith("5") for s in served_statuses), served_statuses


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_api_conforms_to_its_document(case: schemathesis.Case, live_url: str) -> None:
    """Generated requests never get a 5xx, and every answer matches the document (status, headers, body)."""
    case.call_and_validate(base_url=live_url)


def test_real_diagnoses_match_the_document(live_url: str, node_a: Anvil, node_b: Anvil) -> None:
    """Diagnoses of real transactions (confirmed, on another chain, unexpected recipient, zh-CN) conform."""
    on_alpha = Chain(node_a).send(account(3), account(2).address, value=10**16, gas=21_000)
    on_beta = Chain(node_b).send(account(3), account(2).address, value=10**16, gas=21_000)
    node_a.mine(70)
    # the service shares one chain snapshot for a block time (1 s here): let the one from before the mining expire
    time.sleep(1.1)
    tx = schema["/v1/tx/{hash}"]["GET"]
    cases = [
        ({"hash": on_alpha}, {}),
        ({"hash": on_alpha}, {"lang": "zh-CN", "expected_to": account(1).address.lower()}),
        ({"hash": on_beta}, {"chain": "alpha"}),
        ({"hash": on_alpha}, {"chain": "gamma"}),
    ]
    verdicts = []
    for path, query in cases:
        case = tx.Case(path_parameters=path, query=query)
        response = case.call_and_validate(base_url=live_url)
        body = response.json()
        verdicts.append(body["verdict"] if "verdict" in body else body["status"])
    assert verdicts[0] == "confirmed"
    assert verdicts[1] == "misdirected"
    assert verdicts[3] == 404
    for operation in ("/v1/chains", "/readyz", "/healthz", "/openapi.json", "/metrics"):
        schema[operation]["GET"].Case().call_and_validate(base_url=live_url)
