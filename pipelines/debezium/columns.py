"""What the row columns of a change event are, as the Connect schema says: names and coarse value kinds.

Adapters map named columns; when a legacy table is altered they must notice a mapped column that disappeared
or now holds another kind of value, instead of mapping garbage. The decoder builds one :class:`RowSchema` per
distinct table schema (not per record) and hangs it on every :class:`~pipelines.debezium.model.ChangeEvent`
decoded with that schema, so an adapter checks a schema once and afterwards compares identities.

A column's *kind* is what its decoded Python value is, not its SQL type: ``INT`` becoming ``BIGINT`` stays
``int``; ``INT`` becoming ``VARCHAR`` turns ``int`` into ``text``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

from pipelines.debezium.connect_schema import ConnectSchema
from pipelines.debezium.logical import (
    CONNECT_DECIMAL,
    DECIMAL_SOURCE_TYPES,
    SOURCE_TYPE_PARAM,
    VARIABLE_SCALE_DECIMAL,
)

Kind = Literal[
    "int",
    "float",
    "bool",
    "text",
    "bytes",
    "decimal",
    "date",
    "time",
    "timestamp",
    "zoned_timestamp",
    "zoned_time",
    "interval",
    "uuid",
    "json",
    "array",
    "map",
    "struct",
    "other",
]

_BY_LOGICAL: Final[dict[str, Kind]] = {
    CONNECT_DECIMAL: "decimal",
    VARIABLE_SCALE_DECIMAL: "decimal",
    "org.apache.kafka.connect.data.Date": "date",
    "io.debezium.time.Date": "date",
    "io.debezium.time.IsoDate": "date",
    "org.apache.kafka.connect.data.Time": "time",
    "io.debezium.time.Time": "time",
    "io.debezium.time.MicroTime": "time",
    "io.debezium.time.NanoTime": "time",
    "io.debezium.time.IsoTime": "time",
    "org.apache.kafka.connect.data.Timestamp": "timestamp",
    "io.debezium.time.Timestamp": "timestamp",
    "io.debezium.time.MicroTimestamp": "timestamp",
    "io.debezium.time.NanoTimestamp": "timestamp",
    "io.debezium.time.IsoTimestamp": "timestamp",
    "io.debezium.time.ZonedTimestamp": "zoned_timestamp",
    "io.debezium.time.ZonedTime": "zoned_time",
    "io.debezium.time.MicroDuration": "interval",
    "io.debezium.time.NanoDuration": "interval",
    "io.debezium.time.Interval": "text",
    "io.debezium.time.Year": "int",
    "io.debezium.data.Json": "json",
    "io.debezium.data.Uuid": "uuid",
    "io.debezium.data.Enum": "text",
    "io.debezium.data.EnumSet": "array",
    "io.debezium.data.Bits": "int",
    "io.debezium.data.Xml": "text",
    "io.debezium.data.Ltree": "text",
    "io.debezium.data.Tsvector": "text",
}
_BY_TYPE: Final[dict[str, Kind]] = {
    "int8": "int",
    "int16": "int",
    "int32": "int",
    "int64": "int",
    "float32": "float",
    "float64": "float",
    "boolean": "bool",
    "string": "text",
    "bytes": "bytes",
    "array": "array",
    "map": "map",
    "struct": "struct",
}


def kind_of(schema: ConnectSchema) -> Kind:
    """The kind of Python value a column of Connect ``schema`` decodes to."""
    name = schema.name
    if name is not None:
        kind = _BY_LOGICAL.get(name)
        if kind is not None:
            return kind
    if schema.type == "string":
        source_type = (schema.param(SOURCE_TYPE_PARAM) or "").upper()
        if source_type.startswith(DECIMAL_SOURCE_TYPES):
            return "decimal"
    return _BY_TYPE.get(schema.type, "other")


class RowSchema:
    """The columns of one table schema version: name -> kind, in schema order.

    Compared and hashed by identity: the decoder makes one per distinct schema, so ``schema is last`` is the
    cheap "nothing changed" test for adapters.
    """

    __slots__ = ("columns", "name")

    def __init__(self, columns: Mapping[str, Kind], name: str | None = None) -> None:
        self.columns: dict[str, Kind] = dict(columns)
        self.name = name
        """The row struct's schema name, e.g. ``boxoffice.boxoffice.SEAT_INV.Value``."""

    def __repr__(self) -> str:
        return f"RowSchema({self.name!r}, {self.columns!r})"


def row_schema_of(row: ConnectSchema) -> RowSchema:
    """The :class:`RowSchema` of a row struct schema (the ``before`` / ``after`` field of an envelope)."""
    return RowSchema({f.field or "": kind_of(f) for f in row.fields or ()}, row.name)
