"""Typed errors of mapping decoded change events to canonical events.

A :class:`MappingError` means "this change cannot become canonical events": the runtime sends the culprit
record to the dead-letter stream with :attr:`MappingError.reason`, the record's Kafka coordinates
(:attr:`~MappingError.record`) and its source position, and keeps running. Messages name tables, columns and
codes but never the value of a personal-data column.

Only :class:`MissingReferenceError` is retryable: the row it needs (a venue, an event, a listing) may still
arrive on its own topic, so a runtime may park the record and try again before dead-lettering it.

:class:`AdapterStateError` is about an adapter's saved state, not a record: a snapshot that cannot be taken
(transactions still held) or cannot be loaded (another system's, another state version, damaged bytes).
"""

from __future__ import annotations

from typing import ClassVar

from pipelines.canonical.source import Position
from pipelines.debezium.model import ChangeEvent, RecordRef
from pipelines.exceptions import InventoryCdcError


class MappingError(InventoryCdcError):
    """A change event that cannot be mapped. ``reason`` says why; the other attributes say where.

    ``system`` is the legacy system, ``table`` the source table (``database.schema.table``), ``column`` the
    offending column when one is to blame, ``record`` the Kafka record and ``position`` the change-log position
    of the change.
    """

    retryable: ClassVar[bool] = False

    def __init__(
        self,
        reason: str,
        *,
        system: str | None = None,
        table: str | None = None,
        column: str | None = None,
        record: RecordRef | None = None,
        position: Position | None = None,
    ) -> None:
        self.reason = reason
        self.system = system
        self.table = table
        self.column = column
        self.record = record
        self.position = position
        super().__init__(self._message())

    def _message(self) -> str:
        where = ".".join(p for p in (self.table, self.column) if p)
        prefix = f"{self.system}: " if self.system else ""
        located = f" ({where})" if where else ""
        at = f" at {self.record}" if self.record is not None and self.record.topic is not None else ""
        return f"{prefix}cannot map change{located}{at}: {self.reason}"

    def locate(self, change: ChangeEvent, system: str | None = None) -> MappingError:
        """Fill in system, table, record and position from ``change`` (keeping any already set); returns self."""
        self.system = self.system or system
        self.table = self.table or str(change.table)
        self.record = self.record or change.record
        self.position = self.position or change.source.position
        self.args = (self._message(),)
        return self


class UnknownTableError(MappingError):
    """A change of a table the adapter has no mapping for (a new table in the connector's include list)."""


class SchemaDriftError(MappingError):
    """A mapped column was dropped or now holds another kind of value (``change`` is ``removed`` / ``retyped``).

    New columns never cause this: adapters ignore columns they do not map.
    """

    def __init__(self, reason: str, *, change: str, column: str, table: str | None = None) -> None:
        self.change = change
        super().__init__(reason, column=column, table=table)


class UnknownCodeError(MappingError):
    """A legacy code that the system's legend does not define (``code``), so no canonical enum fits."""

    def __init__(self, reason: str, *, code: str, column: str) -> None:
        self.code = code
        super().__init__(reason, column=column)


class InvalidValueError(MappingError):
    """A value the contract cannot carry as it is: an amount with more decimals than its currency, a zero date
    where a time is required, a malformed reference, personal data that arrived unhashed."""


class MissingReferenceError(MappingError):
    """The change refers to a row the adapter has not seen (``entity`` ``ref``), e.g. an event whose venue (and
    so time zone) is unknown. Retryable: the row may still arrive on its own topic."""

    retryable: ClassVar[bool] = True

    def __init__(self, reason: str, *, entity: str, ref: str, column: str | None = None) -> None:
        self.entity = entity
        self.ref = ref
        super().__init__(reason, column=column)


class AdapterStateError(InventoryCdcError):
    """An adapter state that cannot be saved or loaded (see :meth:`pipelines.mapping.Adapter.load_state`).

    Not retryable: the same bytes fail the same way; a state that cannot be loaded means replaying history.
    """
