"""The box office's temporal quirks: venue-local ``DATETIME`` without a zone, and zero dates.

Rules (the property tests in ``tests/legacy_adapters`` check them for every IANA zone):

* A ``DATETIME`` is the venue's wall clock; its zone is ``VENUE.TZ_NM`` of the event's venue.
* **Gap** (spring forward, the wall time never happened): shifted forward by the gap's length, i.e. read with
  the offset in force before the change, as a clock nobody adjusted would show it (02:30 on 2026-03-08 in New
  York is 07:30Z, the same instant as 03:30 EDT).
* **Overlap** (fall back, the wall time happened twice): the earlier instant (``fold=0``, still daylight time:
  01:30 on 2026-11-01 in New York is 05:30Z).
* **Zero dates** (``'0000-00-00 00:00:00'``, also ``'2026-00-00'``) mean "unknown": Debezium sends NULL for a
  nullable column and the epoch (1970-01-01 00:00:00) for a ``NOT NULL`` one; both map to null. No box-office
  business time is midnight 1970-01-01, so nothing real is lost.
* A wall time within a few hours of ``DATETIME``'s range ends (``9999-12-31 23:59:59``, the box office's "to be
  announced") has no UTC instant Python can hold in zones west of UTC: it is kept as the same wall value read
  as UTC, so the placeholder stays recognisable.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Final

from pipelines.canonical import TimeZoneError, local_to_utc
from pipelines.mapping import InvalidValueError

#: how Debezium writes a zero date of a NOT NULL DATETIME column (the epoch, as a wall clock)
ZERO_DATETIME: Final = datetime(1970, 1, 1)


def venue_time(value: object, zone: str, column: str) -> datetime | None:
    """A venue-local ``DATETIME`` as UTC, or None for NULL and zero dates (see the module rules)."""
    if value is None or value == ZERO_DATETIME:
        return None
    if not isinstance(value, datetime) or value.tzinfo is not None:
        raise InvalidValueError(f"{column} is {value!r}, a zone-less DATETIME is required", column=column)
    try:
        return _to_utc(value, zone)
    except TimeZoneError as exc:
        raise InvalidValueError(str(exc), column=column) from None


@lru_cache(maxsize=65_536)
def _to_utc(value: datetime, zone: str) -> datetime:
    """Cached: the seats of one cart or order share their times, and a zone's rules do not change at run time."""
    try:
        return local_to_utc(value, zone, ambiguous="earlier", nonexistent="shift_forward")
    except OverflowError:
        return value.replace(tzinfo=UTC)


def required_venue_time(value: object, zone: str, column: str, fallback: datetime | None = None) -> datetime:
    """Like :func:`venue_time`, for a time the contract requires: a zero date becomes ``fallback`` (the
    change's commit time, where the rules allow it) or raises :class:`InvalidValueError`."""
    result = venue_time(value, zone, column)
    if result is not None:
        return result
    if fallback is not None:
        return fallback
    raise InvalidValueError(f"{column} is a zero date (unknown), but the event needs it", column=column)
