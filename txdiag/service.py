"""diagnose(): the one path every front end takes.

Input is parsed first (bad input never reaches a node), then the chain(s) are
resolved, the transaction found, evidence gathered, classified and rendered.
Everything stateful (RPC clients, caches, the sightings store, metrics) is
made by the composition root, :func:`txdiag.compose.build_service`, and
handed to the Service; nothing is global. The Service runs the flow: the
chain search, coalescing of identical requests, the result cache, and the
dispatch to a chain family's find and gather.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from txdiag.cache import LRU, SingleFlight
from txdiag.chains import ChainSpec
from txdiag.context import ChainContext
from txdiag.errors import ChainUnavailable, DeadlineExceeded, Reason, UnknownChain
from txdiag.families import Families
from txdiag.families.evm.classify import classify
from txdiag.families.evm.classify.confirmed import LOOK_BACK, incomplete, is_final
from txdiag.families.evm.gather import find, investigate, look_back
from txdiag.families.evm.probes import vanished as looked_back
from txdiag.families.evm.probes.context import Found
from txdiag.inputs import parse_address, parse_hash, parse_lang
from txdiag.models import Asked, Classification, Evidence, Vanished
from txdiag.report import Diagnosis
from txdiag.rpc import deadline_scope
from txdiag.settings import Settings
from txdiag.sightings import Sighting, SightingStore, recall, remember

if TYPE_CHECKING:  # prometheus_client loads only where metrics are kept (the server); a family on first use
    from txdiag.families.bitcoin.gather import BitcoinFamily, BtcFound
    from txdiag.families.bitcoin.models import BtcEvidence
    from txdiag.metrics import Metrics
    from txdiag.status import ChainStatus


@dataclass(frozen=True, slots=True)
class Family:
    """How one family of chains finds a transaction, gathers its evidence, and looks back at a vanished one."""

    find: Callable[[ChainContext, str], Awaitable[Found]]
    investigate: Callable[[Found], Awaitable[Evidence]]
    look_back: Callable[[ChainContext, Sighting], Awaitable[Vanished | None]]  # None: the chain cannot say


EVM = Family(find, investigate, look_back)


@dataclass(frozen=True, slots=True)
class Missing:
    """No chain asked has the transaction: who was asked, and who could not be."""

    asked: tuple[Asked, ...]
    unreachable: tuple[str, ...] = ()


class Service:
    """The diagnose flow over chains wired by :func:`txdiag.compose.build_service`."""

    def __init__(
        self,
        settings: Settings,
        contexts: Mapping[str, ChainContext],
        *,
        sightings: SightingStore,
        results: LRU[str, tuple[Evidence | BtcEvidence, ChainSpec]],
        inflight: SingleFlight[tuple[str, str | None], tuple[Evidence | BtcEvidence, ChainSpec]],
        families: Mapping[str, Family],
        bitcoin_family: Families | None = None,
        metrics: Metrics | None = None,
        clock: Callable[[], datetime],
        observe_cache: Callable[[str, str], None] = lambda cache, result: None,
    ) -> None:
        self.settings = settings
        self.contexts = dict(contexts)
        self.chains = {name: ctx.chain for name, ctx in self.contexts.items()}
        self.sightings = sightings
        self.results = results
        self.inflight = inflight
        self.families = families
        # the bitcoin family has its own evidence type, so it is dispatched apart from the EVM-typed Family table;
        # its modules are imported on the first use of one of its chains
        self.lazy_families = bitcoin_family
        self.metrics = metrics
        self.clock = clock
        self._count_cache = observe_cache

    @property
    def bitcoin(self) -> BitcoinFamily | None:
        """The bitcoin family's shared state, built (its modules imported) on first use; None when not wired."""
        return self.lazy_families.bitcoin() if self.lazy_families is not None else None

    async def __aenter__(self) -> Service:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.inflight.close()  # a diagnosis still running would ask clients that are closing
        await asyncio.gather(*(ctx.client.close() for ctx in self.contexts.values()))
        self.sightings.close()

    # -- the front door ---------------------------------------------------

    async def diagnose(
        self,
        tx_hash: str,
        *,
        chain: str | None = None,
        expected_to: str | None = None,
        lang: str | None = None,
        accept_language: str | None = None,
    ) -> Diagnosis:
        """Find, gather, classify and render one transaction. Raises only TxdiagError subclasses."""
        h = parse_hash(tx_hash)
        expected = parse_address(expected_to) if expected_to else None
        language = parse_lang(lang, accept_language)
        if chain is not None and chain not in self.chains:
            raise UnknownChain(chain, list(self.chains))
        started = time.monotonic()
        ev, spec = await self.evidence(h, chain, expected)
        now = self.clock()
        if not isinstance(ev, Evidence):
            from txdiag.families.bitcoin import rules  # noqa: PLC0415 - the family loads on first use

            result = rules.classify(ev, spec, now)
        else:
            result = classify(ev, spec, now)
        known = ev.tx is not None or ev.vanished is not None
        diagnosis = Diagnosis.build(ev, result, spec if known else None, language, now)
        self._observe(ev, result, time.monotonic() - started)
        return diagnosis

    async def evidence(
        self, tx_hash: str, chain: str | None, expected_to: str | None
    ) -> tuple[Evidence | BtcEvidence, ChainSpec]:
        """The language-independent part of a diagnosis: cached, coalesced, bounded by the deadline."""
        cached = self.results.get(tx_hash)
        if cached is not None:
            self._count_cache("result", "hit")
            ev, spec = cached
        else:
            seconds = self.settings.deadline
            try:
                async with asyncio.timeout(seconds):
                    (ev, spec), shared = await self.inflight.run(
                        (tx_hash, chain), functools.partial(self._fresh_evidence, tx_hash, chain)
                    )
            except TimeoutError as exc:
                raise DeadlineExceeded(seconds) from exc
            self._count_cache("result", "coalesced" if shared else "miss")
        if not isinstance(ev, Evidence):
            return await self._remember_bitcoin(dataclasses.replace(ev, asked_chain=chain)), spec
        ev = dataclasses.replace(ev, asked_chain=chain, expected_to=expected_to)
        return await self._remember(ev), spec

    async def _fresh_evidence(self, tx_hash: str, chain: str | None) -> tuple[Evidence | BtcEvidence, ChainSpec]:
        """Ask the nodes; store the answer for as long as it cannot change."""
        seconds = self.settings.deadline
        try:
            async with asyncio.timeout(seconds):
                with deadline_scope(seconds):
                    located = await self._locate(tx_hash, chain)
                    ev: Evidence | BtcEvidence
                    if isinstance(located, Missing):
                        ev, spec = await self._vanished(*self._not_found(tx_hash, chain, located))
                    elif isinstance(located, Found):
                        ev, spec = await self.family(located.ctx).investigate(located), located.ctx.chain
                    else:
                        assert located.evidence is not None
                        ev, spec = located.evidence, self.chains[located.evidence.chain]
        except TimeoutError as exc:
            raise DeadlineExceeded(seconds) from exc
        if not isinstance(ev, Evidence):
            from txdiag.families.bitcoin import report  # noqa: PLC0415 - the family loads on first use

            if report.incomplete(ev):
                return ev, spec  # a part could not be read: the next request asks again
            final = ev.tx is not None and ev.tx.confirmations >= spec.confirmations
        else:
            if incomplete(ev, spec):
                return ev, spec  # a deciding check could not be made: the next request asks again
            final = ev.tx is not None and ev.receipt is not None and is_final(ev, spec)
        self.results.put(tx_hash, (ev, spec), None if final else self.settings.pending_cache_seconds)
        return ev, spec

    # -- steps ------------------------------------------------------------

    def family(self, ctx: ChainContext) -> Family:
        """The family dispatch point: how this chain's transactions are found and their evidence gathered."""
        family = self.families.get(ctx.chain.family)
        if family is None:
            detail = f"the {ctx.chain.family} family cannot be diagnosed yet"
            raise ChainUnavailable(ctx.chain.name, [], Reason.NO_ENDPOINT, detail=detail)
        return family

    async def _find(self, ctx: ChainContext, tx_hash: str) -> Found | BtcFound:
        family = self.bitcoin if ctx.chain.family == "bitcoin" else None
        if family is not None:
            return await family.find(ctx, tx_hash)
        return await self.family(ctx).find(ctx, tx_hash)

    async def _locate(self, tx_hash: str, chain: str | None) -> Found | BtcFound | Missing:
        """The chain that has the transaction: the named one first, then every other chain at once."""
        asked: list[Asked] = []
        if chain is not None:
            # the named chain must answer: if it cannot, nothing honest can be said (exit 3 / 503)
            found = await self._find(self.contexts[chain], tx_hash)
            if found.tx is not None:
                return found
            asked.append(found.asked)
        names = [n for n in self.chains if n != chain]
        hit, more, failures = await self._search(tx_hash, names)
        if hit is not None:
            return hit
        asked += more
        if not asked:
            if len(failures) == 1:
                raise failures[0]  # one chain: its own message says what failed
            endpoints = [e for f in failures for e in f.endpoints]
            raise ChainUnavailable(", ".join(f.chain for f in failures), endpoints, Reason.NO_CHAIN)
        return Missing(tuple(asked), tuple(f.chain for f in failures))

    async def _search(
        self, tx_hash: str, names: list[str]
    ) -> tuple[Found | BtcFound | None, list[Asked], list[ChainUnavailable]]:
        """Ask chains concurrently; the first that has the transaction wins and the rest are cancelled."""
        if not names:
            return None, [], []
        tasks = [asyncio.create_task(self._find(self.contexts[n], tx_hash)) for n in names]
        asked: list[Asked] = []
        failures: list[ChainUnavailable] = []
        hit: Found | BtcFound | None = None
        try:
            for next_done in asyncio.as_completed(tasks):
                try:
                    found = await next_done
                except ChainUnavailable as exc:
                    failures.append(exc)
                    continue
                if found.tx is not None:
                    hit = found
                    break
                asked.append(found.asked)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        order = {n: i for i, n in enumerate(names)}
        asked.sort(key=lambda a: order[a.chain])
        return hit, asked, failures

    def _not_found(self, tx_hash: str, chain: str | None, missing: Missing) -> tuple[Evidence, ChainSpec]:
        name = chain or missing.asked[0].chain
        ev = Evidence(
            hash=tx_hash,
            chain=name,
            network=None,
            tx=None,
            asked_chain=chain,
            asked=missing.asked,
            unchecked=frozenset(f"chain:{c}" for c in missing.unreachable),
        )
        return ev, self.chains[name]

    async def _vanished(self, ev: Evidence, spec: ChainSpec) -> tuple[Evidence | BtcEvidence, ChainSpec]:
        """A hash no chain has now, but txdiag saw pending: what became of it, on the chain it was seen on."""
        seen = await recall(self.sightings, ev.hash)
        if seen is None or seen.chain not in self.contexts:
            return ev, spec
        ctx = self.contexts[seen.chain]
        family = self.bitcoin if ctx.chain.family == "bitcoin" else None
        if f"chain:{seen.chain}" in ev.unchecked:
            # the chain it was seen on could not be asked whether it has it: it may be there, mined, so nothing
            # about what became of it can be said (not found, that chain named unchecked); the sighting is kept so
            # the answer does not call a transaction txdiag saw pending "never broadcast"
            if family is not None:
                return ev, spec
            return dataclasses.replace(ev, chain=seen.chain, vanished=looked_back.vanished(seen, None, None)), ctx.chain
        if family is not None:
            from txdiag.families.bitcoin.models import BtcEvidence  # noqa: PLC0415 - the family loads on first use

            vanished = await family.look_back(ctx, seen)
            btc = BtcEvidence(
                ev.hash, seen.chain, None, None, vanished=vanished, asked=ev.asked, asked_chain=ev.asked_chain
            )
            return btc, ctx.chain
        outcome = await self.family(ctx).look_back(ctx, seen)
        if outcome is None:
            # the chain was asked and said it has no such hash, but the look-back could not say what became of the
            # transaction (it failed, the sender's nonce was unread, or the chain holds this very one at its
            # nonce): a part of its own, never "chain:NAME" (that chain was reached), with the sighting kept
            untold = ev.unchecked | {f"{LOOK_BACK}{seen.chain}"}
            return dataclasses.replace(
                ev, chain=seen.chain, vanished=looked_back.vanished(seen, None, None), unchecked=untold
            ), ctx.chain
        return dataclasses.replace(ev, chain=seen.chain, vanished=outcome), ctx.chain

    async def _remember_bitcoin(self, ev: BtcEvidence) -> BtcEvidence:
        """As :meth:`_remember`, for a pending Bitcoin-family payment: what it spends is what is kept."""
        if not ev.pending:
            return ev
        now = self.clock()
        from txdiag.families.bitcoin.gather import sighting  # noqa: PLC0415 - the family loads on first use

        record = sighting(ev, now)
        stored = await remember(self.sightings, record) if record is not None else None
        if stored is None or stored.first_seen >= now:
            return ev
        return dataclasses.replace(ev, first_seen=stored.first_seen)

    async def _remember(self, ev: Evidence) -> Evidence:
        """Record a pending transaction's sighting; give the evidence its first-seen time.

        The store is used off the event loop; when it cannot be used the
        diagnosis goes on without the sighting (the store logs a warning).
        """
        tx = ev.tx
        if tx is None or ev.receipt is not None:
            return ev
        now = self.clock()
        stored = await remember(
            self.sightings,
            Sighting(
                tx.hash,
                ev.chain,
                tx.sender,
                tx.nonce,
                tx.fee_cap,
                tx.tip_cap,
                first_seen=now,
                last_seen=now,
                to=tx.to,
                value=tx.value,
            ),
        )
        if stored is None or stored.first_seen >= now:
            return ev  # a first sighting is "now": only an earlier one says how long it has waited
        return dataclasses.replace(ev, first_seen=stored.first_seen)

    def _observe(self, ev: Evidence | BtcEvidence, result: Classification, seconds: float) -> None:
        if self.metrics is None:
            return
        label = ev.chain if ev.tx is not None else "none"
        self.metrics.diagnoses.labels(label, result.verdict.value).inc()
        self.metrics.diagnosis_duration.labels(label).observe(seconds)
        if not isinstance(ev, Evidence):
            if ev.network is not None:
                self.metrics.chain_head.labels(ev.chain).set(ev.network.head)
                if ev.network.blocks:
                    self.metrics.next_block_fee_rate.labels(ev.chain).set(ev.network.blocks[0].min_rate)
        elif ev.network is not None:
            self.metrics.chain_head.labels(ev.chain).set(ev.network.head)
            if ev.network.next_base_fee is not None:
                self.metrics.next_base_fee.labels(ev.chain).set(ev.network.next_base_fee)

    # -- health -----------------------------------------------------------

    async def status(self) -> list[ChainStatus]:
        """Each chain's endpoints, probed now (see :func:`txdiag.status.chain_statuses`)."""
        from txdiag.status import STATUS_TIMEOUT, chain_statuses  # noqa: PLC0415 - only `txdiag chains` and /readyz

        return await chain_statuses(self.contexts.values(), min(self.settings.deadline, STATUS_TIMEOUT))
