"""What every writer shares: the map from plan keys to database ids, connections, and turning driver errors
into the simulator's errors.

A writer executes one operation as one transaction on its system and returns the rows it changed per table. It
keeps one connection open for the whole run (no pool, no ORM).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, CursorResult
from sqlalchemy.exc import DBAPIError, NoSuchModuleError
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.compiler import SQLCompiler

from simulator.exceptions import (
    DatabaseUnavailableError,
    MissingDriverError,
    NotInitialisedError,
    PlanDivergedError,
    WriteFailedError,
)
from simulator.operations import Op, System, kind

#: rows changed per table by one operation
Rows = Counter[str]
#: a writer's handler of one operation type: runs the statements on the connection, returns the rows changed
Handler = Callable[[Connection, Any], Rows]

# server error codes that mean "no such database" (MariaDB 1049) or "cannot reach / log in"
_UNKNOWN_DATABASE = (1049,)
_UNREACHABLE = (1045, 2002, 2003, 2006, 2013)


@dataclass
class Ids:
    """Database-assigned ids of this run's rows, keyed by the plan's keys (filled by the box-office writer)."""

    venues: dict[str, int] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)
    orders: dict[str, int] = field(default_factory=dict)

    def event_ref(self, event_key: str) -> str:
        """How pricing and the CRM name a box-office event: ``'BO-<EVT_ID>'``."""
        return f"BO-{self.events[event_key]}"


def first_line(exc: BaseException) -> str:
    """The driver's message without SQL or parameters."""
    orig = getattr(exc, "orig", None) or exc
    args: tuple[Any, ...] = getattr(orig, "args", ())
    if len(args) == 1 and isinstance(args[0], tuple):  # pymssql nests (code, message)
        args = args[0]
    # pymysql and pymssql give (code, message); pymssql's message is bytes under a "DB-Lib" heading
    raw = args[1] if len(args) >= 2 and isinstance(args[1], bytes | str) else str(orig)
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
    lines = [
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("DB-Lib error")
    ]
    return lines[0] if lines else type(exc).__name__


def open_connection(url: URL, system: str, engine_title: str, **kwargs: Any) -> Connection:
    """One long-lived connection (no pool); failures become :class:`DatabaseUnavailableError`,
    :class:`NotInitialisedError` (the database does not exist) or :class:`MissingDriverError`."""
    try:
        engine = sa.create_engine(url, poolclass=NullPool, hide_parameters=True, **kwargs)
    except (NoSuchModuleError, ImportError):
        raise MissingDriverError(system, url.drivername) from None
    try:
        return engine.connect()
    except DBAPIError as exc:
        message = first_line(exc)
        code = exc.orig.args[0] if exc.orig is not None and exc.orig.args else None
        if code in _UNKNOWN_DATABASE or (
            url.database and f'database "{url.database}" does not exist' in message
        ):
            raise NotInitialisedError(system, url.database or "", ()) from None
        where = f"{url.host}:{url.port}" if url.port else str(url.host)
        raise DatabaseUnavailableError(system, engine_title, where, message) from None


@dataclass(frozen=True)
class Prepared:
    """Driver SQL compiled once, and the values of the literals the statement was built with."""

    sql: str
    fixed: dict[str, Any]


def bound(columns: Sequence[str]) -> dict[str, sa.BindParameter[Any]]:
    """``{column: bindparam(column)}``: the VALUES of a statement compiled once and executed many times."""
    return {name: sa.bindparam(name) for name in columns}


class Writer:
    """Base of the writers: dispatch by operation type, one transaction per operation, row-count checks.

    Statements are SQLAlchemy Core built from the DDL's tables, compiled once for the connection's dialect
    (:meth:`compile`) and executed as driver SQL (:meth:`run`): building and compiling a statement per call costs
    more than the round trip.
    """

    system: System

    def __init__(self, conn: Connection, ids: Ids) -> None:
        self.conn = conn
        self.ids = ids
        self.handlers: dict[type[Op], Handler] = {}
        self._seq = 0
        self._kind = ""
        self._in_lists: dict[tuple[str, int], Prepared] = {}

    def compile(self, stmt: sa.ClauseElement) -> Prepared:
        """``stmt`` compiled for this connection's dialect; its named bind parameters are filled by :meth:`run`."""
        compiled = stmt.compile(dialect=self.conn.dialect)
        assert isinstance(compiled, SQLCompiler)
        fixed = {name: bind.value for name, bind in compiled.binds.items() if not bind.required}
        return Prepared(str(compiled), fixed)

    def compile_in(
        self, key: str, count: int, build: Callable[[list[sa.BindParameter[Any]]], sa.ClauseElement]
    ) -> Prepared:
        """A statement with an ``IN`` list of ``count`` parameters ``id0``.., compiled once per list size."""
        cache_key = (key, count)
        prepared = self._in_lists.get(cache_key)
        if prepared is None:
            prepared = self._in_lists[cache_key] = self.compile(
                build([sa.bindparam(f"id{i}") for i in range(count)])
            )
        return prepared

    def run(
        self, prepared: Prepared, params: Mapping[str, Any] | Sequence[Mapping[str, Any]]
    ) -> CursorResult[*tuple[Any, ...]]:
        """Execute a prepared statement (one parameter set, or many as one ``executemany``) in the open transaction."""
        if isinstance(params, Mapping):
            return self.conn.exec_driver_sql(prepared.sql, {**prepared.fixed, **params})
        return self.conn.exec_driver_sql(prepared.sql, [{**prepared.fixed, **row} for row in params])

    def handles(self, op: Op) -> bool:
        return type(op) in self.handlers

    def write(self, seq: int, op: Op) -> Rows:
        """Execute ``op`` as one transaction; roll back and raise :class:`WriteFailedError` if it fails."""
        self._seq, self._kind = seq, kind(op)
        handler = self.handlers[type(op)]
        try:
            with self.conn.begin():
                return handler(self.conn, op)
        except DBAPIError as exc:
            raise WriteFailedError(
                self.system, seq, self._kind, first_line(exc), exc.connection_invalidated
            ) from None

    def expect(self, table: str, expected: int, actual: int) -> int:
        """Check that a statement changed (or found) the rows the plan expects (raises :class:`PlanDivergedError`)."""
        if actual != expected:
            raise PlanDivergedError(self.system, self._seq, self._kind, table, expected, actual)
        return expected

    def close(self) -> None:
        """Close the connection (nothing is pending: every operation committed or rolled back)."""
        engine = self.conn.engine
        self.conn.close()
        engine.dispose()


@contextmanager
def closing_all(writers: list[Writer]) -> Iterator[list[Writer]]:
    """Close every writer at the end, even when one fails to close."""
    try:
        yield writers
    finally:
        for writer in writers:
            with suppress(DBAPIError):
                writer.close()
