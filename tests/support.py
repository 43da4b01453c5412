"""Helpers for tests against the live stack: unique names, consuming change events, cleaning up."""

from __future__ import annotations

import time
import uuid
from typing import Any

import orjson
from confluent_kafka import Consumer, KafkaError
from confluent_kafka.admin import AdminClient


def unique(prefix: str) -> str:
    """A name no other test (or earlier run) uses: lower case, safe as a database, topic or slot name."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def consume_change_events(
    bootstrap: str, topic: str, count: int, timeout_s: float = 90.0
) -> list[dict[str, Any]]:
    """Read ``count`` Debezium change-event payloads (tombstones skipped) from the start of ``topic``."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": unique("test"),
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            "log_level": 0,
        }
    )
    consumer.subscribe([topic])
    events: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(events) < count and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() in (KafkaError._PARTITION_EOF, KafkaError.UNKNOWN_TOPIC_OR_PART):
                    continue
                raise RuntimeError(str(msg.error()))
            if msg.value() is None:
                continue
            envelope = orjson.loads(msg.value())
            events.append(envelope.get("payload", envelope))
    finally:
        consumer.close()
    return events


def delete_topics(bootstrap: str, prefix: str) -> None:
    """Delete every topic whose name starts with ``prefix`` (what a test's connector created)."""
    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0})
    topics = [t for t in admin.list_topics(timeout=10).topics if t.startswith(prefix)]
    if topics:
        for future in admin.delete_topics(topics, operation_timeout=30).values():
            future.result()
