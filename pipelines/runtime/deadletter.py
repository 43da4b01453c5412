"""Dead letters: a record the pipeline could not turn into canonical events, with why and where it came from.

A dead letter carries the reason (the error's class and message, the field, table and column to blame), the
record's coordinates (topic, partition, offset), its source change-log position when it could be read, and
the raw record itself, so ``dlq replay`` can run it through the adapters again after a fix.

Size rule: the Kafka dead-letter topic keeps the broker's default maximum message size (about 1 MB), and a
record can be larger than that (its topic may allow more). A value longer than ``inline_limit`` bytes (512 KiB
by default) is not copied: the dead letter carries a reference instead (``value_inline`` false, the
coordinates, ``value_size`` and ``value_sha256``), and replay reads the value back from its source topic.
Hazard: that works only while the source topic still holds the record (its retention). The DuckDB dead-letter
table of the embedded transport always holds the whole value.

The ``id`` is derived from the record's topic, key and value bytes and the error class, so the same poison
record redelivered after a restart is the same dead letter (sinks keep it once).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any, Final

import msgspec

from pipelines.runtime.records import SourceRecord

DEFAULT_INLINE_LIMIT: Final = 512 * 1024
_NAMESPACE: Final = uuid.UUID("0d7c1c64-33a6-4d0e-9a55-5fb0c2f0d7e1")


class DeadLetter(msgspec.Struct, frozen=True, kw_only=True):
    """One dead letter (JSON on the dead-letter topic; a row of the DuckDB ``dead_letters`` table)."""

    id: str
    system: str | None
    error: str
    """The error's class name: ``DecodeError``, ``UnknownTableError``, ``OversizedRecordError``, ..."""
    reason: str
    message: str
    retryable: bool = False
    field: str | None = None
    table: str | None = None
    column: str | None = None
    topic: str
    partition: int
    offset: int
    position: dict[str, Any] | None = None
    key: bytes | None = None
    value: bytes | None = None
    value_inline: bool = True
    value_size: int = 0
    value_sha256: str | None = None
    failed_at: datetime | None = None


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def dead_letter_id(record: SourceRecord, error: str) -> str:
    """The deterministic id of the dead letter of ``record`` failing with ``error``."""
    basis = f"{record.topic}|{_digest(record.key)}|{_digest(record.value)}|{error}"
    return str(uuid.uuid5(_NAMESPACE, basis))


def dead_letter(
    record: SourceRecord,
    exc: BaseException,
    *,
    system: str | None,
    inline_limit: int = DEFAULT_INLINE_LIMIT,
    now: datetime | None = None,
) -> DeadLetter:
    """The dead letter of ``record`` for the error ``exc`` (a decode, mapping or poison-record error)."""
    error = type(exc).__name__
    reason = str(getattr(exc, "reason", None) or exc)
    position = getattr(exc, "position", None)
    value = record.value
    size = 0 if value is None else len(value)
    inline = size <= inline_limit
    return DeadLetter(
        id=dead_letter_id(record, error),
        system=getattr(exc, "system", None) or system,
        error=error,
        reason=reason,
        message=str(exc),
        retryable=bool(getattr(exc, "retryable", False)),
        field=getattr(exc, "field", None),
        table=getattr(exc, "table", None),
        column=getattr(exc, "column", None),
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        position=None if position is None else msgspec.to_builtins(position),
        key=record.key,
        value=value if inline else None,
        value_inline=inline,
        value_size=size,
        value_sha256=_digest(value),
        failed_at=now or datetime.now(UTC),
    )


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(DeadLetter)


def encode_dead_letter(letter: DeadLetter) -> bytes:
    """JSON of a dead letter (bytes fields base64)."""
    return _encoder.encode(letter)


def decode_dead_letter(data: bytes) -> DeadLetter:
    """A dead letter from its JSON."""
    return _decoder.decode(data)


def source_record(letter: DeadLetter, value: bytes | None = None) -> SourceRecord:
    """The raw record of ``letter`` (pass ``value`` read back from the source when it was not inline)."""
    return SourceRecord(
        letter.topic,
        letter.partition,
        letter.offset,
        letter.key,
        letter.value if letter.value_inline else value,
    )
