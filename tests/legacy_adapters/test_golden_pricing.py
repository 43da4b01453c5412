"""Every pricing and resale golden case inserted, updated and deleted in a scratch PostgreSQL database, captured
by the real Debezium PostgreSQL connector, decoded and mapped: the canonical events are exactly the ones written
out here by hand, change by change (the pricing adapter maps each change on its own)."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from psycopg.types.json import Jsonb

from legacy_adapters import pricing
from legacy_adapters.ddl import describe_tables
from legacy_adapters.pricing import cases
from pipelines.canonical import decode_event, encode_event
from pipelines.debezium import ChangeEvent, DebeziumDecoder
from pipelines.debezium.capture import DECODE_OPTIONS
from stack.settings import StackSettings
from tests.legacy_adapters.capture import RawRecord, pricing_capture
from tests.legacy_adapters.wire import PEPPER

pytestmark = pytest.mark.stack

A = "6f9619ff-8b86-d011-b42d-00c04fc964ff"
B = "a3c1e5b2-7d4f-4e6a-9b8c-0d1e2f3a4b5c"
L1, L2, L4 = (f"00000000-0000-4000-8000-00000000a00{n}" for n in (1, 2, 4))
K1, K2, K3 = (f"00000000-0000-4000-8000-00000000b00{n}" for n in (1, 2, 3))


def rekeyed(digest: str) -> str:
    """The canonical hash of a stored digest, by its definition: HMAC-SHA256(pepper, 0xFF "digest:" hex)."""
    return hmac.new(PEPPER, b"\xffdigest:" + digest.encode(), hashlib.sha256).hexdigest()


def money(amount: int, currency: str) -> dict[str, Any]:
    return {"amount": amount, "currency": currency}


def seat(section: str, row: str, number: str) -> dict[str, str]:
    return {"section": section, "row": row, "seat": number}


def ev(kind: str, key: str, body: dict[str, Any], deleted: bool = False) -> tuple[Any, ...]:
    return (kind, key, deleted, body)


def fail(table: str, column: str) -> tuple[Any, ...]:
    return ("!InvalidValueError", table, column)


PRICE_LEVELS = {
    1: {"price_level_id": "1", "event_id": "BO-1042", "level_code": "P1", "name": "Parterre Général 🎟️ 前方席",
        "face_value": money(12500, "USD"), "fee": money(1850, "USD"), "sections": ["101", "102"],
        "valid_from": "2025-11-01T15:00:00Z", "valid_until": None},
    3: {"price_level_id": "3", "event_id": "BO-1042", "level_code": "P9", "name": "Restricted view",
        "face_value": money(10, "KWD"), "fee": money(-10, "KWD"), "sections": ["999"],  # 0.01 KWD is 10 fils
        "valid_from": "2026-03-08T06:59:59.999999Z", "valid_until": "2026-03-08T07:00:00Z"},
    4: {"price_level_id": "4", "event_id": "BO-1043", "level_code": "P2", "name": "Orchestra",
        "face_value": money(8950, "USD"), "fee": money(0, "USD"), "sections": ["ORCH"],  # the NULL entry dropped
        "valid_from": "2026-11-01T05:30:00Z", "valid_until": "2026-11-01T06:30:00Z"},
    5: {"price_level_id": "5", "event_id": "BO-1042", "level_code": "P1", "name": "",  # ' bo-1042 ', 'p1', 'usd'
        "face_value": money(0, "USD"), "fee": money(0, "USD"), "sections": ["101"],
        "valid_from": "2026-10-25T01:30:00Z", "valid_until": None},
}  # fmt: skip
SOFT_DELETED_LEVELS = {4}
JPY = fail("price_level", "amount")  # 9999999999.99 cannot be yen: refused, not rounded
PACKAGES = {
    K1: {"package_id": K1, "name": "Spring Forward × 2 + Parking 🚗", "event_ids": ["BO-1042", "BO-1043"],
         "price": money(24999, "USD"), "code": "SPRING-2",
         "items": [{"kind": "ticket", "description": "level P1 seat", "quantity": 4},
                   {"kind": "parking", "description": "parking", "quantity": 1},
                   {"kind": "hospitality", "description": "lounge 🍸", "quantity": 1}],
         "max_per_customer": 2, "on_sale_at": "2025-11-01T15:00:00Z", "off_sale_at": "2026-03-08T07:00:00Z"},
    K2: {"package_id": K2, "name": "Ünïcödé \u202eRTL\u202c 'quotes' \"double\"", "event_ids": [], "price": money(0, "EUR"),
         "code": "EDGE", "items": [], "max_per_customer": None, "on_sale_at": None, "off_sale_at": None},
    K3: {"package_id": K3, "name": "Season ticket (every event)", "event_ids": [f"BO-{n}" for n in range(1, 4001)],
         "price": money(999999999999, "GBP"), "code": "SEASON-ALL",
         "items": [{"kind": "ticket", "description": "level S seat", "quantity": 4000}],
         "max_per_customer": 32767, "on_sale_at": "2026-03-29T00:59:59.999999Z", "off_sale_at": "2026-03-29T01:00:00Z"},
}  # fmt: skip
LISTED = {
    L1: {"listing_id": L1, "event_id": "BO-1042", "seat": seat("101", "A", "1"), "seller_customer_id": A,
         "ask_price": money(18000, "USD"), "listed_at": "2026-03-08T06:59:59.999999Z", "face_value": money(12500, "USD"),
         "expires_at": "2026-03-08T07:00:00Z", "original_order_id": "BO0000005001",
         "client_ip_hash": rekeyed("ab" * 32), "device_hash": rekeyed("cd" * 32)},
    L2: {"listing_id": L2, "event_id": "BO-2001", "seat": seat("BALCÓN", "Ñ", "12A"), "seller_customer_id": B,
         "ask_price": money(1, "GBP"), "listed_at": "2026-10-25T00:30:00Z", "face_value": None,
         "expires_at": "2026-10-25T01:30:00Z", "original_order_id": None, "client_ip_hash": None, "device_hash": None},
    L4: {"listing_id": L4, "event_id": "BO-1043", "seat": seat("ORCH", "AA", "101"), "seller_customer_id": B,
         "ask_price": money(9500, "USD"), "listed_at": "2026-06-01T16:00:00Z", "face_value": money(8950, "USD"),
         "expires_at": "2026-11-01T05:00:00Z", "original_order_id": "BO0000005001", "client_ip_hash": None,
         "device_hash": None},
}  # fmt: skip
GA = fail("listing", "seat_ref")  # 'GA': general admission has no row and seat
SOLD = [
    (f"listing:{L2}", {"sale_id": "00000000-0000-4000-8000-00000000c001", "listing_id": L2, "event_id": "BO-2001",
     "seat": seat("BALCÓN", "Ñ", "12A"), "seller_customer_id": B, "buyer_customer_id": A, "sale_price": money(1, "GBP"),
     "sold_at": "2026-10-25T01:30:00Z", "buyer_fee": money(0, "GBP"), "seller_payout": money(1, "GBP")}),
    (f"listing:{L1}", {"sale_id": "00000000-0000-4000-8000-00000000c002", "listing_id": L1, "event_id": "BO-1042",
     "seat": seat("101", "A", "1"), "seller_customer_id": A, "buyer_customer_id": B,
     "sale_price": money(999999999999, "USD"), "sold_at": "2026-03-08T07:00:00Z",
     "buyer_fee": money(-999999999999, "USD"), "seller_payout": money(-999999999999, "USD")}),
]  # fmt: skip


def _level(n: int, deleted: bool = False, **changes: Any) -> tuple[Any, ...]:
    return ev(
        "price.changed",
        f"price-level:{n}",
        {**PRICE_LEVELS[n], **changes},
        deleted or n in SOFT_DELETED_LEVELS,
    )


def _package(k: str, deleted: bool = False, **changes: Any) -> tuple[Any, ...]:
    return ev("package.changed", f"package:{k}", {**PACKAGES[k], **changes}, deleted or k == K3)


def _delisted(listing: str, reason: str, at: str) -> tuple[Any, ...]:
    body = LISTED[listing]
    return ev("resale.delisted", f"listing:{listing}", {
        "listing_id": listing, "event_id": body["event_id"], "seat": body["seat"], "reason": reason, "delisted_at": at})  # fmt: skip


EXPECTED: list[list[tuple[Any, ...]]] = [
    # inserts, one transaction per case
    [_level(1)],
    [JPY],
    [_level(3)],
    [_level(4)],
    [_level(5)],
    [_package(K1)],
    [_package(K2)],
    [_package(K3)],
    [ev("resale.listed", f"listing:{L1}", LISTED[L1])],
    [
        ev("resale.listed", f"listing:{L2}", LISTED[L2])
    ],  # already sold: listed, the sale follows from resale.sale
    [GA],
    [ev("resale.listed", f"listing:{L4}", LISTED[L4])],  # inserted withdrawn and soft-deleted:
    [_delisted(L4, "seller_withdrew", "2026-06-02T00:00:00Z")],  # ...listed, then delisted, from one change
    *([ev("resale.sold", key, body)] for key, body in SOLD),
    # updates
    *([_level(n, name=PRICE_LEVELS[n]["name"] + " *")] if n != 2 else [JPY] for n in (1, 2, 3, 4, 5)),
    *([_package(k, name=PACKAGES[k]["name"] + " *")] for k in (K1, K2, K3)),
    [
        ev("resale.listed", f"listing:{L1}", {**LISTED[L1], "ask_price": money(19000, "USD")})
    ],  # repriced while active
    [_delisted(L1, "seller_withdrew", "2026-03-09T12:00:00Z")],
    # (the sale reversal has no canonical event)
    # deletes: sales and listings tell nothing, except the GA listing, which still cannot be read
    [GA],
    *([_package(k, deleted=True, name=PACKAGES[k]["name"] + " *")] for k in (K1, K2, K3)),
    *(
        [_level(n, deleted=True, name=PRICE_LEVELS[n]["name"] + " *")] if n != 2 else [JPY]
        for n in (1, 2, 3, 4, 5)
    ),
]
# the insert of L4 yields two events from one change: one output entry
EXPECTED[11:13] = [EXPECTED[11] + EXPECTED[12]]


def _write(conn: Any) -> int:
    tables = describe_tables(pricing.SYSTEM)
    count = 0

    def commit(*statements: tuple[str, tuple[Any, ...]]) -> None:
        nonlocal count
        for sql, params in statements:
            conn.execute(sql, params)
        conn.commit()
        count += 1

    for case in cases.CASES:
        table = tables[case.table]
        columns = list(case.row)
        values = tuple(Jsonb(v) if table.column(c).type == "JSONB" else v for c, v in case.row.items())
        commit(
            (
                f"INSERT INTO {case.table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                values,
            )
        )
    levels = [c.row["price_level_id"] for c in cases.CASES if c.table == "pricing.price_level"]
    packages = [c.row["package_id"] for c in cases.CASES if c.table == "pricing.package"]
    commit(
        *(
            ("UPDATE pricing.price_level SET level_name = level_name || ' *' WHERE price_level_id = %s", (n,))
            for n in levels
        )
    )
    commit(
        *(
            ("UPDATE pricing.package SET package_name = package_name || ' *' WHERE package_id = %s", (k,))
            for k in packages
        )
    )
    commit(("UPDATE resale.listing SET ask_amount = 190.00 WHERE listing_id = %s", (L1,)))
    commit(
        (
            "UPDATE resale.listing SET status = 'withdrawn', updated_at = '2026-03-09T12:00:00Z' WHERE listing_id = %s",
            (L1,),
        )
    )
    commit(
        (
            "UPDATE resale.sale SET status = 'reversed', reversed_at = now() WHERE sale_id = %s",
            ("00000000-0000-4000-8000-00000000c001",),
        )
    )
    commit(
        *(
            ("DELETE FROM resale.sale WHERE sale_id = %s", (c.row["sale_id"],))
            for c in cases.CASES
            if c.table == "resale.sale"
        )
    )
    commit(
        *(
            ("DELETE FROM resale.listing WHERE listing_id = %s", (c.row["listing_id"],))
            for c in cases.CASES
            if c.table == "resale.listing"
        )
    )
    commit(*(("DELETE FROM pricing.package WHERE package_id = %s", (k,)) for k in packages))
    commit(*(("DELETE FROM pricing.price_level WHERE price_level_id = %s", (n,)) for n in levels))
    commit(("DELETE FROM public.dbz_signal", ()))
    return count


def _outputs(
    records: list[RawRecord], narrowed: bool = True
) -> tuple[list[list[tuple[Any, ...]]], list[Any]]:
    adapter = pricing.adapter(pepper=PEPPER)
    # as the runtime decodes: only the columns the adapter reads (narrowed=False: every column)
    decoder = DebeziumDecoder(options=DECODE_OPTIONS, columns=adapter.columns_read if narrowed else None)
    decoded = [
        decoder.decode(r.value, key=r.key, topic=r.topic, partition=r.partition, offset=r.offset)
        for r in records
    ]
    changes = sorted((d for d in decoded if isinstance(d, ChangeEvent)), key=lambda c: c.source.position.lsn)  # type: ignore[union-attr]
    outputs, events = [], []
    seen: set[tuple[Any, ...]] = set()
    for change in changes:
        out = adapter.handle(change)
        # a sink keeps one copy per id: a change sent twice (a connector task restarted by a Connect rebalance)
        # is one output here too
        signature = (*(e.id for e in out.events), *(str(f.position) for f in out.failures))
        if out and signature not in seen:
            seen.add(signature)
            for event in out.events:
                assert decode_event(encode_event(event)) == event
            outputs.append(
                [(e.type.value, e.key, e.deleted, json.loads(encode_event(e))["data"]) for e in out.events]
                + [("!" + type(f).__name__, (f.table or "").split(".")[-1], f.column) for f in out.failures]
            )
            events.extend(out.events)
    return outputs, events


def test_pricing_golden_cases_map_to_the_expected_events(
    stack_settings: StackSettings, tmp_path: Path
) -> None:
    with pricing_capture(stack_settings, tmp_path) as capture:
        with capture.connection() as conn:
            transactions = _write(conn)
        records = capture.read_transactions(transactions)
    outputs, events = _outputs(records)
    assert len(outputs) == len(EXPECTED)
    for got, want in zip(outputs, EXPECTED, strict=True):
        assert got == want
    assert len({e.id for e in events}) == len(events)
    # replayed: the same ids; decoding every column maps to the same events
    again, replayed = _outputs(records, narrowed=False)
    assert again == outputs
    assert [e.id for e in replayed] == [e.id for e in events]
    assert all(e.source.system == "pricing" and e.source.schema in ("pricing", "resale") for e in events)
