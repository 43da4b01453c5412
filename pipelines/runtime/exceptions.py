"""Errors of the normalizer runtime: poison-record reasons the runtime itself decides, and its own failures.

:class:`PoisonRecordError` and its subclasses are never raised out of the runtime: they become dead letters,
like the decoder's :class:`~pipelines.debezium.exceptions.DecodeError` and the adapters'
:class:`~pipelines.mapping.exceptions.MappingError`.
"""

from __future__ import annotations

from pipelines.exceptions import TerminalError


class PoisonRecordError(TerminalError):
    """A record the runtime refuses before any adapter sees it. ``reason`` says why."""

    def __init__(self, reason: str, *, field: str | None = None) -> None:
        self.reason = reason
        self.field = field
        super().__init__(reason)


class OversizedRecordError(PoisonRecordError):
    """A record value larger than the runtime's ``max_record_bytes`` (``size`` bytes): not decoded at all."""

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(f"record value of {size} bytes exceeds the limit of {limit} bytes", field="value")


class MissingKeyError(PoisonRecordError):
    """A row change without a record key: every captured table has a primary key, so the key was lost."""


class UnknownTopicError(PoisonRecordError):
    """A record of a topic no route (legacy system) claims."""


class RuntimeStateError(TerminalError):
    """The runtime was driven against its rules (a programming error in a transport)."""
