"""The three legacy systems' DDL: it loads, splits, parses in its dialect, and matches the registry."""

from __future__ import annotations

import re

import pytest
from pydantic import SecretStr
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from legacy_adapters import crm
from legacy_adapters.crm.install import render
from legacy_adapters.ddl import describe_tables, load_statements, parse_statement, split_statements
from legacy_adapters.exceptions import UnknownSystemError
from legacy_adapters.registry import SYSTEMS, get_system

#: statements sqlglot has no grammar for and keeps as a generic Command: security statements only
COMMAND_ALLOWED = re.compile(
    r"^(CREATE LOGIN|ALTER LOGIN|CREATE USER|CREATE ROLE|ALTER ROLE|GRANT SELECT ON SCHEMA::|GRANT VIEW SERVER STATE"
    r"|ALTER TABLE [\w.]+ REPLICA IDENTITY FULL)",
    re.IGNORECASE,
)


def _commands(statement: exp.Expr) -> list[str]:
    found = [statement] if isinstance(statement, exp.Command) else []
    found += list(statement.find_all(exp.Command))
    texts = [
        f"{c.this} {c.expression.sql() if isinstance(c.expression, exp.Expression) else c.expression}"
        for c in found
    ]
    return [" ".join(text.split()) for text in texts]


@pytest.mark.parametrize("name", list(SYSTEMS))
def test_every_statement_parses_in_its_dialect(name: str) -> None:
    system = SYSTEMS[name]
    statements = load_statements(system)
    assert statements, "no statements"
    for statement in statements:
        parsed = parse_statement(statement, system.dialect)  # raises ParseError on anything malformed
        for command in _commands(parsed):
            assert COMMAND_ALLOWED.match(command), f"kept as an unparsed Command: {command[:80]}"


@pytest.mark.parametrize("name", list(SYSTEMS))
def test_ddl_creates_exactly_the_captured_tables_each_with_a_primary_key(name: str) -> None:
    system = SYSTEMS[name]
    tables = describe_tables(system)
    qualify = (lambda t: f"{system.database}.{t}") if system.engine == "mariadb" else (lambda t: t)
    assert sorted(qualify(t) for t in tables) == sorted(system.captured_tables)
    assert system.signal_table in system.captured_tables
    for table in tables.values():
        assert table.primary_key, f"{table.name} has no primary key"
        for column in table.primary_key:
            assert not table.column(column).nullable


@pytest.mark.parametrize(
    "broken",
    [
        "IF OBJECT_ID(N'dbo.X', N'U') IS NULL CREATE TABLE dbo.X (a INT NOT NULL",
        "CREATE TABLE dbo.X (a INT NOT NULL b INT)",
        "CREATE TABLE dbo.X (a INT NOT NULL) )",
        "EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = ",
        "SELEC 1",
        "CREATE TABLE dbo.X (a NVARCHAR(10) DEFAULT N'unterminated)",
    ],
)
def test_a_broken_tsql_statement_is_refused(broken: str) -> None:
    with pytest.raises((ParseError, TokenError)):
        parse_statement(broken, "tsql")


def test_a_damaged_copy_of_the_real_crm_ddl_is_refused() -> None:
    customer = next(s for s in load_statements(crm.SYSTEM) if "CREATE TABLE dbo.Customer" in s)
    parse_statement(customer, "tsql")
    damaged = customer.replace(
        "CONSTRAINT PK_Customer PRIMARY KEY CLUSTERED (CustomerId)", "CONSTRAINT PK_Customer ("
    )
    with pytest.raises(ParseError):
        parse_statement(damaged, "tsql")


def test_tsql_batches_split_at_go_lines_only() -> None:
    script = "SELECT 1;\nGO\nSELECT 2\n  go  -- end of batch\nSELECT 'GOTO'; SELECT 3\nGO\n"
    assert split_statements(script, "tsql") == ["SELECT 1", "SELECT 2", "SELECT 'GOTO'", "SELECT 3"]


def test_semicolons_inside_strings_and_comments_do_not_split() -> None:
    sql = "-- a; comment\nINSERT INTO t VALUES ('a;b'); /* c; */ SELECT 1"
    assert split_statements(sql, "mysql") == ["INSERT INTO t VALUES ('a;b')", "SELECT 1"]


def test_crm_enables_cdc_on_the_database_then_on_every_captured_table() -> None:
    statements = [" ".join(s.split()) for s in load_statements(crm.SYSTEM)]
    enable_db = statements.index("EXEC sys.sp_cdc_enable_db")
    enabled = {}
    for position, statement in enumerate(statements):
        if statement.startswith("EXEC sys.sp_cdc_enable_table"):
            assert position > enable_db
            args = dict(re.findall(r"@(\w+) = (N'[^']*'|\w+)", statement))
            assert args["role_name"] == f"N'{crm.GATING_ROLE}'"
            assert args["supports_net_changes"] in {"0", "1"}
            enabled[f"{args['source_schema'][2:-1]}.{args['source_name'][2:-1]}"] = parse_statement(
                statement, "tsql"
            )
    assert sorted(enabled) == sorted(crm.SYSTEM.captured_tables)
    assert all(isinstance(e, exp.Execute) for e in enabled.values())


def test_crm_capture_user_gets_role_reads_and_signal_writes_only() -> None:
    text = "\n".join(load_statements(crm.SYSTEM))
    assert "CREATE USER debezium FOR LOGIN debezium" in text
    assert f"ALTER ROLE {crm.GATING_ROLE} ADD MEMBER debezium" in text
    assert "GRANT SELECT ON SCHEMA::dbo TO debezium" in text
    assert "GRANT INSERT, UPDATE, DELETE ON dbo.dbz_signal TO debezium" in text
    assert re.findall(r"ALTER ROLE (\w+) ADD MEMBER", text) == [crm.GATING_ROLE]
    assert "ALTER SERVER ROLE" not in text.upper() and "SP_ADDSRVROLEMEMBER" not in text.upper()


def test_crm_password_placeholder_is_replaced_by_a_quoted_literal() -> None:
    password = SecretStr("it's N'; DROP--")
    rendered = [render(s, password) for s in load_statements(crm.SYSTEM)]
    assert not any(crm.PASSWORD_PLACEHOLDER in s for s in rendered)
    login = next(s for s in rendered if "CREATE LOGIN" in s)
    assert "PASSWORD = N'it''s N''; DROP--'" in login
    parse_statement(login, "tsql")


def test_unknown_system_lists_the_known_ones() -> None:
    with pytest.raises(UnknownSystemError, match="box_office, pricing, crm"):
        get_system("ticketmaster")
