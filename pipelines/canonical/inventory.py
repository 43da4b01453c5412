"""Bodies of the inventory events: performances, venues, seats, price levels, packages and holds."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from pipelines.canonical.enums import (
    EventCategory,
    EventStatus,
    HoldKind,
    HoldStatus,
    PackageItemKind,
    SeatStatus,
)
from pipelines.canonical.fieldtypes import (
    CanonicalStruct,
    Count,
    CountryCode,
    CurrencyCode,
    NonEmptyStr,
    TimedStruct,
    TimeZoneName,
    UtcDateTime,
)
from pipelines.canonical.money import Money

EventId = Annotated[
    NonEmptyStr, Meta(description="Box-office event id as other systems know it, e.g. `BO-1042`.")
]
CustomerId = Annotated[NonEmptyStr, Meta(description="CRM customer id (a GUID, lower case).")]


class SeatRef(CanonicalStruct, frozen=True, kw_only=True):
    """One seat of a venue layout, by the labels printed on the ticket."""

    section: NonEmptyStr
    row: NonEmptyStr
    seat: NonEmptyStr


class EventData(TimedStruct, frozen=True, kw_only=True):
    """A performance (a show, a match) that sells tickets. Body of `event.changed`."""

    event_id: EventId
    name: str
    venue_id: NonEmptyStr
    starts_at: UtcDateTime
    timezone: Annotated[TimeZoneName, Meta(description="The venue's zone the legacy local times were in.")]
    status: EventStatus
    category: EventCategory | None = None
    artist: str | None = None
    doors_open_at: UtcDateTime | None = None
    presale_at: UtcDateTime | None = None
    on_sale_at: UtcDateTime | None = None
    off_sale_at: UtcDateTime | None = None
    ticket_limit: Annotated[int | None, Meta(description="Tickets one customer may buy for this event.")] = (
        None
    )
    currency: Annotated[CurrencyCode | None, Meta(description="Currency the event is sold in.")] = None


class VenueData(CanonicalStruct, frozen=True, kw_only=True):
    """A place with a seat layout. Body of `venue.changed`."""

    venue_id: NonEmptyStr
    name: str
    timezone: TimeZoneName
    code: Annotated[str | None, Meta(description="Short code printed on tickets.")] = None
    city: str | None = None
    country: CountryCode | None = None
    capacity: Annotated[Count | None, Meta(description="Licensed capacity.")] = None
    active: bool = True


class SeatData(TimedStruct, frozen=True, kw_only=True):
    """State of one seat for one event. Body of `seat.changed`."""

    event_id: EventId
    seat: SeatRef
    status: SeatStatus
    price_level: Annotated[str | None, Meta(description="Price level code the seat sells at.")] = None
    face_value: Money | None = None
    accessible: Annotated[bool, Meta(description="Wheelchair or companion seat.")] = False
    hold_id: Annotated[str | None, Meta(description="Hold (cart session) keeping the seat, when `held`.")] = (
        None
    )
    holder_customer_id: CustomerId | None = None
    hold_expires_at: UtcDateTime | None = None
    order_id: Annotated[
        str | None, Meta(description="Order that bought the seat, when `sold` or `comp`.")
    ] = None


class PriceLevelData(TimedStruct, frozen=True, kw_only=True):
    """A price category of an event (face value and per-ticket fee). Body of `price.changed`."""

    price_level_id: NonEmptyStr
    event_id: EventId
    level_code: Annotated[NonEmptyStr, Meta(description="Code the seats of this level carry.")]
    name: str
    face_value: Money
    fee: Annotated[Money | None, Meta(description="Per-ticket fee; negative is a fee waiver.")] = None
    sections: Annotated[tuple[str, ...], Meta(description="Sections priced at this level.")] = ()
    valid_from: UtcDateTime | None = None
    valid_until: UtcDateTime | None = None


class PackageItem(CanonicalStruct, frozen=True, kw_only=True):
    """One thing a package bundles."""

    kind: PackageItemKind
    description: str
    quantity: Annotated[int, Meta(ge=1)] = 1


class PackageData(TimedStruct, frozen=True, kw_only=True):
    """A bundle sold at one price (tickets for several events, parking, hospitality). Body of `package.changed`."""

    package_id: NonEmptyStr
    name: str
    event_ids: tuple[EventId, ...]
    price: Money
    code: str | None = None
    items: tuple[PackageItem, ...] = ()
    max_per_customer: Annotated[int, Meta(ge=1)] | None = None
    on_sale_at: UtcDateTime | None = None
    off_sale_at: UtcDateTime | None = None


class HoldData(TimedStruct, frozen=True, kw_only=True):
    """Seats taken off sale for a while. Body of `hold.placed` and `hold.released`."""

    hold_id: NonEmptyStr
    event_id: EventId
    seats: Annotated[tuple[SeatRef, ...], Meta(min_length=1)]
    kind: HoldKind
    status: HoldStatus
    expires_at: Annotated[UtcDateTime | None, Meta(description="When an unconverted hold lapses.")] = None
    customer_id: CustomerId | None = None
    order_id: Annotated[str | None, Meta(description="Order the hold turned into (`converted`).")] = None
