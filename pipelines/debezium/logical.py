"""Decoding of the Connect / Debezium logical types into Python values.

Each supported schema ``name`` maps to the msgspec type its JSON wire value is read as (msgspec validates
it in C) and a converter to the Python value. Converters raise ``ValueError`` with a reason; the compiler
wraps that into a :class:`~pipelines.debezium.exceptions.DecodeError` naming the field.

Zone-less temporal types (``Timestamp``, ``MicroTimestamp``, ``NanoTimestamp``, Connect ``Timestamp``,
``IsoTimestamp``) encode the database's wall-clock reading "as if UTC"; they decode to *naive* datetimes, and
the adapter attaches the zone the legacy system meant (e.g. the venue's). Zoned types decode to tz-aware
values. PostgreSQL ``±infinity`` sentinels decode to ``datetime.max`` / ``datetime.min``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, InvalidOperation
from typing import Any, Final

import msgspec

from pipelines.debezium.options import DecodeOptions

Converter = Callable[[Any], Any]
LeafFactory = Callable[["LogicalContext"], tuple[Any, Converter | None]]

EXACT: Final = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
_EPOCH: Final = datetime(1970, 1, 1)
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_DAY_US: Final = 86_400_000_000
_POS_INF_MS: Final = 9223372036825200000
_NEG_INF_MS: Final = -9223372036832400000
_LONG_MAX: Final = 2**63 - 1
_LONG_MIN: Final = -(2**63)
_FRACTION = re.compile(r"\.(\d+)")
_json = msgspec.json.Decoder(float_hook=Decimal)

CONNECT_DECIMAL: Final = "org.apache.kafka.connect.data.Decimal"
DECIMAL_SOURCE_TYPES: Final = ("DECIMAL", "NUMERIC", "DEC", "FIXED", "MONEY", "SMALLMONEY")
SOURCE_TYPE_PARAM: Final = "__debezium.source.column.type"


class LogicalContext(msgspec.Struct, frozen=True):
    """What a converter factory may look at: the field's schema parameters and the decode options."""

    name: str
    parameters: dict[str, str]
    options: DecodeOptions


def decimal_from_unscaled(unscaled: int, scale: int) -> Decimal:
    """``unscaled * 10**-scale`` exactly, keeping ``scale`` as the exponent (``1250, 2`` -> ``12.50``)."""
    return Decimal(unscaled).scaleb(-scale, EXACT)


def _scale(ctx: LogicalContext) -> int:
    raw = ctx.parameters.get("scale")
    if raw is None:
        raise ValueError(f"{ctx.name} without the `scale` parameter")
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{ctx.name} has a non-integer `scale` parameter {raw!r}") from None


def _connect_decimal(ctx: LogicalContext) -> tuple[Any, Converter]:
    scale = _scale(ctx)
    if ctx.options.decimal_format == "numeric":
        quantum = Decimal(1).scaleb(-scale, EXACT)

        def from_number(value: Decimal) -> Decimal:
            exact = value.quantize(quantum, context=EXACT)
            if exact != value:
                raise ValueError(f"{value} has more than {scale} decimals")
            return exact

        return Decimal, from_number

    def from_bytes(value: bytes) -> Decimal:
        if not value:
            raise ValueError("empty unscaled-value bytes")
        return Decimal(int.from_bytes(value, "big", signed=True)).scaleb(-scale, EXACT)

    return bytes, from_bytes


def decimal_from_string(value: str) -> Decimal:
    """A decimal written as text (``decimal.handling.mode=string``)."""
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a decimal number") from None


def _sub_micro(ctx: LogicalContext, nanos: int) -> int:
    """Microseconds of ``nanos``, applying the sub-microsecond policy."""
    micros, rest = divmod(nanos, 1000)
    if rest and ctx.options.sub_microsecond == "reject":
        raise ValueError(f"{nanos} ns has sub-microsecond digits ({rest} ns) that datetime cannot hold")
    return micros


def _wall_clock(micros: int, raw: int, pos_inf: int, neg_inf: int) -> datetime:
    if raw == pos_inf:
        return datetime.max
    if raw == neg_inf:
        return datetime.min
    try:
        return _EPOCH + timedelta(microseconds=micros)
    except OverflowError:
        raise ValueError(f"{raw} is outside the years 1-9999 Python can represent") from None


def _timestamp(unit_us: int) -> LeafFactory:
    def factory(ctx: LogicalContext) -> tuple[Any, Converter]:
        return int, lambda v: _wall_clock(v * unit_us, v, _POS_INF_MS, _NEG_INF_MS)

    return factory


def _nano_timestamp(ctx: LogicalContext) -> tuple[Any, Converter]:
    return int, lambda v: _wall_clock(_sub_micro(ctx, v), v, _LONG_MAX, _LONG_MIN)


def time_from_micros(micros: int) -> time:
    """A time of day from microseconds past midnight."""
    if not 0 <= micros < _DAY_US:
        raise ValueError(f"{micros} µs past midnight is not a time of day (00:00 to 23:59:59.999999)")
    seconds, us = divmod(micros, 1_000_000)
    minutes, s = divmod(seconds, 60)
    h, m = divmod(minutes, 60)
    return time(h, m, s, us)


def _time(unit_us: int) -> LeafFactory:
    def factory(ctx: LogicalContext) -> tuple[Any, Converter]:
        return int, lambda v: time_from_micros(v * unit_us)

    return factory


def _nano_time(ctx: LogicalContext) -> tuple[Any, Converter]:
    return int, lambda v: time_from_micros(_sub_micro(ctx, v))


def date_from_days(days: int) -> date:
    """A date from days since 1970-01-01."""
    try:
        return date.fromordinal(_EPOCH_ORDINAL + days)
    except (ValueError, OverflowError):
        raise ValueError(f"{days} days since the epoch is outside the years 1-9999") from None


def _trim_fraction(ctx: LogicalContext, text: str) -> str:
    dot = text.find(".")
    if dot < 0 or len(text) - dot <= 8:  # at most 6 digits and a `Z`: nothing to trim (the common case)
        return text
    match = _FRACTION.search(text)
    if match is None or len(match.group(1)) <= 6:
        return text
    digits = match.group(1)
    if digits[6:].strip("0") and ctx.options.sub_microsecond == "reject":
        raise ValueError(f"{text!r} has sub-microsecond digits that datetime cannot hold")
    return text[: match.start(1) + 6] + text[match.end(1) :]


def _zoned_timestamp(ctx: LogicalContext) -> tuple[Any, Converter]:
    def convert(text: str) -> datetime:
        if text[:1] in "+-" and text[1:6].isdigit():
            # Java writes years beyond 9999 with a sign: PostgreSQL ±infinity, or dates Python cannot hold.
            return (datetime.max if text[0] == "+" else datetime.min).replace(tzinfo=UTC)
        trimmed = _trim_fraction(ctx, text)
        try:
            value = datetime.fromisoformat(trimmed)
        except ValueError:
            raise ValueError(f"{text!r} is not an ISO 8601 timestamp with offset") from None
        if value.tzinfo is None:
            raise ValueError(f"{text!r} has no UTC offset")
        return value

    return str, convert


def _zoned_time(ctx: LogicalContext) -> tuple[Any, Converter]:
    def convert(text: str) -> time:
        trimmed = _trim_fraction(ctx, text)
        try:
            value = time.fromisoformat(trimmed)
        except ValueError:
            raise ValueError(f"{text!r} is not an ISO 8601 time with offset") from None
        if value.tzinfo is None:
            raise ValueError(f"{text!r} has no UTC offset")
        return value

    return str, convert


def _strip_zone(text: str) -> str:
    if text.endswith("Z"):
        return text[:-1]
    if len(text) > 6 and text[-6] in "+-" and text[-3] == ":":
        return text[:-6]
    return text


def _iso_local(parse: Callable[[str], Any], what: str) -> LeafFactory:
    def factory(ctx: LogicalContext) -> tuple[Any, Converter]:
        def convert(text: str) -> Any:
            trimmed = _trim_fraction(ctx, _strip_zone(text))
            try:
                return parse(trimmed)
            except ValueError:
                raise ValueError(f"{text!r} is not an ISO 8601 {what}") from None

        return str, convert

    return factory


def _json_value(ctx: LogicalContext) -> tuple[Any, Converter]:
    placeholder = ctx.options.unavailable_value_placeholder

    def convert(text: str) -> Any:
        if text == placeholder:
            return text
        try:
            return _json.decode(text)
        except msgspec.DecodeError as exc:
            raise ValueError(f"not valid JSON: {exc}") from None

    return str, convert


def _uuid(ctx: LogicalContext) -> tuple[Any, Converter]:
    def convert(text: str) -> uuid.UUID | None:
        if not text:
            # PostgreSQL deletes under REPLICA IDENTITY DEFAULT carry only the key; Debezium fills the other
            # NOT NULL columns with their type's empty value, which for a uuid is "": no value, not a UUID.
            return None
        try:
            return uuid.UUID(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a UUID") from None

    return str, convert


def _passthrough(wire: Any) -> LeafFactory:
    return lambda ctx: (wire, None)


def _fixed(wire: Any, convert: Converter) -> LeafFactory:
    return lambda ctx: (wire, convert)


LEAF_TYPES: Final[dict[str, LeafFactory]] = {
    CONNECT_DECIMAL: _connect_decimal,
    "org.apache.kafka.connect.data.Date": _fixed(int, date_from_days),
    "org.apache.kafka.connect.data.Time": _time(1000),
    "org.apache.kafka.connect.data.Timestamp": _timestamp(1000),
    "io.debezium.time.Date": _fixed(int, date_from_days),
    "io.debezium.time.Time": _time(1000),
    "io.debezium.time.MicroTime": _time(1),
    "io.debezium.time.NanoTime": _nano_time,
    "io.debezium.time.Timestamp": _timestamp(1000),
    "io.debezium.time.MicroTimestamp": _timestamp(1),
    "io.debezium.time.NanoTimestamp": _nano_timestamp,
    "io.debezium.time.ZonedTimestamp": _zoned_timestamp,
    "io.debezium.time.ZonedTime": _zoned_time,
    "io.debezium.time.IsoDate": _iso_local(date.fromisoformat, "date"),
    "io.debezium.time.IsoTime": _iso_local(time.fromisoformat, "time"),
    "io.debezium.time.IsoTimestamp": _iso_local(datetime.fromisoformat, "timestamp"),
    "io.debezium.time.Year": _passthrough(int),
    "io.debezium.time.MicroDuration": _fixed(int, lambda v: timedelta(microseconds=v)),
    "io.debezium.time.NanoDuration": lambda ctx: (int, lambda v: timedelta(microseconds=_sub_micro(ctx, v))),
    "io.debezium.time.Interval": _passthrough(str),
    "io.debezium.data.Json": _json_value,
    "io.debezium.data.Uuid": _uuid,
    "io.debezium.data.Enum": _passthrough(str),
    "io.debezium.data.EnumSet": _fixed(str, lambda v: tuple(v.split(",")) if v else ()),
    "io.debezium.data.Bits": _fixed(bytes, lambda v: int.from_bytes(v, "little")),
    "io.debezium.data.Xml": _passthrough(str),
    "io.debezium.data.Ltree": _passthrough(str),
    "io.debezium.data.Tsvector": _passthrough(str),
}
"""Schema name -> factory of (msgspec wire type, converter or None) for logical types of primitive schemas."""

STRUCTURAL_TYPES: Final = frozenset(
    {
        "io.debezium.data.geometry.Point",
        "io.debezium.data.geometry.Geometry",
        "io.debezium.data.geometry.Geography",
        "io.debezium.data.geometry.Circle",
        "io.debezium.data.geometry.Line",
        "io.debezium.data.DoubleVector",
        "io.debezium.data.FloatVector",
        "io.debezium.data.SparseVector",
    }
)
"""Logical types that are plain structs or arrays underneath: decoded structurally (dicts, lists)."""

VARIABLE_SCALE_DECIMAL: Final = "io.debezium.data.VariableScaleDecimal"

UNSUPPORTED_PREFIXES: Final = ("io.debezium.time.Structured",)
"""``time.precision.mode=structured`` is not supported: configure the connector's default ``adaptive`` modes."""
