"""One raw change record as a transport hands it to the normalizer: coordinates and undecoded bytes."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.debezium import RecordRef

Coordinates = tuple[str, int, int]
"""(topic, partition, offset): where a record sits; the embedded transport numbers its records per topic."""


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """A record of a Debezium topic: ``key`` and ``value`` exactly as the JSON converter wrote them.

    ``partition`` and ``offset`` are Kafka's; the embedded engine has neither, so its transport gives each
    record partition 0 and a sequence number per topic (stable within one process run only).
    """

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp: int = 0
    """Kafka's record timestamp (ms; the Connect producer's create time), 0 when the transport has none."""

    @property
    def coordinates(self) -> Coordinates:
        return (self.topic, self.partition, self.offset)

    @property
    def ref(self) -> RecordRef:
        return RecordRef(self.topic, self.partition, self.offset)


def coordinates_of(ref: RecordRef) -> Coordinates | None:
    """The coordinates of a decoded record's ``record`` reference, when it has all three."""
    if ref.topic is None or ref.partition is None or ref.offset is None:
        return None
    return (ref.topic, ref.partition, ref.offset)
