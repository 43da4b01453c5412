"""The README's first command ends in `inventory-cdc demo`: one row change per live database reaches Kafka."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import psycopg
import pymysql
import pytest

from stack.settings import StackSettings

pytestmark = pytest.mark.stack


def test_demo_follows_one_change_per_database_to_kafka(stack_settings: StackSettings) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cli", "demo"],
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [line for line in result.stdout.splitlines() if re.search(r"│ c\s+│", line)]
    assert len(rows) == 2, result.stdout
    assert any("demo_box_office.boxoffice.VENUE" in row for row in rows)
    assert any("demo_pricing.pricing.price_level" in row for row in rows)
    # the password never shows, and the demo removed its connectors, slot and rows
    assert stack_settings.secrets.debezium_password.get_secret_value() not in result.stdout + result.stderr
    with psycopg.connect(stack_settings.postgres_url(database="pricing").replace("+psycopg", "")) as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'demo_pricing'"
        ).fetchone() == (0,)
        assert conn.execute(
            "SELECT count(*) FROM pricing.price_level WHERE level_code = 'DEMO'"
        ).fetchone() == (0,)
    conn = pymysql.connect(
        host=stack_settings.host,
        port=stack_settings.mariadb_port,
        user="root",
        password=stack_settings.secrets.mariadb_root_password.get_secret_value(),
    )
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM boxoffice.VENUE WHERE VEN_NM = 'Demo Hall'")
            assert cur.fetchone() == (0,)
    finally:
        conn.close()
