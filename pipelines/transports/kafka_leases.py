"""Which legacy systems this normalizer process owns: leases handed out by a Kafka consumer group.

Why not plain partition assignment over the table topics: an adapter needs *all* of its system's topics
(a box-office order is one source transaction spread over ``ORD_HDR``, ``ORD_LN``, ``SEAT_INV`` and the
transaction topic; a seat needs its event's venue from another topic). The group therefore assigns the
partitions of a small lease topic, ``<group>.leases``, one partition per system (systems sorted by name); the
owner of partition *i* reads every topic of system *i* with a manually assigned consumer. Kafka's group
protocol still does the membership, failover and fencing: offsets are committed in the producer's
transactions with this consumer's group metadata, so a process that lost a lease can no longer commit.

Hazard: every process of one group must run the same list of systems (the lease partitions mean systems by
position).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from confluent_kafka import Consumer, TopicPartition

from pipelines.transports.kafka_admin import ensure_topics


def lease_topic(group_id: str) -> str:
    return f"{group_id}.leases"


class Leases:
    """The lease consumer. :meth:`poll` must run often (it is this process's heartbeat in the group)."""

    def __init__(
        self, bootstrap: str, group_id: str, systems: Sequence[str], session_timeout_ms: int = 10_000
    ) -> None:
        self.systems = sorted(systems)
        self.topic = lease_topic(group_id)
        ensure_topics(bootstrap, {self.topic: len(self.systems)})
        self.owned: set[str] = set()
        self.changed = False
        self.consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": group_id,
                "enable.auto.commit": False,
                "partition.assignment.strategy": "roundrobin",
                "session.timeout.ms": session_timeout_ms,
                "heartbeat.interval.ms": max(500, session_timeout_ms // 5),
                "log_level": 0,
            }
        )
        self.consumer.subscribe([self.topic], on_assign=self._on_assign, on_revoke=self._on_revoke)

    def _on_assign(self, consumer: Any, assigned: list[TopicPartition]) -> None:
        self.owned = {self.systems[tp.partition] for tp in assigned if tp.partition < len(self.systems)}
        self.changed = True

    def _on_revoke(self, consumer: Any, revoked: list[TopicPartition]) -> None:
        self.owned = set()
        self.changed = True

    def poll(self) -> bool:
        """Serve the group protocol; True when the owned systems changed since the last call."""
        self.consumer.poll(0)
        changed, self.changed = self.changed, False
        return changed

    def group_metadata(self) -> Any:
        return self.consumer.consumer_group_metadata()

    def close(self) -> None:
        self.consumer.close()
