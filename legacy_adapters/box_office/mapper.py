"""The box-office adapter: every change of one source transaction is mapped together, once it is complete.

Changes carrying Debezium's ``transaction`` block are held until their transaction is complete
(:mod:`legacy_adapters.mapping.transactions`); snapshot reads carry none and are mapped at once. A complete
transaction is mapped in source order (``total_order``), and what one row needs of another (a seat's order
number, a line's seat labels) is looked up in the whole transaction, so the result is the same whatever order
its rows arrived in. What each table maps to is in
:mod:`legacy_adapters.box_office.mapping` and :mod:`legacy_adapters.box_office.orders`. Its saved state is
the memory of completed transactions and :class:`~legacy_adapters.box_office.state.BoxOfficeState`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar

import msgspec

from legacy_adapters.box_office import SIGNAL_TABLE, SYSTEM
from legacy_adapters.box_office.mapping import BoxOfficeMapping
from legacy_adapters.box_office.orders import OrderMapping
from legacy_adapters.box_office.state import BoxOfficeLookups, BoxOfficeState, lookups_from_v1
from legacy_adapters.box_office.tables import SPECS
from legacy_adapters.box_office.unit import Unit
from legacy_adapters.mapping.base import LegacyAdapter
from legacy_adapters.mapping.snapshot import decode_lookups
from pipelines.canonical import CanonicalError, CanonicalEvent, ContractViolation
from pipelines.canonical.pii import MIN_PEPPER_BYTES
from pipelines.debezium import ChangeEvent
from pipelines.mapping import Mapped, MappingError

Handler = Callable[[ChangeEvent, Unit], list[CanonicalEvent]]


class BoxOfficeAdapter(LegacyAdapter):
    """Maps the box office's change events (MariaDB / MySQL connector, transaction metadata on)."""

    STATE_VERSION: ClassVar[int] = 2
    STATE_MIGRATIONS: ClassVar[Mapping[int, Callable[[msgspec.Raw], object]]] = {1: lookups_from_v1}

    def __init__(self, *, pepper: bytes, state: BoxOfficeState | None = None) -> None:
        if len(pepper) < MIN_PEPPER_BYTES:
            raise ContractViolation(f"the PII pepper must be at least {MIN_PEPPER_BYTES} bytes")
        super().__init__(
            system=SYSTEM.name,
            specs=SPECS,
            ignored=(SIGNAL_TABLE,),
            with_schema=False,
            group_transactions=True,
        )
        self.state = state or BoxOfficeState()
        rows = BoxOfficeMapping(self.system, self.state)
        orders = OrderMapping(rows, pepper)
        self._handlers: dict[str, Handler] = {
            "VENUE": rows.venue,
            "EVT_MASTER": rows.event,
            "SEAT_INV": rows.seat,
            "ORD_HDR": orders.header,
            "ORD_LN": lambda change, unit: [],
            "ORD_CHGBK": rows.chargeback,
        }

    def map_unit(self, changes: list[ChangeEvent], out: Mapped) -> None:
        """Map one change, or one complete transaction in source order."""
        unit = Unit(changes)
        handlers = self._handlers
        events = out.events
        for change in changes:
            try:
                events.extend(handlers[change.table.table or ""](change, unit))
            except (MappingError, CanonicalError) as exc:
                self.fail(out, change, exc)

    def save_lookups(self) -> BoxOfficeLookups:
        """Venues, events, orders and seats (see :mod:`legacy_adapters.box_office.state`)."""
        return self.state.lookups()

    def load_lookups(self, raw: msgspec.Raw) -> None:
        """Replace venues, events, orders and seats, keeping its own bounds."""
        self.state.restore(decode_lookups(raw, BoxOfficeLookups))
