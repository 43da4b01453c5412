"""The embedded transport: one Debezium engine per legacy system in this process, feeding the normalizers and
writing the canonical table, the dead letters and the raw change log straight into DuckDB.

Each lane works behind its engine, in two stages with a thread each. :meth:`SystemLane.on_batch` (the engine's
thread) queues the batch and returns at once, so the engine reads and converts the next batch in the JVM
meanwhile; the normalizing stage reads the batch into Python, numbers its records (the raw log's sequence is
their offset, partition 0) and runs them through the system's
:class:`~pipelines.runtime.normalizer.SystemNormalizer`; the DuckDB stage commits the batch's events, dead
letters and raw records in one DuckDB transaction (DuckDB runs without the GIL, beside the next batch's
normalizing). At most one batch waits at each stage. What the commits cover is reported to the engine as
records done (when it hands over its next batch, or from :meth:`EmbeddedPipeline.tick` when none comes), and
only then may the engine flush their offsets (at most ``offset.flush.interval.ms`` later). A crash in between
replays what followed the last flush: sinks are idempotent on ids and the adapters recognise changes of
transactions they completed.

Restart: the engine resumes from its offset file (no new snapshot, nothing skipped) and, before it starts,
each lane loads its saved normalizer state and replays the raw change log from where that state ends
(:mod:`warehouse.raw_log` and :mod:`warehouse.lane_states` explain why), which also finishes what a crash left
held (parked records, incomplete transactions). A lane saves its state every ``state_interval_s`` at a cut
where nothing is held (after a batch's last transaction boundary, after a batch, or when idle) and at a clean
stop, in the DuckDB transaction of that cut's batch, which also deletes the log below it.
:meth:`EmbeddedPipeline.stop` first lets each lane write what it was handed, so a clean stop replays nothing.

Records of topics that are not the system's table or transaction topics (heartbeats, notifications) are
skipped. Hazard: the DuckDB file and the engines' state directory belong together; deleting one of them alone
makes the next run snapshot again into a table that has the rows (harmless) or resume without the saved states
and the raw log (lookups lost: seat changes of unknown events are dead-lettered).
"""

from __future__ import annotations

import gc
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pipelines.runtime.counters import Counters
from pipelines.runtime.normalizer import Output, Policy, SystemNormalizer
from pipelines.runtime.records import SourceRecord
from pipelines.runtime.routes import Route
from pipelines.runtime.sink import LaneState, RawBatch, RawLogStore
from pipelines.transports.embedded import BatchHandler, EmbeddedEngine, RawRecord
from pipelines.transports.embedded_stages import Positions, Stage


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
    state_loaded: bool = False
    states_saved: int = 0
    errors: list[str] = field(default_factory=list)


class SystemLane:
    """One system: its normalizer, the sequence numbers of its raw log, and two stages (see the module).

    ``lock`` guards the normalizer: the normalizing stage holds it per batch, :meth:`tick` and :meth:`status`
    take it. ``state_interval_s`` (0: never) spaces the saved states; each is one encoding of all the adapter's
    lookups, in the normalizing thread.
    """

    def __init__(
        self,
        route: Route,
        store: RawLogStore,
        policy: Policy | None = None,
        state_interval_s: float = 60.0,
    ) -> None:
        self.route = route
        self.store = store
        self.normalizer = SystemNormalizer(route, policy=policy)
        self.lock = threading.Lock()
        self._topics = frozenset(route.all_topics())
        self._seq = 0
        self.batches = 0
        self.skipped = 0
        self.per_topic: Counter[str] = Counter()
        self.warmup_records = 0
        self.committed_events = 0
        """Events handed to the store and committed (replays included: the store may have had them)."""
        self.state_interval_s = state_interval_s
        self.state_loaded = False
        self.state_error: str | None = None
        """Why the saved state did not load (the lane then starts from the log's tail alone)."""
        self.states_saved = 0
        self._state_seq = 0  # the raw records the last saved (or loaded) state reflects
        self._last_state = time.monotonic()
        self.last_batch = time.monotonic()
        self._delivered = 0  # records the engine handed over in this run
        self._handled = 0  # ... that the normalizer has handled
        self._done = 0  # ... whose effects are committed
        self._positions = Positions()
        system = route.system
        self._normalizing: Stage[tuple[int, Sequence[RawRecord]]] = Stage(f"lane-{system}", self._normalize)
        self._writing: Stage[_Commit] = Stage(f"lane-{system}-duckdb", self._write)

    def warm_up(self, chunk: int = 20_000) -> int:
        """Load the saved state, replay the raw change log from where it ends through the normalizer and commit
        what that yields; records replayed."""
        n = 0
        with self.lock:
            first, self.state_error = load_lane_state(self.store, self.route.system, self.normalizer)
            self._state_seq, self.state_loaded = first, first > 0
            for seq, topic, key, value in self.store.raw_replay(self.route.system, first):
                self.normalizer.handle(SourceRecord(topic, 0, seq, key, value))
                n += 1
                if n % chunk == 0:
                    self._write((self._take(), None, 0, None))
            self.normalizer.tick(idle=False)
            self._write((self._take(), None, 0, None))
            self._seq = self.store.raw_next_seq(self.route.system)
        self.warmup_records = n
        return n

    # -- the engine's side ----------------------------------------------------------------------------------------
    def on_batch(self, batch: Sequence[RawRecord]) -> int:
        """The engine's batch handler: queue the batch (waiting while another one waits to be normalized).

        Returns how many of the records delivered in this run are done (reflected in what was committed): the
        records from the oldest one still held (an open source transaction) on are delivered again after a
        restart. Raises a stage's error, which stops the engine.
        """
        error = self.error
        if error is not None:
            raise error
        self._normalizing.put((self._delivered, batch))
        self._delivered += len(batch)
        self.last_batch = time.monotonic()
        return self._done

    @property
    def done(self) -> int:
        """Records of the engine's run (counted from its first) whose effects are committed."""
        return self._done

    @property
    def error(self) -> BaseException | None:
        """What stopped a stage, if one stopped."""
        return self._normalizing.error or self._writing.error

    @property
    def idle(self) -> bool:
        """Everything handed over is normalized and committed."""
        return self._normalizing.idle and self._writing.idle

    def start(self) -> None:
        """Start the stages' threads (after :meth:`warm_up`, before the engine)."""
        self._writing.start()
        self._normalizing.start()

    def drain(self, timeout_s: float = 60.0) -> int:
        """Wait until what was handed over is committed (or a stage failed); records done."""
        self._normalizing.drain(timeout_s)
        self._writing.drain(timeout_s)
        return self._done

    def close(self, timeout_s: float = 60.0) -> None:
        """Commit what was handed over (and the state, if nothing is held), then end the stages' threads."""
        self._normalizing.close(timeout_s)
        if self.error is None:
            with self.lock:
                state = self._state_if_due(final=True)
                if state is not None:
                    self._writing.put((self._take(), None, self._done_so_far(), state))
        self._writing.close(timeout_s)

    # -- the stages -----------------------------------------------------------------------------------------------
    def _normalize(self, item: tuple[int, Sequence[RawRecord]]) -> None:
        """Normalize one batch (reading it from the JVM here) and queue its output for the DuckDB stage."""
        base, batch = item
        if self._writing.error is not None:
            raise self._writing.error
        with self.lock:
            first = self._seq
            topics = self._topics
            raw = [record for record in batch if record.topic in topics]
            skipped = len(batch) - len(raw)
            state = self._handle(raw, first)
            out = self._take()
            self._seq = first + len(raw)
            self._handled = base + len(batch)
            self.skipped += skipped
            self.per_topic.update([record.topic for record in raw])
            self.batches += 1
            self._positions.add(first, base, batch if skipped else len(batch), topics)
            done = self._done_so_far()
            self._positions.forget(min(done, self._done))
            if state is None:
                state = self._state_if_due()
            self._writing.put((out, (self.route.system, first, raw), done, state))

    def _handle(self, raw: Sequence[RawRecord], first: int) -> LaneState | None:
        """Run a batch's records, numbered from ``first``, through the normalizer.

        When a state is due, it is taken after the batch's last record of the transaction topic (a source
        transaction's BEGIN or END) if nothing is held there and records follow: under back-to-back
        transactions a batch seldom ends between two, and a state taken only at a batch's end could be long in
        coming while the raw log grows. Returns that state, or None (the batch's end is tried next).
        """
        handle = self.normalizer.handle
        split = 0
        if self.route.needs_transactions and self._state_due():
            tx_topic = self.route.transaction_topic
            split = next((i + 1 for i in range(len(raw) - 1, -1, -1) if raw[i].topic == tx_topic), 0)
        state = None
        for seq, (topic, key, value) in enumerate(raw[:split], first):
            handle(SourceRecord(topic, 0, seq, key, value))
        if 0 < split < len(raw) and self.normalizer.is_clean():
            state = self._state_at(first + split)
        for seq, (topic, key, value) in enumerate(raw[split:], first + split):
            handle(SourceRecord(topic, 0, seq, key, value))
        self.normalizer.tick(idle=False)
        return state

    def _write(self, item: _Commit) -> None:
        """Commit one batch's events, dead letters, raw records and state in one DuckDB transaction."""
        out, raw, done, state = item
        if out or (raw is not None and raw[2]) or state is not None:
            self.store.commit(out.events, out.dead_letters, raw=raw, lane_state=state)
            self.committed_events += len(out.events)
            self.states_saved += state is not None
        self._done = max(self._done, done)

    def _state_due(self, final: bool = False) -> bool:
        """States are saved at all, and ``state_interval_s`` has passed since the last (or ``final``)."""
        interval = self.state_interval_s
        return interval > 0 and (final or time.monotonic() - self._last_state >= interval)

    def _state_if_due(self, final: bool = False) -> LaneState | None:
        """The normalizer's state at this cut (with the lock, after the output was taken), when one is due:
        records handled since the last, and nothing held."""
        if self._seq <= self._state_seq or not self._state_due(final) or not self.normalizer.is_clean():
            return None
        return self._state_at(self._seq)

    def _state_at(self, next_seq: int) -> LaneState:
        """The normalizer's state now, which reflects the records numbered below ``next_seq``."""
        self._last_state, self._state_seq = time.monotonic(), next_seq
        return LaneState(self.route.system, next_seq, self.normalizer.save_state())

    def _take(self) -> Output:
        out = self.normalizer.take()
        self.normalizer.prune()
        return out

    def _done_so_far(self) -> int:
        """Records handled and not held (with the normalizer's lock): done once what was taken is committed."""
        held = self.normalizer.held()
        return self._handled if not held else self._positions.index(min(held.values()))

    # -- between batches (main thread) ----------------------------------------------------------------------------
    def tick(self, idle: bool) -> None:
        """Retry parked records, flush stalled transactions (``idle``: no batch for a while)."""
        with self.lock:
            self.normalizer.tick(idle=idle)
            out = self._take() if self.normalizer.out else None
            state = self._state_if_due() if idle else None
            if out is not None or state is not None:
                self._writing.put((out or Output(), None, self._done_so_far(), state))

    def clean(self) -> bool:
        """Nothing waits to be normalized or committed and the normalizer holds nothing."""
        with self.lock:
            return self.idle and self.normalizer.is_clean()

    def status(self) -> LaneStatus:
        with self.lock:
            held = len(self.normalizer.held())
        return LaneStatus(
            system=self.route.system,
            counters=self.normalizer.counters,
            batches=self.batches,
            last_batch=self.last_batch,
            held=held,
            skipped=self.skipped,
            warmup_records=self.warmup_records,
            state_loaded=self.state_loaded,
            states_saved=self.states_saved,
            errors=[] if self.state_error is None else [self.state_error],
        )


_Commit = tuple[Output, RawBatch | None, int, LaneState | None]
"""What the DuckDB stage commits: output, raw records, records done once committed, a saved state."""


def load_lane_state(store: RawLogStore, system: str, normalizer: SystemNormalizer) -> tuple[int, str | None]:
    """Load ``system``'s saved state into ``normalizer``: (the sequence number its raw log is to be replayed
    from, why the state did not load). Without a state, or one that does not load (the normalizer is then
    left as it was), the log is replayed from its start, which is where the last saved state ended."""
    saved = store.lane_state(system)
    if saved is None:
        return 0, None
    why = normalizer.resume_from(saved.state)
    if why is not None:
        return 0, f"the saved state of lane {system} does not load, replaying the raw log alone: {why}"
    return saved.next_seq, None


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
        engine_factory: Callable[[str, Mapping[str, str], BatchHandler], EmbeddedEngine] | None = None,
        state_interval_s: float = 60.0,
    ) -> None:
        self.lanes = [SystemLane(spec.route, store, policy, state_interval_s) for spec in specs]
        self._specs = list(specs)
        self._factory = engine_factory or EmbeddedEngine
        self.engines: list[EmbeddedEngine] = []
        self.started = time.monotonic()

    def start(self) -> None:
        """Bring each lane up to date (its saved state, then the raw log after it), then start the engines.

        After that, the objects alive (the adapters' lookups) are moved out of the garbage collector's reach
        (:func:`gc.freeze`): full collections, which JPype runs after every Java collection, then no longer
        walk them. Process-wide, as the JVM is.
        """
        for lane in self.lanes:
            lane.warm_up()
        gc.collect()
        gc.freeze()
        for spec, lane in zip(self._specs, self.lanes, strict=True):
            lane.start()
            engine = self._factory(spec.route.system, spec.properties, lane.on_batch)
            engine.start()
            self.engines.append(engine)
        self.started = time.monotonic()

    def tick(self, idle_after_s: float = 1.0) -> None:
        """Call every second or so: lanes without a batch for ``idle_after_s`` retry and flush what waits, and
        each engine learns what its lane has written since its last batch (so its offsets follow)."""
        now = time.monotonic()
        for lane in self.lanes:
            lane.tick(idle=now - lane.last_batch >= idle_after_s)
        for engine, lane in zip(self.engines, self.lanes, strict=False):
            engine.acknowledge(lane.done)

    def check(self) -> None:
        """Raise the error of a lane's stage or of an engine that stopped (a connector failure, a handler
        error)."""
        for lane in self.lanes:
            if lane.error is not None:
                raise lane.error
        for engine in self.engines:
            if not engine.running:
                engine.raise_if_failed()

    def quiet_for(self) -> float:
        """Seconds since the most recent batch of any lane (or since start)."""
        latest = max([self.started, *(lane.last_batch for lane in self.lanes)])
        return time.monotonic() - latest

    def clean(self) -> bool:
        return all(lane.clean() for lane in self.lanes)

    def status(self) -> list[LaneStatus]:
        return [lane.status() for lane in self.lanes]

    def stop(self) -> None:
        """Write what the lanes were handed, tell the engines, and stop them (each flushes its offsets).

        A batch handed over while an engine stops is still written, but not reported: it comes again after a
        restart.
        """
        for engine, lane in zip(self.engines, self.lanes, strict=False):
            engine.acknowledge(lane.drain())
            engine.stop()
        for lane in self.lanes:
            lane.close()
