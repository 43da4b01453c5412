"""Settings of the Debezium decoder that must match how the connector and converter were configured."""

from __future__ import annotations

from typing import Literal

import msgspec

DecimalFormat = Literal["base64", "numeric"]
SubMicrosecond = Literal["truncate", "reject"]


class DecodeOptions(msgspec.Struct, frozen=True, kw_only=True):
    """How to read values whose wire form the schema alone does not pin down.

    ``decimal_format`` must match the JsonConverter's ``decimal.format`` (``BASE64``, the default, or
    ``NUMERIC``). ``sub_microsecond`` says what to do with nanosecond-precision values (SQL Server
    ``datetime2(7)`` / ``time(7)`` / ``datetimeoffset(7)``, 100 ns ticks) whose last digits Python's
    ``datetime`` cannot hold: ``truncate`` (toward the past, so ordering and the calendar day are kept) or
    ``reject`` (a :class:`~pipelines.debezium.exceptions.DecodeError` naming the field).
    ``unavailable_value_placeholder`` must match the connector's setting of the same name: PostgreSQL puts it
    in place of unchanged TOAST values; a JSON column holding it is passed through as that string, unparsed.
    """

    decimal_format: DecimalFormat = "base64"
    sub_microsecond: SubMicrosecond = "truncate"
    unavailable_value_placeholder: str = "__debezium_unavailable_value"
