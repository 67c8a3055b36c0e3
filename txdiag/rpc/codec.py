"""JSON-RPC 2.0 on the wire: calls, ids, replies and item errors.

Pure: no I/O. The transport hands over bytes; this module decodes them (with
a nesting bound), matches answers to calls by id, and classifies each item's
error once (deterministic, throttled, missing data, an endpoint's fault, unsupported), so the
layers above read properties, never a node's text.
"""

from __future__ import annotations

import array
import asyncio
import codecs
import itertools
import json
import re
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from txdiag import gcpolicy

RATE_LIMIT_CODES = frozenset({-32005, -32029, -32090, 429})
_RATE_LIMIT_TEXT = ("rate limit", "too many requests", "capacity", "exceeded the quota", "throttl")
_MISSING_DATA_TEXT = ("header not found", "missing trie node", "unknown block", "state not available", "pruned")
# a request too wide for the provider (eth_getLogs): the same request fails the same way; the caller narrows it
_RANGE_TEXT = (
    "returned more than",
    "more than 10000 results",
    "too many results",
    "block range",
    "range too large",
    "range is too large",
    "response size",
)
# methods whose errors describe the call itself (a revert's message is the contract's own text)
_CALL_METHODS = frozenset({"eth_call", "eth_estimateGas", "eth_createAccessList", "eth_simulateV1", "debug_traceCall"})
_SERVER_CODES = range(-32099, -32000 + 1)  # JSON-RPC's implementation-defined server errors
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
_BARE_INTERNAL = ("internal error", "internal server error", "internal json-rpc error", "server error")
NO_ANSWER = -32099  # our own marker: the answer had no item for this call
_MAX_MESSAGE = 4096  # characters of a node's error message kept
# json's C decoder recurses once per level, bounded only by sys.getrecursionlimit(); a library that raises
# that limit (some do, to 100000) lets a deeply nested body overflow the C stack and kill the process
MAX_JSON_DEPTH = 512
DECODE_ON_THE_LOOP = 256 * 1024  # a longer body is decoded off the event loop (JSON decodes at ~100 MB/s: ~2.5 ms)
PIECE_DEPTH = 4  # levels read piece by piece: batch, reply, result, a receipt's logs
TEXT_AT_A_STRETCH = 1 << 20  # bytes of a long body decoded to text at a stretch (~1 ms; 13 MB at once: ~10 ms)
PIECES_AT_A_STRETCH = 250  # pieces (~10 us each: a log) decoded before the event loop is served
RELEASE_AT_A_STRETCH = 2_000  # decoded items (a log: ~1 us with its strings) freed at a turn of the event loop
_DECODER = json.JSONDecoder()
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_JSON_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')
_JSON_STRING = re.compile(rb'"[^"]*"')  # once escapes are gone, a string runs to the next quote
_BRACKET_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    params: tuple[Any, ...] = ()


class RpcItemError(Exception):
    """A JSON-RPC error object returned for one call (``method``: the call's method, when known)."""

    def __init__(self, code: int, message: str, data: Any = None, *, method: str = "") -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.data = data
        self.method = method

    @property
    def label(self) -> str:
        """A fixed, bounded name of this error for messages and logs: never the node's own text."""
        code = self.code if -(2**31) <= self.code < 2**31 else "other"
        return f"rpc_error {code}"

    @property
    def deterministic(self) -> bool:
        """An answer about the call itself (a revert, a range too wide): asking again, anywhere, gives the same."""
        text = self.message.lower()
        revert_data = isinstance(self.data, str) and self.data.startswith("0x")
        return self.code == 3 or "revert" in text or revert_data or any(t in text for t in _RANGE_TEXT)

    @property
    def rate_limited(self) -> bool:
        """The provider throttled this item: by its code, or by its text for a server error carrying no data."""
        if self.deterministic:
            return False
        if self.code in RATE_LIMIT_CODES:
            return True
        if self.data is not None or self.method in _CALL_METHODS or self.code not in _SERVER_CODES:
            return False  # a contract's or a client's own words may mention rate limits
        text = self.message.lower()
        return any(t in text for t in _RATE_LIMIT_TEXT)

    @property
    def missing_data(self) -> bool:
        if self.deterministic:
            return False
        text = self.message.lower()
        return any(t in text for t in _MISSING_DATA_TEXT)

    @property
    def endpoint_fault(self) -> bool:
        """The node could not answer this call now (its own fault, not the call's): another endpoint may.

        Missing data (a lagging or pruned node), an internal error, a server
        error (-32000..-32099) that is neither throttling, nor unsupported, nor
        about the call itself, and an answer that left the call out. For calls
        that run contract code (``eth_call``, ...), an error is the code's own
        outcome ("EVM error OutOfGas", a revert) unless it is missing data or a
        bare internal error carrying no data.
        """
        if self.deterministic or self.rate_limited or self.unsupported:
            return False
        if self.missing_data or self.code == NO_ANSWER:
            return True
        if self.method in _CALL_METHODS:
            return self.code == INTERNAL_ERROR and self.data is None and self.message.lower() in _BARE_INTERNAL
        return self.code == INTERNAL_ERROR or self.code in _SERVER_CODES

    @property
    def unsupported(self) -> bool:
        if self.code == METHOD_NOT_FOUND:
            return True
        if self.deterministic:
            return False  # "execution reverted: token does not exist" is the contract speaking
        text = self.message.lower()
        return "not supported" in text or "does not exist" in text

    @property
    def refuses_batch(self) -> bool:
        """An error answering a whole batch that says batches are not accepted here."""
        return self.code in (INVALID_REQUEST, METHOD_NOT_FOUND) or "batch" in self.message.lower()


@dataclass(frozen=True, slots=True)
class Reply:
    """One call's outcome: a value, or the node's error for it.

    ``hold`` is the answer's hold on the process's answer budget (shared by the replies of one answer):
    it is given back when the last of them is dropped, since their values are what keeps the answer alive.
    """

    value: Any = None
    error: RpcItemError | None = None
    endpoint: str = ""
    hold: object = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    def unwrap(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


class Ids:
    """Request ids, unique within one client."""

    def __init__(self) -> None:
        self._next: Iterator[int] = itertools.count(1)

    def take(self, n: int) -> list[int]:
        return [next(self._next) for _ in range(n)]


def encode(ids: Sequence[int], calls: Sequence[Call], *, as_batch: bool) -> bytes:
    """The request body: a batch (a list), or one call object."""
    items = [
        {"jsonrpc": "2.0", "id": i, "method": c.method, "params": list(c.params)}
        for i, c in zip(ids, calls, strict=True)
    ]
    return json.dumps(items if as_batch else items[0]).encode()


def nesting(raw: bytes) -> int:
    """How deep arrays and objects nest in a JSON text (brackets in strings do not count); 0 when it cannot be deep."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return 0  # too few to nest too deep: the common case costs two scans in C
    if b"\\" in raw:
        raw = _JSON_ESCAPE.sub(b"", raw)  # an escaped quote must not end a string
    brackets = _JSON_STRING.sub(b"", raw.translate(None, _NOT_STRUCTURE))
    steps = array.array("b", brackets.translate(_BRACKET_STEP))  # +1 opens, -1 closes
    return max(itertools.accumulate(steps), default=0)


async def decode_off_loop(raw: bytes) -> Any:
    """``decode``; a body over DECODE_ON_THE_LOOP bytes is decoded in pieces, the event loop served between them.

    One C call decoding a whole 13 MB body holds the interpreter for ~130 ms, and
    on a worker thread it still holds the lock the loop needs; pieces do not.
    Full collections wait meanwhile and while the answer is read (txdiag.gcpolicy).
    """
    if len(raw) <= DECODE_ON_THE_LOOP:
        return decode(raw)
    gcpolicy.FULL_COLLECTIONS.hold()  # while its thousands of objects are alive, a full collection would walk them
    pieces = decode_in_pieces(raw)
    while True:
        try:
            for _ in range(PIECES_AT_A_STRETCH):
                if next(pieces):
                    break  # a stretch's worth in one piece
        except StopIteration as done:
            return done.value
        await asyncio.sleep(0)


def release_in_slices(items: list[Any]) -> None:
    """Empty a long decoded list that its reader is done with, RELEASE_AT_A_STRETCH items a turn of the event loop.

    Freeing a 13 MB answer's 20,000 log objects (and the half million strings
    in them) at once holds the loop ~15 ms. Without a running loop it is left as
    it is, to be freed with its last reference.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return

    def drop() -> None:
        del items[-RELEASE_AT_A_STRETCH:]
        if items:
            loop.call_soon(drop)

    if len(items) > RELEASE_AT_A_STRETCH:
        loop.call_soon(drop)


def decode_in_pieces(raw: bytes) -> Generator[bool, None, Any]:
    """What ``decode`` answers, read container by container down to PIECE_DEPTH levels, each deeper value in one C call.

    The text is decoded TEXT_AT_A_STRETCH bytes at a time (each such piece is a
    stretch: the generator yields True), then a batch's replies, their results
    and a receipt's logs are separate pieces (it yields False after each); its
    return value is the decoded body. ValueError as ``decode``.
    """
    try:
        decoder = codecs.getincrementaldecoder(json.detect_encoding(raw))("surrogatepass")
        view = memoryview(raw)
        parts = []
        for start in range(0, len(raw), TEXT_AT_A_STRETCH):
            parts.append(decoder.decode(view[start : start + TEXT_AT_A_STRETCH]))
            yield True
        parts.append(decoder.decode(b"", final=True))
        text = "".join(parts)
        del parts
        value, end = yield from _piece(text, _skip(text, 0), 1)
    except (RecursionError, UnicodeDecodeError) as exc:
        raise ValueError("not JSON") from exc
    if _skip(text, end) != len(text):
        raise ValueError("extra data after the JSON text")
    return value


def _skip(text: str, at: int) -> int:
    match = _JSON_SPACE.match(text, at)
    return at if match is None else match.end()


def _piece(text: str, at: int, depth: int) -> Generator[bool, None, tuple[Any, int]]:
    """The JSON value starting at ``at`` (``depth`` levels down) and where it ends."""
    opener = text[at : at + 1]
    if depth > PIECE_DEPTH or opener not in ("[", "{"):
        value, end = _DECODER.raw_decode(text, at)
        if opener in ("[", "{") and depth - 1 + nesting(text[at:end].encode()) > MAX_JSON_DEPTH:
            raise ValueError("nested too deep")
        return value, end
    closer = "]" if opener == "[" else "}"
    items: list[Any] = []
    fields: dict[str, Any] = {}
    at = _skip(text, at + 1)
    if text[at : at + 1] == closer:
        return (items if opener == "[" else fields), at + 1
    while True:
        yield False
        if opener == "{":
            key, at = _DECODER.raw_decode(text, at)
            at = _skip(text, at)
            if not isinstance(key, str) or text[at : at + 1] != ":":
                raise ValueError("malformed object")
            fields[key], at = yield from _piece(text, _skip(text, at + 1), depth + 1)
        else:
            item, at = yield from _piece(text, at, depth + 1)
            items.append(item)
        at = _skip(text, at)
        mark = text[at : at + 1]
        if mark == closer:
            return (items if opener == "[" else fields), at + 1
        if mark != ",":
            raise ValueError("malformed container")
        at = _skip(text, at + 1)


def decode(raw: bytes) -> Any:
    """The body as JSON; ValueError when it is not JSON or nests deeper than MAX_JSON_DEPTH."""
    if nesting(raw) > MAX_JSON_DEPTH:
        raise ValueError("nested too deep")
    try:
        return json.loads(raw)
    except RecursionError as exc:
        raise ValueError("nested too deep") from exc


def whole_batch_error(decoded: Any) -> RpcItemError | None:
    """The one error object a node sent in answer to a whole batch, if that is what it sent."""
    if isinstance(decoded, dict) and decoded.get("error") is not None:
        return item_error(decoded["error"])
    return None


def match(
    decoded: Any, ids: Sequence[int], calls: Sequence[Call], endpoint: str, *, hold: object = None
) -> list[Reply]:
    """Answers matched to calls by id; each item's error stays with that item; a missing item is NO_ANSWER.

    Every reply carries ``hold`` (the answer's hold on the budget), which lives as long as any of them.
    """
    objects = decoded if isinstance(decoded, list) else [decoded]
    by_id: dict[int | str, dict[str, Any]] = {}
    for obj in objects:
        # only ids we could have sent: a list is unhashable, and True would pass for 1
        if isinstance(obj, dict) and isinstance(obj.get("id"), int | str) and not isinstance(obj["id"], bool):
            by_id[obj["id"]] = obj
    replies: list[Reply] = []
    for i, call in zip(ids, calls, strict=True):
        obj = by_id.get(i)
        if (
            obj is None
            and len(calls) == 1
            and isinstance(decoded, dict)
            and ("result" in decoded or "error" in decoded)
        ):
            obj = decoded  # some nodes echo ids loosely
        if obj is None:
            replies.append(Reply(error=RpcItemError(NO_ANSWER, "no answer for this call"), endpoint=endpoint))
            continue
        err = obj.get("error")
        if err is not None:
            replies.append(Reply(error=item_error(err, call.method), endpoint=endpoint, hold=hold))
        else:
            replies.append(Reply(value=obj.get("result"), endpoint=endpoint, hold=hold))
    return replies


def item_error(err: Any, method: str = "") -> RpcItemError:
    if isinstance(err, dict):
        code = err.get("code")
        message = err.get("message")
        return RpcItemError(
            code if isinstance(code, int) and not isinstance(code, bool) else -32603,
            message[:_MAX_MESSAGE] if isinstance(message, str) else "unknown error",
            err.get("data"),
            method=method,
        )
    return RpcItemError(-32603, str(err)[:200], method=method)
