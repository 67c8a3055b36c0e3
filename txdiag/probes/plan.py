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

from txdiag.rpc import Call, Reply, Rpc, RpcItemError
from txdiag.wire import WireError, data, quantity

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

    def __len__(self) -> int:
        return len(self._handles)

    def settle(self, replies: Sequence[Reply]) -> None:
        """Give every handle its reply (the client answers one reply per call, in order)."""
        if len(replies) != len(self._handles):
            raise ValueError(f"{len(replies)} replies for {len(self._handles)} calls")
        for handle, reply in zip(self._handles, replies, strict=True):
            handle.answer(reply)

    async def send(self, client: Rpc) -> None:
        """Send the whole plan as one batch (a no-op for an empty plan)."""
        if self._handles:
            self.settle(await client.batch(self.calls))


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
