"""SQLAlchemy table clauses of the legacy tables, built from the legacy systems' own DDL files.

The simulator names columns through these clauses, so a column it writes that the DDL lacks fails at once
(``AttributeError`` on ``table.c.NAME``) instead of at the database. Column types are mapped to SQLAlchemy's
generic types, so comparisons bind with the right cast and statements render in any dialect (the CRM's T-SQL is
compiled without a server); jsonb and array values go to the driver as they are.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlglot import exp

from legacy_adapters.ddl import created_table, load_statements, parse_statement
from legacy_adapters.registry import get_system


def _sa_type(name: str) -> sa.types.TypeEngine[Any] | None:
    """The SQLAlchemy type of a DDL type (by sqlglot's type name); None leaves the value to the driver."""
    if name == "UUID":
        return sa.Uuid(as_uuid=False)
    if name == "TIMESTAMPTZ":
        return sa.DateTime(timezone=True)
    if name in ("DATETIME", "DATETIME2"):
        return sa.DateTime()
    if name == "DATE":
        return sa.Date()
    if name == "BIT":
        return sa.Boolean()
    if name.endswith("INT"):
        return sa.Integer()
    if name in ("DECIMAL", "MONEY"):
        return sa.Numeric(asdecimal=True)
    if name in ("NVARCHAR", "NCHAR"):
        return sa.Unicode()
    if name in ("VARCHAR", "CHAR", "TEXT"):
        return sa.String()
    return None  # jsonb, arrays, binary, rowversion: as the driver adapts them


def _column(definition: exp.ColumnDef) -> sa.ColumnClause[Any]:
    kind = definition.args.get("kind")
    type_ = _sa_type(kind.this.name) if isinstance(kind, exp.DataType) else None
    return sa.column(definition.name, type_) if type_ is not None else sa.column(definition.name)


@cache
def tables(system_name: str) -> dict[str, sa.TableClause]:
    """The system's tables keyed by name (``ORD_HDR``, ``resale.listing``, ``dbo.Customer``), signal table excluded."""
    system = get_system(system_name)
    signal = system.signal_table.split(".")[-1]
    found: dict[str, sa.TableClause] = {}
    for statement in load_statements(system):
        parsed = parse_statement(statement, system.dialect)
        table = created_table(parsed)
        if table is None or table.name == signal:
            continue
        columns = [_column(col) for col in parsed.find_all(exp.ColumnDef)]
        schema = table.db or None
        clause = sa.table(table.name, *columns, schema=schema)
        found[f"{schema}.{table.name}" if schema else table.name] = clause
    return found


def table(system_name: str, name: str) -> sa.TableClause:
    """One table of :func:`tables`; ``KeyError`` names the system's tables when ``name`` is not among them."""
    known = tables(system_name)
    try:
        return known[name]
    except KeyError:
        raise KeyError(f"{system_name} has no table {name!r} (it has {', '.join(known)})") from None
