"""Record kinds, malformed envelopes, schemaless payloads and the schema cache of the Debezium decoder."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec
import orjson
import pytest

from pipelines.canonical import BinlogPosition, PostgresPosition
from pipelines.debezium import (
    ChangeEvent,
    DebeziumDecoder,
    DecodeError,
    Heartbeat,
    Op,
    SchemaChange,
    SnapshotMarker,
    TransactionEvent,
    decode_record,
)
from pipelines.debezium import decoder as decoder_module
from pipelines.debezium.encoder import decimal_field, field
from pipelines.debezium.records import (
    change_event,
    envelope_schema,
    heartbeat_record,
    key_record,
    transaction_record,
)
from pipelines.exceptions import InventoryCdcError

SEAT_FIELDS = [
    field("SEAT_NO", "int32"),
    decimal_field("FEE_AMT", 10, 2, optional=True),
    field("UPD_DT", "int64", logical="io.debezium.time.Timestamp", version=1),
]
POSITION = {"file": "mariadb-bin.000042", "pos": 91233, "row": 2}


def seat_event(
    op: str = "u", *, schemas: bool = True, fields: list[dict[str, Any]] | None = None, **kw: Any
) -> bytes:
    row = {"SEAT_NO": 7, "FEE_AMT": Decimal("4.50"), "UPD_DT": datetime(2026, 3, 14, 19, 2, 11)}
    args: dict[str, Any] = {"after": row, "position": POSITION, "ts_ms": 1773511331250, **kw}
    return change_event(
        connector="mariadb",
        topic_prefix="boxoffice",
        database="boxoffice",
        table="SEAT_INV",
        op=op,
        row_fields=fields or SEAT_FIELDS,
        schemas=schemas,
        **args,
    )


def mutate(data: bytes, path: list[str | int], value: Any, *, delete: bool = False) -> bytes:
    """``data`` with the JSON node at ``path`` replaced (or deleted)."""
    doc = msgspec.json.decode(data)
    node = doc
    for part in path[:-1]:
        node = node[part]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return msgspec.json.encode(doc)


def test_encoder_writes_the_documented_format(fixture_bytes: Callable[..., bytes]) -> None:
    """The test encoder reproduces the hand-written MariaDB fixture's rows and row schema exactly."""
    documented = msgspec.json.decode(fixture_bytes("mariadb_seat_inv_update.json"))
    decoded = DebeziumDecoder().decode(fixture_bytes("mariadb_seat_inv_update.json"))
    assert isinstance(decoded, ChangeEvent)
    row_fields = documented["schema"]["fields"][1]["fields"]
    encoded = msgspec.json.decode(
        change_event(
            connector="mariadb",
            topic_prefix="boxoffice",
            database="boxoffice",
            table="SEAT_INV",
            op="u",
            row_fields=row_fields,
            before=decoded.before,
            after=decoded.after,
            position=POSITION,
            ts_ms=1773511331250,
        )
    )
    for side in ("before", "after"):
        assert encoded["payload"][side] == documented["payload"][side]
    assert encoded["schema"]["fields"][1]["fields"] == row_fields


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (b"not json", "value"),
        (b"[1, 2]", "value"),
        (mutate(seat_event(), ["payload", "source"], None, delete=True), "payload.source"),
        (mutate(seat_event(), ["payload", "op"], "x"), "payload.op"),
        (mutate(seat_event(), ["payload", "op"], None, delete=True), "payload.op"),
        (mutate(seat_event(), ["payload", "after"], None), "payload.after"),
        (mutate(seat_event(), ["payload", "source", "pos"], "91233"), "payload.source.pos"),
        (mutate(seat_event(), ["payload", "source", "file"], None), "payload.source.file"),
        (mutate(seat_event(), ["payload", "source", "connector"], "oracle"), "payload.source.connector"),
        (mutate(seat_event(), ["payload", "source", "snapshot"], "maybe"), "payload.source.snapshot"),
        (mutate(seat_event(), ["payload", "after", "EXTRA"], 1), "payload.after.EXTRA"),
        (mutate(seat_event(), ["payload", "after", "SEAT_NO"], "7"), "payload.after.SEAT_NO"),
        (mutate(seat_event(), ["payload", "after", "FEE_AMT"], "!!"), "payload.after.FEE_AMT"),
        (mutate(seat_event(), ["payload", "transaction"], {"id": "t"}), "payload.transaction.total_order"),
        (mutate(seat_event(), ["schema", "fields"], "none"), "schema.fields"),
        (
            mutate(seat_event(), ["schema", "fields", 1, "fields", 0, "type"], "int128"),
            "schema.after.SEAT_NO",
        ),
        (mutate(seat_event(), ["schema"], {"type": "string"}), "schema"),
        (b'{"before": null, "after": {"a": 1}, "op": "c", "source": {}}', "payload.source.connector"),
    ],
)
def test_malformed_records_raise_decode_error_naming_the_field(data: bytes, field: str) -> None:
    with pytest.raises(DecodeError) as info:
        DebeziumDecoder(schemaless_fields={"t": [{"type": "int32", "field": "a"}]}).decode(data, topic="t")
    assert info.value.field == field, info.value
    assert isinstance(info.value, InventoryCdcError) and not info.value.retryable


def test_decode_error_carries_kafka_coordinates_and_source_position() -> None:
    bad = mutate(seat_event(), ["payload", "after", "UPD_DT"], "yesterday")
    with pytest.raises(DecodeError) as info:
        DebeziumDecoder().decode(bad, topic="boxoffice.boxoffice.SEAT_INV", partition=4, offset=1234)
    error = info.value
    assert (error.topic, error.partition, error.offset) == ("boxoffice.boxoffice.SEAT_INV", 4, 1234)
    assert error.position == BinlogPosition(file="mariadb-bin.000042", pos=91233, row=2, server_id=1)
    assert "boxoffice.boxoffice.SEAT_INV[4]@1234" in str(error)
    assert "payload.after.UPD_DT" in str(error)


def test_a_bad_record_after_good_ones_of_the_same_schema_is_still_named() -> None:
    decoder = DebeziumDecoder()
    topic = "boxoffice.boxoffice.SEAT_INV"
    assert isinstance(decoder.decode(seat_event(), topic=topic), ChangeEvent)  # warms the single-pass path
    with pytest.raises(DecodeError) as info:
        decoder.decode(mutate(seat_event(), ["payload", "after", "SEAT_NO"], 7.5), topic=topic, offset=2)
    assert (info.value.field, info.value.offset) == ("payload.after.SEAT_NO", 2)
    tombstone = mutate(seat_event(), ["payload"], None)
    assert decoder.decode(tombstone, topic=topic).__class__.__name__ == "Tombstone"
    assert isinstance(decoder.decode(seat_event(), topic=topic), ChangeEvent)


def test_a_record_of_a_known_schema_decodes_the_same_whatever_its_layout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fast path (same opening bytes as the topic's last record: payload parsed alone) and the full parse
    agree, and a record laid out otherwise (payload first, spaces, an extra member) is parsed whole."""
    topic = "boxoffice.boxoffice.SEAT_INV"
    compact = seat_event()
    message = orjson.loads(compact)
    decoder = DebeziumDecoder()
    expected = decoder.decode(compact, topic=topic, offset=1)  # parsed whole: the topic's first record
    assert isinstance(expected, ChangeEvent)
    without_schema = msgspec.structs.replace(expected, row_schema=None)
    layouts = [
        orjson.dumps({"payload": message["payload"], "schema": message["schema"]}),
        json.dumps(message, indent=1).encode(),
        orjson.dumps({**message, "extra": {"payload": None}}),
        compact,
    ]
    for data in layouts:
        event = decoder.decode(data, topic=topic, offset=1)
        assert isinstance(event, ChangeEvent) and event.row_schema is not None, data[:40]
        assert repr(event.row_schema) == repr(expected.row_schema), data[
            :40
        ]  # one object per distinct schema
        assert msgspec.structs.replace(event, row_schema=None) == without_schema, data[:40]
    whole: list[bytes] = []

    class Counting:
        def decode(self, data: bytes) -> Any:
            whole.append(data)
            return top.decode(data)

    top = decoder_module._top
    monkeypatch.setattr(decoder_module, "_top", Counting())
    assert decoder.decode(compact, topic=topic, offset=1) == expected
    assert whole == []  # the compact record after one of its schema: only its payload was parsed
    assert decoder.decode(layouts[0], topic=topic, offset=1) == expected  # payload first: parsed whole
    assert whole == [layouts[0]]


def test_postgres_source_without_lsn_is_malformed(fixture_bytes: Callable[..., bytes]) -> None:
    data = fixture_bytes("postgres_price_levels_update.json")
    with pytest.raises(DecodeError) as info:
        DebeziumDecoder().decode(mutate(data, ["payload", "source", "lsn"], None))
    assert info.value.field == "payload.source.lsn"
    assert info.value.position is None


def test_snapshot_reads() -> None:
    decoder = DebeziumDecoder()
    for marker, expected in [
        ("first", SnapshotMarker.FIRST),
        ("last", SnapshotMarker.LAST),
        (True, SnapshotMarker.TRUE),
    ]:
        event = decoder.decode(mutate(seat_event("r"), ["payload", "source", "snapshot"], marker))
        assert isinstance(event, ChangeEvent) and event.op is Op.READ
        assert event.source.snapshot is expected and event.source.is_snapshot
        assert event.source.to_canonical("box_office").snapshot is True


def test_schemaless_change_events_use_the_topic_field_types() -> None:
    topic = "boxoffice.boxoffice.SEAT_INV"
    decoder = DebeziumDecoder(schemaless_fields={topic: SEAT_FIELDS})
    event = decoder.decode(seat_event(schemas=False), topic=topic)
    assert isinstance(event, ChangeEvent)
    assert event.after == {
        "SEAT_NO": 7,
        "FEE_AMT": Decimal("4.50"),
        "UPD_DT": datetime(2026, 3, 14, 19, 2, 11),
    }
    with pytest.raises(DecodeError, match="no field types") as info:
        DebeziumDecoder().decode(seat_event(schemas=False), topic=topic)
    assert info.value.field == "value.schema"


def test_schemaless_heartbeat_transaction_and_key() -> None:
    decoder = DebeziumDecoder()
    key, value = heartbeat_record("pricing", 99, schemas=False)
    beat = decoder.decode(value, key=key, topic="__debezium-heartbeat.pricing")
    assert isinstance(beat, Heartbeat) and (beat.ts_ms, beat.server_name) == (99, "pricing")
    end = decoder.decode(
        transaction_record("END", "771", 5, data_collections={"public.price_levels": 2}, schemas=False)
    )
    assert isinstance(end, TransactionEvent) and end.event_count == 2
    assert decoder.decode_key(
        key_record([field("id", "string")], {"id": "PL-88"}, name="k", schemas=False)
    ) == {"id": "PL-88"}


def test_schemaless_schema_change(fixture_bytes: Callable[..., bytes]) -> None:
    payload = msgspec.json.decode(fixture_bytes("mysql_schema_change.json"))["payload"]
    change = DebeziumDecoder().decode(msgspec.json.encode(payload), topic="boxoffice")
    assert isinstance(change, SchemaChange) and change.database == "boxoffice"


def test_key_with_logical_types_is_decoded() -> None:
    key = key_record([decimal_field("ID", 10, 0)], {"ID": Decimal(42)}, name="pricing.public.t.Key")
    event = DebeziumDecoder().decode(seat_event(), key=key)
    assert isinstance(event, ChangeEvent) and event.key == {"ID": Decimal(42)}


def test_schema_evolution_and_interleaved_topics(fixture_bytes: Callable[..., bytes]) -> None:
    decoder = DebeziumDecoder(max_cached_schemas=2)
    wider = [*SEAT_FIELDS, field("NOTE_TX", "string", optional=True)]
    old = seat_event()
    new = seat_event(fields=wider, after={"SEAT_NO": 8, "FEE_AMT": None, "UPD_DT": 0, "NOTE_TX": "neu"})
    pg = fixture_bytes("postgres_price_levels_update.json")
    sequence = [("a", old), ("a", new), ("b", pg), ("a", old), ("a", new), ("b", pg), ("c", new), ("a", new)]
    for topic, data in sequence:
        event = decoder.decode(data, topic=topic)
        assert isinstance(event, ChangeEvent) and event.after is not None
        if data is new:
            assert event.after["NOTE_TX"] == "neu" and event.after["UPD_DT"] == datetime(1970, 1, 1)
        elif data is old:
            assert "NOTE_TX" not in event.after and event.after["SEAT_NO"] == 7
        else:
            assert event.source.position == PostgresPosition(lsn=24023128)


def test_compiled_once_per_schema() -> None:
    decoder = DebeziumDecoder()
    envelope = envelope_schema(
        connector="mariadb",
        topic_prefix="boxoffice",
        database="boxoffice",
        table="SEAT_INV",
        row_fields=SEAT_FIELDS,
    )
    for seat in range(1, 50):
        data = seat_event(envelope=envelope, after={"SEAT_NO": seat, "FEE_AMT": None, "UPD_DT": seat})
        event = decoder.decode(data, topic=None if seat % 2 else "boxoffice.boxoffice.SEAT_INV")
        assert isinstance(event, ChangeEvent) and event.after is not None and event.after["SEAT_NO"] == seat
    assert len(decoder._plans) == 1


def test_module_level_decode_record() -> None:
    event = decode_record(seat_event(), topic="t", partition=0, offset=1)
    assert isinstance(event, ChangeEvent) and event.record is not None and event.record.offset == 1


# -- reading only the columns a consumer maps ------------------------------------------------------------------
def test_the_columns_hook_narrows_rows_from_the_second_record_of_a_schema_on() -> None:
    asked: list[tuple[str | None, str | None]] = []

    def columns(table: Any) -> set[str] | None:
        asked.append((table.database, table.table))
        return {"SEAT_NO", "FEE_AMT", "GONE"}  # a mapped column the table does not have is simply absent

    decoder = DebeziumDecoder(columns=columns)
    first = decoder.decode(seat_event(), topic="t")
    assert isinstance(first, ChangeEvent) and first.after is not None
    assert set(first.after) == {"SEAT_NO", "FEE_AMT", "UPD_DT"}  # decoded before the table was known
    for _ in range(2):
        event = decoder.decode(seat_event(before={"SEAT_NO": 6, "FEE_AMT": None, "UPD_DT": 0}), topic="t")
        assert isinstance(event, ChangeEvent)
        assert event.after == {"SEAT_NO": 7, "FEE_AMT": Decimal("4.50")}
        assert event.before == {"SEAT_NO": 6, "FEE_AMT": None}
        assert event.row_schema is not None and set(event.row_schema.columns) == {
            "SEAT_NO",
            "FEE_AMT",
            "UPD_DT",
        }
    assert asked == [("boxoffice", "SEAT_INV")]  # once per schema
    # a column nobody reads is skipped unparsed: a value it could not convert no longer fails the record
    broken = mutate(seat_event(), ["payload", "after", "UPD_DT"], "not a number")
    with pytest.raises(DecodeError, match="UPD_DT"):
        DebeziumDecoder().decode(broken, topic="t")
    assert isinstance(decoder.decode(broken, topic="t"), ChangeEvent)
    # a new schema of the table (a column added) is asked about again
    wider = [*SEAT_FIELDS, field("NOTE", "string", optional=True)]
    for _ in range(2):
        event = decoder.decode(seat_event(fields=wider), topic="t")
    assert isinstance(event, ChangeEvent) and event.after == {"SEAT_NO": 7, "FEE_AMT": Decimal("4.50")}
    assert len(asked) == 2


def test_the_columns_hook_answering_none_keeps_every_column_and_schemaless_rows_narrow_too() -> None:
    decoder = DebeziumDecoder(columns=lambda table: None)
    for _ in range(2):
        event = decoder.decode(seat_event(), topic="t")
    assert (
        isinstance(event, ChangeEvent)
        and event.after is not None
        and set(event.after)
        == {
            "SEAT_NO",
            "FEE_AMT",
            "UPD_DT",
        }
    )
    topic = "boxoffice.boxoffice.SEAT_INV"
    decoder = DebeziumDecoder(schemaless_fields={topic: SEAT_FIELDS}, columns=lambda table: {"SEAT_NO"})
    for _ in range(2):
        event = decoder.decode(seat_event(schemas=False), topic=topic)
    assert isinstance(event, ChangeEvent) and event.after == {"SEAT_NO": 7}


def test_keys_checked_not_decoded() -> None:
    fields = [decimal_field("ID", 10, 0)]
    key = key_record(fields, {"ID": Decimal(42)}, name="boxoffice.boxoffice.SEAT_INV.Key")
    null_payload = key[: key.rindex(b'"payload":') + len(b'"payload":')] + b"null}"
    decoder = DebeziumDecoder(key_values=False)
    for _ in range(2):  # the second time by the prefix compare alone
        event = decoder.decode(seat_event(), key=key, topic="t")
        assert isinstance(event, ChangeEvent) and event.key == {}  # present, not decoded
        assert event.after is not None and event.after["SEAT_NO"] == 7
        assert isinstance(decoder.decode(seat_event(), key=null_payload, topic="t"), ChangeEvent)
        assert decoder.decode(seat_event(), key=null_payload, topic="t").key is None  # type: ignore[union-attr]
        assert decoder.decode(seat_event(), key=None, topic="t").key is None  # type: ignore[union-attr]
    assert (
        decoder.decode(seat_event(), key=key_record(fields, {"ID": Decimal(1)}, name="x", schemas=False)).key
        == {}
    )  # type: ignore[union-attr]
    # a key not laid out as its topic's previous one (here cut short) is parsed whole, and raises if malformed;
    # the payload of one that is is not validated (only whether it is null)
    with pytest.raises(DecodeError) as info:
        decoder.decode(seat_event(), key=key[: len(key) // 2], topic="t")
    assert info.value.field.startswith("key")
    assert DebeziumDecoder().decode(seat_event(), key=key, topic="t").key == {"ID": Decimal(42)}  # type: ignore[union-attr]
