"""Small Kafka helpers of the transports: topics made sure of, partitions listed, watermarks read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from confluent_kafka import Consumer, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from pipelines.transports.exceptions import KafkaTransportError


def ensure_topics(
    bootstrap: str, topics: Mapping[str, int], config: Mapping[str, str] | None = None, timeout_s: float = 30
) -> None:
    """Create each missing topic with its number of partitions (replication factor 1 on a one-broker stack:
    the broker's ``default.replication.factor``)."""
    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0})
    existing = admin.list_topics(timeout=timeout_s).topics
    missing = [
        NewTopic(name, num_partitions=n, config=dict(config or {}))
        for name, n in topics.items()
        if name not in existing
    ]
    if not missing:
        return
    for name, future in admin.create_topics(missing, operation_timeout=timeout_s).items():
        try:
            future.result()
        except KafkaException as exc:
            if exc.args[0].code() != 36:  # TOPIC_ALREADY_EXISTS: another process was faster
                raise KafkaTransportError(f"cannot create topic {name}: {exc.args[0].str()}") from None


def partitions(consumer: Consumer, topics: Iterable[str], timeout_s: float = 10) -> dict[str, int]:
    """Partition counts of the ``topics`` that exist (topics not created yet are left out)."""
    metadata = consumer.list_topics(timeout=timeout_s).topics
    out: dict[str, int] = {}
    for topic in topics:
        found = metadata.get(topic)
        if found is not None and found.error is None and found.partitions:
            out[topic] = len(found.partitions)
    return out


def high_watermarks(
    consumer: Consumer, tps: Iterable[tuple[str, int]], timeout_s: float = 5
) -> dict[tuple[str, int], int]:
    """The end of each partition (for a ``read_committed`` consumer: the last stable offset)."""
    out: dict[tuple[str, int], int] = {}
    for topic, partition in tps:
        _, high = consumer.get_watermark_offsets(
            TopicPartition(topic, partition), timeout=timeout_s, cached=False
        )
        out[(topic, partition)] = high
    return out
