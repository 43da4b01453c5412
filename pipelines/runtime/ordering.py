"""Completing source transactions in source order, however the transport interleaves their topics.

Debezium writes a transaction's changes to one topic per table and its BEGIN/END to ``<prefix>.transaction``.
A Kafka consumer reads those topics side by side and may be further along one than another, so an adapter that
groups changes by transaction could complete transaction N+1 before N; if N+1 needs a row N wrote (a seat
needs its event), the mapping fails. :class:`TransactionGate` holds each END back until every change the END
counts has been handed to the adapter *and* every earlier END has been released: transactions complete in
the order the transaction topic gives, which is the source's commit order. Changes themselves go to the
adapter at once (it buffers them until their END).

Hazard: an END waits for changes the runtime never hands over: a change whose JSON could not be read at all
(it went to the dead letters; one that failed with readable ``source`` and ``transaction`` blocks is counted)
or a topic the runtime does not read. :meth:`TransactionGate.release_head` releases the oldest END as it is
(the normalizer does so once it has waited its stall timeout with every other topic read past it);
:meth:`TransactionGate.force` releases everything.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pipelines.debezium import ChangeEvent, TableId, TransactionEvent, UndecodedChange

T = TypeVar("T")


def collection_key(name: str) -> str:
    """The last two dotted parts of a table name: how an END's ``data_collection`` and a change's table meet
    (``boxoffice.SEAT_INV``; ``pricing.price_level`` for ``pricing.pricing.price_level``)."""
    return ".".join(name.split(".")[-2:])


def table_key(table: TableId) -> str:
    return collection_key(str(table))


@dataclass
class _End(Generic[T]):
    tx_id: str
    expected: dict[str, int]
    item: T
    seen: dict[str, set[int]] = field(default_factory=dict)


class TransactionGate(Generic[T]):
    """Holds END records (as opaque items) until their transaction is fully handed over, in END order."""

    def __init__(self, remember: int = 10_000) -> None:
        self._seen: dict[str, dict[str, set[int]]] = {}
        self._queue: deque[_End[T]] = deque()
        self._queued: set[str] = set()
        self._done: OrderedDict[str, None] = OrderedDict()
        self._remember = remember

    def change(self, change: ChangeEvent | UndecodedChange) -> None:
        """Count a change that was handed to the adapter (a failed one too: it will not come again)."""
        block = change.transaction
        if block is None or block.id in self._done:
            return
        per_table = self._seen.setdefault(block.id, {})
        per_table.setdefault(table_key(change.table), set()).add(block.total_order)

    def end(self, event: TransactionEvent, item: T) -> bool:
        """Queue an END (``item`` is what :meth:`release` gives back). False for BEGINs and repeated ENDs."""
        if event.status != "END" or event.id in self._done or event.id in self._queued:
            return False
        expected: dict[str, int] = {}
        for collection in event.data_collections:
            key = collection_key(collection.data_collection)
            expected[key] = expected.get(key, 0) + collection.event_count
        self._queue.append(_End(event.id, expected, item))
        self._queued.add(event.id)
        return True

    def release(self, ready: Callable[[T], bool] | None = None) -> list[T]:
        """The ENDs that may go to the adapter now, in order; ``ready`` may hold the head back further."""
        out: list[T] = []
        while (
            self._queue and self._complete(self._queue[0]) and (ready is None or ready(self._queue[0].item))
        ):
            out.append(self._pop())
        return out

    def head(self) -> tuple[str, T, bool] | None:
        """(transaction id, item, complete) of the oldest queued END; None when nothing is queued."""
        if not self._queue:
            return None
        end = self._queue[0]
        return end.tx_id, end.item, self._complete(end)

    def release_head(self) -> T:
        """The oldest queued END, complete or not (see the module's hazard)."""
        return self._pop()

    def force(self) -> list[T]:
        """Every queued END, complete or not (see the module's hazard)."""
        return [self._pop() for _ in range(len(self._queue))]

    def done_ids(self) -> list[str]:
        """The transactions released recently (oldest first), remembered to ignore their late records."""
        return list(self._done)

    def remember_done(self, ids: list[str]) -> None:
        """Remember ``ids`` as released (a normalizer resuming from saved state); the gate must be empty."""
        for tx_id in ids:
            self._done[tx_id] = None
        while len(self._done) > self._remember:
            self._done.popitem(last=False)

    def held(self) -> list[T]:
        return [end.item for end in self._queue]

    def open_ids(self) -> set[str]:
        """Transactions with an END held back."""
        return set(self._queued)

    def __len__(self) -> int:
        return len(self._queue)

    def _complete(self, end: _End[T]) -> bool:
        seen = self._seen.get(end.tx_id, {})
        return all(len(seen.get(key, ())) >= n for key, n in end.expected.items())

    def _pop(self) -> T:
        end = self._queue.popleft()
        self._queued.discard(end.tx_id)
        self._seen.pop(end.tx_id, None)
        self._done[end.tx_id] = None
        if len(self._done) > self._remember:
            self._done.popitem(last=False)
        return end.item
