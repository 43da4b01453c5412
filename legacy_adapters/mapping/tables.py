"""What an adapter reads from each legacy table, and the check that the table still has it.

A :class:`TableSpec` names the columns a mapping reads and the kinds of value it accepts for each (see
:mod:`pipelines.debezium.columns`). :class:`SchemaGuard` compares a change's row schema against the spec once
per distinct schema: a new column passes, a mapped column that is gone or now decodes to another kind of value
fails with :class:`~pipelines.mapping.SchemaDriftError`, for every change of that schema until the mapping is
updated (the runtime dead-letters them; nothing is mapped from a half-understood row).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from pipelines.debezium import ChangeEvent, RowSchema, TableId, UndecodedChange
from pipelines.debezium.columns import Kind
from pipelines.mapping import SchemaDriftError

Kinds = frozenset[Kind]

INT: Final[Kinds] = frozenset({"int"})
#: BIGINT UNSIGNED: ``int`` with ``bigint.unsigned.handling.mode=long``, exact ``Decimal`` with ``precise``
UINT64: Final[Kinds] = frozenset({"int", "decimal"})
TEXT: Final[Kinds] = frozenset({"text"})
BOOL: Final[Kinds] = frozenset({"bool"})
#: MySQL TINYINT(1) flags: INT16 from the MariaDB/MySQL connectors (BOOLEAN where a converter maps them)
FLAG: Final[Kinds] = frozenset({"int", "bool"})
DECIMAL: Final[Kinds] = frozenset({"decimal"})
#: a zone-less wall-clock time (MySQL ``DATETIME``, SQL Server ``datetime2``), decoded naive
WALL_TIME: Final[Kinds] = frozenset({"timestamp"})
#: an instant (PostgreSQL ``timestamptz``, SQL Server ``datetimeoffset``), decoded tz-aware
INSTANT: Final[Kinds] = frozenset({"zoned_timestamp"})
#: PostgreSQL ``uuid`` (logical Uuid) or SQL Server ``uniqueidentifier`` (plain string)
GUID: Final[Kinds] = frozenset({"uuid", "text"})
JSON: Final[Kinds] = frozenset({"json"})
ARRAY: Final[Kinds] = frozenset({"array"})
BYTES: Final[Kinds] = frozenset({"bytes"})


@dataclass(frozen=True)
class TableSpec:
    """A mapped table: its name as the adapter knows it, its primary key, and the columns it reads."""

    name: str
    key: tuple[str, ...]
    columns: Mapping[str, Kinds]

    def __post_init__(self) -> None:
        missing = [k for k in self.key if k not in self.columns]
        if missing:
            raise ValueError(f"{self.name}: key columns {missing} must be among the mapped columns")


def table_name(change: ChangeEvent | UndecodedChange, with_schema: bool) -> str:
    """The adapter's name of the change's table: ``TABLE`` or ``schema.table`` (never the database)."""
    return name_of(change.table, with_schema)


def name_of(table: TableId, with_schema: bool) -> str:
    """The adapter's name of ``table``: ``TABLE`` or ``schema.table`` (never the database)."""
    name = table.table or ""
    if with_schema and table.schema:
        return f"{table.schema}.{name}"
    return name


@dataclass
class SchemaGuard:
    """Checks row schemas against one :class:`TableSpec`; remembers the verdict per schema object."""

    spec: TableSpec
    _last: RowSchema | None = None
    _verdicts: dict[RowSchema, tuple[str, str, str] | None] = field(default_factory=dict)

    def check(self, change: ChangeEvent) -> SchemaDriftError | None:
        """None when every mapped column is there with an accepted kind, else the drift error to report."""
        schema = change.row_schema
        if schema is None:
            return self._check_values(change)
        if schema is self._last:
            return None
        if schema in self._verdicts:
            verdict = self._verdicts[schema]
        else:
            verdict = self._verdicts[schema] = self._verdict(schema)
        if verdict is None:
            self._last = schema
            return None
        kind, column, reason = verdict
        return SchemaDriftError(reason, change=kind, column=column)

    def _verdict(self, schema: RowSchema) -> tuple[str, str, str] | None:
        for column, accepted in self.spec.columns.items():
            actual = schema.columns.get(column)
            if actual is None:
                return (
                    "removed",
                    column,
                    f"mapped column {column} is no longer in {self.spec.name}'s change events (dropped or renamed)",
                )
            if actual not in accepted:
                wanted = " or ".join(sorted(accepted))
                return (
                    "retyped",
                    column,
                    f"mapped column {column} of {self.spec.name} now holds {actual} values, the mapping reads {wanted}",
                )
        return None

    def _check_values(self, change: ChangeEvent) -> SchemaDriftError | None:
        """Without a row schema (records built by hand), only presence can be checked."""
        row = change.row
        if row is None:
            return None
        for column in self.spec.columns:
            if column not in row:
                return SchemaDriftError(
                    f"mapped column {column} is missing from the {self.spec.name} row",
                    change="removed",
                    column=column,
                )
        return None
