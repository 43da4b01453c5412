"""A restarted kafka normalizer resumes from its saved state, on a live broker: it reads no history below its
committed offsets, and it still maps changes that need rows retention has since deleted from the topics.

The box office's venue and event rows are read, then deleted from their topics (``delete_records``, as
retention would); the seats of a later transaction need that event. A normalizer restarted in the same group
loads the snapshot its predecessor committed and maps them; one of a new group, which can only replay what is
left on the topics, dead-letters them: what the snapshot is for.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from confluent_kafka import Producer, TopicPartition
from confluent_kafka.admin import AdminClient

from legacy_adapters import box_office
from pipelines.canonical import decode_event
from pipelines.runtime import Route, SourceRecord
from pipelines.runtime.deadletter import decode_dead_letter
from pipelines.runtime.normalizer import SystemNormalizer
from pipelines.runtime.replay import replay
from pipelines.transports.kafka_admin import ensure_topics
from pipelines.transports.kafka_normalizer import KafkaNormalizer, KafkaNormalizerConfig, NormalizerStatus
from pipelines.transports.kafka_state import (
    CHUNK_BYTES,
    Snapshot,
    ensure_state_topic,
    read_snapshot,
    warm_up,
    write_snapshot,
)
from stack.settings import StackSettings
from tests.legacy_adapters.wire import PEPPER, Tx
from tests.runtime.procs import read_topic
from tests.runtime.test_core_unit import Feed
from tests.support import unique

pytestmark = pytest.mark.stack

TABLES = ("VENUE", "EVT_MASTER", "SEAT_INV")


@dataclass
class Rig:
    bootstrap: str
    prefix: str
    route: Route

    def topic(self, record: SourceRecord) -> str:
        """The test's own topic of ``record``'s table (the feed names the connector's topics)."""
        table = record.topic.rsplit(".", 1)[-1]
        return f"{self.prefix}.transaction" if table == "transaction" else f"{self.prefix}.boxoffice.{table}"

    def produce(self, records: list[SourceRecord]) -> None:
        producer = Producer({"bootstrap.servers": self.bootstrap, "log_level": 0})
        for record in records:
            producer.produce(self.topic(record), record.value, record.key)
        assert producer.flush(30) == 0

    def config(self, group: str, snapshot_interval_s: float = 3600.0) -> KafkaNormalizerConfig:
        return KafkaNormalizerConfig(
            self.bootstrap,
            group_id=f"{self.prefix}.{group}",
            canonical_topic=f"{self.prefix}.{group}.canonical",
            dlq_topic=f"{self.prefix}.{group}.dlq",
            state_topic=f"{self.prefix}.state",
            snapshot_interval_s=snapshot_interval_s,
        )

    def run(self, config: KafkaNormalizerConfig) -> NormalizerStatus:
        return KafkaNormalizer([self.route], config).run(lambda: False, until_caught_up=True)


@pytest.fixture
def rig(stack_settings: StackSettings) -> Iterator[Rig]:
    bootstrap = stack_settings.kafka_bootstrap
    prefix = unique("state")
    topics = [f"{prefix}.boxoffice.{t}" for t in TABLES]
    ensure_topics(bootstrap, dict.fromkeys([*topics, f"{prefix}.transaction"], 1))
    route = Route(
        "box_office",
        prefix,
        tuple(topics),
        lambda: box_office.adapter(pepper=PEPPER),
        needs_transactions=True,
    )
    try:
        yield Rig(bootstrap, prefix, route)
    finally:
        admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0})
        doomed = [t for t in admin.list_topics(timeout=10).topics if t.startswith(prefix)]
        for future in admin.delete_topics(doomed).values():
            with contextlib.suppress(Exception):
                future.result()
        groups = [f"{prefix}.{g}" for g in ("main", "fresh")]
        for future in admin.delete_consumer_groups(groups).values():
            with contextlib.suppress(Exception):
                future.result()


def _briefs(bootstrap: str, topic: str) -> list[tuple[str, str]]:
    return [(e.type.value, e.key) for e in (decode_event(v) for _, v in read_topic(bootstrap, topic))]


def test_a_restarted_lane_resumes_from_its_snapshot_even_after_retention(rig: Rig) -> None:
    feed = Feed()
    setup = feed.setup()
    first, second = Tx("0-1-800"), Tx("0-1-801")
    held = [feed.hold(first, 21, "1"), feed.hold(first, 22, "2")]
    rig.produce([*setup, *held, feed.end(first)])
    main = rig.config("main")
    status = rig.run(main)
    assert (status.counters.events, status.counters.dead_letters, status.replayed) == (5, 0, 0)
    snapshot = read_snapshot(rig.bootstrap, main.state_topic, f"{main.group_id}.box_office")
    assert snapshot is not None
    seats_topic, tx_topic = f"{rig.prefix}.boxoffice.SEAT_INV", f"{rig.prefix}.transaction"
    assert snapshot.offsets[(seats_topic, 0)] == 2 and snapshot.offsets[(tx_topic, 0)] == 1

    # retention deletes the venue and the event; then the cart gives seat 1 back
    admin = AdminClient({"bootstrap.servers": rig.bootstrap, "log_level": 0})
    gone = [TopicPartition(f"{rig.prefix}.boxoffice.{t}", 0, 1) for t in ("VENUE", "EVT_MASTER")]
    for future in admin.delete_records(gone).values():
        assert future.result().low_watermark == 1
    rig.produce([feed.unhold(second, 21, "1"), feed.end(second)])

    status = rig.run(main)
    assert status.replayed == 0  # no record below the committed offsets was read again
    assert (status.counters.events, status.counters.dead_letters) == (2, 0)
    assert sorted(_briefs(rig.bootstrap, main.canonical_topic)) == [  # partitioned by key: sorted
        ("event.changed", "event:BO-1042"),
        ("hold.placed", "hold:cart-77"),
        ("hold.released", "hold:cart-77"),
        ("seat.changed", "seat:BO-1042:101:C:1"),
        ("seat.changed", "seat:BO-1042:101:C:1"),
        ("seat.changed", "seat:BO-1042:101:C:2"),
        ("venue.changed", "venue:9001"),
    ]
    assert read_topic(rig.bootstrap, main.dlq_topic) == []

    # without a snapshot, what is left on the topics does not say which event the seats belong to
    fresh = rig.config("fresh", snapshot_interval_s=0)
    status = rig.run(fresh)
    assert status.counters.events == 0
    letters = [decode_dead_letter(v) for _, v in read_topic(rig.bootstrap, fresh.dlq_topic)]
    assert {(letter.error, letter.offset) for letter in letters} == {
        ("MissingReferenceError", 0),
        ("MissingReferenceError", 1),
        ("MissingReferenceError", 2),
    }

    # `dlq replay` warms its normalizer the same way: from the main lane's state, the letters map again
    def warm(lane: str) -> Callable[[Route, SystemNormalizer], None]:
        return lambda route, normalizer: warm_up(
            normalizer, rig.bootstrap, route.all_topics(), lane, main.state_topic
        )

    result = replay(letters, [rig.route], warm(f"{main.group_id}.box_office"), lambda letter: None)
    assert sorted(result.resolved) == sorted(letter.id for letter in letters) and not result.failing
    assert sorted((e.type.value, e.key) for e in result.events) == [
        ("hold.placed", "hold:cart-77"),  # each seat alone: both place the hold, with one seat each
        ("hold.placed", "hold:cart-77"),
        ("hold.released", "hold:cart-77"),
        ("seat.changed", "seat:BO-1042:101:C:1"),
        ("seat.changed", "seat:BO-1042:101:C:1"),
        ("seat.changed", "seat:BO-1042:101:C:2"),
    ]
    result = replay(letters, [rig.route], warm(f"{fresh.group_id}.box_office"), lambda letter: None)
    assert not result.resolved and len(result.failing) == 3  # no state saved: what is left is not enough


def test_a_snapshot_larger_than_a_message_is_cut_into_chunks_and_read_back_whole(rig: Rig) -> None:
    topic, lane = f"{rig.prefix}.state", f"{rig.prefix}.lane"
    ensure_state_topic(rig.bootstrap, topic)
    producer = Producer({"bootstrap.servers": rig.bootstrap, "transactional.id": lane, "log_level": 0})
    producer.init_transactions(30)
    big = os.urandom(CHUNK_BYTES * 2 + 1000)  # three chunks
    small = b"the state after"
    chunks = 0
    for state, offsets in ((big, {("t", 0): 5, ("t", 1): 7}), (small, {("t", 0): 9})):
        producer.begin_transaction()
        chunks = write_snapshot(producer, topic, lane, offsets, state, chunks)
        producer.commit_transaction(30)
        assert read_snapshot(rig.bootstrap, topic, lane) == Snapshot(offsets, state)
    assert chunks == 1
    keys = [k for k, _ in read_topic(rig.bootstrap, topic)]
    # the second snapshot deleted the two chunks it no longer uses (tombstones), then wrote its head
    assert keys[-4:] == [f"{lane}/0".encode(), f"{lane}/1".encode(), f"{lane}/2".encode(), lane.encode()]
    assert read_snapshot(rig.bootstrap, topic, "another.lane") is None


def test_records_retention_deleted_before_the_lane_read_them_are_reported(rig: Rig) -> None:
    feed = Feed()
    first, second, third = Tx("0-1-810"), Tx("0-1-811"), Tx("0-1-812")
    rig.produce([*feed.setup(), feed.hold(first, 21, "1"), feed.hold(first, 22, "2"), feed.end(first)])
    main = rig.config("main")
    status = rig.run(main)  # committed and saved at its clean stop: seats 2, transactions 1
    assert status.gaps == []
    rig.produce([feed.hold(second, 23, "3"), feed.end(second)])
    status = rig.run(
        rig.config("main", snapshot_interval_s=0)
    )  # committed, not saved: seats 3, transactions 2
    assert (status.counters.events, status.gaps) == (2, [])
    rig.produce([feed.hold(third, 24, "4"), feed.end(third)])

    # while no lane runs, retention deletes every seat change and transaction record there is
    seats, txs = f"{rig.prefix}.boxoffice.SEAT_INV", f"{rig.prefix}.transaction"
    admin = AdminClient({"bootstrap.servers": rig.bootstrap, "log_level": 0})
    for future in admin.delete_records([TopicPartition(seats, 0, 4), TopicPartition(txs, 0, 3)]).values():
        future.result()

    status = rig.run(main)
    assert status.counters.events == 0
    assert sorted((g.topic, g.start, g.end, g.lost) for g in status.gaps) == [
        (seats, 2, 3, False),  # normalized, but after the saved state: its seat is unknown to the state
        (seats, 3, 4, True),  # never normalized: the third transaction's seat change is missing
        (txs, 1, 2, False),
        (txs, 2, 3, True),
    ]
    lost = next(g for g in status.gaps if g.lost and g.topic == seats)
    assert str(lost) == (
        f"box_office: {seats}[0] offsets 3-3 were deleted by retention before they were normalized: their "
        "canonical events are missing; re-snapshot the table to read its rows again"
    )

    # a group that never committed reports everything deleted as never normalized by it
    status = rig.run(rig.config("fresh", snapshot_interval_s=0))
    assert sorted((g.topic, g.start, g.end, g.lost) for g in status.gaps) == [
        (seats, 0, 4, True),
        (txs, 0, 3, True),
    ]
