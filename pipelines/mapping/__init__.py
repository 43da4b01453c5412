"""The adapter contract: what a legacy system's mapping offers the normalizer, and its typed errors.

Adapters live in ``legacy_adapters``; the runtime sees them only through :class:`Adapter`.
"""

from __future__ import annotations

from pipelines.mapping.exceptions import (
    AdapterStateError,
    InvalidValueError,
    MappingError,
    MissingReferenceError,
    SchemaDriftError,
    UnknownCodeError,
    UnknownTableError,
)
from pipelines.mapping.protocol import Adapter, Mapped

__all__ = [
    "Adapter",
    "AdapterStateError",
    "InvalidValueError",
    "Mapped",
    "MappingError",
    "MissingReferenceError",
    "SchemaDriftError",
    "UnknownCodeError",
    "UnknownTableError",
]
