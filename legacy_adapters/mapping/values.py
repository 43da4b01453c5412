"""Reading legacy column values into canonical ones: text, keys, references, codes, money, times, hashes.

Every reader takes the column name so that a value the contract cannot carry raises
:class:`~pipelines.mapping.InvalidValueError` (or :class:`~pipelines.mapping.UnknownCodeError`) naming it.
The rules, shared by all legacy systems:

* text: ``CHAR`` padding is stripped; an empty string where a reference or id is expected means "none";
* references typed by people (``'BO-1042'``, ``'SECT:ROW:SEAT'``, currencies, level codes) are trimmed and
  upper-cased, because "stray spaces and lower case happen"; anything still malformed is an error, not a guess;
* GUIDs (PostgreSQL ``uuid``, SQL Server ``uniqueidentifier``, GUIDs kept as text) become lower-case canonical
  strings;
* integer amounts are minor units of their currency; decimal amounts convert exactly or fail
  (:meth:`Money.from_decimal` refuses to round);
* personal data hashed before it reached us (a hex SHA-256 the source stored, or the connector's salted
  ``column.mask.hash``) is re-keyed under the platform's pepper
  (:func:`pipelines.canonical.pii.rekey_digest`): an unkeyed digest of an IP address is reversible, a salt in
  Connect's config is no secret. A value that is not such a digest is refused without echoing it, so clear
  personal data never reaches the stream.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final, TypeVar

from pipelines.canonical import Money, MoneyError, SeatRef, rekey_digest
from pipelines.mapping import InvalidValueError, UnknownCodeError

V = TypeVar("V")

_EVENT_REF: Final = re.compile(r"^BO-0*(\d+)$")
_CURRENCY: Final = re.compile(r"^[A-Z]{3}$")
_COUNTRY: Final = re.compile(r"^[A-Z]{2}$")
_HEX_DIGITS: Final = re.compile(r"[0-9a-fA-F]+")
#: hex digits of a SHA-256 digest
SHA256_DIGITS: Final = 64
_CANONICAL_GUID: Final = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)


def text(value: object, column: str) -> str:
    """A required text column, ``CHAR`` padding stripped from the right."""
    if not isinstance(value, str):
        raise InvalidValueError(
            f"{column} is {'NULL' if value is None else type(value).__name__}, text is required",
            column=column,
        )
    return value.rstrip(" ")


def label(value: object, column: str) -> str:
    """A required, non-empty label or id kept as text (seat labels, order numbers): trimmed."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped:
            return stripped
    raise InvalidValueError(f"{column} is {value!r}, a non-empty value is required", column=column)


def optional_text(value: object) -> str | None:
    """A nullable text column, padding stripped; empty stays empty (it is a value, e.g. an empty name)."""
    return value.rstrip(" ") if isinstance(value, str) else None


def identifier(value: object) -> str | None:
    """An id or reference kept as text: padding stripped, empty (a legacy 'no value') becomes None."""
    if not isinstance(value, str):
        return None
    stripped = value.strip()
    return stripped or None


def integer(value: object, column: str) -> int:
    """An integer column; exact ``Decimal`` values (``BIGINT UNSIGNED`` in precise mode) become ``int``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    raise InvalidValueError(f"{column} is {value!r}, an integer is required", column=column)


def optional_integer(value: object, column: str) -> int | None:
    """A nullable integer column."""
    return None if value is None else integer(value, column)


def guid(value: object, column: str) -> str | None:
    """A GUID (``uuid.UUID`` or text in any case, braces allowed) as a lower-case string; empty text is None."""
    if value is None:
        return None
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str):
        if _CANONICAL_GUID.match(value):
            return value.lower()
        stripped = value.strip()
        if not stripped:
            return None
        try:
            return str(uuid.UUID(stripped))
        except ValueError:
            pass
    raise InvalidValueError(f"{column} is not a GUID: {value!r}", column=column)


def required_guid(value: object, column: str) -> str:
    """A GUID that must be there."""
    result = guid(value, column)
    if result is None:
        raise InvalidValueError(f"{column} is empty, a GUID is required", column=column)
    return result


def box_office_event_id(evt_id: int) -> str:
    """The id every system uses for box-office event ``EVT_ID``: ``BO-<EVT_ID>``."""
    return f"BO-{evt_id}"


def event_ref(value: object, column: str) -> str:
    """A text reference to a box-office event (``'BO-1042'``, also ``' bo-1042 '``) in canonical form."""
    if isinstance(value, str):
        match = _EVENT_REF.match(value.strip().upper())
        if match is not None:
            return box_office_event_id(int(match.group(1)))
    raise InvalidValueError(
        f"{column} {value!r} is not a box-office event reference like BO-1042", column=column
    )


def seat_ref(value: object, column: str) -> SeatRef:
    """A ``'SECT:ROW:SEAT'`` reference as printed on the ticket (parts trimmed and upper-cased)."""
    if isinstance(value, str):
        parts = [p.strip().upper() for p in value.split(":")]
        if len(parts) == 3 and all(parts):
            return SeatRef(section=parts[0], row=parts[1], seat=parts[2])
    raise InvalidValueError(f"{column} {value!r} is not a seat reference SECTION:ROW:SEAT", column=column)


def currency(value: object, column: str) -> str:
    """An ISO 4217 code, trimmed and upper-cased (legacy rows have ``'usd'``)."""
    if isinstance(value, str):
        code = value.strip().upper()
        if _CURRENCY.match(code):
            return code
    raise InvalidValueError(f"{column} {value!r} is not an ISO 4217 currency code", column=column)


def country(value: object) -> str | None:
    """An ISO 3166-1 alpha-2 code, upper-cased; empty or malformed values are None (the field is descriptive)."""
    if not isinstance(value, str):
        return None
    code = value.strip().upper()
    return code if _COUNTRY.match(code) else None


def minor_units(amount: object, currency_code: str, column: str) -> Money:
    """An integer amount of the currency's minor unit (the box office's cents)."""
    return Money(amount=integer(amount, column), currency=currency_code)


def decimal_money(amount: object, currency_code: str, column: str) -> Money:
    """A decimal amount in major units (``numeric(12,2)``, ``money``), converted exactly or refused."""
    if not isinstance(amount, Decimal):
        raise InvalidValueError(f"{column} is {amount!r}, a decimal amount is required", column=column)
    try:
        return Money.from_decimal(amount, currency_code)
    except MoneyError as exc:
        raise InvalidValueError(str(exc), column=column) from None


def optional_decimal_money(amount: object, currency_code: str, column: str) -> Money | None:
    """A nullable decimal amount."""
    return None if amount is None else decimal_money(amount, currency_code, column)


def code(legend: Mapping[str, V], value: object, column: str) -> V:
    """What a legacy code stands for (a canonical enum member); a code outside the legend is an error."""
    key = value.strip() if isinstance(value, str) else value
    member = legend.get(key) if isinstance(key, str) else None
    if member is None:
        raise UnknownCodeError(
            f"{column} code {value!r} is not in the legend", code=str(value), column=column
        )
    return member


def captured_hash(
    value: object, column: str, *, pepper: bytes, min_digits: int = SHA256_DIGITS
) -> str | None:
    """Personal data hashed before it reached us (hex SHA-256), re-keyed under ``pepper``; empty is None.

    The digest (either case, ``min_digits`` to 64 hex digits; ``bytes`` are read as their hex) becomes
    :func:`~pipelines.canonical.pii.rekey_digest` of it: equal digests from any system give equal canonical
    hashes, and without the pepper nobody can enumerate IP addresses against them. ``min_digits`` below 64
    is for connectors that shorten a digest to the column's width; a shortened digest joins only digests
    shortened to the same width. A value that is not such a digest may be the clear personal value itself:
    it is an :class:`~pipelines.mapping.InvalidValueError` that never echoes it.
    """
    if not 1 <= min_digits <= SHA256_DIGITS:
        raise ValueError(f"min_digits must be 1 to {SHA256_DIGITS}, not {min_digits}")
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.hex()
    if isinstance(value, str):
        digest = value.strip()
        if not digest:
            return None
        if min_digits <= len(digest) <= SHA256_DIGITS and _HEX_DIGITS.fullmatch(digest):
            return rekey_digest(digest, pepper=pepper)
    width = str(SHA256_DIGITS) if min_digits == SHA256_DIGITS else f"{min_digits} to {SHA256_DIGITS}"
    raise InvalidValueError(
        f"{column} is not a hex SHA-256 digest of {width} digits: personal data must arrive hashed "
        "(value withheld)",
        column=column,
    )


def instant(value: object, column: str) -> datetime:
    """A zoned timestamp (``timestamptz``, ``datetimeoffset``) as UTC."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    raise InvalidValueError(f"{column} is {value!r}, a zoned timestamp is required", column=column)


def optional_instant(value: object, column: str) -> datetime | None:
    """A nullable zoned timestamp as UTC."""
    return None if value is None else instant(value, column)


def utc_wall_clock(value: object, column: str) -> datetime:
    """A zone-less timestamp the source keeps in UTC by convention (SQL Server ``datetime2``), made UTC."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    raise InvalidValueError(f"{column} is {value!r}, a datetime2 value is required", column=column)


def optional_utc_wall_clock(value: object, column: str) -> datetime | None:
    """A nullable zone-less UTC timestamp."""
    return None if value is None else utc_wall_clock(value, column)
