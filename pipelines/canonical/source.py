"""Where a canonical event came from: the legacy system, table and exact position in its change log.

The position is a tagged union on ``kind`` with one member per log format:

* ``postgres``: the WAL ``lsn`` (Debezium PostgreSQL ``source.lsn``) of the change;
* ``binlog``: MySQL/MariaDB binlog ``file``, ``pos`` (start of the rows event) and ``row`` (index inside it),
  plus the ``gtid`` and ``server_id`` when known;
* ``sqlserver``: SQL Server CDC ``commit_lsn``, ``change_lsn`` and ``event_serial_no``.

During an initial snapshot every row carries the snapshot's position; the row's primary key is what tells two
snapshot rows apart (the event id recipe includes both).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from msgspec import Meta

from pipelines.canonical.fieldtypes import CanonicalStruct, NonEmptyStr

_SQLSERVER_LSN = "^[0-9a-fA-F]{8}:[0-9a-fA-F]{8}:[0-9a-fA-F]{4}$"
JsonScalar = str | int


class Connector(StrEnum):
    """The Debezium connector (and so the log format) a change came through."""

    POSTGRESQL = "postgresql"
    MYSQL = "mysql"
    MARIADB = "mariadb"
    SQLSERVER = "sqlserver"


class PostgresPosition(CanonicalStruct, frozen=True, kw_only=True, tag_field="kind", tag="postgres"):
    """Position of a change in PostgreSQL's write-ahead log."""

    lsn: Annotated[int, Meta(ge=0, description="WAL log sequence number of the change, as an integer.")]

    def identity(self) -> tuple[JsonScalar, ...]:
        """The position's part of the event id recipe."""
        return ("postgres", self.lsn)


class BinlogPosition(CanonicalStruct, frozen=True, kw_only=True, tag_field="kind", tag="binlog"):
    """Position of a change in a MySQL or MariaDB binary log."""

    file: Annotated[NonEmptyStr, Meta(description="Binlog file name, e.g. `mariadb-bin.000003`.")]
    pos: Annotated[int, Meta(ge=0, description="Byte offset of the rows event in `file`.")]
    row: Annotated[int, Meta(ge=0, description="Index of the row inside the rows event.")]
    gtid: Annotated[str | None, Meta(description="Global transaction id, when GTIDs are on.")] = None
    server_id: Annotated[int | None, Meta(description="Server id that wrote the event.")] = None

    def identity(self) -> tuple[JsonScalar, ...]:
        """The position's part of the event id recipe."""
        return ("binlog", self.file, self.pos, self.row)


class SqlServerPosition(CanonicalStruct, frozen=True, kw_only=True, tag_field="kind", tag="sqlserver"):
    """Position of a change in SQL Server's CDC change tables."""

    commit_lsn: Annotated[
        str, Meta(pattern=_SQLSERVER_LSN, description="LSN of the commit, `xxxxxxxx:xxxxxxxx:xxxx`.")
    ]
    change_lsn: (
        Annotated[str, Meta(pattern=_SQLSERVER_LSN, description="LSN of the change; null for snapshot rows.")]
        | None
    ) = None
    event_serial_no: (
        Annotated[int, Meta(ge=0, description="Serial number within the change (update before/after).")]
        | None
    ) = None

    def identity(self) -> tuple[JsonScalar, ...]:
        """The position's part of the event id recipe (LSNs lower-cased)."""
        return (
            "sqlserver",
            self.commit_lsn.lower(),
            (self.change_lsn or "").lower(),
            self.event_serial_no if self.event_serial_no is not None else 0,
        )


Position = PostgresPosition | BinlogPosition | SqlServerPosition


class Source(CanonicalStruct, frozen=True, kw_only=True):
    """The legacy system, table and change-log position a canonical event was derived from."""

    system: Annotated[
        str,
        Meta(pattern="^[a-z][a-z0-9_]*$", description="Legacy system, e.g. `box_office`, `pricing`, `crm`."),
    ]
    connector: Connector
    database: NonEmptyStr
    schema: Annotated[str | None, Meta(description="Schema (PostgreSQL, SQL Server); null for MySQL.")] = None
    table: NonEmptyStr
    position: Position
    tx_id: Annotated[str | None, Meta(description="Source transaction id, when the source reports one.")] = (
        None
    )
    snapshot: Annotated[
        bool, Meta(description="True when the row was read by a snapshot, not from the log.")
    ] = False
