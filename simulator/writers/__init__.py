"""Writers: one per legacy system, each executing an operation as one real transaction on its database."""

from __future__ import annotations

from simulator.writers.base import Ids, Rows, Writer

__all__ = ["Ids", "Rows", "Writer"]
