"""Connection limits: how many connections a client, and everyone together, may hold open.

Past a cap a connection is not served normally:

    ADMIT     under both caps: served as usual
    HEALTH    over a cap by at most OVERFLOW: its requests get 503, except ``/healthz``,
              so an orchestrator is still answered while one client floods the port
    REFUSE    beyond that, or when file descriptors run low: a fixed 503 is written
              and the connection closed before a byte is read

The total cap is lowered to fit the process's file-descriptor limit, keeping
FD_RESERVE descriptors for the listening socket, node connections, logs and
files, so an accept() never fails for want of a descriptor. Pure apart from the
one getrlimit read: the clock and the limit are passed in.
"""

from __future__ import annotations

import enum
import ipaddress
import logging
import time
from collections import Counter
from collections.abc import Callable

OVERFLOW = 8  # connections past a cap that may still reach /healthz
FD_RESERVE_MIN = 64
WARN_EVERY = 60.0  # seconds between two warnings about the same reason


class Admission(enum.Enum):
    ADMIT = "admit"
    HEALTH = "health"
    REFUSE = "refuse"


def client_key(address: str | None) -> str:
    """The bucket a peer address counts in: an IPv4 address, or an IPv6 address's /64."""
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def fd_reserve(soft_limit: int) -> int:
    """Descriptors kept free of client connections: for everything else, and for accept bursts."""
    return max(FD_RESERVE_MIN, soft_limit // 8)


def fd_capacity(soft_limit: int, wanted: int) -> int:
    """How many client connections fit under a file-descriptor limit (at least 1)."""
    return max(1, min(wanted, soft_limit - fd_reserve(soft_limit) - OVERFLOW))


def accept_batch(soft_limit: int) -> int:
    """How many sockets asyncio may accept in one go, before any of them is admitted (or makes room).

    A quarter of the reserve: one batch, and the idle connections closed to
    make room for the one before it (their descriptors are freed a loop turn
    later), then always fit. Should descriptors still run out, asyncio pauses
    accepting for a second and its report becomes one rate-limited warning.
    """
    return max(8, fd_reserve(soft_limit) // 4)


LISTEN_BACKLOG = 1024  # the kernel's queue of handshaken connections waiting to be accepted


def nofile_limit() -> int:
    """The process's soft RLIMIT_NOFILE (a large number where there is none)."""
    try:
        import resource  # noqa: PLC0415 - POSIX only

        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):
        return 1 << 20
    return soft if soft != resource.RLIM_INFINITY else 1 << 20


class ConnectionLimits:
    """Counts open connections in total and per client; decides each new one's admission."""

    def __init__(self, max_total: int, max_per_client: int, *, fd_bound: bool = False) -> None:
        self.max_total = max_total
        self.max_per_client = max_per_client
        # the total cap is the descriptor limit's, not the configured one: say so in the metric
        self.total_reason = "fd_limit" if fd_bound else "total_cap"
        self.total = 0
        self._per_client: Counter[str] = Counter()

    def admit(self, client: str) -> tuple[Admission, str | None]:
        """The admission of a new connection from ``client`` and, when limited, the reason (a metric label)."""
        mine = self._per_client[client]
        if self.total >= self.max_total + OVERFLOW:
            return Admission.REFUSE, self.total_reason
        if mine >= self.max_per_client + OVERFLOW:
            return Admission.REFUSE, "client_cap"
        self.total += 1
        self._per_client[client] = mine + 1
        if mine >= self.max_per_client:
            return Admission.HEALTH, "client_cap"
        if self.total > self.max_total:
            return Admission.HEALTH, self.total_reason
        return Admission.ADMIT, None

    def release(self, client: str) -> None:
        """A connection admitted with admit() (ADMIT or HEALTH) has closed."""
        self.total -= 1
        left = self._per_client[client] - 1
        if left > 0:
            self._per_client[client] = left
        else:
            del self._per_client[client]

    def open_from(self, client: str) -> int:
        return self._per_client[client]


class Warnings:
    """At most one log line per reason every ``every`` seconds, saying how many were not logged."""

    def __init__(
        self, logger: logging.Logger, every: float = WARN_EVERY, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.logger = logger
        self.every = every
        self.clock = clock
        self._last: dict[str, float] = {}
        self._quiet: Counter[str] = Counter()

    def warn(self, reason: str, message: str) -> bool:
        """Log ``message`` unless this reason was logged within the interval; True when it was logged."""
        now = self.clock()
        last = self._last.get(reason)
        if last is not None and now - last < self.every:
            self._quiet[reason] += 1
            return False
        self._last[reason] = now
        quiet = self._quiet.pop(reason, 0)
        more = f" ({quiet} more since the last warning)" if quiet else ""
        self.logger.warning("%s%s; next warning about this in %g s at the earliest", message, more, self.every)
        return True


def for_process(max_total: int, max_per_client: int) -> ConnectionLimits:
    """Limits for this process: the configured total, lowered to what its descriptor limit allows."""
    fit = fd_capacity(nofile_limit(), max_total)
    return ConnectionLimits(fit, max_per_client, fd_bound=fit < max_total)
