"""``connectors status``: states, last events, and a retention runway that shrinks while a paused connector's
source position stays pinned and WAL or binlogs accumulate."""

from __future__ import annotations

import time
from typing import Any

import pytest

from connectors.connect_client import ConnectClient
from stack.settings import StackSettings
from tests.connectors.conftest import Cli, mariadb_root, pg_admin
from tests.support import unique

pytestmark = pytest.mark.stack

MIB = 2**20


def _status(cli: Cli, path: str) -> dict[str, Any]:
    [report] = cli.json("status", path)
    return dict(report)


def _wait_for(check: Any, timeout_s: float = 90.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value is not None or time.monotonic() > deadline:
            return dict(value or {})
        time.sleep(1.0)


def test_postgres_runway_shrinks_while_paused_and_recovers_after_resume(
    cli: Cli, make_spec: Any, legacy_ready: StackSettings, connect: ConnectClient
) -> None:
    spec = make_spec("pricing")
    cli("apply", str(spec.path))
    running = _status(cli, str(spec.path))
    assert running["state"] == "RUNNING" and [t["state"] for t in running["tasks"]] == ["RUNNING"]
    assert {e["table"] for e in running["last_events"]} == set(spec.spec.table_names)
    assert running["runway"]["engine"] == "postgresql"

    cli("pause", spec.name)
    before = _status(cli, str(spec.path))["runway"]
    # bounded WAL: 8 MiB of logical messages in another database (the paused slot cannot confirm past them)
    with pg_admin(legacy_ready, "postgres") as conn:
        conn.execute(
            "SELECT pg_logical_emit_message(true, 'inventory-cdc-test', repeat('x', 1048576)) FROM generate_series(1, 8)"
        )
    after = _status(cli, str(spec.path))
    assert after["state"] == "PAUSED"
    runway = after["runway"]
    assert runway["position"] == before["position"]  # the slot's restart_lsn did not move
    assert runway["retained_bytes"] >= before["retained_bytes"] + 8 * MIB
    assert runway["runway_bytes"] <= before["runway_bytes"] - 8 * MIB

    cli("resume", spec.name)

    def confirmed() -> dict[str, Any] | None:
        current = _status(cli, str(spec.path))["runway"]
        return current if current["retained_bytes"] < runway["retained_bytes"] - 4 * MIB else None

    recovered = _wait_for(confirmed)
    assert recovered, "the resumed connector never confirmed the slot past the accumulated WAL"


def test_mariadb_runway_counts_down_once_the_needed_binlog_is_rotated(
    cli: Cli, make_spec: Any, legacy_ready: StackSettings
) -> None:
    spec = make_spec("box_office")
    cli("apply", str(spec.path))

    def offset_stored() -> dict[str, Any] | None:
        current = _status(cli, str(spec.path))["runway"]
        return current if current["position"] else None

    _wait_for(offset_stored)
    cli("pause", spec.name)
    before = _status(cli, str(spec.path))["runway"]
    assert before["engine"] == "mariadb"
    scratch = unique("binlog")
    with mariadb_root(legacy_ready) as cur:
        cur.execute("SELECT @@binlog_expire_logs_seconds")
        expiry = int(cur.fetchone()[0])
        cur.execute(f"CREATE DATABASE {scratch}")
        try:
            cur.execute(f"CREATE TABLE {scratch}.filler (id INT PRIMARY KEY, body MEDIUMTEXT)")
            for i in range(4):  # bounded: 4 x 256 KiB
                cur.execute(f"INSERT INTO {scratch}.filler VALUES (%s, REPEAT('x', 262144))", (i,))
            cur.execute("FLUSH BINARY LOGS")
        finally:
            cur.execute(f"DROP DATABASE {scratch}")
    after = _status(cli, str(spec.path))["runway"]
    assert after["position"] == before["position"]  # paused: still needs the same binlog file
    assert after["retained_bytes"] >= before["retained_bytes"] + 1 * MIB
    # the needed file is no longer the current one: its expiry clock runs
    assert after["runway_seconds"] is not None and after["runway_seconds"] < expiry
    assert after["runway_seconds"] <= before["runway_seconds"]
    assert "expires" in after["detail"]
    time.sleep(2)
    later = _status(cli, str(spec.path))["runway"]
    assert later["runway_seconds"] <= after["runway_seconds"] - 1

    cli("resume", spec.name)

    def moved_on() -> dict[str, Any] | None:
        current = _status(cli, str(spec.path))["runway"]
        return current if current["position"] != before["position"] else None

    assert _wait_for(moved_on), "the resumed connector never moved past the rotated binlog"
