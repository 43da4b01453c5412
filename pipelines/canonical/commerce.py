"""Bodies of the order events: placed orders with their seat lines, cancellations and refunds.

``order_id`` is the order number every system references (the box office's printed ``ORD_NO``: CRM
chargebacks and resale listings point at it), so orders join across systems without a lookup.
"""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from pipelines.canonical.enums import CancellationReason, PaymentMethod, RefundReason, SalesChannel
from pipelines.canonical.exceptions import ContractViolation
from pipelines.canonical.fieldtypes import CanonicalStruct, NonEmptyStr, PiiHash, TimedStruct, UtcDateTime
from pipelines.canonical.inventory import CustomerId, EventId, SeatRef
from pipelines.canonical.money import Money

OrderId = Annotated[
    NonEmptyStr, Meta(description="Order number as printed for the buyer and referenced elsewhere.")
]


class OrderLine(CanonicalStruct, frozen=True, kw_only=True):
    """One seat bought in an order."""

    line_no: Annotated[int, Meta(ge=1)]
    seat: SeatRef
    price: Annotated[Money, Meta(description="Amount charged for the seat, net of `discount`.")]
    discount: Money | None = None
    fee: Annotated[Money | None, Meta(description="Per-ticket fee, when charged per line.")] = None
    price_level: str | None = None


class OrderData(TimedStruct, frozen=True, kw_only=True):
    """A purchase of seats for one event: one source transaction, all its lines. Body of `order.placed`."""

    order_id: OrderId
    event_id: EventId
    channel: SalesChannel
    placed_at: UtcDateTime
    lines: Annotated[tuple[OrderLine, ...], Meta(min_length=1)]
    total: Annotated[Money, Meta(description="Amount charged for the whole order, fees and tax included.")]
    fee: Money | None = None
    tax: Money | None = None
    customer_id: Annotated[CustomerId | None, Meta(description="Null for a walk-up sale at the window.")] = (
        None
    )
    payment_method: PaymentMethod | None = None
    client_ip_hash: PiiHash | None = None
    device_hash: PiiHash | None = None
    presale_code_hash: Annotated[PiiHash | None, Meta(description="Presale code used, hashed.")] = None

    def __post_init__(self) -> None:
        """All amounts of an order are in the order's currency."""
        super().__post_init__()
        currency = self.total.currency
        amounts = [self.fee, self.tax]
        for line in self.lines:
            amounts += [line.price, line.discount, line.fee]
        if any(a is not None and a.currency != currency for a in amounts):
            raise ContractViolation(f"`lines` of order {self.order_id}: every amount must be in {currency}")


class CancellationData(TimedStruct, frozen=True, kw_only=True):
    """An order called off; its seats go back to inventory. Body of `order.cancelled`."""

    order_id: OrderId
    event_id: EventId
    cancelled_at: UtcDateTime
    reason: CancellationReason
    seats: Annotated[tuple[SeatRef, ...], Meta(description="Seats released by the cancellation.")] = ()


class RefundData(TimedStruct, frozen=True, kw_only=True):
    """Money returned to the buyer of an order. Body of `order.refunded`."""

    refund_id: NonEmptyStr
    order_id: OrderId
    event_id: EventId
    amount: Money
    reason: RefundReason
    refunded_at: UtcDateTime
    line_nos: Annotated[
        tuple[int, ...], Meta(description="Order lines refunded; empty when the refund is not line-specific.")
    ] = ()
