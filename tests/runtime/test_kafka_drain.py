"""The kafka normalizer's drain for a clean commit, on a live broker: what it holds back and what it must not.

While a lane drains (it wants a cut at which no transaction is open, to commit offsets with the events), it
holds back each partition's records from its first change of a transaction opened since, and handles them
after the commit. Records outside any transaction (snapshot reads) open nothing, and an open transaction's END
may be waiting for exactly them (the barrier wants every partition of the system read past the END): holding
them back stalled the lane until the drain timed out. Past ``drain_hold_records`` the partitions are paused
behind what is held. The lane is driven record by record here, with the consumer's real pause and resume.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from confluent_kafka.admin import AdminClient

from legacy_adapters import box_office
from pipelines.runtime import Route, SourceRecord
from pipelines.transports.kafka_admin import ensure_topics
from pipelines.transports.kafka_normalizer import KafkaNormalizer, KafkaNormalizerConfig, _Lane
from stack.settings import StackSettings
from tests.legacy_adapters.wire import PEPPER, Tx, seat_row
from tests.runtime.test_core_unit import Feed
from tests.support import unique

TABLES = ("VENUE", "EVT_MASTER", "SEAT_INV")


@dataclass
class Message:
    """The part of a confluent-kafka message the normalizer reads."""

    record: SourceRecord

    def error(self) -> None:
        return None

    def topic(self) -> str:
        return self.record.topic

    def partition(self) -> int:
        return self.record.partition

    def offset(self) -> int:
        return self.record.offset

    def key(self) -> bytes | None:
        return self.record.key

    def value(self) -> bytes | None:
        return self.record.value

    def timestamp(self) -> tuple[int, int]:
        return (1, self.record.offset)


@dataclass
class Rig:
    normalizer: KafkaNormalizer
    lane: _Lane
    feed: Feed
    prefix: str

    def topic(self, table: str) -> str:
        return f"{self.prefix}.boxoffice.{table}"

    def message(self, record: SourceRecord) -> Message:
        """``record`` on this test's own topic of its table (the feed names the connector's topics)."""
        table = record.topic.rsplit(".", 1)[-1]
        topic = f"{self.prefix}.transaction" if table == "transaction" else self.topic(table)
        return Message(SourceRecord(topic, record.partition, record.offset, record.key, record.value))


@pytest.fixture
def rig(stack_settings: StackSettings) -> Iterator[Rig]:
    bootstrap = stack_settings.kafka_bootstrap
    prefix = unique("drain")
    topics = [f"{prefix}.boxoffice.{t}" for t in TABLES] + [f"{prefix}.transaction"]
    ensure_topics(bootstrap, dict.fromkeys(topics, 1))
    route = Route(
        "box_office",
        prefix,
        tuple(topics[:-1]),
        lambda: box_office.adapter(pepper=PEPPER),
        needs_transactions=True,
    )
    config = KafkaNormalizerConfig(
        bootstrap, group_id=prefix, canonical_topic=f"{prefix}.canonical", dlq_topic=f"{prefix}.dlq"
    )
    normalizer = KafkaNormalizer([route], config)
    try:
        lane = _Lane(route, config, None)
        normalizer.lanes["box_office"] = lane
        normalizer._discover()  # assigns the lane's partitions to the consumer, as after winning the lease
        yield Rig(normalizer, lane, Feed(), prefix)
    finally:
        normalizer.close()
        admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0})
        doomed = [t for t in admin.list_topics(timeout=10).topics if t.startswith(prefix)]
        for future in admin.delete_topics(doomed).values():
            with contextlib.suppress(Exception):
                future.result()


def test_a_drain_holds_back_new_transactions_but_never_snapshot_rows(rig: Rig) -> None:
    feed, lane = rig.feed, rig.lane
    first, second = Tx("0-1-700"), Tx("0-1-701")
    held_seat = feed.hold(first, 21, "1")
    handled = rig.normalizer._handle([rig.message(held_seat)])
    assert handled == {"box_office"}
    assert lane.normalizer.open_transactions() == {"0-1-700"}

    lane.draining, lane.open = True, lane.normalizer.open_transactions()  # as _after_batch starts a drain
    venue, event = (rig.message(r) for r in feed.setup())
    later_seat = rig.message(feed.hold(second, 22, "2"))
    end_first = rig.message(feed.end(first))
    rig.normalizer._handle([later_seat, venue, event, end_first])
    # a snapshot read behind the held-back change on its partition waits too (the partition keeps its order)
    rig.normalizer._handle([rig.message(feed.read("SEAT_INV", seat_row(23, "3")))])

    seats = (rig.topic("SEAT_INV"), 0)
    # the later transaction's seat waits for the commit, in memory: its partition is not paused
    assert ([r.offset for r in lane.held], lane.holding, lane.paused) == ([1, 2], {seats: 3}, {})
    assert lane.next[(rig.topic("VENUE"), 0)] == 1  # snapshot rows were handled, not held back
    assert lane.next[(rig.topic("EVT_MASTER"), 0)] == 1
    assert lane.next[seats] == 1  # nothing past the held-back change
    assert rig.normalizer._cut(lane)[seats] == 1
    lane.normalizer.tick()
    out = lane.normalizer.take()
    assert [(e.type.value, e.key) for e in out.events] == [
        ("venue.changed", "venue:9001"),
        ("event.changed", "event:BO-1042"),
        ("seat.changed", "seat:BO-1042:101:C:1"),
        ("hold.placed", "hold:cart-77"),
    ]
    assert not out.dead_letters
    assert lane.normalizer.is_clean(count_parked=False)  # the drain reached its clean cut

    rig.normalizer._end_drain(lane)  # after the commit: what was held back is handled, in the order read
    assert (lane.held, lane.holding, lane.paused, lane.draining) == ([], {}, {}, False)
    assert lane.next[seats] == 3
    assert lane.normalizer.open_transactions() == {"0-1-701"}
    # the snapshot read mapped at once; its event waits in the lane's output for the next commit
    assert [(e.type.value, e.key) for e in lane.out.events] == [("seat.changed", "seat:BO-1042:101:C:3")]


@pytest.mark.parametrize("bound", ["records", "bytes"])
def test_a_drain_that_holds_back_too_much_pauses_the_partitions_behind_what_it_holds(
    rig: Rig, bound: str
) -> None:
    config = rig.normalizer.config
    rig.normalizer.config = (
        dataclasses.replace(config, drain_hold_records=2)
        if bound == "records"
        else dataclasses.replace(config, drain_hold_bytes=1)  # the first held record reaches it
    )
    feed, lane = rig.feed, rig.lane
    first, second = Tx("0-1-710"), Tx("0-1-711")
    rig.normalizer._handle([rig.message(feed.hold(first, 21, "1"))])
    lane.draining, lane.open = True, lane.normalizer.open_transactions()
    rig.normalizer._handle([rig.message(feed.hold(second, 22 + i, str(2 + i))) for i in range(3)])

    seats = (rig.topic("SEAT_INV"), 0)
    # held back up to the bound; the partition paused behind them: the rest is read again once it resumes
    kept = [1, 2] if bound == "records" else [1]
    assert ([r.offset for r in lane.held], lane.paused) == (kept, {seats: (kept[-1] + 1, "held")})
    assert lane.next[seats] == 1
    assert rig.normalizer._cut(lane)[seats] == 1  # nothing held back is committed

    rig.normalizer._end_drain(lane)
    assert (lane.held, lane.holding, lane.paused, lane.held_bytes) == ([], {}, {}, 0)  # resumed behind them
    assert lane.next[seats] == kept[-1] + 1
    assert lane.normalizer.open_transactions() == {"0-1-710", "0-1-711"}
