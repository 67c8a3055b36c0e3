"""The access log: one JSON line per request, with the route template, never the raw path, query or a key."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

access_log = logging.getLogger("txdiag.access")


def access_line(
    method: str,
    route: str,
    status: int,
    started: float,
    *,
    request_id: str | None,
    client: str | None,
    key_id: str | None = None,
) -> None:
    """Write one access-log line (``started`` is a time.monotonic() reading)."""
    if not access_log.isEnabledFor(logging.INFO):
        return
    line = {
        "ts": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "event": "http_request",
        "method": method[:16],
        "route": route,
        "status": status,
        "duration_ms": round((time.monotonic() - started) * 1000, 2),
        "request_id": request_id,
        "client": client,
        "key_id": key_id,
    }
    access_log.info(json.dumps(line, ensure_ascii=False))
