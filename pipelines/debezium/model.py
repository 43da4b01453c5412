"""What decoding a Debezium record yields: typed, with every column value already a Python value.

One Kafka record becomes exactly one of :data:`DebeziumRecord`: a :class:`ChangeEvent` (create, update,
delete, snapshot read, truncate, logical message), a :class:`Tombstone`, a :class:`Heartbeat`, a
:class:`TransactionEvent` (BEGIN/END) or a :class:`SchemaChange`.

Column values in ``before`` / ``after`` / ``key`` are decoded from their Connect logical types: ``Decimal`` for
decimals and money, ``date``, ``time`` and naive ``datetime`` for zone-less temporal columns (wall-clock as the
database stored it), tz-aware ``datetime`` / ``time`` for zoned ones, ``timedelta`` for intervals, ``uuid.UUID``,
parsed JSON (floats as ``Decimal``), ``bytes``, ``int`` for bit strings (little-endian bit order).

The structs are ``gc=False``: they are created by the hundred thousand per second and never form cycles.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import msgspec

from pipelines.canonical.source import Connector, Position, Source
from pipelines.debezium.columns import RowSchema


class Op(StrEnum):
    """Debezium's ``op``: what happened to the row."""

    CREATE = "c"
    UPDATE = "u"
    DELETE = "d"
    READ = "r"
    TRUNCATE = "t"
    MESSAGE = "m"


class SnapshotMarker(StrEnum):
    """Debezium's ``source.snapshot``: whether (and where in) a snapshot the record was read."""

    TRUE = "true"
    FIRST = "first"
    FIRST_IN_DATA_COLLECTION = "first_in_data_collection"
    LAST_IN_DATA_COLLECTION = "last_in_data_collection"
    LAST = "last"
    FALSE = "false"
    INCREMENTAL = "incremental"


class TransactionStatus(StrEnum):
    """Transaction boundary kind."""

    BEGIN = "BEGIN"
    END = "END"


class RecordRef(msgspec.Struct, frozen=True, gc=False):
    """Where a record sat in Kafka (all optional: the embedded engine has no partitions or offsets)."""

    topic: str | None = None
    partition: int | None = None
    offset: int | None = None

    def __str__(self) -> str:
        return f"{self.topic}[{self.partition}]@{self.offset}"


class TableId(msgspec.Struct, frozen=True, gc=False):
    """A captured table: database, schema (PostgreSQL, SQL Server; None for MySQL/MariaDB) and table."""

    database: str
    schema: str | None
    table: str | None

    def __str__(self) -> str:
        return ".".join(p for p in (self.database, self.schema, self.table) if p)


class SourceInfo(msgspec.Struct, frozen=True, gc=False):
    """The decoded ``source`` block: which connector and table, when, and the change-log position."""

    connector: Connector
    name: str | None
    version: str | None
    database: str
    schema: str | None
    table: str | None
    ts_ms: int
    committed_at: datetime
    snapshot: SnapshotMarker
    position: Position
    tx_id: str | None = None

    @property
    def is_snapshot(self) -> bool:
        """True for rows read by an initial or incremental snapshot rather than from the log."""
        return self.snapshot is not SnapshotMarker.FALSE

    def to_canonical(self, system: str) -> Source:
        """The canonical :class:`~pipelines.canonical.source.Source` for legacy system ``system``."""
        return Source(
            system=system,
            connector=self.connector,
            database=self.database,
            schema=self.schema,
            table=self.table or "",
            position=self.position,
            tx_id=self.tx_id,
            snapshot=self.is_snapshot,
        )


class TransactionBlock(msgspec.Struct, frozen=True, gc=False):
    """The ``transaction`` block of a change (only with ``provide.transaction.metadata=true``)."""

    id: str
    total_order: int
    data_collection_order: int


class LogicalMessage(msgspec.Struct, frozen=True, gc=False):
    """Content of a PostgreSQL logical decoding message (``op`` = ``m``)."""

    prefix: str
    content: bytes


class ChangeEvent(msgspec.Struct, frozen=True, gc=False):
    """A row-level change (or truncate, or logical message) with its columns decoded."""

    op: Op
    table: TableId
    source: SourceInfo
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    key: dict[str, Any] | None = None
    ts_ms: int | None = None
    transaction: TransactionBlock | None = None
    message: LogicalMessage | None = None
    record: RecordRef | None = None
    row_schema: RowSchema | None = None
    """Columns and value kinds of the table schema the rows were decoded with (shared, compared by identity)."""

    @property
    def row(self) -> dict[str, Any] | None:
        """The row's latest known state: ``after``, or ``before`` for deletes."""
        return self.after if self.after is not None else self.before


class Tombstone(msgspec.Struct, frozen=True, gc=False):
    """The null-valued record Debezium writes after a delete so log compaction can drop the key."""

    key: dict[str, Any] | None = None
    record: RecordRef | None = None


class Heartbeat(msgspec.Struct, frozen=True, gc=False):
    """A connector heartbeat (topic ``__debezium-heartbeat.<prefix>``): liveness, and offsets moving on."""

    ts_ms: int
    server_name: str | None = None
    record: RecordRef | None = None


class DataCollectionCount(msgspec.Struct, frozen=True, gc=False):
    """How many change events of one table a transaction produced (``END`` events)."""

    data_collection: str
    event_count: int


class TransactionEvent(msgspec.Struct, frozen=True, gc=False):
    """A transaction boundary (``<prefix>.transaction`` topic): BEGIN, or END with per-table counts."""

    status: TransactionStatus
    id: str
    ts_ms: int | None = None
    event_count: int | None = None
    data_collections: tuple[DataCollectionCount, ...] = ()
    record: RecordRef | None = None


class SchemaChange(msgspec.Struct, frozen=True, gc=False):
    """A DDL change (schema change topic ``<prefix>``). ``table_changes`` is Debezium's structured table list."""

    database: str | None
    schema: str | None
    ddl: str | None
    table_changes: tuple[dict[str, Any], ...] = ()
    source: SourceInfo | None = None
    ts_ms: int | None = None
    record: RecordRef | None = None


class UndecodedChange(msgspec.Struct, frozen=True, gc=False):
    """What can still be read of a change event that failed (it went to the dead letters): its table, source
    transaction and position (see :func:`pipelines.debezium.decoder.undecoded_change`).

    Never produced by decoding: the runtime hands it to an adapter that groups transactions, so that the
    transaction counts the failed change and completes without it instead of waiting for it forever.
    """

    table: TableId
    transaction: TransactionBlock
    position: Position
    record: RecordRef | None = None


DebeziumRecord = ChangeEvent | Tombstone | Heartbeat | TransactionEvent | SchemaChange | UndecodedChange
"""Anything one Debezium Kafka record decodes into (and :class:`UndecodedChange`, which stands for a change
that did not)."""
