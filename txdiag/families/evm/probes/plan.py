"""A plan of calls, each with a handle that decodes its own reply.

A probe adds the calls it needs to a :class:`Plan` and keeps the handles;
the plan is sent as one batch, each handle is given its reply, and the
probe reads its typed values from its own handles. Nothing is paired by
position: a handle knows its call, its reply and its decoder.

```python
nonce = plan.add(Call("eth_getTransactionCount", (sender, "latest")), decode=quantity_or_none)
...
return SenderState(latest_nonce=nonce.value, ...)
```
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from txdiag.errors import WireError
from txdiag.families.evm.wire import data, quantity
from txdiag.rpc import Call, Reply, Rpc, RpcItemError, Verifier
from txdiag.rpc.codec import NO_ANSWER

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Handle(Generic[T]):
    """One call of a plan: its reply once the plan was sent, decoded by its own decoder."""

    __slots__ = ("_decoded", "_reply", "call", "decode")

    def __init__(self, call: Call, decode: Callable[[Reply], T]) -> None:
        self.call = call
        self.decode = decode
        self._reply: Reply | None = None
        self._decoded: tuple[T] | None = None

    def answer(self, reply: Reply) -> None:
        self._reply = reply
        self._decoded = None

    @property
    def reply(self) -> Reply:
        if self._reply is None:
            raise RuntimeError(f"{self.call.method} was read before its plan was sent")
        return self._reply

    @property
    def value(self) -> T:
        """The decoded reply (decoded once)."""
        if self._decoded is None:
            self._decoded = (self.decode(self.reply),)
        return self._decoded[0]

    @property
    def error(self) -> RpcItemError | None:
        """The node's error for this call, or None when it answered."""
        return self.reply.error

    @property
    def ok(self) -> bool:
        return self.reply.ok


class Plan:
    """The calls of one round, from every probe, sent as one batch."""

    def __init__(self) -> None:
        self._handles: list[Handle[Any]] = []

    def add(self, call: Call, *, decode: Callable[[Reply], T]) -> Handle[T]:
        handle = Handle(call, decode)
        self._handles.append(handle)
        return handle

    @property
    def calls(self) -> list[Call]:
        return [h.call for h in self._handles]

    @property
    def endpoint(self) -> str:
        """The endpoint that answered the plan (its first call's; the client checks a whole answer as one)."""
        return self._handles[0].reply.endpoint if self._handles else ""

    def __len__(self) -> int:
        return len(self._handles)

    def settle(self, replies: Sequence[Reply]) -> None:
        """Give every handle its reply (the client answers one reply per call, in order)."""
        if len(replies) != len(self._handles):
            raise ValueError(f"{len(replies)} replies for {len(self._handles)} calls")
        for handle, reply in zip(self._handles, replies, strict=True):
            handle.answer(reply)

    def verifier(self, check: Check) -> Verifier:
        """The client's check of a whole answer, made through this plan's handles.

        Every complete answer an endpoint gives is handed to the handles first,
        so ``check`` reads typed values, never a list of replies.
        """

        def verify(replies: Sequence[Reply]) -> str | None:
            self.settle(replies)
            return check()

        return verify

    async def send(
        self,
        client: Rpc,
        *,
        avoid: Sequence[str] = (),
        min_head: int | None = None,
        only: str | None = None,
        verify: Check | None = None,
    ) -> None:
        """Send the whole plan as one batch (a no-op for an empty plan).

        ``avoid``, ``min_head`` and ``only`` choose endpoints as in ``Rpc.batch``;
        ``verify`` checks each endpoint's complete answer through the handles:
        a fault it names makes that answer the endpoint's fault, and the client
        asks another endpoint (see ``Rpc.batch``).
        """
        if self._handles:
            check = self.verifier(verify) if verify is not None else None
            self.settle(await client.batch(self.calls, avoid=avoid, min_head=min_head, only=only, verify=check))


Check = Callable[[], str | None]
"""A check of a plan's answer, read from its handles: a fixed fault label, or None when the answer holds."""


@dataclass(frozen=True, slots=True)
class Answer(Generic[T_co]):
    """One reply decoded: the value (None when the node has none), or why there is no value."""

    value: T_co | None
    error: RpcItemError | None = None  # the call failed: the node's error, or no answer at all
    malformed: bool = False  # answered, in a shape that is not the value asked for

    @property
    def ok(self) -> bool:
        """Whether the node answered in the shape asked for (a null answer included)."""
        return self.error is None and not self.malformed


@dataclass(frozen=True, slots=True)
class Read(Generic[T_co]):
    """What one probe learned in one round: a typed value, and the parts it could not check."""

    value: T_co
    unchecked: frozenset[str] = frozenset()


# --- decoders: Reply -> typed value --------------------------------------------


def as_reply(r: Reply) -> Reply:
    """The reply itself, for a probe that looks at both the value and the node's error."""
    return r


def raw(r: Reply) -> Any:
    """The answer as the node sent it (JSON), or None when the call failed; the probe parses it."""
    return r.value if r.ok else None


def answer(parse: Callable[[Any], T]) -> Callable[[Reply], Answer[T]]:
    """A decoder into :class:`Answer`: the failed call, a null answer, a malformed one, or ``parse``'s value."""

    def decode(r: Reply) -> Answer[T]:
        if not r.ok:
            return Answer(None, error=r.error or RpcItemError(NO_ANSWER, "no answer"))
        if r.value is None:
            return Answer(None)
        try:
            return Answer(parse(r.value))
        except WireError:
            return Answer(None, malformed=True)

    return decode


def quantity_or_none(r: Reply) -> int | None:
    """A QUANTITY answer (a nonce, a balance), or None when the call failed or the answer is not a quantity."""
    if not r.ok:
        return None
    try:
        return quantity(r.value, "result")
    except WireError:
        return None


def data_or_none(r: Reply) -> bytes | None:
    """A DATA answer (an eth_call result, code), or None when the call failed or the answer is not hex data."""
    if not r.ok or not isinstance(r.value, str):
        return None
    try:
        return data(r.value, "result")
    except WireError:
        return None


Reader = Callable[[], Read[T]]
"""Reads a probe's typed result from its handles, once their plan was sent."""
