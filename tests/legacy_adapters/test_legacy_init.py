"""``inventory-cdc legacy init`` on the live stack: schemas, tables, capture users with the documented
privileges, the publication; a second run changes nothing; a changed password is applied."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import psycopg
import pymysql
import pytest
from typer.testing import CliRunner, Result

from cli.main import app
from legacy_adapters import box_office, pricing
from legacy_adapters.pricing.install import SIGNAL_PRIVILEGES
from stack.settings import StackSettings

pytestmark = pytest.mark.stack

runner = CliRunner()


def _init(*args: str, env: dict[str, str] | None = None) -> Result:
    result = runner.invoke(app, ["legacy", "init", *args], env={"COLUMNS": "200", **(env or {})})
    assert result.exit_code == 0, result.output
    return result


def _maria(
    settings: StackSettings, user: str = "root", password: str | None = None
) -> pymysql.Connection[Any]:
    return pymysql.connect(
        host=settings.host,
        port=settings.mariadb_port,
        user=user,
        password=password or settings.secrets.mariadb_root_password.get_secret_value(),
        charset="utf8mb4",
    )


def _pg(
    settings: StackSettings, database: str = "pricing", user: str = "postgres", password: str | None = None
) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=settings.host,
        port=settings.postgres_port,
        dbname=database,
        user=user,
        password=password or settings.secrets.postgres_password.get_secret_value(),
        autocommit=True,
    )


@pytest.fixture(scope="module")
def initialised(stack_settings: StackSettings) -> Iterator[StackSettings]:
    _init()
    yield stack_settings


def _maria_rows(settings: StackSettings, sql: str, *args: object) -> list[tuple[Any, ...]]:
    conn = _maria(settings)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, args or None)
            return list(cur.fetchall())
    finally:
        conn.close()


def test_box_office_tables_are_latin1_with_primary_keys(initialised: StackSettings) -> None:
    rows = _maria_rows(
        initialised,
        "SELECT TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s",
        box_office.DATABASE,
    )
    collations = dict(rows)
    assert set(collations) == {*box_office.TABLES, box_office.SIGNAL_TABLE}
    assert all(collations[t].startswith("latin1") for t in box_office.TABLES)
    keyed = _maria_rows(
        initialised,
        "SELECT DISTINCT TABLE_NAME FROM information_schema.TABLE_CONSTRAINTS "
        "WHERE TABLE_SCHEMA = %s AND CONSTRAINT_TYPE = 'PRIMARY KEY'",
        box_office.DATABASE,
    )
    assert {r[0] for r in keyed} == set(collations)


def _grants(settings: StackSettings, host: str) -> dict[str, set[str]]:
    """SHOW GRANTS as {target: privileges} (the password hash in the output is dropped, never printed)."""
    result: dict[str, set[str]] = {}
    for (line,) in _maria_rows(settings, f"SHOW GRANTS FOR 'debezium'@'{host}'"):
        match = re.match(r"GRANT (.+?) ON (\S+) TO ", line)
        assert match is not None
        result[match.group(2).replace("`", "")] = {p.strip() for p in match.group(1).split(",")}
    return result


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_box_office_capture_user_has_exactly_the_documented_privileges(
    initialised: StackSettings, host: str
) -> None:
    assert _grants(initialised, host) == {
        "*.*": {"RELOAD", "SHOW DATABASES", "REPLICATION SLAVE", "BINLOG MONITOR"},
        "boxoffice.*": {"SELECT"},
        "boxoffice.DBZ_SIGNAL": {"INSERT", "UPDATE", "DELETE"},
    }


def test_box_office_capture_user_reads_everything_and_writes_only_signals(initialised: StackSettings) -> None:
    conn = _maria(initialised, "debezium", initialised.secrets.debezium_password.get_secret_value())
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW BINARY LOGS")
            cur.execute("SELECT COUNT(*) FROM boxoffice.SEAT_INV")
            conn.begin()
            cur.execute("INSERT INTO boxoffice.DBZ_SIGNAL (id, type) VALUES ('t', 'log')")
            conn.rollback()
            with pytest.raises(pymysql.err.OperationalError, match="denied"):
                cur.execute("INSERT INTO boxoffice.VENUE (VEN_CD, VEN_NM, TZ_NM) VALUES ('X', 'X', 'UTC')")
    finally:
        conn.close()


def test_pricing_schemas_tables_identity_and_publication(initialised: StackSettings) -> None:
    with _pg(initialised) as conn:
        tables = conn.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema IN ('pricing', 'resale') OR table_name = 'dbz_signal'"
        ).fetchall()
        assert {t[0] for t in tables} == {*pricing.TABLES, pricing.SIGNAL_TABLE}
        identity = dict(
            conn.execute(
                "SELECT n.nspname || '.' || c.relname, c.relreplident FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('pricing', 'resale') AND c.relkind = 'r'"
            ).fetchall()
        )
        assert identity == {
            "pricing.price_level": "f",
            "pricing.package": "f",
            "resale.listing": "f",
            "resale.sale": "d",
        }
        published = conn.execute(
            "SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = %s",
            (pricing.PUBLICATION,),
        ).fetchall()
        assert {p[0] for p in published} == {*pricing.TABLES, pricing.SIGNAL_TABLE}
        owner = conn.execute(
            "SELECT r.rolsuper FROM pg_publication p JOIN pg_roles r ON r.oid = p.pubowner WHERE p.pubname = %s",
            (pricing.PUBLICATION,),
        ).fetchone()
        assert owner == (True,)


def test_pricing_capture_role_has_exactly_the_documented_privileges(initialised: StackSettings) -> None:
    with _pg(initialised) as conn:
        role = conn.execute(
            "SELECT rolcanlogin, rolreplication, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = 'debezium'"
        ).fetchone()
        assert role == (True, True, False, False, False)
        for table in (*pricing.TABLES, pricing.SIGNAL_TABLE):
            writes = SIGNAL_PRIVILEGES if table == pricing.SIGNAL_TABLE else ()
            for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"):
                held = conn.execute(
                    "SELECT has_table_privilege('debezium', %s, %s)", (table, privilege)
                ).fetchone()
                assert held == (privilege == "SELECT" or privilege in writes,), (table, privilege)
        for schema in ("pricing", "resale", "public"):
            assert conn.execute(
                "SELECT has_schema_privilege('debezium', %s, 'USAGE')", (schema,)
            ).fetchone() == (True,)
            assert conn.execute(
                "SELECT has_schema_privilege('debezium', %s, 'CREATE')", (schema,)
            ).fetchone() == (False,)
    password = initialised.secrets.debezium_password.get_secret_value()
    with _pg(initialised, user="debezium", password=password) as conn:
        conn.execute("SELECT count(*) FROM resale.listing")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM pricing.price_level")


def _maria_snapshot(settings: StackSettings) -> dict[str, object]:
    return {
        "binlog": _maria_rows(settings, "SHOW MASTER STATUS"),
        "tables": _maria_rows(
            settings,
            "SELECT TABLE_SCHEMA, TABLE_NAME, CREATE_TIME, TABLE_COLLATION FROM information_schema.TABLES "
            "WHERE TABLE_SCHEMA = %s ORDER BY 2",
            box_office.DATABASE,
        ),
        "columns": _maria_rows(
            settings,
            "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT FROM information_schema.COLUMNS "
            "WHERE TABLE_SCHEMA = %s ORDER BY 1, 2",
            box_office.DATABASE,
        ),
        "users": _maria_rows(
            settings, "SELECT Host, authentication_string FROM mysql.user WHERE User = 'debezium' ORDER BY 1"
        ),
        "grants": [_grants(settings, host) for host in ("127.0.0.1", "localhost")],
    }


def _pg_snapshot(settings: StackSettings) -> dict[str, object]:
    with _pg(settings) as conn:
        return {
            "relations": conn.execute(
                "SELECT c.oid::regclass::text, c.xmin::text, c.relacl::text, c.relreplident FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('pricing', 'resale', 'public') "
                "ORDER BY 1"
            ).fetchall(),
            "schemas": conn.execute(
                "SELECT nspname, xmin::text, nspacl::text FROM pg_namespace ORDER BY 1"
            ).fetchall(),
            "role": conn.execute(
                "SELECT xmin::text, rolpassword FROM pg_authid WHERE rolname = 'debezium'"
            ).fetchall(),
            "database": conn.execute(
                "SELECT xmin::text, datacl::text FROM pg_database WHERE datname = %s", (pricing.DATABASE,)
            ).fetchall(),
            "publication": conn.execute(
                "SELECT p.xmin::text, r.prrelid::regclass::text, r.xmin::text FROM pg_publication p "
                "JOIN pg_publication_rel r ON r.prpubid = p.oid WHERE p.pubname = %s ORDER BY 2",
                (pricing.PUBLICATION,),
            ).fetchall(),
        }


def test_a_second_run_changes_nothing(initialised: StackSettings) -> None:
    maria_before, pg_before = _maria_snapshot(initialised), _pg_snapshot(initialised)
    result = _init()
    assert "nothing to do" in result.stdout
    assert "created" not in result.stdout and "updated" not in result.stdout
    # compared without printing: the snapshots hold password verifiers
    assert _pg_snapshot(initialised) == pg_before, "pricing catalog changed"
    assert _maria_snapshot(initialised) == maria_before, "box office catalog or binlog changed"


def test_a_changed_password_is_applied_and_restored(initialised: StackSettings) -> None:
    original = initialised.secrets.debezium_password.get_secret_value()
    other = "Other-" + original[::-1]
    try:
        result = _init(env={"INVENTORY_CDC_DEBEZIUM_PASSWORD": other})
        assert result.stdout.count("updated") >= 3  # two MariaDB accounts, one PostgreSQL role
        _maria(initialised, "debezium", other).close()
        _pg(initialised, user="debezium", password=other).close()
    finally:
        _init()
    _maria(initialised, "debezium", original).close()
    _pg(initialised, user="debezium", password=original).close()
    assert other not in result.output and original not in result.output
