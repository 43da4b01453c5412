"""Reading Debezium topics outside a consumer group: a system's history (to rebuild adapter lookups before a
dead-letter replay) and single records by coordinates (dead letters whose value was too large to copy)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from confluent_kafka import Consumer, KafkaError, TopicPartition

from pipelines.runtime.records import SourceRecord
from pipelines.transports.kafka_admin import high_watermarks, partitions
from pipelines.transports.kafka_fetch import FETCH_SETTINGS


def _consumer(bootstrap: str) -> Consumer:
    return Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": "inventory-reader",  # never commits: only required by the client
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            **FETCH_SETTINGS,
            "log_level": 0,
        }
    )


def read_history(
    bootstrap: str,
    topics: Iterable[str],
    timeout_s: float = 120,
    start: Mapping[tuple[str, int], int] | None = None,
) -> Iterator[SourceRecord]:
    """Every record of ``topics`` from the beginning (or, per partition, from ``start``) to their end as of the
    call, partition by partition interleaved as Kafka delivers them."""
    start = start or {}
    consumer = _consumer(bootstrap)
    try:
        counts = partitions(consumer, topics)
        tps = [(t, p) for t, n in counts.items() for p in range(n)]
        ends = {tp: end for tp, end in high_watermarks(consumer, tps).items() if end > start.get(tp, 0)}
        if not ends:
            return
        consumer.assign([TopicPartition(t, p, start.get((t, p), 0)) for t, p in ends])
        remaining = dict(ends)
        deadline = time.monotonic() + timeout_s
        while remaining and time.monotonic() < deadline:
            messages: list[Any] = consumer.consume(5000, 0.5)
            for msg in messages:
                if msg.error() is not None:
                    if msg.error().code() == KafkaError._PARTITION_EOF:
                        continue
                    raise RuntimeError(msg.error().str())
                tp = (msg.topic(), msg.partition())
                if tp not in remaining:
                    continue
                yield SourceRecord(tp[0], tp[1], msg.offset(), msg.key(), msg.value())
                if msg.offset() + 1 >= remaining[tp]:
                    del remaining[tp]
            for tp in [tp for tp, _ in remaining.items()]:
                position = consumer.position([TopicPartition(*tp)])[0].offset
                if position >= remaining[tp]:
                    del remaining[tp]
    finally:
        consumer.close()


def fetch(
    bootstrap: str, topic: str, partition: int, offset: int, timeout_s: float = 20
) -> SourceRecord | None:
    """The record at ``topic[partition]@offset``, or None when the topic no longer holds it."""
    consumer = _consumer(bootstrap)
    try:
        consumer.assign([TopicPartition(topic, partition, offset)])
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            msg: Any = consumer.poll(0.5)
            if msg is None or msg.error() is not None:
                continue
            if msg.offset() == offset:
                return SourceRecord(topic, partition, offset, msg.key(), msg.value())
            if msg.offset() > offset:
                return None
        return None
    finally:
        consumer.close()
