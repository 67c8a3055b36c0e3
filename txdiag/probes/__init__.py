"""Round-two probes: each asks for what one part of the evidence needs.

The registry below is the one list of probes; their calls are batched in
this order.
"""

from __future__ import annotations

from txdiag.gather import Probe
from txdiag.probes.failure import FailureProbe
from txdiag.probes.recipient import RecipientProbe
from txdiag.probes.sender import SenderProbe
from txdiag.probes.tokens import TokenProbe


def default_probes() -> list[Probe]:
    """Fresh probes for one investigation (a probe may hold state between its calls and its reading)."""
    return [SenderProbe(), TokenProbe(), FailureProbe(), RecipientProbe()]
