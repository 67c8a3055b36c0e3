"""The full-collection policy stays consistent when the collector's callback runs on another thread mid-hold."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from tests.support.clock import Clock
from txdiag import gcpolicy
from txdiag.gcpolicy import FullCollections


@pytest.fixture
def thresholds() -> Iterator[None]:
    saved = gc.get_threshold()
    gcpolicy.FULL_COLLECTIONS.release()  # another test's big answer must not hold these collections
    yield
    gc.set_threshold(*saved)


@pytest.mark.usefixtures("thresholds")
@pytest.mark.parametrize("earlier", [0, 1], ids=["first-hold", "after-a-wait-ended"])
def test_a_collection_ending_inside_hold_never_leaves_full_collections_off(
    monkeypatch: pytest.MonkeyPatch, earlier: int
) -> None:
    """A collection that finishes on another thread while hold() is half done runs check() at that moment
    (here: just before the oldest generation's threshold is set to never). Whatever it finds, the policy
    must end either holding (and later restoring) or not holding with the thresholds as they were."""
    clock = Clock()
    policy = FullCollections(clock, quiet_for=5.0, at_most=20.0)
    gc.set_threshold(700, 10, 10)
    if earlier:
        policy.hold()
        clock.now += 30.0
        policy.check()
        assert not policy.holding
    real = gc.set_threshold
    fired: list[tuple[int, ...]] = []

    def set_threshold(*values: int) -> None:
        if values[2] != 10 and not fired:  # the hold's own "never": the other thread's callback runs first
            fired.append(values)
            policy.check()
        real(*values)

    monkeypatch.setattr(gc, "set_threshold", set_threshold)
    policy.hold()
    monkeypatch.undo()
    assert fired, "hold() never set the oldest generation's threshold"
    assert policy.holding
    assert gc.get_threshold()[2] != 10
    clock.now += 5.0
    policy.check()
    assert not policy.holding
    assert gc.get_threshold() == (700, 10, 10)  # full collections are back once the wait is over
    policy.release()
