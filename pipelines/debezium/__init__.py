"""Decoding of Debezium change records (Kafka Connect JsonConverter format) into typed Python objects.

Adapters receive :class:`ChangeEvent` objects whose ``before`` / ``after`` rows hold decoded Python values,
with the source position already typed (:class:`~pipelines.canonical.source.Position`) and a
``source.to_canonical(system)`` ready for the canonical envelope. :mod:`pipelines.debezium.encoder` (values,
field schemas) and :mod:`pipelines.debezium.records` (whole records) write the same wire format, for tests
and golden cases.
"""

from __future__ import annotations

from pipelines.debezium.columns import RowSchema, kind_of
from pipelines.debezium.decoder import DebeziumDecoder, decode_record, undecoded_change
from pipelines.debezium.exceptions import DebeziumError, DecodeError, UnknownLogicalTypeError
from pipelines.debezium.model import (
    ChangeEvent,
    DataCollectionCount,
    DebeziumRecord,
    Heartbeat,
    LogicalMessage,
    Op,
    RecordRef,
    SchemaChange,
    SnapshotMarker,
    SourceInfo,
    TableId,
    Tombstone,
    TransactionBlock,
    TransactionEvent,
    TransactionStatus,
    UndecodedChange,
)
from pipelines.debezium.options import DecodeOptions

__all__ = [
    "ChangeEvent",
    "DataCollectionCount",
    "DebeziumDecoder",
    "DebeziumError",
    "DebeziumRecord",
    "DecodeError",
    "DecodeOptions",
    "Heartbeat",
    "LogicalMessage",
    "Op",
    "RecordRef",
    "RowSchema",
    "SchemaChange",
    "SnapshotMarker",
    "SourceInfo",
    "TableId",
    "Tombstone",
    "TransactionBlock",
    "TransactionEvent",
    "TransactionStatus",
    "UndecodedChange",
    "UnknownLogicalTypeError",
    "decode_record",
    "kind_of",
    "undecoded_change",
]
