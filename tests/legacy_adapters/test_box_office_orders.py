"""A box-office order (one source transaction over ORD_HDR, ORD_LN and SEAT_INV) becomes one order.placed,
whatever order its records arrive in; its seats still yield seat.changed, and the cart hold it converts one
hold.released. Expected values are written out by hand."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from datetime import datetime
from typing import Any

import pytest

from legacy_adapters import box_office
from pipelines.canonical import encode_event
from pipelines.debezium import DebeziumRecord
from pipelines.mapping import Adapter, InvalidValueError, Mapped
from tests.legacy_adapters.wire import EVENT_1042, PEPPER, VENUE_NY, BoxOfficeWire, Tx, seat_row

CUSTOMER = "6F9619FF-8B86-D011-B42D-00C04FC964FF"
IP_HASH = hashlib.sha256(b"198.51.100.7").hexdigest()  # what the box office stores: unkeyed
HOLD = {"HOLD_TOKEN": "cart-77", "HOLD_ACCT_ID": CUSTOMER, "HOLD_EXP_DT": datetime(2026, 11, 27, 20, 10)}
CLEARED = {"HOLD_TOKEN": None, "HOLD_ACCT_ID": None, "HOLD_EXP_DT": None}
HEADER = {
    "ORD_ID": 7001, "ORD_NO": "WEB000007001", "EVT_ID": 1042, "ACCT_ID": CUSTOMER.lower(), "CHNL_CD": "W",
    "ORD_STAT_CD": "P", "ORD_DT": datetime(2026, 11, 27, 20, 0), "TKT_QTY": 3, "SUBTOT_AMT": 36000, "FEE_AMT": 1500,
    "TAX_AMT": 3195, "TOT_AMT": 40695, "CURR_CD": "USD", "PAY_MTHD_CD": "CC", "CARD_BIN": "411111",
    "CARD_LAST4": "1111", "CLNT_IP_HASH": IP_HASH, "DEVICE_HASH": None, "PRESALE_CD": "GOLD2026", "DLVRY_CD": "E",
    "BUYER_NM": None, "CANC_DT": None,
}  # fmt: skip


def rekeyed(digest: str) -> str:
    """The canonical hash of a stored digest, by its definition: HMAC-SHA256(pepper, 0xFF "digest:" hex)."""
    return hmac.new(PEPPER, b"\xffdigest:" + digest.encode(), hashlib.sha256).hexdigest()


def _line(n: int, seat_id: int, discount: int = 0) -> dict[str, Any]:
    return {
        "ORD_ID": 7001, "LN_NO": n, "SEAT_ID": seat_id, "PRC_LVL_CD": "P1", "LN_PRC_AMT": 12500, "DISC_AMT": discount,
        "LN_STAT_CD": "A", "TKT_BARCODE": f"0421000000{n}", "UPD_DT": datetime(2026, 11, 27, 20, 0),
    }  # fmt: skip


def _seat_sold(wire: BoxOfficeWire, tx: Tx, seat_id: int, number: str) -> Any:
    return wire.change(
        "SEAT_INV",
        "u",
        before=seat_row(seat_id, number, SEAT_STAT_CD="H", **HOLD),
        after=seat_row(seat_id, number, SEAT_STAT_CD="S", ORD_ID=7001, **CLEARED),
        tx=tx,
    )


def _order_records() -> tuple[list[DebeziumRecord], list[DebeziumRecord]]:
    """(set-up snapshot reads, the order transaction's 7 changes and its END) in source order."""
    wire = BoxOfficeWire()
    setup: list[DebeziumRecord] = [wire.read("VENUE", VENUE_NY), wire.read("EVT_MASTER", EVENT_1042)]
    tx = Tx("0-1-500")
    records: list[DebeziumRecord] = [
        wire.change("ORD_HDR", "c", after=HEADER, tx=tx),
        wire.change("ORD_LN", "c", after=_line(1, 11), tx=tx),
        wire.change("ORD_LN", "c", after=_line(2, 12, discount=1500), tx=tx),
        wire.change("ORD_LN", "c", after=_line(3, 13), tx=tx),
        _seat_sold(wire, tx, 11, "1"),
        _seat_sold(wire, tx, 12, "2"),
        _seat_sold(wire, tx, 13, "3"),
    ]
    records.append(wire.end(tx))
    return setup, records


def _seat(number: str) -> dict[str, str]:
    return {"section": "101", "row": "C", "seat": number}


def _usd(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "USD"}


EXPECTED_ORDER = {
    "order_id": "WEB000007001",
    "event_id": "BO-1042",
    "channel": "web",
    "placed_at": "2026-11-28T01:00:00Z",  # 20:00 EST in New York
    "lines": [
        {
            "line_no": 1,
            "seat": _seat("1"),
            "price": _usd(12500),
            "discount": _usd(0),
            "fee": None,
            "price_level": "P1",
        },
        {
            "line_no": 2,
            "seat": _seat("2"),
            "price": _usd(11000),
            "discount": _usd(1500),
            "fee": None,
            "price_level": "P1",
        },
        {
            "line_no": 3,
            "seat": _seat("3"),
            "price": _usd(12500),
            "discount": _usd(0),
            "fee": None,
            "price_level": "P1",
        },
    ],
    "total": _usd(40695),
    "fee": _usd(1500),
    "tax": _usd(3195),
    "customer_id": "6f9619ff-8b86-d011-b42d-00c04fc964ff",
    "payment_method": "card",
    "client_ip_hash": rekeyed(IP_HASH),  # re-keyed under the pepper, never the unkeyed digest
    "device_hash": None,
    "presale_code_hash": hmac.new(PEPPER, b"gold2026", hashlib.sha256).hexdigest(),
}


def _sold_seat(number: str) -> dict[str, Any]:
    return {
        "event_id": "BO-1042", "seat": _seat(number), "status": "sold", "price_level": "P1", "face_value": _usd(12500),
        "accessible": False, "hold_id": None, "holder_customer_id": None, "hold_expires_at": None,
        "order_id": "WEB000007001",
    }  # fmt: skip


EXPECTED = [
    ("order.placed", "order:WEB000007001", EXPECTED_ORDER),
    ("seat.changed", "seat:BO-1042:101:C:1", _sold_seat("1")),
    (
        "hold.released",
        "hold:cart-77",
        {
            "hold_id": "cart-77",
            "event_id": "BO-1042",
            "seats": [_seat("1"), _seat("2"), _seat("3")],
            "kind": "cart",
            "status": "converted",
            "expires_at": "2026-11-28T01:10:00Z",
            "customer_id": "6f9619ff-8b86-d011-b42d-00c04fc964ff",
            "order_id": "WEB000007001",
        },
    ),
    ("seat.changed", "seat:BO-1042:101:C:2", _sold_seat("2")),
    ("seat.changed", "seat:BO-1042:101:C:3", _sold_seat("3")),
]


def _feed(adapter: Adapter, records: list[DebeziumRecord]) -> Mapped:
    out = Mapped()
    for record in records:
        out.extend(adapter.handle(record))
    return out


@pytest.fixture(scope="module")
def order_records() -> tuple[list[DebeziumRecord], list[DebeziumRecord]]:
    return _order_records()


def _adapter(setup: list[DebeziumRecord]) -> Adapter:
    adapter = box_office.adapter(pepper=PEPPER)
    assert not _feed(adapter, setup).failures
    return adapter


def test_an_order_transaction_becomes_one_order_placed_with_its_three_seats(
    order_records: tuple[list[DebeziumRecord], list[DebeziumRecord]],
) -> None:
    setup, records = order_records
    out = _feed(_adapter(setup), records)
    assert out.failures == []
    got = [(e.type.value, e.key, json.loads(encode_event(e))["data"]) for e in out.events]
    assert got == EXPECTED
    assert all(e.occurred_at == datetime.fromisoformat("2026-11-28T01:00:00+00:00") for e in out.events)
    assert len({e.id for e in out.events}) == len(out.events)


def test_every_arrival_order_of_the_transaction_gives_the_same_events(
    order_records: tuple[list[DebeziumRecord], list[DebeziumRecord]],
) -> None:
    setup, records = order_records
    reference = [encode_event(e) for e in _feed(_adapter(setup), records).events]
    assert len(reference) == len(EXPECTED)
    count = 0
    for permutation in itertools.permutations(records):  # 8! = 40320: the END anywhere, the rows in any order
        adapter = _adapter(setup)
        out = Mapped()
        for i, record in enumerate(permutation):
            step = adapter.handle(record)
            assert not step.events or i == len(permutation) - 1  # nothing leaves before the last record
            out.extend(step)
        assert [encode_event(e) for e in out.events] == reference
        assert out.failures == [] and adapter.pending() == ()
        count += 1
    assert count == 40320


def test_a_redelivered_change_is_counted_once(
    order_records: tuple[list[DebeziumRecord], list[DebeziumRecord]],
) -> None:
    setup, records = order_records
    adapter = _adapter(setup)
    first = _feed(
        adapter, [records[4], records[4], *records[:4], records[5]]
    )  # seat 11 twice, seat 13 missing
    assert not first and len(adapter.pending()) == 6
    rest = _feed(adapter, [records[7], records[6], records[6]])  # END, then seat 13 twice
    assert [(e.type.value, e.key) for e in rest.events] == [(t, k) for t, k, _ in EXPECTED]
    assert adapter.pending() == ()


def test_an_incomplete_transaction_is_held_and_flushed_on_demand(
    order_records: tuple[list[DebeziumRecord], list[DebeziumRecord]],
) -> None:
    setup, records = order_records
    adapter = _adapter(setup)
    held = _feed(adapter, records[:4] + records[5:])  # seat 11 never arrives
    assert not held
    # held back: the six changes (in source order), then the END
    assert adapter.pending() == tuple(r.record for r in records[:4] + records[5:])
    flushed = adapter.flush()
    # mapped as it is: seat 11 was never seen, so the order cannot name its first line's seat
    (failure,) = flushed.failures
    assert type(failure).__name__ == "MissingReferenceError" and failure.retryable
    assert (failure.entity, failure.ref, failure.record) == ("seat", "11", records[0].record)
    assert [(e.type.value, e.key) for e in flushed.events] == [
        ("seat.changed", "seat:BO-1042:101:C:2"),
        ("hold.released", "hold:cart-77"),  # the cart's remaining seats, 2 and 3
        ("seat.changed", "seat:BO-1042:101:C:3"),
    ]
    assert [s.seat for s in flushed.events[1].data.seats] == ["2", "3"]
    assert adapter.pending() == ()


def test_an_order_without_lines_in_its_transaction_is_a_mapping_error() -> None:
    wire = BoxOfficeWire()
    adapter = _adapter([wire.read("VENUE", VENUE_NY), wire.read("EVT_MASTER", EVENT_1042)])
    tx = Tx("0-1-501")
    header = wire.change("ORD_HDR", "c", after=HEADER, tx=tx)
    out = _feed(adapter, [header, wire.end(tx)])
    assert out.events == []
    (failure,) = out.failures
    assert isinstance(failure, InvalidValueError)
    assert failure.column == "ORD_ID" and "no ORD_LN rows" in failure.reason
    assert failure.record == header.record and failure.position == header.source.position
    assert not failure.retryable
