"""PostgreSQL: tables from the catalog, the publication, and the replication slot's retained WAL.

Hazard: a slot keeps every WAL segment from its ``restart_lsn`` on, whether the connector runs or not. When the
retained WAL exceeds ``max_slot_wal_keep_size`` the server invalidates the slot (``wal_status = lost``) and the
connector can only start over with a new snapshot; without that cap, the disk fills instead.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError

from connectors.problems import Problem
from connectors.sources.base import Runway, Source, TableFacts, classify

_COLUMNS = """
SELECT a.attname, lower(format_type(a.atttypid, a.atttypmod)),
       coalesce(a.attnum = ANY(i.indkey), false)
FROM pg_attribute a
LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
WHERE a.attrelid = to_regclass(:t) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""

_SLOT = """
SELECT restart_lsn::text, confirmed_flush_lsn::text, active, wal_status, database, plugin,
       pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint
FROM pg_replication_slots WHERE slot_name = :s
"""


def drop_replication_slot(conn: Any, slot: str, wait_s: float = 20.0) -> bool:
    """Drop ``slot`` once no walsender holds it (a connector just deleted lets go within seconds).

    ``conn`` is an autocommit DB-API connection (psycopg) to any database of the server. Returns True if a slot
    was dropped. Hazard: a slot outlives its connector and pins WAL until dropped; dropping one a connector will
    come back to loses every change since its position.
    """
    deadline = time.monotonic() + wait_s
    while True:
        row = conn.execute(
            "SELECT active_pid FROM pg_replication_slots WHERE slot_name = %s", (slot,)
        ).fetchone()
        if row is None:
            return False
        if row[0] is None:
            conn.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


class PostgresSource(Source):
    driver = "postgresql+psycopg"

    def connect_args(self) -> dict[str, Any]:
        return {
            "connect_timeout": max(1, int(self.timeout_s)),
            "application_name": "inventory-cdc connectors",
        }

    def login_refused(self, exc: DBAPIError) -> bool:
        text = str(exc.orig)
        return (
            "password authentication failed" in text
            or "no pg_hba.conf entry" in text
            or "does not exist" in text
        )

    def quote(self, table: str) -> str:
        return ".".join('"' + part.replace('"', '""') + '"' for part in table.split("."))

    def table_facts(self, tables: Sequence[str]) -> dict[str, TableFacts]:
        facts: dict[str, TableFacts] = {}
        for table in tables:
            rows = self.rows(f"reading the columns of {table}", _COLUMNS, {"t": self.quote(table)})
            facts[table] = TableFacts(
                table,
                exists=bool(rows),
                columns={r[0]: r[1] for r in rows},
                primary_key=tuple(r[0] for r in rows if r[2]),
            )
        return facts

    def server_problems(self, facts: Mapping[str, TableFacts]) -> list[Problem]:
        spec = self.spec
        assert spec.postgresql is not None
        problems: list[Problem] = []
        level = self.scalar("reading wal_level", "SELECT current_setting('wal_level')")
        if level != "logical":
            problems.append(
                Problem(
                    "connection.host",
                    f"the server runs with wal_level={level}: Debezium needs wal_level=logical (restart PostgreSQL with it)",
                    "database",
                )
            )
        publication = spec.postgresql.publication
        published = {
            f"{r[0]}.{r[1]}"
            for r in self.rows(
                "reading the publication",
                "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = :p",
                {"p": publication},
            )
        }
        exists = self.scalar(
            "looking up the publication",
            "SELECT count(*) FROM pg_publication WHERE pubname = :p",
            {"p": publication},
        )
        if not exists:
            problems.append(
                Problem(
                    "postgresql.publication",
                    f"publication {publication} does not exist in {spec.connection.database}: run `inventory-cdc legacy init` (the connector never creates it)",
                    "database",
                )
            )
            return problems
        for i, table in enumerate(spec.table_names):
            if table not in published and table in facts and facts[table].exists:
                problems.append(
                    Problem(
                        f"tables[{i}]",
                        f"{table} is not in publication {publication}: its changes would never arrive; add it (ALTER PUBLICATION {publication} ADD TABLE {table})",
                        "database",
                    )
                )
        if spec.signal_table not in published:
            problems.append(
                Problem(
                    "signal_table",
                    f"{spec.signal_table} is not in publication {publication}: signals would never be seen",
                    "database",
                )
            )
        slot = self.rows("reading the replication slot", _SLOT, {"s": spec.postgresql.slot})
        if slot and (slot[0][4] != spec.connection.database or slot[0][5] != "pgoutput"):
            problems.append(
                Problem(
                    "postgresql.slot",
                    f"slot {spec.postgresql.slot} exists for database {slot[0][4]} with plugin {slot[0][5]}: choose another slot name",
                    "database",
                )
            )
        return problems

    def runway(self, offset: Mapping[str, Any] | None, disk_path: Path | None) -> Runway:
        assert self.spec.postgresql is not None
        slot = self.spec.postgresql.slot
        rows = self.rows("reading the replication slot", _SLOT, {"s": slot})
        if not rows:
            return Runway(
                "postgresql",
                None,
                None,
                None,
                None,
                "unknown",
                f"no slot {slot} yet: it is created when the connector first starts",
            )
        restart_lsn, _confirmed, active, wal_status, _db, _plugin, retained = rows[0]
        if wal_status == "lost":
            return Runway(
                "postgresql",
                restart_lsn,
                None,
                0,
                None,
                "lost",
                f"slot {slot} lost its WAL (max_slot_wal_keep_size exceeded): delete its offsets and snapshot again",
            )
        keep_mb = int(
            self.scalar(
                "reading max_slot_wal_keep_size",
                "SELECT setting::bigint FROM pg_settings WHERE name = 'max_slot_wal_keep_size'",
            )
        )
        retained = int(retained or 0)
        limits: list[tuple[int, str]] = []
        if keep_mb >= 0:
            keep = keep_mb * 2**20
            limits.append((keep - retained, f"max_slot_wal_keep_size {keep_mb} MB"))
        if disk_path is not None and disk_path.exists():
            limits.append((shutil.disk_usage(disk_path).free, f"free disk at {disk_path}"))
        if not limits:
            return Runway(
                "postgresql",
                restart_lsn,
                retained,
                None,
                None,
                "unknown",
                "no max_slot_wal_keep_size and free disk unknown: the slot may fill the disk",
            )
        runway_bytes, bound = min(limits)
        state = "in use" if active else "not in use (connector stopped or gone: WAL accumulates)"
        return Runway(
            "postgresql",
            restart_lsn,
            retained,
            runway_bytes,
            None,
            classify(runway_bytes, None),
            f"slot {slot} {state}; bounded by {bound}",
        )
