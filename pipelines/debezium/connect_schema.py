"""Kafka Connect's JSON schema format (what JsonConverter writes under ``"schema"`` with schemas enabled).

A schema is ``{"type": ..., "optional": ..., "name": ..., "version": ..., "parameters": {...}, "field": ...}``
plus ``fields`` for structs, ``items`` for arrays and ``keys`` / ``values`` for maps. For a primitive type a
``name`` is a logical type (``org.apache.kafka.connect.data.Decimal``, ``io.debezium.time.MicroTimestamp``);
for a struct it is usually just the record's name (``boxoffice.boxoffice.SEAT_INV.Value``).
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from pipelines.debezium.exceptions import DecodeError
from pipelines.errorpaths import split_msgspec_error

PRIMITIVE_TYPES: Final = frozenset(
    {"int8", "int16", "int32", "int64", "float32", "float64", "boolean", "string", "bytes"}
)


class ConnectSchema(msgspec.Struct, frozen=True, omit_defaults=True):
    """One Connect schema node as JsonConverter serializes it."""

    type: str
    optional: bool = False
    name: str | None = None
    version: int | None = None
    parameters: dict[str, str] | None = None
    default: Any = None
    doc: str | None = None
    field: str | None = None
    fields: tuple[ConnectSchema, ...] | None = None
    items: ConnectSchema | None = None
    keys: ConnectSchema | None = None
    values: ConnectSchema | None = None

    def param(self, key: str) -> str | None:
        """A schema parameter, or None."""
        return None if self.parameters is None else self.parameters.get(key)

    def field_names(self) -> tuple[str, ...]:
        """Names of a struct's fields (empty for non-structs)."""
        return tuple(f.field or "" for f in self.fields or ())

    def field_named(self, name: str) -> ConnectSchema | None:
        """A struct's field schema by name."""
        for f in self.fields or ():
            if f.field == name:
                return f
        return None


_schema_decoder = msgspec.json.Decoder(ConnectSchema)


def parse_schema(data: bytes | memoryview | str, *, root: str = "schema") -> ConnectSchema:
    """Parse a Connect JSON schema; raise :class:`DecodeError` naming the bad node (``schema.fields[0]...``)."""
    try:
        return _schema_decoder.decode(data)
    except msgspec.ValidationError as exc:
        field, reason = split_msgspec_error(str(exc), root=root)
        raise DecodeError(field, reason) from exc
    except msgspec.DecodeError as exc:
        raise DecodeError(root, f"malformed JSON: {exc}") from exc


def schema_from_mapping(data: Any, *, root: str = "schema") -> ConnectSchema:
    """Build a :class:`ConnectSchema` from an already-parsed mapping (e.g. field types given separately)."""
    try:
        return msgspec.convert(data, ConnectSchema)
    except msgspec.ValidationError as exc:
        field, reason = split_msgspec_error(str(exc), root=root)
        raise DecodeError(field, reason) from exc


def struct_schema(fields: Any, *, name: str | None = None, optional: bool = True) -> ConnectSchema:
    """A struct schema from a list of Connect field mappings (the ``fields`` array of a row's Value schema)."""
    return schema_from_mapping(
        {"type": "struct", "name": name, "optional": optional, "fields": list(fields)}, root="fields"
    )
