"""Errors of Debezium record decoding.

A :class:`DecodeError` is terminal: the same bytes will never decode, so the record belongs on the dead-letter
stream with the facts carried here (which field, why, which topic/partition/offset, which source position).
"""

from __future__ import annotations

from pipelines.canonical.source import Position
from pipelines.exceptions import TerminalError


class DebeziumError(TerminalError):
    """Base of the Debezium decoding errors."""


class DecodeError(DebeziumError):
    """A Debezium record that cannot be decoded.

    ``field`` is the path of the culprit inside the record (``payload.after.PRICE_AMT``, ``payload.source.lsn``,
    ``schema.fields[1].fields[3]``; ``value`` when the record as a whole is wrong). ``topic``, ``partition`` and
    ``offset`` locate the Kafka record when the caller gave them; ``position`` is the source change-log position
    when the record's source block could still be read.
    """

    def __init__(
        self,
        field: str,
        reason: str,
        *,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
        position: Position | None = None,
    ) -> None:
        self.field = field
        self.reason = reason
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.position = position
        super().__init__(self._message())

    def _message(self) -> str:
        where = ""
        if self.topic is not None:
            where = f" in {self.topic}[{'?' if self.partition is None else self.partition}]"
            where += f"@{'?' if self.offset is None else self.offset}"
        if self.position is not None:
            where += f" at source position {self.position}"
        return f"cannot decode Debezium record field {self.field}{where}: {self.reason}"

    def locate(
        self,
        *,
        topic: str | None,
        partition: int | None,
        offset: int | None,
        position: Position | None = None,
    ) -> DecodeError:
        """Fill in the record coordinates (keeping any already set) and refresh the message; returns ``self``."""
        self.topic = self.topic if self.topic is not None else topic
        self.partition = self.partition if self.partition is not None else partition
        self.offset = self.offset if self.offset is not None else offset
        self.position = self.position if self.position is not None else position
        self.args = (self._message(),)
        return self


class UnknownLogicalTypeError(DecodeError):
    """A field whose Connect schema names a logical type this decoder does not know (or does not support).

    ``logical_type`` is the schema name, e.g. ``io.debezium.time.StructuredTimestamp``.
    """

    def __init__(self, field: str, logical_type: str, reason: str | None = None) -> None:
        self.logical_type = logical_type
        super().__init__(field, reason or f"unknown logical type {logical_type!r}")
