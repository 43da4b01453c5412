"""What the legacy systems' adapters share: the adapter skeleton, table specs and schema checks, transaction
grouping, value readers and envelope building. Each system's ``mapping`` builds on these."""

from __future__ import annotations

from legacy_adapters.mapping.base import LegacyAdapter
from legacy_adapters.mapping.emit import Emitter
from legacy_adapters.mapping.tables import SchemaGuard, TableSpec
from legacy_adapters.mapping.transactions import TransactionBuffer

__all__ = ["Emitter", "LegacyAdapter", "SchemaGuard", "TableSpec", "TransactionBuffer"]
