"""Box-office mapping rules, one at a time, on records written in the MariaDB connector's format: venue-local
times (gap, overlap, zero dates, the DATETIME maximum), unknown venues and codes, holds, cancellations,
refunds, chargebacks and personal data. Expected values are written out by hand."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from legacy_adapters import box_office
from legacy_adapters.box_office.types import ZERO_DATETIME
from pipelines.canonical import encode_event
from pipelines.debezium import DebeziumRecord
from pipelines.mapping import InvalidValueError, Mapped, MissingReferenceError, UnknownCodeError
from tests.legacy_adapters.wire import EVENT_1042, PEPPER, VENUE_NY, BoxOfficeWire, Tx, seat_row

ACCOUNT = "A3C1E5B2-7D4F-4E6A-9B8C-0D1E2F3A4B5C"


def feed(adapter: Any, *records: DebeziumRecord) -> Mapped:
    out = Mapped()
    for record in records:
        out.extend(adapter.handle(record))
    return out


def data(out: Mapped, index: int = 0) -> dict[str, Any]:
    return json.loads(encode_event(out.events[index]))["data"]


@pytest.fixture()
def wire() -> BoxOfficeWire:
    return BoxOfficeWire()


@pytest.fixture()
def adapter(wire: BoxOfficeWire) -> Any:
    adapter = box_office.adapter(pepper=PEPPER)
    out = feed(adapter, wire.read("VENUE", VENUE_NY), wire.read("EVT_MASTER", EVENT_1042))
    assert not out.failures and len(out.events) == 2
    return adapter


def _event(wire: BoxOfficeWire, **changes: Any) -> DebeziumRecord:
    return wire.read("EVT_MASTER", {**EVENT_1042, "EVT_ID": 1050, **changes})


@pytest.mark.parametrize(
    ("wall", "utc"),
    [
        (datetime(2026, 3, 8, 2, 30), "2026-03-08T07:30:00Z"),  # gap: shifted forward (reads as 03:30 EDT)
        (datetime(2026, 3, 8, 1, 59, 59), "2026-03-08T06:59:59Z"),  # the last EST second before the gap
        (datetime(2026, 3, 8, 3, 0), "2026-03-08T07:00:00Z"),  # the first EDT minute
        (datetime(2026, 11, 1, 1, 30), "2026-11-01T05:30:00Z"),  # overlap: the earlier one (still EDT)
        (datetime(2026, 11, 1, 2, 0), "2026-11-01T07:00:00Z"),  # after the overlap: EST
        (
            datetime(9999, 12, 31, 23, 59, 59),
            "9999-12-31T23:59:59Z",
        ),  # 'to be announced': kept as the same value
    ],
)
def test_venue_local_times_become_utc_through_the_venue_zone(
    adapter: Any, wire: BoxOfficeWire, wall: datetime, utc: str
) -> None:
    out = feed(adapter, _event(wire, EVT_DT=wall))
    assert out.failures == []
    assert data(out)["starts_at"] == utc and data(out)["timezone"] == "America/New_York"


def test_zero_dates_are_null_and_a_required_zero_date_is_an_error(adapter: Any, wire: BoxOfficeWire) -> None:
    # Debezium sends the epoch for a zero date in a NOT NULL column and NULL for a nullable one
    out = feed(adapter, _event(wire, DOORS_DT=None, ONSALE_DT=ZERO_DATETIME))
    assert (data(out)["doors_open_at"], data(out)["on_sale_at"]) == (None, None)
    out = feed(adapter, _event(wire, EVT_DT=ZERO_DATETIME))
    (failure,) = out.failures
    assert (
        isinstance(failure, InvalidValueError)
        and failure.column == "EVT_DT"
        and "zero date" in failure.reason
    )


def test_an_event_at_an_unknown_venue_is_a_retryable_mapping_error_not_a_guessed_zone(
    wire: BoxOfficeWire,
) -> None:
    adapter = box_office.adapter(pepper=PEPPER)
    event = wire.read("EVT_MASTER", EVENT_1042)
    (failure,) = feed(adapter, event).failures
    assert isinstance(failure, MissingReferenceError) and failure.retryable
    assert (failure.entity, failure.ref, failure.column) == ("venue", "9001", "VEN_ID")
    assert failure.record == event.record and failure.position == event.source.position
    assert "time zone is unknown" in str(failure)
    feed(adapter, wire.read("VENUE", VENUE_NY))
    assert (
        data(feed(adapter, event))["starts_at"] == "2026-12-06T01:00:00Z"
    )  # retried once the venue is known


def test_a_venue_with_an_unknown_zone_is_refused(adapter: Any, wire: BoxOfficeWire) -> None:
    (failure,) = feed(adapter, wire.read("VENUE", {**VENUE_NY, "TZ_NM": "Mars/Olympus_Mons"})).failures
    assert isinstance(failure, InvalidValueError) and failure.column == "TZ_NM"


def test_a_seat_status_outside_the_legend_is_an_unknown_code_error(adapter: Any, wire: BoxOfficeWire) -> None:
    (failure,) = feed(adapter, wire.read("SEAT_INV", seat_row(9, "9", SEAT_STAT_CD="Z"))).failures
    assert isinstance(failure, UnknownCodeError)
    assert (failure.code, failure.column, failure.table) == ("Z", "SEAT_STAT_CD", "boxoffice.SEAT_INV")


def test_a_cart_hold_of_two_seats_is_one_hold_placed_and_its_expiry_one_hold_released(
    adapter: Any, wire: BoxOfficeWire
) -> None:
    hold = {
        "SEAT_STAT_CD": "H",
        "HOLD_TOKEN": "cart-9",
        "HOLD_ACCT_ID": ACCOUNT,
        "HOLD_EXP_DT": datetime(2026, 11, 1, 1, 40),
    }
    tx = Tx("0-1-600")
    placed = feed(
        adapter,
        wire.change("SEAT_INV", "u", before=seat_row(21, "21"), after=seat_row(21, "21", **hold), tx=tx),
        wire.change("SEAT_INV", "u", before=seat_row(22, "22"), after=seat_row(22, "22", **hold), tx=tx),
        wire.end(tx),
    )
    assert [(e.type.value, e.key) for e in placed.events] == [
        ("seat.changed", "seat:BO-1042:101:C:21"),
        ("hold.placed", "hold:cart-9"),
        ("seat.changed", "seat:BO-1042:101:C:22"),
    ]
    assert data(placed, 1) == {
        "hold_id": "cart-9", "event_id": "BO-1042",
        "seats": [{"section": "101", "row": "C", "seat": "21"}, {"section": "101", "row": "C", "seat": "22"}],
        "kind": "cart", "status": "placed", "expires_at": "2026-11-01T05:40:00Z",  # 01:40 in the overlap: EDT
        "customer_id": "a3c1e5b2-7d4f-4e6a-9b8c-0d1e2f3a4b5c", "order_id": None,
    }  # fmt: skip
    assert (
        data(placed, 0)["hold_id"] == "cart-9"
        and data(placed, 0)["hold_expires_at"] == "2026-11-01T05:40:00Z"
    )
    tx = Tx("0-1-601")  # the sweeper releases them (commit 2026-11-28, long after the expiry)
    released = feed(
        adapter,
        wire.change("SEAT_INV", "u", before=seat_row(21, "21", **hold), after=seat_row(21, "21"), tx=tx),
        wire.change("SEAT_INV", "u", before=seat_row(22, "22", **hold), after=seat_row(22, "22"), tx=tx),
        wire.end(tx),
    )
    assert [e.type.value for e in released.events] == ["seat.changed", "hold.released", "seat.changed"]
    assert data(released, 1)["status"] == "expired" and len(data(released, 1)["seats"]) == 2
    assert released.events[1].id != placed.events[1].id


def test_a_hold_given_up_before_its_expiry_is_released(adapter: Any, wire: BoxOfficeWire) -> None:
    hold = {
        "SEAT_STAT_CD": "H",
        "HOLD_TOKEN": "cart-10",
        "HOLD_ACCT_ID": None,
        "HOLD_EXP_DT": datetime(2027, 1, 1),
    }
    out = feed(
        adapter, wire.change("SEAT_INV", "u", before=seat_row(23, "23", **hold), after=seat_row(23, "23"))
    )
    assert [e.type.value for e in out.events] == ["seat.changed", "hold.released"]
    assert data(out, 1)["status"] == "released" and data(out, 1)["customer_id"] is None


def _placed_order(wire: BoxOfficeWire, adapter: Any) -> None:
    tx = Tx("0-1-700")
    header = {
        "ORD_ID": 8001, "ORD_NO": "BOX000008001", "EVT_ID": 1042, "ACCT_ID": None, "CHNL_CD": "B",
        "ORD_STAT_CD": "P", "ORD_DT": datetime(2026, 11, 27, 19, 0), "TKT_QTY": 2, "SUBTOT_AMT": 25000, "FEE_AMT": 0,
        "TAX_AMT": 0, "TOT_AMT": 25000, "CURR_CD": "USD", "PAY_MTHD_CD": "CA", "CLNT_IP_HASH": None,
        "DEVICE_HASH": None, "PRESALE_CD": None, "DLVRY_CD": "W", "BUYER_NM": "3f1c", "CANC_DT": None,
    }  # fmt: skip
    records: list[DebeziumRecord] = [wire.change("ORD_HDR", "c", after=header, tx=tx)]
    for n, seat_id in ((1, 31), (2, 32)):
        line = {
            "ORD_ID": 8001,
            "LN_NO": n,
            "SEAT_ID": seat_id,
            "PRC_LVL_CD": "P1",
            "LN_PRC_AMT": 12500,
            "DISC_AMT": 0,
            "LN_STAT_CD": "A",
        }
        records.append(wire.change("ORD_LN", "c", after=line, tx=tx))
        records.append(
            wire.change("SEAT_INV", "u", before=seat_row(seat_id, str(seat_id)), after=seat_row(seat_id, str(seat_id), SEAT_STAT_CD="S", ORD_ID=8001), tx=tx)
        )  # fmt: skip
    out = feed(adapter, *records, wire.end(tx))
    assert out.failures == [] and out.events[0].type.value == "order.placed"
    assert data(out)["channel"] == "box_office" and data(out)["payment_method"] == "cash"


def _ending(
    wire: BoxOfficeWire, status: str, line_status: str, canc_dt: datetime | None
) -> list[DebeziumRecord]:
    tx = Tx(f"0-1-7{status}")
    header = {
        "ORD_ID": 8001,
        "ORD_NO": "BOX000008001",
        "EVT_ID": 1042,
        "ORD_STAT_CD": "P",
        "TOT_AMT": 25000,
        "CURR_CD": "USD",
        "CHNL_CD": "B",
    }
    records: list[DebeziumRecord] = [
        wire.change(
            "ORD_HDR", "u", before=header, after={**header, "ORD_STAT_CD": status, "CANC_DT": canc_dt}, tx=tx
        )
    ]
    for n, seat_id in ((1, 31), (2, 32)):
        line = {
            "ORD_ID": 8001,
            "LN_NO": n,
            "SEAT_ID": seat_id,
            "LN_STAT_CD": "A",
            "LN_PRC_AMT": 12500,
            "DISC_AMT": 0,
        }
        records.append(
            wire.change("ORD_LN", "u", before=line, after={**line, "LN_STAT_CD": line_status}, tx=tx)
        )
        records.append(
            wire.change("SEAT_INV", "u", before=seat_row(seat_id, str(seat_id), SEAT_STAT_CD="S", ORD_ID=8001), after=seat_row(seat_id, str(seat_id)), tx=tx)
        )  # fmt: skip
    return [*records, wire.end(tx)]


def test_a_cancellation_transaction_is_one_order_cancelled_with_the_released_seats(
    adapter: Any, wire: BoxOfficeWire
) -> None:
    _placed_order(wire, adapter)
    out = feed(adapter, *_ending(wire, "C", "C", datetime(2026, 11, 27, 21, 15)))
    assert out.failures == []
    assert [e.type.value for e in out.events] == ["order.cancelled", "seat.changed", "seat.changed"]
    assert data(out) == {
        "order_id": "BOX000008001", "event_id": "BO-1042", "cancelled_at": "2026-11-28T02:15:00Z", "reason": "other",
        "seats": [{"section": "101", "row": "C", "seat": "31"}, {"section": "101", "row": "C", "seat": "32"}],
    }  # fmt: skip
    assert data(out, 1)["status"] == "available" and data(out, 1)["order_id"] is None


def test_voiding_an_order_is_a_cancellation_for_fraud_and_a_refund_names_its_lines(
    adapter: Any, wire: BoxOfficeWire
) -> None:
    _placed_order(wire, adapter)
    voided = feed(adapter, *_ending(wire, "V", "C", None))
    assert data(voided)["reason"] == "fraud"
    assert data(voided)["cancelled_at"] == "2026-11-28T01:00:00Z"  # no CANC_DT: the commit time
    refunded = feed(adapter, *_ending(wire, "R", "R", datetime(2026, 11, 27, 22, 0)))
    assert data(refunded) == {
        "refund_id": "BOX000008001", "order_id": "BOX000008001", "event_id": "BO-1042",
        "amount": {"amount": 25000, "currency": "USD"}, "reason": "other", "refunded_at": "2026-11-28T03:00:00Z",
        "line_nos": [1, 2],
    }  # fmt: skip


def test_a_chargeback_needs_its_order_and_is_filed_in_the_venue_zone(
    adapter: Any, wire: BoxOfficeWire
) -> None:
    chargeback = {
        "CHGBK_ID": 5, "ORD_ID": 8001, "RSN_CD": "13.1", "CHGBK_AMT": 12500, "CURR_CD": "USD", "FRAUD_FLG": 0,
        "DISP_STAT_CD": "O", "RCVD_DT": datetime(2026, 12, 1, 9, 0), "RSLV_DT": None, "NOTE_TXT": None,
    }  # fmt: skip
    (failure,) = feed(adapter, wire.change("ORD_CHGBK", "c", after=chargeback)).failures
    assert isinstance(failure, MissingReferenceError) and (failure.entity, failure.ref) == ("order", "8001")
    _placed_order(wire, adapter)
    out = feed(adapter, wire.change("ORD_CHGBK", "c", after=chargeback))
    assert data(out) == {
        "chargeback_id": "5", "order_id": "BOX000008001", "amount": {"amount": 12500, "currency": "USD"},
        "reason": "not_received", "filed_at": "2026-12-01T14:00:00Z", "fraud_reported": False, "customer_id": None,
        "network_reason_code": "13.1",
    }  # fmt: skip
    assert (
        feed(
            adapter,
            wire.change("ORD_CHGBK", "u", before=chargeback, after={**chargeback, "DISP_STAT_CD": "W"}),
        ).events
        == []
    )


def test_a_client_hash_that_is_not_a_digest_is_refused_without_echoing_it(
    adapter: Any, wire: BoxOfficeWire
) -> None:
    tx = Tx("0-1-800")
    header = {
        "ORD_ID": 8101, "ORD_NO": "WEB000008101", "EVT_ID": 1042, "CHNL_CD": "W", "ORD_STAT_CD": "P",
        "ORD_DT": datetime(2026, 11, 27, 19, 0), "TOT_AMT": 100, "FEE_AMT": 0, "TAX_AMT": 0, "CURR_CD": "USD",
        "CLNT_IP_HASH": "203.0.113.7",
    }  # fmt: skip
    line = {"ORD_ID": 8101, "LN_NO": 1, "SEAT_ID": 41, "LN_PRC_AMT": 100, "DISC_AMT": 0, "LN_STAT_CD": "A"}
    out = feed(
        adapter,
        wire.change("ORD_HDR", "c", after=header, tx=tx),
        wire.change("ORD_LN", "c", after=line, tx=tx),
        wire.change("SEAT_INV", "u", before=seat_row(41, "41"), after=seat_row(41, "41", SEAT_STAT_CD="S", ORD_ID=8101), tx=tx),
        wire.end(tx),
    )  # fmt: skip
    (failure,) = out.failures
    assert isinstance(failure, InvalidValueError) and failure.column == "CLNT_IP_HASH"
    assert "203.0.113.7" not in str(failure)
    assert [e.type.value for e in out.events] == ["seat.changed"]


def test_snapshot_reads_of_orders_are_remembered_but_tell_no_business_event(
    adapter: Any, wire: BoxOfficeWire
) -> None:
    header = {"ORD_ID": 8201, "ORD_NO": "OLD000008201", "EVT_ID": 1042, "ORD_STAT_CD": "F", "CHNL_CD": "W"}
    assert not feed(adapter, wire.read("ORD_HDR", header))
    sold = feed(adapter, wire.read("SEAT_INV", seat_row(51, "51", SEAT_STAT_CD="S", ORD_ID=8201)))
    assert data(sold)["order_id"] == "OLD000008201"
