"""The kafka transport's normalizer: consume-transform-produce, exactly once, per legacy system.

A process owns systems through :class:`~pipelines.transports.kafka_leases.Leases`. For each owned system (a
*lane*) it reads every partition of the system's table topics and transaction topic, runs the records through
the system's :class:`~pipelines.runtime.normalizer.SystemNormalizer`, and commits in Kafka transactions of the
lane's own producer (``transactional.id`` = ``<group>.<system>``, idempotent): the canonical events (keyed by
entity key) and dead letters produced, plus the consumed offsets (``send_offsets_to_transaction`` with the
lease consumer's group metadata). A process that takes a lane over fences the previous owner's producer and
aborts its open transaction at once.

Clean cuts: a lane commits only when its adapter holds nothing (no incomplete transaction, no END waiting in
the gate), so no source transaction straddles the committed offsets and the output committed is exactly the
output of the records below them. When a commit is due and something is held, the lane *drains*: it goes on
handling only records of the transactions already open and holds back, in memory, each partition's records
from its first other one, until nothing is held; then it commits and handles what it held back. Holding back
in memory keeps what the consumer prefetched: pausing a partition drops that, and it is fetched again. Only a
lane holding back ``drain_hold_records`` or ``drain_hold_bytes`` pauses the partitions it holds back, behind
their last held record.

Restart and takeover: every ``snapshot_interval_s`` (and at a clean stop) a commit also saves the lane's
normalizer state with the offsets of its cut (:mod:`~pipelines.transports.kafka_state`). A new lane loads the
newest snapshot, reads each partition from the snapshot's offset (from the beginning without one) and handles
the records below the committed offsets with ``emit=False``: the adapter's lookups (venues, events, seats) are
brought up to the cut, nothing is produced twice. Records retention deleted before the lane read them are
reported (:mod:`~pipelines.transports.kafka_gaps`), never skipped silently. A snapshot whose offsets are past the committed ones (offsets
reset by hand) or that does not load (another adapter version) is ignored: the lane then replays from the
beginning, which takes time with history and misses what retention has deleted.

Parked records (waiting for a row from another topic) stop their partition behind them; the committed offset
stays below them until they map or are dead-lettered.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

from pipelines.runtime.counters import Counters
from pipelines.runtime.deadletter import encode_dead_letter
from pipelines.runtime.normalizer import Output, Policy, SystemNormalizer
from pipelines.runtime.records import SourceRecord
from pipelines.runtime.routes import Route
from pipelines.transports.exceptions import FencedError, KafkaTransportError
from pipelines.transports.kafka_admin import ensure_topics, high_watermarks, partitions
from pipelines.transports.kafka_canonical import produce_events
from pipelines.transports.kafka_fetch import FETCH_SETTINGS
from pipelines.transports.kafka_gaps import Gap, gaps
from pipelines.transports.kafka_leases import Leases
from pipelines.transports.kafka_state import (
    STATE_TOPIC,
    ensure_state_topic,
    load,
    read_snapshot,
    write_snapshot,
)

CANONICAL_TOPIC = "inventory.canonical.v1"
DLQ_TOPIC = "inventory.dlq.v1"
TP = tuple[str, int]


@dataclass(frozen=True)
class KafkaNormalizerConfig:
    bootstrap: str
    group_id: str = "inventory-normalizer"
    canonical_topic: str = CANONICAL_TOPIC
    dlq_topic: str = DLQ_TOPIC
    canonical_partitions: int = 6
    batch_size: int = 10_000
    commit_interval_s: float = 0.5
    drain_timeout_s: float = 30.0
    drain_hold_records: int = 20_000
    """Records a draining lane holds back in memory before it pauses their partitions ..."""
    drain_hold_bytes: int = 128 * 1024 * 1024
    """... or bytes of their keys and values."""
    prefetch_kbytes: int = FETCH_SETTINGS["queued.max.messages.kbytes"]
    """What the consumer may prefetch ahead of the lanes (librdkafka's ``queued.max.messages.kbytes``)."""
    transaction_timeout_ms: int = 30_000
    state_topic: str = STATE_TOPIC
    snapshot_interval_s: float = 60.0
    """How often a commit also saves the lane's state (0: never; a lane then replays from the beginning)."""
    producer_extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class NormalizerStatus:
    systems: list[str]
    counters: Counters
    lag: int
    commits: int
    warming: bool
    replayed: int = 0
    """Records handled again without output to bring restarted lanes up to their committed offsets."""
    gaps: list[Gap] = field(default_factory=list)
    """Records retention deleted before the lanes read them, since the process started."""


class _Lane:
    """One owned system: normalizer, producer, partitions and where each stands."""

    def __init__(self, route: Route, config: KafkaNormalizerConfig, policy: Policy | None) -> None:
        self.route = route
        self.key = f"{config.group_id}.{route.system}"
        self.normalizer = SystemNormalizer(route, policy=policy)
        self.producer = Producer(
            {
                "bootstrap.servers": config.bootstrap,
                "transactional.id": self.key,
                "enable.idempotence": True,
                "transaction.timeout.ms": config.transaction_timeout_ms,
                "linger.ms": 20,
                "compression.type": "lz4",
                "queue.buffering.max.messages": 2_000_000,
                "queue.buffering.max.kbytes": 2_000_000,
                "log_level": 0,
                **config.producer_extra,
            }
        )
        self.producer.init_transactions(30)  # fences the previous owner, aborts its open transaction
        self.tps: set[TP] = set()
        self.warm: dict[TP, int] = {}
        self.committed: dict[TP, int] = {}
        self.next: dict[TP, int] = {}
        self.paused: dict[TP, tuple[int, str]] = {}
        self.held: list[SourceRecord] = []
        """Records held back while draining, in the order read; handled once the drain ends."""
        self.holding: dict[TP, int] = {}
        """Partitions with records held back -> the offset after the last one."""
        self.held_bytes = 0
        self.seen_ts: dict[TP, int] = {}
        self.ends: dict[TP, int] = {}
        self.normalizer.barrier = self.read_past
        self.out = Output()
        self.draining = False
        self.open: set[str] = set()
        self.drain_started = 0.0
        self.last_commit = time.monotonic()
        self.commits = 0
        self.start_at: dict[TP, int] = {}
        """Where each partition is read from: the loaded snapshot's offsets (others from the beginning)."""
        self.last_snapshot = float("-inf")
        self.snapshot_chunks = 0
        self.state_behind = False
        """A commit since the last snapshot: a clean stop saves the state even if nothing new is committed."""
        self.replayed = 0

    def read_past(self, record: SourceRecord) -> bool:
        """Every partition of the lane read past ``record``'s time, or to its end (the gate's barrier)."""
        ts = record.timestamp
        for tp in self.tps:
            end = self.ends.get(tp)
            if end is not None and self.next.get(tp, self.committed.get(tp, 0)) >= end:
                continue  # at the end: nothing older can come
            if self.seen_ts.get(tp, -1) < ts:
                return False
        return True

    def warming(self) -> bool:
        return any(self.next.get(tp, -1) < mark for tp, mark in self.warm.items())


class KafkaNormalizer:
    """Runs lanes for the systems this process holds leases for (see the module docstring)."""

    def __init__(
        self, routes: Sequence[Route], config: KafkaNormalizerConfig, policy: Policy | None = None
    ) -> None:
        self.routes = {r.system: r for r in routes}
        self.config = config
        self.policy = policy
        ensure_topics(
            config.bootstrap, {config.canonical_topic: config.canonical_partitions, config.dlq_topic: 1}
        )
        ensure_state_topic(config.bootstrap, config.state_topic)
        self.consumer = Consumer(
            {
                "bootstrap.servers": config.bootstrap,
                "group.id": config.group_id,
                "enable.auto.commit": False,
                "isolation.level": "read_committed",
                "auto.offset.reset": "earliest",
                **FETCH_SETTINGS,
                "queued.max.messages.kbytes": config.prefetch_kbytes,
                "log_level": 0,
            }
        )
        self.leases = Leases(config.bootstrap, config.group_id, list(self.routes))
        self.lanes: dict[str, _Lane] = {}
        self._lane_of_topic: dict[str, _Lane] = {}
        self._last_discovery = 0.0
        self.finished = Counters()
        self.gaps: list[Gap] = []
        """Records retention deleted before the lanes read them (:mod:`~pipelines.transports.kafka_gaps`)."""

    # -- assignment ---------------------------------------------------------------------------------------------
    def _rebuild(self) -> None:
        """Drop every lane (uncommitted work is redone from the committed offsets) and build the owned ones."""
        self._close_lanes()
        self.consumer.assign([])
        for system in sorted(self.leases.owned):
            lane = self.lanes[system] = _Lane(self.routes[system], self.config, self.policy)
            self._restore(lane)
        self._discover()

    def _restore(self, lane: _Lane) -> None:
        """Load the lane's newest snapshot, unless its offsets are past the committed ones or it does not load."""
        snapshot = read_snapshot(self.config.bootstrap, self.config.state_topic, lane.key)
        if snapshot is None:
            return
        committed = self.consumer.committed([TopicPartition(t, p) for t, p in snapshot.offsets], timeout=30)
        if any(
            tp.error is not None or tp.offset < snapshot.offsets[(tp.topic, tp.partition)] for tp in committed
        ):
            return
        if load(lane.normalizer, snapshot):
            lane.start_at = dict(snapshot.offsets)

    def _close_lanes(self) -> None:
        for lane in self.lanes.values():
            self.finished.add(lane.normalizer.counters)
            lane.producer.flush(5)
        self.lanes.clear()
        self._lane_of_topic.clear()

    def _discover(self) -> None:
        """Assign the partitions of owned topics that exist now (Debezium creates a topic on its first record)."""
        self._last_discovery = time.monotonic()
        new: list[TopicPartition] = []
        for lane in self.lanes.values():
            assigned_topics = {t for t, _ in lane.tps}
            wanted = [t for t in lane.route.all_topics() if t not in assigned_topics]
            for topic, count in partitions(self.consumer, wanted).items():
                self._lane_of_topic[topic] = lane
                for p in range(count):
                    lane.tps.add((topic, p))
                    new.append(TopicPartition(topic, p))
        if not new:
            return
        for tp in self.consumer.committed(new, timeout=30):
            if tp.error is not None:
                raise KafkaTransportError(f"cannot read committed offsets: {tp.error}")
            lane = self._lane_of_topic[tp.topic]
            if tp.offset >= 0:
                lane.warm[(tp.topic, tp.partition)] = tp.offset
                lane.committed[(tp.topic, tp.partition)] = tp.offset
        assigned = []
        for tp in new:
            lane, key = self._lane_of_topic[tp.topic], (tp.topic, tp.partition)
            try:
                low, _ = self.consumer.get_watermark_offsets(tp, timeout=10, cached=False)
            except KafkaException:
                low = 0  # not known: out of range is read from the earliest offset (auto.offset.reset)
            low = max(low, 0)
            state = lane.start_at.get(key)
            found = gaps(
                lane.route.system, *key, low=low, committed=lane.committed.get(key), state=state or 0
            )
            self.gaps.extend(g for g in found if g not in self.gaps)  # once, though lanes are rebuilt
            at = max(low, state or 0)  # from the beginning without a state: the first offset left
            # read up to here already: a partition with nothing (left) to read is not warming forever
            lane.next[key] = at
            assigned.append(TopicPartition(tp.topic, tp.partition, at))
        self.consumer.incremental_assign(assigned)

    # -- the loop -----------------------------------------------------------------------------------------------
    def run(
        self,
        stop: Callable[[], bool],
        *,
        until_caught_up: bool = False,
        on_status: Callable[[NormalizerStatus], None] | None = None,
        status_every_s: float = 0.5,
    ) -> NormalizerStatus:
        """Normalize until ``stop()`` is true (or, with ``until_caught_up``, until everything owned is committed
        up to the end of its partitions). Commits what is clean on the way out; returns the final status."""
        last_status = 0.0
        try:
            while not stop():
                if self.leases.poll():
                    self._rebuild()
                if time.monotonic() - self._last_discovery > 5.0:
                    self._discover()
                messages = self.consumer.consume(self.config.batch_size, 0.1) if self.lanes else []
                if not self.lanes:
                    time.sleep(0.05)
                seen = self._handle(messages)
                for lane in self.lanes.values():
                    self._after_batch(lane, lane.route.system not in seen)
                now = time.monotonic()
                if on_status is not None and now - last_status >= status_every_s:
                    last_status = now
                    on_status(self.status())
                if until_caught_up and not messages and self._caught_up():
                    break
            for lane in self.lanes.values():
                if lane.normalizer.is_clean(count_parked=False) and not lane.warming():
                    self._commit(lane, final=True)
        finally:
            status = self.status()
            self.close()
        return status

    def _handle(self, messages: list[Any]) -> set[str]:
        seen: set[str] = set()
        lanes = self._lane_of_topic
        for msg in messages:
            err = msg.error()
            if err is not None:
                if err.code() == KafkaError._PARTITION_EOF:
                    continue
                raise KafkaTransportError(f"consume failed: {err.str()}")
            topic = msg.topic()
            lane = lanes.get(topic)
            if lane is None:
                continue
            tp = (topic, msg.partition())
            if tp in lane.paused:
                continue
            ts = msg.timestamp()[1]
            lane.seen_ts[tp] = ts
            record = SourceRecord(topic, tp[1], msg.offset(), msg.key(), msg.value(), ts)
            if tp in lane.holding or (lane.draining and self._opens_new(lane, tp, record)):
                self._hold_back(lane, tp, record)
                continue
            self._handle_one(lane, tp, record)
            seen.add(lane.route.system)
        return seen

    def _opens_new(self, lane: _Lane, tp: TP, record: SourceRecord) -> bool:
        """While draining for a clean cut: ``record`` is a change of a transaction opened since the drain began.
        Records outside any transaction (snapshot reads, untransacted changes) map at once and open nothing, and
        an open transaction's END may be waiting for exactly them (the barrier): they are never held back."""
        if record.offset < lane.warm.get(tp, 0):
            return False
        tx = lane.normalizer.transaction_of(record)
        return tx is not None and tx not in lane.open

    def _handle_one(self, lane: _Lane, tp: TP, record: SourceRecord) -> None:
        emit = record.offset >= lane.warm.get(tp, 0)
        if not emit:
            lane.replayed += 1
        normalizer = lane.normalizer
        parked = normalizer.counters.parked
        normalizer.handle(record, emit)
        lane.next[tp] = record.offset + 1
        if normalizer.counters.parked > parked:
            self._pause(lane, tp, record.offset + 1, "parked")

    def _hold_back(self, lane: _Lane, tp: TP, record: SourceRecord) -> None:
        """Keep ``record`` for the drain's end; past ``drain_hold_records`` or ``drain_hold_bytes``, pause the
        partitions held back behind their last held record (what the consumer prefetched for them is then
        dropped)."""
        lane.held.append(record)
        lane.holding[tp] = record.offset + 1
        lane.held_bytes += len(record.key or b"") + len(record.value or b"")
        config = self.config
        if len(lane.held) >= config.drain_hold_records or lane.held_bytes >= config.drain_hold_bytes:
            for held_tp, after in lane.holding.items():
                if held_tp not in lane.paused:
                    self._pause(lane, held_tp, after, "held")

    def _end_drain(self, lane: _Lane) -> None:
        """Handle what the drain held back, in the order read, and resume the partitions paused behind it. A
        record behind a parked one is left: its partition is read again from the parked record when it resumes."""
        lane.draining = False
        held, lane.held, lane.held_bytes = lane.held, [], 0
        lane.holding.clear()
        for record in held:
            tp = (record.topic, record.partition)
            if lane.paused.get(tp, (0, ""))[1] != "parked":
                self._handle_one(lane, tp, record)
        lane.normalizer.forget_ahead()  # decodes of records behind a parked one: they are read again
        lane.out.extend(lane.normalizer.take())  # committed with the next cut, which is past these records
        self._resume(lane, ("held",))

    def _pause(self, lane: _Lane, tp: TP, offset: int, reason: str) -> None:
        lane.paused[tp] = (offset, reason)
        self.consumer.pause([TopicPartition(*tp)])

    def _resume(self, lane: _Lane, reasons: tuple[str, ...]) -> None:
        parked = lane.normalizer.parked()
        for tp, (offset, reason) in list(lane.paused.items()):
            if reason in reasons and tp not in parked:
                del lane.paused[tp]
                self.consumer.seek(TopicPartition(tp[0], tp[1], offset))
                self.consumer.resume([TopicPartition(*tp)])

    def _after_batch(self, lane: _Lane, idle: bool) -> None:
        normalizer = lane.normalizer
        for tp in lane.tps:
            _, high = self.consumer.get_watermark_offsets(TopicPartition(*tp), cached=True) or (0, -1)
            if high >= 0:  # unknown until the first fetch response
                lane.ends[tp] = high
        normalizer.tick(idle=idle)
        lane.out.extend(normalizer.take())
        if any(reason == "parked" for _, reason in lane.paused.values()):
            self._resume(lane, ("parked",))
        if lane.warming():
            return
        now = time.monotonic()
        if not lane.draining and now - lane.last_commit < self.config.commit_interval_s:
            return
        if normalizer.is_clean(count_parked=False):
            self._commit(lane)
            self._end_drain(lane)
        elif not lane.draining:
            lane.draining, lane.drain_started = True, now
            lane.open = normalizer.open_transactions()
        elif now - lane.drain_started > self.config.drain_timeout_s:
            lane.last_commit = now  # give up this time: go on, try again at the next interval
            self._end_drain(lane)

    def _cut(self, lane: _Lane) -> dict[TP, int]:
        """Per partition, the offset below which every record is reflected in the lane's output and state."""
        parked = lane.normalizer.parked()
        cuts = dict(lane.committed)
        for tp, nxt in lane.next.items():
            cut = nxt
            if tp in lane.paused:
                cut = min(cut, lane.paused[tp][0])
            if tp in parked:
                cut = min(cut, parked[tp])
            cuts[tp] = max(cut, lane.committed.get(tp, -1))
        return cuts

    def _commit(self, lane: _Lane, final: bool = False) -> None:
        cuts = self._cut(lane)
        offsets = [
            TopicPartition(t, p, o) for (t, p), o in cuts.items() if o > lane.committed.get((t, p), -1)
        ]
        out, lane.out = lane.out, Output()
        now = lane.last_commit = time.monotonic()
        interval = self.config.snapshot_interval_s
        if not offsets and not out and not (final and lane.state_behind and interval > 0):
            return
        snapshot = interval > 0 and (final or now - lane.last_snapshot >= interval)
        producer = lane.producer
        try:
            producer.begin_transaction()
            self._produce(producer, out)
            if snapshot:
                state = lane.normalizer.save_state()
                lane.snapshot_chunks = write_snapshot(
                    producer, self.config.state_topic, lane.key, cuts, state, lane.snapshot_chunks
                )
            if offsets:
                producer.send_offsets_to_transaction(offsets, self.leases.group_metadata(), 30)
            producer.commit_transaction(60)
        except KafkaException as exc:
            error = exc.args[0]
            if error.fatal() or error.code() in (KafkaError._FENCED, KafkaError.PRODUCER_FENCED):
                raise FencedError(f"normalizer lane {lane.route.system} was fenced: {error.str()}") from None
            if error.txn_requires_abort():
                producer.abort_transaction(30)
                self._rebuild()  # the adapter moved past what Kafka has: start again from committed offsets
                return
            raise KafkaTransportError(
                f"transaction of lane {lane.route.system} failed: {error.str()}"
            ) from None
        for tp in offsets:
            lane.committed[(tp.topic, tp.partition)] = tp.offset
        if snapshot:
            lane.last_snapshot = now
        lane.state_behind = not snapshot
        lane.commits += 1
        lane.normalizer.prune()

    def _produce(self, producer: Producer, out: Output) -> None:
        produce_events(producer, self.config.canonical_topic, out.events)
        dlq = self.config.dlq_topic
        for letter in out.dead_letters:
            producer.produce(dlq, encode_dead_letter(letter), (letter.system or "").encode())

    # -- status -------------------------------------------------------------------------------------------------
    def _caught_up(self) -> bool:
        if not self.lanes:
            return False
        for lane in self.lanes.values():
            if lane.paused or lane.held or lane.out or lane.warming() or not lane.normalizer.is_clean():
                return False
            ends = high_watermarks(self.consumer, lane.tps)
            at = {
                (tp.topic, tp.partition): tp.offset
                for tp in self.consumer.position([TopicPartition(*tp) for tp in lane.tps])
            }
            for tp, end in ends.items():
                if max(lane.committed.get(tp, 0), lane.next.get(tp, 0), at.get(tp, 0)) < end:
                    return False
        return True

    def status(self) -> NormalizerStatus:
        counters = Counters()
        counters.add(self.finished)
        lag = 0
        for lane in self.lanes.values():
            counters.add(lane.normalizer.counters)
            for tp in lane.tps:
                _, high = self.consumer.get_watermark_offsets(TopicPartition(*tp), cached=True) or (0, 0)
                lag += max(0, high - lane.next.get(tp, lane.committed.get(tp, 0)))
        return NormalizerStatus(
            systems=sorted(self.lanes),
            counters=counters,
            lag=lag,
            commits=sum(lane.commits for lane in self.lanes.values()),
            warming=any(lane.warming() for lane in self.lanes.values()),
            replayed=sum(lane.replayed for lane in self.lanes.values()),
            gaps=list(self.gaps),
        )

    def close(self) -> None:
        self._close_lanes()
        self.consumer.close()
        self.leases.close()
