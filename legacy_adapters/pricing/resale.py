"""Resale rows to canonical business events: listings and sales.

| table | change | canonical events |
|---|---|---|
| ``resale.listing`` | insert, snapshot read | ``resale.listed``; then ``resale.delisted`` if the row is already withdrawn, expired, blocked or soft-deleted |
| ``resale.listing`` | update leaving ``active`` (not to ``sold``), or soft delete of an active listing | ``resale.delisted`` |
| ``resale.listing`` | update of an active listing's terms (ask, face value, currency, expiry) | ``resale.listed`` (relisted) |
| ``resale.listing`` | hard delete of an active listing | ``resale.delisted`` (reason ``other``) |
| ``resale.sale`` | insert, snapshot read | ``resale.sold`` |
| ``resale.sale`` | update (a reversal), delete | nothing: the contract has no sale reversal |

Delisting reasons: ``withdrawn`` -> ``seller_withdrew``, ``expired`` -> ``expired``, ``blocked`` ->
``policy_violation``, a soft delete of an active listing -> ``other``. ``seat_ref`` text (``' orch : aa : 101 '``)
becomes the seat's labels trimmed and upper-cased; general admission (``'GA'``, no row or seat) cannot be a
canonical seat and is refused. ``listing_attrs.ip_hash`` / ``device_hash`` hold the pricing system's unkeyed
SHA-256 of the seller's IP address and device fingerprint: they are re-keyed under the platform's pepper, so they join
the box office's ``CLNT_IP_HASH`` / ``DEVICE_HASH`` and cannot be reversed by enumerating addresses. A sale
needs its listing's event, seat and seller: the adapter remembers listings it has seen (the only lookup of the
pricing adapter, so its saved state: :class:`ResaleLookups`); a sale of an unknown listing is a
:class:`~pipelines.mapping.MissingReferenceError`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import msgspec

from legacy_adapters.mapping.bounded import Bounded
from legacy_adapters.mapping.emit import Emitter
from legacy_adapters.mapping.values import (
    captured_hash,
    currency,
    decimal_money,
    event_ref,
    identifier,
    instant,
    optional_decimal_money,
    optional_instant,
    required_guid,
    seat_ref,
)
from pipelines.canonical import (
    CanonicalEvent,
    DelistReason,
    ResaleDelisted,
    ResaleDelistingData,
    ResaleListed,
    ResaleListingData,
    ResaleSaleData,
    ResaleSold,
    SeatRef,
    listing_key,
)
from pipelines.debezium import ChangeEvent, Op
from pipelines.mapping import InvalidValueError, MissingReferenceError

ACTIVE: Final = "active"
_DELISTED: Final = {
    "withdrawn": DelistReason.SELLER_WITHDREW,
    "expired": DelistReason.EXPIRED,
    "blocked": DelistReason.POLICY_VIOLATION,
}
_TERMS: Final = ("ask_amount", "face_amount", "currency", "expires_at")


class ListingInfo(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """What a sale needs of its listing."""

    event_id: str
    seat: SeatRef
    seller: str


class ResaleLookups(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The listings in a saved adapter state by listing id, in their order, oldest first."""

    listings: dict[str, ListingInfo]


class _ListingV1(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    event_id: str
    seat: SeatRef
    seller: str


class _LookupsV1(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    listings: list[tuple[str, _ListingV1]]


def lookups_from_v1(raw: msgspec.Raw) -> ResaleLookups:
    """State version 1's listings (field-named maps, as pairs) as version 2 holds them."""
    old = msgspec.msgpack.decode(raw, type=_LookupsV1)
    return ResaleLookups(listings={k: ListingInfo(v.event_id, v.seat, v.seller) for k, v in old.listings})


def _delisting(row: dict[str, Any]) -> DelistReason | None:
    reason = _DELISTED.get(str(row.get("status")))
    if reason is None and row.get("deleted_at") is not None and row.get("status") == ACTIVE:
        return DelistReason.OTHER
    return reason


class ResaleMapping:
    """Maps ``resale.listing`` and ``resale.sale`` changes; remembers listings for their sales."""

    def __init__(self, system: str, pepper: bytes, max_listings: int = 1_000_000) -> None:
        self.system = system
        self._pepper = pepper
        self.listings: Bounded[str, ListingInfo] = Bounded(max_listings)

    def lookups(self) -> ResaleLookups:
        """The listings it remembers, for a saved adapter state."""
        return ResaleLookups(listings=self.listings)

    def restore(self, lookups: ResaleLookups) -> None:
        """Remember exactly ``lookups``' listings, in their order, within its own bound."""
        self.listings.refill(lookups.listings)

    def listing(self, change: ChangeEvent) -> list[CanonicalEvent]:
        """The listing events of one change (see the module table)."""
        row = change.row
        assert row is not None
        listing_id = required_guid(row["listing_id"], "listing_id")
        event_id = event_ref(row["event_ref"], "event_ref")
        seat = seat_ref(row["seat_ref"], "seat_ref")
        seller = required_guid(row["seller_account_id"], "seller_account_id")
        self.listings.put(listing_id, ListingInfo(event_id, seat, seller))
        emit = Emitter(change, self.system, {"listing_id": listing_id})
        key = listing_key(listing_id)
        before, after = change.before, change.after
        events: list[CanonicalEvent] = []
        if change.op in (Op.CREATE, Op.READ):
            assert after is not None
            events.append(
                emit.make(ResaleListed, key, self._listed(after, listing_id, event_id, seat, seller))
            )
            reason = _delisting(after)
            if reason is not None:
                events.append(emit.make(ResaleDelisted, key, self._delisted(after, event_id, seat, reason)))
        elif change.op is Op.UPDATE:
            assert after is not None
            was_open = before is None or (before.get("status") == ACTIVE and before.get("deleted_at") is None)
            reason = _delisting(after)
            if reason is not None and was_open:
                events.append(emit.make(ResaleDelisted, key, self._delisted(after, event_id, seat, reason)))
            elif (
                reason is None
                and after.get("status") == ACTIVE
                and before is not None
                and _terms_changed(before, after)
            ):
                events.append(
                    emit.make(ResaleListed, key, self._listed(after, listing_id, event_id, seat, seller))
                )
        elif before is not None and before.get("status") == ACTIVE and before.get("deleted_at") is None:
            data = ResaleDelistingData(
                listing_id=listing_id,
                event_id=event_id,
                seat=seat,
                reason=DelistReason.OTHER,
                delisted_at=change.source.committed_at,
            )
            events.append(emit.make(ResaleDelisted, key, data))
        return events

    def _listed(
        self, row: dict[str, Any], listing_id: str, event_id: str, seat: SeatRef, seller: str
    ) -> ResaleListingData:
        money = currency(row["currency"], "currency")
        attrs = row["listing_attrs"]
        if not isinstance(attrs, dict):
            raise InvalidValueError("listing_attrs is not a JSON object", column="listing_attrs")
        return ResaleListingData(
            listing_id=listing_id,
            event_id=event_id,
            seat=seat,
            seller_customer_id=seller,
            ask_price=decimal_money(row["ask_amount"], money, "ask_amount"),
            listed_at=instant(row["listed_at"], "listed_at"),
            face_value=optional_decimal_money(row["face_amount"], money, "face_amount"),
            expires_at=optional_instant(row["expires_at"], "expires_at"),
            original_order_id=_order_no(row["origin_order_no"]),
            client_ip_hash=captured_hash(attrs.get("ip_hash"), "listing_attrs.ip_hash", pepper=self._pepper),
            device_hash=captured_hash(
                attrs.get("device_hash"), "listing_attrs.device_hash", pepper=self._pepper
            ),
        )

    def _delisted(
        self, row: dict[str, Any], event_id: str, seat: SeatRef, reason: DelistReason
    ) -> ResaleDelistingData:
        when: datetime | None = None
        if reason is DelistReason.OTHER:
            when = optional_instant(row.get("deleted_at"), "deleted_at")
        when = when or optional_instant(row.get("updated_at"), "updated_at")
        if when is None:
            raise InvalidValueError("a delisting needs updated_at or deleted_at", column="updated_at")
        return ResaleDelistingData(
            listing_id=required_guid(row["listing_id"], "listing_id"),
            event_id=event_id,
            seat=seat,
            reason=reason,
            delisted_at=when,
        )

    def sale(self, change: ChangeEvent) -> list[CanonicalEvent]:
        """``resale.sold`` for a new (or snapshot-read) sale; nothing for updates and deletes."""
        if change.op not in (Op.CREATE, Op.READ):
            return []
        row = change.after
        assert row is not None
        sale_id = required_guid(row["sale_id"], "sale_id")
        listing_id = required_guid(row["listing_id"], "listing_id")
        listing = self.listings.get(listing_id)
        if listing is None:
            raise MissingReferenceError(
                f"listing {listing_id} has not been seen: the sale's event, seat and seller are unknown",
                entity="listing",
                ref=listing_id,
                column="listing_id",
            )
        money = currency(row["currency"], "currency")
        data = ResaleSaleData(
            sale_id=sale_id,
            listing_id=listing_id,
            event_id=listing.event_id,
            seat=listing.seat,
            seller_customer_id=listing.seller,
            buyer_customer_id=required_guid(row["buyer_account_id"], "buyer_account_id"),
            sale_price=decimal_money(row["sale_amount"], money, "sale_amount"),
            sold_at=instant(row["sold_at"], "sold_at"),
            buyer_fee=decimal_money(row["buyer_fee_amount"], money, "buyer_fee_amount"),
            seller_payout=decimal_money(row["seller_payout_amount"], money, "seller_payout_amount"),
        )
        emit = Emitter(change, self.system, {"sale_id": sale_id})
        return [emit.make(ResaleSold, listing_key(listing_id), data)]


def _terms_changed(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return any(before.get(column) != after.get(column) for column in _TERMS)


def _order_no(value: object) -> str | None:
    number = identifier(value)
    return None if number is None else number.upper()
