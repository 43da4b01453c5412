"""Build whole Debezium records (value, and key where there is one) in JsonConverter form.

The envelope and ``source`` block follow the documented formats of the PostgreSQL, MySQL, MariaDB and SQL
Server connectors (Debezium 3.x field sets). Used by tests, golden cases of the legacy adapters and the
benchmark; nothing in the decoding path depends on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import msgspec

from pipelines.debezium.encoder import field, row_payload

DEBEZIUM_VERSION: Final = "3.6.1.Final"
SNAPSHOT_VALUES: Final = "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"
_encode = msgspec.json.Encoder().encode

_COMMON_SOURCE: Final = [
    field("version", "string"),
    field("connector", "string"),
    field("name", "string"),
    field("ts_ms", "int64"),
    field("ts_us", "int64", optional=True),
    field("ts_ns", "int64", optional=True),
    field(
        "snapshot",
        "string",
        optional=True,
        logical="io.debezium.data.Enum",
        version=1,
        parameters={"allowed": SNAPSHOT_VALUES},
        default="false",
    ),
    field("db", "string"),
    field("sequence", "string", optional=True),
]
_CONNECTOR_SOURCE: Final[dict[str, list[dict[str, Any]]]] = {
    "postgresql": [
        field("schema", "string"),
        field("table", "string"),
        field("txId", "int64", optional=True),
        field("lsn", "int64", optional=True),
        field("xmin", "int64", optional=True),
    ],
    "mysql": [
        field("table", "string", optional=True),
        field("server_id", "int64"),
        field("gtid", "string", optional=True),
        field("file", "string"),
        field("pos", "int64"),
        field("row", "int32"),
        field("thread", "int64", optional=True),
        field("query", "string", optional=True),
    ],
    "sqlserver": [
        field("schema", "string"),
        field("table", "string"),
        field("change_lsn", "string", optional=True),
        field("commit_lsn", "string", optional=True),
        field("event_serial_no", "int64", optional=True),
    ],
}
_CONNECTOR_SOURCE["mariadb"] = _CONNECTOR_SOURCE["mysql"]

TRANSACTION_BLOCK: Final = field(
    "transaction",
    "struct",
    optional=True,
    logical="event.block",
    version=1,
    fields=[field("id", "string"), field("total_order", "int64"), field("data_collection_order", "int64")],
)


def source_schema(connector: str) -> dict[str, Any]:
    """The ``source`` field schema of ``connector`` (``postgresql``, ``mysql``, ``mariadb``, ``sqlserver``)."""
    return field(
        "source",
        "struct",
        logical=f"io.debezium.connector.{connector}.Source",
        fields=_COMMON_SOURCE + _CONNECTOR_SOURCE[connector],
    )


def envelope_schema(
    *,
    connector: str,
    topic_prefix: str,
    database: str,
    table: str,
    row_fields: list[dict[str, Any]],
    schema: str | None = None,
) -> dict[str, Any]:
    """The value schema of a table's change events (``<prefix>.<db or schema>.<table>.Envelope``)."""
    namespace = f"{topic_prefix}.{schema or database}.{table}"
    row = {"type": "struct", "fields": row_fields, "optional": True, "name": f"{namespace}.Value"}
    return {
        "type": "struct",
        "fields": [
            {**row, "field": "before"},
            {**row, "field": "after"},
            source_schema(connector),
            field(
                "transaction",
                "struct",
                optional=True,
                logical="event.block",
                version=1,
                fields=TRANSACTION_BLOCK["fields"],
            ),
            field("op", "string"),
            field("ts_ms", "int64", optional=True),
            field("ts_us", "int64", optional=True),
            field("ts_ns", "int64", optional=True),
        ],
        "optional": False,
        "name": f"{namespace}.Envelope",
        "version": 2,
    }


def source_block(
    *,
    connector: str,
    topic_prefix: str,
    database: str,
    table: str | None,
    ts_ms: int,
    schema: str | None = None,
    snapshot: str = "false",
    position: Mapping[str, Any],
) -> dict[str, Any]:
    """A ``source`` payload; ``position`` holds the connector's position fields (``lsn``, ``file``/``pos``/...)."""
    block: dict[str, Any] = {f["field"]: None for f in _COMMON_SOURCE + _CONNECTOR_SOURCE[connector]}
    block.update(
        version=DEBEZIUM_VERSION,
        connector=connector,
        name=topic_prefix,
        ts_ms=ts_ms,
        ts_us=ts_ms * 1000,
        ts_ns=ts_ms * 1_000_000,
        snapshot=snapshot,
        db=database,
        table=table,
    )
    if "schema" in block:
        block["schema"] = schema
    if connector in ("mysql", "mariadb"):
        block.update(server_id=1, row=0)
    unknown = set(position) - set(block)
    if unknown:
        raise ValueError(f"{connector} source blocks have no {sorted(unknown)}")
    block.update(position)
    return block


def change_event(
    *,
    connector: str,
    topic_prefix: str,
    database: str,
    table: str,
    op: str,
    row_fields: list[dict[str, Any]],
    position: Mapping[str, Any],
    ts_ms: int,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    schema: str | None = None,
    snapshot: str = "false",
    transaction: Mapping[str, Any] | None = None,
    schemas: bool = True,
    envelope: dict[str, Any] | None = None,
) -> bytes:
    """A change event value; ``schemas=False`` writes the bare payload (``schemas.enable=false``).

    Pass a prebuilt ``envelope`` (from :func:`envelope_schema`) to skip rebuilding the schema per record.
    """
    payload = {
        "before": row_payload(row_fields, before),
        "after": row_payload(row_fields, after),
        "source": source_block(
            connector=connector,
            topic_prefix=topic_prefix,
            database=database,
            table=table,
            ts_ms=ts_ms,
            schema=schema,
            snapshot=snapshot,
            position=position,
        ),
        "transaction": None if transaction is None else dict(transaction),
        "op": op,
        "ts_ms": ts_ms + 7,
        "ts_us": (ts_ms + 7) * 1000,
        "ts_ns": (ts_ms + 7) * 1_000_000,
    }
    if not schemas:
        return _encode(payload)
    if envelope is None:
        envelope = envelope_schema(
            connector=connector,
            topic_prefix=topic_prefix,
            database=database,
            table=table,
            row_fields=row_fields,
            schema=schema,
        )
    return _encode({"schema": envelope, "payload": payload})


def key_record(
    fields: list[dict[str, Any]], values: Mapping[str, Any], *, name: str, schemas: bool = True
) -> bytes:
    """A record key (the primary key columns as a struct named ``<prefix>.<db>.<table>.Key``)."""
    payload = row_payload(fields, values)
    if not schemas:
        return _encode(payload)
    return _encode(
        {"schema": {"type": "struct", "fields": fields, "optional": False, "name": name}, "payload": payload}
    )


def heartbeat_record(topic_prefix: str, ts_ms: int, *, schemas: bool = True) -> tuple[bytes, bytes]:
    """(key, value) of a heartbeat on ``__debezium-heartbeat.<topic_prefix>``."""
    key = {"serverName": topic_prefix}
    value = {"ts_ms": ts_ms}
    if not schemas:
        return _encode(key), _encode(value)
    key_schema = {
        "type": "struct",
        "fields": [field("serverName", "string")],
        "optional": False,
        "name": "io.debezium.connector.common.ServerNameKey",
        "version": 1,
    }
    value_schema = {
        "type": "struct",
        "fields": [field("ts_ms", "int64")],
        "optional": False,
        "name": "io.debezium.connector.common.Heartbeat",
        "version": 1,
    }
    return _encode({"schema": key_schema, "payload": key}), _encode(
        {"schema": value_schema, "payload": value}
    )


def transaction_record(
    status: str,
    tx_id: str,
    ts_ms: int,
    *,
    data_collections: Mapping[str, int] | None = None,
    schemas: bool = True,
) -> bytes:
    """A transaction BEGIN or END value; END carries per-table event counts."""
    collections = None
    if data_collections is not None:
        collections = [{"data_collection": k, "event_count": v} for k, v in data_collections.items()]
    payload = {
        "status": status,
        "id": tx_id,
        "ts_ms": ts_ms,
        "event_count": None if collections is None else sum(data_collections.values()),  # type: ignore[union-attr]
        "data_collections": collections,
    }
    if not schemas:
        return _encode(payload)
    count = field(
        None,
        "struct",
        logical="event.collection",
        version=1,
        fields=[field("data_collection", "string"), field("event_count", "int64")],
    )
    value_schema = {
        "type": "struct",
        "fields": [
            field("status", "string"),
            field("id", "string"),
            field("ts_ms", "int64"),
            field("event_count", "int64", optional=True),
            field("data_collections", "array", optional=True, items=count),
        ],
        "optional": False,
        "name": "io.debezium.connector.common.TransactionMetadataValue",
        "version": 1,
    }
    return _encode({"schema": value_schema, "payload": payload})
