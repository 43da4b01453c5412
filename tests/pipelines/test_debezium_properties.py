"""Property tests: every value the engines can store survives the Debezium wire encoding without loss.

The encoder in :mod:`pipelines.debezium.encoder` writes what the connectors write (it is anchored to the
hand-written documented fixtures in ``test_debezium_records.py``); here hypothesis drives values across the
whole range each engine supports through it and back through the decoder.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.canonical import local_to_utc
from pipelines.debezium import ChangeEvent, DebeziumDecoder, DecodeError, DecodeOptions
from pipelines.debezium.encoder import (
    decimal_field,
    encode_decimal,
    encode_variable_scale_decimal,
    epoch_micros,
    field,
    micros_of_day,
    zoned_time,
    zoned_timestamp,
)
from pipelines.debezium.options import DecimalFormat, SubMicrosecond
from pipelines.debezium.records import change_event, envelope_schema

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ZONES = sorted(zoneinfo.available_timezones())
_POSITION = {"lsn": 24023128}


@cache
def _decoder(
    decimal_format: DecimalFormat = "base64", sub_microsecond: SubMicrosecond = "truncate"
) -> DebeziumDecoder:
    return DebeziumDecoder(
        options=DecodeOptions(decimal_format=decimal_format, sub_microsecond=sub_microsecond)
    )


def roundtrip(
    fields: list[dict[str, Any]], row: dict[str, Any], decoder: DebeziumDecoder | None = None
) -> dict[str, Any]:
    """Encode ``row`` as a PostgreSQL change event with a schema, decode it, return the decoded ``after``."""
    data = change_event(
        connector="postgresql",
        topic_prefix="pricing",
        database="pricing",
        schema="public",
        table="t",
        op="c",
        row_fields=fields,
        after=row,
        position=_POSITION,
        ts_ms=0,
    )
    event = (decoder or _decoder()).decode(data)
    assert isinstance(event, ChangeEvent) and event.after is not None
    return event.after


def raw_roundtrip(column: dict[str, Any], wire: Any, decoder: DebeziumDecoder | None = None) -> Any:
    """Decode a hand-made wire value of one column (bypassing the value encoder)."""
    fields = [{**column, "field": "c"}]
    envelope = envelope_schema(
        connector="postgresql",
        topic_prefix="pricing",
        database="pricing",
        schema="public",
        table="t",
        row_fields=fields,
    )
    payload = {
        "before": None,
        "after": {"c": wire},
        "op": "c",
        "source": {"connector": "postgresql", "db": "pricing", "ts_ms": 0, "lsn": 1},
    }
    event = (decoder or _decoder()).decode(msgspec.json.encode({"schema": envelope, "payload": payload}))
    assert isinstance(event, ChangeEvent) and event.after is not None
    return event.after["c"]


# --- decimals ---------------------------------------------------------------------------------------------

# PostgreSQL numeric(12,2), MySQL/MariaDB DECIMAL(65,30), SQL Server money / smallmoney, any (p, s) up to 38.
_FIXED_TYPES = st.sampled_from([(12, 2), (65, 30), (65, 0), (19, 4), (10, 4), (38, 38), (1, 0)])
_ANY_TYPE = st.integers(1, 38).flatmap(lambda p: st.tuples(st.just(p), st.integers(0, p)))


@st.composite
def decimals(draw: st.DrawFn) -> tuple[int, int, Decimal]:
    precision, scale = draw(st.one_of(_FIXED_TYPES, _ANY_TYPE))
    bound = 10**precision - 1
    unscaled = draw(st.one_of(st.integers(-bound, bound), st.sampled_from([bound, -bound, 0, 1, -1])))
    return precision, scale, Decimal(unscaled).scaleb(-scale, _EXACT)


_EXACT = __import__("decimal").Context(prec=200)


def _same(a: Decimal, b: Decimal) -> None:
    assert a == b and a.as_tuple() == b.as_tuple(), (a, b)  # same digits and exponent: the scale survives


@PROPERTY
@given(decimals())
def test_decimals_survive_every_decimal_handling_mode(case: tuple[int, int, Decimal]) -> None:
    precision, scale, value = case
    fields = [
        decimal_field("precise", precision, scale),
        field(
            "variable",
            "struct",
            logical="io.debezium.data.VariableScaleDecimal",
            version=1,
            fields=[field("scale", "int32"), field("value", "bytes")],
        ),
        field(
            "string",
            "string",
            parameters={
                "__debezium.source.column.type": "NUMERIC",
                "__debezium.source.column.scale": str(scale),
            },
        ),
    ]
    after = roundtrip(fields, {"precise": value, "variable": value, "string": str(value)})
    for name in ("precise", "variable", "string"):
        _same(after[name], value)


@PROPERTY
@given(decimals())
def test_decimals_survive_the_numeric_json_format(case: tuple[int, int, Decimal]) -> None:
    precision, scale, value = case
    number = msgspec.json.Encoder(decimal_format="number").encode(value)
    column = decimal_field("c", precision, scale)
    decoded = raw_roundtrip(column, msgspec.Raw(number), _decoder("numeric"))
    _same(decoded, value)


@PROPERTY
@given(st.integers(-(2**300), 2**300), st.integers(-50, 400))
def test_unscaled_bytes_are_java_big_integer_bytes(unscaled: int, scale: int) -> None:
    value = Decimal(unscaled).scaleb(-scale, _EXACT)
    column = field(
        None, "bytes", logical="org.apache.kafka.connect.data.Decimal", parameters={"scale": str(scale)}
    )
    if scale >= 0:
        _same(raw_roundtrip(column, encode_decimal(value, scale)), value)
    variable = field(
        None,
        "struct",
        logical="io.debezium.data.VariableScaleDecimal",
        fields=[field("scale", "int32"), field("value", "bytes")],
    )
    _same(raw_roundtrip(variable, encode_variable_scale_decimal(value)), value)


# --- wall-clock timestamps, dates, times ------------------------------------------------------------------

_ANY_DATETIME = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59, 999999)
)
# NanoTimestamp is a signed 64-bit count of nanoseconds: 1677-09-21 to 2262-04-11.
_NANO_DATETIME = st.datetimes(min_value=datetime(1677, 9, 22), max_value=datetime(2262, 4, 11))


@PROPERTY
@given(_ANY_DATETIME)
def test_micro_and_milli_timestamps_and_dates(value: datetime) -> None:
    millis = value.replace(microsecond=value.microsecond // 1000 * 1000)
    fields = [
        field("micro", "int64", logical="io.debezium.time.MicroTimestamp", version=1),
        field("milli", "int64", logical="io.debezium.time.Timestamp", version=1),
        field("connect", "int64", logical="org.apache.kafka.connect.data.Timestamp", version=1),
        field("iso", "string", logical="io.debezium.time.IsoTimestamp", version=1),
        field("date", "int32", logical="io.debezium.time.Date", version=1),
        field("micro_time", "int64", logical="io.debezium.time.MicroTime", version=1),
        field("milli_time", "int32", logical="io.debezium.time.Time", version=1),
    ]
    row = {
        "micro": value,
        "milli": millis,
        "connect": millis,
        "iso": value,
        "date": value.date(),
        "micro_time": value.time(),
        "milli_time": millis.time(),
    }
    assert roundtrip(fields, row) == row


@PROPERTY
@given(_NANO_DATETIME, st.integers(0, 9))
def test_nano_timestamps_and_times(value: datetime, ticks: int) -> None:
    """Microsecond values survive exactly; SQL Server's extra 100 ns ticks are truncated, or rejected."""
    nanos = epoch_micros(value) * 1000 + ticks * 100
    nano_of_day = micros_of_day(value.time()) * 1000 + ticks * 100
    timestamp = field(None, "int64", logical="io.debezium.time.NanoTimestamp", version=1)
    clock = field(None, "int64", logical="io.debezium.time.NanoTime", version=1)
    assert raw_roundtrip(timestamp, nanos) == value
    assert raw_roundtrip(clock, nano_of_day) == value.time()
    reject = _decoder("base64", "reject")
    if ticks:
        with pytest.raises(DecodeError, match="sub-microsecond"):
            raw_roundtrip(timestamp, nanos, reject)
    else:
        assert raw_roundtrip(timestamp, nanos, reject) == value


# --- zones ------------------------------------------------------------------------------------------------


@PROPERTY
@given(
    st.datetimes(
        min_value=datetime(2, 1, 1),
        max_value=datetime(9998, 12, 31),
        timezones=st.sampled_from(ZONES).map(zoneinfo.ZoneInfo),
    ),
    st.sampled_from([None, 6, 7]),
)
def test_zoned_timestamps_in_every_zone(value: datetime, digits: int | None) -> None:
    """timestamptz (UTC), MySQL TIMESTAMP(fsp) (fixed width) and datetimeoffset (offset kept) keep the instant."""
    column = field(None, "string", logical="io.debezium.time.ZonedTimestamp", version=1)
    instant = value.astimezone(UTC)  # compare instants: PEP 495 makes folded local times unequal across zones
    as_utc = raw_roundtrip(column, zoned_timestamp(value, fraction_digits=digits))
    assert as_utc == instant and as_utc.utcoffset() == timedelta(0)
    with_offset = raw_roundtrip(column, zoned_timestamp(value, to_utc=False, fraction_digits=digits))
    assert with_offset.astimezone(UTC) == instant and with_offset.utcoffset() == value.utcoffset()


@PROPERTY
@given(st.times(), st.integers(-14 * 60, 14 * 60))
def test_zoned_times(value: time, offset_minutes: int) -> None:
    aware = value.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    column = field(None, "string", logical="io.debezium.time.ZonedTime", version=1)
    decoded = raw_roundtrip(column, zoned_time(aware))
    assert decoded == aware and decoded.utcoffset() == aware.utcoffset()


@PROPERTY
@given(
    st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
    st.sampled_from(ZONES),
)
def test_venue_local_wall_clock_back_to_the_same_instant(instant: datetime, zone_name: str) -> None:
    """Box office DATETIME in the venue's zone -> MicroTimestamp -> naive -> venue zone -> the same UTC instant."""
    local = instant.astimezone(zoneinfo.ZoneInfo(zone_name))
    column = field(None, "int64", logical="io.debezium.time.MicroTimestamp", version=1)
    wall = raw_roundtrip(column, epoch_micros(local.replace(tzinfo=None)))
    assert wall == local.replace(tzinfo=None)
    # the wall clock alone cannot say which of two repeated autumn hours it was: `fold` carries that
    back = local_to_utc(wall, zone_name, ambiguous="later" if local.fold else "earlier")
    assert back == instant


@PROPERTY
@given(st.dates())
def test_iso_and_connect_dates(value: date) -> None:
    fields = [
        field("iso", "string", logical="io.debezium.time.IsoDate", version=1),
        field("connect", "int32", logical="org.apache.kafka.connect.data.Date", version=1),
    ]
    assert roundtrip(fields, {"iso": value, "connect": value}) == {"iso": value, "connect": value}


@PROPERTY
@given(st.timedeltas(min_value=timedelta(days=-(10**5)), max_value=timedelta(days=10**5)))
def test_micro_durations(value: timedelta) -> None:
    column = field("d", "int64", logical="io.debezium.time.MicroDuration", version=1)
    assert roundtrip([column], {"d": value}) == {"d": value}
