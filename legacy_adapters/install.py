"""What every system's installer shares: the report of what it did, connections, and error translation.

Installers are idempotent: each object is looked up in the catalog first and created only when missing, so
a second run writes nothing (no catalog rows, no binlog or WAL records that a running connector would see as
schema changes). Passwords are compared with the stored verifier and reset only when they differ.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError, NoSuchModuleError
from sqlalchemy.pool import NullPool

from legacy_adapters.exceptions import (
    AccessDeniedError,
    DatabaseUnreachableError,
    MissingDriverError,
    SchemaApplyError,
)

Outcome = Literal["created", "updated", "present"]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Step:
    """One object the installer looked after, and what it had to do."""

    kind: str
    name: str
    outcome: Outcome
    detail: str = ""


@dataclass
class InitReport:
    """Everything one installer run looked after, in order."""

    system: str
    steps: list[Step] = field(default_factory=list)

    def add(self, kind: str, name: str, outcome: Outcome, detail: str = "") -> None:
        self.steps.append(Step(kind, name, outcome, detail))

    @property
    def changed(self) -> bool:
        return any(step.outcome != "present" for step in self.steps)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for step in self.steps if step.outcome == outcome)


def check_identifier(name: str) -> str:
    """Refuse a database or schema name that would need quoting (they are spliced into DDL)."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


def make_engine(url: URL, engine_title: str, **kwargs: Any) -> Engine:
    """An autocommit engine without a pool; bound parameters are hidden from error messages."""
    try:
        return sa.create_engine(
            url, poolclass=NullPool, isolation_level="AUTOCOMMIT", hide_parameters=True, **kwargs
        )
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise MissingDriverError(engine_title, url.drivername) from exc


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _connection_failure(exc: DBAPIError, url: URL, engine_title: str) -> Exception:
    """Turn a failed connect into 'not reachable' or 'login refused'; anything else stays a DBAPIError."""
    orig = exc.orig
    message = str(orig)
    code = orig.args[0] if orig is not None and orig.args and isinstance(orig.args[0], int) else None
    host, port = url.host or "localhost", url.port
    denied = code == 1045 or "password authentication failed" in message or "no pg_hba.conf entry" in message
    if denied:
        return AccessDeniedError(engine_title, host, port, url.username or "")
    if code in (2002, 2003, 2006, 2013) or code is None:
        return DatabaseUnreachableError(engine_title, host, port, _first_line(exc))
    return exc


@contextmanager
def connect(engine: Engine, engine_title: str) -> Iterator[Connection]:
    """A connection, with 'cannot connect' turned into :class:`DatabaseUnreachableError` / AccessDeniedError."""
    try:
        conn = engine.connect()
    except DBAPIError as exc:
        raise _connection_failure(exc, engine.url, engine_title) from None
    try:
        yield conn
    finally:
        conn.close()


def run(conn: Connection, system: str, step: str, sql: str, params: Mapping[str, Any] | None = None) -> None:
    """Execute one statement; a refusal becomes :class:`SchemaApplyError` naming ``step`` (never the SQL)."""
    try:
        if params:
            conn.execute(sa.text(sql), dict(params))
        else:
            conn.exec_driver_sql(sql)
    except DBAPIError as exc:
        raise SchemaApplyError(system, step, _first_line(exc)) from None


def scalar(
    conn: Connection, system: str, step: str, sql: str, params: Mapping[str, Any] | None = None
) -> Any:
    """The first column of the first row (None when there is no row); errors as in :func:`run`."""
    try:
        return conn.execute(sa.text(sql), dict(params or {})).scalar()
    except DBAPIError as exc:
        raise SchemaApplyError(system, step, _first_line(exc)) from None


def rows(
    conn: Connection, system: str, step: str, sql: str, params: Mapping[str, Any] | None = None
) -> list[Any]:
    """All rows of a catalog query; errors as in :func:`run`."""
    try:
        return list(conn.execute(sa.text(sql), dict(params or {})).all())
    except DBAPIError as exc:
        raise SchemaApplyError(system, step, _first_line(exc)) from None
