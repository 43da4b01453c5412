"""Every box-office golden case inserted, updated and deleted in a scratch MariaDB database, captured by the
real Debezium MariaDB connector (transaction metadata on), decoded and mapped: the canonical events are exactly
the ones written out here by hand, transaction by transaction.

Rows go in as the box office writes them: each case in its own transaction, except that an order header and
its case lines form one transaction (an order). Then one update per table, a cancellation and a hold expiry,
then the deletes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest

from legacy_adapters import box_office
from legacy_adapters.box_office import cases
from pipelines.canonical import decode_event, encode_event
from pipelines.debezium import ChangeEvent, DebeziumDecoder, TransactionEvent
from pipelines.debezium.capture import DECODE_OPTIONS
from pipelines.mapping import Mapped
from stack.settings import StackSettings
from tests.legacy_adapters.capture import RawRecord, box_office_capture
from tests.legacy_adapters.wire import PEPPER

pytestmark = pytest.mark.stack

A = "6f9619ff-8b86-d011-b42d-00c04fc964ff"
B = "a3c1e5b2-7d4f-4e6a-9b8c-0d1e2f3a4b5c"
TOKEN = "c0ffee00-0000-4000-8000-000000000001"
MAX = 18446744073709551615


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def keyed(normalized: str) -> str:
    return hmac.new(PEPPER, normalized.encode(), hashlib.sha256).hexdigest()


def rekeyed(digest: str) -> str:
    """The canonical hash of a stored digest, by its definition: HMAC-SHA256(pepper, 0xFF "digest:" hex)."""
    return hmac.new(PEPPER, b"\xffdigest:" + digest.encode(), hashlib.sha256).hexdigest()


def money(amount: int, currency: str = "USD") -> dict[str, Any]:
    return {"amount": amount, "currency": currency}


def seat(section: str, row: str, number: str) -> dict[str, str]:
    return {"section": section, "row": row, "seat": number}


# -- expected bodies, by hand ------------------------------------------------------------------------------------
def venue(
    venue_id: str,
    name: str,
    zone: str,
    code: str,
    city: str | None,
    country: str,
    capacity: int | None,
    active: bool,
) -> dict[str, Any]:
    return {"venue_id": venue_id, "name": name, "timezone": zone, "code": code, "city": city, "country": country, "capacity": capacity, "active": active}  # fmt: skip


VENUES = {
    9001: venue("9001", "Hudson Hall", "America/New_York", "HUDNYC", "New York", "US", 19500, True),
    9002: venue("9002", "Théâtre Royal - Salle Ø £½ ©", "Europe/London", "ROYLDN", "Lóndon", "GB", 2200, True),
    9003: venue("9003", "Salle “Lumière” €uro — Œuvre", "Europe/Paris", "EURPAR", "Paris", "FR", 1, True),
    9004: venue("9004", "Old Barn", "US/Eastern", "OLDBRN", None, "US", None, False),
    4294967295: venue("4294967295", "Lord Howe Pavilion", "Australia/Lord_Howe", "LHWAUS", "Lord Howe Island", "AU", 4294967295, True),
}  # fmt: skip
EVENTS = {
    1042: {
        "event_id": "BO-1042", "name": "Spring Forward Tour", "venue_id": "9001",
        "starts_at": "2026-03-08T07:30:00Z",  # 02:30 never happened in New York: shifted forward (03:30 EDT)
        "timezone": "America/New_York", "status": "on_sale", "category": "concert", "artist": "The Daylight Savers",
        "doors_open_at": "2026-03-08T06:30:00Z", "presale_at": "2025-11-05T15:00:00Z", "on_sale_at": "2025-11-07T15:00:00Z",
        "off_sale_at": "2026-03-08T07:30:00Z", "ticket_limit": 8, "currency": "USD",
    },
    1043: {
        "event_id": "BO-1043", "name": "Fall Back Night", "venue_id": "9001",
        "starts_at": "2026-11-01T05:30:00Z",  # 01:30 happened twice: the first (EDT)
        "timezone": "America/New_York", "status": "postponed", "category": "theatre", "artist": "Twice Played",
        "doors_open_at": None, "presale_at": None, "on_sale_at": "2026-06-01T14:00:00Z",
        "off_sale_at": "2026-11-01T05:59:59Z", "ticket_limit": 4, "currency": "USD",
    },
    2001: {
        "event_id": "BO-2001", "name": "Soirée d'été à Londres", "venue_id": "9002",
        "starts_at": "2026-03-29T01:30:00Z",  # 01:30 never happened in London: read with GMT, i.e. 02:30 BST
        "timezone": "Europe/London", "status": "completed", "category": "sport", "artist": "Zoë & Les Garçons",
        "doors_open_at": "2026-03-29T00:45:00Z", "presale_at": "2026-01-12T09:00:00Z", "on_sale_at": "2026-01-14T09:00:00Z",
        "off_sale_at": "2026-03-29T01:00:00Z", "ticket_limit": 6, "currency": "GBP",
    },
    2002: {
        "event_id": "BO-2002", "name": "Clocks Back Matinée", "venue_id": "9002",
        "starts_at": "2026-10-25T00:30:00Z", "timezone": "Europe/London", "status": "cancelled", "category": "family",
        "artist": None, "doors_open_at": "2026-10-25T00:00:00Z", "presale_at": None, "on_sale_at": None,
        "off_sale_at": None, "ticket_limit": 10, "currency": "GBP",
    },
    4294967295: {
        "event_id": "BO-4294967295", "name": "To Be Announced", "venue_id": "9004",
        "starts_at": "9999-12-31T23:59:59Z",  # the DATETIME maximum, 'to be announced', kept recognisable
        "timezone": "US/Eastern", "status": "draft", "category": "other", "artist": "TBA",
        "doors_open_at": "1000-01-01T04:56:02Z",  # before 1883 New York kept local mean time, -04:56:02
        "presale_at": None, "on_sale_at": None, "off_sale_at": None,  # zero dates, also '2026-00-00' and '2026-07-00'
        "ticket_limit": 65535, "currency": "EUR",
    },
}  # fmt: skip
NO_HOLD = {"hold_id": None, "holder_customer_id": None, "hold_expires_at": None}


def seat_data(
    event: str,
    where: dict[str, str],
    status: str,
    level: str | None,
    face: dict[str, Any],
    accessible: bool,
    order: str | None = None,
    **hold: Any,
) -> dict[str, Any]:
    return {"event_id": event, "seat": where, "status": status, "price_level": level, "face_value": face, "accessible": accessible, **(hold or NO_HOLD), "order_id": order}  # fmt: skip


SEATS = {
    1: ("seat:BO-1042:101:A:1", seat_data("BO-1042", seat("101", "A", "1"), "available", "P1", money(12500), False)),
    2: ("seat:BO-1042:101:A:2", seat_data("BO-1042", seat("101", "A", "2"), "held", "P1", money(12500), False,
        hold_id=TOKEN, holder_customer_id=B, hold_expires_at="2026-03-08T07:05:00Z")),  # 02:05: in the gap
    3: ("seat:BO-1043:ORCH:AA:101", seat_data("BO-1043", seat("ORCH", "AA", "101"), "sold", "P2", money(8950), False)),
    4: ("seat:BO-1042:101:B:7", seat_data("BO-1042", seat("101", "B", "7"), "killed", None, money(0), False)),
    5: ("seat:BO-2001:BALCÓN:Ñ:12A", seat_data("BO-2001", seat("BALCÓN", "Ñ", "12A"), "comp", "ADA", money(4500, "GBP"), True)),
    6: ("seat:BO-1042:FLOOR:GA:0", seat_data("BO-1042", seat("FLOOR", "GA", "0"), "reserved", "PRE", money(-2147483648), False)),
}  # fmt: skip
HOLD_PLACED = {
    "hold_id": TOKEN, "event_id": "BO-1042", "seats": [seat("101", "A", "2")], "kind": "cart", "status": "placed",
    "expires_at": "2026-03-08T07:05:00Z", "customer_id": B, "order_id": None,
}  # fmt: skip


def line(
    n: int, where: dict[str, str], price: int, discount: int, level: str | None, currency: str = "USD"
) -> dict[str, Any]:
    return {"line_no": n, "seat": where, "price": money(price, currency), "discount": money(discount, currency), "fee": None, "price_level": level}  # fmt: skip


ORDER_5001 = {
    "order_id": "BO0000005001",
    "event_id": "BO-1043",
    "channel": "web",
    "placed_at": "2026-11-01T05:30:00Z",
    "lines": [
        line(1, seat("ORCH", "AA", "101"), 8950, 0, "P2"),
        line(2, seat("101", "A", "1"), 0, 8950, "P1"),
    ],
    "total": money(21339),
    "fee": money(1850),
    "tax": money(1589),
    "customer_id": A,
    "payment_method": "card",
    "client_ip_hash": rekeyed(sha("203.0.113.7")),
    "device_hash": rekeyed(sha("device-a")),
    "presale_code_hash": None,
}
ORDER_5003 = {
    "order_id": "BO0000005003",
    "event_id": "BO-1042",
    "channel": "mobile",
    "placed_at": "2026-03-08T06:59:59Z",
    "lines": [line(1, seat("101", "A", "2"), -12499, -1, None)],
    "total": money(-1851),
    "fee": money(-1850),
    "tax": money(-1),
    "customer_id": B,
    "payment_method": "wallet",
    "client_ip_hash": rekeyed(sha("198.51.100.23")),
    "device_hash": rekeyed(sha("device-b")),
    "presale_code_hash": keyed("fanclub-été"),
}
REFUND_5003 = {
    "refund_id": "BO0000005003",
    "order_id": "BO0000005003",
    "event_id": "BO-1042",
    "amount": money(-1851),
    "reason": "other",
    "refunded_at": "2026-03-08T07:00:00Z",
    "line_nos": [1],
}
ORDER_MAX = {
    "order_id": "ZZZZZZZZZZZZ",
    "event_id": "BO-2002",
    "channel": "partner",
    "placed_at": "2026-10-25T00:30:00Z",
    "lines": [line(65535, seat("VIPSUITE", "ZZZZ", "9999"), 4294967295, -2147483648, "ZZZZZZZZ", "EUR")],
    "total": money(2147483647, "EUR"),
    "fee": money(2147483647, "EUR"),
    "tax": money(-2147483648, "EUR"),
    "customer_id": A,
    "payment_method": "gift_card",
    "client_ip_hash": rekeyed("0" * 64),
    "device_hash": rekeyed("f" * 64),
    "presale_code_hash": keyed("x" * 32),
}
CANCEL_MAX = {"order_id": "ZZZZZZZZZZZZ", "event_id": "BO-2002", "cancelled_at": "2026-10-25T00:00:00Z", "reason": "fraud", "seats": []}  # fmt: skip
CHARGEBACKS = [
    ("chargeback:1", {"chargeback_id": "1", "order_id": "BO0000005001", "amount": money(21339), "reason": "fraud",
     "filed_at": "2026-11-19T19:00:00Z", "fraud_reported": True, "customer_id": A, "network_reason_code": "10.4"}),
    ("chargeback:2", {"chargeback_id": "2", "order_id": "BO0000005003", "amount": money(12500), "reason": "not_received",
     "filed_at": "2026-03-20T13:00:00Z", "fraud_reported": False, "customer_id": B, "network_reason_code": "13.1"}),
    (f"chargeback:{MAX}", {"chargeback_id": str(MAX), "order_id": "ZZZZZZZZZZZZ", "amount": money(-2147483648, "EUR"),
     "reason": "fraud", "filed_at": "COMMIT", "fraud_reported": True, "customer_id": A, "network_reason_code": "4837"}),
]  # fmt: skip


def ev(kind: str, key: str, body: dict[str, Any], deleted: bool = False) -> tuple[Any, ...]:
    return (kind, key, deleted, body)


def fail(error: str, table: str, column: str) -> tuple[Any, ...]:
    return ("!" + error, table, column)


SEAT_Z = fail("UnknownCodeError", "SEAT_INV", "SEAT_STAT_CD")


def expected_inserts() -> list[list[tuple[Any, ...]]]:
    return [
        *([ev("venue.changed", f"venue:{v}", VENUES[v])] for v in VENUES),
        *([ev("event.changed", f"event:{EVENTS[e]['event_id']}", EVENTS[e])] for e in EVENTS),
        [ev("seat.changed", SEATS[1][0], SEATS[1][1])],
        [ev("seat.changed", SEATS[2][0], SEATS[2][1]), ev("hold.placed", f"hold:{TOKEN}", HOLD_PLACED)],
        [ev("seat.changed", SEATS[3][0], SEATS[3][1])],  # sold, but order 5001 is not known yet: no order_id
        [ev("seat.changed", SEATS[4][0], SEATS[4][1])],
        [ev("seat.changed", SEATS[5][0], SEATS[5][1])],
        [SEAT_Z],  # status 'Z' is in no legend
        [ev("seat.changed", SEATS[6][0], SEATS[6][1])],
        [ev("order.placed", "order:BO0000005001", ORDER_5001)],
        [fail("InvalidValueError", "ORD_HDR", "ORD_ID")],  # 5002: a walk-up order without lines
        [
            ev("order.placed", "order:BO0000005003", ORDER_5003),
            ev("order.refunded", "order:BO0000005003", REFUND_5003),
        ],
        [
            ev("order.placed", "order:ZZZZZZZZZZZZ", ORDER_MAX),
            ev("order.cancelled", "order:ZZZZZZZZZZZZ", CANCEL_MAX),
        ],
        [fail("InvalidValueError", "ORD_HDR", "ORD_ID")],  # 5004: cancelled before payment, no lines
        *([ev("chargeback.filed", key, body)] for key, body in CHARGEBACKS),
    ]


def updated_seats() -> dict[int, tuple[str, dict[str, Any]]]:
    """After ``ADA_FLG = 1 - ADA_FLG``; seat 3's order is known by now."""
    out = {n: (key, {**body, "accessible": not body["accessible"]}) for n, (key, body) in SEATS.items()}
    out[3][1]["order_id"] = "BO0000005001"
    return out


def expected_updates() -> list[list[tuple[Any, ...]]]:
    venues = {v: {**body, "name": body["name"] + " II"} for v, body in VENUES.items()}
    events = {e: {**body, "ticket_limit": body["ticket_limit"] - 1} for e, body in EVENTS.items()}
    seats = updated_seats()
    released = {**seats[3][1], "status": "available", "order_id": None}
    expired = {**seats[2][1], "status": "available", **NO_HOLD}
    hold_released = {**HOLD_PLACED, "status": "expired"}
    return [
        [ev("venue.changed", f"venue:{v}", venues[v]) for v in VENUES],
        [ev("event.changed", f"event:{events[e]['event_id']}", events[e]) for e in EVENTS],
        [*(ev("seat.changed", key, body) for key, body in (seats[n] for n in range(1, 7))), SEAT_Z],
        [
            ev(
                "order.cancelled",
                "order:BO0000005001",
                {
                    "order_id": "BO0000005001",
                    "event_id": "BO-1043",
                    "cancelled_at": "2026-11-02T14:15:00Z",
                    "reason": "other",
                    "seats": [seat("ORCH", "AA", "101")],
                },
            ),
            ev("seat.changed", seats[3][0], released),
        ],
        [ev("seat.changed", seats[2][0], expired), ev("hold.released", f"hold:{TOKEN}", hold_released)],
    ]


def expected_deletes() -> list[list[tuple[Any, ...]]]:
    seats = updated_seats()
    final = {
        1: seats[1][1],
        2: {**seats[2][1], "status": "available", **NO_HOLD},
        3: {**seats[3][1], "status": "available", "order_id": None},
        4: seats[4][1],
        5: seats[5][1],
        6: seats[6][1],
    }
    venues = {v: {**body, "name": body["name"] + " II"} for v, body in VENUES.items()}
    events = {e: {**body, "ticket_limit": body["ticket_limit"] - 1} for e, body in EVENTS.items()}
    return [
        # ORD_CHGBK, ORD_LN and ORD_HDR deletes tell nothing
        [*(ev("seat.changed", seats[n][0], final[n], deleted=True) for n in range(1, 7)), SEAT_Z],
        [ev("event.changed", f"event:{events[e]['event_id']}", events[e], deleted=True) for e in EVENTS],
        [ev("venue.changed", f"venue:{v}", venues[v], deleted=True) for v in VENUES],
    ]


# -- the run -----------------------------------------------------------------------------------------------------
def _write(conn: Any) -> int:
    """All writes; returns the number of transactions that changed rows."""
    count = 0
    lines = [c for c in cases.CASES if c.table == "ORD_LN"]
    with conn.cursor() as cur:

        def insert(table: str, row: dict[str, Any]) -> None:
            columns = list(row)
            cur.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                [row[c] for c in columns],
            )

        def commit(*statements: str) -> None:
            nonlocal count
            for statement in statements:
                cur.execute(statement)
            conn.commit()
            count += 1

        for case in cases.CASES:
            if case.table == "ORD_LN":
                continue
            insert(case.table, dict(case.row))
            if case.table == "ORD_HDR":
                for line_case in lines:
                    if line_case.row["ORD_ID"] == case.row["ORD_ID"]:
                        insert("ORD_LN", dict(line_case.row))
            commit()
        commit("UPDATE VENUE SET VEN_NM = CONCAT(VEN_NM, ' II')")
        commit("UPDATE EVT_MASTER SET TKT_LMT = TKT_LMT - 1")
        commit("UPDATE SEAT_INV SET ADA_FLG = 1 - ADA_FLG")
        commit(  # order 5001 cancelled: header, its lines and its seat in one transaction
            "UPDATE ORD_HDR SET ORD_STAT_CD = 'C', CANC_DT = '2026-11-02 09:15:00' WHERE ORD_ID = 5001",
            "UPDATE ORD_LN SET LN_STAT_CD = 'C' WHERE ORD_ID = 5001",
            "UPDATE SEAT_INV SET SEAT_STAT_CD = 'A', ORD_ID = NULL WHERE ORD_ID = 5001",
        )
        commit(  # the sweeper releases the expired cart hold
            "UPDATE SEAT_INV SET SEAT_STAT_CD = 'A', HOLD_TOKEN = NULL, HOLD_ACCT_ID = NULL, HOLD_EXP_DT = NULL WHERE SEAT_ID = 2"
        )
        commit("UPDATE ORD_CHGBK SET DISP_STAT_CD = 'L'")
        for table in ("ORD_CHGBK", "ORD_LN", "ORD_HDR", "SEAT_INV", "EVT_MASTER", "VENUE", "DBZ_SIGNAL"):
            commit(f"DELETE FROM {table}")
    return count


def _outputs(
    records: list[RawRecord], narrowed: bool = True
) -> tuple[list[list[tuple[Any, ...]]], list[Any]]:
    """Feed every change (in consumption order), then the transaction records (commit order)."""
    adapter = box_office.adapter(pepper=PEPPER)
    # as the runtime decodes: only the columns the adapter reads (narrowed=False: every column)
    decoder = DebeziumDecoder(options=DECODE_OPTIONS, columns=adapter.columns_read if narrowed else None)
    decoded = [
        decoder.decode(r.value, key=r.key, topic=r.topic, partition=r.partition, offset=r.offset)
        for r in records
    ]
    changes = [d for d in decoded if isinstance(d, ChangeEvent)]
    boundaries = [d for d in decoded if isinstance(d, TransactionEvent)]
    outputs: list[list[tuple[Any, ...]]] = []
    events: list[Any] = []
    for record in [*changes, *boundaries]:
        out: Mapped = adapter.handle(record)
        if out:
            assert out.failures == [] or all(f.record is not None for f in out.failures)
            rendered = [_render(e) for e in out.events] + [
                ("!" + type(f).__name__, (f.table or "").split(".")[-1], f.column) for f in out.failures
            ]
            outputs.append(rendered)
            events.extend(out.events)
    assert adapter.pending() == ()
    return outputs, events


def _render(event: Any) -> tuple[Any, ...]:
    assert decode_event(encode_event(event)) == event  # every event passes the contract's strict decoder
    body = json.loads(encode_event(event))["data"]
    if event.type.value == "chargeback.filed" and body["filed_at"] == event.occurred_at.isoformat().replace(
        "+00:00", "Z"
    ):
        body["filed_at"] = "COMMIT"  # a zero RCVD_DT: the commit time, which the test cannot write down
    return (event.type.value, event.key, event.deleted, body)


def test_box_office_golden_cases_map_to_the_expected_events(
    stack_settings: StackSettings, tmp_path: Path
) -> None:
    with box_office_capture(stack_settings, tmp_path) as capture:
        conn = capture.connection()
        try:
            transactions = _write(conn)
        finally:
            conn.close()
        records = capture.read_transactions(transactions)
    outputs, events = _outputs(records)
    expected = expected_inserts() + expected_updates() + expected_deletes()
    assert len(outputs) == len(expected)
    for got, want in zip(outputs, expected, strict=True):
        assert got == want
    assert len({e.id for e in events}) == len(events)
    # a replay (at-least-once delivery) yields the same ids; decoding every column maps to the same events
    again, replayed = _outputs(records, narrowed=False)
    assert again == outputs
    assert [e.id for e in replayed] == [e.id for e in events]
    assert all(e.source.system == "box_office" and e.source.connector.value == "mariadb" for e in events)
    assert all(not e.source.snapshot and e.source.tx_id for e in events)
