"""The README's first command ends in `inventory-cdc demo`: one row change per live database reaches Kafka, and
its system's adapter maps it to the canonical event written out here by hand."""

from __future__ import annotations

import json
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
        env={**os.environ, "COLUMNS": "400"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [line for line in result.stdout.splitlines() if re.search(r"│ c\s+│", line)]
    assert len(rows) == 2, result.stdout
    assert any("demo_box_office.boxoffice.VENUE" in row for row in rows)
    assert any("demo_pricing.pricing.price_level" in row for row in rows)
    venue = re.search(r"VEN_CD=(D[0-9A-F]{4}X)", result.stdout)
    assert venue, result.stdout
    marker = venue.group(1)
    canonical = _canonical_rows(result.stdout)
    assert [row[:2] for row in canonical] == [
        ("box office (MariaDB)", "venue.changed"),
        ("pricing (PostgreSQL)", "price.changed"),
    ], result.stdout
    venue_data, price_data = (json.loads(row[3]) for row in canonical)
    venue_id = venue_data.pop("venue_id")
    assert canonical[0][2] == f"venue:{venue_id}", canonical[0]
    assert venue_data == {
        "name": "Demo Hall",
        "timezone": "America/New_York",
        "code": marker,
        "city": "Brooklyn",
        "country": "US",
        "capacity": 1200,
        "active": True,
    }
    assert price_data.pop("price_level_id") and price_data.pop("valid_from")
    assert price_data == {
        "event_id": "BO-0",
        "level_code": "DEMO",
        "name": f"demo {marker}",
        "face_value": {"amount": 4950, "currency": "USD"},
        "fee": {"amount": 0, "currency": "USD"},
        "sections": [],
    }
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


def _canonical_rows(stdout: str) -> list[tuple[str, ...]]:
    """(system, type, key, data) of each row of the demo's canonical events table."""
    rows = []
    for line in stdout.split("5. the same changes as canonical events", 1)[1].splitlines():
        cells = tuple(cell.strip() for cell in line.split("│")[1:-1])
        if len(cells) == 4 and cells[3].startswith("{"):
            rows.append(cells)
    return rows
