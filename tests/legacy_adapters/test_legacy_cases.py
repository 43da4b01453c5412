"""The golden cases: they fit their table's DDL, cover every column with a value and with NULL, and really
sit on the boundaries they claim (daylight-saving gaps and overlaps, decimal and integer extremes)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from legacy_adapters.box_office import cases as box_office_cases
from legacy_adapters.cases import GoldenCase
from legacy_adapters.crm import cases as crm_cases
from legacy_adapters.ddl import describe_tables
from legacy_adapters.pricing import cases as pricing_cases
from legacy_adapters.registry import SYSTEMS

CASES: dict[str, tuple[GoldenCase, ...]] = {
    "box_office": box_office_cases.CASES,
    "pricing": pricing_cases.CASES,
    "crm": crm_cases.CASES,
}
#: filled by the server on every write, never by a case
SERVER_ONLY = {"UPD_TS", "RowVer"}


@pytest.mark.parametrize("name", list(SYSTEMS))
def test_cases_fit_the_ddl(name: str) -> None:
    tables = describe_tables(SYSTEMS[name])
    names = [case.name for case in CASES[name]]
    assert len(names) == len(set(names)), "case names repeat"
    for case in CASES[name]:
        assert case.comment.strip(), case.name
        table = tables[case.table]
        declared = {c.name for c in table.columns}
        assert set(case.row) <= declared, f"{case.name}: unknown columns {set(case.row) - declared}"
        required = {c.name for c in table.columns if not c.nullable and not c.generated}
        assert required <= set(case.row), f"{case.name}: missing {required - set(case.row)}"
        for column in table.columns:
            if not column.nullable:
                assert case.row.get(column.name, 0) is not None, (
                    f"{case.name}: NULL in NOT NULL {column.name}"
                )


@pytest.mark.parametrize("name", list(SYSTEMS))
def test_every_column_gets_a_value_and_every_nullable_column_a_null(name: str) -> None:
    for table in describe_tables(SYSTEMS[name]).values():
        rows = [case.row for case in CASES[name] if case.table == table.name]
        assert len(rows) >= 2, f"{table.name} needs at least two cases"
        for column in table.columns:
            if column.name in SERVER_ONLY:
                continue
            assert any(row.get(column.name) is not None for row in rows), (
                f"{table.name}.{column.name} never set"
            )
            if column.nullable:
                assert any(column.name in row and row[column.name] is None for row in rows), (
                    f"{table.name}.{column.name} never NULL"
                )


def _local_kind(wall: datetime, zone: ZoneInfo) -> str:
    """'gap' if the wall time never happens in ``zone``, 'overlap' if it happens twice, else 'normal'."""
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return "normal"
    roundtrip = first.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)
    return "gap" if roundtrip != wall else "overlap"


def test_box_office_cases_hit_dst_gaps_and_overlaps_in_the_venue_zone() -> None:
    venues = {c.row["VEN_ID"]: str(c.row["TZ_NM"]) for c in box_office_cases.CASES if c.table == "VENUE"}
    events = {
        c.row["EVT_ID"]: venues[c.row["VEN_ID"]] for c in box_office_cases.CASES if c.table == "EVT_MASTER"
    }
    seen: set[tuple[str, str]] = set()
    for case in box_office_cases.CASES:
        zone = venues.get(case.row.get("VEN_ID")) if case.table in {"VENUE", "EVT_MASTER"} else None
        zone = zone or events.get(case.row.get("EVT_ID"))
        if zone is None:
            continue
        for value in case.row.values():
            if isinstance(value, datetime):
                seen.add((zone, _local_kind(value, ZoneInfo(zone))))
    for zone in ("America/New_York", "Europe/London"):
        assert (zone, "gap") in seen and (zone, "overlap") in seen, zone
    assert ("Australia/Lord_Howe", "overlap") in seen
    gap_event = next(c for c in box_office_cases.CASES if c.name == "event_starts_in_new_york_dst_gap")
    assert _local_kind(gap_event.row["EVT_DT"], ZoneInfo("America/New_York")) == "gap"  # type: ignore[arg-type]


def test_box_office_text_is_latin1_as_mysql_means_it_and_zero_dates_are_present() -> None:
    texts = [v for c in box_office_cases.CASES for v in c.row.values() if isinstance(v, str)]
    for text in texts:
        text.encode("cp1252")  # MySQL's latin1 is Windows-1252: anything else is refused in strict mode
    assert any(not t.isascii() and _is_iso_8859_1(t) for t in texts)
    assert any(not _is_iso_8859_1(t) for t in texts), "no Windows-1252-only character (euro sign)"
    values = [v for c in box_office_cases.CASES for v in c.row.values()]
    assert box_office_cases.ZERO_DATETIME in values
    assert any(isinstance(v, str) and v.startswith("2026-00-00") for v in values)
    integers = [v for v in values if isinstance(v, int)]
    assert {2147483647, -2147483648, 18446744073709551615} <= set(integers)


def _is_iso_8859_1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return not any(0x80 <= ord(ch) <= 0x9F for ch in text)


def test_pricing_amounts_fit_numeric_12_2_and_reach_its_extremes() -> None:
    amounts = [v for c in pricing_cases.CASES for v in c.row.values() if isinstance(v, Decimal)]
    for amount in amounts:
        _sign, digits, exponent = amount.as_tuple()
        assert exponent == -2 and len(digits) <= 12, amount
    assert {Decimal("9999999999.99"), Decimal("-9999999999.99"), Decimal("0.01"), Decimal("-0.01")} <= set(
        amounts
    )
    times = [v for c in pricing_cases.CASES for v in c.row.values() if isinstance(v, datetime)]
    assert all(t.tzinfo is not None for t in times), "timestamptz cases must be aware"
    folds = {(t.tzinfo, t.fold) for t in times if isinstance(t.tzinfo, ZoneInfo)}
    assert (ZoneInfo("America/New_York"), 1) in folds and (ZoneInfo("Europe/London"), 1) in folds
    assert any(
        ch >= "\U0001f000"
        for c in pricing_cases.CASES
        for v in c.row.values()
        if isinstance(v, str)
        for ch in v
    )


def test_crm_money_reaches_its_extremes_and_offsets_differ_for_one_wall_time() -> None:
    money = {v for c in crm_cases.CASES for v in c.row.values() if isinstance(v, Decimal)}
    assert {crm_cases.MONEY_MAX, crm_cases.MONEY_MIN} <= money
    assert all(abs(m) <= crm_cases.MONEY_MAX + Decimal("0.0001") for m in money)
    logins = [c.row["OccurredAt"] for c in crm_cases.CASES if c.table == "dbo.LoginEvent"]
    wall = {(t.replace(tzinfo=None), t.utcoffset()) for t in logins if isinstance(t, datetime)}
    same_wall = [w for w, _ in wall if sum(1 for x, _ in wall if x == w) > 1]
    assert same_wall, "no two logins share a wall time with different offsets"
