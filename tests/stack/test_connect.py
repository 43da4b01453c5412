"""Kafka Connect runs with the Debezium plugins, and connectors registered through its REST API capture changes."""

from __future__ import annotations

import contextlib
import os
import random
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pymysql
import pytest
from confluent_kafka.admin import AdminClient, ConfigResource

from connectors.connect_client import ConnectClient
from connectors.sources.postgres import drop_replication_slot
from stack.settings import StackSettings
from tests.support import consume_change_events, delete_topics, unique

pytestmark = pytest.mark.stack


@pytest.fixture()
def connect(stack_settings: StackSettings) -> Iterator[ConnectClient]:
    with ConnectClient(stack_settings.connect_url) as client:
        yield client


def _secret_file(tmp_path: Path, password: str) -> Path:
    """The capture password as Connect's FileConfigProvider reads it (the config holds only a reference)."""
    path = tmp_path / "capture.properties"
    path.write_text(f"password={password}\n")
    path.chmod(0o600)
    return path


def test_connect_lists_the_debezium_connector_classes(connect: ConnectClient) -> None:
    classes = {p["class"] for p in connect.plugins()}
    assert {
        "io.debezium.connector.postgresql.PostgresConnector",
        "io.debezium.connector.mysql.MySqlConnector",
        "io.debezium.connector.mariadb.MariaDbConnector",
        "io.debezium.connector.sqlserver.SqlServerConnector",
    } <= classes


def _assert_crud(events: list[dict], key: str) -> None:
    """Snapshot row, then insert, update and delete of one row, with the right before/after images."""
    ops = [e["op"] for e in events]
    assert ops == ["r", "c", "u", "d"], ops
    snap, ins, upd, dele = events
    assert snap["after"] == {key: 1, "name": "seed", "qty": 0}
    assert ins["before"] is None
    assert ins["after"] == {key: 2, "name": "Café Ωmega", "qty": 4}
    assert upd["before"] == {key: 2, "name": "Café Ωmega", "qty": 4}
    assert upd["after"] == {key: 2, "name": "Café Ωmega", "qty": 3}
    assert dele["before"] == {key: 2, "name": "Café Ωmega", "qty": 3}
    assert dele["after"] is None


def test_postgres_connector_captures_insert_update_delete(
    stack_settings: StackSettings, connect: ConnectClient, tmp_path: Path
) -> None:
    name = unique("pgcap")
    password = os.urandom(12).hex()
    admin_url = dict(
        host=stack_settings.host,
        port=stack_settings.postgres_port,
        user="postgres",
        password=stack_settings.secrets.postgres_password.get_secret_value(),
    )
    with psycopg.connect(**admin_url, dbname="postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
        conn.execute(f"CREATE ROLE {name} LOGIN REPLICATION PASSWORD '{password}'")
    try:
        with psycopg.connect(**admin_url, dbname=name, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE public.item (id int PRIMARY KEY, name text NOT NULL, qty int NOT NULL)"
            )
            # full before-images on update and delete
            conn.execute("ALTER TABLE public.item REPLICA IDENTITY FULL")
            conn.execute(f"GRANT SELECT ON public.item TO {name}")
            conn.execute(f"CREATE PUBLICATION {name} FOR TABLE public.item")
            conn.execute("INSERT INTO public.item VALUES (1, 'seed', 0)")
        config = {
            "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
            "database.hostname": stack_settings.host,
            "database.port": str(stack_settings.postgres_port),
            "database.user": name,
            "database.password": f"${{file:{_secret_file(tmp_path, password)}:password}}",
            "database.dbname": name,
            "topic.prefix": name,
            "plugin.name": "pgoutput",
            "slot.name": name,
            "publication.name": name,
            "publication.autocreate.mode": "disabled",
            "table.include.list": "public.item",
            "snapshot.mode": "initial",
            "tasks.max": "1",
        }
        connect.put_config(name, config)
        connect.wait_running(name)
        topic = f"{name}.public.item"
        # the snapshot row proves streaming has begun before the changes are made
        assert [e["op"] for e in consume_change_events(stack_settings.kafka_bootstrap, topic, 1)] == ["r"]
        with psycopg.connect(**admin_url, dbname=name, autocommit=True) as conn:
            conn.execute("INSERT INTO public.item VALUES (2, 'Café Ωmega', 4)")
            conn.execute("UPDATE public.item SET qty = 3 WHERE id = 2")
            conn.execute("DELETE FROM public.item WHERE id = 2")
        events = consume_change_events(stack_settings.kafka_bootstrap, topic, 4)
        _assert_crud(events, "id")
        assert all(e["source"]["connector"] == "postgresql" for e in events)
        # Connect stores only the reference, never the password itself
        assert password not in str(connect.config(name))
    finally:
        with contextlib.suppress(Exception):  # cleanup continues whatever failed first
            connect.delete(name)
        with psycopg.connect(**admin_url, dbname="postgres", autocommit=True) as conn:
            # the slot outlives the connector; a forgotten slot pins WAL forever
            drop_replication_slot(conn, name)
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"DROP ROLE IF EXISTS {name}")
        delete_topics(stack_settings.kafka_bootstrap, name)


def test_mariadb_connector_captures_insert_update_delete(
    stack_settings: StackSettings, connect: ConnectClient, tmp_path: Path
) -> None:
    name = unique("mdbcap")
    password = os.urandom(12).hex()
    conn = pymysql.connect(
        host=stack_settings.host,
        port=stack_settings.mariadb_port,
        user="root",
        password=stack_settings.secrets.mariadb_root_password.get_secret_value(),
        autocommit=True,
        charset="utf8mb4",
    )
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE {name}")
            cur.execute(
                f"CREATE TABLE {name}.item (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL, qty INT NOT NULL) "
                "DEFAULT CHARSET=utf8mb4"
            )
            cur.execute(f"INSERT INTO {name}.item VALUES (1, 'seed', 0)")
            cur.execute(f"CREATE USER '{name}'@'{stack_settings.host}' IDENTIFIED BY %s", (password,))
            cur.execute(
                "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR "
                f"ON *.* TO '{name}'@'{stack_settings.host}'"
            )
        config = {
            "connector.class": "io.debezium.connector.mariadb.MariaDbConnector",
            "database.hostname": stack_settings.host,
            "database.port": str(stack_settings.mariadb_port),
            "database.user": name,
            "database.password": f"${{file:{_secret_file(tmp_path, password)}:password}}",
            "database.server.id": str(random.randint(10_000, 4_000_000)),
            "topic.prefix": name,
            "database.include.list": name,
            "table.include.list": f"{name}.item",
            "schema.history.internal.kafka.bootstrap.servers": stack_settings.kafka_bootstrap,
            "schema.history.internal.kafka.topic": f"{name}.schema-history",
            "snapshot.mode": "initial",
            "snapshot.locking.mode": "none",
            "tasks.max": "1",
        }
        connect.put_config(name, config)
        connect.wait_running(name)
        topic = f"{name}.{name}.item"
        assert [e["op"] for e in consume_change_events(stack_settings.kafka_bootstrap, topic, 1)] == ["r"]
        with conn.cursor() as cur:
            cur.execute(f"INSERT INTO {name}.item VALUES (2, 'Café Ωmega', 4)")
            cur.execute(f"UPDATE {name}.item SET qty = 3 WHERE id = 2")
            cur.execute(f"DELETE FROM {name}.item WHERE id = 2")
        events = consume_change_events(stack_settings.kafka_bootstrap, topic, 4)
        _assert_crud(events, "id")
        assert all(e["source"]["connector"] == "mariadb" for e in events)
    finally:
        with contextlib.suppress(Exception):  # cleanup continues whatever failed first
            connect.delete(name)
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {name}")
            cur.execute(f"DROP USER IF EXISTS '{name}'@'{stack_settings.host}'")
        conn.close()
        delete_topics(stack_settings.kafka_bootstrap, name)


def test_connect_internal_topics_are_compacted(stack_settings: StackSettings) -> None:
    """Connect's config, offset and status topics must be compacted, or connector state is lost over time."""
    admin = AdminClient({"bootstrap.servers": stack_settings.kafka_bootstrap, "log_level": 0})
    names = ("_connect-configs", "_connect-offsets", "_connect-status")
    resources = [ConfigResource(ConfigResource.Type.TOPIC, name) for name in names]
    for resource, future in admin.describe_configs(resources).items():
        config = future.result()
        assert config["cleanup.policy"].value == "compact", resource
    metadata = admin.list_topics(timeout=10)
    assert len(metadata.topics["_connect-configs"].partitions) == 1  # Connect requires exactly one
