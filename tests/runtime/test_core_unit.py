"""The normalizer core without a stack: raw box-office records (value and key bytes as the MariaDB connector
writes them, built with :mod:`pipelines.debezium.records`) handed to a :class:`SystemNormalizer` driving the
real box-office adapter, with a hand-wound clock.

Covered: transactions split over topics in any interleaving, held records and clean cuts, the lowest unsafe
offset per partition, duplicates, dead letters (undecodable, oversized, keyless, unmappable) with their
coordinates, parking with its timeout, the stall flush, ``emit=False``, ``handle_alone``, the gate's barrier,
dead-letter round trips and routes. Expected values are written out by hand; ids are only compared between
runs."""

from __future__ import annotations

import dataclasses
import hashlib
import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
import pytest

from legacy_adapters import box_office
from legacy_adapters.box_office.tables import SPECS
from pipelines.canonical import CanonicalEvent
from pipelines.debezium.encoder import field
from pipelines.debezium.records import key_record, transaction_record
from pipelines.mapping import AdapterStateError
from pipelines.runtime import (
    Output,
    Policy,
    Route,
    Router,
    SourceRecord,
    SystemNormalizer,
    decode_dead_letter,
    encode_dead_letter,
)
from pipelines.runtime.deadletter import DeadLetter, source_record
from pipelines.runtime.routes import route
from tests.legacy_adapters.test_box_office_orders import CLEARED, HEADER, HOLD, _line
from tests.legacy_adapters.wire import (
    COMMIT_MS,
    EVENT_1042,
    FIELDS,
    PEPPER,
    VENUE_NY,
    BoxOfficeWire,
    Tx,
    _wire_row,
    seat_row,
)

VENUES = "box_office.boxoffice.VENUE"
EVENTS = "box_office.boxoffice.EVT_MASTER"
SEATS = "box_office.boxoffice.SEAT_INV"
HEADERS = "box_office.boxoffice.ORD_HDR"
LINES = "box_office.boxoffice.ORD_LN"
CHARGEBACKS = "box_office.boxoffice.ORD_CHGBK"
TXS = "box_office.transaction"

ROUTE = route(
    "box_office",
    "box_office",
    [f"box_office.boxoffice.{t}" for t in (*box_office.TABLES, box_office.SIGNAL_TABLE)],
    lambda: box_office.adapter(pepper=PEPPER),
)
KEYS = {spec.name: spec.key for spec in SPECS} | {box_office.SIGNAL_TABLE: ("id",)}
MISSING_EVENT_1042 = "event 1042 has not been seen: its venue (time zone) and currency are unknown"


class Clock:
    """A monotonic clock the test winds by hand."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Feed:
    """Raw box-office records (key and value bytes), each at the next offset of its topic's partition 0."""

    def __init__(self) -> None:
        self.wire = BoxOfficeWire()
        self.offsets: dict[str, int] = {}

    def at(self, topic: str, key: bytes | None, value: bytes | None) -> SourceRecord:
        offset = self.offsets.get(topic, 0)
        self.offsets[topic] = offset + 1
        return SourceRecord(topic, 0, offset, key, value)

    def again(self, record: SourceRecord) -> SourceRecord:
        """The same bytes written once more (Debezium delivers at least once), at the topic's next offset."""
        return self.at(record.topic, record.key, record.value)

    def key(self, table: str, row: Mapping[str, Any]) -> bytes:
        fields = [f for f in FIELDS[table] if f["field"] in KEYS[table]]
        values = _wire_row(fields, {column: row[column] for column in KEYS[table]})
        return key_record(fields, values or {}, name=f"{self.wire.topic(table)}.Key")

    def change(
        self,
        table: str,
        op: str,
        *,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        tx: Tx | None = None,
        snapshot: str = "false",
    ) -> SourceRecord:
        row = after if after is not None else before
        assert row is not None
        value = self.wire.raw(table, op, before=before, after=after, tx=tx, snapshot=snapshot)
        return self.at(self.wire.topic(table), self.key(table, row), value)

    def read(self, table: str, row: Mapping[str, Any]) -> SourceRecord:
        """A snapshot read: no transaction block."""
        return self.change(table, "r", after=row, snapshot="true")

    def end(self, tx: Tx, status: str = "END") -> SourceRecord:
        key = key_record(
            [field("id", "string")], {"id": tx.id}, name="io.debezium.connector.common.TransactionMetadataKey"
        )
        counts = dict(tx.per_table) if status == "END" else None
        return self.at(TXS, key, transaction_record(status, tx.id, COMMIT_MS, data_collections=counts))

    # -- box-office scenes ------------------------------------------------------------------------------------
    def setup(self) -> list[SourceRecord]:
        """Snapshot reads of venue 9001 and event 1042."""
        return [self.read("VENUE", VENUE_NY), self.read("EVT_MASTER", EVENT_1042)]

    def hold(self, tx: Tx, seat_id: int, number: str, **row: Any) -> SourceRecord:
        """A cart (``cart-77`` unless ``row`` names another ``HOLD_TOKEN``) takes an available seat of row C."""
        return self.change(
            "SEAT_INV",
            "u",
            before=seat_row(seat_id, number, **row),
            after=seat_row(seat_id, number, SEAT_STAT_CD="H", **{**HOLD, **row}),
            tx=tx,
        )

    def unhold(self, tx: Tx, seat_id: int, number: str) -> SourceRecord:
        """Cart ``cart-77`` gives a seat back."""
        return self.change(
            "SEAT_INV",
            "u",
            before=seat_row(seat_id, number, SEAT_STAT_CD="H", **HOLD),
            after=seat_row(seat_id, number),
            tx=tx,
        )

    def order(self, tx: Tx) -> list[SourceRecord]:
        """Order WEB000007001 (id 7001) of seats 11, 12 and 13 held by ``cart-77``: 7 changes and the END."""
        records = [self.change("ORD_HDR", "c", after=HEADER, tx=tx)]
        records += [
            self.change("ORD_LN", "c", after=_line(n, seat_id, discount), tx=tx)
            for n, seat_id, discount in ((1, 11, 0), (2, 12, 1500), (3, 13, 0))
        ]
        for seat_id, number in ((11, "1"), (12, "2"), (13, "3")):
            records.append(
                self.change(
                    "SEAT_INV",
                    "u",
                    before=seat_row(seat_id, number, SEAT_STAT_CD="H", **HOLD),
                    after=seat_row(seat_id, number, SEAT_STAT_CD="S", ORD_ID=7001, **CLEARED),
                    tx=tx,
                )
            )
        records.append(self.end(tx))
        return records


def edited(record: SourceRecord, **after: Any) -> SourceRecord:
    """``record`` with columns of its ``after`` row overwritten on the wire (same coordinates and key)."""
    value = orjson.loads(record.value or b"")
    value["payload"]["after"].update(after)
    return dataclasses.replace(record, value=orjson.dumps(value))


def assert_missing_event_1042(letter: DeadLetter, seat: SourceRecord) -> None:
    """``letter`` blames ``seat`` (offset 0 of the seat topic) for naming event 1042, which was never read."""
    assert (letter.error, letter.retryable, letter.reason, letter.table, letter.column) == (
        "MissingReferenceError",
        True,
        MISSING_EVENT_1042,
        "boxoffice.SEAT_INV",
        "EVT_ID",
    )
    assert (letter.topic, letter.partition, letter.offset, letter.value) == (SEATS, 0, 0, seat.value)


def normalizer(policy: Policy | None = None, clock: Clock | None = None) -> SystemNormalizer:
    return SystemNormalizer(ROUTE, policy=policy, clock=clock or Clock())


def brief(event: CanonicalEvent) -> tuple[str, str, str]:
    """(type, key, what matters here): a seat's status, a hold's status and seats, an order's seats."""
    data: Any = event.data
    detail = ""
    if event.type.value == "seat.changed":
        detail = data.status.value
    elif event.type.value.startswith("hold."):
        detail = f"{data.status.value} {','.join(s.seat for s in data.seats)}"
    elif event.type.value == "order.placed":
        detail = ",".join(line.seat.seat for line in data.lines)
    return event.type.value, event.key, detail


def briefs(out: Output) -> list[tuple[str, str, str]]:
    return [brief(e) for e in out.events]


def run(n: SystemNormalizer, records: Iterable[SourceRecord], emit: bool = True) -> Output:
    for record in records:
        n.handle(record, emit)
    return n.take()


SETUP_EVENTS = [
    ("venue.changed", "venue:9001", ""),
    ("event.changed", "event:BO-1042", ""),
]
HOLD_EVENTS = [
    ("seat.changed", "seat:BO-1042:101:C:1", "held"),
    ("hold.placed", "hold:cart-77", "placed 1,2"),
    ("seat.changed", "seat:BO-1042:101:C:2", "held"),
]
"""Cart ``cart-77`` holding seats 1 and 2 of row C (seat ids 21 and 22)."""
ORDER_EVENTS = [
    ("order.placed", "order:WEB000007001", "1,2,3"),
    ("seat.changed", "seat:BO-1042:101:C:1", "sold"),
    ("hold.released", "hold:cart-77", "converted 1,2,3"),
    ("seat.changed", "seat:BO-1042:101:C:2", "sold"),
    ("seat.changed", "seat:BO-1042:101:C:3", "sold"),
]


# -- transactions, clean cuts, held offsets ------------------------------------------------------------------
def test_a_cart_hold_is_held_until_its_end_and_clean_only_between_transactions() -> None:
    feed = Feed()
    tx = Tx("0-1-500")
    records = [*feed.setup(), feed.hold(tx, 21, "1"), feed.hold(tx, 22, "2"), feed.end(tx)]
    n = normalizer()
    steps = []
    for record in records:
        n.handle(record)
        steps.append((n.is_clean(), sorted(n.open_transactions()), briefs(n.take())))
    assert steps == [
        (True, [], [("venue.changed", "venue:9001", "")]),
        (True, [], [("event.changed", "event:BO-1042", "")]),
        (False, ["0-1-500"], []),
        (False, ["0-1-500"], []),
        (
            True,
            [],
            [
                ("seat.changed", "seat:BO-1042:101:C:1", "held"),
                ("hold.placed", "hold:cart-77", "placed 1,2"),
                ("seat.changed", "seat:BO-1042:101:C:2", "held"),
            ],
        ),
    ]
    assert n.held() == {} and n.parked() == {}
    assert (n.counters.records, n.counters.events, n.counters.dead_letters) == (5, 5, 0)
    assert n.counters.last_source_ms == COMMIT_MS


def _interleavings(streams: dict[str, list[SourceRecord]], seeds: Sequence[int]) -> list[list[SourceRecord]]:
    """Orders a consumer reading the topics side by side can see: each topic in order, topics mixed at random;
    plus the END first, the END last and topic after topic."""
    orders = []
    for seed in seeds:
        rng = random.Random(seed)
        heads = {topic: list(records) for topic, records in streams.items()}
        order: list[SourceRecord] = []
        while heads:
            topic = rng.choice(sorted(heads))
            order.append(heads[topic].pop(0))
            if not heads[topic]:
                del heads[topic]
        orders.append(order)
    tables = [r for topic in (SEATS, HEADERS, LINES) for r in streams[topic]]
    orders.append([*streams[TXS], *tables])
    orders.append([*tables, *streams[TXS]])
    orders.append([r for topic in (LINES, TXS, SEATS, HEADERS) for r in streams[topic]])
    return orders


def test_an_order_split_over_four_topics_gives_the_same_events_in_any_interleaving() -> None:
    feed = Feed()
    setup = feed.setup()
    order = feed.order(Tx("0-1-700"))
    streams: dict[str, list[SourceRecord]] = {}
    for record in order:
        streams.setdefault(record.topic, []).append(record)
    assert {t: [r.offset for r in rs] for t, rs in streams.items()} == {
        HEADERS: [0],
        LINES: [0, 1, 2],
        SEATS: [0, 1, 2],
        TXS: [0],
    }
    interleavings = _interleavings(streams, seeds=range(12))
    assert len({tuple(r.coordinates for r in o) for o in interleavings}) == 15  # all different
    ids = []
    for interleaving in interleavings:
        n = normalizer()
        assert briefs(run(n, setup)) == SETUP_EVENTS
        for i, record in enumerate(interleaving):
            n.handle(record)
            if i < len(interleaving) - 1:
                # nothing leaves and nothing is clean before the last record of the transaction
                assert not n.out and not n.is_clean(), (i, record.coordinates)
        out = n.take()
        assert briefs(out) == ORDER_EVENTS
        assert out.dead_letters == []
        assert n.is_clean() and n.held() == {} and n.open_transactions() == set()
        ids.append([e.id for e in out.events])
    assert all(run_ids == ids[0] for run_ids in ids)
    assert len(set(ids[0])) == 5


def _two_transactions(feed: Feed) -> tuple[list[SourceRecord], list[SourceRecord]]:
    """Order 7001 (transaction A, committed first) and a hold of seats 21 and 22 by another cart (B)."""
    order = feed.order(Tx("0-1-700"))
    header, lines, seats, end_a = order[0], order[1:4], order[4:7], order[7]
    tx_b = Tx("0-1-701")
    hold_b = [feed.hold(tx_b, 21, "4", HOLD_TOKEN="cart-88"), feed.hold(tx_b, 22, "5", HOLD_TOKEN="cart-88")]
    end_b = feed.end(tx_b)
    a = [header, *lines, *seats, end_a]
    return a, [*hold_b, end_b]


B_EVENTS = [
    ("seat.changed", "seat:BO-1042:101:C:4", "held"),
    ("hold.placed", "hold:cart-88", "placed 4,5"),
    ("seat.changed", "seat:BO-1042:101:C:5", "held"),
]


def test_a_later_transaction_that_completes_first_waits_for_the_earlier_one() -> None:
    feed = Feed()
    setup = feed.setup()
    a, b = _two_transactions(feed)
    header, line1, line2, line3, seat1, seat2, seat3, end_a = a
    n = normalizer()
    run(n, setup)
    # B is complete (both seats and its END) before A's last order line arrives
    before = run(n, [seat1, seat2, seat3, *b[:2], header, line1, line2, end_a, b[2]])
    assert before.events == [] and before.dead_letters == []
    assert n.open_transactions() == {"0-1-700", "0-1-701"}
    assert briefs(run(n, [line3])) == ORDER_EVENTS + B_EVENTS
    assert n.is_clean()


def test_held_names_the_lowest_unsafe_offset_of_each_partition() -> None:
    feed = Feed()
    setup = feed.setup()
    a, b = _two_transactions(feed)
    header, line1, line2, line3, seat1, seat2, seat3, end_a = a
    hold4, hold5, end_b = b
    assert [r.offset for r in (seat1, seat2, seat3, hold4, hold5)] == [0, 1, 2, 3, 4]
    assert (end_a.topic, end_a.offset, end_b.offset) == (TXS, 0, 1)
    n = normalizer()
    run(n, setup)
    steps = []
    for record in (seat1, seat2, end_a, header, hold4, line1, line2, seat3, end_b, line3, hold5):
        n.handle(record)
        steps.append((record.topic.rsplit(".", 1)[1], record.offset, n.held(), n.is_clean()))
    assert steps == [
        ("SEAT_INV", 0, {(SEATS, 0): 0}, False),
        ("SEAT_INV", 1, {(SEATS, 0): 0}, False),
        ("transaction", 0, {(SEATS, 0): 0, (TXS, 0): 0}, False),  # the END waits in the gate
        ("ORD_HDR", 0, {(SEATS, 0): 0, (TXS, 0): 0, (HEADERS, 0): 0}, False),
        ("SEAT_INV", 3, {(SEATS, 0): 0, (TXS, 0): 0, (HEADERS, 0): 0}, False),
        ("ORD_LN", 0, {(SEATS, 0): 0, (TXS, 0): 0, (HEADERS, 0): 0, (LINES, 0): 0}, False),
        ("ORD_LN", 1, {(SEATS, 0): 0, (TXS, 0): 0, (HEADERS, 0): 0, (LINES, 0): 0}, False),
        ("SEAT_INV", 2, {(SEATS, 0): 0, (TXS, 0): 0, (HEADERS, 0): 0, (LINES, 0): 0}, False),
        ("transaction", 1, {(SEATS, 0): 0, (TXS, 0): 0, (HEADERS, 0): 0, (LINES, 0): 0}, False),
        # A is complete and out: what is left is B's first seat and B's END
        ("ORD_LN", 2, {(SEATS, 0): 3, (TXS, 0): 1}, False),
        ("SEAT_INV", 4, {}, True),
    ]
    assert briefs(n.take()) == ORDER_EVENTS + B_EVENTS


def test_a_redelivered_change_is_counted_once_and_a_late_duplicate_maps_to_nothing() -> None:
    feed = Feed()
    setup = feed.setup()
    tx = Tx("0-1-500")
    seat1, seat2, end = feed.hold(tx, 21, "1"), feed.hold(tx, 22, "2"), feed.end(tx)
    n = normalizer()
    run(n, setup)
    out = run(n, [seat1, feed.again(seat1), end])
    assert out.events == [] and not n.is_clean()  # seat 2 is still missing: the copy does not count
    assert n.held() == {(SEATS, 0): 0, (TXS, 0): 0}
    assert briefs(run(n, [seat2])) == HOLD_EVENTS
    late = feed.again(seat2)
    assert late.offset == 3
    out = run(n, [late, feed.again(end)])
    assert out.events == [] and out.dead_letters == []
    assert n.is_clean() and n.held() == {}


def test_a_begin_record_holds_nothing() -> None:
    feed = Feed()
    n = normalizer()
    out = run(n, [feed.end(Tx("0-1-900"), status="BEGIN")])
    assert not out and n.is_clean() and n.held() == {} and n.open_transactions() == set()


def test_transaction_of_names_the_source_transaction_of_changes_and_ends() -> None:
    feed = Feed()
    tx = Tx("0-1-500")
    venue, _ = feed.setup()
    seat, end = feed.hold(tx, 21, "1"), feed.end(tx)
    n = normalizer()
    assert n.transaction_of(seat) == "0-1-500"
    assert n.transaction_of(end) == "0-1-500"
    assert n.transaction_of(venue) is None  # snapshot reads have no transaction
    assert n.transaction_of(dataclasses.replace(seat, value=b"{not json")) is None
    assert n.counters.records == 0 and n.is_clean()  # asking handles nothing


def test_a_record_asked_about_is_decoded_once_when_handled_next() -> None:
    feed = Feed()
    tx = Tx("0-1-500")
    setup = feed.setup()
    seat1, seat2, end = feed.hold(tx, 21, "1"), feed.hold(tx, 22, "2"), feed.end(tx)
    n = normalizer()
    run(n, setup)
    decoded: list[int | None] = []
    decode = n._decoder.decode

    def counting(value: Any, **kw: Any) -> Any:
        decoded.append(kw.get("offset"))
        return decode(value, **kw)

    n._decoder.decode = counting  # type: ignore[method-assign]
    for record in (seat1, seat2, end):
        assert n.transaction_of(record) == "0-1-500"
        n.handle(record)
    assert decoded == [0, 1, 0]  # once each (seats at 0 and 1 of their topic, the END at 0 of its own)
    n.transaction_of(seat1)
    n.handle(feed.again(seat2))  # another record than the one asked about is decoded for itself
    assert decoded == [0, 1, 0, 0, 2]
    assert briefs(n.take()) == HOLD_EVENTS


def test_records_asked_about_and_held_back_are_decoded_once_when_handled_later() -> None:
    # A draining kafka lane asks each record's transaction, holds back those of newer transactions, handles
    # others meanwhile and the held ones when the drain ends: each is decoded once.
    feed = Feed()
    setup = feed.setup()
    first, later = Tx("0-1-500"), Tx("0-1-501")
    seat1, end1 = feed.hold(first, 21, "1"), feed.end(first)
    seat2, end2 = feed.hold(later, 22, "2"), feed.end(later)
    n = normalizer()
    run(n, setup)
    decoded: list[tuple[str, int | None]] = []
    decode = n._decoder.decode

    def counting(value: Any, **kw: Any) -> Any:
        decoded.append((kw["topic"], kw.get("offset")))
        return decode(value, **kw)

    n._decoder.decode = counting  # type: ignore[method-assign]
    held = [seat2]
    assert n.transaction_of(seat2) == "0-1-501"  # held back
    for record in (seat1, end1):
        assert n.transaction_of(record) == "0-1-500"
        n.handle(record)
    assert n.transaction_of(end2) == "0-1-501"
    held.append(end2)
    for record in held:  # the drain ends
        n.handle(record)
    assert sorted(decoded) == sorted({(r.topic, r.offset) for r in (seat1, end1, seat2, end2)})
    assert [e.type for e in n.take().events].count("seat.changed") == 2
    n.transaction_of(feed.hold(Tx("0-1-502"), 23, "3"))
    n.forget_ahead()  # a record left unhandled (behind a parked one) is decoded again when read again
    assert n._ahead == {}


# -- dead letters --------------------------------------------------------------------------------------------
def test_undecodable_records_are_dead_lettered_with_reason_and_coordinates_while_the_rest_flows() -> None:
    feed = Feed()
    setup = feed.setup()
    tx = Tx("0-1-500")
    seat1 = feed.hold(tx, 21, "1")
    truncated = feed.read("SEAT_INV", seat_row(31, "9"))
    truncated = dataclasses.replace(truncated, value=(truncated.value or b"")[:200])
    wrong_type = edited(feed.read("SEAT_INV", seat_row(32, "10")), EVT_ID="BO-1042")
    seat2, end = feed.hold(tx, 22, "2"), feed.end(tx)
    n = normalizer()
    out = run(n, [*setup, seat1, truncated, wrong_type, seat2, end])
    assert briefs(out) == [*SETUP_EVENTS, *HOLD_EVENTS]
    first, second = out.dead_letters
    assert (first.error, first.field, first.reason, first.retryable) == (
        "DecodeError",
        "value",
        "malformed JSON: Input data was truncated",
        False,
    )
    assert (first.system, first.topic, first.partition, first.offset, first.position) == (
        "box_office",
        SEATS,
        0,
        1,
        None,
    )
    assert (first.key, first.value, first.value_inline, first.value_size) == (
        truncated.key,
        truncated.value,
        True,
        200,
    )
    assert (second.error, second.field, second.reason) == (
        "DecodeError",
        "payload.after.EVT_ID",
        "Expected `int | null`, got `str`",
    )
    assert (second.topic, second.partition, second.offset) == (SEATS, 0, 2)
    # the source block could still be read: the letter says where in the binlog the change was
    assert second.position == {
        "kind": "binlog",
        "file": "binlog.000042",
        "pos": 504,
        "row": 0,
        "gtid": None,
        "server_id": 1,
    }
    assert n.is_clean() and n.counters.dead_letters == 2


def test_oversized_values_are_dead_lettered_undecoded_and_the_limit_itself_passes() -> None:
    feed = Feed()
    venue, event = feed.setup()
    size = len(event.value or b"")
    at_limit = normalizer(Policy(max_record_bytes=size))
    assert briefs(run(at_limit, [venue, event])) == SETUP_EVENTS
    below = normalizer(Policy(max_record_bytes=size - 1))
    out = run(below, [venue, event])
    assert briefs(out) == [("venue.changed", "venue:9001", "")]
    (letter,) = out.dead_letters
    assert (letter.error, letter.field, letter.topic, letter.partition, letter.offset) == (
        "OversizedRecordError",
        "value",
        EVENTS,
        0,
        0,
    )
    assert letter.reason == f"record value of {size} bytes exceeds the limit of {size - 1} bytes"
    assert letter.position is None  # refused before decoding


def test_a_row_change_without_a_key_is_dead_lettered_unless_keys_are_not_required() -> None:
    feed = Feed()
    venue, event = feed.setup()
    keyless = dataclasses.replace(event, key=None)
    out = run(normalizer(), [venue, keyless])
    assert briefs(out) == [("venue.changed", "venue:9001", "")]
    (letter,) = out.dead_letters
    assert (letter.error, letter.reason, letter.field, letter.topic, letter.offset, letter.key) == (
        "MissingKeyError",
        "row change without a record key",
        "key",
        EVENTS,
        0,
        None,
    )
    lenient = run(normalizer(Policy(require_keys=False)), [venue, keyless])
    assert briefs(lenient) == SETUP_EVENTS and lenient.dead_letters == []


@pytest.mark.parametrize("end_first", [False, True], ids=["end-last", "end-first"])
def test_a_transacted_change_with_a_missing_reference_is_dead_lettered_under_its_own_coordinates(
    end_first: bool,
) -> None:
    feed = Feed()
    venue, _ = feed.setup()  # event 1042 is never read
    tx = Tx("0-1-500")
    seat, end = feed.hold(tx, 21, "1"), feed.end(tx)
    n = normalizer()
    run(n, [venue, end if end_first else seat])
    n.prune()  # not clean: the raw copy of what is held must survive to be named by its failure
    out = run(n, [seat if end_first else end])
    assert out.events == []
    (letter,) = out.dead_letters
    # not parked (its transaction is complete: nothing more will come), and blamed on the seat, not the END
    assert_missing_event_1042(letter, seat)
    assert n.parked() == {} and n.is_clean()


def test_prune_of_a_large_backlog_keeps_the_raw_copies_of_held_records() -> None:
    feed = Feed()
    venue, _ = feed.setup()  # event 1042 is never read
    tx = Tx("0-1-500")
    seat, end = feed.hold(tx, 21, "1"), feed.end(tx)
    signal = feed.change(
        "DBZ_SIGNAL", "c", after={"id": "sig-1", "type": "log", "data": "{}"}, tx=Tx("0-1-400")
    )  # an ignored table: its records are kept raw, never pending
    n = normalizer()
    run(n, [venue, seat])
    for offset in range(50_000):  # enough raw copies for prune to sort them out
        n.handle(dataclasses.replace(signal, offset=offset))
    assert not n.take()
    n.prune()
    out = run(n, [end])
    assert [(letter.error, letter.topic, letter.offset) for letter in out.dead_letters] == [
        ("MissingReferenceError", SEATS, 0)
    ]
    assert n.held() == {} and n.is_clean()


def test_large_dead_letters_carry_a_reference_and_every_letter_round_trips() -> None:
    feed = Feed()
    venue, event = feed.setup()
    policy = Policy(max_record_bytes=1000, dlq_inline_bytes=500)
    letters = run(normalizer(policy), [venue, event]).dead_letters
    assert [(letter.error, letter.topic, letter.offset) for letter in letters] == [
        ("OversizedRecordError", VENUES, 0),
        ("OversizedRecordError", EVENTS, 0),
    ]
    big = letters[1]
    assert (big.value_inline, big.value, big.value_size) == (False, None, len(event.value or b""))
    assert big.value_sha256 == hashlib.sha256(event.value or b"").hexdigest()
    assert big.key == event.key
    # replay reads the value back from the source topic
    assert source_record(big, event.value) == event
    assert source_record(big) == dataclasses.replace(event, value=None)
    for letter in letters:
        assert decode_dead_letter(encode_dead_letter(letter)) == letter
    # the same poison record handled again (a restart) is the same dead letter
    again = run(normalizer(policy), [venue, event]).dead_letters
    assert [letter.id for letter in again] == [letter.id for letter in letters]
    assert len({letter.id for letter in letters}) == 2


def test_a_small_dead_letter_carries_its_value_and_replays_to_the_same_record() -> None:
    feed = Feed()
    venue, event = feed.setup()
    keyless = dataclasses.replace(event, key=None)
    (letter,) = run(normalizer(), [venue, keyless]).dead_letters
    assert (letter.value_inline, letter.value, letter.value_size) == (
        True,
        keyless.value,
        len(event.value or b""),
    )
    assert source_record(decode_dead_letter(encode_dead_letter(letter))) == keyless


# -- parking -------------------------------------------------------------------------------------------------
def test_a_seat_read_before_its_event_is_parked_and_mapped_once_the_event_arrives() -> None:
    feed = Feed()
    venue, event = feed.setup()
    seat = feed.read("SEAT_INV", seat_row(21, "1"))
    clock = Clock(100.0)
    n = normalizer(clock=clock)
    out = run(n, [venue, seat])
    assert briefs(out) == [("venue.changed", "venue:9001", "")] and out.dead_letters == []
    assert n.parked() == {(SEATS, 0): 0} and n.held() == {(SEATS, 0): 0}
    assert not n.is_clean() and n.is_clean(count_parked=False)
    assert n.counters.parked == 1
    clock.now = 101.0
    n.tick()
    assert not n.take() and n.parked() == {(SEATS, 0): 0}  # tried again: the event is still unknown
    assert briefs(run(n, [event])) == [("event.changed", "event:BO-1042", "")]
    assert n.parked() == {(SEATS, 0): 0}  # parked records are retried on tick, not on every record
    clock.now = 102.0
    n.tick()
    out = n.take()
    assert briefs(out) == [("seat.changed", "seat:BO-1042:101:C:1", "available")] and out.dead_letters == []
    assert n.parked() == {} and n.held() == {} and n.is_clean() and n.counters.parked == 0


def test_a_parked_record_is_dead_lettered_once_the_park_timeout_has_passed() -> None:
    feed = Feed()
    venue, _ = feed.setup()
    seat = feed.read("SEAT_INV", seat_row(21, "1"))
    clock = Clock(10.0)
    n = normalizer(Policy(park_timeout_s=5.0), clock)
    run(n, [venue, seat])
    for now in (10.5, 11.0, 12.0, 13.0, 14.0, 14.999):  # tries without limit until the timeout
        clock.now = now
        n.tick()
        assert not n.take() and n.parked() == {(SEATS, 0): 0}, now
    clock.now = 15.0
    n.tick()
    out = n.take()
    assert out.events == []
    (letter,) = out.dead_letters
    assert_missing_event_1042(letter, seat)
    assert n.parked() == {} and n.is_clean() and n.counters.parked == 0


def test_a_second_delivery_of_a_parked_record_keeps_its_first_parking_time() -> None:
    feed = Feed()
    venue, _ = feed.setup()
    seat = feed.read("SEAT_INV", seat_row(21, "1"))
    clock = Clock(0.0)
    n = normalizer(Policy(park_timeout_s=5.0), clock)
    run(n, [venue, seat])
    clock.now = 4.0
    run(n, [seat])  # the same coordinates again (a transport seeking back)
    assert n.counters.parked == 1
    clock.now = 5.0
    n.tick()
    assert [letter.offset for letter in n.take().dead_letters] == [0]


def test_flush_maps_incomplete_transactions_and_dead_letters_what_is_still_parked() -> None:
    feed = Feed()
    setup = feed.setup()
    orphan = feed.read("SEAT_INV", {**seat_row(31, "9"), "EVT_ID": 1050})  # event 1050 is never read
    tx = Tx("0-1-500")
    seats = [feed.hold(tx, 21, "1"), feed.hold(tx, 22, "2")]  # their END never comes
    n = normalizer()
    run(n, [*setup, orphan, *seats])
    assert n.held() == {(SEATS, 0): 0}
    n.flush()
    out = n.take()
    assert briefs(out) == HOLD_EVENTS
    (letter,) = out.dead_letters
    assert (letter.error, letter.reason, letter.offset) == (
        "MissingReferenceError",
        "event 1050 has not been seen: its venue (time zone) and currency are unknown",
        0,
    )
    assert n.is_clean() and n.held() == {} and n.parked() == {} and n.counters.parked == 0


# -- stalls --------------------------------------------------------------------------------------------------
def _stalled(feed: Feed) -> tuple[list[SourceRecord], SourceRecord]:
    """A: cart-77 holds seats 1 and 2, seat 2's record does not decode; B: cart-77 gives seat 1 back."""
    tx_a, tx_b = Tx("0-1-600"), Tx("0-1-601")
    seat1 = feed.hold(tx_a, 31, "1")
    seat2 = feed.hold(tx_a, 32, "2")
    broken = dataclasses.replace(seat2, value=(seat2.value or b"")[:100])
    end_a = feed.end(tx_a)
    release = feed.unhold(tx_b, 31, "1")
    end_b = feed.end(tx_b)
    return [seat1, broken, end_a, release, end_b], broken


def _fed_stalled() -> tuple[SystemNormalizer, Clock]:
    """A normalizer (stall timeout 30 s, clock at 0) fed the setup and the :func:`_stalled` scene."""
    feed = Feed()
    setup = feed.setup()
    records, _ = _stalled(feed)
    clock = Clock(0.0)
    n = normalizer(Policy(stall_timeout_s=30.0), clock)
    run(n, [*setup, *records])
    return n, clock


A_FLUSHED = [
    ("seat.changed", "seat:BO-1042:101:C:1", "held"),
    ("hold.placed", "hold:cart-77", "placed 1"),
]
B_RELEASED = [
    ("seat.changed", "seat:BO-1042:101:C:1", "available"),
    ("hold.released", "hold:cart-77", "released 1"),
]


def test_a_change_that_does_not_decode_holds_its_transaction_and_later_ones_for_the_stall_timeout() -> None:
    feed = Feed()
    setup = feed.setup()
    records, broken = _stalled(feed)
    clock = Clock(0.0)
    n = normalizer(Policy(stall_timeout_s=30.0), clock)
    run(n, setup)
    out = run(n, records)
    assert out.events == []
    (letter,) = out.dead_letters
    assert (letter.error, letter.topic, letter.offset, letter.value) == (
        "DecodeError",
        SEATS,
        1,
        broken.value,
    )
    # A waits for the change that never decoded, B waits behind A
    assert n.open_transactions() == {"0-1-600", "0-1-601"}
    assert n.held() == {(SEATS, 0): 0, (TXS, 0): 0}
    # never idle (steady load): A's END has waited since the first tick, and is released alone at 30 s
    for now in (0.0, 12.0, 29.9):
        clock.now = now
        n.tick(idle=False)
        assert not n.take() and not n.is_clean(), now
    clock.now = 30.0
    n.tick(idle=False)
    out = n.take()
    assert briefs(out) == A_FLUSHED + B_RELEASED
    assert out.dead_letters == []
    assert n.is_clean() and n.held() == {} and n.open_transactions() == set()


def test_a_stalled_head_is_released_alone_and_a_later_incomplete_transaction_keeps_waiting() -> None:
    feed = Feed()
    setup = feed.setup()
    records, _ = _stalled(feed)
    seat1, broken, end_a = records[:3]
    tx_b = Tx("0-1-601")
    release = feed.unhold(tx_b, 31, "1")
    other_cart = feed.hold(tx_b, 33, "3", HOLD_TOKEN="cart-88")  # still on its way when A is released
    end_b = feed.end(tx_b)
    clock = Clock(0.0)
    n = normalizer(Policy(stall_timeout_s=30.0), clock)
    run(n, [*setup, seat1, broken, end_a, release, end_b])
    n.tick()
    clock.now = 30.0
    n.tick()
    assert briefs(n.take()) == A_FLUSHED
    assert n.open_transactions() == {"0-1-601"} and not n.is_clean()
    assert briefs(run(n, [other_cart])) == [
        *B_RELEASED,
        ("seat.changed", "seat:BO-1042:101:C:3", "held"),
        ("hold.placed", "hold:cart-88", "placed 3"),
    ]
    assert n.is_clean()


def test_a_stalled_head_is_released_only_once_the_barrier_says_the_other_topics_are_read_past_it() -> None:
    n, clock = _fed_stalled()
    read_past = False
    n.barrier = lambda record: read_past
    n.tick()
    clock.now = 45.0
    n.tick()
    assert not n.take() and n.open_transactions() == {"0-1-600", "0-1-601"}
    read_past = True
    n.tick()
    assert briefs(n.take()) == A_FLUSHED + B_RELEASED


@pytest.mark.parametrize("poison", ["wrong type", "oversized", "no key"])
def test_a_poison_change_with_readable_blocks_counts_for_its_transaction(poison: str) -> None:
    feed = Feed()
    setup = feed.setup()
    tx_a, tx_b = Tx("0-1-610"), Tx("0-1-611")
    seat1 = feed.hold(tx_a, 31, "1")
    seat2 = feed.hold(tx_a, 32, "2")
    policy = Policy()
    if poison == "wrong type":
        broken = edited(seat2, FACE_AMT="lots")
        error = "DecodeError"
    elif poison == "oversized":
        broken = edited(seat2, SECT_CD="X" * 20_000)
        policy = Policy(max_record_bytes=len(seat1.value or b"") + 1_000)
        error = "OversizedRecordError"
    else:
        broken = dataclasses.replace(seat2, key=None)
        error = "MissingKeyError"
    records = [seat1, broken, feed.end(tx_a), feed.unhold(tx_b, 31, "1"), feed.end(tx_b)]
    n = normalizer(policy)
    run(n, setup)
    out = run(n, records)
    (letter,) = out.dead_letters
    assert (letter.error, letter.topic, letter.offset) == (error, SEATS, 1)
    # A completes without its poison change at once (no stall timeout), and B follows in source order
    assert briefs(out) == A_FLUSHED + B_RELEASED
    assert n.is_clean() and n.held() == {} and n.open_transactions() == set()


def test_a_stall_flush_keeps_source_order_across_transactions() -> None:
    n, clock = _fed_stalled()
    n.tick(idle=True)
    clock.now = 30.0
    n.tick(idle=True)
    # seat 1 was held by A and given back by B: its last seat.changed must say available
    assert briefs(n.take()) == A_FLUSHED + B_RELEASED


def test_a_late_change_of_a_flushed_transaction_holds_nothing() -> None:
    feed = Feed()
    setup = feed.setup()
    tx = Tx("0-1-600")
    seat1, seat2, end = feed.hold(tx, 31, "1"), feed.hold(tx, 32, "2"), feed.end(tx)
    clock = Clock(0.0)
    n = normalizer(Policy(stall_timeout_s=30.0), clock)
    run(n, [*setup, seat1, end])  # seat 2 is late
    n.tick(idle=True)
    clock.now = 30.0
    n.tick(idle=True)
    assert briefs(n.take()) == A_FLUSHED and n.is_clean()
    late = feed.again(seat2)
    assert (late.topic, late.offset) == (SEATS, 2)
    run(n, [late])
    assert n.held() == {} and n.is_clean()


# -- saved state --------------------------------------------------------------------------------------------
def test_a_normalizer_loaded_with_saved_state_goes_on_like_the_one_that_saved_it() -> None:
    feed = Feed()
    setup = feed.setup()
    first, second = Tx("0-1-900"), Tx("0-1-901")
    before = [*setup, feed.hold(first, 21, "1"), feed.hold(first, 22, "2"), feed.end(first)]
    after = [feed.unhold(second, 21, "1"), feed.end(second)]
    original = normalizer()
    run(original, before[:3])
    with pytest.raises(AdapterStateError, match="held"):
        original.save_state()  # transaction 0-1-900 is open
    run(original, before[3:])
    saved = original.save_state()
    loaded, fresh = normalizer(), normalizer()
    loaded.load_state(saved)
    expected = briefs(run(original, after))
    assert expected == [
        ("seat.changed", "seat:BO-1042:101:C:1", "available"),
        ("hold.released", "hold:cart-77", "released 1"),
    ]
    assert briefs(run(loaded, after)) == expected
    assert run(fresh, after).dead_letters  # without the state, event 1042 is unknown
    # a transaction completed before the save, delivered again after the load, yields nothing
    assert not run(loaded, [feed.again(r) for r in before[2:]])
    assert loaded.is_clean()


def test_a_saved_state_loads_only_into_a_normalizer_of_its_system() -> None:
    saved = normalizer().save_state()
    other = SystemNormalizer(dataclasses.replace(ROUTE, system="pricing"), box_office.adapter(pepper=PEPPER))
    with pytest.raises(AdapterStateError, match="box_office"):
        other.load_state(saved)
    with pytest.raises(AdapterStateError):
        normalizer().load_state(b"\x93not a state")


# -- emit=False, handle_alone --------------------------------------------------------------------------------
def test_emit_false_rebuilds_lookups_without_output() -> None:
    feed = Feed()
    setup = feed.setup()
    order = feed.order(Tx("0-1-700"))
    unknown = feed.read("SEAT_INV", {**seat_row(31, "9"), "EVT_ID": 1050})
    broken = dataclasses.replace(feed.read("SEAT_INV", seat_row(32, "9")), value=b"{")
    chargeback = feed.change(
        "ORD_CHGBK",
        "c",
        after={
            "CHGBK_ID": 5, "ORD_ID": 7001, "RSN_CD": "13.1", "CHGBK_AMT": 12500, "CURR_CD": "USD", "FRAUD_FLG": 0,
            "DISP_STAT_CD": "O", "RCVD_DT": datetime(2026, 12, 1, 9, 0), "RSLV_DT": None, "NOTE_TXT": None,
        },
    )  # fmt: skip
    n = normalizer()
    warm = run(n, [*setup, *order, unknown, broken], emit=False)
    # nothing told, nothing parked, nothing dead-lettered
    assert warm.events == [] and warm.dead_letters == []
    assert n.parked() == {} and n.is_clean()
    assert (n.counters.records, n.counters.events, n.counters.dead_letters) == (12, 0, 0)
    # the chargeback needs order 7001's number and event: learnt from the order transaction handled silently
    out = run(n, [chargeback])
    assert briefs(out) == [("chargeback.filed", "chargeback:5", "")] and out.dead_letters == []
    data: Any = out.events[0].data
    assert (data.order_id, data.amount.amount) == ("WEB000007001", 12500)


def test_handle_alone_maps_a_transacted_change_at_once_outside_its_transaction() -> None:
    feed = Feed()
    setup = feed.setup()
    tx = Tx("0-1-500")
    seat = feed.hold(tx, 21, "1")
    feed.hold(tx, 22, "2")  # the transaction's other seat: never handed over
    n = normalizer()
    run(n, setup)
    n.handle_alone(seat)
    assert briefs(n.take()) == [
        ("seat.changed", "seat:BO-1042:101:C:1", "held"),
        ("hold.placed", "hold:cart-77", "placed 1"),
    ]
    assert n.is_clean() and n.held() == {} and n.open_transactions() == set()
    n.handle(seat)  # the same record through the transaction grouping waits for its END
    assert not n.take() and n.open_transactions() == {"0-1-500"}


def test_handle_alone_refuses_what_handle_refuses() -> None:
    feed = Feed()
    _, event = feed.setup()
    n = normalizer()
    n.handle_alone(dataclasses.replace(event, key=None))
    n.handle_alone(feed.read("SEAT_INV", {**seat_row(31, "9"), "EVT_ID": 1050}))
    out = n.take()
    assert out.events == []
    assert [(letter.error, letter.topic, letter.offset) for letter in out.dead_letters] == [
        ("MissingKeyError", EVENTS, 0),
        ("MissingReferenceError", SEATS, 0),  # dead at once: replay does not park
    ]
    assert n.parked() == {} and n.is_clean()


def test_handle_alone_refuses_oversized_and_undecodable_values() -> None:
    feed = Feed()
    venue, event = feed.setup()
    n = normalizer(Policy(max_record_bytes=2000))
    n.handle_alone(venue)
    n.handle_alone(dataclasses.replace(event, value=b"[1, 2"))
    out = n.take()
    assert out.events == []
    assert [(letter.error, letter.topic, letter.offset) for letter in out.dead_letters] == [
        ("OversizedRecordError", VENUES, 0),
        ("DecodeError", EVENTS, 0),
    ]


# -- the gate's barrier --------------------------------------------------------------------------------------
def test_the_barrier_holds_a_complete_transaction_until_it_says_the_other_topics_are_read_past_it() -> None:
    feed = Feed()
    setup = feed.setup()
    tx = Tx("0-1-500")
    seat1, seat2, end = feed.hold(tx, 21, "1"), feed.hold(tx, 22, "2"), feed.end(tx)
    n = normalizer()
    run(n, setup)
    asked: list[tuple[str, int]] = []
    read_past = False

    def barrier(record: SourceRecord) -> bool:
        asked.append((record.topic, record.offset))
        return read_past

    n.barrier = barrier
    assert not run(n, [end])
    assert n.open_transactions() == {"0-1-500"} and n.held() == {(TXS, 0): 0}  # only the gate knows it
    assert not run(n, [seat1, seat2])  # complete with the last seat, but held
    assert asked == [(TXS, 0)]
    assert n.held() == {(SEATS, 0): 0, (TXS, 0): 0} and not n.is_clean()
    n.tick()
    assert not n.take()
    read_past = True
    n.tick()
    assert [b[0] for b in briefs(n.take())] == ["seat.changed", "hold.placed", "seat.changed"]
    assert n.is_clean()


def test_the_barrier_also_holds_an_end_that_arrives_after_its_changes() -> None:
    feed = Feed()
    setup = feed.setup()
    tx = Tx("0-1-500")
    seat1, seat2, end = feed.hold(tx, 21, "1"), feed.hold(tx, 22, "2"), feed.end(tx)
    n = normalizer()
    run(n, setup)
    n.barrier = lambda record: False
    out = run(n, [seat1, seat2, end])
    assert out.events == []
    assert n.held() == {(SEATS, 0): 0, (TXS, 0): 0}


# -- routes --------------------------------------------------------------------------------------------------
def test_a_route_reads_needs_transactions_from_its_adapter_and_adds_the_transaction_topic() -> None:
    assert ROUTE.needs_transactions is True
    assert ROUTE.transaction_topic == TXS
    assert ROUTE.all_topics() == (
        VENUES,
        EVENTS,
        SEATS,
        HEADERS,
        LINES,
        CHARGEBACKS,
        "box_office.boxoffice.DBZ_SIGNAL",
        TXS,
    )
    plain = Route("crm", "crm", ("crm.crm.dbo.Customer",), ROUTE.adapter_factory, needs_transactions=False)
    assert plain.all_topics() == ("crm.crm.dbo.Customer",)


def test_the_router_prefers_exact_topics_then_the_longest_prefix() -> None:
    factory = ROUTE.adapter_factory
    archive = Route("archive", "box_office.archive", ("other.x.T",), factory)
    router = Router([ROUTE, archive])
    assert router(SEATS) is ROUTE
    assert router(TXS) is ROUTE
    assert router("box_office.boxoffice.NEW_TABLE") is ROUTE  # by prefix: an unknown table of the system
    assert router("box_office.archive.SEAT_INV") is archive  # both prefixes fit: the longer wins
    assert router("other.x.T") is archive  # exact topic, whatever its prefix
    assert router("box_officer.x") is None
    assert router("pricing.pricing.price_level") is None
