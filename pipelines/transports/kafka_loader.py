"""The kafka transport's loader: the canonical and dead-letter topics into the DuckDB sink, exactly once.

A consumer group (``isolation.level=read_committed``: only events of committed normalizer transactions) reads
``inventory.canonical.v1`` and ``inventory.dlq.v1``; each batch is written with the next offsets per partition as
checkpoints in the *same* DuckDB transaction (:class:`~pipelines.runtime.sink.Sink`). On assignment the
consumer seeks to the stored checkpoints, never to offsets committed in Kafka: DuckDB is the source of truth,
so a crash between the DuckDB commit and anything else loses and repeats nothing.

Hazard: DuckDB allows one writing process per file, so one loader per DuckDB file (more loader processes need
more files); the checkpoints are keyed by the group id, so renaming the group starts again from the beginning
(harmless: the table is idempotent on ``id``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition

from pipelines.canonical import CanonicalEvent, decode_event
from pipelines.runtime.deadletter import DeadLetter, decode_dead_letter
from pipelines.runtime.sink import Sink
from pipelines.transports.exceptions import KafkaTransportError
from pipelines.transports.kafka_admin import ensure_topics, high_watermarks
from pipelines.transports.kafka_fetch import FETCH_SETTINGS


class CheckpointSink(Sink, Protocol):
    def checkpoints(self, consumer: str) -> dict[tuple[str, int], str]: ...


@dataclass
class LoaderStatus:
    events: int
    dead_letters: int
    batches: int
    lag: int


class KafkaLoader:
    """Loads the canonical and dead-letter topics into ``sink`` (see the module docstring)."""

    def __init__(
        self,
        sink: CheckpointSink,
        bootstrap: str,
        *,
        group_id: str = "inventory-loader",
        topics: Sequence[str] = ("inventory.canonical.v1", "inventory.dlq.v1"),
        batch_size: int = 20_000,
    ) -> None:
        self.sink = sink
        self.group_id = group_id
        self.topics = list(topics)
        self.canonical_topic = self.topics[0]
        self.batch_size = batch_size
        ensure_topics(bootstrap, {t: 1 for t in self.topics})
        self.consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": group_id,
                "enable.auto.commit": False,
                "isolation.level": "read_committed",
                "auto.offset.reset": "earliest",
                **FETCH_SETTINGS,
                "log_level": 0,
            }
        )
        self.assigned: list[tuple[str, int]] = []
        self.positions: dict[tuple[str, int], int] = {}
        self.status = LoaderStatus(0, 0, 0, 0)
        self.consumer.subscribe(self.topics, on_assign=self._on_assign, on_revoke=self._on_revoke)

    def _on_assign(self, consumer: Any, assigned: list[TopicPartition]) -> None:
        stored = self.sink.checkpoints(self.group_id)
        for tp in assigned:
            position = stored.get((tp.topic, tp.partition))
            tp.offset = int(position) if position is not None else OFFSET_BEGINNING
            if position is not None:
                self.positions[(tp.topic, tp.partition)] = int(position)
        self.assigned = [(tp.topic, tp.partition) for tp in assigned]
        consumer.assign(assigned)

    def _on_revoke(self, consumer: Any, revoked: list[TopicPartition]) -> None:
        self.assigned = []  # every batch is committed before the next poll: nothing to finish

    def run(
        self,
        stop: Callable[[], bool],
        *,
        until_caught_up: bool | Callable[[], bool] = False,
        on_status: Callable[[LoaderStatus], None] | None = None,
    ) -> LoaderStatus:
        """Load until ``stop()``; with ``until_caught_up`` (or once the callable says so) stop at the end of the
        topics as they are then."""
        try:
            while not stop():
                messages = self.consumer.consume(self.batch_size, 0.2)
                if messages:
                    self._load(messages)
                if on_status is not None:
                    on_status(self.status)
                until = until_caught_up() if callable(until_caught_up) else until_caught_up
                if until and not messages and self._caught_up():
                    break
        finally:
            self.consumer.close()
        return self.status

    def _load(self, messages: list[Any]) -> None:
        events: list[CanonicalEvent] = []
        letters: list[DeadLetter] = []
        ends: dict[tuple[str, int], int] = {}
        for msg in messages:
            err = msg.error()
            if err is not None:
                if err.code() == KafkaError._PARTITION_EOF:
                    continue
                raise KafkaTransportError(f"loader consume failed: {err.str()}")
            topic = msg.topic()
            if topic == self.canonical_topic:
                events.append(decode_event(msg.value()))
            else:
                letters.append(decode_dead_letter(msg.value()))
            ends[(topic, msg.partition())] = msg.offset() + 1
        checkpoints: Mapping[tuple[str, str, int], str] = {
            (self.group_id, topic, part): str(offset) for (topic, part), offset in ends.items()
        }
        self.sink.commit(events, letters, checkpoints=checkpoints)
        self.positions.update(ends)
        self.status.events += len(events)
        self.status.dead_letters += len(letters)
        self.status.batches += 1

    def _caught_up(self) -> bool:
        if not self.assigned:
            return False
        ends = high_watermarks(self.consumer, self.assigned)
        # the position, not the last offset + 1: transaction markers take offsets too
        at = {
            (tp.topic, tp.partition): tp.offset
            for tp in self.consumer.position([TopicPartition(t, p) for t, p in self.assigned])
        }
        self.status.lag = sum(
            max(0, end - max(at.get(tp, 0), self.positions.get(tp, 0))) for tp, end in ends.items()
        )
        return self.status.lag == 0
