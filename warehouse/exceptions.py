"""Errors of the warehouse (DuckDB) side."""

from __future__ import annotations

from pipelines.exceptions import InventoryCdcError


class WarehouseError(InventoryCdcError):
    """Root of the warehouse's errors."""


class WarehouseLockedError(WarehouseError):
    """Another process holds the DuckDB file (DuckDB allows one writing process per file)."""

    retryable = True

    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        super().__init__(f"the DuckDB file {path} is in use by another process ({detail})")
