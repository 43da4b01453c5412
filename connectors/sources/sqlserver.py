"""SQL Server: tables, capture instances, and the CDC cleanup retention.

Hazards: a table without a capture instance (``sys.sp_cdc_enable_table``) is silently not captured; SQL Server
Agent fills the change tables, and the cleanup job deletes entries older than its retention (4320 minutes by
default): a connector stopped for longer loses the changes in between. Needs the ``pymssql`` driver here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError

from connectors.exceptions import SourceQueryError
from connectors.problems import Problem
from connectors.sources.base import Runway, Source, TableFacts, classify

_COLUMNS = """
SELECT c.COLUMN_NAME, LOWER(c.DATA_TYPE),
       CASE WHEN k.COLUMN_NAME IS NULL THEN 0 ELSE 1 END
FROM INFORMATION_SCHEMA.COLUMNS c
LEFT JOIN INFORMATION_SCHEMA.TABLE_CONSTRAINTS t
  ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME AND t.CONSTRAINT_TYPE = 'PRIMARY KEY'
LEFT JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE k
  ON k.CONSTRAINT_NAME = t.CONSTRAINT_NAME AND k.TABLE_SCHEMA = c.TABLE_SCHEMA AND k.COLUMN_NAME = c.COLUMN_NAME
WHERE c.TABLE_SCHEMA = :s AND c.TABLE_NAME = :t
ORDER BY c.ORDINAL_POSITION
"""


class SqlServerSource(Source):
    driver = "mssql+pymssql"

    def connect_args(self) -> dict[str, Any]:
        return {"login_timeout": max(1, int(self.timeout_s))}

    def login_refused(self, exc: DBAPIError) -> bool:
        return "18456" in str(exc.orig) or "Login failed" in str(exc.orig)

    def quote(self, table: str) -> str:
        return ".".join("[" + part.replace("]", "]]") + "]" for part in table.split("."))

    def table_facts(self, tables: Sequence[str]) -> dict[str, TableFacts]:
        facts: dict[str, TableFacts] = {}
        for table in tables:
            schema, name = table.split(".", 1)
            rows = self.rows(f"reading the columns of {table}", _COLUMNS, {"s": schema, "t": name})
            instance = (
                self.scalar(
                    f"looking up the capture instance of {table}",
                    "SELECT TOP 1 capture_instance FROM cdc.change_tables WHERE source_object_id = OBJECT_ID(:t)",
                    {"t": table},
                )
                if rows
                else None
            )
            facts[table] = TableFacts(
                table, bool(rows), {r[0]: r[1] for r in rows}, tuple(r[0] for r in rows if r[2]), instance
            )
        return facts

    def server_problems(self, facts: Mapping[str, TableFacts]) -> list[Problem]:
        enabled = self.scalar(
            "checking CDC", "SELECT is_cdc_enabled FROM sys.databases WHERE name = DB_NAME()"
        )
        if not enabled:
            return [
                Problem(
                    "connection.database",
                    f"change data capture is off in {self.spec.connection.database}: run `inventory-cdc legacy init crm` (sys.sp_cdc_enable_db)",
                    "database",
                )
            ]
        problems: list[Problem] = []
        for i, table in enumerate(self.spec.captured_tables):
            fact = facts.get(table)
            if fact is None:
                continue
            field = f"tables[{i}]" if table != self.spec.signal_table else "signal_table"
            if fact.exists and fact.capture_instance is None:
                problems.append(
                    Problem(
                        field,
                        f"{table} has no capture instance: its changes are never captured (EXEC sys.sp_cdc_enable_table @source_schema, @source_name, @role_name = N'cdc_reader')",
                        "database",
                    )
                )
        return problems

    def runway(self, offset: Mapping[str, Any] | None, disk_path: Path | None) -> Runway:
        if not offset or not offset.get("commit_lsn"):
            return Runway("sqlserver", None, None, None, None, "unknown", "no stored offset yet")
        lsn = str(offset["commit_lsn"])
        try:
            minutes = self.scalar(
                "reading the CDC cleanup retention",
                "SELECT retention FROM msdb.dbo.cdc_jobs WHERE job_type = 'cleanup' AND database_id = DB_ID()",
            )
        except SourceQueryError as exc:
            return Runway(
                "sqlserver", lsn, None, None, None, "unknown", f"cannot read msdb.dbo.cdc_jobs ({exc.reason})"
            )
        hex_lsn = "0x" + lsn.replace(":", "")
        at = self.scalar(
            "mapping the LSN to a time",
            "SELECT DATEDIFF_BIG(second, sys.fn_cdc_map_lsn_to_time(CONVERT(binary(10), :l, 1)), SYSUTCDATETIME())",
            {"l": hex_lsn},
        )
        if minutes is None or at is None:
            return Runway("sqlserver", lsn, None, None, None, "unknown", "retention or LSN time unknown")
        runway = float(int(minutes) * 60 - int(at))
        return Runway(
            "sqlserver",
            lsn,
            None,
            None,
            runway,
            classify(None, runway),
            f"CDC cleanup deletes changes after {minutes} minutes",
        )
