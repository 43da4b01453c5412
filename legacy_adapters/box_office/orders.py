"""Box-office orders: one source transaction over ``ORD_HDR``, ``ORD_LN`` and ``SEAT_INV`` becomes one event.

| ``ORD_HDR`` change | canonical events |
|---|---|
| insert (streamed) | ``order.placed`` with the lines inserted in the same transaction; then, if the row is already cancelled, voided or refunded, that event too |
| update into ``C`` cancelled / ``V`` voided | ``order.cancelled`` (reason ``other`` / ``fraud``) with the seats the transaction released |
| update into ``R`` refunded | ``order.refunded`` for the order's total, with the lines refunded in the transaction |
| other updates, deletes, snapshot reads | nothing (the adapter remembers the order's number, event and customer) |

``ORD_LN`` changes yield nothing on their own: they are the lines of their header's event (a line inserted
without its header in the transaction has no canonical event). A line's seat labels come from the seat's own
``SEAT_INV`` change in the transaction (an order flips its seats to sold) or from a seat seen before; its
``price`` is ``LN_PRC_AMT - DISC_AMT`` (the box office stores the gross price and the discount). An insert
without lines in its transaction is an :class:`~pipelines.mapping.InvalidValueError` (the contract's order has
at least one line). Business times left zero (``ORD_DT``, ``CANC_DT``) fall back to the commit time of the
change, the moment the box office recorded it. The box office refunds whole orders, once: the refund's id is
the order number. ``PRESALE_CD`` is a presale code in clear, so it is hashed with the platform's pepper
(joining the CRM's grants); ``CLNT_IP_HASH`` and ``DEVICE_HASH`` hold the legacy application's unkeyed SHA-256
of the buyer's IP address and device fingerprint, re-keyed under the pepper (an unkeyed IPv4 hash is
reversible; re-keyed, they still join the resale listings' digests); ``BUYER_NM``, ``CARD_BIN`` and
``CARD_LAST4`` are never read.
"""

from __future__ import annotations

from legacy_adapters.box_office import codes
from legacy_adapters.box_office.mapping import BoxOfficeMapping, seat_ref
from legacy_adapters.box_office.state import OrderInfo
from legacy_adapters.box_office.tables import CHANNEL, PAYMENT
from legacy_adapters.box_office.types import required_venue_time
from legacy_adapters.box_office.unit import Unit, row_int
from legacy_adapters.mapping.emit import Emitter
from legacy_adapters.mapping.values import (
    box_office_event_id,
    captured_hash,
    code,
    currency,
    guid,
    identifier,
    integer,
    label,
    minor_units,
)
from pipelines.canonical import (
    CancellationData,
    CancellationReason,
    CanonicalEvent,
    OrderCancelled,
    OrderData,
    OrderLine,
    OrderPlaced,
    OrderRefunded,
    RefundData,
    RefundReason,
    SeatRef,
    order_key,
    pii_hash,
)
from pipelines.debezium import ChangeEvent, Op
from pipelines.mapping import InvalidValueError, MissingReferenceError

_ORDER_STATUS = {s.value: s for s in codes.OrderStatus}
_CANCELLED = {
    codes.OrderStatus.CANCELLED: CancellationReason.OTHER,
    codes.OrderStatus.VOIDED: CancellationReason.FRAUD,
}


class OrderMapping:
    """Maps ``ORD_HDR`` changes with the rest of their transaction."""

    def __init__(self, rows: BoxOfficeMapping, pepper: bytes) -> None:
        self.rows = rows
        self.state = rows.state
        self.system = rows.system
        self._pepper = pepper

    def header(self, change: ChangeEvent, unit: Unit) -> list[CanonicalEvent]:
        """The order events of one ``ORD_HDR`` change (see the module table)."""
        row = change.row
        assert row is not None
        ord_id = integer(row["ORD_ID"], "ORD_ID")
        order = OrderInfo(
            label(row["ORD_NO"], "ORD_NO"), integer(row["EVT_ID"], "EVT_ID"), guid(row["ACCT_ID"], "ACCT_ID")
        )
        self.state.orders.put(ord_id, order)
        if change.op in (Op.READ, Op.DELETE):
            return []
        status = code(_ORDER_STATUS, row["ORD_STAT_CD"], "ORD_STAT_CD")
        previous = None if change.before is None else change.before.get("ORD_STAT_CD")
        emit = Emitter(change, self.system, {"ORD_ID": ord_id})
        events: list[CanonicalEvent] = []
        if change.op is Op.CREATE:
            events.append(self._placed(change, unit, emit, ord_id, order))
        if status != previous:
            if status in _CANCELLED:
                events.append(self._cancelled(change, unit, emit, ord_id, order, _CANCELLED[status]))
            elif status is codes.OrderStatus.REFUNDED:
                events.append(self._refunded(change, unit, emit, ord_id, order))
        return events

    def _zone(self, order: OrderInfo) -> str:
        return self.state.event_zone(order.evt_id)[1]

    def _placed(
        self, change: ChangeEvent, unit: Unit, emit: Emitter, ord_id: int, order: OrderInfo
    ) -> OrderPlaced:
        row = change.after
        assert row is not None
        money = currency(row["CURR_CD"], "CURR_CD")
        inserted = [c for c in unit.lines.get(ord_id, ()) if c.op is Op.CREATE]
        if not inserted:
            raise InvalidValueError(
                f"order {order.order_no} has no ORD_LN rows in its transaction: an order.placed needs its lines",
                column="ORD_ID",
            )
        lines = sorted((self._line(c, unit, money) for c in inserted), key=lambda line: line.line_no)
        presale = identifier(row["PRESALE_CD"])
        data = OrderData(
            order_id=order.order_no,
            event_id=box_office_event_id(order.evt_id),
            channel=code(CHANNEL, row["CHNL_CD"], "CHNL_CD"),
            placed_at=required_venue_time(
                row["ORD_DT"], self._zone(order), "ORD_DT", change.source.committed_at
            ),
            lines=tuple(lines),
            total=minor_units(row["TOT_AMT"], money, "TOT_AMT"),
            fee=minor_units(row["FEE_AMT"], money, "FEE_AMT"),
            tax=minor_units(row["TAX_AMT"], money, "TAX_AMT"),
            customer_id=order.customer_id,
            payment_method=None
            if row["PAY_MTHD_CD"] is None
            else code(PAYMENT, row["PAY_MTHD_CD"], "PAY_MTHD_CD"),
            client_ip_hash=captured_hash(row["CLNT_IP_HASH"], "CLNT_IP_HASH", pepper=self._pepper),
            device_hash=captured_hash(row["DEVICE_HASH"], "DEVICE_HASH", pepper=self._pepper),
            presale_code_hash=None
            if presale is None
            else pii_hash(presale, kind="identifier", pepper=self._pepper),
        )
        return emit.make(OrderPlaced, order_key(order.order_no), data)

    def _line(self, change: ChangeEvent, unit: Unit, money: str) -> OrderLine:
        row = change.after
        assert row is not None
        line_no = integer(row["LN_NO"], "LN_NO")
        if line_no < 1:
            raise InvalidValueError(f"order line number {line_no} is not positive", column="LN_NO")
        gross = integer(row["LN_PRC_AMT"], "LN_PRC_AMT")
        discount = integer(row["DISC_AMT"], "DISC_AMT")
        return OrderLine(
            line_no=line_no,
            seat=self._seat(unit, integer(row["SEAT_ID"], "SEAT_ID"), line_no),
            price=minor_units(gross - discount, money, "LN_PRC_AMT"),
            discount=minor_units(discount, money, "DISC_AMT"),
            price_level=identifier(row["PRC_LVL_CD"]),
        )

    def _seat(self, unit: Unit, seat_id: int, line_no: int) -> SeatRef:
        row = unit.seats.get(seat_id)
        if row is not None:
            return seat_ref(row)
        known = self.state.seats.get(seat_id)
        if known is not None:
            return known.ref()
        raise MissingReferenceError(
            f"line {line_no}: seat {seat_id} is neither in the order's transaction nor seen before",
            entity="seat",
            ref=str(seat_id),
            column="SEAT_ID",
        )

    def _cancelled(
        self,
        change: ChangeEvent,
        unit: Unit,
        emit: Emitter,
        ord_id: int,
        order: OrderInfo,
        reason: CancellationReason,
    ) -> OrderCancelled:
        row = change.after
        assert row is not None
        released = sorted(
            (c for c in unit.released.get(ord_id, ()) if c.before is not None),
            key=lambda c: row_int(c.before, "SEAT_ID") or 0,
        )
        data = CancellationData(
            order_id=order.order_no,
            event_id=box_office_event_id(order.evt_id),
            cancelled_at=required_venue_time(
                row["CANC_DT"], self._zone(order), "CANC_DT", change.source.committed_at
            ),
            reason=reason,
            seats=tuple(seat_ref(c.before) for c in released if c.before is not None),
        )
        return emit.make(OrderCancelled, order_key(order.order_no), data)

    def _refunded(
        self, change: ChangeEvent, unit: Unit, emit: Emitter, ord_id: int, order: OrderInfo
    ) -> OrderRefunded:
        row = change.after
        assert row is not None
        refunded = codes.LineStatus.REFUNDED.value
        line_nos = sorted(
            integer(c.after["LN_NO"], "LN_NO")
            for c in unit.lines.get(ord_id, ())
            if c.after is not None
            and c.after.get("LN_STAT_CD") == refunded
            and (c.before is None or c.before.get("LN_STAT_CD") != refunded)
        )
        data = RefundData(
            refund_id=order.order_no,
            order_id=order.order_no,
            event_id=box_office_event_id(order.evt_id),
            amount=minor_units(row["TOT_AMT"], currency(row["CURR_CD"], "CURR_CD"), "TOT_AMT"),
            reason=RefundReason.OTHER,
            refunded_at=required_venue_time(
                row["CANC_DT"], self._zone(order), "CANC_DT", change.source.committed_at
            ),
            line_nos=tuple(line_nos),
        )
        return emit.make(OrderRefunded, order_key(order.order_no), data)
