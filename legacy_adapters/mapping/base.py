"""The adapter skeleton every legacy system shares: routing, schema checks, transactions, error capture.

A system's adapter subclasses :class:`LegacyAdapter`, lists its :class:`~legacy_adapters.mapping.tables.TableSpec`
and implements :meth:`LegacyAdapter.map_unit`, which turns a *unit* into events: one change, or (when the
adapter groups by transaction) all changes of one source transaction in source order. Everything a mapping
raises as a :class:`~pipelines.mapping.MappingError` or a contract error ends up, located, in
:attr:`~pipelines.mapping.Mapped.failures`; the other changes of the unit are still mapped.

Tables listed as ignored (Debezium's signal table, tables whose rows the contract has no event for) are
accepted and produce nothing; any other table is an :class:`~pipelines.mapping.UnknownTableError`.

State: :meth:`LegacyAdapter.save_state` and :meth:`LegacyAdapter.load_state` carry the memory of completed
transactions themselves and ask the subclass for the rest (:meth:`LegacyAdapter.save_lookups`,
:meth:`LegacyAdapter.load_lookups`): everything it remembers across changes belongs there, or a restarted
adapter maps differently. The format is in :mod:`legacy_adapters.mapping.snapshot`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import ClassVar

import msgspec

from legacy_adapters.mapping.snapshot import collector_paused, decode_state, encode_lookups, encode_state
from legacy_adapters.mapping.tables import SchemaGuard, TableSpec, name_of, table_name
from legacy_adapters.mapping.transactions import TransactionBuffer
from pipelines.canonical import CanonicalError
from pipelines.debezium import (
    ChangeEvent,
    DebeziumRecord,
    Op,
    RecordRef,
    TableId,
    TransactionEvent,
    UndecodedChange,
)
from pipelines.mapping import AdapterStateError, InvalidValueError, Mapped, MappingError, UnknownTableError


class LegacyAdapter:
    """Base of the legacy systems' adapters (implements :class:`pipelines.mapping.Adapter`)."""

    system: str
    tables: frozenset[str]
    needs_transactions: bool
    STATE_VERSION: ClassVar[int]
    """The version of what :meth:`save_lookups` writes: raise it whenever that changes shape or meaning, and
    add the version it replaces to :attr:`STATE_MIGRATIONS`."""
    STATE_MIGRATIONS: ClassVar[Mapping[int, Callable[[msgspec.Raw], object]]] = {}
    """Older state versions it still loads: version -> a function from that version's encoded lookups to what
    :meth:`save_lookups` returns now (a msgspec error when they do not fit), so an upgrade keeps its memory."""

    def __init__(
        self,
        *,
        system: str,
        specs: Sequence[TableSpec],
        ignored: Iterable[str] = (),
        with_schema: bool,
        group_transactions: bool,
    ) -> None:
        self.system = system
        self.specs = {s.name: s for s in specs}
        self.tables = frozenset(self.specs)
        self.needs_transactions = group_transactions
        self._ignored = frozenset(ignored)
        self._with_schema = with_schema
        self._guards = {name: SchemaGuard(spec) for name, spec in self.specs.items()}
        self._parts = 2 if with_schema else 1
        self._buffer = TransactionBuffer(self._collection_table) if group_transactions else None

    # -- the Adapter protocol ----------------------------------------------------------------------------------
    def handle(self, record: DebeziumRecord) -> Mapped:
        """Map one decoded record; see :class:`pipelines.mapping.Adapter`."""
        if isinstance(record, ChangeEvent):
            return self._change(record)
        if isinstance(record, TransactionEvent) and self._buffer is not None:
            unit = self._buffer.end(record)
            return Mapped() if not unit else self.map_checked(unit)
        if isinstance(record, UndecodedChange) and self._buffer is not None:
            # a change of a transaction that failed before mapping: its transaction completes without it
            name = table_name(record, self._with_schema)
            unit = self._buffer.count(record, name) if name in self.specs else None
            return Mapped() if not unit else self.map_checked(unit)
        return Mapped()  # tombstones, heartbeats, schema changes: nothing to map

    def columns_read(self, table: TableId) -> frozenset[str] | None:
        """The row columns its mapping of ``table`` reads (its :class:`TableSpec`'s), None for a table it does
        not map: a decoder may leave the others out of the changes it hands over."""
        spec = self.specs.get(name_of(table, self._with_schema))
        return None if spec is None else frozenset(spec.columns)

    def flush(self, transaction: str | None = None) -> Mapped:
        """Map every incomplete transaction (or only ``transaction``) as it is."""
        out = Mapped()
        if self._buffer is not None:
            for unit in self._buffer.drain(transaction):
                out.extend(self.map_checked(unit))
        return out

    def pending(self) -> tuple[RecordRef, ...]:
        """Records held in incomplete transactions."""
        return () if self._buffer is None else self._buffer.pending()

    def save_state(self) -> bytes:
        """Its lookups and completed-transaction memory; AdapterStateError while transactions are held."""
        completed: list[str] = []
        if self._buffer is not None:
            if held := len(self._buffer):
                raise AdapterStateError(
                    f"{self.system}: cannot save state while {held} source transaction(s) are incomplete"
                )
            completed = self._buffer.completed()
        return encode_state(self.system, self.STATE_VERSION, completed, self.save_lookups())

    def load_state(self, data: bytes) -> None:
        """Replace its lookups and completed-transaction memory with ``data`` from :meth:`save_state` of an
        adapter of the same system, at its state version or an older one it migrates; AdapterStateError, the
        adapter unchanged, otherwise."""
        envelope = decode_state(data, self.system, self.STATE_VERSION, self.STATE_MIGRATIONS)
        if self._buffer is None and envelope.completed:
            raise AdapterStateError(
                f"{self.system}: malformed adapter state: completed transactions it never groups"
            )
        try:
            with collector_paused():
                lookups = envelope.lookups
                if envelope.version != self.STATE_VERSION:
                    lookups = msgspec.Raw(encode_lookups(self.STATE_MIGRATIONS[envelope.version](lookups)))
                self.load_lookups(lookups)
        except msgspec.MsgspecError as exc:
            raise AdapterStateError(f"{self.system}: malformed adapter state: {exc}") from None
        if self._buffer is not None:
            self._buffer.remember(envelope.completed)

    # -- for subclasses ----------------------------------------------------------------------------------------
    def save_lookups(self) -> object:
        """Everything it remembers across changes, as a msgspec-encodable value (bounded lookups as pairs)."""
        raise NotImplementedError

    def load_lookups(self, raw: msgspec.Raw) -> None:
        """Replace its lookups with ``raw`` (what :meth:`save_lookups` wrote), decoded with
        :func:`~legacy_adapters.mapping.snapshot.decode_lookups`: decode all of it before changing anything, so
        that a msgspec error leaves the adapter as it was."""
        raise NotImplementedError

    def map_unit(self, changes: list[ChangeEvent], out: Mapped) -> None:
        """Append the events (and failures) of ``changes`` to ``out``; one change, or one whole transaction."""
        raise NotImplementedError

    def fail(self, out: Mapped, change: ChangeEvent, error: MappingError | CanonicalError) -> None:
        """Record ``error`` about ``change`` in ``out`` (contract errors become :class:`InvalidValueError`)."""
        if not isinstance(error, MappingError):
            error = InvalidValueError(str(error))
        out.failures.append(error.locate(change, self.system))

    def name_of(self, change: ChangeEvent) -> str:
        """The adapter's name for the change's table."""
        return table_name(change, self._with_schema)

    # -- internals ---------------------------------------------------------------------------------------------
    def _change(self, change: ChangeEvent) -> Mapped:
        name = table_name(change, self._with_schema)
        guard = self._guards.get(name)
        if guard is None:
            if name in self._ignored:
                return Mapped()
            error = UnknownTableError(
                f"no mapping for table {name}; mapped: {', '.join(sorted(self.tables))}"
            )
            return Mapped(failures=[error.locate(change, self.system)])
        op = change.op
        if op is Op.MESSAGE:
            return Mapped()
        failure: MappingError | None
        if op is Op.TRUNCATE:
            failure = InvalidValueError(f"TRUNCATE of {name} has no canonical meaning: re-snapshot the table")
        else:
            failure = guard.check(change)
        if self._buffer is not None and change.transaction is not None:
            # counted even when it failed, or its transaction would wait for it forever
            unit = self._buffer.add(change, name, keep=failure is None)
            out = Mapped() if failure is None else Mapped(failures=[failure.locate(change, self.system)])
            if unit:
                self.map_unit(unit, out)
            return out
        if failure is not None:
            return Mapped(failures=[failure.locate(change, self.system)])
        out = Mapped()
        self.map_unit([change], out)
        return out

    def map_checked(self, unit: list[ChangeEvent]) -> Mapped:
        """Map a unit whose changes passed the table and schema checks."""
        out = Mapped()
        self.map_unit(unit, out)
        return out

    def _collection_table(self, data_collection: str) -> str | None:
        name = ".".join(data_collection.split(".")[-self._parts :])
        return name if name in self.specs else None
