"""An adapter's saved state, loaded into a fresh adapter, makes it map the rest of a stream exactly as the
adapter that saw the whole stream does; a fresh adapter without it maps the rest differently (the control that
shows the state matters). Bounded lookups keep their eviction order, completed transactions stay completed,
and foreign, other-version or damaged states are refused. Records go through the real decoder; expected values
are written out by hand."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest

from legacy_adapters import box_office, crm, pricing
from legacy_adapters.box_office.mapper import BoxOfficeAdapter
from legacy_adapters.box_office.state import BoxOfficeState, EventInfo, OrderInfo, SeatInfo
from legacy_adapters.mapping.transactions import TransactionBuffer
from legacy_adapters.pricing.resale import ListingInfo
from pipelines.canonical import SeatRef, encode_event
from pipelines.debezium import ChangeEvent, DebeziumDecoder, DebeziumRecord
from pipelines.debezium.capture import DECODE_OPTIONS
from pipelines.debezium.encoder import decimal_field, field
from pipelines.debezium.records import change_event
from pipelines.mapping import Adapter, AdapterStateError, Mapped, MissingReferenceError
from tests.legacy_adapters.test_box_office_orders import HEADER, HOLD
from tests.legacy_adapters.test_captured_hashes import LISTING
from tests.legacy_adapters.test_crm_sqlserver import GRANT, TIER, _grant, sqlserver
from tests.legacy_adapters.wire import EVENT_1042, PEPPER, VENUE_NY, BoxOfficeWire, Tx, seat_row

Stream = list[DebeziumRecord]


def feed(adapter: Adapter, records: Stream) -> Mapped:
    out = Mapped()
    for record in records:
        out.extend(adapter.handle(record))
    return out


def outcome(out: Mapped) -> tuple[list[bytes], list[tuple[Any, ...]]]:
    """Everything a result says: the encoded events, each failure's class, message, record and position."""
    failures = [(type(f).__name__, str(f), f.record, f.position) for f in out.failures]
    return [encode_event(e) for e in out.events], failures


def missing(out: Mapped) -> list[tuple[str, str]]:
    """(entity, ref) of each failure, all of which must be missing references."""
    assert all(isinstance(f, MissingReferenceError) for f in out.failures), out.failures
    return [(f.entity, f.ref) for f in out.failures if isinstance(f, MissingReferenceError)]


def resumed(make: Any, first: Stream, rest: Stream) -> tuple[Mapped, Mapped, Mapped]:
    """The rest as mapped by the adapter that saw everything, by a fresh one loaded with its state after the
    first part, and by a fresh one without it."""
    original = make()
    feed(original, first)
    assert original.pending() == ()
    saved = original.save_state()
    restored = make()
    restored.load_state(saved)
    assert restored.save_state() == saved  # nothing lost or reordered on the way
    out = feed(original, rest), feed(restored, rest), feed(make(), rest)
    assert original.pending() == restored.pending() == ()
    return out


def _seat(number: str) -> dict[str, str]:
    return {"section": "101", "row": "C", "seat": number}


# -- box office ------------------------------------------------------------------------------------------------
OLD_ORDER = {**HEADER, "ORD_ID": 7000, "ORD_NO": "WEB000007000"}
CHARGEBACK = {
    "CHGBK_ID": 9, "ORD_ID": 7000, "RSN_CD": "13.1", "CHGBK_AMT": 12500, "CURR_CD": "USD", "FRAUD_FLG": 0,
    "DISP_STAT_CD": "O", "RCVD_DT": datetime(2026, 12, 1, 9, 0), "RSLV_DT": None, "NOTE_TXT": None,
}  # fmt: skip


def line(ord_id: int, n: int, seat_id: int, discount: int = 0) -> dict[str, Any]:
    return {
        "ORD_ID": ord_id, "LN_NO": n, "SEAT_ID": seat_id, "PRC_LVL_CD": "P1", "LN_PRC_AMT": 12500,
        "DISC_AMT": discount, "LN_STAT_CD": "A", "TKT_BARCODE": f"0421{ord_id}{n}", "UPD_DT": datetime(2026, 11, 27, 20, 0),
    }  # fmt: skip


def order(wire: BoxOfficeWire, tx: Tx, ord_id: int, *seat_ids: int) -> Stream:
    """An order inserted with one line per seat; the seats' own rows are not in its transaction."""
    header = {**HEADER, "ORD_ID": ord_id, "ORD_NO": f"WEB00000{ord_id}"}
    records: Stream = [wire.change("ORD_HDR", "c", after=header, tx=tx)]
    records += [
        wire.change("ORD_LN", "c", after=line(ord_id, n, s), tx=tx) for n, s in enumerate(seat_ids, 1)
    ]
    return [*records, wire.end(tx)]


def box_office_stream() -> tuple[Stream, Stream, Stream]:
    """(first part, rest, the completed cart transaction of the first part)."""
    wire = BoxOfficeWire()
    tx = Tx("0-1-400")
    cart: Stream = [
        wire.change("SEAT_INV", "u", before=seat_row(13, "3"), after=seat_row(13, "3", SEAT_STAT_CD="H", **HOLD), tx=tx),
        wire.end(tx),
    ]  # fmt: skip
    first: Stream = [
        wire.read("VENUE", VENUE_NY),
        wire.read("EVT_MASTER", EVENT_1042),
        wire.read("SEAT_INV", seat_row(11, "1")),
        wire.read("SEAT_INV", seat_row(12, "2")),
        wire.read("ORD_HDR", OLD_ORDER),
        *cart,
    ]
    rest: Stream = [
        *order(wire, Tx("0-1-500"), 7001, 11, 12),  # the seats' labels come from the first part
        wire.change("ORD_CHGBK", "c", after=CHARGEBACK),  # so do order 7000's number and event
        *cart,  # delivered again after the restart: already mapped
        wire.read("SEAT_INV", seat_row(14, "4", EVT_ID=5555)),  # an event nobody has seen
    ]
    return first, rest, cart


def test_a_box_office_adapter_resumes_from_its_saved_state() -> None:
    first, rest, _ = box_office_stream()
    original, restored, fresh = resumed(lambda: box_office.adapter(pepper=PEPPER), first, rest)
    assert outcome(restored) == outcome(original)
    assert [(e.type.value, e.key) for e in original.events] == [
        ("order.placed", "order:WEB000007001"),
        ("chargeback.filed", "chargeback:9"),
    ]
    placed = json.loads(encode_event(original.events[0]))["data"]
    assert [(ln["line_no"], ln["seat"]) for ln in placed["lines"]] == [(1, _seat("1")), (2, _seat("2"))]
    filed = json.loads(encode_event(original.events[1]))["data"]
    assert (filed["order_id"], filed["filed_at"]) == ("WEB000007000", "2026-12-01T14:00:00Z")  # New York zone
    assert missing(original) == [("event", "5555")]
    # without the state: seats, orders and events unknown, and the cart transaction mapped a second time
    assert fresh.events == []
    assert missing(fresh) == [("seat", "11"), ("order", "7000"), ("event", "1042"), ("event", "5555")]


def test_bounded_lookups_keep_their_order_and_the_loading_adapters_limit() -> None:
    wire = BoxOfficeWire()

    def make(max_seats: int) -> BoxOfficeAdapter:
        return BoxOfficeAdapter(pepper=PEPPER, state=BoxOfficeState(max_seats=max_seats))

    original = make(3)
    seats = [wire.read("SEAT_INV", seat_row(n, str(n))) for n in (1, 2, 3)]
    again = wire.read("SEAT_INV", seat_row(1, "1"))  # seen again: the newest, so seat 2 is the oldest
    feed(original, [wire.read("VENUE", VENUE_NY), wire.read("EVT_MASTER", EVENT_1042), *seats, again])
    assert list(original.state.seats) == [2, 3, 1]
    saved = original.save_state()

    restored = make(3)
    restored.load_state(saved)
    assert list(restored.state.seats) == [2, 3, 1]
    fourth = wire.read("SEAT_INV", seat_row(4, "4"))
    for adapter in (original, restored):
        feed(adapter, [fourth])
        assert list(adapter.state.seats) == [3, 1, 4]  # the same oldest entry went
    # an order of the evicted seat fails alike; one of a seat still known is placed alike
    lost, kept = order(wire, Tx("0-1-600"), 7002, 2), order(wire, Tx("0-1-601"), 7003, 1)
    for records in (lost, kept):
        a, b = feed(original, records), feed(restored, records)
        assert outcome(a) == outcome(b)
    assert missing(feed(make(3), lost)) == [("seat", "2")]

    smaller, larger = make(2), make(5)
    smaller.load_state(saved)
    larger.load_state(saved)
    assert list(smaller.state.seats) == [3, 1]  # its own limit: the oldest beyond it went
    feed(larger, [fourth, wire.read("SEAT_INV", seat_row(5, "5")), wire.read("SEAT_INV", seat_row(6, "6"))])
    assert list(larger.state.seats) == [3, 1, 4, 5, 6]


def test_a_transaction_completed_before_the_save_stays_completed_after_the_load() -> None:
    first, _, cart = box_office_stream()
    setup = first[:2]
    original = box_office.adapter(pepper=PEPPER)
    assert [e.type.value for e in feed(original, first).events] == [
        "venue.changed",
        "event.changed",
        "seat.changed",
        "seat.changed",
        "seat.changed",
        "hold.placed",
    ]
    restored = box_office.adapter(pepper=PEPPER)
    restored.load_state(original.save_state())
    change, end = cart
    assert not restored.handle(change) and restored.pending() == ()  # not held: known as done
    assert not restored.handle(end)
    # the control: an adapter that knows the event but not the transaction maps it again
    fresh = box_office.adapter(pepper=PEPPER)
    feed(fresh, setup)
    assert [e.type.value for e in feed(fresh, cart).events] == ["seat.changed", "hold.placed"]


def test_the_completed_transactions_kept_are_the_newest_the_buffer_remembers() -> None:
    buffer = TransactionBuffer(lambda collection: None, remember_completed=2)
    buffer.remember(["t1", "t2", "t3"])
    assert buffer.completed() == ["t2", "t3"]


# -- pricing ---------------------------------------------------------------------------------------------------
A = "6f9619ff-8b86-d011-b42d-00c04fc964ff"
B = "a3c1e5b2-7d4f-4e6a-9b8c-0d1e2f3a4b5c"
L1, L2, L9 = (f"00000000-0000-4000-8000-00000000a00{n}" for n in (1, 2, 9))
SALE = [
    field("sale_id", "string", logical="io.debezium.data.Uuid", version=1),
    field("listing_id", "string", logical="io.debezium.data.Uuid", version=1),
    field("buyer_account_id", "string", logical="io.debezium.data.Uuid", version=1),
    decimal_field("sale_amount", 12, 2),
    decimal_field("buyer_fee_amount", 12, 2),
    decimal_field("seller_payout_amount", 12, 2),
    field("currency", "string"),
    field("sold_at", "string", logical="io.debezium.time.ZonedTimestamp", version=1),
]


class PricingWire:
    """Decoded ``resale`` changes as the PostgreSQL connector writes them; LSNs rise with every change."""

    def __init__(self) -> None:
        self.lsn = 185432336
        self.decoder = DebeziumDecoder(options=DECODE_OPTIONS)

    def change(self, table: str, fields: list[dict[str, Any]], op: str, **rows: Any) -> ChangeEvent:
        self.lsn += 64
        value = change_event(
            connector="postgresql", topic_prefix="pricing", database="pricing", schema="resale", table=table,
            op=op, row_fields=fields, position={"lsn": self.lsn, "txId": self.lsn // 64}, ts_ms=1795831200000,
            **rows,
        )  # fmt: skip
        event = self.decoder.decode(value, topic=f"pricing.resale.{table}", partition=0, offset=self.lsn)
        assert isinstance(event, ChangeEvent)
        return event


def listing(listing_id: str, seat_ref: str, seller: str, status: str = "active") -> dict[str, Any]:
    return {
        "listing_id": listing_id, "event_ref": "BO-1042", "seat_ref": seat_ref, "seller_account_id": seller,
        "origin_order_no": None, "ask_amount": Decimal("180.00"), "face_amount": None, "currency": "USD",
        "status": status, "listing_attrs": "{}", "listed_at": "2026-11-28T02:00:00.000000Z", "expires_at": None,
        "updated_at": "2026-11-28T03:00:00.000000Z", "deleted_at": None,
    }  # fmt: skip


def sale(sale_id: str, listing_id: str) -> dict[str, Any]:
    return {
        "sale_id": sale_id, "listing_id": listing_id, "buyer_account_id": B, "sale_amount": Decimal("180.00"),
        "buyer_fee_amount": Decimal("9.00"), "seller_payout_amount": Decimal("171.00"), "currency": "USD",
        "sold_at": "2026-11-28T04:00:00.000000Z",
    }  # fmt: skip


def test_a_pricing_adapter_resumes_from_its_saved_state() -> None:
    wire = PricingWire()
    first: Stream = [
        wire.change("listing", LISTING, "c", after=listing(L1, "101:C:1", A)),
        wire.change("listing", LISTING, "c", after=listing(L2, "101:C:2", B)),
    ]
    rest: Stream = [
        wire.change("sale", SALE, "c", after=sale("00000000-0000-4000-8000-00000000c001", L1)),
        wire.change(
            "listing",
            LISTING,
            "u",
            before=listing(L2, "101:C:2", B),
            after=listing(L2, "101:C:2", B, "withdrawn"),
        ),
        wire.change("sale", SALE, "c", after=sale("00000000-0000-4000-8000-00000000c002", L9)),
    ]
    original, restored, fresh = resumed(lambda: pricing.adapter(pepper=PEPPER), first, rest)
    assert outcome(restored) == outcome(original)
    assert [(e.type.value, e.key) for e in original.events] == [
        ("resale.sold", f"listing:{L1}"),
        ("resale.delisted", f"listing:{L2}"),
    ]
    sold = json.loads(encode_event(original.events[0]))["data"]
    assert (sold["event_id"], sold["seat"], sold["seller_customer_id"]) == ("BO-1042", _seat("1"), A)
    assert missing(original) == [("listing", L9)]
    assert [e.type.value for e in fresh.events] == ["resale.delisted"]  # needs no lookup
    assert missing(fresh) == [("listing", L1), ("listing", L9)]


# -- CRM -------------------------------------------------------------------------------------------------------
def tier(tier_id: int, code: str) -> dict[str, Any]:
    return {
        "TierId": tier_id, "TierCode": code, "TierName": code.title(), "PresalePriority": tier_id,
        "PresaleLeadHours": 48, "AnnualFee": Decimal("49.9900"), "IsActive": True, "CreatedAt": 1546300800000,
    }  # fmt: skip


def test_a_crm_adapter_resumes_from_its_saved_state() -> None:
    first: Stream = [
        sqlserver("FanClubTier", TIER, "r", 0x21, after=tier(1, "GOLD")),
        sqlserver("FanClubTier", TIER, "r", 0x22, after=tier(2, "SILVER")),
    ]
    second = "00000000-0000-0000-0000-00000000E002"
    rest: Stream = [
        sqlserver("PresaleGrant", GRANT, "c", 0x30, after=_grant()),
        sqlserver("FanClubTier", TIER, "d", 0x31, before=tier(2, "SILVER")),
        sqlserver("PresaleGrant", GRANT, "c", 0x32, after=_grant(GrantId=second, TierId=2)),
    ]
    original, restored, fresh = resumed(lambda: crm.adapter(pepper=PEPPER), first, rest)
    assert outcome(restored) == outcome(original)
    (granted,) = original.events
    assert (granted.key, json.loads(encode_event(granted))["data"]["fan_club_tier"]) == (
        "presale-grant:00000000-0000-0000-0000-00000000e001",
        "GOLD",
    )
    assert missing(original) == [("tier", "2")]
    assert fresh.events == []
    assert missing(fresh) == [("tier", "1"), ("tier", "2")]


# -- upgrades ---------------------------------------------------------------------------------------------------
FIXTURES = Path(__file__).parent / "fixtures"


def test_a_box_office_state_of_version_1_loads_into_the_current_adapter() -> None:
    """The fixture is what the version-1 adapter saved (seat 11 seen again after 12 and 13, two completed
    transactions); the current adapter holds the same lookups, in the same order, written its own way."""
    adapter = box_office.adapter(pepper=PEPPER)
    adapter.load_state((FIXTURES / "box_office-state-v1.msgpack").read_bytes())
    state = adapter.state
    assert state.venues == {9001: "America/New_York"}
    assert state.events == {1042: EventInfo(9001, "USD")}
    assert list(state.orders.items()) == [
        (7001, OrderInfo("WEB000007001", 1042, "6f9619ff-8b86-d011-b42d-00c04fc964ff")),
        (7002, OrderInfo("WEB000007002", 1042, None)),
    ]
    assert list(state.seats.items()) == [
        (12, SeatInfo(1042, "101", "C", "2")),
        (13, SeatInfo(1042, "101", "C", "3")),
        (11, SeatInfo(1042, "101", "C", "1")),
    ]
    saved = msgspec.msgpack.decode(adapter.save_state())
    assert (saved["version"], saved["completed"]) == (2, ["0-1-5", "0-1-6"])


def test_a_pricing_state_of_version_1_loads_into_the_current_adapter() -> None:
    adapter = pricing.adapter(pepper=PEPPER)
    adapter.load_state((FIXTURES / "pricing-state-v1.msgpack").read_bytes())
    assert list(adapter.resale.listings.items()) == [
        ("00000000-0000-4000-8000-000000000001", ListingInfo("PR-77", SeatRef(section="A", row="1", seat="2"), "seller-digest-1")),
        ("00000000-0000-4000-8000-000000000002", ListingInfo("PR-77", SeatRef(section="A", row="1", seat="3"), "seller-digest-2")),
    ]  # fmt: skip


# -- refusals --------------------------------------------------------------------------------------------------
def test_a_state_is_loaded_only_by_an_adapter_of_its_system() -> None:
    saved = box_office.adapter(pepper=PEPPER).save_state()
    for other in (pricing.adapter(pepper=PEPPER), crm.adapter(pepper=PEPPER)):
        with pytest.raises(AdapterStateError, match="box_office"):
            other.load_state(saved)


def test_a_state_of_another_version_is_refused() -> None:
    first, _, _ = box_office_stream()
    adapter = box_office.adapter(pepper=PEPPER)
    feed(adapter, first)
    envelope = msgspec.msgpack.decode(adapter.save_state())
    assert isinstance(envelope, dict)
    for version in (envelope["version"] + 1, 0):  # newer, or older than any it migrates
        envelope["version"] = version
        with pytest.raises(AdapterStateError, match=f"version {version}, this adapter reads version 2 "):
            box_office.adapter(pepper=PEPPER).load_state(msgspec.msgpack.encode(envelope))


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"\x93not a state",
        b'{"format": "inventory-cdc/adapter-state"}',
        msgspec.msgpack.encode({"format": "something-else", "system": "box_office", "version": 1}),
        msgspec.msgpack.encode(
            {"format": "inventory-cdc/adapter-state", "system": "box_office", "version": 1, "completed": []}
        ),
    ],
)
def test_bytes_that_are_no_adapter_state_are_refused(garbage: bytes) -> None:
    with pytest.raises(AdapterStateError):
        box_office.adapter(pepper=PEPPER).load_state(garbage)


@pytest.mark.parametrize(
    ("part", "damaged"),
    [
        ("lookups", {"venues": {}, "events": {}, "orders": [], "seats": "none"}),
        ("lookups", {"venues": {}, "events": {}, "orders": [], "seats": [[1, {"evt_id": 1042, "seat": {
            "section": "", "row": "C", "seat": "1"}}]]}),  # an empty label no seat has
        ("lookups", {"venues": {"9001": "America/New_York"}, "events": {}, "orders": [], "seats": []}),
        ("completed", [1, 2]),
    ],
)  # fmt: skip
def test_damaged_contents_are_refused_and_leave_the_adapter_as_it_was(part: str, damaged: Any) -> None:
    first, _, _ = box_office_stream()
    adapter = box_office.adapter(pepper=PEPPER)
    feed(adapter, first)
    before = adapter.save_state()
    envelope = msgspec.msgpack.decode(before)
    assert isinstance(envelope, dict) and part in envelope
    envelope[part] = damaged
    with pytest.raises(AdapterStateError, match="malformed"):
        adapter.load_state(msgspec.msgpack.encode(envelope))
    assert adapter.save_state() == before


def test_a_state_is_not_saved_while_a_transaction_is_held() -> None:
    wire = BoxOfficeWire()
    adapter = box_office.adapter(pepper=PEPPER)
    feed(adapter, [wire.read("VENUE", VENUE_NY), wire.read("EVT_MASTER", EVENT_1042)])
    tx = Tx("0-1-700")
    held = wire.change(
        "SEAT_INV", "u", before=seat_row(15, "5"), after=seat_row(15, "5", SEAT_STAT_CD="H", **HOLD), tx=tx
    )
    assert not adapter.handle(held) and adapter.pending() != ()
    with pytest.raises(AdapterStateError, match="1 source transaction"):
        adapter.save_state()
    assert [e.type.value for e in adapter.handle(wire.end(tx)).events] == ["seat.changed", "hold.placed"]
    adapter.save_state()  # complete now: nothing held
