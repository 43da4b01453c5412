"""Reading the connector's topics: the newest record of each table topic, and tailing topics from their end.

Values are Connect JSON with schemas (``{"schema": ..., "payload": ...}``); tombstones (None values) are
skipped. Consumers here assign partitions directly and never commit offsets, so they join no consumer group
and leave nothing behind.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

#: how many records back from the end to look for one that is not a tombstone
_LOOKBACK = 8


def _consumer(bootstrap: str) -> Consumer:
    return Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"inventory-cdc-inspect-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
            "enable.partition.eof": False,
            "auto.offset.reset": "earliest",
            "log_level": 0,
        }
    )


def _decode(raw: bytes | None) -> Any:
    if raw is None:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


@dataclass(frozen=True)
class NewestRecord:
    topic: str
    partition: int
    offset: int
    #: Kafka record timestamp (ms since the epoch)
    timestamp_ms: int
    payload: dict[str, Any]


def newest_records(
    bootstrap: str, topics: Iterable[str], timeout_s: float = 10.0
) -> dict[str, NewestRecord | None]:
    """The newest non-tombstone record of each topic (None for a missing or empty topic)."""
    consumer = _consumer(bootstrap)
    found: dict[str, NewestRecord | None] = {t: None for t in topics}
    try:
        metadata = consumer.list_topics(timeout=timeout_s).topics
        assignment: list[TopicPartition] = []
        ends: dict[tuple[str, int], int] = {}
        for topic in found:
            if topic not in metadata or metadata[topic].error is not None:
                continue
            for partition in metadata[topic].partitions:
                low, high = consumer.get_watermark_offsets(
                    TopicPartition(topic, partition), timeout=timeout_s
                )
                if high > low:
                    assignment.append(TopicPartition(topic, partition, max(low, high - _LOOKBACK)))
                    ends[(topic, partition)] = high
        if not assignment:
            return found
        consumer.assign(assignment)
        deadline = time.monotonic() + timeout_s
        while ends and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None or msg.error():
                continue
            topic, partition, offset = str(msg.topic()), int(msg.partition() or 0), int(msg.offset() or 0)
            value = _decode(msg.value())
            if isinstance(value, dict):
                payload = value.get("payload", value)
                current = found[topic]
                stamp = int(msg.timestamp()[1])
                if isinstance(payload, dict) and (current is None or stamp >= current.timestamp_ms):
                    found[topic] = NewestRecord(topic, partition, offset, stamp, payload)
            if offset >= ends.get((topic, partition), 0) - 1:
                ends.pop((topic, partition), None)
    finally:
        consumer.close()
    return found


class TailReader:
    """Reads ``topics`` from their current end on (a topic that does not exist yet: from its beginning)."""

    def __init__(self, bootstrap: str, topics: list[str]) -> None:
        self.topics = topics
        self._consumer = _consumer(bootstrap)

    def start_at_end(self, timeout_s: float = 10.0) -> None:
        metadata = self._consumer.list_topics(timeout=timeout_s).topics
        assignment: list[TopicPartition] = []
        for topic in self.topics:
            if topic not in metadata or metadata[topic].error is not None:
                assignment.append(TopicPartition(topic, 0, OFFSET_BEGINNING))
                continue
            for partition in metadata[topic].partitions:
                _low, high = self._consumer.get_watermark_offsets(
                    TopicPartition(topic, partition), timeout=timeout_s
                )
                assignment.append(TopicPartition(topic, partition, high))
        self._consumer.assign(assignment)

    def poll(self, timeout_s: float) -> list[tuple[str, Any]]:
        """The records that arrived within ``timeout_s``, as (topic, decoded value)."""
        out: list[tuple[str, Any]] = []
        for msg in self._consumer.consume(num_messages=500, timeout=timeout_s):
            if msg.error():  # end of partition, or a topic not created yet: keep waiting
                continue
            value = _decode(msg.value())
            if value is not None:
                out.append((str(msg.topic()), value))
        return out

    def close(self) -> None:
        self._consumer.close()
