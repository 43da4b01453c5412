"""Live checks against a connector's source database, logged in as the connector's own capture user.

Each engine answers the same questions: is it reachable, do the captured tables exist and have a key, how many
rows would a snapshot read, and how long until the position the connector needs falls off the source (the
*retention runway*). Signals for ad-hoc snapshots are written here too, as the connector's user may do.

Hazards: row counts run ``count(*)`` on the live table (a full scan on engines without cheap counts); the
``--where`` condition a user gives is executed as SQL with the capture user's (read-only) privileges.
"""

from __future__ import annotations

import socket
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Literal

import sqlalchemy as sa
from pydantic import SecretStr
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError, NoSuchModuleError
from sqlalchemy.pool import NullPool

from connectors.exceptions import SourceLoginError, SourceQueryError, SourceUnreachableError
from connectors.problems import Problem
from connectors.spec import ConnectorSpec

RunwayStatus = Literal["ok", "warning", "critical", "lost", "unknown"]


@dataclass(frozen=True)
class TableFacts:
    name: str
    exists: bool
    #: column name -> its type as the catalog spells it (lower case)
    columns: dict[str, str] = field(default_factory=dict)
    primary_key: tuple[str, ...] = ()
    #: SQL Server only: the capture instance that feeds the connector (None: changes are not captured)
    capture_instance: str | None = None


@dataclass(frozen=True)
class Runway:
    """How far the source can move on before the connector's position is gone.

    ``runway_bytes``: WAL or binlog the source can still write before the position is discarded (PostgreSQL:
    the smaller of what ``max_slot_wal_keep_size`` still allows and the free disk). ``runway_seconds``: time
    until the needed binlog expires or CDC cleanup deletes the needed changes. None: unbounded or unknown
    (``detail`` says which).
    """

    engine: str
    position: str | None
    retained_bytes: int | None
    runway_bytes: int | None
    runway_seconds: float | None
    status: RunwayStatus
    detail: str


def classify(runway_bytes: int | None, runway_seconds: float | None) -> RunwayStatus:
    if (runway_bytes is not None and runway_bytes <= 0) or (
        runway_seconds is not None and runway_seconds <= 0
    ):
        return "lost"
    if (runway_bytes is not None and runway_bytes < 256 * 2**20) or (
        runway_seconds is not None and runway_seconds < 3600
    ):
        return "critical"
    if (runway_bytes is not None and runway_bytes < 2**30) or (
        runway_seconds is not None and runway_seconds < 86400
    ):
        return "warning"
    return "ok"


def is_character_type(sql_type: str) -> bool:
    return "char" in sql_type or "text" in sql_type


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class Source(ABC):
    """One source database, reached with the spec's connection and the resolved capture password."""

    driver: ClassVar[str] = ""
    query: ClassVar[Mapping[str, str]] = {}

    def __init__(self, spec: ConnectorSpec, password: SecretStr, timeout_s: float = 5.0) -> None:
        self.spec = spec
        self.timeout_s = timeout_s
        conn = spec.connection
        self._url = URL.create(
            self.driver,
            username=conn.user,
            password=password.get_secret_value(),
            host=conn.host,
            port=conn.port,
            database=conn.database,
            query=dict(self.query),
        )
        self._engine: Engine | None = None
        self._conn: Connection | None = None

    # -- connection ------------------------------------------------------------------------------------------
    def __enter__(self) -> Source:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _unreachable(self, reason: str, field: str = "connection.host") -> SourceUnreachableError:
        conn = self.spec.connection
        return SourceUnreachableError(self.spec.engine_title, conn.host, conn.port, reason, field)

    def ping(self) -> None:
        """Reach the server (TCP first, for a clear 'refused'), then log in as the capture user."""
        conn = self.spec.connection
        try:
            with socket.create_connection((conn.host, conn.port), timeout=self.timeout_s):
                pass
        except OSError as exc:
            field = "connection.port" if isinstance(exc, ConnectionRefusedError) else "connection.host"
            raise self._unreachable(exc.strerror or type(exc).__name__, field) from None
        self.connection()

    def connection(self) -> Connection:
        if self._conn is not None:
            return self._conn
        try:
            self._engine = sa.create_engine(
                self._url,
                poolclass=NullPool,
                isolation_level="AUTOCOMMIT",
                hide_parameters=True,
                connect_args=self.connect_args(),
            )
        except (NoSuchModuleError, ModuleNotFoundError) as exc:
            raise self._unreachable(f"no driver for {self.driver}: install it ({exc})") from None
        try:
            self._conn = self._engine.connect()
        except DBAPIError as exc:
            if self.login_refused(exc):
                raise SourceLoginError(
                    self.spec.engine_title, self.spec.connection.user, _first_line(exc)
                ) from None
            raise self._unreachable(_first_line(exc)) from None
        return self._conn

    def connect_args(self) -> dict[str, Any]:
        return {}

    @abstractmethod
    def login_refused(self, exc: DBAPIError) -> bool: ...

    # -- queries ---------------------------------------------------------------------------------------------
    @contextmanager
    def _query(self, what: str) -> Iterator[Connection]:
        conn = self.connection()
        try:
            yield conn
        except DBAPIError as exc:
            raise SourceQueryError(self.spec.engine_title, what, _first_line(exc)) from None

    def rows(self, what: str, sql: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        with self._query(what) as conn:
            return list(conn.execute(sa.text(sql), dict(params or {})).all())

    def scalar(self, what: str, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        with self._query(what) as conn:
            return conn.execute(sa.text(sql), dict(params or {})).scalar()

    @abstractmethod
    def quote(self, table: str) -> str:
        """``schema.table`` quoted for this engine."""

    @abstractmethod
    def table_facts(self, tables: Sequence[str]) -> dict[str, TableFacts]: ...

    def count_rows(self, table: str, where: str | None = None) -> int:
        """Rows a snapshot of ``table`` (optionally only those matching ``where``) would read."""
        sql = f"SELECT COUNT(*) FROM {self.quote(table)}" + (f" WHERE {where}" if where else "")
        return int(self.scalar(f"counting rows of {table}", sql))

    def write_signal(self, signal_id: str, signal_type: str, data: str) -> None:
        """Insert a signal row; the connector reads it from the change stream of the signal table."""
        sql = f"INSERT INTO {self.quote(self.spec.signal_table)} (id, type, data) VALUES (:i, :t, :d)"
        with self._query(f"writing a signal into {self.spec.signal_table}") as conn:
            conn.execute(sa.text(sql), {"i": signal_id, "t": signal_type, "d": data})

    @abstractmethod
    def server_problems(self, facts: Mapping[str, TableFacts]) -> list[Problem]:
        """Engine settings and objects the connector depends on (publication, binlog format, CDC), for the
        tables that exist (``facts`` from :meth:`table_facts`)."""

    @abstractmethod
    def runway(self, offset: Mapping[str, Any] | None, disk_path: Path | None) -> Runway:
        """The retention runway of the position in ``offset`` (the connector's stored source offset)."""
