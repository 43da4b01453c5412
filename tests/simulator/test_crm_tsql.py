"""The CRM writer's statements are valid T-SQL for the CRM's tables: compiled with SQLAlchemy's SQL Server
dialect and parsed by sqlglot's T-SQL grammar, no server needed."""

from __future__ import annotations

import itertools
from functools import cache

import pytest
import sqlglot
from sqlalchemy.dialects import mssql
from sqlglot import exp

from legacy_adapters.ddl import created_table, load_statements, parse_statement
from legacy_adapters.registry import get_system
from simulator.operations import CreateCustomer, FileChargeback, GrantPresale, Op
from simulator.plan import Plan
from simulator.scenarios import SCENARIOS
from simulator.writers.base import Ids
from simulator.writers.crm import CrmStatements


def _crm_columns() -> dict[str, set[str]]:
    system = get_system("crm")
    columns: dict[str, set[str]] = {}
    for statement in load_statements(system):
        parsed = parse_statement(statement, system.dialect)
        table = created_table(parsed)
        if table is not None:
            columns[table.name] = {col.name for col in parsed.find_all(exp.ColumnDef)}
    return columns


@cache
def _crm_ops() -> list[Op]:
    ops = itertools.islice(Plan(SCENARIOS["onsale"], 8, "ABCDEF01"), 6000)
    return [op for op in ops if isinstance(op, CreateCustomer | GrantPresale | FileChargeback)]


def _statements() -> tuple[CrmStatements, list[object]]:
    ops = _crm_ops()
    statements = CrmStatements(Ids(events={getattr(op, "event_key", ""): 1042 for op in ops}))
    return statements, [*statements.ensure_tiers(), *(s for op in ops for s in statements.for_op(op))]


def test_every_crm_operation_kind_is_covered() -> None:
    kinds = {type(op) for op in _crm_ops()}
    assert kinds == {CreateCustomer, GrantPresale, FileChargeback}


@pytest.mark.parametrize("literal", [False, True], ids=["bound", "literal"])
def test_statements_compile_to_tsql_that_parses(literal: bool) -> None:
    columns = _crm_columns()
    _, statements = _statements()
    seen = set()
    for stmt in statements:
        compiled = stmt.compile(dialect=mssql.dialect(), compile_kwargs={"literal_binds": literal})  # type: ignore[attr-defined]
        sql = str(compiled)
        if not literal:
            sql = sql.replace(":", "@")  # SQL Server's parameter markers
        parsed = sqlglot.parse_one(sql, read="tsql", error_level=sqlglot.ErrorLevel.RAISE)
        insert = parsed if isinstance(parsed, exp.Insert) else parsed.find(exp.Insert)
        assert insert is not None, sql
        target = insert.this
        table = target.this if isinstance(target, exp.Schema) else target
        assert isinstance(table, exp.Table) and table.db == "dbo", sql
        written = {c.name for c in target.expressions} if isinstance(target, exp.Schema) else set()
        assert written and written <= columns[table.name], (table.name, written - columns[table.name])
        seen.add(table.name)
    assert seen == {"Customer", "FanClubTier", "PresaleGrant", "Chargeback"}


def test_tsql_quirks_are_rendered() -> None:
    """nvarchar text as N'...', bit flags as 1/0, datetime2 as UTC text, GUIDs as strings, money with decimals."""
    statements, _ = _statements()
    ops = _crm_ops()
    customer = next(op for op in ops if isinstance(op, CreateCustomer))
    chargeback = next(op for op in ops if isinstance(op, FileChargeback) and op.account_id)

    def literal(op: Op) -> str:
        (stmt,) = statements.for_op(op)
        return str(stmt.compile(dialect=mssql.dialect(), compile_kwargs={"literal_binds": True}))

    sql = literal(customer)
    assert f"N'{customer.email}'" in sql and f"'{customer.account_id}'" in sql
    assert customer.at.strftime("'%Y-%m-%d %H:%M:%S") in sql
    sql = literal(chargeback)
    assert f"{chargeback.amount / 100:.2f}" in sql and ("1," in sql if chargeback.fraud else "0,")
    assert "INSERT INTO dbo.[Chargeback]" in sql


def test_a_walk_up_chargeback_has_nothing_for_the_crm() -> None:
    statements, _ = _statements()
    ops = _crm_ops()
    template = next(op for op in ops if isinstance(op, FileChargeback))
    walk_up = FileChargeback(
        **{**{f: getattr(template, f) for f in template.__struct_fields__}, "account_id": None}
    )
    assert statements.for_op(walk_up) == []
