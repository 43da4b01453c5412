"""Turning legacy local wall-clock times into the UTC instants the contract requires.

The box office stores ``DATETIME`` in the venue's local time with no zone; Debezium hands it over as an
epoch-based wall-clock value (decoded to a naive ``datetime``). Attaching the venue's IANA zone is ambiguous
twice a year: in the autumn overlap a wall-clock time happens twice, in the spring gap it never happens. The
policy for those cases is an explicit argument, never a silent guess.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipelines.canonical.exceptions import TimeZoneError

Ambiguous = Literal["earlier", "later", "raise"]
Nonexistent = Literal["shift_forward", "raise"]


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (cached); raise :class:`TimeZoneError` for an unknown name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TimeZoneError(f"unknown IANA time zone {name!r}") from exc


def ensure_utc(value: datetime) -> datetime:
    """Convert a tz-aware datetime to UTC; raise :class:`TimeZoneError` for a naive one (zone unknown)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise TimeZoneError(f"{value.isoformat()} has no zone; use local_to_utc with the source's zone")
    return value.astimezone(UTC)


def local_to_utc(
    local: datetime,
    zone_name: str,
    *,
    ambiguous: Ambiguous = "earlier",
    nonexistent: Nonexistent = "shift_forward",
) -> datetime:
    """Interpret the naive wall-clock ``local`` in ``zone_name`` and return the UTC instant.

    ``ambiguous`` decides the autumn overlap (``earlier`` is the first occurrence, i.e. still daylight time);
    ``nonexistent`` decides the spring gap (``shift_forward`` moves by the gap's length, as a clock that was not
    changed would read). ``raise`` turns either case into :class:`TimeZoneError`.
    """
    if local.tzinfo is not None:
        raise TimeZoneError(f"{local.isoformat()} already has a zone; use ensure_utc")
    tz = zone(zone_name)
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    off_first, off_second = first.utcoffset(), second.utcoffset()
    if off_first == off_second:
        return first.astimezone(UTC)
    # Two offsets: either an overlap (both readings round-trip) or a gap (neither does).
    in_overlap = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == local
    if in_overlap:
        if ambiguous == "raise":
            raise TimeZoneError(f"{local.isoformat()} happens twice in {zone_name} (DST overlap)")
        return (first if ambiguous == "earlier" else second).astimezone(UTC)
    if nonexistent == "raise":
        raise TimeZoneError(f"{local.isoformat()} does not exist in {zone_name} (DST gap)")
    # fold=0 in a gap uses the offset before the transition, which lands after the gap: shift forward.
    return first.astimezone(UTC)
