"""One legacy system's normalizer: raw records in; canonical events and dead letters out; what is held, said.

:meth:`SystemNormalizer.handle` takes one raw record of the system's topics and does, in order:

1. refuse values over ``max_record_bytes`` (:class:`~pipelines.runtime.exceptions.OversizedRecordError`);
2. decode (:class:`~pipelines.debezium.DebeziumDecoder` with the capture settings' options); a record that does
   not decode becomes a dead letter (malformed JSON, wrong types, unknown logical types ...);
3. refuse row changes without a record key (:class:`~pipelines.runtime.exceptions.MissingKeyError`);
4. hand the record to the adapter, ENDs through the :class:`~pipelines.runtime.ordering.TransactionGate`
   when the adapter groups transactions;
5. collect the events, and turn failures into dead letters, except retryable ones
   (:class:`~pipelines.mapping.MissingReferenceError`) of records the adapter maps alone: those are *parked*
   and tried again on every :meth:`~SystemNormalizer.tick` until ``park_timeout_s`` has passed.

``emit=False`` handles a record for its effect on the adapter's lookups only (a Kafka normalizer rebuilding
state below its committed offsets): nothing it yields is collected, nothing is parked.

What the transport must not commit past is :meth:`~SystemNormalizer.held` (adapter-pending records, ENDs held
by the gate, parked records), per partition; :meth:`~SystemNormalizer.is_clean` says nothing is held, the only
moment a Kafka normalizer commits (a cut no transaction straddles).

A change dead-lettered in steps 1 to 3 still counts for its source transaction when its ``source`` and
``transaction`` blocks can be read (:class:`~pipelines.debezium.UndecodedChange`): the transaction completes
without it, so one poison row does not hold up the system's later transactions.

A transaction whose END is the oldest one held, still missing changes once every other topic of the system
has been read past it (a change whose JSON could not be read at all, a topic the runtime does not read), is
released alone, as it is, when it has waited ``stall_timeout_s``; the transactions behind it then follow in
source order, whether or not the system ever goes idle. A transaction whose END never arrives is flushed as it
is after the system has been idle for ``stall_timeout_s``.

Hazards: parked records and incomplete transactions keep their partition's offsets back. Not thread-safe: one
normalizer per thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import msgspec

from pipelines.canonical import CanonicalEvent
from pipelines.debezium import (
    ChangeEvent,
    DebeziumDecoder,
    DebeziumRecord,
    DecodeError,
    Op,
    RecordRef,
    TransactionEvent,
    undecoded_change,
)
from pipelines.debezium.capture import DECODE_OPTIONS
from pipelines.mapping import Adapter, AdapterStateError, Mapped, MappingError
from pipelines.runtime.counters import Counters
from pipelines.runtime.deadletter import DEFAULT_INLINE_LIMIT, DeadLetter, dead_letter
from pipelines.runtime.exceptions import MissingKeyError, OversizedRecordError
from pipelines.runtime.ordering import TransactionGate
from pipelines.runtime.records import Coordinates, SourceRecord, coordinates_of
from pipelines.runtime.routes import Route

_NO_KEY_OPS = (Op.TRUNCATE, Op.MESSAGE)


@dataclass(frozen=True)
class Policy:
    """How a normalizer treats poison and waiting records."""

    max_record_bytes: int = 1 << 20
    """Values above this are dead-lettered undecoded (1 MiB: the broker's default maximum message size)."""
    dlq_inline_bytes: int = DEFAULT_INLINE_LIMIT
    """Values above this travel in a dead letter as a reference, not a copy (see :mod:`..deadletter`)."""
    require_keys: bool = True
    park_timeout_s: float = 5.0
    stall_timeout_s: float = 30.0


@dataclass
class Output:
    """What a normalizer produced since it was last asked."""

    events: list[CanonicalEvent] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.events or self.dead_letters)

    def extend(self, other: Output) -> None:
        self.events.extend(other.events)
        self.dead_letters.extend(other.dead_letters)


@dataclass
class _Parked:
    record: SourceRecord
    since: float
    attempts: int = 0


_Item = tuple[DebeziumRecord, SourceRecord, bool]


class SystemNormalizer:
    """Drives one adapter (see the module docstring). ``clock`` is injectable for tests."""

    def __init__(
        self,
        route: Route,
        adapter: Adapter | None = None,
        *,
        policy: Policy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.route = route
        self.system = route.system
        self.adapter: Adapter = adapter if adapter is not None else route.adapter_factory()
        self.policy = policy or Policy()
        self.counters = Counters()
        self.out = Output()
        self._clock = clock
        # the mappings read rows, never record keys: a key is only checked (require_keys)
        self._decoder = DebeziumDecoder(
            options=DECODE_OPTIONS, columns=self.adapter.columns_read, key_values=False
        )
        self._gate: TransactionGate[_Item] | None = (
            TransactionGate() if self.adapter.needs_transactions else None
        )
        self._raw: dict[Coordinates, tuple[SourceRecord, bool]] = {}
        self._txof: dict[Coordinates, str] = {}
        self._parked: dict[Coordinates, _Parked] = {}
        self._stalled_since: float | None = None
        self._head_since: tuple[str, float] | None = None
        self._ahead: dict[Coordinates, DebeziumRecord] = {}
        self.barrier: Callable[[SourceRecord], bool] | None = None
        """Set by a transport that reads topics side by side: an END is released only once ``barrier(END)``
        says every other partition of the system has been read past it (rows of earlier transactions and of
        the snapshot are on other topics). None: records arrive in source order (the embedded engine)."""

    # -- the hot path -------------------------------------------------------------------------------------------
    def handle(self, record: SourceRecord, emit: bool = True) -> None:
        """Handle one raw record of this system's topics (see the module docstring)."""
        self.counters.records += 1
        value = record.value
        if value is not None and len(value) > self.policy.max_record_bytes:
            self._dead(record, OversizedRecordError(len(value), self.policy.max_record_bytes), emit)
            self._count_failed(record, emit)
            return
        decoded = self._ahead.pop(record.coordinates, None) if self._ahead else None  # from transaction_of
        if decoded is None:
            try:
                decoded = self._decoder.decode(
                    value,
                    key=record.key,
                    topic=record.topic,
                    partition=record.partition,
                    offset=record.offset,
                )
            except DecodeError as exc:
                self._dead(record, exc, emit)
                self._count_failed(record, emit)
                return
        gate = self._gate
        if type(decoded) is ChangeEvent:
            if decoded.key is None and self.policy.require_keys and decoded.op not in _NO_KEY_OPS:
                self._dead(record, MissingKeyError("row change without a record key", field="key"), emit)
                self._count_failed(record, emit)
                return
            ts = decoded.source.ts_ms
            if ts > self.counters.last_source_ms:
                self.counters.last_source_ms = ts
            if gate is not None and decoded.transaction is not None:
                coords = record.coordinates
                self._raw[coords] = (record, emit)
                self._txof[coords] = decoded.transaction.id
                self._apply(decoded, record, emit)
                gate.change(decoded)
                if len(gate):
                    self._release(gate.release(self._ready))
                return
        elif type(decoded) is TransactionEvent and gate is not None and decoded.status == "END":
            if gate.end(decoded, (decoded, record, emit)):
                self._raw[record.coordinates] = (record, emit)
                self._txof[record.coordinates] = decoded.id
                self._release(gate.release(self._ready))
            return
        self._apply(decoded, record, emit)

    def _count_failed(self, record: SourceRecord, emit: bool) -> None:
        """A change that was dead-lettered before the adapter saw it still counts for its transaction (when its
        ``source`` and ``transaction`` blocks can be read): the transaction completes without it instead of
        holding itself and every later one back until the stall timeout."""
        gate = self._gate
        if gate is None:
            return
        failed = undecoded_change(record.value, RecordRef(record.topic, record.partition, record.offset))
        if failed is None:
            return  # unreadable (malformed JSON): its transaction waits for the stall timeout
        self._apply(failed, record, emit)
        gate.change(failed)
        if len(gate):
            self._release(gate.release(self._ready))

    def _ready(self, item: _Item) -> bool:
        barrier = self.barrier
        return barrier is None or barrier(item[1])

    def _release(self, items: Iterable[_Item]) -> None:
        for decoded, record, emit in items:
            self._apply(decoded, record, emit)

    def _apply(self, decoded: DebeziumRecord, record: SourceRecord, emit: bool) -> None:
        mapped = self.adapter.handle(decoded)
        if mapped.events and emit:
            self.out.events.extend(mapped.events)
            self.counters.events += len(mapped.events)
        if mapped.failures:
            for failure in mapped.failures:
                self._failure(failure, decoded, record, emit)

    def _failure(
        self, failure: MappingError, decoded: DebeziumRecord, record: SourceRecord, emit: bool
    ) -> None:
        culprit, culprit_emit = self._raw_of(failure.record, record, emit)
        alone = isinstance(decoded, ChangeEvent) and (self._gate is None or decoded.transaction is None)
        if failure.retryable and culprit is record and alone:
            if emit and record.coordinates not in self._parked:
                self._parked[record.coordinates] = _Parked(record, self._clock())
                self.counters.parked += 1
            return
        self._dead(culprit, failure, culprit_emit)

    def _raw_of(self, ref: RecordRef | None, record: SourceRecord, emit: bool) -> tuple[SourceRecord, bool]:
        coords = None if ref is None else coordinates_of(ref)
        if coords is None or coords == record.coordinates:
            return record, emit
        return self._raw.get(coords, (record, emit))

    def _dead(self, record: SourceRecord, exc: BaseException, emit: bool) -> None:
        if not emit:
            return
        self.out.dead_letters.append(
            dead_letter(record, exc, system=self.system, inline_limit=self.policy.dlq_inline_bytes)
        )
        self.counters.dead_letters += 1

    # -- between batches ----------------------------------------------------------------------------------------
    def take(self) -> Output:
        """What was produced since the last call (and forget it)."""
        out, self.out = self.out, Output()
        return out

    def tick(self, idle: bool = False) -> None:
        """Retry parked records; after ``stall_timeout_s`` of idleness with records held, flush them.

        ``idle``: the transport has nothing more for this system right now (caught up).
        """
        now = self._clock()
        if self._gate is not None and len(self._gate):
            self._release(self._gate.release(self._ready))
            self._release_stalled_head(now)
        if self._parked:
            self._retry_parked(now)
        if idle and ((self._gate is not None and len(self._gate)) or self.adapter.pending()):
            if self._stalled_since is None:
                self._stalled_since = now
            elif now - self._stalled_since >= self.policy.stall_timeout_s:
                self.flush()
        else:
            self._stalled_since = None

    def _release_stalled_head(self, now: float) -> None:
        """Release the oldest END alone, as it is, once it has waited ``stall_timeout_s`` for changes that did not
        come although every other topic was read past it; then whatever it held back."""
        gate = self._gate
        assert gate is not None
        head = gate.head()
        if head is None:
            self._head_since = None
            return
        tx_id, item, _ = head
        if self._head_since is None or self._head_since[0] != tx_id:
            self._head_since = (tx_id, now)
            return
        if now - self._head_since[1] < self.policy.stall_timeout_s or not self._ready(item):
            return
        self._head_since = None
        self._release((gate.release_head(),))
        self._flush_adapter(tx_id)
        self._release(gate.release(self._ready))
        if len(gate):
            self._release_stalled_head(now)  # starts the clock of the next head

    def _retry_parked(self, now: float) -> None:
        for coords, parked in list(self._parked.items()):
            parked.attempts += 1
            decoded = self._decoder.decode(
                parked.record.value,
                key=parked.record.key,
                topic=parked.record.topic,
                partition=parked.record.partition,
                offset=parked.record.offset,
            )
            mapped = self.adapter.handle(decoded)
            waiting = [f for f in mapped.failures if f.retryable]
            if waiting and now - parked.since < self.policy.park_timeout_s:
                continue
            del self._parked[coords]
            self.counters.parked -= 1
            self.out.events.extend(mapped.events)
            self.counters.events += len(mapped.events)
            for failure in mapped.failures:
                self._dead(parked.record, failure, True)

    def flush(self) -> None:
        """Release everything held (gate, parked records as dead letters, the adapter's incomplete transactions).

        For the end of a finite replay, or a transaction that will never complete (see the module hazards).
        """
        if self._gate is not None:
            # one END at a time, each followed by what it left incomplete, so that transactions still come
            # out in source order (a stalled transaction before the complete ones queued behind it)
            for item in self._gate.force():
                self._release((item,))
                if self.adapter.pending():
                    self._flush_adapter()
        for parked in self._parked.values():
            self._retry_final(parked.record)
        self.counters.parked -= len(self._parked)
        self._parked.clear()
        self._flush_adapter()
        self._stalled_since = None
        self.prune()

    def _flush_adapter(self, transaction: str | None = None) -> None:
        mapped = self.adapter.flush(transaction)
        self.out.events.extend(mapped.events)
        self.counters.events += len(mapped.events)
        for failure in mapped.failures:
            culprit, _ = self._raw_of(failure.record, _NOWHERE, True)
            if culprit is not _NOWHERE:
                self._dead(culprit, failure, True)

    def _retry_final(self, record: SourceRecord) -> None:
        decoded = self._decoder.decode(
            record.value, key=record.key, topic=record.topic, partition=record.partition, offset=record.offset
        )
        mapped = self.adapter.handle(decoded)
        self.out.events.extend(mapped.events)
        self.counters.events += len(mapped.events)
        for failure in mapped.failures:
            self._dead(record, failure, True)

    def handle_alone(self, record: SourceRecord) -> None:
        """Map one record on its own, outside any transaction grouping (``dlq replay``); the same checks as
        :meth:`handle` apply."""
        value = record.value
        if value is not None and len(value) > self.policy.max_record_bytes:
            self._dead(record, OversizedRecordError(len(value), self.policy.max_record_bytes), True)
            return
        try:
            decoded = self._decoder.decode(
                value, key=record.key, topic=record.topic, partition=record.partition, offset=record.offset
            )
        except DecodeError as exc:
            self._dead(record, exc, True)
            return
        if isinstance(decoded, ChangeEvent):
            if decoded.key is None and self.policy.require_keys and decoded.op not in _NO_KEY_OPS:
                self._dead(record, MissingKeyError("row change without a record key", field="key"), True)
                return
            if decoded.transaction is not None:
                decoded = msgspec.structs.replace(decoded, transaction=None)
        mapped: Mapped = self.adapter.handle(decoded)
        self.out.events.extend(mapped.events)
        self.counters.events += len(mapped.events)
        for failure in mapped.failures:
            self._dead(record, failure, True)

    # -- saved state --------------------------------------------------------------------------------------------
    def save_state(self) -> bytes:
        """What a fresh normalizer of this route needs to go on from here as if it had handled every record so
        far: the adapter's lookups and the transactions recently completed. Only at a cut nothing straddles
        (:meth:`is_clean`, parked records aside: they are not consumed yet and are handled again)."""
        if not self.is_clean(count_parked=False):
            raise AdapterStateError(f"{self.system}: cannot save state while records are held")
        gate_done = [] if self._gate is None else self._gate.done_ids()
        return _state_encoder.encode(_SavedState(self.system, gate_done, self.adapter.save_state()))

    def load_state(self, data: bytes) -> None:
        """Go on from ``data`` of :meth:`save_state` (before handling anything); AdapterStateError if it is not a
        state of this system's normalizer."""
        try:
            saved = _state_decoder.decode(data)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise AdapterStateError(f"{self.system}: not a saved normalizer state ({exc})") from None
        if saved.system != self.system:
            raise AdapterStateError(f"{self.system}: the saved state is of system {saved.system!r}")
        self.adapter.load_state(saved.adapter)
        if self._gate is not None:
            self._gate.remember_done(saved.gate_done)

    def resume_from(self, data: bytes) -> str | None:
        """:meth:`load_state`, for a transport that goes on without a state that does not load: None when it
        loaded, else why not (the normalizer is then unchanged)."""
        try:
            self.load_state(data)
        except AdapterStateError as exc:
            return str(exc)
        return None

    # -- what is held -------------------------------------------------------------------------------------------
    def is_clean(self, count_parked: bool = True) -> bool:
        """Nothing held: every record handled so far is reflected in the output.

        ``count_parked=False`` ignores parked records, for a transport that treats them as not consumed yet
        (it stops their partition behind them and commits below them).
        """
        if count_parked and self._parked:
            return False
        return not (self._gate is not None and len(self._gate)) and not self.adapter.pending()

    def parked(self) -> dict[tuple[str, int], int]:
        """(topic, partition) -> the oldest parked offset."""
        oldest: dict[tuple[str, int], int] = {}
        for topic, partition, offset in self._parked:
            tp = (topic, partition)
            if tp not in oldest or offset < oldest[tp]:
                oldest[tp] = offset
        return oldest

    def held(self) -> dict[tuple[str, int], int]:
        """(topic, partition) -> the oldest offset handled but not yet reflected in any output."""
        oldest: dict[tuple[str, int], int] = {}

        def note(coords: Coordinates | None) -> None:
            if coords is None:
                return
            tp = (coords[0], coords[1])
            if tp not in oldest or coords[2] < oldest[tp]:
                oldest[tp] = coords[2]

        for ref in self.adapter.pending():
            note(coordinates_of(ref))
        if self._gate is not None:
            for _, record, _ in self._gate.held():
                note(record.coordinates)
        for coords in self._parked:
            note(coords)
        return oldest

    def open_transactions(self) -> set[str]:
        """Ids of the source transactions something is held for."""
        ids = set() if self._gate is None else self._gate.open_ids()
        for ref in self.adapter.pending():
            coords = coordinates_of(ref)
            tx = None if coords is None else self._txof.get(coords)
            if tx is not None:
                ids.add(tx)
        return ids

    def transaction_of(self, record: SourceRecord) -> str | None:
        """The source transaction ``record`` belongs to (None when it has none or does not decode). The decoded
        record is kept, by coordinates, for the :meth:`handle` of that record, however much later (a transport
        holding records back while it drains asks about each one first), or until :meth:`forget_ahead`."""
        try:
            decoded = self._decoder.decode(
                record.value,
                key=record.key,
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
            )
        except DecodeError:
            return None
        self._ahead[record.coordinates] = decoded
        if isinstance(decoded, ChangeEvent):
            return None if decoded.transaction is None else decoded.transaction.id
        if isinstance(decoded, TransactionEvent):
            return decoded.id
        return None

    def forget_ahead(self) -> None:
        """Drop what :meth:`transaction_of` decoded for records not handled since (those a transport left unread
        and will read again)."""
        self._ahead.clear()

    def prune(self) -> None:
        """Forget raw copies of records no longer held (call after a commit)."""
        if self.is_clean():
            self._raw.clear()
            self._txof.clear()
            return
        if len(self._raw) < 50_000:
            return
        keep: set[Coordinates] = set()
        for ref in self.adapter.pending():
            coords = coordinates_of(ref)
            if coords is not None:
                keep.add(coords)
        if self._gate is not None:
            keep.update(record.coordinates for _, record, _ in self._gate.held())
        self._raw = {c: v for c, v in self._raw.items() if c in keep}
        self._txof = {c: v for c, v in self._txof.items() if c in keep}


_NOWHERE = SourceRecord("", -1, -1, None, None)


class _SavedState(msgspec.Struct, array_like=True, tag="normalizer-state-v1"):
    system: str
    gate_done: list[str]
    adapter: bytes


_state_encoder = msgspec.msgpack.Encoder()
_state_decoder = msgspec.msgpack.Decoder(_SavedState)
