"""The golden cases go into the live databases as they are and come back unchanged, in scratch databases
that are dropped afterwards."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import psycopg
import pymysql
import pytest
from psycopg.types.json import Jsonb
from sqlalchemy.engine import make_url

from legacy_adapters import box_office, pricing
from legacy_adapters.box_office import cases as box_office_cases
from legacy_adapters.box_office.install import install as install_box_office
from legacy_adapters.ddl import TableDef, describe_tables
from legacy_adapters.pricing import cases as pricing_cases
from legacy_adapters.pricing.install import install as install_pricing
from stack.settings import StackSettings
from tests.support import unique

pytestmark = pytest.mark.stack


def _where(table: TableDef, placeholder: str) -> str:
    return " AND ".join(f"{column} = {placeholder}" for column in table.primary_key)


@pytest.fixture()
def scratch_boxoffice(stack_settings: StackSettings) -> Iterator[pymysql.Connection[Any]]:
    database = unique("boxoffice_t")
    report = install_box_office(
        make_url(stack_settings.mariadb_url()),
        stack_settings.secrets.debezium_password,
        database=database,
        capture_user=False,
    )
    assert report.count("created") == 1 + len(box_office.TABLES) + 1
    conn = pymysql.connect(
        host=stack_settings.host,
        port=stack_settings.mariadb_port,
        user="root",
        password=stack_settings.secrets.mariadb_root_password.get_secret_value(),
        database=database,
        charset="utf8mb4",
        init_command=f"SET SESSION sql_mode = '{box_office.SESSION_SQL_MODE}'",
    )
    try:
        yield conn
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE `{database}`")
        conn.close()


def test_box_office_cases_insert_and_read_back_unchanged(scratch_boxoffice: pymysql.Connection[Any]) -> None:
    tables = describe_tables(box_office.SYSTEM)
    with scratch_boxoffice.cursor() as cur:
        for case in box_office_cases.CASES:
            columns = list(case.row)
            cur.execute(
                f"INSERT INTO {case.table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                [case.row[c] for c in columns],
            )
            assert cur.rowcount == 1, case.name
        scratch_boxoffice.commit()
        for case in box_office_cases.CASES:
            table = tables[case.table]
            columns = list(case.row)
            cur.execute(
                f"SELECT {', '.join(columns)}, HEX({columns[1]}) FROM {case.table} WHERE {_where(table, '%s')}",
                [case.row[c] for c in table.primary_key],
            )
            row = cur.fetchone()
            assert row is not None, case.name
            # zero dates come back as the same string; latin1 text decodes to the same characters
            assert dict(zip(columns, row[:-1], strict=True)) == dict(case.row), case.name
        cur.execute("SELECT HEX(VEN_NM) FROM VENUE WHERE VEN_ID = 9003")
        stored = cur.fetchone()
        assert stored is not None and "80" in stored[0]  # the euro sign is byte 0x80: Windows-1252 on disk


@pytest.fixture()
def scratch_pricing(stack_settings: StackSettings) -> Iterator[psycopg.Connection[Any]]:
    database = unique("pricing_t")
    url = make_url(stack_settings.postgres_url())
    install_pricing(url, stack_settings.secrets.debezium_password, database=database, capture_user=False)
    params: dict[str, Any] = {
        "host": stack_settings.host,
        "port": stack_settings.postgres_port,
        "user": "postgres",
        "password": stack_settings.secrets.postgres_password.get_secret_value(),
    }
    conn = psycopg.connect(dbname=database, **params)
    try:
        yield conn
    finally:
        conn.close()
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE "{database}" WITH (FORCE)')


def _utc(row: Mapping[str, object]) -> dict[str, object]:
    return {k: v.astimezone(UTC) if isinstance(v, datetime) else v for k, v in row.items()}


def test_pricing_cases_insert_and_read_back_unchanged(scratch_pricing: psycopg.Connection[Any]) -> None:
    tables = describe_tables(pricing.SYSTEM)
    for case in pricing_cases.CASES:
        table = tables[case.table]
        columns = list(case.row)
        values = [Jsonb(v) if table.column(c).type == "JSONB" else v for c, v in case.row.items()]
        cursor = scratch_pricing.execute(
            f"INSERT INTO {case.table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
            values,
        )
        assert cursor.rowcount == 1, case.name
    for case in pricing_cases.CASES:
        table = tables[case.table]
        columns = list(case.row)
        row = scratch_pricing.execute(
            f"SELECT {', '.join(columns)} FROM {case.table} WHERE {_where(table, '%s')}",
            [case.row[c] for c in table.primary_key],
        ).fetchone()
        assert row is not None, case.name
        # timestamptz compare as UTC instants (Python never equates a fold=1 time with another zone's);
        # numeric, uuid, arrays and jsonb as values
        assert _utc(dict(zip(columns, row, strict=True))) == _utc(case.row), case.name
    toasted = scratch_pricing.execute(
        "SELECT pg_column_size(contents) < octet_length(contents::text) FROM pricing.package WHERE package_code = 'SEASON-ALL'"
    ).fetchone()
    assert toasted == (True,)  # stored compressed: large enough to be TOASTed
    scratch_pricing.rollback()
