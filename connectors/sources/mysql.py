"""MariaDB and MySQL: tables from information_schema, the binlog settings, and binlog expiry.

Hazard: the server purges a binlog file ``binlog_expire_logs_seconds`` after it was last written. When the file a
stopped connector still needs is purged, the connector cannot resume and must snapshot again. The runway is the
expiry minus the age of that file (its modification time where the file is readable here; otherwise the time
of the last event the connector read, which can only make the runway look shorter, never longer).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy.exc import DBAPIError

from connectors.problems import Problem
from connectors.sources.base import Runway, Source, TableFacts, classify

_COLUMNS = """
SELECT c.COLUMN_NAME, LOWER(c.COLUMN_TYPE), c.COLUMN_KEY = 'PRI'
FROM information_schema.COLUMNS c
WHERE c.TABLE_SCHEMA = :d AND c.TABLE_NAME = :t
ORDER BY c.ORDINAL_POSITION
"""


class MySqlSource(Source):
    driver = "mysql+pymysql"
    query: ClassVar[Mapping[str, str]] = {"charset": "utf8mb4"}

    def connect_args(self) -> dict[str, Any]:
        return {"connect_timeout": max(1, int(self.timeout_s))}

    def login_refused(self, exc: DBAPIError) -> bool:
        args: tuple[Any, ...] = tuple(getattr(exc.orig, "args", ()))
        return bool(args) and args[0] in (1044, 1045, 1049)

    def quote(self, table: str) -> str:
        return ".".join("`" + part.replace("`", "``") + "`" for part in table.split("."))

    def table_facts(self, tables: Sequence[str]) -> dict[str, TableFacts]:
        facts: dict[str, TableFacts] = {}
        for table in tables:
            database, name = table.split(".", 1)
            rows = self.rows(f"reading the columns of {table}", _COLUMNS, {"d": database, "t": name})
            facts[table] = TableFacts(
                table, bool(rows), {r[0]: r[1] for r in rows}, tuple(r[0] for r in rows if r[2])
            )
        return facts

    def server_problems(self, facts: Mapping[str, TableFacts]) -> list[Problem]:
        problems: list[Problem] = []
        row = self.rows(
            "reading the binlog settings", "SELECT @@log_bin, @@binlog_format, @@binlog_row_image"
        )[0]
        if not row[0]:
            problems.append(
                Problem(
                    "connection.host",
                    "the server has no binlog (log_bin is off): enable it, Debezium reads the row binlog",
                    "database",
                )
            )
        if str(row[1]).upper() != "ROW":
            problems.append(
                Problem("connection.host", f"binlog_format is {row[1]}: Debezium needs ROW", "database")
            )
        if str(row[2]).upper() != "FULL":
            problems.append(
                Problem(
                    "connection.host",
                    f"binlog_row_image is {row[2]}: Debezium needs FULL for complete before-images",
                    "database",
                )
            )
        return problems

    def _expiry_seconds(self) -> int:
        row = self.rows(
            "reading binlog expiry",
            "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('binlog_expire_logs_seconds', 'expire_logs_days')",
        )
        values = {r[0]: float(r[1]) for r in row}
        seconds = values.get("binlog_expire_logs_seconds", 0.0)
        return int(seconds or values.get("expire_logs_days", 0.0) * 86400)

    def runway(self, offset: Mapping[str, Any] | None, disk_path: Path | None) -> Runway:
        logs = [(str(r[0]), int(r[1])) for r in self.rows("listing binary logs", "SHOW BINARY LOGS")]
        if not offset or "file" not in offset:
            return Runway(
                self.spec.engine,
                None,
                None,
                None,
                None,
                "unknown",
                "no stored offset yet: the connector has not committed a binlog position",
            )
        needed, pos = str(offset["file"]), int(offset.get("pos", 0))
        position = f"{needed}:{pos}"
        names = [name for name, _ in logs]
        if needed not in names:
            return Runway(
                self.spec.engine,
                position,
                None,
                None,
                0,
                "lost",
                f"{needed} has been purged: delete the offsets and snapshot again",
            )
        index = names.index(needed)
        retained = max(0, logs[index][1] - pos) + sum(size for _, size in logs[index + 1 :])
        expiry = self._expiry_seconds()
        if expiry <= 0:
            return Runway(
                self.spec.engine,
                position,
                retained,
                None,
                None,
                "ok",
                "binlogs never expire (binlog_expire_logs_seconds = 0): the disk is the limit",
            )
        if index == len(logs) - 1:
            return Runway(
                self.spec.engine,
                position,
                retained,
                None,
                float(expiry),
                classify(None, expiry),
                f"{needed} is the current binlog: expiry ({expiry} s) starts when it is rotated",
            )
        written_at, source = self._written_at(needed, offset)
        if written_at is None:
            return Runway(
                self.spec.engine,
                position,
                retained,
                None,
                None,
                "unknown",
                f"{needed} expires {expiry} s after it was last written, and when that was is unknown here",
            )
        runway = expiry - (time.time() - written_at)
        return Runway(
            self.spec.engine,
            position,
            retained,
            None,
            runway,
            classify(None, runway),
            f"{needed} expires {expiry} s after it was last written ({source})",
        )

    def _written_at(self, name: str, offset: Mapping[str, Any]) -> tuple[float | None, str]:
        basename = self.scalar("reading log_bin_basename", "SELECT @@log_bin_basename")
        if basename:
            path = Path(str(basename)).parent / name
            try:
                return os.stat(path).st_mtime, "file modification time"
            except OSError:
                pass
        if offset.get("ts_sec"):
            return float(offset["ts_sec"]), "time of the last event read: a lower bound"
        return None, "unknown"
