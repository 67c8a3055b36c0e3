"""One process-wide budget for the bytes that node answers hold.

What an answer of N bytes costs while it is read and decoded, measured on
CPython 3.11 (tracemalloc, json's C decoder):

    the body as read                         N
    the text the decoder makes of it         N      (gone once decoded)
    the decoded values                       ~1 N for one long string, ~2.1 N for receipts' logs
                                             (~3 N when decoded in pieces, which shares keys only
                                             within a piece), ~2.3 N for transactions, up to
                                             ~24 N for ``[{}, {}, ...]``

so a read is charged ``2 N + decoded(N)``, where ``decoded`` is an upper
estimate from what the body holds (objects, arrays, values, keys: counted as
the bytes arrive), and after decoding the charge drops to ``decoded(N)``.
That is held until the answer's last Reply is dropped (or given back
explicitly where an answer is discarded), so the budget covers what is alive,
not only what is in flight. A body with a declared length is charged
``UPFRONT`` times it before it is read, and settled to its real charge as it
arrives.

Who waits, and why it cannot deadlock:

- A read that holds nothing (no answer of its own diagnosis is alive) waits,
  first come first served, within its attempt's time for the bytes it needs.
- Whoever already holds bytes never waits: it gets more at once, or fails
  with ``OverBudget`` (an ``answer_budget`` fault, retried within the
  deadline). Nobody waits while holding, so no ring of waiters can form.
- An answer whose charge is more than the whole budget can never fit: it is
  refused at once (``too_big``: an oversize answer, the endpoint's fault).
- An answer kept alive only by a reference cycle (a failed request's
  traceback and its frames) is found by a full collection once the budget
  is stuck: bytes held and none given back for a second while others wait
  (with nobody waiting, also only when txdiag.gcpolicy allows full
  collections).

Memory goes back to the system: the decoded values are many small objects,
which glibc keeps in its heap after they are freed (a 30 MB receipt left
~100 MB resident); after enough answers were given back and little is in
use, ``malloc_trim`` returns the free pages (only where glibc is the C
library; about a millisecond).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextvars import ContextVar

log = logging.getLogger("txdiag.rpc.budget")

MIB = 1024 * 1024
DEFAULT_TOTAL = 128 * MIB
# what a declared length is charged before the body is read (2 N + ~2 N decoded: strings, hex data, transactions)
UPFRONT = 4
FIRST_CHUNK = 1 * MIB  # a body without a declared length is charged this much before it is read
TRIM_AFTER = 32 * MIB  # bytes released since the last trim before the next one is worth it
COLLECT_EVERY = 1.0  # seconds between collections asked for by waiters
TRIM_DELAY = 0.25  # seconds from the release that asks for a trim to the trim


class OverBudget(Exception):
    """No bytes for this answer: ``too_big`` when it can never fit, else none free in time (or none free now)."""

    def __init__(self, nbytes: int, *, too_big: bool) -> None:
        super().__init__(f"{nbytes} bytes of node answers {'can never fit' if too_big else 'not free in time'}")
        self.nbytes = nbytes
        self.too_big = too_big


class Holdings:
    """The answers one piece of work (a diagnosis) holds: while any is alive, that work never waits for more.

    ``count`` changes only under its budget's lock (holds are made on worker threads and dropped on the loop).
    """

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


_holdings: ContextVar[Holdings | None] = ContextVar("txdiag_answer_holdings", default=None)


@contextlib.contextmanager
def holding_scope() -> Iterator[Holdings]:
    """Count the answers held inside the block as one piece of work's (an outer scope is kept)."""
    current = _holdings.get()
    if current is not None:
        yield current
        return
    fresh = Holdings()
    token = _holdings.set(fresh)
    try:
        yield fresh
    finally:
        _holdings.reset(token)


def current_holdings() -> Holdings | None:
    """The holdings of the work in scope (pass it to a worker thread, which does not see the context)."""
    return _holdings.get()


class Tally:
    """What the bytes of one body hold, counted as they arrive; the charge and decoded estimate follow from it."""

    __slots__ = ("arrays", "keys", "nbytes", "objects", "values")

    def __init__(self) -> None:
        self.nbytes = 0
        self.objects = 0
        self.arrays = 0
        self.values = 0
        self.keys = 0

    def add(self, chunk: bytes | bytearray) -> None:
        self.nbytes += len(chunk)
        self.objects += chunk.count(b"{")
        self.arrays += chunk.count(b"[")
        self.values += chunk.count(b",")
        self.keys += chunk.count(b":")

    @property
    def decoded(self) -> int:
        """An upper estimate of the decoded values' size: a dict ~200 bytes, a list ~64, a value's slot ~32,
        a key ~96 (a big body is decoded in pieces, and keys are shared only within a piece), plus 4 KiB."""
        return 4096 + self.nbytes + 200 * self.objects + 64 * self.arrays + 32 * self.values + 96 * self.keys

    @property
    def charge(self) -> int:
        """What decoding this body needs at its peak: the body, its text and the decoded values."""
        return 2 * self.nbytes + self.decoded


def upfront(declared: int | None) -> int:
    """The charge of a body before it is read: by its declared length, else a first chunk's."""
    return UPFRONT * (FIRST_CHUNK if declared is None else declared)


def _full_collections_allowed() -> bool:
    """Whether the process's collector policy lets a full collection run now (txdiag.gcpolicy)."""
    from txdiag import gcpolicy  # noqa: PLC0415 - only when a budget is stuck

    gcpolicy.FULL_COLLECTIONS.check()  # its wait may be over with no collection since to notice it
    return not gcpolicy.FULL_COLLECTIONS.holding


class _Waiter:
    # wake() must take no lock: a hold dropped by the collector may grant this waiter (see Hold.__del__)
    __slots__ = ("granted", "nbytes", "wake")

    def __init__(self, nbytes: int, wake: Callable[[], None]) -> None:
        self.nbytes = nbytes
        self.wake = wake
        self.granted = False


class AnswerBudget:
    """Bytes of node answers alive at once, for the whole process; made once and handed to every client."""

    def __init__(
        self,
        total: int = DEFAULT_TOTAL,
        *,
        trim: Callable[[], None] | None = None,
        collect: Callable[[], object] = gc.collect,
        may_collect: Callable[[], bool] = _full_collections_allowed,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if total <= 0:
            raise ValueError("the answer budget must be positive")
        self.total = total
        self._collect = collect
        self._may_collect = may_collect
        self._clock = clock
        self._collected = -COLLECT_EVERY  # when a collection last ran
        self._next_look = -COLLECT_EVERY  # no look before this (one was put off by the collector's policy)
        self._sweeping = False  # a look is due
        self._last_release = clock()  # when bytes were last given back
        self._in_use = 0
        self._lock = threading.Lock()
        self._queue: deque[_Waiter] = deque()
        # bytes given back by finalizers, which never lock: whoever lets go of the lock next takes them in
        self._returned: deque[tuple[int, Holdings | None]] = deque()
        self._released = 0  # since the last trim
        self._trimming = False  # a trim is due
        self._trim = trim if trim is not None else release_free_memory
        self.peak = 0  # the most ever in use (tests and bench read it)
        self.refused = 0  # reservations that failed (too big, or not free in time)

    @property
    def in_use(self) -> int:
        return self._in_use

    @property
    def waiting(self) -> int:
        return len(self._queue)

    @property
    def max_answer(self) -> int:
        """The longest body whose up-front charge fits in the whole budget."""
        return self.total // UPFRONT

    # -- the lock ------------------------------------------------------------
    #
    # The cyclic collector may run on any allocation, also one made while this thread holds the lock, and
    # then drop a Hold whose finalizer gives bytes back: a finalizer must never wait for the lock. It puts
    # its bytes on ``_returned`` (a deque: appends need no lock) and takes the lock only if it is free; every
    # holder takes in what is on ``_returned`` as it lets go, and looks again once it has let go.

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        wakes: list[Callable[[], None]] = []
        self._lock.acquire()
        try:
            yield
        finally:
            self._unlock(wakes)
            for wake in wakes:
                wake()

    def _unlock(self, wakes: list[Callable[[], None]]) -> None:
        """Take in the bytes finalizers gave back, grant waiters, let go; again if more came meanwhile."""
        while True:
            while self._returned:
                nbytes, holdings = self._returned.popleft()
                if holdings is not None:
                    holdings.count -= 1
                self._returned_locked(nbytes)
            wakes.extend(self._grant())
            self._lock.release()
            if not self._returned or not self._lock.acquire(blocking=False):
                return  # nothing more, or its holder takes it in

    def _returned_locked(self, nbytes: int) -> None:
        self._last_release = self._clock()
        self._in_use -= nbytes
        self._released += nbytes

    def _give_back_finalized(self, nbytes: int, holdings: Holdings | None) -> None:
        """Give back from a finalizer: never waits for the lock (this thread may hold it already)."""
        self._returned.append((nbytes, holdings))
        if not self._lock.acquire(blocking=False):
            return  # whoever holds it takes these bytes in as it lets go
        wakes: list[Callable[[], None]] = []
        self._unlock(wakes)
        for wake in wakes:
            wake()

    def _count(self, holdings: Holdings, by: int) -> None:
        with self._locked():
            holdings.count += by

    # -- reserving -----------------------------------------------------------

    def try_reserve(self, nbytes: int, holdings: Holdings | None = None) -> Hold | None:
        """``nbytes`` now, ahead of any waiter (for work that holds answers already); None when not free."""
        with self._locked():
            if not self._fits(nbytes):
                return None
            self._take(nbytes)
        return Hold(self, nbytes, holdings)

    async def reserve(self, nbytes: int, *, within: float, holdings: Holdings | None = None) -> Hold:
        """``nbytes``, waiting in turn up to ``within`` seconds when the work holds nothing; OverBudget if not."""
        loop = asyncio.get_running_loop()
        granted = loop.create_future()

        def wake() -> None:
            loop.call_soon_threadsafe(_settle, granted)

        waiter = self._enqueue(nbytes, holdings, wake)
        if waiter is None:
            return Hold(self, nbytes, holdings)
        try:
            async with asyncio.timeout(max(0.0, within)):
                await granted
        except TimeoutError:
            if not self._withdraw(waiter):
                return Hold(self, nbytes, holdings)  # granted as the time ran out: take it after all
            self.refused += 1
            raise OverBudget(nbytes, too_big=False) from None
        except BaseException:  # cancelled: what may have been granted meanwhile goes back
            if not self._withdraw(waiter):
                self._give_back(nbytes)
            raise
        return Hold(self, nbytes, holdings)

    def reserve_blocking(self, nbytes: int, *, within: float, holdings: Holdings | None = None) -> Hold:
        """``reserve`` for a worker thread: the thread blocks (never the event loop), looking for a stuck
        budget every COLLECT_EVERY seconds while it waits (a thread has no loop to schedule the look on)."""
        granted: queue.SimpleQueue[None] = queue.SimpleQueue()  # put() takes no lock: safe from a finalizer
        waiter = self._enqueue(nbytes, holdings, functools.partial(granted.put, None))
        if waiter is None:
            return Hold(self, nbytes, holdings)
        until = time.monotonic() + max(0.0, within)
        while True:
            try:
                granted.get(timeout=max(0.0, min(until - time.monotonic(), COLLECT_EVERY)))
            except queue.Empty:
                if time.monotonic() < until:
                    self._sweep()
                    continue
                if self._withdraw(waiter):
                    self.refused += 1
                    raise OverBudget(nbytes, too_big=False) from None
            return Hold(self, nbytes, holdings)

    def _enqueue(self, nbytes: int, holdings: Holdings | None, wake: Callable[[], None]) -> _Waiter | None:
        """None when granted at once; a queued waiter; OverBudget when it can never fit or may not wait."""
        waiter = _Waiter(nbytes, wake)  # made before locking, as is the refusal (see _locked)
        refused: bool | None = None  # too big when True
        with self._locked():
            if nbytes > self.total:
                self.refused += 1
                refused = True
            elif not self._queue and self._fits(nbytes):
                self._take(nbytes)
                return None
            elif holdings is not None and holdings.count > 0:
                # this work holds answers already: waiting for more while holding could ring with another such
                if self._fits(nbytes):
                    self._take(nbytes)
                    return None
                self.refused += 1
                refused = False
            else:
                self._queue.append(waiter)
        if refused is not None:
            raise OverBudget(nbytes, too_big=refused)
        self._sweep()
        return waiter

    def _withdraw(self, waiter: _Waiter) -> bool:
        """Take a waiter out of the queue; False when it was granted meanwhile (its bytes are then its own)."""
        with self._locked():  # letting go grants: the head may have been what held others back
            if waiter.granted:
                return False
            self._queue.remove(waiter)
        self._sweep()
        return True

    def _sweep(self) -> None:
        """Someone waits (or gave up waiting): in a while, look for answers unreachable but not yet freed.

        An answer whose replies a failed request's traceback kept (frames and exceptions refer to each
        other) is freed only by the cyclic collector, whose full collections may wait a long time (and
        are held back while big answers are read: txdiag.gcpolicy). Only when the budget is stuck, bytes
        held and none given back for COLLECT_EVERY seconds, is a full collection made (then a trim);
        while answers come and go, none is. With nobody waiting it also waits until the collector's
        policy allows one, and looks again no sooner than COLLECT_EVERY seconds later. On the event loop
        the look is repeated while anyone waits or anything is held (so answers only cycles keep are found
        once the policy allows), never sooner than it is due; on a worker thread it is made at once when
        due, at most once per call (a waiting thread calls again every COLLECT_EVERY seconds).
        """
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:  # a worker thread: only when due, and then at once
            loop = None
        with self._locked():
            if self._sweeping:
                return
            delay = max(0.0, self._due() - self._clock())
            if loop is None and delay > 0:
                return
            self._sweeping = True
        if loop is None:
            self._look()
        else:
            loop.call_later(delay, self._sweep_now)

    def _due(self) -> float:
        return max(max(self._collected, self._last_release) + COLLECT_EVERY, self._next_look)

    def _sweep_now(self) -> None:
        """The loop's look; scheduled again (never sooner than the next is due) while anyone waits or holds."""
        if self._look():
            self._sweep()

    def _look(self) -> bool:
        """Collect if the budget is stuck; whether anyone still waits or anything is held."""
        with self._locked():
            now = self._clock()
            stuck = self._in_use > 0 and now >= self._due()
            waiting = bool(self._queue)
        if stuck and not waiting and not self._may_collect():
            stuck = False  # nobody waits: a big answer may be alive and read, so wait with the collector
            with self._locked():
                self._next_look = now + COLLECT_EVERY
        with self._locked():
            self._sweeping = False
            if stuck:
                self._collected = now
        if stuck:
            before = self._in_use
            self._collect()
            if self._in_use <= self.total // 4:
                self._trim()
            log.debug("answer budget swept: %d bytes in use, then %d; %d waiting", before, self._in_use, self.waiting)
        with self._locked():
            return bool(self._queue) or self._in_use > 0

    def _grow(self, nbytes: int) -> bool:
        """``nbytes`` more for a hold, only if free now."""
        with self._locked():
            if not self._fits(nbytes):
                self.refused += 1
                return False
            self._take(nbytes)
            return True

    def _fits(self, nbytes: int) -> bool:
        return self._in_use + nbytes <= self.total

    def _take(self, nbytes: int) -> None:
        self._in_use += nbytes
        self.peak = max(self.peak, self._in_use)

    def _grant(self) -> list[Callable[[], None]]:
        """Grant waiters in turn while the first fits (under the lock); returns their wake-ups."""
        wakes = []
        while self._queue and self._fits(self._queue[0].nbytes):
            waiter = self._queue.popleft()
            waiter.granted = True
            self._take(waiter.nbytes)
            wakes.append(waiter.wake)
        return wakes

    # -- giving back ---------------------------------------------------------

    def _give_back(self, nbytes: int, holdings: Holdings | None = None) -> None:
        """Give back explicitly (never from a finalizer: see ``_give_back_finalized``); wakes who now fits."""
        with self._locked():
            if holdings is not None:
                holdings.count -= 1
            self._returned_locked(nbytes)
            trim = self._released >= TRIM_AFTER and not self._trimming
            if trim:
                self._trimming = True
        if trim:
            # a moment later: the frames and tasks that held the answer finish unwinding first
            _later(TRIM_DELAY, self._trim_now)

    def _trim_now(self) -> None:
        with self._locked():
            self._trimming = False
            if self._in_use > self.total // 4:
                return  # still busy: the next release asks again
            self._released = 0
            idle = self._in_use == 0 and not self._queue
        started = self._clock()
        if idle:
            # no answer is alive: a full collection is short now, and frees the cycles failed requests left
            # among the answers' objects, which keep whole allocator arenas from going back
            self._collect()
        self._trim()
        log.debug(
            "answer budget: %d bytes in use; free memory given back (%s, %.1f ms)",
            self._in_use,
            "with a full collection" if idle else "young collections only",
            (self._clock() - started) * 1000,
        )


class Hold:
    """Bytes of the budget held for one answer; given back by ``release`` or when the last reference goes."""

    __slots__ = ("_budget", "_holdings", "nbytes")

    def __init__(self, budget: AnswerBudget, nbytes: int, holdings: Holdings | None) -> None:
        self._budget: AnswerBudget | None = budget
        self.nbytes = nbytes
        self._holdings = holdings
        if holdings is not None:
            budget._count(holdings, 1)

    @property
    def released(self) -> bool:
        return self._budget is None

    def resize(self, nbytes: int) -> bool:
        """Hold ``nbytes`` now: less is always possible, more only if free at once (a holder never waits)."""
        budget = self._budget
        if budget is None:
            return False
        if nbytes <= self.nbytes:
            extra = self.nbytes - nbytes
            self.nbytes = nbytes
            if extra:
                budget._give_back(extra)
            return True
        if not budget._grow(nbytes - self.nbytes):
            return False
        self.nbytes = nbytes
        return True

    def release(self) -> None:
        budget, self._budget = self._budget, None
        if budget is None:
            return
        budget._give_back(self.nbytes, self._holdings)

    def __del__(self) -> None:
        # the collector may call this on a thread that holds the budget's lock: give back without locking
        budget, self._budget = self._budget, None
        if budget is not None:
            budget._give_back_finalized(self.nbytes, self._holdings)


def _later(delay: float, work: Callable[[], object]) -> None:
    """``work`` in ``delay`` seconds on this thread's event loop; at once on a worker thread (no loop to wait on)."""
    try:
        asyncio.get_running_loop().call_later(delay, work)
    except RuntimeError:
        work()


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def release_free_memory() -> None:
    """Give free memory back to the system: young garbage cycles first, then the C heap's free pages.

    The cycles a failed request leaves (its exception, traceback and frames) are small, but they sit
    among the freed answer's objects and keep whole allocator arenas from being returned; a collection
    of the younger generations (a few ms; the full one only when no answer is alive, see
    ``AnswerBudget._trim_now`` and txdiag.gcpolicy) frees the young ones. Then glibc's malloc_trim
    returns free heap pages (nothing elsewhere), on a thread of its own: it takes 1-25 ms on a
    fragmented heap, without the interpreter lock, so the event loop goes on meanwhile.
    """
    gc.collect(1)
    trim = _malloc_trim()
    if trim is not None:
        threading.Thread(target=trim, args=(0,), name="txdiag-trim", daemon=True).start()


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, looked up once; None on another C library or system."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # noqa: PLC0415 - only once big answers were given back
    import platform  # noqa: PLC0415

    if platform.libc_ver()[0] != "glibc":
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim
