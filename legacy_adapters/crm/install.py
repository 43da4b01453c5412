"""Apply the CRM's T-SQL (database, capture login and user, tables, change data capture) to a SQL Server.

Runs only where SQL Server runs (compose): nothing on our machines can execute it, so this path is exercised
by parsing in tests and for real under compose. Enabling CDC needs a sysadmin login and SQL Server Agent.

The script's own IF guards make tables, principals and grants idempotent; the ``sp_cdc_enable_*`` calls are run
only when ``sys.databases`` / ``cdc.change_tables`` say capture is off. The capture password is spliced in as
a quoted N'...' literal (CREATE LOGIN takes no parameters): statements are never logged or echoed in errors.
"""

from __future__ import annotations

import re

from pydantic import SecretStr
from sqlalchemy.engine import URL, Connection

from legacy_adapters.crm import DATABASE, PASSWORD_PLACEHOLDER, SYSTEM
from legacy_adapters.ddl import created_table, load_statements, parse_statement
from legacy_adapters.install import InitReport, connect, make_engine, run, scalar

_NAME = SYSTEM.name
_ENABLE_TABLE = re.compile(r"@source_schema\s*=\s*N'(\w+)'\s*,\s*@source_name\s*=\s*N'(\w+)'", re.IGNORECASE)


def tsql_literal(value: str) -> str:
    """An N'...' literal with embedded quotes doubled (the only escape T-SQL string literals have)."""
    return "N'" + value.replace("'", "''") + "'"


def render(statement: str, password: SecretStr) -> str:
    """``statement`` with the password placeholder literal replaced by the quoted password."""
    return statement.replace(f"N'{PASSWORD_PLACEHOLDER}'", tsql_literal(password.get_secret_value()))


def _cdc_enabled(conn: Connection, statement: str) -> tuple[str, str, bool] | None:
    """For an sp_cdc_enable_* call: what it enables and whether that is on already; None for other statements."""
    text = " ".join(statement.split())
    if text.upper().startswith("EXEC SYS.SP_CDC_ENABLE_DB"):
        on = scalar(
            conn, _NAME, "CDC lookup", "SELECT is_cdc_enabled FROM sys.databases WHERE name = DB_NAME()"
        )
        return "change data capture", DATABASE, bool(on)
    if text.upper().startswith("EXEC SYS.SP_CDC_ENABLE_TABLE"):
        match = _ENABLE_TABLE.search(text)
        if match is None:
            return None
        table = f"{match.group(1)}.{match.group(2)}"
        on = scalar(
            conn,
            _NAME,
            "capture instance lookup",
            "SELECT COUNT(*) FROM cdc.change_tables WHERE source_object_id = OBJECT_ID(:t)",
            {"t": table},
        )
        return "capture instance", table, bool(on)
    return None


def install(url: URL, password: SecretStr) -> InitReport:
    """Run the CRM script statement by statement on ``url`` (a sysadmin login), idempotently."""
    report = InitReport(_NAME)
    engine = make_engine(url, SYSTEM.engine_title)
    try:
        with connect(engine, SYSTEM.engine_title) as conn:
            for statement in load_statements(SYSTEM):
                if (cdc := _cdc_enabled(conn, statement)) is not None:
                    kind, name, on = cdc
                    if not on:
                        run(conn, _NAME, f"enable {kind} on {name}", statement)
                    report.add(kind, name, "present" if on else "created")
                    continue
                table = created_table(parse_statement(statement, SYSTEM.dialect))
                existed = False
                if table is not None:
                    name = f"{table.db}.{table.name}"
                    existed = bool(
                        scalar(conn, _NAME, "table lookup", "SELECT OBJECT_ID(:t, N'U')", {"t": name})
                    )
                step = " ".join(statement.split())[:48].replace(PASSWORD_PLACEHOLDER, "***")
                run(conn, _NAME, step, render(statement, password))
                if table is not None:
                    report.add(
                        "table", f"{DATABASE}.{table.db}.{table.name}", "present" if existed else "created"
                    )
    finally:
        engine.dispose()
    return report
