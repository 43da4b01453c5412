"""What the box-office adapter remembers between changes, from snapshot reads and the stream alike.

A box-office row rarely says everything its canonical event needs: an event's times need its venue's zone, a
seat's price needs its event's currency, an order line needs its seat's labels, a chargeback its order's
number. The adapter therefore keeps small lookups, filled by every change it maps:

* venues (``VEN_ID`` -> zone) and events (``EVT_ID`` -> venue, currency): small, kept whole;
* orders (``ORD_ID`` -> number, event, customer) and seats (``SEAT_ID`` -> event, labels): large tables, so
  bounded (oldest entries evicted first). An order's own transaction always carries what its order needs; the
  bounds only matter for later references (a chargeback weeks after its order).

A reference that is not known raises :class:`~pipelines.mapping.MissingReferenceError` (retryable: the row may
still be on its way on its own topic). Hazard: the lookups live in memory; a restarted adapter knows only
what it has seen since, so run connectors with an initial snapshot (or re-snapshot the small tables), or load
the adapter's saved state (:class:`BoxOfficeLookups` is its lookups' part).
"""

from __future__ import annotations

import msgspec

from legacy_adapters.mapping.bounded import Bounded
from pipelines.canonical import SeatRef
from pipelines.mapping import MissingReferenceError


class EventInfo(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """What later rows need of an ``EVT_MASTER`` row."""

    venue_id: int
    currency: str


class OrderInfo(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """What later rows need of an ``ORD_HDR`` row."""

    order_no: str
    evt_id: int
    customer_id: str | None


class SeatInfo(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """What order lines need of a ``SEAT_INV`` row: its event and labels (a saved state holds millions of these,
    hence plain fields, written as arrays)."""

    evt_id: int
    section: str
    row: str
    seat: str

    @classmethod
    def of(cls, evt_id: int, ref: SeatRef) -> SeatInfo:
        return cls(evt_id, ref.section, ref.row, ref.seat)

    def ref(self) -> SeatRef:
        """The seat's labels."""
        return SeatRef(section=self.section, row=self.row, seat=self.seat)


class BoxOfficeLookups(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The lookups in a saved adapter state; the bounded ones in their order, oldest first."""

    venues: dict[int, str]
    events: dict[int, EventInfo]
    orders: dict[int, OrderInfo]
    seats: dict[int, SeatInfo]


class BoxOfficeState:
    """The box-office adapter's lookups (see the module docstring)."""

    def __init__(self, max_orders: int = 1_000_000, max_seats: int = 2_000_000) -> None:
        self.venues: dict[int, str] = {}
        self.events: dict[int, EventInfo] = {}
        self.orders: Bounded[int, OrderInfo] = Bounded(max_orders)
        self.seats: Bounded[int, SeatInfo] = Bounded(max_seats)

    def lookups(self) -> BoxOfficeLookups:
        """Everything it holds, for a saved adapter state (its own dictionaries: encode before changing it)."""
        return BoxOfficeLookups(venues=self.venues, events=self.events, orders=self.orders, seats=self.seats)

    def restore(self, lookups: BoxOfficeLookups) -> None:
        """Hold exactly ``lookups``, in their order, within its own bounds (the oldest beyond them go)."""
        self.venues = dict(lookups.venues)
        self.events = dict(lookups.events)
        self.orders.refill(lookups.orders)
        self.seats.refill(lookups.seats)

    def event(self, evt_id: int, column: str = "EVT_ID") -> EventInfo:
        """The event ``evt_id``, or :class:`MissingReferenceError`."""
        info = self.events.get(evt_id)
        if info is None:
            raise MissingReferenceError(
                f"event {evt_id} has not been seen: its venue (time zone) and currency are unknown",
                entity="event",
                ref=str(evt_id),
                column=column,
            )
        return info

    def zone(self, venue_id: int, column: str = "VEN_ID") -> str:
        """The IANA zone of venue ``venue_id``, or :class:`MissingReferenceError` (never a guessed zone)."""
        zone = self.venues.get(venue_id)
        if zone is None:
            raise MissingReferenceError(
                f"venue {venue_id} has not been seen: its time zone is unknown",
                entity="venue",
                ref=str(venue_id),
                column=column,
            )
        return zone

    def event_zone(self, evt_id: int) -> tuple[EventInfo, str]:
        """The event and its venue's zone."""
        info = self.event(evt_id)
        return info, self.zone(info.venue_id)

    def order(self, ord_id: int, column: str = "ORD_ID") -> OrderInfo:
        """The order ``ord_id``, or :class:`MissingReferenceError`."""
        info = self.orders.get(ord_id)
        if info is None:
            raise MissingReferenceError(
                f"order {ord_id} has not been seen (or was evicted): its number is unknown",
                entity="order",
                ref=str(ord_id),
                column=column,
            )
        return info


# -- state version 1, read for upgrades ------------------------------------------------------------------------
class _EventV1(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    venue_id: int
    currency: str


class _OrderV1(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    order_no: str
    evt_id: int
    customer_id: str | None


class _SeatRefV1(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    section: str
    row: str
    seat: str


class _SeatV1(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    evt_id: int
    seat: _SeatRefV1


class _LookupsV1(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    venues: dict[int, str]
    events: dict[int, _EventV1]
    orders: list[tuple[int, _OrderV1]]
    seats: list[tuple[int, _SeatV1]]


def lookups_from_v1(raw: msgspec.Raw) -> BoxOfficeLookups:
    """State version 1's lookups (entries as field-named maps, bounded ones as pairs) as version 2 holds them."""
    old = msgspec.msgpack.decode(raw, type=_LookupsV1)
    return BoxOfficeLookups(
        venues=old.venues,
        events={k: EventInfo(v.venue_id, v.currency) for k, v in old.events.items()},
        orders={k: OrderInfo(v.order_no, v.evt_id, v.customer_id) for k, v in old.orders},
        seats={k: SeatInfo(v.evt_id, v.seat.section, v.seat.row, v.seat.seat) for k, v in old.seats},
    )
