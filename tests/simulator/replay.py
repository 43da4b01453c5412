"""What the databases must hold after a run, computed from its ledger alone (independently of the plan's model).

Replaying the ledger's operations in order gives every seat's status, face and order, every order's status and
totals, every price level's amount, every listing's status; the live tests compare this with the databases.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from simulator.catalogue import seat_map
from simulator.ledger import Entry
from simulator.operations import (
    CancelOrder,
    ChangePrice,
    CreateEvent,
    ExpireHold,
    FileChargeback,
    ListResale,
    OpenSale,
    PlaceHold,
    PlaceOrder,
    RefundOrder,
    SellResale,
    SetPriceLevel,
)

SeatKey = tuple[str, str, str, str]  # event key, section, row, seat


@dataclass
class Expected:
    """The run's rows as the ledger says they must be."""

    events: dict[str, str] = field(default_factory=dict)  # event key -> EVT_STAT_CD
    seats: dict[SeatKey, tuple[str, int, str | None]] = field(default_factory=dict)  # status, face, order no
    seat_levels: dict[SeatKey, str] = field(default_factory=dict)
    orders: dict[str, dict[str, object]] = field(default_factory=dict)
    lines: dict[tuple[str, int], tuple[str, int]] = field(
        default_factory=dict
    )  # (order no, line no) -> status, price
    levels: dict[tuple[str, str], int] = field(default_factory=dict)  # (event key, level) -> amount (cents)
    listings: dict[str, tuple[str, int]] = field(default_factory=dict)  # listing id -> status, ask
    sales: dict[str, tuple[str, int, int, int]] = field(
        default_factory=dict
    )  # sale id -> listing, amount, fee, payout
    chargebacks: list[tuple[str, str, int, bool]] = field(
        default_factory=list
    )  # order no, reason, amount, fraud


def replay(entries: Iterable[Entry]) -> Expected:
    """Apply the ledger's operations to an empty state."""
    state = Expected()
    for entry in entries:
        op = entry.op
        if isinstance(op, CreateEvent):
            state.events[op.event_key] = "D"
            faces = {level.code: level.amount for level in op.levels}
            killed = set(op.killed)
            for seat, level in seat_map(op.sections):
                initial = "K" if seat in killed else "A"
                state.seats[(op.event_key, seat.section, seat.row, seat.seat)] = (initial, faces[level], None)
                state.seat_levels[(op.event_key, seat.section, seat.row, seat.seat)] = level
        elif isinstance(op, OpenSale):
            state.events[op.event_key] = "O"
        elif isinstance(op, PlaceHold | ExpireHold):
            new = "H" if isinstance(op, PlaceHold) else "A"
            for seat in op.seats:
                key = (op.event_key, seat.section, seat.row, seat.seat)
                _, face, _ = state.seats[key]
                state.seats[key] = (new, face, None)
        elif isinstance(op, PlaceOrder):
            state.orders[op.order_no] = {
                "status": "P", "total": op.total, "subtotal": op.subtotal, "fee": op.fee, "tax": op.tax,
                "qty": len(op.lines), "channel": op.channel, "account": op.account_id, "currency": op.currency,
            }  # fmt: skip
            for number, line in enumerate(op.lines, start=1):
                state.lines[(op.order_no, number)] = ("A", line.price)
                key = (op.event_key, line.seat.section, line.seat.row, line.seat.seat)
                _, face, _ = state.seats[key]
                state.seats[key] = ("S", face, op.order_no)
        elif isinstance(op, CancelOrder | RefundOrder):
            ended = "C" if isinstance(op, CancelOrder) else "R"
            state.orders[op.order_no]["status"] = ended
            for (order_no, number), (_, price) in list(state.lines.items()):
                if order_no == op.order_no:
                    state.lines[(order_no, number)] = (ended, price)
            for seat in op.seats:
                key = (op.event_key, seat.section, seat.row, seat.seat)
                _, face, _ = state.seats[key]
                state.seats[key] = ("A", face, None)
        elif isinstance(op, SetPriceLevel):
            state.levels[(op.event_key, op.level.code)] = op.level.amount
        elif isinstance(op, ChangePrice):
            state.levels[(op.event_key, op.level_code)] = op.new_amount
            for key, (current, _, sold_by) in list(state.seats.items()):
                if key[0] == op.event_key and current == "A" and state.seat_levels[key] == op.level_code:
                    state.seats[key] = (current, op.new_amount, sold_by)
        elif isinstance(op, ListResale):
            state.listings[op.listing_id] = ("active", op.ask)
        elif isinstance(op, SellResale):
            state.listings[op.listing_id] = ("sold", state.listings[op.listing_id][1])
            state.sales[op.sale_id] = (op.listing_id, op.amount, op.buyer_fee, op.payout)
        elif isinstance(op, FileChargeback):
            state.chargebacks.append((op.order_no, op.reason, op.amount, op.fraud))
    return state
