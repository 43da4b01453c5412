"""Shared field types of the canonical contract and the base struct that enforces its invariants.

Every canonical struct is a frozen msgspec Struct with keyword-only fields that rejects unknown fields on
decode. Times are tz-aware and must be UTC: the structs that have times (:class:`TimedStruct`) check that on
construction and on decode, so a venue-local wall-clock time can never leak into the stream (convert with
:mod:`pipelines.canonical.timeutil`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from pipelines.canonical.exceptions import ContractViolation

UtcDateTime = Annotated[
    datetime,
    Meta(tz=True, description="UTC instant, RFC 3339 with a `Z` offset, microsecond precision."),
]
"""A tz-aware UTC datetime (checked by :class:`TimedStruct`)."""

CurrencyCode = Annotated[str, Meta(pattern="^[A-Z]{3}$", description="ISO 4217 alphabetic currency code.")]
CountryCode = Annotated[str, Meta(pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code.")]
TimeZoneName = Annotated[str, Meta(min_length=1, description="IANA time zone name, e.g. `Europe/Vienna`.")]
PiiHash = Annotated[
    str,
    Meta(
        pattern="^[0-9a-f]{64}$",
        description=(
            "Keyed HMAC-SHA256 (hex) under the platform's pepper, of the normalized personal value or of the "
            "digest a source stored; see pipelines.canonical.pii."
        ),
    ),
]
NonEmptyStr = Annotated[str, Meta(min_length=1)]
Count = Annotated[int, Meta(ge=0)]

_ZERO = timedelta(0)
_UTC_FIELDS: dict[type, tuple[str, ...]] = {}


def _mentions_datetime(t: msgspec.inspect.Type) -> bool:
    if isinstance(t, msgspec.inspect.Metadata):
        return _mentions_datetime(t.type)
    if isinstance(t, msgspec.inspect.DateTimeType):
        return True
    if isinstance(t, msgspec.inspect.UnionType):
        return any(_mentions_datetime(u) for u in t.types)
    return False


def _utc_fields(cls: type) -> tuple[str, ...]:
    names = _UTC_FIELDS.get(cls)
    if names is None:
        info = msgspec.inspect.type_info(cls)
        assert isinstance(info, msgspec.inspect.StructType)
        names = tuple(f.name for f in info.fields if _mentions_datetime(f.type))
        _UTC_FIELDS[cls] = names
    return names


def require_utc(name: str, value: Any) -> None:
    """Raise :class:`ContractViolation` unless ``value`` is None or a tz-aware datetime at UTC offset zero."""
    if value is None:
        return
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() != _ZERO:
        shown = value.isoformat() if isinstance(value, datetime) else repr(value)
        raise ContractViolation(f"`{name}` must be a tz-aware UTC datetime, got {shown}")


class CanonicalStruct(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, gc=False):
    """Base of every canonical struct: frozen, keyword-only, strict on decode.

    ``gc=False``: canonical structs hold only immutable values, so they never form reference cycles. A struct
    with a datetime field derives from :class:`TimedStruct` instead, which checks its times are UTC (a test
    holds every canonical struct to that), so the many structs without one (sources, positions, seats, money)
    pay for no check.
    """


class TimedStruct(CanonicalStruct, frozen=True, kw_only=True):
    """A canonical struct with datetime fields: every one of them is None or UTC, on construction and on decode."""

    def __post_init__(self) -> None:
        """Check the invariants msgspec's type system cannot express (UTC offsets)."""
        names = _UTC_FIELDS.get(type(self))  # inlined lookup: this runs for every struct built
        if names is None:
            names = _utc_fields(type(self))
        for name in names:
            value = getattr(self, name)
            if value is not None and (value.__class__ is not datetime or value.utcoffset() != _ZERO):
                require_utc(name, value)
