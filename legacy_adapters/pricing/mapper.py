"""The pricing and resale adapter: each change is mapped on its own, as it arrives.

No canonical event of this system spans rows of one transaction, so changes are not grouped (the connector
may still send transaction metadata; the adapter ignores it). What each table maps to is in
:mod:`legacy_adapters.pricing.mapping` and :mod:`legacy_adapters.pricing.resale`. Price levels and packages
map from their own row alone; only resale listings are remembered (for their sales), so they are its state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar

import msgspec

from legacy_adapters.mapping.base import LegacyAdapter
from legacy_adapters.mapping.snapshot import decode_lookups
from legacy_adapters.pricing import SIGNAL_TABLE, SYSTEM
from legacy_adapters.pricing.mapping import PricingMapping
from legacy_adapters.pricing.resale import ResaleLookups, ResaleMapping, lookups_from_v1
from legacy_adapters.pricing.tables import SPECS
from pipelines.canonical import CanonicalError, CanonicalEvent, ContractViolation
from pipelines.canonical.pii import MIN_PEPPER_BYTES
from pipelines.debezium import ChangeEvent
from pipelines.mapping import Mapped, MappingError

Handler = Callable[[ChangeEvent], list[CanonicalEvent]]


class PricingAdapter(LegacyAdapter):
    """Maps the pricing system's change events (PostgreSQL connector)."""

    STATE_VERSION: ClassVar[int] = 2
    STATE_MIGRATIONS: ClassVar[Mapping[int, Callable[[msgspec.Raw], object]]] = {1: lookups_from_v1}

    def __init__(self, *, pepper: bytes) -> None:
        if len(pepper) < MIN_PEPPER_BYTES:
            raise ContractViolation(f"the PII pepper must be at least {MIN_PEPPER_BYTES} bytes")
        super().__init__(
            system=SYSTEM.name,
            specs=SPECS,
            ignored=(SIGNAL_TABLE,),
            with_schema=True,
            group_transactions=False,
        )
        prices = PricingMapping(self.system)
        self.resale = ResaleMapping(self.system, pepper)
        self._handlers: dict[str, Handler] = {
            "pricing.price_level": prices.price_level,
            "pricing.package": prices.package,
            "resale.listing": self.resale.listing,
            "resale.sale": self.resale.sale,
        }

    def map_unit(self, changes: list[ChangeEvent], out: Mapped) -> None:
        """Map each change on its own."""
        for change in changes:
            try:
                out.events.extend(self._handlers[self.name_of(change)](change))
            except (MappingError, CanonicalError) as exc:
                self.fail(out, change, exc)

    def save_lookups(self) -> ResaleLookups:
        """The resale listings it remembers."""
        return self.resale.lookups()

    def load_lookups(self, raw: msgspec.Raw) -> None:
        """Replace the remembered listings, keeping its own bound."""
        self.resale.restore(decode_lookups(raw, ResaleLookups))
