"""Named enums of the canonical contract.

Legacy systems speak in codes (`'A'`, `'H'`, `'S'`, tier numbers, reason ids); the adapters translate them into
these names, and consumers only ever see the names. Values are lower-case snake case and are part of the wire
contract: adding a member is a compatible change, renaming or removing one is not.
"""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    """The `type` of a canonical event: `<entity>.<what happened>`."""

    SEAT_CHANGED = "seat.changed"
    EVENT_CHANGED = "event.changed"
    VENUE_CHANGED = "venue.changed"
    PRICE_CHANGED = "price.changed"
    PACKAGE_CHANGED = "package.changed"
    HOLD_PLACED = "hold.placed"
    HOLD_RELEASED = "hold.released"
    ORDER_PLACED = "order.placed"
    ORDER_CANCELLED = "order.cancelled"
    ORDER_REFUNDED = "order.refunded"
    RESALE_LISTED = "resale.listed"
    RESALE_SOLD = "resale.sold"
    RESALE_DELISTED = "resale.delisted"
    CHARGEBACK_FILED = "chargeback.filed"
    CUSTOMER_CHANGED = "customer.changed"
    PRESALE_GRANTED = "presale.granted"


class SeatStatus(StrEnum):
    """Sellability of one seat for one event."""

    AVAILABLE = "available"
    HELD = "held"
    SOLD = "sold"
    COMP = "comp"
    BLOCKED = "blocked"
    RESERVED = "reserved"
    KILLED = "killed"


class EventStatus(StrEnum):
    """Life cycle of a performance (a show, a match) as the box office sees it."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    ON_SALE = "on_sale"
    SOLD_OUT = "sold_out"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class EventCategory(StrEnum):
    """What kind of performance an event is."""

    CONCERT = "concert"
    SPORT = "sport"
    THEATRE = "theatre"
    FAMILY = "family"
    OTHER = "other"


class HoldKind(StrEnum):
    """Why seats are held back from sale."""

    CART = "cart"
    HOUSE = "house"
    PROMOTER = "promoter"
    PRODUCTION = "production"
    PRESALE = "presale"


class HoldStatus(StrEnum):
    """State of a hold; `hold.placed` carries `placed`, `hold.released` one of the others."""

    PLACED = "placed"
    RELEASED = "released"
    EXPIRED = "expired"
    CONVERTED = "converted"


class SalesChannel(StrEnum):
    """Where an order was taken."""

    BOX_OFFICE = "box_office"
    WEB = "web"
    MOBILE = "mobile"
    PHONE = "phone"
    PARTNER = "partner"


class PaymentMethod(StrEnum):
    """How an order was paid."""

    CARD = "card"
    CASH = "cash"
    GIFT_CARD = "gift_card"
    WALLET = "wallet"
    OTHER = "other"


class CancellationReason(StrEnum):
    """Why an order was cancelled."""

    CUSTOMER_REQUEST = "customer_request"
    EVENT_CANCELLED = "event_cancelled"
    PAYMENT_FAILED = "payment_failed"
    FRAUD = "fraud"
    OTHER = "other"


class RefundReason(StrEnum):
    """Why money went back to the buyer."""

    CUSTOMER_REQUEST = "customer_request"
    EVENT_CANCELLED = "event_cancelled"
    EVENT_POSTPONED = "event_postponed"
    DUPLICATE_CHARGE = "duplicate_charge"
    GOODWILL = "goodwill"
    OTHER = "other"


class DelistReason(StrEnum):
    """Why a resale listing left the market without a sale."""

    SELLER_WITHDREW = "seller_withdrew"
    EXPIRED = "expired"
    EVENT_CANCELLED = "event_cancelled"
    POLICY_VIOLATION = "policy_violation"
    OTHER = "other"


class ChargebackReason(StrEnum):
    """Card-network reason family of a chargeback."""

    FRAUD = "fraud"
    NOT_RECEIVED = "not_received"
    NOT_AS_DESCRIBED = "not_as_described"
    DUPLICATE = "duplicate"
    CANCELLED_RECURRING = "cancelled_recurring"
    OTHER = "other"


class CustomerStatus(StrEnum):
    """Account state in the CRM."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class PackageItemKind(StrEnum):
    """What a package bundles besides (or with) the ticket."""

    TICKET = "ticket"
    PARKING = "parking"
    HOSPITALITY = "hospitality"
    MERCHANDISE = "merchandise"
    OTHER = "other"
