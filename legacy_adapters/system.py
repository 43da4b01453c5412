"""What the project knows about one legacy system: engine, database, DDL file, captured tables.

The CLI, the connector specs and the simulator iterate :data:`legacy_adapters.registry.SYSTEMS` instead of
naming systems in several places.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

EngineKind = Literal["mariadb", "postgresql", "sqlserver"]

#: the capture user every legacy system creates for Debezium
CAPTURE_USER = "debezium"


@dataclass(frozen=True)
class LegacySystem:
    """One legacy system.

    ``captured_tables`` are named as Debezium's ``table.include.list`` names them (``database.TABLE`` for
    MySQL-family engines, ``schema.table`` otherwise) and include the signal table.
    """

    name: str
    title: str
    engine: EngineKind
    engine_title: str
    #: sqlglot dialect of the DDL file
    dialect: str
    database: str
    #: package holding the DDL file, and the file's name inside it
    package: str
    ddl_resource: str
    schemas: tuple[str, ...]
    captured_tables: tuple[str, ...]
    signal_table: str
    #: PostgreSQL publication (created by the installer; the connector must not create it)
    publication: str | None = None
    #: columns holding personal data, as ``schema.table.column``: mask or hash them in the connector
    pii_columns: tuple[str, ...] = ()
    #: runs on the local stack (False: only in compose, where its engine exists)
    local: bool = True
