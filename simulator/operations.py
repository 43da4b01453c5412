"""The business operations a plan is made of: typed, immutable, JSON-encodable (msgspec Structs).

An operation says everything its writers need and nothing about the database's own ids: events are named by
the plan's ``event_key``, seats by :class:`SeatRef`, orders by their ``order_no``. Money is integer minor units
(cents) of the operation's currency; times are UTC business time (``at`` is when the operation happens). Each
writer turns an operation into one database transaction on its system; operations whose only system is the CRM
are kept in the ledger when no SQL Server is configured.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

System = Literal["box_office", "pricing", "crm"]
RefStyle = Literal["plain", "lower", "padded"]


class SeatRef(msgspec.Struct, frozen=True, array_like=True, order=True):
    """A seat as printed on the ticket: section, row, seat number (``'SECT:ROW:SEAT'`` in pricing)."""

    section: str
    row: str
    seat: str

    def text(self) -> str:
        return f"{self.section}:{self.row}:{self.seat}"


class Venue(msgspec.Struct, frozen=True):
    """A ``VENUE`` row: ``code`` is ``VEN_CD``, ``tz`` the IANA zone of every box-office time there."""

    code: str
    name: str
    city: str
    country: str
    tz: str
    capacity: int
    tax_rate: str  # decimal text, e.g. "0.0888"
    lat: str
    lng: str
    currency: str


class Section(msgspec.Struct, frozen=True, array_like=True):
    """A block of seats: ``rows`` rows lettered from A, ``seats`` numbered from 1, priced at ``level``."""

    code: str
    level: str
    rows: int
    seats: int


class PriceLevel(msgspec.Struct, frozen=True):
    """A price level of an event: ``amount`` face value and ``fee`` per ticket, minor units."""

    code: str
    name: str
    sections: tuple[str, ...]
    amount: int
    fee: int


class OrderLine(msgspec.Struct, frozen=True, array_like=True):
    """One ticket of an order (``ORD_LN``)."""

    seat: SeatRef
    level: str
    price: int
    discount: int
    barcode: str


class Op(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag=True):
    """Base of every operation; ``at`` is its business time (UTC)."""

    at: datetime


class EnsureVenue(Op, frozen=True):
    """Make sure a venue of the catalogue exists (venues are shared reference data, never changed)."""

    venue: Venue


class CreateCustomer(Op, frozen=True):
    """A CRM customer (``dbo.Customer``); ``account_id`` is the GUID the box office stores as ``ACCT_ID``."""

    account_id: str
    email: str
    given_name: str
    family_name: str
    phone: str | None
    country: str
    postal_code: str | None
    lang: str
    verified: bool
    marketing: bool


class GrantPresale(Op, frozen=True):
    """A presale code granted to a customer for one event (``dbo.PresaleGrant``)."""

    grant_id: str
    account_id: str
    event_key: str
    presale_code: str
    tier_id: int | None
    max_tickets: int
    valid_from: datetime
    valid_to: datetime


class CreateEvent(Op, frozen=True):
    """An event in draft (``EVT_MASTER``) with its whole seat map (``SEAT_INV``), in one transaction."""

    event_key: str
    venue_code: str
    name: str
    artist: str
    type_code: str
    starts_at: datetime
    doors_at: datetime
    presale_at: datetime | None
    onsale_at: datetime
    offsale_at: datetime
    ticket_limit: int
    hold_minutes: int
    currency: str
    levels: tuple[PriceLevel, ...]
    sections: tuple[Section, ...]
    killed: tuple[SeatRef, ...]


class SetPriceLevel(Op, frozen=True):
    """A price level in pricing (``pricing.price_level``), valid from ``at``."""

    event_key: str
    level: PriceLevel
    currency: str


class OpenSale(Op, frozen=True):
    """The event goes on sale (``EVT_STAT_CD`` D to O): at presale open, or at on-sale when there is none."""

    event_key: str


class PlaceHold(Op, frozen=True):
    """A cart holds seats (``SEAT_INV`` A to H) until ``expires_at``."""

    event_key: str
    hold_token: str
    account_id: str | None
    seats: tuple[SeatRef, ...]
    expires_at: datetime


class ExpireHold(Op, frozen=True):
    """The sweeper releases an abandoned cart's seats (H to A)."""

    event_key: str
    hold_token: str
    seats: tuple[SeatRef, ...]


class PlaceOrder(Op, frozen=True):
    """An order: ``ORD_HDR`` + ``ORD_LN`` rows, and its seats H (or A at the window) to S, in one transaction."""

    order_no: str
    event_key: str
    account_id: str | None
    channel: str
    hold_token: str | None
    lines: tuple[OrderLine, ...]
    subtotal: int
    fee: int
    tax: int
    total: int
    currency: str
    payment: str
    card_bin: str | None
    card_last4: str | None
    ip_hash: str | None
    device_hash: str | None
    presale_code: str | None
    delivery: str
    buyer_name: str | None


class CancelOrder(Op, frozen=True):
    """The buyer cancels: order and lines C, seats back to A."""

    order_no: str
    event_key: str
    seats: tuple[SeatRef, ...]


class RefundOrder(Op, frozen=True):
    """The order is refunded: order and lines R, seats back to A."""

    order_no: str
    event_key: str
    seats: tuple[SeatRef, ...]
    amount: int


class ChangePrice(Op, frozen=True):
    """A price level changes during the sale: pricing's amount, and the face of its ``unsold`` free seats."""

    event_key: str
    level_code: str
    old_amount: int
    new_amount: int
    currency: str
    unsold: int


class ListResale(Op, frozen=True):
    """A ticket listed for resale (``resale.listing``); ``ref_style`` reproduces hand-typed event references."""

    listing_id: str
    event_key: str
    seat: SeatRef
    seller_id: str
    origin_order_no: str
    ask: int
    face: int
    currency: str
    expires_at: datetime
    channel: str
    ip_hash: str | None
    device_hash: str | None
    ref_style: RefStyle = "plain"


class SellResale(Op, frozen=True):
    """A listing sells (``resale.sale`` row, listing ``sold``)."""

    sale_id: str
    listing_id: str
    buyer_id: str
    amount: int
    buyer_fee: int
    payout: int
    currency: str


class FileChargeback(Op, frozen=True):
    """A card dispute arrives for an order: ``ORD_CHGBK`` in the box office, ``dbo.Chargeback`` in the CRM."""

    chargeback_id: str
    order_no: str
    event_key: str
    account_id: str | None
    reason: str
    amount: int
    currency: str
    fraud: bool
    note: str | None


AnyOp = (
    EnsureVenue
    | CreateCustomer
    | GrantPresale
    | CreateEvent
    | SetPriceLevel
    | OpenSale
    | PlaceHold
    | ExpireHold
    | PlaceOrder
    | CancelOrder
    | RefundOrder
    | ChangePrice
    | ListResale
    | SellResale
    | FileChargeback
)

#: every operation type, in the order summaries list them
OP_TYPES: tuple[type[Op], ...] = (
    EnsureVenue,
    CreateCustomer,
    GrantPresale,
    CreateEvent,
    SetPriceLevel,
    OpenSale,
    PlaceHold,
    ExpireHold,
    PlaceOrder,
    CancelOrder,
    RefundOrder,
    ChangePrice,
    ListResale,
    SellResale,
    FileChargeback,
)

#: the systems each operation is written to (a CRM part is skipped when no SQL Server is configured)
ROUTES: dict[type[Op], tuple[System, ...]] = {
    EnsureVenue: ("box_office",),
    CreateCustomer: ("crm",),
    GrantPresale: ("crm",),
    CreateEvent: ("box_office",),
    SetPriceLevel: ("pricing",),
    OpenSale: ("box_office",),
    PlaceHold: ("box_office",),
    ExpireHold: ("box_office",),
    PlaceOrder: ("box_office",),
    CancelOrder: ("box_office",),
    RefundOrder: ("box_office",),
    ChangePrice: ("pricing", "box_office"),
    ListResale: ("pricing",),
    SellResale: ("pricing",),
    FileChargeback: ("box_office", "crm"),
}


def kind(op: Op) -> str:
    """The operation's kind, as the ledger tags it (its class name)."""
    return type(op).__name__
