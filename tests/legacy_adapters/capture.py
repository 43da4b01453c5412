"""Live capture for adapter tests: scratch databases captured by real Debezium connectors, records read back.

Each capture gets unique names (database, capture user or role, topic prefix, replication slot, publication)
and removes all of them afterwards, also when the test fails. Connectors are registered through Connect's REST
API with :func:`pipelines.debezium.capture.capture_config`, the settings the adapters are written for; the
capture password reaches Connect only as a ``${file:...}`` reference.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pymysql
from confluent_kafka import Consumer, KafkaError
from sqlalchemy.engine import make_url

from connectors.connect_client import ConnectClient
from connectors.sources.postgres import drop_replication_slot
from legacy_adapters import box_office, pricing
from legacy_adapters.box_office.install import install as install_box_office
from legacy_adapters.pricing.install import install as install_pricing
from pipelines.debezium.capture import capture_config
from stack.settings import StackSettings
from tests.support import delete_topics, unique


@dataclass(frozen=True)
class RawRecord:
    """One Kafka record as a consumer sees it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


@dataclass
class Capture:
    """A running capture: where its records go and how to reach the scratch database."""

    name: str
    database: str
    prefix: str
    topics: list[str]
    bootstrap: str
    connect: ConnectClient
    connection: Callable[[], Any]
    #: how the transaction topic names this capture's tables (``<database>.`` for MariaDB, ``''`` for PostgreSQL)
    collection_prefix: str = ""
    seen: list[RawRecord] = field(default_factory=list)

    @property
    def transaction_topic(self) -> str:
        return f"{self.prefix}.transaction"

    def read_transactions(self, count: int, timeout_s: float = 300.0) -> list[RawRecord]:
        """Every record, once ``count`` transactions of ours have ENDed and all their changes have arrived.

        The MariaDB connector writes BEGIN/END for every transaction in the server's binlog, also other
        databases' (with no data collections): only ENDs naming a table of ours count.
        """

        def ours(end: dict[str, Any]) -> bool:
            return any(
                d["data_collection"].startswith(self.collection_prefix) for d in end["data_collections"] or ()
            )

        progress: dict[str, int] = {}

        def complete(records: list[RawRecord]) -> bool:
            ends = [
                json.loads(r.value)["payload"]
                for r in records
                if r.topic == self.transaction_topic and r.value
            ]
            # deduplicated: a connector task restarted by a Connect rebalance sends some records again
            ends = list({e["id"]: e for e in ends if e["status"] == "END" and ours(e)}.values())
            changes = [
                json.loads(r.value)["payload"]
                for r in records
                if r.topic != self.transaction_topic and r.value
            ]
            blocks = {
                (c["transaction"]["id"], c["transaction"]["total_order"]) for c in changes if c["transaction"]
            }
            streamed = len(blocks)
            progress.update(ends=len(ends), counted=sum(e["event_count"] for e in ends), streamed=streamed)
            return len(ends) >= count and streamed >= progress["counted"]

        try:
            return self.read(complete, timeout_s)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; transactions ended: {progress} of {count}") from None

    def read(self, until: Callable[[list[RawRecord]], bool], timeout_s: float = 120.0) -> list[RawRecord]:
        """Every record of the capture's topics from the start, once ``until(records)`` holds (or fail)."""
        consumer = Consumer(
            {
                "bootstrap.servers": self.bootstrap,
                "group.id": unique("adapter_test"),
                "auto.offset.reset": "earliest",
                "enable.auto.commit": False,
                "isolation.level": "read_committed",
                "topic.metadata.refresh.interval.ms": 1000,
                "log_level": 0,
            }
        )
        consumer.subscribe([*self.topics, self.transaction_topic])
        records: list[RawRecord] = []
        deadline = time.monotonic() + timeout_s
        checked = 0.0
        try:
            while True:
                now = time.monotonic()
                if now > deadline:
                    self.seen = records
                    topics = sorted({r.topic for r in records})
                    raise AssertionError(
                        f"capture {self.name}: condition not met; {len(records)} records read: {topics}"
                    )
                msg = consumer.poll(0.5)
                if msg is None or now - checked > 2.0:
                    checked = now  # checked when idle, and every 2 s while records keep coming
                    if until(records):
                        break
                if msg is None:
                    continue
                if msg.error():
                    if msg.error().code() in (KafkaError._PARTITION_EOF, KafkaError.UNKNOWN_TOPIC_OR_PART):
                        continue
                    raise RuntimeError(str(msg.error()))
                records.append(RawRecord(msg.topic(), msg.partition(), msg.offset(), msg.key(), msg.value()))
        finally:
            consumer.close()
        self.seen = records
        return records


def _remove_connector(connect: ConnectClient, name: str) -> None:
    """Delete the connector and wait until its task has stopped (a task still running re-creates topics)."""
    with contextlib.suppress(Exception):
        connect.delete(name)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and name in connect.connectors():
        time.sleep(0.5)
    time.sleep(2)  # the task's producer flushes what it had in hand before it closes


def _secret_file(directory: Path, password: str) -> str:
    path = directory / f"capture-{os.getpid()}-{random.randint(0, 1 << 30)}.properties"
    path.write_text(f"password={password}\n")
    path.chmod(0o600)
    return f"${{file:{path}:password}}"


def _mariadb_admin(settings: StackSettings, database: str | None = None) -> pymysql.Connection[Any]:
    return pymysql.connect(
        host=settings.host,
        port=settings.mariadb_port,
        user="root",
        password=settings.secrets.mariadb_root_password.get_secret_value(),
        database=database,
        charset="utf8mb4",
        autocommit=False,
        init_command=f"SET SESSION sql_mode = '{box_office.SESSION_SQL_MODE}'",
    )


@contextlib.contextmanager
def box_office_capture(
    settings: StackSettings,
    tmp_path: Path,
    *,
    extra_config: dict[str, str] | None = None,
) -> Iterator[Capture]:
    """A scratch box-office database captured by the real MariaDB connector (streaming once this yields)."""
    name = unique("bocap")
    database = name
    install_box_office(
        make_url(settings.mariadb_url()),
        settings.secrets.debezium_password,
        database=database,
        capture_user=False,
    )
    password = os.urandom(12).hex()
    admin = _mariadb_admin(settings)
    with admin.cursor() as cur:
        cur.execute(f"CREATE USER '{name}'@'{settings.host}' IDENTIFIED BY %s", (password,))
        cur.execute(
            "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR "
            f"ON *.* TO '{name}'@'{settings.host}'"
        )
        # a seed signal row: its snapshot read proves the connector streams before a test writes
        cur.execute(f"INSERT INTO `{database}`.DBZ_SIGNAL (id, type, data) VALUES ('seed', 'seed', NULL)")
    admin.commit()
    tables = [*box_office.TABLES, box_office.SIGNAL_TABLE]
    config = {
        "connector.class": "io.debezium.connector.mariadb.MariaDbConnector",
        "database.hostname": settings.host,
        "database.port": str(settings.mariadb_port),
        "database.user": name,
        "database.password": _secret_file(tmp_path, password),
        "database.server.id": str(random.randint(10_000, 4_000_000)),
        "topic.prefix": name,
        "database.include.list": database,
        "table.include.list": ",".join(f"{database}.{t}" for t in tables),
        "schema.history.internal.kafka.bootstrap.servers": settings.kafka_bootstrap,
        "schema.history.internal.kafka.topic": f"{name}.schema-history",
        "include.schema.changes": "false",
        "snapshot.mode": "initial",
        "snapshot.locking.mode": "none",
        "tasks.max": "1",
        **capture_config("mariadb"),
        **(extra_config or {}),
    }
    connect = ConnectClient(settings.connect_url)
    capture = Capture(
        name=name,
        database=database,
        prefix=name,
        topics=[f"{name}.{database}.{t}" for t in tables],
        bootstrap=settings.kafka_bootstrap,
        connect=connect,
        connection=lambda: _mariadb_admin(settings, database),
        collection_prefix=f"{database}.",
    )
    try:
        connect.put_config(name, config)
        connect.wait_running(name)
        signal_topic = f"{name}.{database}.{box_office.SIGNAL_TABLE}"
        capture.read(lambda rs: any(r.topic == signal_topic for r in rs))
        yield capture
    finally:
        _remove_connector(connect, name)
        connect.close()
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{database}`")
            cur.execute(f"DROP USER IF EXISTS '{name}'@'{settings.host}'")
        admin.commit()
        admin.close()
        delete_topics(settings.kafka_bootstrap, name)


def _postgres_params(settings: StackSettings) -> dict[str, Any]:
    return {
        "host": settings.host,
        "port": settings.postgres_port,
        "user": "postgres",
        "password": settings.secrets.postgres_password.get_secret_value(),
    }


@contextlib.contextmanager
def pricing_capture(settings: StackSettings, tmp_path: Path) -> Iterator[Capture]:
    """A scratch pricing database captured by the real PostgreSQL connector (streaming once this yields)."""
    name = unique("prcap")
    database = name
    install_pricing(
        make_url(settings.postgres_url()),
        settings.secrets.debezium_password,
        database=database,
        capture_user=False,
    )
    password = os.urandom(12).hex()
    params = _postgres_params(settings)
    tables: Sequence[str] = [*pricing.TABLES, pricing.SIGNAL_TABLE]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f"CREATE ROLE {name} LOGIN REPLICATION PASSWORD '{password}'")
    with psycopg.connect(dbname=database, autocommit=True, **params) as conn:
        conn.execute(f"GRANT USAGE ON SCHEMA pricing, resale TO {name}")
        conn.execute(f"GRANT SELECT ON {', '.join(tables)} TO {name}")
        conn.execute(f"CREATE PUBLICATION {name} FOR TABLE {', '.join(tables)}")
        conn.execute("INSERT INTO public.dbz_signal (id, type, data) VALUES ('seed', 'seed', NULL)")
    config = {
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        "database.hostname": settings.host,
        "database.port": str(settings.postgres_port),
        "database.user": name,
        "database.password": _secret_file(tmp_path, password),
        "database.dbname": database,
        "topic.prefix": name,
        "plugin.name": "pgoutput",
        "slot.name": name,
        "publication.name": name,
        "publication.autocreate.mode": "disabled",
        "table.include.list": ",".join(tables),
        "snapshot.mode": "initial",
        "tasks.max": "1",
        **capture_config("postgresql"),
    }
    connect = ConnectClient(settings.connect_url)
    capture = Capture(
        name=name,
        database=database,
        prefix=name,
        topics=[f"{name}.{t}" for t in tables],
        bootstrap=settings.kafka_bootstrap,
        connect=connect,
        connection=lambda: psycopg.connect(dbname=database, **params),
    )
    try:
        connect.put_config(name, config)
        connect.wait_running(name)
        signal_topic = f"{name}.{pricing.SIGNAL_TABLE}"
        capture.read(lambda rs: any(r.topic == signal_topic for r in rs))
        yield capture
    finally:
        _remove_connector(connect, name)
        connect.close()
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
            drop_replication_slot(conn, name)  # the slot outlives the connector and pins WAL until dropped
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.execute(f"DROP ROLE IF EXISTS {name}")
        delete_topics(settings.kafka_bootstrap, name)
