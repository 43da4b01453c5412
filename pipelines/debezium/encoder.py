"""Encode Python values into Debezium's JsonConverter wire form: the inverse of :mod:`logical`.

For tests, golden cases and benchmarks: it writes what the connectors write (two's-complement big-endian
unscaled decimals in base64, epoch-based wall-clock integers, ISO 8601 strings the way Java's
``ISO_OFFSET_DATE_TIME`` prints them). Integers and strings given for temporal fields are passed through as
raw wire values, so tests can inject exactly what a connector would send (a 100 ns tick, a sentinel).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final

import msgspec

from pipelines.debezium.logical import CONNECT_DECIMAL, VARIABLE_SCALE_DECIMAL

_EPOCH: Final = datetime(1970, 1, 1)
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_US: Final = timedelta(microseconds=1)
_json_numbers = msgspec.json.Encoder(decimal_format="number")


def field(
    name: str | None,
    type: str,
    *,
    optional: bool = False,
    logical: str | None = None,
    version: int | None = None,
    parameters: Mapping[str, str] | None = None,
    fields: list[dict[str, Any]] | None = None,
    items: dict[str, Any] | None = None,
    keys: dict[str, Any] | None = None,
    values: dict[str, Any] | None = None,
    default: Any = None,
) -> dict[str, Any]:
    """A Connect field schema as JsonConverter writes it (keys in its order, absent ones left out)."""
    out: dict[str, Any] = {"type": type}
    if fields is not None:
        out["fields"] = fields
    if items is not None:
        out["items"] = items
    if keys is not None:
        out["keys"] = keys
    if values is not None:
        out["values"] = values
    out["optional"] = optional
    if default is not None:
        out["default"] = default
    if logical is not None:
        out["name"] = logical
    if version is not None:
        out["version"] = version
    if parameters is not None:
        out["parameters"] = dict(parameters)
    if name is not None:
        out["field"] = name
    return out


def decimal_field(name: str, precision: int, scale: int, *, optional: bool = False) -> dict[str, Any]:
    """A ``DECIMAL(precision, scale)`` column in ``decimal.handling.mode=precise``."""
    params = {"scale": str(scale), "connect.decimal.precision": str(precision)}
    return field(name, "bytes", optional=optional, logical=CONNECT_DECIMAL, version=1, parameters=params)


def unscaled_bytes(unscaled: int) -> bytes:
    """Java ``BigInteger.toByteArray()``: minimal two's-complement big-endian bytes."""
    magnitude = unscaled if unscaled >= 0 else ~unscaled
    return unscaled.to_bytes(magnitude.bit_length() // 8 + 1, "big", signed=True)


def b64(data: bytes) -> str:
    """Standard base64 with padding (how JsonConverter writes ``bytes``)."""
    return base64.b64encode(data).decode("ascii")


def unscaled_of(value: Decimal, scale: int) -> int:
    """The unscaled integer of ``value`` at ``scale``; raise ``ValueError`` if it has more decimals."""
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise ValueError(f"{value} is not finite")
    shift = exponent + scale
    if shift < 0:
        raise ValueError(f"{value} has more than {scale} decimals")
    magnitude = int("".join(map(str, digits)) or "0") * 10**shift
    return -magnitude if sign else magnitude


def encode_decimal(value: Decimal, scale: int) -> str:
    """A Connect ``Decimal`` value (base64 of the unscaled bytes)."""
    return b64(unscaled_bytes(unscaled_of(value, scale)))


def encode_variable_scale_decimal(value: Decimal) -> dict[str, Any]:
    """A Debezium ``VariableScaleDecimal`` struct: the value's own scale and its unscaled bytes."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return {"scale": -exponent, "value": encode_decimal(value, -exponent)}


def epoch_days(value: date) -> int:
    """Days since 1970-01-01."""
    return value.toordinal() - _EPOCH_ORDINAL


def micros_of_day(value: time) -> int:
    """Microseconds past midnight (zone ignored)."""
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def epoch_micros(value: datetime) -> int:
    """Microseconds since 1970-01-01T00:00 of a naive wall-clock datetime (as Debezium does, "as if UTC")."""
    if value.tzinfo is not None:
        raise ValueError("wall-clock timestamps are naive; convert zoned values with zoned_timestamp()")
    return (value - _EPOCH) // _US


def _exact_div(value: int, unit: int, what: str) -> int:
    whole, rest = divmod(value, unit)
    if rest:
        raise ValueError(f"{what} has a finer precision than the wire type carries")
    return whole


def _fraction(micros: int, extra_nanos: int, digits: int | None) -> str:
    nanos = micros * 1000 + extra_nanos
    if digits is None:
        return "" if nanos == 0 else "." + f"{nanos:09d}".rstrip("0")
    return "." + f"{nanos:09d}"[:digits] if digits else ""


def _offset(value: datetime | time) -> str:
    offset = value.utcoffset()
    assert offset is not None
    if not offset:
        return "Z"
    seconds = int(offset.total_seconds())
    sign = "+" if seconds >= 0 else "-"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def zoned_timestamp(
    value: datetime, *, to_utc: bool = True, fraction_digits: int | None = None, extra_nanos: int = 0
) -> str:
    """``io.debezium.time.ZonedTimestamp`` text: Java ``ISO_OFFSET_DATE_TIME`` (minimal fraction by default).

    ``to_utc`` converts first (PostgreSQL ``timestamptz``, MySQL ``TIMESTAMP``); ``False`` keeps the value's
    offset (SQL Server ``datetimeoffset``). ``fraction_digits`` fixes the width (MySQL ``TIMESTAMP(fsp)``);
    ``extra_nanos`` (0-999) adds digits beyond the microsecond.
    """
    if value.tzinfo is None:
        raise ValueError("a zoned timestamp needs a tz-aware datetime")
    if to_utc:
        value = value.astimezone(UTC)
    frac = _fraction(value.microsecond, extra_nanos, fraction_digits)
    return value.replace(microsecond=0, tzinfo=None).isoformat() + frac + _offset(value)


def zoned_time(value: time, *, extra_nanos: int = 0) -> str:
    """``io.debezium.time.ZonedTime`` text (``ISO_OFFSET_TIME``), e.g. ``10:15:30.5Z``."""
    if value.tzinfo is None:
        raise ValueError("a zoned time needs a tz-aware time")
    clock = value.replace(microsecond=0, tzinfo=None).isoformat()
    return clock + _fraction(value.microsecond, extra_nanos, None) + _offset(value)


def _temporal(name: str, value: Any) -> Any:
    short = name.rsplit(".", 1)[-1]  # Connect's Date / Time / Timestamp encode like Debezium's namesakes
    if short == "Date":
        return epoch_days(value)
    if short in ("Time", "MicroTime", "NanoTime"):
        micros = micros_of_day(value)
        if short == "Time":
            return _exact_div(micros, 1000, str(value))
        return micros if short == "MicroTime" else micros * 1000
    if short in ("Timestamp", "MicroTimestamp", "NanoTimestamp"):
        micros = epoch_micros(value)
        if short == "Timestamp":
            return _exact_div(micros, 1000, str(value))
        return micros if short == "MicroTimestamp" else micros * 1000
    if short == "ZonedTimestamp":
        return zoned_timestamp(value)
    if short == "ZonedTime":
        return zoned_time(value)
    if short == "IsoDate":
        return value.isoformat() + "Z"
    if short in ("IsoTime", "IsoTimestamp"):
        return value.isoformat() + "Z"
    if short in ("MicroDuration", "NanoDuration"):
        micros = value // _US
        return micros if short == "MicroDuration" else micros * 1000
    raise ValueError(f"no encoder for {name}")


def wire_value(schema: Mapping[str, Any], value: Any) -> Any:
    """Encode ``value`` for a field of Connect ``schema`` (a mapping as built by :func:`field`)."""
    if value is None:
        return None
    name, kind = schema.get("name"), schema["type"]
    if name == CONNECT_DECIMAL:
        return encode_decimal(value, int(schema["parameters"]["scale"]))
    if name == VARIABLE_SCALE_DECIMAL:
        return encode_variable_scale_decimal(value)
    if isinstance(name, str) and (
        name.startswith("io.debezium.time.") or name.startswith("org.apache.kafka")
    ):
        return (
            value if isinstance(value, int | str) and not isinstance(value, bool) else _temporal(name, value)
        )
    if name == "io.debezium.data.Json":
        return value if isinstance(value, str) else _json_numbers.encode(value).decode()
    if name == "io.debezium.data.Uuid":
        return str(value)
    if name == "io.debezium.data.EnumSet":
        return ",".join(value)
    if name == "io.debezium.data.Bits":
        length = int(schema.get("parameters", {}).get("length", max(value.bit_length(), 1)))
        return b64(value.to_bytes((length + 7) // 8, "little"))
    if kind == "bytes":
        return b64(value)
    if kind == "struct":
        return {f["field"]: wire_value(f, value.get(f["field"])) for f in schema["fields"]}
    if kind == "array":
        return [wire_value(schema["items"], v) for v in value]
    if kind == "map":
        if schema["keys"]["type"] == "string" and "name" not in schema["keys"]:
            return {k: wire_value(schema["values"], v) for k, v in value.items()}
        return [[wire_value(schema["keys"], k), wire_value(schema["values"], v)] for k, v in value.items()]
    return value


def row_payload(fields: list[dict[str, Any]], row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Encode a row (column -> Python value) for a struct of ``fields``; every field is written."""
    if row is None:
        return None
    unknown = set(row) - {f["field"] for f in fields}
    if unknown:
        raise ValueError(f"row has columns the schema lacks: {sorted(unknown)}")
    return {f["field"]: wire_value(f, row.get(f["field"])) for f in fields}
