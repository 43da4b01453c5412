"""Pricing rows to canonical state events: price levels and packages.

| table | change | canonical events |
|---|---|---|
| ``pricing.price_level`` | any | ``price.changed``; ``deleted`` on delete or when ``deleted_at`` is set |
| ``pricing.package`` | any | ``package.changed``; ``deleted`` on delete or when ``deleted_at`` is set |

Values: ``numeric(12,2)`` amounts convert exactly into the row's currency or fail (``9999999999.99`` cannot be
yen); references to box-office events (``' bo-1042 '``), level codes and currencies are trimmed and upper-cased;
NULL entries of ``sections`` are dropped. A package's ``contents`` (jsonb) gives ``event_ids`` (``events``),
one ``ticket`` item (``seats_per_event`` per event, at ``level_code``) and one item per ``perks`` entry
(kind by keyword: parking, hospitality for lounge / hospitality / vip / suite, merchandise, else other); other
keys are ignored. Contents that arrive as Debezium's unavailable-value placeholder (a TOASTed value of a table
without ``REPLICA IDENTITY FULL``) are refused rather than mapped as empty.
"""

from __future__ import annotations

from typing import Any, Final

from legacy_adapters.mapping.emit import Emitter
from legacy_adapters.mapping.values import (
    currency,
    decimal_money,
    event_ref,
    identifier,
    integer,
    label,
    optional_instant,
    optional_integer,
    required_guid,
    text,
)
from pipelines.canonical import (
    CanonicalEvent,
    PackageChanged,
    PackageData,
    PackageItem,
    PackageItemKind,
    PriceChanged,
    PriceLevelData,
    package_key,
    price_level_key,
)
from pipelines.debezium import ChangeEvent, Op
from pipelines.mapping import InvalidValueError

_PERK_KINDS: Final = (
    ("parking", PackageItemKind.PARKING),
    ("lounge", PackageItemKind.HOSPITALITY),
    ("hospitality", PackageItemKind.HOSPITALITY),
    ("vip", PackageItemKind.HOSPITALITY),
    ("suite", PackageItemKind.HOSPITALITY),
    ("merch", PackageItemKind.MERCHANDISE),
)


def is_deleted(change: ChangeEvent, row: dict[str, Any]) -> bool:
    """Hard delete, or soft delete (``deleted_at`` set)."""
    return change.op is Op.DELETE or row.get("deleted_at") is not None


class PricingMapping:
    """Maps ``pricing.price_level`` and ``pricing.package`` changes."""

    def __init__(self, system: str) -> None:
        self.system = system

    def price_level(self, change: ChangeEvent) -> list[CanonicalEvent]:
        """``price.changed`` with the level's current (or last) state."""
        row = change.row
        assert row is not None
        level_id = integer(row["price_level_id"], "price_level_id")
        money = currency(row["currency"], "currency")
        sections = row["sections"] or ()
        data = PriceLevelData(
            price_level_id=str(level_id),
            event_id=event_ref(row["event_ref"], "event_ref"),
            level_code=label(row["level_code"], "level_code").upper(),
            name=text(row["level_name"], "level_name"),
            face_value=decimal_money(row["amount"], money, "amount"),
            fee=decimal_money(row["fee_amount"], money, "fee_amount"),
            sections=tuple(s.strip() for s in sections if isinstance(s, str) and s.strip()),
            valid_from=optional_instant(row["valid_from"], "valid_from"),
            valid_until=optional_instant(row["valid_to"], "valid_to"),
        )
        emit = Emitter(change, self.system, {"price_level_id": level_id})
        return [emit.make(PriceChanged, price_level_key(level_id), data, deleted=is_deleted(change, row))]

    def package(self, change: ChangeEvent) -> list[CanonicalEvent]:
        """``package.changed`` with the package's current (or last) state."""
        row = change.row
        assert row is not None
        package_id = required_guid(row["package_id"], "package_id")
        contents = row["contents"]
        if not isinstance(contents, dict):
            raise InvalidValueError(
                "contents is not a JSON object (an unchanged TOASTed value without REPLICA IDENTITY FULL?)",
                column="contents",
            )
        events = contents.get("events") or []
        if not isinstance(events, list):
            raise InvalidValueError("contents.events is not a list", column="contents")
        event_ids = tuple(event_ref(e, "contents.events") for e in events)
        limit = optional_integer(row["max_per_account"], "max_per_account")
        if limit is not None and limit < 1:
            raise InvalidValueError(
                f"max_per_account {limit} is not a positive limit", column="max_per_account"
            )
        data = PackageData(
            package_id=package_id,
            name=text(row["package_name"], "package_name"),
            event_ids=event_ids,
            price=decimal_money(row["amount"], currency(row["currency"], "currency"), "amount"),
            code=identifier(row["package_code"]),
            items=_items(contents, len(event_ids)),
            max_per_customer=limit,
            on_sale_at=optional_instant(row["on_sale_at"], "on_sale_at"),
            off_sale_at=optional_instant(row["off_sale_at"], "off_sale_at"),
        )
        emit = Emitter(change, self.system, {"package_id": package_id})
        return [emit.make(PackageChanged, package_key(package_id), data, deleted=is_deleted(change, row))]


def _items(contents: dict[str, Any], events: int) -> tuple[PackageItem, ...]:
    items: list[PackageItem] = []
    seats = contents.get("seats_per_event")
    if seats is not None:
        if not isinstance(seats, int) or isinstance(seats, bool) or seats < 1:
            raise InvalidValueError(
                f"contents.seats_per_event {seats!r} is not a positive count", column="contents"
            )
        level = contents.get("level_code")
        description = (
            f"level {level.strip().upper()} seat" if isinstance(level, str) and level.strip() else "seat"
        )
        items.append(
            PackageItem(kind=PackageItemKind.TICKET, description=description, quantity=seats * max(events, 1))
        )
    perks = contents.get("perks") or []
    if not isinstance(perks, list) or not all(isinstance(p, str) for p in perks):
        raise InvalidValueError("contents.perks is not a list of texts", column="contents")
    for perk in perks:
        lowered = perk.casefold()
        kind = next((k for word, k in _PERK_KINDS if word in lowered), PackageItemKind.OTHER)
        items.append(PackageItem(kind=kind, description=perk))
    return tuple(items)
