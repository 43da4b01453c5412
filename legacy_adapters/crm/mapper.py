"""The CRM and presale adapter: each change is mapped on its own, as it arrives.

No canonical event of the CRM spans rows of one transaction, so changes are not grouped. What each table maps
to is in :mod:`legacy_adapters.crm.mapping`. Only fan-club tier codes are remembered (for grants), so they are
its state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import msgspec

from legacy_adapters.crm import SIGNAL_TABLE, SYSTEM
from legacy_adapters.crm.mapping import SPECS, UNMAPPED, CrmLookups, CrmMapping
from legacy_adapters.mapping.base import LegacyAdapter
from legacy_adapters.mapping.snapshot import decode_lookups
from pipelines.canonical import CanonicalError, CanonicalEvent, ContractViolation
from pipelines.canonical.pii import MIN_PEPPER_BYTES
from pipelines.debezium import ChangeEvent
from pipelines.mapping import Mapped, MappingError

Handler = Callable[[ChangeEvent], list[CanonicalEvent]]


class CrmAdapter(LegacyAdapter):
    """Maps the CRM's change events (SQL Server connector)."""

    STATE_VERSION: ClassVar[int] = 1

    def __init__(self, *, pepper: bytes) -> None:
        if len(pepper) < MIN_PEPPER_BYTES:
            raise ContractViolation(f"the PII pepper must be at least {MIN_PEPPER_BYTES} bytes")
        super().__init__(
            system=SYSTEM.name,
            specs=SPECS,
            ignored=(SIGNAL_TABLE, *UNMAPPED),
            with_schema=True,
            group_transactions=False,
        )
        self.mapping = CrmMapping(self.system, pepper)
        self._handlers: dict[str, Handler] = {
            "dbo.Customer": self.mapping.customer,
            "dbo.FanClubTier": self.mapping.tier,
            "dbo.PresaleGrant": self.mapping.grant,
            "dbo.Chargeback": self.mapping.chargeback,
        }

    def map_unit(self, changes: list[ChangeEvent], out: Mapped) -> None:
        """Map each change on its own."""
        for change in changes:
            try:
                out.events.extend(self._handlers[self.name_of(change)](change))
            except (MappingError, CanonicalError) as exc:
                self.fail(out, change, exc)

    def save_lookups(self) -> CrmLookups:
        """The fan-club tier codes it remembers."""
        return self.mapping.lookups()

    def load_lookups(self, raw: msgspec.Raw) -> None:
        """Replace the remembered tier codes."""
        self.mapping.restore(decode_lookups(raw, CrmLookups))
