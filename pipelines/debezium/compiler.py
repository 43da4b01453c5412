"""Compile a Connect schema into a fast decoder: msgspec types for the wire, converters for logical types.

The schema rides along on every JsonConverter message but changes only with DDL, so it is compiled once per
distinct schema: each struct becomes a generated msgspec Struct (msgspec then validates every primitive in
C while parsing), and only fields with a logical type get a Python converter. Unknown logical types fail at
compile time, naming the field, rather than silently passing base64 or epoch numbers through.
"""

from __future__ import annotations

from typing import Any

import msgspec

from pipelines.debezium.connect_schema import PRIMITIVE_TYPES, ConnectSchema
from pipelines.debezium.exceptions import DecodeError, UnknownLogicalTypeError
from pipelines.debezium.logical import (
    DECIMAL_SOURCE_TYPES,
    LEAF_TYPES,
    SOURCE_TYPE_PARAM,
    STRUCTURAL_TYPES,
    UNSUPPORTED_PREFIXES,
    VARIABLE_SCALE_DECIMAL,
    Converter,
    LogicalContext,
    decimal_from_string,
    decimal_from_unscaled,
)
from pipelines.debezium.options import DecodeOptions

_PRIMITIVE_WIRE: dict[str, Any] = {
    "int8": int,
    "int16": int,
    "int32": int,
    "int64": int,
    "float32": float,
    "float64": float,
    "boolean": bool,
    "string": str,
    "bytes": bytes,
}


class FieldFailure(Exception):
    """A converter failed; ``path`` grows as the failure travels up through structs and arrays."""

    def __init__(self, path: list[str], reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason

    def dotted(self, root: str) -> str:
        """The failure's path under ``root`` (``payload.after.PRICE`` or ``payload.after.TAGS[2]``)."""
        out = root
        for part in self.path:
            out += part if part.startswith("[") else f".{part}"
        return out


class _VariableScaleDecimal(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    scale: int
    value: bytes


def _vsd(value: _VariableScaleDecimal) -> Any:
    if not value.value:
        raise ValueError("empty unscaled-value bytes")
    return decimal_from_unscaled(int.from_bytes(value.value, "big", signed=True), value.scale)


class SchemaCompiler:
    """Compiles Connect schemas under one set of :class:`DecodeOptions`; structs are memoized by content."""

    def __init__(self, options: DecodeOptions) -> None:
        self.options = options
        self._memo: dict[bytes, tuple[Any, Converter | None]] = {}

    def compile(self, schema: ConnectSchema, path: str) -> tuple[Any, Converter | None]:
        """(msgspec wire type, converter or None) for ``schema``; ``path`` names it in errors."""
        wire, conv = self._compile(schema, path)
        return (wire | None if schema.optional else wire), conv

    def compile_row(self, schema: ConnectSchema, path: str, columns: frozenset[str]) -> tuple[Any, Converter]:
        """Like :meth:`compile` for a row struct, reading only ``columns``: the others are skipped unparsed
        (a column of ``columns`` the row does not have is simply absent)."""
        wire, conv = self._struct(schema, path, columns)
        return (wire | None if schema.optional else wire), conv

    def _compile(self, schema: ConnectSchema, path: str) -> tuple[Any, Converter | None]:
        name, kind = schema.name, schema.type
        if name is not None and name.startswith(UNSUPPORTED_PREFIXES):
            raise UnknownLogicalTypeError(
                path,
                name,
                f"{name} (time.precision.mode=structured) is not supported; use the adaptive modes",
            )
        if kind in PRIMITIVE_TYPES:
            return self._primitive(schema, path)
        if kind == "struct":
            if name == VARIABLE_SCALE_DECIMAL:
                return _VariableScaleDecimal, _vsd
            return self._struct(schema, path)
        if kind == "array":
            if name is not None and name not in STRUCTURAL_TYPES:
                raise UnknownLogicalTypeError(path, name)
            return self._array(schema, path)
        if kind == "map":
            return self._map(schema, path)
        raise DecodeError(path, f"unknown Connect schema type {kind!r}")

    def _primitive(self, schema: ConnectSchema, path: str) -> tuple[Any, Converter | None]:
        name = schema.name
        if name is None:
            source_type = (schema.param(SOURCE_TYPE_PARAM) or "").upper()
            if schema.type == "string" and source_type.startswith(DECIMAL_SOURCE_TYPES):
                return str, decimal_from_string
            return _PRIMITIVE_WIRE[schema.type], None
        factory = LEAF_TYPES.get(name)
        if factory is None:
            raise UnknownLogicalTypeError(path, name)
        try:
            return factory(
                LogicalContext(name=name, parameters=schema.parameters or {}, options=self.options)
            )
        except ValueError as exc:
            raise DecodeError(path, str(exc)) from exc

    def _struct(
        self, schema: ConnectSchema, path: str, only: frozenset[str] | None = None
    ) -> tuple[Any, Converter]:
        memo_key = msgspec.json.encode(schema)
        if only is not None:
            memo_key += msgspec.json.encode(sorted(only))
        cached = self._memo.get(memo_key)
        if cached is not None:
            assert cached[1] is not None
            return cached[0], cached[1]
        fields = schema.fields or ()
        names = [f.field for f in fields]
        if any(not n for n in names) or len(set(names)) != len(names):
            raise DecodeError(path, "struct fields must have unique, non-empty `field` names")
        if only is not None:
            fields = tuple(f for f in fields if f.field in only)
            names = [f.field for f in fields]
        columns = [n for n in names if n]
        direct = all(n.isidentifier() and not n.startswith("__") for n in columns)
        attrs = columns if direct else [f"f{i}" for i in range(len(columns))]
        specs: list[tuple[str, Any, None]] = []
        active: list[tuple[str, Converter]] = []
        for attr, column, field in zip(attrs, columns, fields, strict=True):
            wire, conv = self._compile(field, f"{path}.{column}")
            # Columns accept null and may be absent whatever `optional` says: Debezium leaves out or nulls
            # what it cannot know (PostgreSQL REPLICA IDENTITY DEFAULT deletes, unchanged TOAST values).
            specs.append((attr, wire | None, None))
            if conv is not None:
                active.append((column, conv))
        cls = msgspec.defstruct(
            "Row",
            specs,
            rename=None if direct else dict(zip(attrs, columns, strict=True)),
            forbid_unknown_fields=only is None,
            gc=False,
        )
        convert = _struct_converter(active, None if direct else list(zip(attrs, columns, strict=True)))
        self._memo[memo_key] = (cls, convert)
        return cls, convert

    def _array(self, schema: ConnectSchema, path: str) -> tuple[Any, Converter | None]:
        if schema.items is None:
            raise DecodeError(path, "array schema without `items`")
        wire, conv = self.compile(schema.items, f"{path}[]")
        if conv is None:
            return list[wire], None  # type: ignore[valid-type]
        return list[wire], _list_converter(conv)  # type: ignore[valid-type]

    def _map(self, schema: ConnectSchema, path: str) -> tuple[Any, Converter | None]:
        if schema.keys is None or schema.values is None:
            raise DecodeError(path, "map schema without `keys` / `values`")
        value_wire, value_conv = self.compile(schema.values, f"{path}{{}}")
        if schema.keys.type == "string" and schema.keys.name is None:
            if value_conv is None:
                return dict[str, value_wire], None  # type: ignore[valid-type]
            return dict[str, value_wire], _dict_converter(value_conv)  # type: ignore[valid-type]
        # JsonConverter writes maps with non-string keys as an array of [key, value] pairs.
        key_wire, key_conv = self.compile(schema.keys, f"{path}{{key}}")
        return list[tuple[key_wire, value_wire]], _pairs_converter(key_conv, value_conv)  # type: ignore[valid-type]


_CONVERSION_ERRORS = (ValueError, TypeError, OverflowError, ArithmeticError)


def _struct_converter(
    active: list[tuple[str, Converter]], renamed: list[tuple[str, str]] | None
) -> Converter:
    asdict = msgspec.structs.asdict

    def apply(row: dict[str, Any]) -> dict[str, Any]:
        column = ""
        try:
            for column, conv in active:
                value = row[column]
                if value is not None:
                    row[column] = conv(value)
        except FieldFailure as failure:
            failure.path.insert(0, column)
            raise
        except _CONVERSION_ERRORS as exc:
            raise FieldFailure([column], str(exc)) from exc
        return row

    if renamed is None:
        if not active:
            return asdict
        return lambda obj: apply(asdict(obj))
    return lambda obj: apply({column: getattr(obj, attr) for attr, column in renamed})


def _list_converter(conv: Converter) -> Converter:
    def convert(values: list[Any]) -> list[Any]:
        out = []
        for i, value in enumerate(values):
            try:
                out.append(None if value is None else conv(value))
            except FieldFailure as failure:
                failure.path.insert(0, f"[{i}]")
                raise
            except _CONVERSION_ERRORS as exc:
                raise FieldFailure([f"[{i}]"], str(exc)) from exc
        return out

    return convert


def _dict_converter(conv: Converter) -> Converter:
    def convert(values: dict[str, Any]) -> dict[str, Any]:
        out = {}
        key = ""
        try:
            for key, value in values.items():
                out[key] = None if value is None else conv(value)
        except FieldFailure as failure:
            failure.path.insert(0, f"[{key!r}]")
            raise
        except _CONVERSION_ERRORS as exc:
            raise FieldFailure([f"[{key!r}]"], str(exc)) from exc
        return out

    return convert


def _pairs_converter(key_conv: Converter | None, value_conv: Converter | None) -> Converter:
    def convert(pairs: list[tuple[Any, Any]]) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for i, (k, v) in enumerate(pairs):
            try:
                key = key_conv(k) if key_conv is not None and k is not None else k
                out[key] = value_conv(v) if value_conv is not None and v is not None else v
            except _CONVERSION_ERRORS as exc:
                raise FieldFailure([f"[{i}]"], str(exc)) from exc
        return out

    return convert
