"""The embedded transport: one Debezium engine per legacy system in this process, feeding the normalizers and
writing the canonical table, the dead letters and the raw change log straight into DuckDB.

Per batch the engine hands over (in its own thread), :meth:`SystemLane.on_batch` numbers the records (the raw
log's sequence is their offset, partition 0), runs them through the system's
:class:`~pipelines.runtime.normalizer.SystemNormalizer` and commits events, dead letters and the raw records in
one DuckDB transaction before returning; only then does the engine count the batch as processed and flush its
offsets (at most ``offset.flush.interval.ms`` later). A crash in between replays the batch: sinks are
idempotent on ids and the adapters recognise changes of transactions they completed.

Restart: the engine resumes from its offset file (no new snapshot, nothing skipped) and, before it starts,
each lane replays the raw change log through a fresh adapter (:mod:`warehouse.raw_log` explains why), which
also finishes what a crash left held (parked records, incomplete transactions).

Records of topics that are not the system's table or transaction topics (heartbeats, notifications) are
skipped. Hazard: the DuckDB file and the engines' state directory belong together; deleting one of them alone
makes the next run snapshot again into a table that has the rows (harmless) or resume without the raw log
(lookups lost: seat changes of unknown events are dead-lettered).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pipelines.runtime.counters import Counters
from pipelines.runtime.normalizer import Policy, SystemNormalizer
from pipelines.runtime.records import SourceRecord
from pipelines.runtime.routes import Route
from pipelines.runtime.sink import RawLogStore
from pipelines.transports.embedded import EmbeddedEngine, RawRecord


@dataclass(frozen=True)
class EngineSpec:
    """A system's route and its engine's full properties (connector config + :func:`engine_properties`)."""

    route: Route
    properties: Mapping[str, str]


@dataclass
class LaneStatus:
    system: str
    counters: Counters
    batches: int
    last_batch: float
    held: int
    skipped: int = 0
    warmup_records: int = 0
    errors: list[str] = field(default_factory=list)


class SystemLane:
    """One system: its normalizer, the sequence numbers of its raw log, and a lock for the engine's thread."""

    def __init__(self, route: Route, store: RawLogStore, policy: Policy | None = None) -> None:
        self.route = route
        self.store = store
        self.normalizer = SystemNormalizer(route, policy=policy)
        self.lock = threading.Lock()
        self._topics = frozenset(route.all_topics())
        self._seq = 0
        self.batches = 0
        self.skipped = 0
        self.per_topic: dict[str, int] = {}
        self.warmup_records = 0
        self.last_batch = time.monotonic()

    def warm_up(self, chunk: int = 20_000) -> int:
        """Replay the raw change log through the normalizer, committing what it yields; records replayed."""
        n = 0
        with self.lock:
            for seq, topic, key, value in self.store.raw_replay(self.route.system):
                self.normalizer.handle(SourceRecord(topic, 0, seq, key, value))
                n += 1
                if n % chunk == 0:
                    self._commit(None)
            self.normalizer.tick(idle=False)
            self._commit(None)
            self._seq = self.store.raw_next_seq(self.route.system)
        self.warmup_records = n
        return n

    def on_batch(self, batch: list[RawRecord]) -> int:
        """The engine's batch handler: normalize, then commit everything in one DuckDB transaction.

        Returns how many leading records of the batch are reflected in what was committed (the engine marks
        only those processed): the records from the oldest one still held (an open source transaction) on
        are delivered again after a restart.
        """
        with self.lock:
            first = self._seq
            raw: list[tuple[str, bytes | None, bytes | None]] = []
            seqs: list[int | None] = []
            normalizer = self.normalizer
            topics = self._topics
            for record in batch:
                if record.topic not in topics:
                    self.skipped += 1
                    seqs.append(None)
                    continue
                seqs.append(first + len(raw))
                normalizer.handle(SourceRecord(record.topic, 0, first + len(raw), record.key, record.value))
                raw.append((record.topic, record.key, record.value))
            normalizer.tick(idle=False)
            self._commit((self.route.system, first, raw))
            self._seq = first + len(raw)
            for topic, _, _ in raw:
                self.per_topic[topic] = self.per_topic.get(topic, 0) + 1
            held = normalizer.held()
            oldest = min(held.values()) if held else None
            if oldest is None:
                return len(batch)
            done = 0
            for seq in seqs:
                if seq is not None and seq >= oldest:
                    break
                done += 1
            return done
            self.batches += 1
            self.last_batch = time.monotonic()

    def tick(self, idle: bool) -> None:
        """Between batches (from the main thread): retry parked records, flush stalled transactions."""
        with self.lock:
            self.normalizer.tick(idle=idle)
            if self.normalizer.out:
                self._commit(None)

    def _commit(self, raw: tuple[str, int, Sequence[tuple[str, bytes | None, bytes | None]]] | None) -> None:
        out = self.normalizer.take()
        if out or (raw is not None and raw[2]):
            self.store.commit(out.events, out.dead_letters, raw=raw)
        self.normalizer.prune()

    def status(self) -> LaneStatus:
        return LaneStatus(
            system=self.route.system,
            counters=self.normalizer.counters,
            batches=self.batches,
            last_batch=self.last_batch,
            held=sum(1 for _ in self.normalizer.held()),
            skipped=self.skipped,
            warmup_records=self.warmup_records,
        )


class EmbeddedPipeline:
    """Every system's engine in this process (one JVM), each feeding its own lane.

    The JVM must be started (:func:`~pipelines.transports.embedded.start_jvm`) before :meth:`start`, and the
    process ended with :func:`~pipelines.transports.embedded.exit_process`.
    """

    def __init__(
        self,
        specs: Sequence[EngineSpec],
        store: RawLogStore,
        *,
        policy: Policy | None = None,
        engine_factory: Callable[
            [str, Mapping[str, str], Callable[[list[RawRecord]], int | None]], EmbeddedEngine
        ]
        | None = None,
    ) -> None:
        self.lanes = [SystemLane(spec.route, store, policy) for spec in specs]
        self._specs = list(specs)
        self._factory = engine_factory or EmbeddedEngine
        self.engines: list[EmbeddedEngine] = []
        self.started = time.monotonic()

    def start(self) -> None:
        """Replay each lane's raw log, then start the engines."""
        for lane in self.lanes:
            lane.warm_up()
        for spec, lane in zip(self._specs, self.lanes, strict=True):
            engine = self._factory(spec.route.system, spec.properties, lane.on_batch)
            engine.start()
            self.engines.append(engine)
        self.started = time.monotonic()

    def tick(self, idle_after_s: float = 1.0) -> None:
        """Call every second or so: lanes without a batch for ``idle_after_s`` retry and flush what waits."""
        now = time.monotonic()
        for lane in self.lanes:
            lane.tick(idle=now - lane.last_batch >= idle_after_s)

    def check(self) -> None:
        """Raise the error of an engine that stopped (a connector failure, a handler error)."""
        for engine in self.engines:
            if not engine.running:
                engine.raise_if_failed()

    def quiet_for(self) -> float:
        """Seconds since the most recent batch of any lane (or since start)."""
        latest = max([self.started, *(lane.last_batch for lane in self.lanes)])
        return time.monotonic() - latest

    def clean(self) -> bool:
        return all(lane.normalizer.is_clean() for lane in self.lanes)

    def status(self) -> list[LaneStatus]:
        return [lane.status() for lane in self.lanes]

    def stop(self) -> None:
        """Stop the engines (each flushes the offsets of the batches it finished)."""
        for engine in self.engines:
            engine.stop()
