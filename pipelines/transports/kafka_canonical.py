"""Producing canonical events to the canonical topic, the same way for every producer of it.

The normalizer's lanes and ``dlq replay`` both write ``inventory.canonical.v1``; a consumer must not be able to
tell their records apart. :func:`produce_events` is that one way: value = :func:`~pipelines.canonical.encode_event`,
key = the entity key (UTF-8), no headers, librdkafka's default partitioner (so an entity's events share a
partition and stay in order). :func:`publish_events` writes one batch in one Kafka transaction of its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient

from pipelines.canonical import Envelope, encode_event
from pipelines.transports.exceptions import FencedError, KafkaTransportError


def produce_events(producer: Producer, topic: str, events: Sequence[Envelope]) -> None:
    """Produce ``events`` to ``topic`` keyed by entity key (inside the caller's transaction, if any); waits
    for room when the producer's queue is full."""
    produce = producer.produce
    for event in events:
        value = encode_event(event)
        key = event.key.encode()
        while True:
            try:
                produce(topic, value, key)
                break
            except BufferError:
                producer.poll(0.05)


def topic_exists(bootstrap: str, topic: str, timeout_s: float = 10) -> bool:
    """Whether ``topic`` exists (asked through the admin client: asking never creates it)."""
    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0})
    return topic in admin.list_topics(timeout=timeout_s).topics


def publish_events(
    bootstrap: str,
    topic: str,
    events: Sequence[Envelope],
    *,
    transactional_id: str,
    timeout_s: float = 60,
) -> None:
    """Produce ``events`` to ``topic`` in one Kafka transaction and commit it: when this returns, every event is
    visible to ``read_committed`` consumers. When it raises, the transaction was aborted, or (a commit that
    timed out) its outcome is unknown: publishing the same events again is the way out, harmless for
    consumers that are idempotent on the canonical ``id``.

    ``transactional_id`` identifies the writer across restarts: starting fences an earlier producer with the same
    id and aborts its open transaction, so a crashed run leaves nothing that blocks ``read_committed`` consumers
    (the last stable offset) until the transaction timeout. Hazard: two writers with the same id at the same time
    fence each other; the fenced one raises :class:`FencedError` and has published nothing.
    """
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "transactional.id": transactional_id,
            "enable.idempotence": True,
            "transaction.timeout.ms": int(timeout_s * 1000),
            "linger.ms": 20,
            "log_level": 0,
        }
    )
    producer.init_transactions(timeout_s)
    try:
        producer.begin_transaction()
        produce_events(producer, topic, events)
        producer.commit_transaction(timeout_s)  # flushes first
    except KafkaException as exc:
        error = exc.args[0]
        if error.code() in (KafkaError._FENCED, KafkaError.PRODUCER_FENCED):
            raise FencedError(
                f"publishing to {topic} was fenced: another producer {transactional_id!r} started"
            ) from None
        if not error.fatal():
            with contextlib.suppress(KafkaException):
                producer.abort_transaction(timeout_s)
        raise KafkaTransportError(
            f"publishing {len(events)} events to {topic} failed: {error.str()}"
        ) from None
