"""The canonical inventory event: one envelope, a typed body per event type, a tagged union on `type`.

Every event is ``{"type", "id", "key", "occurred_at", "schema_version", "deleted", "source", "data"}``:

* ``type`` selects the body (see :class:`~pipelines.canonical.enums.EventType`);
* ``id`` is deterministic (:mod:`pipelines.canonical.identity`), so sinks deduplicate on it;
* ``key`` is the entity key (:mod:`pipelines.canonical.keys`) of the entity the type is about, and the stream's
  partitioning key; the struct checks that it names the right entity;
* ``occurred_at`` is the source commit time in UTC;
* ``deleted`` is true only on ``*.changed`` events whose entity was deleted at the source (hard delete or a
  soft-delete column); ``data`` then holds the last known state.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Final

from msgspec import Meta

from pipelines.canonical import keys
from pipelines.canonical.commerce import CancellationData, OrderData, RefundData
from pipelines.canonical.crm import ChargebackData, CustomerData, PresaleGrantData
from pipelines.canonical.enums import EventType
from pipelines.canonical.exceptions import ContractViolation
from pipelines.canonical.fieldtypes import TimedStruct, UtcDateTime
from pipelines.canonical.inventory import (
    EventData,
    HoldData,
    PackageData,
    PriceLevelData,
    SeatData,
    VenueData,
)
from pipelines.canonical.keys import EntityKey
from pipelines.canonical.resale import ResaleDelistingData, ResaleListingData, ResaleSaleData
from pipelines.canonical.source import Source

SCHEMA_VERSION: Final = 1

EventIdStr = Annotated[
    str,
    Meta(
        pattern="^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        description="Deterministic UUIDv5 of the source change (see the id recipe); sinks are idempotent on it.",
    ),
]


class Envelope(TimedStruct, frozen=True, kw_only=True, tag_field="type"):
    """Fields every canonical event carries. Not used alone: each event type subclasses it with a `data` body."""

    KEY_ENTITY: ClassVar[str]
    STATE: ClassVar[bool] = False

    id: EventIdStr
    key: EntityKey
    occurred_at: Annotated[UtcDateTime, Meta(description="Source commit time of the change, UTC.")]
    schema_version: Annotated[int, Meta(ge=1, description="Version of this contract the event follows.")] = (
        SCHEMA_VERSION
    )
    deleted: Annotated[
        bool, Meta(description="Only on `*.changed`: the entity was deleted; `data` is its last known state.")
    ] = False
    source: Source

    @property
    def type(self) -> EventType:
        """The event type (the union's tag)."""
        return EventType(str(self.__struct_config__.tag))

    def __post_init__(self) -> None:
        """Check UTC times, that ``key`` names this type's entity, and that only state events are deletions."""
        super().__post_init__()
        entity, sep, _ = self.key.partition(":")
        if entity != self.KEY_ENTITY or not sep:
            raise ContractViolation(
                f"`key` of {self.type} events is `{self.KEY_ENTITY}:...`, got {self.key!r}"
            )
        if self.deleted and not self.STATE:
            raise ContractViolation(f"`deleted` set on {self.type}, which is not a state event (`*.changed`)")


class SeatChanged(Envelope, frozen=True, kw_only=True, tag=EventType.SEAT_CHANGED.value):
    """A seat's sellability changed (released, held, sold, blocked ...). Keyed by the seat."""

    KEY_ENTITY: ClassVar[str] = keys.SEAT
    STATE: ClassVar[bool] = True
    data: SeatData


class EventChanged(Envelope, frozen=True, kw_only=True, tag=EventType.EVENT_CHANGED.value):
    """A performance was created or changed (time, status, on-sale date). Keyed by the event."""

    KEY_ENTITY: ClassVar[str] = keys.EVENT
    STATE: ClassVar[bool] = True
    data: EventData


class VenueChanged(Envelope, frozen=True, kw_only=True, tag=EventType.VENUE_CHANGED.value):
    """A venue was created or changed. Keyed by the venue."""

    KEY_ENTITY: ClassVar[str] = keys.VENUE
    STATE: ClassVar[bool] = True
    data: VenueData


class PriceChanged(Envelope, frozen=True, kw_only=True, tag=EventType.PRICE_CHANGED.value):
    """A price level was created or repriced. Keyed by the price level."""

    KEY_ENTITY: ClassVar[str] = keys.PRICE_LEVEL
    STATE: ClassVar[bool] = True
    data: PriceLevelData


class PackageChanged(Envelope, frozen=True, kw_only=True, tag=EventType.PACKAGE_CHANGED.value):
    """A package was created or changed. Keyed by the package."""

    KEY_ENTITY: ClassVar[str] = keys.PACKAGE
    STATE: ClassVar[bool] = True
    data: PackageData


class HoldPlaced(Envelope, frozen=True, kw_only=True, tag=EventType.HOLD_PLACED.value):
    """Seats were held. Keyed by the hold."""

    KEY_ENTITY: ClassVar[str] = keys.HOLD
    data: HoldData


class HoldReleased(Envelope, frozen=True, kw_only=True, tag=EventType.HOLD_RELEASED.value):
    """A hold ended: released, expired, or converted into an order (see `data.status`). Keyed by the hold."""

    KEY_ENTITY: ClassVar[str] = keys.HOLD
    data: HoldData


class OrderPlaced(Envelope, frozen=True, kw_only=True, tag=EventType.ORDER_PLACED.value):
    """An order was placed: one source transaction, all its seat lines. Keyed by the order."""

    KEY_ENTITY: ClassVar[str] = keys.ORDER
    data: OrderData


class OrderCancelled(Envelope, frozen=True, kw_only=True, tag=EventType.ORDER_CANCELLED.value):
    """An order was cancelled. Keyed by the order."""

    KEY_ENTITY: ClassVar[str] = keys.ORDER
    data: CancellationData


class OrderRefunded(Envelope, frozen=True, kw_only=True, tag=EventType.ORDER_REFUNDED.value):
    """Money of an order was refunded. Keyed by the order, so it follows the order's other events."""

    KEY_ENTITY: ClassVar[str] = keys.ORDER
    data: RefundData


class ResaleListed(Envelope, frozen=True, kw_only=True, tag=EventType.RESALE_LISTED.value):
    """A seat was listed for resale. Keyed by the listing."""

    KEY_ENTITY: ClassVar[str] = keys.LISTING
    data: ResaleListingData


class ResaleSold(Envelope, frozen=True, kw_only=True, tag=EventType.RESALE_SOLD.value):
    """A resale listing was sold. Keyed by the listing."""

    KEY_ENTITY: ClassVar[str] = keys.LISTING
    data: ResaleSaleData


class ResaleDelisted(Envelope, frozen=True, kw_only=True, tag=EventType.RESALE_DELISTED.value):
    """A resale listing was withdrawn. Keyed by the listing."""

    KEY_ENTITY: ClassVar[str] = keys.LISTING
    data: ResaleDelistingData


class ChargebackFiled(Envelope, frozen=True, kw_only=True, tag=EventType.CHARGEBACK_FILED.value):
    """A chargeback was filed against an order's payment. Keyed by the chargeback."""

    KEY_ENTITY: ClassVar[str] = keys.CHARGEBACK
    data: ChargebackData


class CustomerChanged(Envelope, frozen=True, kw_only=True, tag=EventType.CUSTOMER_CHANGED.value):
    """A customer account was created or changed. Keyed by the customer."""

    KEY_ENTITY: ClassVar[str] = keys.CUSTOMER
    STATE: ClassVar[bool] = True
    data: CustomerData


class PresaleGranted(Envelope, frozen=True, kw_only=True, tag=EventType.PRESALE_GRANTED.value):
    """A customer was granted presale access to an event. Keyed by the grant."""

    KEY_ENTITY: ClassVar[str] = keys.PRESALE_GRANT
    data: PresaleGrantData


CanonicalEvent = (
    SeatChanged
    | EventChanged
    | VenueChanged
    | PriceChanged
    | PackageChanged
    | HoldPlaced
    | HoldReleased
    | OrderPlaced
    | OrderCancelled
    | OrderRefunded
    | ResaleListed
    | ResaleSold
    | ResaleDelisted
    | ChargebackFiled
    | CustomerChanged
    | PresaleGranted
)
"""Any canonical event (msgspec tagged union on ``type``)."""

EVENT_CLASSES: Final[dict[EventType, type[Envelope]]] = {
    EventType(cls.__struct_config__.tag): cls for cls in CanonicalEvent.__args__
}
"""Event type -> its struct class."""
