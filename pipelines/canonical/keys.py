"""The entity key scheme: the `key` of every canonical event, and the stream's partitioning key.

A key is ``<entity>:<component>[:<component>...]``. ``<entity>`` is one of the fixed lower-case names below;
components are the entity's natural identifiers as the source system spells them, in a fixed order. Inside a
component ``%`` is written ``%25`` and ``:`` is written ``%3A`` (percent-encoding of just those two), so a key
always splits back into exactly its components. Components must be non-empty and free of control characters;
adapters strip the blank padding legacy ``CHAR`` columns carry before building keys.

| entity | components | example |
|---|---|---|
| `event` | event id | `event:BO-1042` |
| `venue` | venue id | `venue:17` |
| `seat` | event id, section, row, seat | `seat:BO-1042:A:12:7` |
| `price-level` | price level id | `price-level:88` |
| `package` | package id | `package:0b7c6f1e-...` |
| `hold` | hold id (cart session) | `hold:c41f0e2a-...` |
| `order` | order number as printed | `order:B7K2M9Q4T1X8` |
| `listing` | resale listing id | `listing:5d2c9a10-...` |
| `chargeback` | chargeback id | `chargeback:6c1d8e4f-...` |
| `customer` | CRM customer id | `customer:3f2504e0-4f89-11d3-9a0c-0305e82c3301` |
| `presale-grant` | grant id | `presale-grant:1f4e7a2b-...` |
"""

from __future__ import annotations

import re
from typing import Annotated, Final

from msgspec import Meta

from pipelines.canonical.exceptions import InvalidKeyError

EVENT: Final = "event"
VENUE: Final = "venue"
SEAT: Final = "seat"
PRICE_LEVEL: Final = "price-level"
PACKAGE: Final = "package"
HOLD: Final = "hold"
ORDER: Final = "order"
LISTING: Final = "listing"
CHARGEBACK: Final = "chargeback"
CUSTOMER: Final = "customer"
PRESALE_GRANT: Final = "presale-grant"

#: entity name -> number of components its keys have.
ENTITIES: Final[dict[str, int]] = {
    EVENT: 1,
    VENUE: 1,
    SEAT: 4,
    PRICE_LEVEL: 1,
    PACKAGE: 1,
    HOLD: 1,
    ORDER: 1,
    LISTING: 1,
    CHARGEBACK: 1,
    CUSTOMER: 1,
    PRESALE_GRANT: 1,
}

EntityKey = Annotated[
    str,
    Meta(
        pattern="^[a-z][a-z-]*(:[^:]+)+$",
        description="Entity key `<entity>:<component>...` (see the key scheme); the stream partitioning key.",
    ),
]


_CONTROL = re.compile("[\x00-\x1f\x7f]")


def _escape(component: str) -> str:
    if not component:
        raise InvalidKeyError("key components must be non-empty")
    if _CONTROL.search(component) is not None:
        raise InvalidKeyError(f"key component {component!r} contains a control character")
    if "%" in component or ":" in component:
        return component.replace("%", "%25").replace(":", "%3A")
    return component


def _unescape(component: str) -> str:
    return component.replace("%3A", ":").replace("%25", "%")


def make_key(entity: str, *components: str | int) -> str:
    """Build the key of ``entity`` from its components (ints are written in decimal)."""
    arity = ENTITIES.get(entity)
    if arity is None:
        raise InvalidKeyError(f"unknown key entity {entity!r}; known: {', '.join(ENTITIES)}")
    if len(components) != arity:
        raise InvalidKeyError(f"a {entity} key has {arity} component(s), got {len(components)}")
    parts = [entity]
    for c in components:
        if type(c) is not str:
            if isinstance(c, bool) or not isinstance(c, str | int):
                raise InvalidKeyError(f"key components are str or int, got {type(c).__name__}")
            c = str(c)
        parts.append(_escape(c))
    return ":".join(parts)


def parse_key(key: str) -> tuple[str, tuple[str, ...]]:
    """Split a key into its entity and unescaped components; raise :class:`InvalidKeyError` if malformed."""
    entity, sep, rest = key.partition(":")
    arity = ENTITIES.get(entity)
    if not sep or arity is None:
        raise InvalidKeyError(f"{key!r} does not start with a known entity")
    parts = rest.split(":")
    if len(parts) != arity or not all(parts):
        raise InvalidKeyError(f"{key!r}: a {entity} key has {arity} non-empty component(s)")
    return entity, tuple(_unescape(p) for p in parts)


def event_key(event_id: str) -> str:
    """``event:<event_id>``, e.g. ``event:BO-1042``."""
    return make_key(EVENT, event_id)


def venue_key(venue_id: str | int) -> str:
    """``venue:<venue_id>``."""
    return make_key(VENUE, venue_id)


def seat_key(event_id: str, section: str, row: str, seat: str | int) -> str:
    """``seat:<event_id>:<section>:<row>:<seat>``, e.g. ``seat:BO-1042:A:12:7``."""
    return make_key(SEAT, event_id, section, row, seat)


def price_level_key(price_level_id: str | int) -> str:
    """``price-level:<price_level_id>``."""
    return make_key(PRICE_LEVEL, price_level_id)


def package_key(package_id: str | int) -> str:
    """``package:<package_id>``."""
    return make_key(PACKAGE, package_id)


def hold_key(hold_id: str | int) -> str:
    """``hold:<hold_id>``."""
    return make_key(HOLD, hold_id)


def order_key(order_id: str | int) -> str:
    """``order:<order_id>``; cancellations and refunds of the order share it, so they stay in order."""
    return make_key(ORDER, order_id)


def listing_key(listing_id: str | int) -> str:
    """``listing:<listing_id>``; the listing, its sale and its delisting share it."""
    return make_key(LISTING, listing_id)


def chargeback_key(chargeback_id: str | int) -> str:
    """``chargeback:<chargeback_id>``."""
    return make_key(CHARGEBACK, chargeback_id)


def customer_key(customer_id: str | int) -> str:
    """``customer:<customer_id>`` (SQL Server ``uniqueidentifier`` ids in lower case)."""
    return make_key(CUSTOMER, customer_id)


def presale_grant_key(grant_id: str | int) -> str:
    """``presale-grant:<grant_id>``."""
    return make_key(PRESALE_GRANT, grant_id)
