"""Properties of the adapters' value mapping: money (integer cents, numeric, SQL Server money, every minor-unit
exponent) and venue-local times (every IANA zone, any wall time, and wall times around each daylight-saving
transition). The decoding side has its own properties in tests/pipelines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from legacy_adapters.box_office.types import ZERO_DATETIME, venue_time
from legacy_adapters.mapping.values import decimal_money, minor_units
from pipelines.canonical import Money, decode_event, minor_unit_exponent
from pipelines.mapping import InvalidValueError

ZONES = sorted(available_timezones())
CURRENCIES = ["USD", "EUR", "GBP", "JPY", "KRW", "KWD", "BHD", "CLF"]  # exponents 2, 0, 3 and 4
INT32 = st.integers(min_value=-(2**31), max_value=2**31 - 1)


# -- money -------------------------------------------------------------------------------------------------------
@given(amount=INT32, currency=st.sampled_from(CURRENCIES))
def test_integer_cents_are_minor_units_unchanged(amount: int, currency: str) -> None:
    money = minor_units(amount, currency, "FACE_AMT")
    assert money == Money(amount=amount, currency=currency)


@given(
    minor=st.integers(min_value=-(10**14), max_value=10**14),
    currency=st.sampled_from(CURRENCIES),
    trailing=st.integers(min_value=0, max_value=4),
)
def test_a_decimal_with_at_most_the_currency_decimals_converts_exactly(
    minor: int, currency: str, trailing: int
) -> None:
    # numeric(12,2) / money(4 decimals) written with any number of trailing zeros
    exponent = minor_unit_exponent(currency)
    value = Decimal(minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-(exponent + trailing)))
    money = decimal_money(value, currency, "amount")
    assert money.amount == minor and money.to_decimal() == value


@given(
    minor=st.integers(min_value=-(10**12), max_value=10**12),
    extra=st.integers(min_value=1, max_value=9),
    currency=st.sampled_from(CURRENCIES),
)
def test_a_decimal_with_more_decimals_than_the_currency_is_refused_never_rounded(
    minor: int, extra: int, currency: str
) -> None:
    exponent = minor_unit_exponent(currency)
    value = Decimal(minor).scaleb(-exponent) + Decimal(extra).scaleb(-(exponent + 1))
    with pytest.raises(InvalidValueError) as caught:
        decimal_money(value, currency, "amount")
    assert caught.value.column == "amount"


# -- venue-local times -------------------------------------------------------------------------------------------
def _instants(wall: datetime, zone: ZoneInfo) -> list[datetime]:
    """The UTC instants whose wall clock in ``zone`` reads ``wall`` (0 in a gap, 2 in an overlap)."""
    found = []
    for fold in (0, 1):
        instant = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == wall and instant not in found:
            found.append(instant)
    return sorted(found)


def _check(wall: datetime, name: str) -> None:
    assume(wall != ZERO_DATETIME)  # the one wall time that means "zero date" (documented in box_office.types)
    zone = ZoneInfo(name)
    result = venue_time(wall, name, "EVT_DT")
    assert result is not None and result.tzinfo is UTC
    instants = _instants(wall, zone)
    if instants:
        # the wall time happened (once, or twice in an overlap): it is that instant, the earlier one if twice
        assert result == instants[0]
    else:
        # a gap: the wall time never happened; it is shifted forward by the gap's length
        before = wall.replace(tzinfo=zone, fold=0).utcoffset()
        after = wall.replace(tzinfo=zone, fold=1).utcoffset()
        assert before is not None and after is not None and after > before
        assert result.astimezone(zone).replace(tzinfo=None) - wall == after - before


@settings(max_examples=400, deadline=None)
@given(
    name=st.sampled_from(ZONES),
    wall=st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)),
)
def test_any_wall_time_in_any_zone_maps_to_the_instant_it_names(name: str, wall: datetime) -> None:
    _check(wall, name)


@lru_cache(maxsize=4096)
def _transitions(name: str, year: int) -> tuple[datetime, ...]:
    """The UTC instants of ``name``'s offset changes during ``year`` (found by day, then to the second)."""
    zone = ZoneInfo(name)
    found = []
    day = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(year + 1, 1, 1, tzinfo=UTC).timestamp())

    def offset(seconds: int) -> timedelta | None:
        return datetime.fromtimestamp(seconds, UTC).astimezone(zone).utcoffset()

    while day < end:
        nxt = day + 86_400
        if offset(day) != offset(nxt):
            low, high = day, nxt  # offset(low) is the old one, offset(high) the new one
            while high - low > 1:
                mid = (low + high) // 2
                if offset(mid) == offset(low):
                    low = mid
                else:
                    high = mid
            found.append(datetime.fromtimestamp(high, UTC))
        day = nxt
    return tuple(found)


@st.composite
def near_a_transition(draw: st.DrawFn) -> tuple[str, datetime]:
    name = draw(st.sampled_from(ZONES))
    year = draw(st.integers(min_value=1970, max_value=2037))
    transitions = _transitions(name, year)
    if not transitions:
        return name, draw(st.datetimes(min_value=datetime(year, 1, 1), max_value=datetime(year, 12, 31)))
    instant = draw(st.sampled_from(transitions))
    side = draw(st.sampled_from([instant - timedelta(seconds=1), instant]))  # the wall clock on either side
    wall = side.astimezone(ZoneInfo(name)).replace(tzinfo=None)
    return name, wall + timedelta(seconds=draw(st.integers(min_value=-3 * 3600, max_value=3 * 3600)))


@settings(max_examples=600, deadline=None)
@given(case=near_a_transition())
def test_wall_times_around_daylight_saving_transitions(case: tuple[str, datetime]) -> None:
    name, wall = case
    _check(wall, name)


def test_the_transition_finder_sees_new_yorks_2026_changes() -> None:
    assert _transitions("America/New_York", 2026) == (
        datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
        datetime(2026, 11, 1, 6, 0, tzinfo=UTC),
    )


@given(name=st.sampled_from(ZONES))
def test_zero_dates_are_null_in_every_zone(name: str) -> None:
    assert venue_time(ZERO_DATETIME, name, "CRT_DT") is None
    assert venue_time(None, name, "CRT_DT") is None


@given(name=st.sampled_from(ZONES), seconds=st.integers(min_value=0, max_value=86_399))
def test_the_datetime_maximum_stays_recognisable_in_every_zone(name: str, seconds: int) -> None:
    wall = datetime(9999, 12, 31) + timedelta(seconds=seconds)
    result = venue_time(wall, name, "EVT_DT")
    assert result is not None and result.tzinfo is UTC
    if result.replace(tzinfo=None) != wall:  # representable: a true instant, so it round-trips
        assert result.astimezone(ZoneInfo(name)).replace(tzinfo=None) == wall


def test_a_converted_time_survives_the_canonical_codec() -> None:
    from legacy_adapters import box_office
    from pipelines.canonical import encode_event
    from tests.legacy_adapters.wire import EVENT_1042, PEPPER, VENUE_NY, BoxOfficeWire

    wire = BoxOfficeWire()
    adapter = box_office.adapter(pepper=PEPPER)
    adapter.handle(wire.read("VENUE", {**VENUE_NY, "TZ_NM": "Australia/Lord_Howe"}))
    (event,) = adapter.handle(
        wire.read("EVT_MASTER", {**EVENT_1042, "EVT_DT": datetime(2026, 4, 5, 1, 45)})
    ).events
    assert decode_event(encode_event(event)) == event
    # Lord Howe falls back 30 minutes (02:00 +11:00 to 01:30 +10:30): 01:45 happens at 14:45Z and 15:15Z
    assert event.data.starts_at == datetime(2026, 4, 4, 14, 45, tzinfo=UTC)
