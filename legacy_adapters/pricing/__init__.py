"""Pricing and resale: price levels, packages, resale listings and sales (PostgreSQL, database ``pricing``).

Operational hazards: the connector's replication slot keeps WAL until it is consumed; a stopped connector
fills the disk up to ``max_slot_wal_keep_size``, after which the slot is lost and a new snapshot is needed.
The publication :data:`PUBLICATION` is made by the installer, so the connector must run with
``publication.autocreate.mode=disabled``; a table added later must be added to it too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from legacy_adapters.system import LegacySystem

if TYPE_CHECKING:
    from legacy_adapters.pricing.mapper import PricingAdapter

DATABASE = "pricing"
PUBLICATION = "dbz_pricing"
SCHEMAS = ("pricing", "resale")
TABLES = ("pricing.price_level", "pricing.package", "resale.listing", "resale.sale")
SIGNAL_TABLE = "public.dbz_signal"

SYSTEM = LegacySystem(
    name="pricing",
    title="pricing and resale",
    engine="postgresql",
    engine_title="PostgreSQL",
    dialect="postgres",
    database=DATABASE,
    package=__name__,
    ddl_resource="schema.sql",
    schemas=SCHEMAS,
    captured_tables=(*TABLES, SIGNAL_TABLE),
    signal_table=SIGNAL_TABLE,
    publication=PUBLICATION,
)


def adapter(*, pepper: bytes) -> PricingAdapter:
    """The pricing system's adapter (a :class:`pipelines.mapping.Adapter`) for the composition root to hand over.

    ``pepper`` is the platform's PII pepper (at least 16 bytes, from the environment): the resale listings'
    stored IP and device digests are re-keyed with it so they join the box office's orders. Feed it the
    connector's table topics; it does not need the transaction topic (``needs_transactions`` is false).
    """
    from legacy_adapters.pricing.mapper import PricingAdapter

    return PricingAdapter(pepper=pepper)
