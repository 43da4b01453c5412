"""Per-schema decoding plans: what to do with a payload once its schema has been seen.

A :class:`ChangePlan` is built once per distinct envelope schema (or per topic for schemaless payloads with
field types given separately) and holds a msgspec decoder for a generated envelope struct plus the row
converters. The fixed-shape records (heartbeats, transaction boundaries, schema changes) need no schema and
share module-level decoders.
"""

from __future__ import annotations

from typing import Any

import msgspec

from pipelines.debezium.columns import RowSchema, row_schema_of
from pipelines.debezium.compiler import FieldFailure, SchemaCompiler
from pipelines.debezium.connect_schema import ConnectSchema
from pipelines.debezium.exceptions import DecodeError
from pipelines.debezium.logical import Converter
from pipelines.debezium.model import (
    ChangeEvent,
    DataCollectionCount,
    Heartbeat,
    LogicalMessage,
    Op,
    RecordRef,
    SchemaChange,
    TableId,
    TransactionBlock,
    TransactionEvent,
)
from pipelines.debezium.source import source_info
from pipelines.debezium.wire import HeartbeatWire, SchemaChangeWire, SourceWire, TransactionWire
from pipelines.errorpaths import split_msgspec_error

HEARTBEAT_SCHEMA: str = "io.debezium.connector.common.Heartbeat"
TRANSACTION_SCHEMA: str = "io.debezium.connector.common.TransactionMetadataValue"
SCHEMA_CHANGE_SUFFIX: str = ".SchemaChangeValue"

_NEEDS_AFTER = frozenset({Op.CREATE, Op.READ, Op.UPDATE})


def validation_error(
    exc: msgspec.ValidationError | msgspec.DecodeError, root: str = "payload"
) -> DecodeError:
    """A :class:`DecodeError` for a msgspec failure while reading the payload."""
    if isinstance(exc, msgspec.ValidationError):
        field, reason = split_msgspec_error(str(exc), root=root)
        return DecodeError(field, reason)
    return DecodeError(root, f"malformed JSON: {exc}")


def _convert_row(conv: Converter, row: Any, root: str) -> dict[str, Any]:
    try:
        result: dict[str, Any] = conv(row)
    except FieldFailure as failure:
        raise DecodeError(failure.dotted(root), failure.reason) from failure
    return result


def is_envelope(schema: ConnectSchema) -> bool:
    """A change-event envelope: a struct with ``op`` and ``source`` fields."""
    names = schema.field_names()
    return schema.type == "struct" and "op" in names and "source" in names


class ChangePlan:
    """Decodes the payload of change events of one envelope schema."""

    __slots__ = ("_after", "_before", "_decoder", "row_schema", "schema")

    def __init__(
        self,
        schema: ConnectSchema,
        compiler: SchemaCompiler,
        path: str = "schema",
        columns: frozenset[str] | None = None,
    ) -> None:
        """``columns``: read only these row columns (the others are skipped unparsed and left out of ``before``
        and ``after``); ``row_schema`` still describes every column of the schema."""
        self.schema = schema
        specs: list[tuple[str, Any] | tuple[str, Any, Any]] = [("source", SourceWire), ("op", Op)]
        self._before: Converter | None = None
        self._after: Converter | None = None
        self.row_schema: RowSchema | None = None
        """The row columns and their kinds (one object per plan, shared by every event it decodes)."""
        for side in ("before", "after"):
            side_schema = schema.field_named(side)
            if side_schema is None:  # e.g. PostgreSQL logical decoding messages have no rows
                specs.append((side, None, None))
                continue
            if side_schema.type == "struct":
                self.row_schema = row_schema_of(side_schema)
            conv: Converter | None
            if side_schema.type == "struct" and columns is not None:
                wire, conv = compiler.compile_row(side_schema, f"{path}.{side}", columns)
            else:
                wire, conv = compiler.compile(side_schema, f"{path}.{side}")
            specs.append((side, wire | None, None))
            if side == "before":
                self._before = conv
            else:
                self._after = conv
        specs += [
            ("ts_ms", int | None, None),
            ("transaction", TransactionBlock | None, None),
            ("message", LogicalMessage | None, None),
        ]
        envelope = msgspec.defstruct("Envelope", specs, kw_only=True, gc=False)
        self._decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(envelope)

    @classmethod
    def for_row_fields(cls, fields: list[ConnectSchema], compiler: SchemaCompiler) -> ChangePlan:
        """A plan for schemaless payloads whose row columns have the given Connect field schemas."""
        row = ConnectSchema(type="struct", optional=True, fields=tuple(fields))
        envelope = ConnectSchema(
            type="struct",
            fields=(
                msgspec.structs.replace(row, field="before"),
                msgspec.structs.replace(row, field="after"),
                ConnectSchema(type="struct", field="source"),
                ConnectSchema(type="string", field="op"),
            ),
        )
        return cls(envelope, compiler, path="fields")

    def decode(self, payload: Any, key: dict[str, Any] | None, record: RecordRef | None) -> ChangeEvent:
        """Decode one payload (bytes or ``msgspec.Raw``) into a :class:`ChangeEvent`."""
        try:
            env = self._decoder.decode(payload)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise validation_error(exc) from exc
        return self.finish(env, key, record)

    def finish(self, env: Any, key: dict[str, Any] | None, record: RecordRef | None) -> ChangeEvent:
        """Build the :class:`ChangeEvent` from an envelope struct decoded by this plan."""
        tx = env.transaction
        source = source_info(env.source, None if tx is None else tx.id)
        before = after = None
        if env.before is not None:
            before = _convert_row(self._before, env.before, "payload.before") if self._before else env.before
        if env.after is not None:
            after = _convert_row(self._after, env.after, "payload.after") if self._after else env.after
        op = env.op
        if after is None and op in _NEEDS_AFTER:
            raise DecodeError("payload.after", f"op {op.value!r} needs an `after` row")
        if op is Op.MESSAGE and env.message is None:
            raise DecodeError("payload.message", "op 'm' needs a `message`")
        return ChangeEvent(
            op=op,
            table=TableId(database=source.database, schema=source.schema, table=source.table),
            source=source,
            before=before,
            after=after,
            key=key,
            ts_ms=env.ts_ms,
            transaction=tx,
            message=env.message,
            record=record,
            row_schema=self.row_schema,
        )


_heartbeat = msgspec.json.Decoder(HeartbeatWire)
_transaction = msgspec.json.Decoder(TransactionWire)
_schema_change = msgspec.json.Decoder(SchemaChangeWire)


def decode_heartbeat(payload: Any, key: dict[str, Any] | None, record: RecordRef | None) -> Heartbeat:
    """A heartbeat value (``{"ts_ms": ...}``); the server name comes from the key's ``serverName``."""
    try:
        wire = _heartbeat.decode(payload)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise validation_error(exc) from exc
    server = key.get("serverName") if key else None
    return Heartbeat(ts_ms=wire.ts_ms, server_name=server if isinstance(server, str) else None, record=record)


def decode_transaction(payload: Any, record: RecordRef | None) -> TransactionEvent:
    """A transaction BEGIN/END value."""
    try:
        wire = _transaction.decode(payload)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise validation_error(exc) from exc
    return TransactionEvent(
        status=wire.status,
        id=wire.id,
        ts_ms=wire.ts_ms,
        event_count=wire.event_count,
        data_collections=tuple(
            DataCollectionCount(data_collection=d.data_collection, event_count=d.event_count)
            for d in wire.data_collections or ()
        ),
        record=record,
    )


def decode_schema_change(payload: Any, record: RecordRef | None) -> SchemaChange:
    """A schema change value (DDL plus Debezium's structured ``tableChanges``)."""
    try:
        wire = _schema_change.decode(payload)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise validation_error(exc) from exc
    return SchemaChange(
        database=wire.databaseName,
        schema=wire.schemaName,
        ddl=wire.ddl,
        table_changes=tuple(wire.tableChanges or ()),
        source=None if wire.source is None else source_info(wire.source),
        ts_ms=wire.ts_ms,
        record=record,
    )
