"""Every Connect / Debezium logical type, decoded from hand-written wire values to hand-computed values."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from pipelines.debezium import (
    ChangeEvent,
    DebeziumDecoder,
    DecodeError,
    DecodeOptions,
    UnknownLogicalTypeError,
)

DEC = "org.apache.kafka.connect.data.Decimal"
_SOURCE = {
    "connector": "mysql",
    "db": "boxoffice",
    "table": "T",
    "ts_ms": 0,
    "file": "mysql-bin.000001",
    "pos": 4,
}


def record(column: dict[str, Any], value: Any) -> bytes:
    """A schema-enabled MySQL update whose row has the single column ``C`` with the given schema and value."""
    row = {
        "type": "struct",
        "optional": True,
        "name": "boxoffice.boxoffice.T.Value",
        "fields": [{**column, "field": "C"}],
    }
    schema = {
        "type": "struct",
        "name": "boxoffice.boxoffice.T.Envelope",
        "fields": [
            {**row, "field": "before"},
            {**row, "field": "after"},
            {"type": "struct", "fields": [], "name": "io.debezium.connector.mysql.Source", "field": "source"},
            {"type": "string", "field": "op"},
        ],
    }
    payload = {"before": None, "after": {"C": value}, "source": _SOURCE, "op": "u"}
    return msgspec.json.encode({"schema": schema, "payload": payload})


def decode(column: dict[str, Any], value: Any, options: DecodeOptions | None = None) -> Any:
    event = DebeziumDecoder(options=options).decode(record(column, value))
    assert isinstance(event, ChangeEvent) and event.after is not None
    return event.after["C"]


def logical(name: str, kind: str, **parameters: str) -> dict[str, Any]:
    column: dict[str, Any] = {"type": kind, "optional": True, "name": name, "version": 1}
    if parameters:
        column["parameters"] = parameters
    return column


CASES: list[tuple[str, dict[str, Any], Any, Any]] = [
    # Connect Decimal: base64 of the big-endian two's-complement unscaled value
    ("decimal", logical(DEC, "bytes", scale="2"), "AcI=", Decimal("4.50")),  # 0x01C2 = 450
    ("decimal negative", logical(DEC, "bytes", scale="2"), "nA==", Decimal("-1.00")),  # 0x9C = -100
    ("decimal zero keeps scale", logical(DEC, "bytes", scale="2"), "AA==", Decimal("0.00")),
    ("decimal 0x80 needs sign byte", logical(DEC, "bytes", scale="0"), "AIA=", Decimal(128)),  # 00 80
    ("decimal -129", logical(DEC, "bytes", scale="1"), "/38=", Decimal("-12.9")),  # FF 7F = -129
    ("decimal 20 digits", logical(DEC, "bytes", scale="0"), "AKtUqYzrHwrS", Decimal(12345678901234567890)),
    ("money scale 4", logical(DEC, "bytes", scale="4"), "ALxhAA==", Decimal("1234.5600")),  # 12_345_600
    (
        "decimal string mode with propagated type",
        {"type": "string", "optional": True, "parameters": {"__debezium.source.column.type": "DECIMAL"}},
        "12.50",
        Decimal("12.50"),
    ),
    (
        "variable scale decimal",
        {
            "type": "struct",
            "optional": True,
            "name": "io.debezium.data.VariableScaleDecimal",
            "fields": [{"type": "int32", "field": "scale"}, {"type": "bytes", "field": "value"}],
        },
        {"scale": 3, "value": "MDk="},  # 0x3039 = 12345
        Decimal("12.345"),
    ),
    (
        "variable scale decimal, negative scale",
        {
            "type": "struct",
            "optional": True,
            "name": "io.debezium.data.VariableScaleDecimal",
            "fields": [{"type": "int32", "field": "scale"}, {"type": "bytes", "field": "value"}],
        },
        {"scale": -2, "value": "fw=="},  # 127 * 10**2
        Decimal("1.27E+4"),
    ),
    ("debezium date", logical("io.debezium.time.Date", "int32"), 20807, date(2026, 12, 20)),
    ("date before epoch", logical("io.debezium.time.Date", "int32"), -1, date(1969, 12, 31)),
    ("connect date", logical("org.apache.kafka.connect.data.Date", "int32"), 0, date(1970, 1, 1)),
    ("time millis", logical("io.debezium.time.Time", "int32"), 64_800_000, time(18, 0)),
    (
        "connect time millis",
        logical("org.apache.kafka.connect.data.Time", "int32"),
        1_001,
        time(0, 0, 1, 1000),
    ),
    ("micro time", logical("io.debezium.time.MicroTime", "int64"), 63_000_000_000, time(17, 30)),
    (
        "micro time last",
        logical("io.debezium.time.MicroTime", "int64"),
        86_399_999_999,
        time(23, 59, 59, 999999),
    ),
    ("nano time", logical("io.debezium.time.NanoTime", "int64"), 3_600_000_001_000, time(1, 0, 0, 1)),
    # DATETIME 2018-06-20 06:37:03 becomes 1529476623000 (the Debezium MySQL documentation's example)
    (
        "timestamp millis",
        logical("io.debezium.time.Timestamp", "int64"),
        1529476623000,
        datetime(2018, 6, 20, 6, 37, 3),
    ),
    (
        "timestamp before epoch",
        logical("io.debezium.time.Timestamp", "int64"),
        -1,
        datetime(1969, 12, 31, 23, 59, 59, 999000),
    ),
    (
        "connect timestamp",
        logical("org.apache.kafka.connect.data.Timestamp", "int64"),
        1529476623000,
        datetime(2018, 6, 20, 6, 37, 3),
    ),
    # TIMESTAMP "2018-06-20 15:13:16.945104" is MicroTimestamp 1529507596945104 (PostgreSQL documentation)
    (
        "micro timestamp",
        logical("io.debezium.time.MicroTimestamp", "int64"),
        1529507596945104,
        datetime(2018, 6, 20, 15, 13, 16, 945104),
    ),
    (
        "nano timestamp",
        logical("io.debezium.time.NanoTimestamp", "int64"),
        1529507596945104000,
        datetime(2018, 6, 20, 15, 13, 16, 945104),
    ),
    ("pg +infinity", logical("io.debezium.time.MicroTimestamp", "int64"), 9223372036825200000, datetime.max),
    ("pg -infinity", logical("io.debezium.time.Timestamp", "int64"), -9223372036832400000, datetime.min),
    ("nano +infinity", logical("io.debezium.time.NanoTimestamp", "int64"), 2**63 - 1, datetime.max),
    # MySQL TIMESTAMP 2018-06-20 06:37:03 (server zone -07:00) becomes 2018-06-20T13:37:03Z
    (
        "zoned timestamp",
        logical("io.debezium.time.ZonedTimestamp", "string"),
        "2018-06-20T13:37:03Z",
        datetime(2018, 6, 20, 13, 37, 3, tzinfo=UTC),
    ),
    (
        "zoned timestamp offset",
        logical("io.debezium.time.ZonedTimestamp", "string"),
        "2026-01-05T17:42:09.5+05:45",
        datetime(2026, 1, 5, 17, 42, 9, 500000, tzinfo=timezone(timedelta(hours=5, minutes=45))),
    ),
    (
        "zoned timestamp infinity",
        logical("io.debezium.time.ZonedTimestamp", "string"),
        "+292278994-08-17T07:12:55.807Z",
        datetime.max.replace(tzinfo=UTC),
    ),
    (
        "zoned time",
        logical("io.debezium.time.ZonedTime", "string"),
        "10:15:30.5Z",
        time(10, 15, 30, 500000, tzinfo=UTC),
    ),
    (
        "zoned time offset",
        logical("io.debezium.time.ZonedTime", "string"),
        "10:15:30+01:00",
        time(10, 15, 30, tzinfo=timezone(timedelta(hours=1))),
    ),
    ("iso date", logical("io.debezium.time.IsoDate", "string"), "2017-09-15Z", date(2017, 9, 15)),
    ("iso time", logical("io.debezium.time.IsoTime", "string"), "04:05:11.789Z", time(4, 5, 11, 789000)),
    (
        "iso timestamp",
        logical("io.debezium.time.IsoTimestamp", "string"),
        "2019-07-09T02:28:57.123456Z",
        datetime(2019, 7, 9, 2, 28, 57, 123456),
    ),
    ("year", logical("io.debezium.time.Year", "int32"), 2026, 2026),
    (
        "micro duration",
        logical("io.debezium.time.MicroDuration", "int64"),
        5_400_000_000,
        timedelta(minutes=90),
    ),
    ("nano duration", logical("io.debezium.time.NanoDuration", "int64"), 1_000_000_000, timedelta(seconds=1)),
    (
        "interval string",
        logical("io.debezium.time.Interval", "string"),
        "P1Y2M3DT4H5M6.78S",
        "P1Y2M3DT4H5M6.78S",
    ),
    (
        "json",
        logical("io.debezium.data.Json", "string"),
        '{"vat": 0.20, "n": [1, true, null]}',
        {"vat": Decimal("0.20"), "n": [1, True, None]},
    ),
    (
        "json unchanged toast",
        logical("io.debezium.data.Json", "string"),
        "__debezium_unavailable_value",
        "__debezium_unavailable_value",
    ),
    (
        "uuid",
        logical("io.debezium.data.Uuid", "string"),
        "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
        uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
    ),
    ("enum", logical("io.debezium.data.Enum", "string", allowed="A,H,S"), "S", "S"),
    (
        "enum set",
        logical("io.debezium.data.EnumSet", "string", allowed="wifi,bar,vip"),
        "wifi,vip",
        ("wifi", "vip"),
    ),
    ("empty enum set", logical("io.debezium.data.EnumSet", "string", allowed="wifi,bar"), "", ()),
    (
        "bits",
        logical("io.debezium.data.Bits", "bytes", length="3"),
        "BQ==",
        0b101,
    ),  # BitSet bytes, little-endian
    ("bits two bytes", logical("io.debezium.data.Bits", "bytes", length="10"), "AQI=", 0x0201),
    ("xml", logical("io.debezium.data.Xml", "string"), "<a/>", "<a/>"),
    ("ltree", logical("io.debezium.data.Ltree", "string"), "Top.Arts", "Top.Arts"),
    ("bytes", {"type": "bytes", "optional": True}, "aGVsbG8=", b"hello"),
    ("bit as boolean", {"type": "boolean", "optional": True}, True, True),
    ("float from integer", {"type": "float64", "optional": True}, 1, 1.0),
    ("int64", {"type": "int64", "optional": True}, 2**62, 2**62),
    (
        "point",
        {
            "type": "struct",
            "optional": True,
            "name": "io.debezium.data.geometry.Point",
            "version": 1,
            "fields": [
                {"type": "float64", "field": "x"},
                {"type": "float64", "field": "y"},
                {"type": "bytes", "optional": True, "field": "wkb"},
                {"type": "int32", "optional": True, "field": "srid"},
            ],
        },
        {"x": 1.5, "y": -2.0, "wkb": None, "srid": None},
        {"x": 1.5, "y": -2.0, "wkb": None, "srid": None},
    ),
    (
        "array of decimals",
        {"type": "array", "optional": True, "items": logical(DEC, "bytes", scale="2")},
        ["AcI=", None],
        [Decimal("4.50"), None],
    ),
    (
        "map of timestamps",
        {
            "type": "map",
            "optional": True,
            "keys": {"type": "string"},
            "values": logical("io.debezium.time.Timestamp", "int64"),
        },
        {"a": 0},
        {"a": datetime(1970, 1, 1)},
    ),
    (
        "map with int keys is written as pairs",
        {
            "type": "map",
            "optional": True,
            "keys": {"type": "int32"},
            "values": logical("io.debezium.time.Date", "int32"),
        },
        [[1, 0], [2, 1]],
        {1: date(1970, 1, 1), 2: date(1970, 1, 2)},
    ),
    (
        "nested struct with a column name that is not an identifier",
        {
            "type": "struct",
            "optional": True,
            "name": "x",
            "fields": [{"type": "int32", "field": "order-no"}, {"type": "string", "field": "class"}],
        },
        {"order-no": 5, "class": "VIP"},
        {"order-no": 5, "class": "VIP"},
    ),
    ("null", logical(DEC, "bytes", scale="2"), None, None),
]


@pytest.mark.parametrize(("column", "wire", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_logical_type(column: dict[str, Any], wire: Any, expected: Any) -> None:
    value = decode(column, wire)
    assert value == expected
    assert type(value) is type(expected)
    if isinstance(expected, Decimal):
        assert value.as_tuple() == expected.as_tuple()  # same digits and exponent: the scale survives


def test_decimal_numeric_format_keeps_the_schema_scale() -> None:
    options = DecodeOptions(decimal_format="numeric")
    value = decode(logical(DEC, "bytes", scale="2"), 12.3, options)
    assert value.as_tuple() == Decimal("12.30").as_tuple()
    with pytest.raises(DecodeError) as info:
        decode(logical(DEC, "bytes", scale="2"), 12.345, options)
    assert info.value.field == "payload.after.C"


def test_sub_microsecond_policy() -> None:
    nanos = logical("io.debezium.time.NanoTimestamp", "int64")
    assert decode(nanos, 1_999) == datetime(1970, 1, 1, 0, 0, 0, 1)  # truncated toward the past
    assert decode(nanos, -1) == datetime(1969, 12, 31, 23, 59, 59, 999999)
    reject = DecodeOptions(sub_microsecond="reject")
    for column, wire in [
        (nanos, 1_999),
        (logical("io.debezium.time.NanoTime", "int64"), 1),
        (logical("io.debezium.time.ZonedTimestamp", "string"), "2026-01-05T17:42:09.1234567Z"),
    ]:
        with pytest.raises(DecodeError, match="sub-microsecond") as info:
            decode(column, wire, reject)
        assert info.value.field == "payload.after.C"
    assert decode(nanos, 2_000, reject) == datetime(1970, 1, 1, 0, 0, 0, 2)


@pytest.mark.parametrize(
    ("column", "wire", "reason"),
    [
        (logical("io.debezium.time.MicroTime", "int64"), 86_400_000_000, "not a time of day"),
        (logical("io.debezium.time.Timestamp", "int64"), 253402300800000, "outside the years"),  # 10000-01-01
        (logical("io.debezium.time.Date", "int32"), 3_000_000, "outside the years"),
        (logical("io.debezium.time.ZonedTimestamp", "string"), "2018-06-20T13:37:03", "no UTC offset"),
        (logical("io.debezium.time.ZonedTimestamp", "string"), "yesterday", "not an ISO 8601"),
        (logical("io.debezium.data.Json", "string"), "{not json", "not valid JSON"),
        (logical("io.debezium.data.Uuid", "string"), "nope", "not a UUID"),
        (logical(DEC, "bytes", scale="2"), "", "empty"),
        (
            {"type": "string", "parameters": {"__debezium.source.column.type": "NUMERIC"}},
            "12,5",
            "not a decimal",
        ),
    ],
)
def test_bad_values_name_the_field(column: dict[str, Any], wire: Any, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason) as info:
        decode(column, wire)
    assert info.value.field == "payload.after.C"
    assert not info.value.retryable


def test_wrong_wire_type_names_the_field() -> None:
    with pytest.raises(DecodeError) as info:
        decode(logical("io.debezium.time.Date", "int32"), "2026-12-20")
    assert info.value.field == "payload.after.C"
    assert info.value.reason.startswith("Expected `int")


def test_nested_failure_path() -> None:
    column = {"type": "array", "optional": True, "items": logical("io.debezium.time.MicroTime", "int64")}
    with pytest.raises(DecodeError) as info:
        decode(column, [0, -5])
    assert info.value.field == "payload.after.C[1]"


def test_unknown_logical_type_names_field_and_type() -> None:
    with pytest.raises(UnknownLogicalTypeError) as info:
        decode(logical("io.debezium.postgresql.type.Isbn", "string"), "978-3-16-148410-0")
    assert info.value.field == "schema.before.C"
    assert info.value.logical_type == "io.debezium.postgresql.type.Isbn"


def test_structured_temporal_mode_is_rejected_with_advice() -> None:
    column = {
        "type": "struct",
        "optional": True,
        "name": "io.debezium.time.StructuredTimestamp",
        "fields": [{"type": "int32", "field": "year"}],
    }
    with pytest.raises(UnknownLogicalTypeError, match="structured"):
        decode(column, {"year": 2026})


def test_decimal_without_scale_is_a_schema_error() -> None:
    with pytest.raises(DecodeError, match="scale") as info:
        decode(logical(DEC, "bytes"), "AA==")
    assert info.value.field == "schema.before.C"
