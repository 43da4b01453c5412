"""Saved normalizer state on Kafka: where a kafka lane resumes without reading its topics from the beginning.

A lane's adapter keeps lookups built from everything it has read (a seat needs its event's venue zone). Rebuilt
by replaying the system's topics from the beginning, they would cost a restart time that grows with history,
and be incomplete once retention has deleted old records (an event created a month ago is on no topic any
more). So, every ``snapshot_interval_s``, in the same Kafka transaction that commits the lane's offsets, the
lane also writes its normalizer's saved state and the offsets of that cut to :data:`STATE_TOPIC`. A new owner
of the lane loads the newest snapshot, starts each partition at the snapshot's offset and replays (without
output) only up to the committed offsets.

Layout (one partition, ``cleanup.policy=compact``): the state is cut into chunks of at most
:data:`CHUNK_BYTES` under keys ``<lane>/<n>``, each value prefixed with the snapshot's id; then the snapshot's
head under key ``<lane>`` (id, number of chunks, offsets). Compaction keeps the newest value per key, and the
whole snapshot becomes visible at once (``read_committed``), so the newest head always finds its chunks; chunks
a smaller snapshot no longer uses are deleted with tombstones. ``<lane>`` is the lane's transactional id
(``<group>.<system>``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import msgspec
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

from pipelines.runtime.normalizer import SystemNormalizer
from pipelines.transports.exceptions import KafkaTransportError
from pipelines.transports.kafka_admin import ensure_topics, high_watermarks
from pipelines.transports.kafka_reader import read_history

STATE_TOPIC = "inventory.normalizer-state.v1"
CHUNK_BYTES = 512 * 1024
"""Half the broker's default maximum message size."""
TOPIC_CONFIG = {
    "cleanup.policy": "compact",
    "segment.ms": str(3_600_000),  # compaction only cleans closed segments
    "min.cleanable.dirty.ratio": "0.1",
}

TP = tuple[str, int]


class _Head(msgspec.Struct, array_like=True, tag="lane-snapshot-v1"):
    id: str
    chunks: int
    offsets: list[tuple[str, int, int]]


@dataclass(frozen=True)
class Snapshot:
    """A lane's saved normalizer state and the offset of every partition at the cut it was saved at."""

    offsets: dict[TP, int]
    state: bytes


def ensure_state_topic(bootstrap: str, topic: str = STATE_TOPIC) -> None:
    ensure_topics(bootstrap, {topic: 1}, TOPIC_CONFIG)


def write_snapshot(
    producer: Producer, topic: str, lane: str, offsets: dict[TP, int], state: bytes, previous_chunks: int = 0
) -> int:
    """Produce a snapshot inside the caller's open Kafka transaction; returns its number of chunks (pass it
    as ``previous_chunks`` next time, so the chunks no longer used are deleted)."""
    snapshot_id = uuid.uuid4().hex
    prefix = snapshot_id.encode() + b"\n"
    chunks = [state[i : i + CHUNK_BYTES] for i in range(0, len(state), CHUNK_BYTES)] or [b""]
    for n, chunk in enumerate(chunks):
        producer.produce(topic, prefix + chunk, f"{lane}/{n}".encode())
    for n in range(len(chunks), previous_chunks):
        producer.produce(topic, None, f"{lane}/{n}".encode())
    head = _Head(snapshot_id, len(chunks), sorted((t, p, o) for (t, p), o in offsets.items()))
    producer.produce(topic, msgspec.msgpack.encode(head), lane.encode())
    return len(chunks)


def read_snapshot(bootstrap: str, topic: str, lane: str, timeout_s: float = 30.0) -> Snapshot | None:
    """The newest complete snapshot of ``lane`` (None when there is none or the topic does not exist)."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"{lane}.state-reader",
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            "enable.partition.eof": True,
            "log_level": 0,
        }
    )
    try:
        if topic not in consumer.list_topics(timeout=timeout_s).topics:
            return None
        end = high_watermarks(consumer, [(topic, 0)], timeout_s)[(topic, 0)]
        if end <= 0:
            return None
        consumer.assign([TopicPartition(topic, 0, 0)])
        head_key, chunk_prefix = lane.encode(), f"{lane}/".encode()
        head: bytes | None = None
        chunks: dict[bytes, bytes | None] = {}
        at_end = False
        deadline = time.monotonic() + timeout_s
        while not at_end:
            if time.monotonic() > deadline:
                raise KafkaTransportError(f"reading {topic}: its end not reached within {timeout_s:.0f} s")
            for msg in consumer.consume(1000, 0.2):  # returns after 0.2 s with what came, up to 1000
                error = msg.error()
                if error is not None:
                    if error.code() != KafkaError._PARTITION_EOF:
                        raise KafkaTransportError(f"reading {topic}: {error.str()}")
                    at_end = True  # the end a read_committed consumer sees (past the last commit marker)
                    continue
                key = msg.key()
                if key == head_key:
                    head = msg.value()
                elif key is not None and key.startswith(chunk_prefix):
                    chunks[key] = msg.value()
    finally:
        consumer.close()
    return None if head is None else _assemble(lane, head, chunks)


def _assemble(lane: str, head_value: bytes, chunks: dict[bytes, bytes | None]) -> Snapshot | None:
    try:
        head = msgspec.msgpack.decode(head_value, type=_Head)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    prefix = head.id.encode() + b"\n"
    parts: list[bytes] = []
    for n in range(head.chunks):
        value = chunks.get(f"{lane}/{n}".encode())
        if value is None or not value.startswith(prefix):
            return None  # not all of it is there (cannot happen with read_committed; never half a state)
        parts.append(value[len(prefix) :])
    return Snapshot({(t, p): o for t, p, o in head.offsets}, b"".join(parts))


def warm_up(
    normalizer: SystemNormalizer, bootstrap: str, topics: Iterable[str], lane: str, topic: str = STATE_TOPIC
) -> bool:
    """Bring a fresh ``normalizer`` up to the end of ``topics`` without output: from ``lane``'s newest snapshot
    and its offsets when it loads, else from the beginning of every partition. True when a snapshot was used."""
    snapshot = read_snapshot(bootstrap, topic, lane)
    start = snapshot.offsets if snapshot is not None and load(normalizer, snapshot) else None
    for record in read_history(bootstrap, topics, start=start):
        normalizer.handle(record, emit=False)
    return start is not None


def load(normalizer: SystemNormalizer, snapshot: Snapshot) -> bool:
    """Load ``snapshot`` into a fresh ``normalizer``; False, the normalizer unchanged, when it is not a state
    it reads (another adapter version): the history left on the topics is then all there is."""
    return normalizer.resume_from(snapshot.state) is None
