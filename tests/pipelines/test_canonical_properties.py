"""Property tests of the canonical contract: keys, ids, money and round trips over arbitrary input."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Context, Decimal, localcontext

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.canonical import (
    BinlogPosition,
    Connector,
    EventType,
    Money,
    MoneyError,
    SeatChanged,
    SeatData,
    SeatRef,
    SeatStatus,
    Source,
    TimeZoneError,
    decode_event,
    derive_event_id,
    encode_event,
    local_to_utc,
    make_key,
    parse_key,
    seat_key,
)

PROPERTY = settings(max_examples=300, deadline=None)
_components = st.text(
    st.characters(min_codepoint=0x20, exclude_categories=["Cs"]), min_size=1, max_size=20
).filter(lambda s: "\x7f" not in s)
_positions = st.builds(
    BinlogPosition,
    file=st.from_regex(r"mariadb-bin\.[0-9]{6}", fullmatch=True),
    pos=st.integers(4, 2**40),
    row=st.integers(0, 1000),
)
_sources = st.builds(
    Source,
    system=st.sampled_from(["box_office", "pricing", "crm"]),
    connector=st.just(Connector.MARIADB),
    database=_components,
    table=_components,
    position=_positions,
)
_pks = st.dictionaries(
    _components, st.one_of(_components, st.integers(-(2**63), 2**63)), min_size=1, max_size=4
)


@PROPERTY
@given(_components, _components, _components, _components)
def test_seat_keys_parse_back(event: str, section: str, row: str, seat: str) -> None:
    key = seat_key(event, section, row, seat)
    assert parse_key(key) == ("seat", (event, section, row, seat))
    assert key.count(":") == 4


@PROPERTY
@given(_sources, _pks, st.sampled_from(list(EventType)))
def test_ids_are_deterministic(source: Source, pk: dict[str, str | int], event_type: EventType) -> None:
    replayed = msgspec.json.decode(msgspec.json.encode(source), type=Source)
    assert derive_event_id(event_type, replayed, dict(reversed(list(pk.items())))) == derive_event_id(
        event_type, source, pk
    )


@PROPERTY
@given(_sources, _pks, st.integers(1, 10**6))
def test_a_later_position_is_a_different_id(source: Source, pk: dict[str, str | int], step: int) -> None:
    assert isinstance(source.position, BinlogPosition)
    later = msgspec.structs.replace(
        source, position=msgspec.structs.replace(source.position, pos=source.position.pos + step)
    )
    assert derive_event_id(EventType.SEAT_CHANGED, later, pk) != derive_event_id(
        EventType.SEAT_CHANGED, source, pk
    )


@PROPERTY
@given(
    _sources,
    _pks,
    _components,
    _components,
    _components,
    st.sampled_from(list(SeatStatus)),
    st.booleans(),
    st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9999, 1, 1), timezones=st.just(UTC)),
)
def test_seat_changed_round_trips(
    source: Source,
    pk: dict[str, str | int],
    section: str,
    row: str,
    seat: str,
    status: SeatStatus,
    deleted: bool,
    occurred_at: datetime,
) -> None:
    event = SeatChanged(
        id=derive_event_id(EventType.SEAT_CHANGED, source, pk),
        key=seat_key("BO-1042", section, row, seat),
        occurred_at=occurred_at,
        source=source,
        deleted=deleted,
        data=SeatData(event_id="BO-1042", seat=SeatRef(section=section, row=row, seat=seat), status=status),
    )
    assert decode_event(encode_event(event)) == event


@PROPERTY
@given(
    st.integers(-(10**30), 10**30), st.sampled_from(["EUR", "USD", "JPY", "KWD", "CLF"]), st.integers(0, 6)
)
def test_money_from_decimal_is_exact_or_refuses(amount: int, currency: str, extra_zeros: int) -> None:
    money = Money(amount=amount, currency=currency)
    value = money.to_decimal()
    assert Money.from_decimal(value, currency) == money
    padded = (
        Decimal(f"{value}{'0' * extra_zeros}") if "." in str(value) else value
    )  # e.g. SQL Server 4 decimals
    assert Money.from_decimal(padded, currency) == money
    with localcontext(Context(prec=100)):
        finer = value + Decimal("1E-10")
    with pytest.raises(MoneyError):
        Money.from_decimal(finer, currency)


def test_local_to_utc_overlap_and_gap_policies() -> None:
    # Vienna, 2026-10-25: 02:30 happens twice (03:00 CEST -> 02:00 CET); 2026-03-29: 02:30 never happens.
    overlap, gap = datetime(2026, 10, 25, 2, 30), datetime(2026, 3, 29, 2, 30)
    assert local_to_utc(overlap, "Europe/Vienna") == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert local_to_utc(overlap, "Europe/Vienna", ambiguous="later") == datetime(
        2026, 10, 25, 1, 30, tzinfo=UTC
    )
    assert local_to_utc(gap, "Europe/Vienna") == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    with pytest.raises(TimeZoneError, match="twice"):
        local_to_utc(overlap, "Europe/Vienna", ambiguous="raise")
    with pytest.raises(TimeZoneError, match="does not exist"):
        local_to_utc(gap, "Europe/Vienna", nonexistent="raise")
    with pytest.raises(TimeZoneError, match="unknown"):
        local_to_utc(gap, "Europe/Atlantis")
    assert local_to_utc(datetime(2026, 7, 1, 20, 0), "Europe/Vienna") == datetime(
        2026, 7, 1, 18, 0, tzinfo=UTC
    )


def test_make_key_rejects_wrong_arity_and_types() -> None:
    with pytest.raises(ValueError):
        make_key("seat", "BO-1042", "A")
    with pytest.raises(ValueError):
        make_key("order", 1.5)  # type: ignore[arg-type]
