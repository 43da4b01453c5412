"""The contract between the normalizer runtime and a legacy system's adapter.

The runtime is handed adapters by the composition root (the CLI, Dagster) and imports none by name. An adapter
is a plain object: it receives decoded Debezium records one at a time and answers with a :class:`Mapped`, the
canonical events to publish and the failures to dead-letter. It may hold records back (the box office buffers
a source transaction until it is complete, to turn its rows into one ``order.placed``); :meth:`Adapter.pending`
says which, so the runtime does not commit their offsets.

How a runtime drives an adapter:

1. Feed it every record of the topics of :attr:`Adapter.tables` and, when :attr:`Adapter.needs_transactions`
   is true, of the connector's ``<prefix>.transaction`` topic, each partition in order (across topics any
   interleaving is fine: the result does not depend on it). Rows may be decoded to the columns
   :meth:`Adapter.columns_read` names; record keys need not be decoded (mappings read keys from rows).
2. Publish :attr:`Mapped.events`; send each of :attr:`Mapped.failures` to the dead-letter stream. A failure
   names its record (``failure.record``), which may be one handled earlier and still pending: keep the raw
   bytes of pending records until they are released.
3. Commit a partition's offset only up to (not including) its oldest record in :meth:`Adapter.pending`.
4. Call :meth:`Adapter.flush` only when no more records will come for what is pending (the end of a finite
   replay, a transaction whose END will never arrive). On an ordinary shutdown do not flush: uncommitted
   records are delivered again and their transactions completed after the restart.
5. To restart without replaying all history: while :meth:`Adapter.pending` is empty, keep
   :meth:`Adapter.save_state` together with the committed offsets; hand it to :meth:`Adapter.load_state` of the
   fresh adapter before its first record, and resume from those offsets.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from pipelines.debezium.model import DebeziumRecord, RecordRef, TableId

if TYPE_CHECKING:
    from pipelines.canonical.events import CanonicalEvent
    from pipelines.mapping.exceptions import MappingError


class Mapped:
    """What handling one record produced: canonical events to publish, in order, and failures to dead-letter."""

    __slots__ = ("events", "failures")

    def __init__(
        self, events: list[CanonicalEvent] | None = None, failures: list[MappingError] | None = None
    ) -> None:
        self.events: list[CanonicalEvent] = events if events is not None else []
        self.failures: list[MappingError] = failures if failures is not None else []

    def extend(self, other: Mapped) -> None:
        """Append ``other``'s events and failures to this one's."""
        self.events.extend(other.events)
        self.failures.extend(other.failures)

    def __bool__(self) -> bool:
        return bool(self.events or self.failures)

    def __repr__(self) -> str:
        return f"Mapped(events={len(self.events)}, failures={len(self.failures)})"


@runtime_checkable
class Adapter(Protocol):
    """A legacy system's mapping from decoded Debezium records to canonical events."""

    system: str
    """The legacy system (``box_office``, ``pricing``, ``crm``): ``source.system`` of every event it emits."""

    tables: frozenset[str]
    """The tables it maps, named without the database: ``SEAT_INV`` for MySQL-family engines, ``schema.table``
    elsewhere (``pricing.price_level``, ``dbo.Customer``). One adapter serves any database name."""

    needs_transactions: bool
    """True when it groups changes by source transaction: feed it the ``<prefix>.transaction`` topic too."""

    def columns_read(self, table: TableId) -> Collection[str] | None:
        """The row columns its mapping of ``table`` reads; None for all of them (or a table it does not map).
        The runtime decodes only these: a column left out is absent from ``before`` and ``after``."""
        ...

    def handle(self, record: DebeziumRecord) -> Mapped:
        """Map one decoded record (change, transaction boundary, tombstone, heartbeat, schema change).

        Never raises for a record it cannot map: the failure is in the result. Raises only for programming
        errors.
        """
        ...

    def flush(self, transaction: str | None = None) -> Mapped:
        """Map everything still held back as it is (incomplete transactions included) and forget it; with
        ``transaction``, only that source transaction's changes."""
        ...

    def pending(self) -> tuple[RecordRef, ...]:
        """The records handled but held back (not yet reflected in any output), oldest first."""
        ...

    def save_state(self) -> bytes:
        """Its lookups and its memory of recently completed transactions, for :meth:`load_state` of a fresh
        adapter of the same kind. Only meaningful when :meth:`pending` is empty (nothing held)."""
        ...

    def load_state(self, data: bytes) -> None:
        """Replace its lookups and completed-transaction memory with ``data`` from :meth:`save_state`; raises
        :class:`~pipelines.mapping.AdapterStateError` when ``data`` is not a state of this kind of adapter (other
        system, other state version, malformed)."""
        ...
