"""Fixed-shape parts of Debezium records, read straight from JSON with msgspec.

The ``source`` block differs by connector, so :class:`SourceWire` is the union of the fields the PostgreSQL,
MySQL/MariaDB and SQL Server connectors write (all optional except what every connector writes); which ones
must be present is checked when the position is built. Unknown extra fields are ignored, so connector
upgrades that add fields keep decoding.
"""

from __future__ import annotations

from typing import Any

import msgspec

from pipelines.debezium.model import TransactionStatus


class SourceWire(msgspec.Struct, kw_only=True, gc=False):
    """The ``source`` block as written by the PostgreSQL, MySQL, MariaDB and SQL Server connectors."""

    connector: str
    db: str
    ts_ms: int
    version: str | None = None
    name: str | None = None
    ts_us: int | None = None
    ts_ns: int | None = None
    snapshot: str | bool | None = None
    sequence: str | None = None
    schema: str | None = None
    table: str | None = None
    # PostgreSQL
    txId: int | None = None
    lsn: int | None = None
    xmin: int | None = None
    # MySQL / MariaDB
    server_id: int | None = None
    gtid: str | None = None
    file: str | None = None
    pos: int | None = None
    row: int | None = None
    thread: int | None = None
    query: str | None = None
    # SQL Server
    change_lsn: str | None = None
    commit_lsn: str | None = None
    event_serial_no: int | None = None


class TransactionBlockWire(msgspec.Struct, gc=False):
    """The envelope's ``transaction`` block."""

    id: str
    total_order: int
    data_collection_order: int


class MessageWire(msgspec.Struct, gc=False):
    """The ``message`` of a PostgreSQL logical decoding message event."""

    prefix: str
    content: bytes


class HeartbeatWire(msgspec.Struct, gc=False):
    """Value of a heartbeat record."""

    ts_ms: int


class DataCollectionWire(msgspec.Struct, gc=False):
    """One per-table count in a transaction END event."""

    data_collection: str
    event_count: int


class TransactionWire(msgspec.Struct, kw_only=True, gc=False):
    """Value of a transaction metadata record (BEGIN / END)."""

    status: TransactionStatus
    id: str
    ts_ms: int | None = None
    event_count: int | None = None
    data_collections: list[DataCollectionWire] | None = None


class SchemaChangeWire(msgspec.Struct, kw_only=True, gc=False):
    """Value of a schema change record (MySQL/MariaDB, SQL Server)."""

    source: SourceWire | None = None
    ts_ms: int | None = None
    databaseName: str | None = None
    schemaName: str | None = None
    ddl: str | None = None
    tableChanges: list[dict[str, Any]] | None = None


class Top(msgspec.Struct, gc=False):
    """A JsonConverter message: the schema is kept raw (compiled once per distinct schema)."""

    schema: msgspec.Raw = msgspec.field(default_factory=msgspec.Raw)
    payload: msgspec.Raw = msgspec.field(default_factory=msgspec.Raw)


class Probe(msgspec.Struct, gc=False):
    """Just enough of a schemaless value to tell what kind of record it is."""

    op: Any = None
    status: Any = None
    ddl: Any = None
    tableChanges: Any = None
    source: Any = None


class SalvagePayload(msgspec.Struct, gc=False):
    """The source and transaction blocks only, read from a record that failed to decode: its position for the
    dead letter, its transaction so that the transaction can complete without it."""

    source: SourceWire | None = None
    transaction: TransactionBlockWire | None = None


class SalvageTop(msgspec.Struct, gc=False):
    """Schema-enabled form of :class:`SalvagePayload`."""

    payload: SalvagePayload | None = None
