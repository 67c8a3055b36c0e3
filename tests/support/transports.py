"""Hold both transports to the same contract: a test module that exercises transport behaviour
(statuses, oversize bodies, redirects, resets, timeouts) runs each of its tests that builds a client
or a service once per transport.

In such a module::

    from tests.support.transports import both_transports, pytest_generate_tests  # noqa: F401

``both_transports`` (autouse) rebinds that module's ``RpcClient`` and ``build_service`` names to
versions with ``transport=`` set for the test's parameter; production code picks its transport in
the composition root.
"""

from __future__ import annotations

import functools
import inspect
import sys

import pytest

KINDS = ("aiohttp", "plain")
BUILDERS = ("RpcClient", "build_service")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    source = inspect.getsource(metafunc.function)
    if any(f"{name}(" in source for name in BUILDERS):
        metafunc.fixturenames.append("transport_kind")
        metafunc.parametrize("transport_kind", KINDS)


@pytest.fixture(autouse=True)
def both_transports(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str | None:
    callspec = getattr(request.node, "callspec", None)
    kind = callspec.params.get("transport_kind") if callspec is not None else None
    if kind is None:
        return None
    module = sys.modules[request.node.module.__name__]
    for name in BUILDERS:
        original = getattr(module, name, None)
        if original is not None:
            monkeypatch.setattr(module, name, functools.partial(original, transport=kind))
    return str(kind)
