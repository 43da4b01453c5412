"""Loading a legacy system's DDL as a list of SQL statements.

Statements are split with sqlglot's tokenizer for the system's dialect, so semicolons inside strings and
comments are safe; T-SQL files are first cut into batches at ``GO`` lines. Leading comments are dropped,
comments inside a statement are kept. The simulator may import this module (DDL only).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from legacy_adapters.exceptions import DdlError
from legacy_adapters.system import LegacySystem

_GO_LINE = re.compile(r"^[ \t]*GO[ \t]*(?:--[^\n]*)?$", re.IGNORECASE | re.MULTILINE)


def split_batches(sql: str) -> list[str]:
    """Cut a T-SQL script at ``GO`` lines (a client-side separator that the server never sees)."""
    return [batch for batch in _GO_LINE.split(sql) if batch.strip()]


def split_statements(sql: str, dialect: str) -> list[str]:
    """Split ``sql`` into statements (without their terminating semicolon); GO batches first for T-SQL.

    Raises ``sqlglot.errors.TokenError`` on text that cannot be tokenized (an unterminated string).
    """
    batches = split_batches(sql) if dialect == "tsql" else [sql]
    tokenizer = sqlglot.Dialect.get_or_raise(dialect)
    statements: list[str] = []
    for batch in batches:
        start: int | None = None
        end = 0
        for token in tokenizer.tokenize(batch):
            if token.token_type == TokenType.SEMICOLON:
                if start is not None:
                    statements.append(batch[start : end + 1])
                start = None
                continue
            if start is None:
                start = token.start
            end = token.end
        if start is not None:
            statements.append(batch[start : end + 1])
    return statements


@cache
def _load(system: LegacySystem) -> tuple[str, ...]:
    try:
        text = resources.files(system.package).joinpath(system.ddl_resource).read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError) as exc:
        raise DdlError(system.name, system.ddl_resource, f"not found ({exc})") from None
    try:
        statements = tuple(split_statements(text, system.dialect))
    except TokenError as exc:
        raise DdlError(system.name, system.ddl_resource, str(exc).splitlines()[0]) from None
    if not statements:
        raise DdlError(system.name, system.ddl_resource, "it holds no statements")
    return statements


def load_statements(system: LegacySystem) -> list[str]:
    """The system's DDL statements, in order. Re-running them is safe: each creates only what is missing."""
    return list(_load(system))


@contextmanager
def _quiet_sqlglot() -> Iterator[None]:
    """sqlglot logs a warning for each statement it keeps as a Command; callers decide, so keep it quiet."""
    logger = logging.getLogger("sqlglot")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)


def parse_statement(statement: str, dialect: str) -> exp.Expr:
    """Parse one statement strictly; ``sqlglot.errors.ParseError`` if the dialect's grammar refuses it.

    sqlglot keeps statements it has no grammar for (CREATE LOGIN, GRANT ... ON SCHEMA::) as
    :class:`sqlglot.exp.Command`; callers decide whether that is acceptable.
    """
    with _quiet_sqlglot():
        parsed = sqlglot.parse(statement, read=dialect, error_level=sqlglot.ErrorLevel.RAISE)
    if len(parsed) != 1 or parsed[0] is None:
        raise ParseError(f"expected one statement, got {len(parsed)}")
    return parsed[0]


def created_table(statement: exp.Expr) -> exp.Table | None:
    """The table a ``CREATE TABLE`` statement creates (also inside a T-SQL ``IF ... CREATE TABLE``)."""
    for create in statement.find_all(exp.Create):
        if str(create.args.get("kind", "")).upper() == "TABLE":
            target = create.this
            table = target.this if isinstance(target, exp.Schema) else target
            if isinstance(table, exp.Table):
                return table
    return None


@dataclass(frozen=True)
class Column:
    """A column as the DDL declares it. ``generated``: the server fills it (default, identity, rowversion)."""

    name: str
    type: str
    nullable: bool
    generated: bool


@dataclass(frozen=True)
class TableDef:
    """A table of a system's DDL, named as the DDL names it ('VENUE', 'pricing.price_level', 'dbo.Customer')."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


_GENERATED = (
    exp.DefaultColumnConstraint,
    exp.AutoIncrementColumnConstraint,
    exp.GeneratedAsIdentityColumnConstraint,
)


def _primary_key(schema: exp.Schema) -> tuple[str, ...]:
    for item in schema.expressions:
        if isinstance(item, exp.ColumnDef) and any(
            isinstance(c.kind, exp.PrimaryKeyColumnConstraint) for c in item.constraints
        ):
            return (item.name,)
        key = item if isinstance(item, exp.PrimaryKey) else item.find(exp.PrimaryKey)
        if key is not None:
            return tuple(part.name for part in key.expressions)
        # T-SQL: CONSTRAINT PK_x PRIMARY KEY CLUSTERED (a, b)
        if isinstance(item, exp.Constraint) and item.find(exp.PrimaryKeyColumnConstraint) is not None:
            clustered = item.find(exp.ClusteredColumnConstraint)
            if clustered is not None:
                return tuple(part.this.name for part in clustered.this)
    return ()


def _table_def(statement: exp.Expr, dialect: str) -> TableDef | None:
    table = created_table(statement)
    if table is None:
        return None
    schema = next(
        create.this for create in statement.find_all(exp.Create) if isinstance(create.this, exp.Schema)
    )
    key = _primary_key(schema)
    columns = []
    for item in schema.expressions:
        if not isinstance(item, exp.ColumnDef):
            continue
        kinds = [c.kind for c in item.constraints]
        not_null = any(
            isinstance(k, exp.NotNullColumnConstraint) and not k.args.get("allow_null") for k in kinds
        )
        type_sql = item.args["kind"].sql(dialect) if item.args.get("kind") else ""
        generated = any(isinstance(k, _GENERATED) for k in kinds) or type_sql.upper() == "ROWVERSION"
        columns.append(
            Column(item.name, type_sql, nullable=not (not_null or item.name in key), generated=generated)
        )
    name = f"{table.db}.{table.name}" if table.db else table.name
    return TableDef(name, tuple(columns), key)


def describe_tables(system: LegacySystem) -> dict[str, TableDef]:
    """The tables the system's DDL creates, with their columns and primary keys, read from the DDL itself."""
    tables: dict[str, TableDef] = {}
    for statement in load_statements(system):
        table = _table_def(parse_statement(statement, system.dialect), system.dialect)
        if table is not None:
            tables[table.name] = table
    return tables
