"""Bodies of the resale events: a fan lists a bought seat, another fan buys it, or the listing goes away."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from pipelines.canonical.enums import DelistReason
from pipelines.canonical.fieldtypes import NonEmptyStr, PiiHash, TimedStruct, UtcDateTime
from pipelines.canonical.inventory import CustomerId, EventId, SeatRef
from pipelines.canonical.money import Money


class ResaleListingData(TimedStruct, frozen=True, kw_only=True):
    """A seat offered for resale. Body of `resale.listed`."""

    listing_id: NonEmptyStr
    event_id: EventId
    seat: SeatRef
    seller_customer_id: CustomerId
    ask_price: Money
    listed_at: UtcDateTime
    face_value: Annotated[Money | None, Meta(description="Face value of the ticket, when known.")] = None
    expires_at: UtcDateTime | None = None
    original_order_id: Annotated[str | None, Meta(description="Order the seller bought the seat in.")] = None
    client_ip_hash: PiiHash | None = None
    device_hash: PiiHash | None = None


class ResaleSaleData(TimedStruct, frozen=True, kw_only=True):
    """A resale listing bought. Body of `resale.sold`."""

    sale_id: NonEmptyStr
    listing_id: NonEmptyStr
    event_id: EventId
    seat: SeatRef
    seller_customer_id: CustomerId
    buyer_customer_id: CustomerId
    sale_price: Money
    sold_at: UtcDateTime
    buyer_fee: Annotated[Money | None, Meta(description="Fee charged to the buyer on top of the price.")] = (
        None
    )
    seller_payout: Annotated[Money | None, Meta(description="Amount paid out to the seller.")] = None


class ResaleDelistingData(TimedStruct, frozen=True, kw_only=True):
    """A resale listing withdrawn, expired or blocked without a sale. Body of `resale.delisted`."""

    listing_id: NonEmptyStr
    event_id: EventId
    seat: SeatRef
    reason: DelistReason
    delisted_at: UtcDateTime
