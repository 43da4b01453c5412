"""TransactionGate on its own, fed decoded box-office changes and ENDs written in the MariaDB connector's format:
an END leaves only when every change it counts was handed over, in END order, duplicates counted once, with
`force` and the bound on remembered transactions. No stack, no Kafka; expected values are written by hand."""

from __future__ import annotations

from typing import Any

import pytest

from pipelines.debezium import ChangeEvent, DebeziumDecoder, TransactionEvent
from pipelines.debezium.capture import DECODE_OPTIONS
from pipelines.debezium.records import transaction_record
from pipelines.runtime.ordering import TransactionGate, collection_key, table_key
from tests.legacy_adapters.test_box_office_orders import HEADER
from tests.legacy_adapters.wire import COMMIT_MS, BoxOfficeWire, Tx, seat_row

_DECODER = DebeziumDecoder(options=DECODE_OPTIONS)


def end(tx_id: str, counts: dict[str, int], status: str = "END") -> TransactionEvent:
    """A decoded END (or BEGIN) record with per-table counts as the connector writes them."""
    value = transaction_record(status, tx_id, COMMIT_MS, data_collections=counts if status == "END" else None)
    event = _DECODER.decode(value, topic="box_office.transaction", partition=0, offset=0)
    assert isinstance(event, TransactionEvent)
    return event


class Changes:
    """Decoded box-office changes of named transactions (seat holds and order headers)."""

    def __init__(self) -> None:
        self.wire = BoxOfficeWire()
        self.txs: dict[str, Tx] = {}

    def seat(self, tx_id: str, seat_id: int) -> ChangeEvent:
        tx = self.txs.setdefault(tx_id, Tx(tx_id))
        return self.wire.change(
            "SEAT_INV",
            "u",
            before=seat_row(seat_id, str(seat_id)),
            after=seat_row(seat_id, str(seat_id), SEAT_STAT_CD="K"),
            tx=tx,
        )

    def header(self, tx_id: str) -> ChangeEvent:
        tx = self.txs.setdefault(tx_id, Tx(tx_id))
        return self.wire.change("ORD_HDR", "c", after=HEADER, tx=tx)


@pytest.fixture()
def changes() -> Changes:
    return Changes()


def test_collection_and_table_keys_are_the_last_two_name_parts(changes: Changes) -> None:
    assert collection_key("boxoffice.SEAT_INV") == "boxoffice.SEAT_INV"
    assert collection_key("pricing.pricing.price_level") == "pricing.price_level"
    assert table_key(changes.seat("t1", 11).table) == "boxoffice.SEAT_INV"


def test_an_end_waits_until_every_change_it_counts_was_handed_over(changes: Changes) -> None:
    gate: TransactionGate[str] = TransactionGate()
    seat_a, seat_b, header = changes.seat("t1", 11), changes.seat("t1", 12), changes.header("t1")
    assert gate.end(end("t1", {"boxoffice.SEAT_INV": 2, "boxoffice.ORD_HDR": 1}), "END t1")
    steps = []
    for change in (seat_a, seat_b, header):
        assert gate.release() == []  # not yet: the END counts a change still to come
        gate.change(change)
        steps.append(gate.release())
    assert steps == [[], [], ["END t1"]]
    assert len(gate) == 0 and gate.held() == [] and gate.open_ids() == set()


def test_surplus_changes_of_one_table_do_not_stand_in_for_another_table(changes: Changes) -> None:
    gate: TransactionGate[str] = TransactionGate()
    seats = [changes.seat("t1", 11), changes.seat("t1", 12)]
    header = changes.header("t1")
    gate.end(end("t1", {"boxoffice.SEAT_INV": 1, "boxoffice.ORD_HDR": 1}), "END t1")
    for seat in seats:
        gate.change(seat)
    assert gate.release() == []
    gate.change(header)
    assert gate.release() == ["END t1"]


def test_changes_that_arrive_before_their_end_are_counted_too(changes: Changes) -> None:
    gate: TransactionGate[str] = TransactionGate()
    gate.change(changes.seat("t1", 11))
    gate.change(changes.seat("t1", 12))
    assert gate.end(end("t1", {"boxoffice.SEAT_INV": 2}), "END t1")
    assert gate.release() == ["END t1"]


def test_ends_leave_in_end_order_even_when_a_later_transaction_completes_first(changes: Changes) -> None:
    gate: TransactionGate[str] = TransactionGate()
    first = [changes.seat("t1", 11), changes.seat("t1", 12)]
    second = changes.seat("t2", 21)
    third = changes.seat("t3", 31)
    gate.end(end("t1", {"boxoffice.SEAT_INV": 2}), "END t1")
    gate.end(end("t2", {"boxoffice.SEAT_INV": 1}), "END t2")
    gate.end(end("t3", {"boxoffice.SEAT_INV": 1}), "END t3")
    gate.change(third)
    gate.change(second)  # t2 and t3 are complete, t1 is not: nothing may leave
    assert gate.release() == []
    assert gate.held() == ["END t1", "END t2", "END t3"]
    assert gate.open_ids() == {"t1", "t2", "t3"}
    gate.change(first[0])
    assert gate.release() == []
    gate.change(first[1])
    assert gate.release() == ["END t1", "END t2", "END t3"]
    assert len(gate) == 0


def test_a_duplicate_change_is_counted_once(changes: Changes) -> None:
    gate: TransactionGate[str] = TransactionGate()
    seat_a, seat_b = changes.seat("t1", 11), changes.seat("t1", 12)
    redelivered = changes.wire.decoder.decode(
        changes.wire.raw("SEAT_INV", "u", before=seat_row(11, "11"), after=seat_row(11, "11"), tx=Tx("t1")),
        topic="box_office.boxoffice.SEAT_INV",
        partition=0,
        offset=99,
    )  # another record of the same transaction numbered total_order 1 again: a redelivery of seat_a
    assert isinstance(redelivered, ChangeEvent)
    assert redelivered.transaction is not None and seat_a.transaction is not None
    assert redelivered.transaction.total_order == seat_a.transaction.total_order == 1
    gate.end(end("t1", {"boxoffice.SEAT_INV": 2}), "END t1")
    gate.change(seat_a)
    gate.change(seat_a)
    gate.change(redelivered)
    assert gate.release() == []  # three records, one change
    gate.change(seat_b)
    assert gate.release() == ["END t1"]


def test_begin_records_and_repeated_ends_are_refused(changes: Changes) -> None:
    gate: TransactionGate[str] = TransactionGate()
    assert gate.end(end("t1", {}, status="BEGIN"), "BEGIN t1") is False
    assert len(gate) == 0
    assert gate.end(end("t1", {"boxoffice.SEAT_INV": 1}), "END t1") is True
    assert gate.end(end("t1", {"boxoffice.SEAT_INV": 1}), "END t1 again") is False  # still queued
    gate.change(changes.seat("t1", 11))
    assert gate.release() == ["END t1"]
    assert gate.end(end("t1", {"boxoffice.SEAT_INV": 1}), "END t1 late") is False  # already released
    assert gate.release() == [] and len(gate) == 0


def test_ready_holds_back_the_head_and_every_end_behind_it(changes: Changes) -> None:
    gate: TransactionGate[str] = TransactionGate()
    for tx_id, seat_id in (("t1", 11), ("t2", 21), ("t3", 31)):
        gate.end(end(tx_id, {"boxoffice.SEAT_INV": 1}), f"END {tx_id}")
        gate.change(changes.seat(tx_id, seat_id))
    asked: list[str] = []

    def ready(item: str) -> bool:
        asked.append(item)
        return item != "END t2"

    assert gate.release(ready) == ["END t1"]
    assert asked == ["END t1", "END t2"]  # t3 is complete and ready, but queued behind t2
    assert gate.held() == ["END t2", "END t3"]
    assert gate.release() == ["END t2", "END t3"]


def test_force_releases_every_queued_end_complete_or_not_in_end_order(changes: Changes) -> None:
    gate: TransactionGate[str] = TransactionGate()
    gate.end(end("t1", {"boxoffice.SEAT_INV": 2}), "END t1")
    gate.end(end("t2", {"boxoffice.SEAT_INV": 1}), "END t2")
    gate.end(end("t3", {"boxoffice.SEAT_INV": 5}), "END t3")
    gate.change(changes.seat("t1", 11))
    gate.change(changes.seat("t2", 21))
    assert gate.release() == []
    assert gate.force() == ["END t1", "END t2", "END t3"]
    assert len(gate) == 0 and gate.held() == [] and gate.open_ids() == set()
    assert gate.force() == []
    # forced transactions count as done: their late changes and redelivered ENDs are ignored
    gate.change(changes.seat("t1", 12))
    assert gate.end(end("t1", {"boxoffice.SEAT_INV": 2}), "END t1 again") is False
    assert len(gate) == 0


def test_release_head_lets_the_oldest_end_go_alone_and_the_rest_follow_when_complete(
    changes: Changes,
) -> None:
    gate: TransactionGate[str] = TransactionGate()
    assert gate.head() is None
    gate.end(end("t1", {"boxoffice.SEAT_INV": 2}), "END t1")
    gate.end(end("t2", {"boxoffice.SEAT_INV": 1}), "END t2")
    gate.end(end("t3", {"boxoffice.SEAT_INV": 2}), "END t3")
    gate.change(changes.seat("t1", 11))
    gate.change(changes.seat("t2", 21))
    gate.change(changes.seat("t3", 31))
    assert gate.head() == ("t1", "END t1", False)
    assert gate.release_head() == "END t1"
    assert gate.head() == ("t2", "END t2", True)
    assert gate.release() == ["END t2"]  # t3 still misses a change: it stays
    assert gate.head() == ("t3", "END t3", False) and gate.open_ids() == {"t3"}
    gate.change(changes.seat("t1", 12))  # a late change of the released t1 is ignored
    assert gate.open_ids() == {"t3"}


@pytest.mark.parametrize(("remember", "accepted_again"), [(2, ["t1"]), (3, []), (1, ["t1", "t2"])])
def test_done_transactions_are_remembered_up_to_the_bound(
    changes: Changes, remember: int, accepted_again: list[str]
) -> None:
    gate: TransactionGate[str] = TransactionGate(remember=remember)
    seats: dict[str, Any] = {}
    for n, tx_id in enumerate(("t1", "t2", "t3")):
        seats[tx_id] = changes.seat(tx_id, 11 + n)
        gate.end(end(tx_id, {"boxoffice.SEAT_INV": 1}), f"END {tx_id}")
        gate.change(seats[tx_id])
        assert gate.release() == [f"END {tx_id}"]
    again = [tx_id for tx_id in ("t1", "t2", "t3") if gate.end(end(tx_id, {"boxoffice.SEAT_INV": 1}), tx_id)]
    assert again == accepted_again
    if accepted_again:
        # a forgotten transaction starts from nothing: its END waits for its change again
        assert gate.release() == []
        for tx_id in accepted_again:
            gate.change(seats[tx_id])
        assert gate.release() == accepted_again


def test_a_late_change_of_a_released_transaction_is_not_counted_again(changes: Changes) -> None:
    gate: TransactionGate[str] = TransactionGate(remember=1)
    seat = changes.seat("t1", 11)
    gate.end(end("t1", {"boxoffice.SEAT_INV": 1}), "END t1")
    gate.change(seat)
    assert gate.release() == ["END t1"]
    gate.change(seat)  # redelivered while t1 is remembered as done: ignored
    gate.end(end("t2", {"boxoffice.SEAT_INV": 1}), "END t2")
    gate.change(changes.seat("t2", 21))
    assert gate.release() == ["END t2"]  # t1 is forgotten now
    assert gate.end(end("t1", {"boxoffice.SEAT_INV": 1}), "END t1 again")
    assert gate.release() == []  # the ignored copy left no count behind
