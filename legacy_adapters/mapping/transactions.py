"""Holding a source transaction's changes until all of them are there, whatever order they arrive in.

With ``provide.transaction.metadata=true`` every change carries ``transaction.id`` and ``total_order`` (its
place among the transaction's changes), and the ``<prefix>.transaction`` topic carries an END record with the
number of changes per table. The changes of one transaction are spread over the tables' topics and the END sits
on yet another one, so they arrive in any order: a transaction is complete once its END has arrived *and*, for
every table the adapter maps, as many changes as the END counts. Its changes then come out in the order they
happened at the source (by change-log position, which within one transaction is also ``total_order``'s).

Redelivered changes (Debezium and Kafka deliver at least once) are recognised by their change-log position
and kept once; a change or END of a transaction completed recently is dropped as a duplicate.

The memory of completed transactions is part of an adapter's saved state (:meth:`TransactionBuffer.completed`,
:meth:`TransactionBuffer.remember`): without it, a restarted adapter would map again a transaction whose records
are delivered again after its offsets were committed. Incomplete transactions are not: state is saved only
when none is held (their records are uncommitted and will be delivered again anyway).

Hazard: an incomplete transaction stays in memory and keeps its records' offsets uncommitted until it
completes or :meth:`TransactionBuffer.drain` is called (:meth:`pending` lists them). Counts must match exactly:
a transaction whose END counts fewer changes than arrived (a connector that restarted inside it and counted
afresh) waits for a drain rather than completing early and dropping what comes after as duplicates.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pipelines.debezium import ChangeEvent, RecordRef, TransactionEvent, TransactionStatus, UndecodedChange

Order = tuple[str | int, ...]


@dataclass
class _Open:
    changes: dict[Order, ChangeEvent | None] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    expected: dict[str, int] | None = None
    end: RecordRef | None = None

    def complete(self) -> bool:
        if self.expected is None:
            return False
        counts = self.counts
        return all(counts.get(table, 0) == n for table, n in self.expected.items())

    def ordered(self) -> list[ChangeEvent]:
        changes = self.changes
        return [c for c in (changes[k] for k in sorted(changes)) if c is not None]


class TransactionBuffer:
    """Groups changes by transaction. ``table_of`` maps an END's ``data_collection`` to a mapped table name,
    or None for a table the adapter does not map (its changes are neither expected nor waited for)."""

    def __init__(self, table_of: Callable[[str], str | None], remember_completed: int = 10_000) -> None:
        self._table_of = table_of
        self._open: OrderedDict[str, _Open] = OrderedDict()
        self._done: OrderedDict[str, None] = OrderedDict()
        self._remember = remember_completed

    def add(self, change: ChangeEvent, table: str, keep: bool = True) -> list[ChangeEvent] | None:
        """Hold ``change`` (which must carry a transaction block); the whole transaction once it is complete.

        ``keep=False`` counts the change without holding it (it was already reported as a failure).
        """
        block = change.transaction
        assert block is not None
        return self._add(block.id, table, change.source.position.identity(), change if keep else None)

    def count(self, change: UndecodedChange, table: str) -> list[ChangeEvent] | None:
        """Count a change that could not be decoded (the runtime dead-lettered it) without holding anything;
        the whole transaction if that completes it."""
        return self._add(change.transaction.id, table, change.position.identity(), None)

    def _add(self, tx_id: str, table: str, at: Order, change: ChangeEvent | None) -> list[ChangeEvent] | None:
        if tx_id in self._done:
            return None
        tx = self._open.get(tx_id)
        if tx is None:
            tx = self._open[tx_id] = _Open()
        if at in tx.changes:
            return None
        tx.changes[at] = change
        tx.counts[table] = tx.counts.get(table, 0) + 1
        return self._finish(tx_id, tx) if tx.expected is not None and tx.complete() else None

    def end(self, event: TransactionEvent) -> list[ChangeEvent] | None:
        """Note a BEGIN (nothing to do) or END; the whole transaction if this END completes it."""
        if event.status is not TransactionStatus.END or event.id in self._done:
            return None
        tx = self._open.get(event.id)
        if tx is None:
            tx = self._open[event.id] = _Open()
        expected: dict[str, int] = {}
        for collection in event.data_collections:
            table = self._table_of(collection.data_collection)
            if table is not None and collection.event_count:
                expected[table] = expected.get(table, 0) + collection.event_count
        tx.expected = expected
        tx.end = event.record
        return self._finish(event.id, tx) if tx.complete() else None

    def _finish(self, tx_id: str, tx: _Open) -> list[ChangeEvent]:
        del self._open[tx_id]
        self._done[tx_id] = None
        if len(self._done) > self._remember:
            self._done.popitem(last=False)
        return tx.ordered()

    def pending(self) -> tuple[RecordRef, ...]:
        """Records of incomplete transactions (changes and ENDs), oldest transaction first."""
        refs: list[RecordRef] = []
        for tx in self._open.values():
            refs.extend(c.record for c in tx.ordered() if c.record is not None)
            if tx.end is not None:
                refs.append(tx.end)
        return tuple(refs)

    def drain(self, transaction: str | None = None) -> list[list[ChangeEvent]]:
        """Every incomplete transaction's changes (sorted), or only ``transaction``'s; they count as done, so a
        late change of one of them is ignored like a change of any completed transaction (it would never
        complete again)."""
        chosen = [
            (tx_id, tx) for tx_id, tx in self._open.items() if transaction is None or tx_id == transaction
        ]
        drained = [self._finish(tx_id, tx) for tx_id, tx in chosen]
        return [changes for changes in drained if changes]

    def completed(self) -> list[str]:
        """Ids of the transactions remembered as done, oldest first."""
        return list(self._done)

    def remember(self, completed: Sequence[str]) -> None:
        """Replace the memory of done transactions with ``completed`` (oldest first), keeping the newest ones
        up to ``remember_completed``."""
        kept = completed[-self._remember :] if self._remember > 0 else ()
        self._done = OrderedDict((tx_id, None) for tx_id in kept)

    def __len__(self) -> int:
        """The number of incomplete transactions held."""
        return len(self._open)
