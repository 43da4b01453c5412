"""Decode Debezium records as Kafka Connect's JsonConverter writes them, into typed Python objects.

Both converter settings are understood:

* ``schemas.enable=true``: ``{"schema": ..., "payload": ...}``. The schema is compiled once per distinct
  schema (keyed by its exact bytes). Per topic the last record's opening ``{"schema":<schema>,"payload":`` is
  remembered: a record that starts with the same bytes (one memory compare, the converter writes the schema
  first and compactly) has only its payload parsed, straight into generated msgspec structs; any other
  record is parsed whole and its schema looked up.
* ``schemas.enable=false``: the bare payload. Change events then need their row fields' Connect schemas,
  given per topic as ``schemaless_fields`` (the ``fields`` array of the table's ``Value`` schema, or a subset
  copied from it); heartbeats, transaction and schema-change records need nothing.

Every failure is a :class:`~pipelines.debezium.exceptions.DecodeError` naming the field, the Kafka
coordinates given to :meth:`DebeziumDecoder.decode`, and the source position when it can still be read.

Records flattened by the ``ExtractNewRecordState`` SMT are not change envelopes (no ``op``, no ``source``) and
are rejected: connectors feeding the normalizer must keep Debezium's envelope.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import msgspec

from pipelines.canonical.source import Position
from pipelines.debezium.compiler import FieldFailure, SchemaCompiler
from pipelines.debezium.connect_schema import ConnectSchema, parse_schema, schema_from_mapping
from pipelines.debezium.exceptions import DecodeError
from pipelines.debezium.model import (
    DebeziumRecord,
    RecordRef,
    TableId,
    Tombstone,
    TransactionBlock,
    UndecodedChange,
)
from pipelines.debezium.options import DecodeOptions
from pipelines.debezium.plans import (
    HEARTBEAT_SCHEMA,
    SCHEMA_CHANGE_SUFFIX,
    TRANSACTION_SCHEMA,
    ChangePlan,
    decode_heartbeat,
    decode_schema_change,
    decode_transaction,
    is_envelope,
    validation_error,
)
from pipelines.debezium.source import position_of
from pipelines.debezium.wire import Probe, SalvagePayload, SalvageTop, Top

Data = bytes | bytearray | memoryview | str
DEFAULT_HEARTBEAT_PREFIX = "__debezium-heartbeat"
_SCHEMA_OPEN = b'{"schema":'
_PAYLOAD_OPEN = b',"payload":'

_top = msgspec.json.Decoder(Top)
_probe = msgspec.json.Decoder(Probe)
_plain = msgspec.json.Decoder()
_salvage_top = msgspec.json.Decoder(SalvageTop)
_salvage_payload = msgspec.json.Decoder(SalvagePayload)


class _Plan:
    """What to do with payloads of one schema: a change plan, a fixed record kind, or a plain struct.

    ``narrowed``: whether the decoder's ``columns`` hook has been asked about the change plan's table (once,
    after its first record names the table)."""

    __slots__ = ("change", "kind", "narrowed", "value")

    def __init__(self, kind: str, change: ChangePlan | None = None, value: Any = None) -> None:
        self.kind = kind
        self.change = change
        self.value = value
        self.narrowed = False


ColumnsOf = Callable[[TableId], Collection[str] | None]
"""The row columns a consumer reads from a table's change events (None: all of them)."""


class DebeziumDecoder:
    """Decodes Debezium Kafka records (value and optional key) into :data:`DebeziumRecord` objects.

    One instance per consumer thread: the schema cache is not locked. ``max_cached_schemas`` bounds memory
    when schemas churn (each DDL on a captured table creates a new one); the oldest entry is evicted first.

    ``columns``: asked once per change schema, with the table its first record names, which row columns will
    be read (an adapter's mapped columns); from the next record of that schema on, the others are skipped
    unparsed and left out of ``before`` and ``after`` (``row_schema`` still lists every column). Converting
    columns nobody reads (audit timestamps, say) is most of what decoding a row costs. None: every column.

    ``key_values=False``: record keys are checked but their columns not decoded (a consumer that reads the
    primary key from the row needs only to know there is one): a record's ``key`` is an empty dict when it has
    a key, None when it has none (absent, or a null payload). A key of the schema its topic's previous key had
    is told by one prefix compare; any other is parsed whole, so a malformed one still raises.
    """

    def __init__(
        self,
        *,
        options: DecodeOptions | None = None,
        schemaless_fields: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
        heartbeat_topic_prefix: str = DEFAULT_HEARTBEAT_PREFIX,
        max_cached_schemas: int = 256,
        columns: ColumnsOf | None = None,
        key_values: bool = True,
    ) -> None:
        self.options = options or DecodeOptions()
        self._columns = columns
        self._key_values = key_values
        self._key_prefix_by_topic: dict[str | None, bytes] = {}
        self._compiler = SchemaCompiler(self.options)
        self._heartbeat_prefix = heartbeat_topic_prefix
        self._max = max_cached_schemas
        self._plans: dict[bytes, _Plan] = {}
        self._last_by_topic: dict[str | None, tuple[bytes, _Plan]] = {}
        self._schemaless_fields = {
            topic: [
                schema_from_mapping(f, root=f"schemaless_fields[{topic!r}][{i}]")
                for i, f in enumerate(fields)
            ]
            for topic, fields in (schemaless_fields or {}).items()
        }
        self._schemaless_plans: dict[str, _Plan] = {}

    def decode(
        self,
        value: Data | None,
        *,
        key: Data | None = None,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
    ) -> DebeziumRecord:
        """Decode one record's value (``None`` for a tombstone) and, when given, its key.

        ``topic`` is needed to recognize schemaless heartbeats and to pick schemaless field types; ``topic``,
        ``partition`` and ``offset`` end up in the result's ``record`` and in any error.
        """
        record = (
            None
            if topic is None and partition is None and offset is None
            else RecordRef(topic, partition, offset)
        )
        if isinstance(value, str):
            value = value.encode()
        if isinstance(key, str):
            key = key.encode()
        try:
            return self._decode(value, key, topic, record)
        except DecodeError as exc:
            raise exc.locate(
                topic=topic, partition=partition, offset=offset, position=_salvage(value)
            ) from None

    def _key(self, key: Data | None, topic: str | None) -> dict[str, Any] | None:
        """The record key as the decoder's ``key_values`` setting wants it."""
        if key is None:
            return None
        if self._key_values:
            return self.decode_key(key)
        if type(key) is not bytes:
            key = key.encode() if isinstance(key, str) else bytes(key)
        prefix = self._key_prefix_by_topic.get(topic)
        if prefix is not None and key.startswith(prefix) and key.endswith(b"}"):
            # a schema-enabled key of the schema this topic's last key had: only null or not matters
            return None if key[len(prefix) : -1] == b"null" else {}
        decoded = self.decode_key(key)  # raises DecodeError for a malformed key
        if key.startswith(_SCHEMA_OPEN):
            schema = _top.decode(key).schema
            self._key_prefix_by_topic[topic] = _SCHEMA_OPEN + bytes(schema) + _PAYLOAD_OPEN
        return None if decoded is None else {}

    def decode_key(self, key: Data | None) -> dict[str, Any] | None:
        """Decode a record key (schema-enabled or plain JSON object) into a dict of decoded column values."""
        if key is None or len(key) == 0:
            return None
        if isinstance(key, str):
            key = key.encode()
        try:
            top = _top.decode(key)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise validation_error(exc, root="key") from exc
        if len(top.schema) == 0 and len(top.payload) == 0:
            try:
                plain = _plain.decode(key)
            except msgspec.DecodeError as exc:
                raise validation_error(exc, root="key") from exc
            if not isinstance(plain, dict):
                raise DecodeError("key", "a record key must be a JSON object")
            return plain
        if _is_null(top.payload):
            return None
        plan = self._plan(bytes(top.schema))
        if plan.kind != "struct":
            raise DecodeError("key.schema", "a record key schema must be a struct")
        decoder, conv = plan.value
        try:
            row = decoder.decode(top.payload)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise validation_error(exc, root="key.payload") from exc
        try:
            result: dict[str, Any] = conv(row)
        except FieldFailure as failure:
            raise DecodeError(failure.dotted("key.payload"), failure.reason) from failure
        return result

    def _decode(
        self, value: Data | None, key: Data | None, topic: str | None, record: RecordRef | None
    ) -> DebeziumRecord:
        if value is None or len(value) == 0 or _is_null(value):
            return Tombstone(key=self._key(key, topic), record=record)
        last = self._last_by_topic.get(topic)
        if last is not None and type(value) is bytes:
            # Fast path: the same schema as the topic's previous record; only the payload is parsed.
            prefix, plan = last
            if value.startswith(prefix) and value.endswith(b"}"):
                try:
                    return self._finish(
                        plan,
                        memoryview(value)[len(prefix) : -1],
                        self._key(key, topic),
                        record,
                    )
                except DecodeError:
                    pass  # parsed again below, where the error is named
        schemaless = self._schemaless_plans.get(topic) if topic is not None else None
        if schemaless is not None:
            # Fast path for schemaless topics already seen: one parse straight into the typed envelope.
            try:
                return self._finish(schemaless, value, self._key(key, topic), record)
            except DecodeError:
                pass  # not a change event of that shape: take the general path, which names the problem
        try:
            top = _top.decode(value)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise validation_error(exc, root="value") from exc
        schema_raw = top.schema
        if len(schema_raw) == 0 and len(top.payload) == 0:
            return self._decode_schemaless(value, key, topic, record)
        payload = top.payload
        if len(payload) == 0 or _is_null(payload):
            return Tombstone(key=self._key(key, topic), record=record)
        schema_bytes = bytes(schema_raw)
        plan = self._plan(schema_bytes)
        event = self._finish(plan, payload, self._key(key, topic), record)
        self._last_by_topic[topic] = (_SCHEMA_OPEN + schema_bytes + _PAYLOAD_OPEN, plan)
        return event

    def _finish(
        self, plan: _Plan, payload: Any, key: dict[str, Any] | None, record: RecordRef | None
    ) -> DebeziumRecord:
        change = plan.change
        if change is not None:
            event = change.decode(payload, key, record)
            if not plan.narrowed:
                self._narrow(plan, event.table)
            return event
        if plan.kind == "heartbeat":
            return decode_heartbeat(payload, key, record)
        if plan.kind == "transaction":
            return decode_transaction(payload, record)
        if plan.kind == "schema_change":
            return decode_schema_change(payload, record)
        raise DecodeError("schema", "not a Debezium change, heartbeat, transaction or schema change record")

    def _narrow(self, plan: _Plan, table: TableId) -> None:
        """Ask the ``columns`` hook about ``table`` and recompile ``plan`` to read only those columns."""
        plan.narrowed = True
        change = plan.change
        if self._columns is None or change is None:
            return
        columns = self._columns(table)
        if columns is not None:
            plan.change = ChangePlan(change.schema, self._compiler, columns=frozenset(columns))

    def _plan(self, schema_bytes: bytes) -> _Plan:
        plan = self._plans.get(schema_bytes)
        if plan is not None:
            return plan
        schema = parse_schema(schema_bytes)
        plan = self._build_plan(schema)
        if len(self._plans) >= self._max:
            del self._plans[next(iter(self._plans))]
        self._plans[schema_bytes] = plan
        return plan

    def _build_plan(self, schema: ConnectSchema) -> _Plan:
        name = schema.name or ""
        if is_envelope(schema):
            return _Plan("change", change=ChangePlan(schema, self._compiler))
        if name.endswith(HEARTBEAT_SCHEMA):
            return _Plan("heartbeat")
        if name.endswith(TRANSACTION_SCHEMA):
            return _Plan("transaction")
        if name.endswith(SCHEMA_CHANGE_SUFFIX):
            return _Plan("schema_change")
        if schema.type == "struct":
            wire, conv = self._compiler.compile(schema, "schema")
            return _Plan("struct", value=(msgspec.json.Decoder(wire), conv))
        return _Plan("other")

    def _decode_schemaless(
        self, value: Data, key: Data | None, topic: str | None, record: RecordRef | None
    ) -> DebeziumRecord:
        decoded_key = self._key(key, topic)
        if topic is not None and topic.startswith(self._heartbeat_prefix):
            return decode_heartbeat(value, decoded_key, record)
        try:
            probe = _probe.decode(value)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise validation_error(exc, root="value") from exc
        if probe.status in ("BEGIN", "END"):
            return decode_transaction(value, record)
        if probe.ddl is not None or probe.tableChanges is not None:
            return decode_schema_change(value, record)
        if probe.op is None or probe.source is None:
            raise DecodeError(
                "value", "schemaless value is not a change, transaction or schema change record"
            )
        plan = self._schemaless_plans.get(topic or "")
        if plan is None:
            fields = self._schemaless_fields.get(topic or "")
            if fields is None:
                raise DecodeError(
                    "value.schema",
                    f"schemaless change event on topic {topic!r} and no field types were given for it "
                    "(pass schemaless_fields, or enable schemas on the converter)",
                )
            plan = _Plan("change", change=ChangePlan.for_row_fields(fields, self._compiler))
            self._schemaless_plans[topic or ""] = plan
        return self._finish(plan, value, decoded_key, record)


def _is_null(data: Any) -> bool:
    return len(data) == 4 and bytes(data) == b"null"


def _salvage_payload_of(value: Data) -> SalvagePayload | None:
    try:
        top = _salvage_top.decode(value)
        return top.payload if top.payload is not None else _salvage_payload.decode(value)
    except (msgspec.ValidationError, msgspec.DecodeError, TypeError):
        return None


def _salvage(value: Data | None) -> Position | None:
    """The source position of a record that failed to decode, if its source block is still readable."""
    payload = None if value is None else _salvage_payload_of(value)
    if payload is None or payload.source is None:
        return None
    try:
        return position_of(payload.source)
    except DecodeError:
        return None


def undecoded_change(value: Data | None, record: RecordRef | None = None) -> UndecodedChange | None:
    """What is still readable of a change event that failed (malformed row, wrong types, too large, no key):
    table, transaction block and position, when its ``source`` and ``transaction`` blocks can be read; else
    None (malformed JSON, or a change outside any transaction)."""
    payload = None if value is None else _salvage_payload_of(value)
    if payload is None or payload.source is None or payload.transaction is None:
        return None
    source, tx = payload.source, payload.transaction
    try:
        position = position_of(source)
    except DecodeError:
        return None
    return UndecodedChange(
        table=TableId(database=source.db, schema=source.schema, table=source.table),
        transaction=TransactionBlock(
            id=tx.id, total_order=tx.total_order, data_collection_order=tx.data_collection_order
        ),
        position=position,
        record=record,
    )


_default_decoder: DebeziumDecoder | None = None


def decode_record(
    value: Data | None,
    *,
    key: Data | None = None,
    topic: str | None = None,
    partition: int | None = None,
    offset: int | None = None,
) -> DebeziumRecord:
    """Decode with a shared default :class:`DebeziumDecoder` (default options, schema-enabled records)."""
    global _default_decoder
    if _default_decoder is None:
        _default_decoder = DebeziumDecoder()
    return _default_decoder.decode(value, key=key, topic=topic, partition=partition, offset=offset)
