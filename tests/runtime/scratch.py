"""Scratch legacy databases for runtime tests, and connector specs that capture them under unique names.

One :class:`Scratch` holds a box-office (MariaDB) and a pricing (PostgreSQL) database made by the legacy
installers, a capture user for each (password in a ``${file:...}`` properties file that both the Connect worker
and the embedded engine read), and one publication. Every spec written for it gets its own topic prefix,
replication slot and binlog server id, so several captures (Kafka connectors, embedded engines) read the same
databases side by side. :meth:`Scratch.close` removes connectors, slots, databases, users and topics.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
from pathlib import Path
from typing import Any

import psycopg
import pymysql
import yaml
from sqlalchemy.engine import make_url

from cli.wiring import connector_config
from connectors.connect_client import ConnectClient
from connectors.loader import load_spec
from connectors.sources.postgres import drop_replication_slot
from connectors.spec import ConnectorSpec
from legacy_adapters import box_office, pricing
from legacy_adapters.box_office.install import install as install_box_office
from legacy_adapters.pricing.install import install as install_pricing
from stack.settings import StackSettings
from tests.support import delete_topics, unique


class Scratch:
    """See the module docstring."""

    def __init__(self, settings: StackSettings, directory: Path, tag: str = "rt") -> None:
        self.settings = settings
        self.dir = directory
        self.name = unique(tag)
        self.password = os.urandom(12).hex()
        self.secret = directory / "capture.properties"
        self.secret.write_text(f"password={self.password}\n")
        self.secret.chmod(0o600)
        self.prefixes: list[str] = []
        self.slots: list[str] = []
        self.connectors: list[str] = []
        self.connect = ConnectClient(settings.connect_url)
        url = make_url
        install_box_office(
            url(settings.mariadb_url()),
            settings.secrets.debezium_password,
            database=self.name,
            capture_user=False,
        )
        install_pricing(
            url(settings.postgres_url()),
            settings.secrets.debezium_password,
            database=self.name,
            capture_user=False,
        )
        with self.maria() as conn, conn.cursor() as cur:
            cur.execute(f"CREATE USER '{self.name}'@'{settings.host}' IDENTIFIED BY %s", (self.password,))
            cur.execute(
                "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR "
                f"ON *.* TO '{self.name}'@'{settings.host}'"
            )
        tables = [*pricing.TABLES, pricing.SIGNAL_TABLE]
        with self.pg("postgres") as conn:
            conn.execute(f"CREATE ROLE {self.name} LOGIN REPLICATION PASSWORD '{self.password}'")
        with self.pg(self.name) as conn:
            conn.execute(f"GRANT USAGE ON SCHEMA pricing, resale TO {self.name}")
            conn.execute(f"GRANT SELECT ON {', '.join(tables)} TO {self.name}")
            conn.execute(f"CREATE PUBLICATION {self.name} FOR TABLE {', '.join(tables)}")

    # -- connections --------------------------------------------------------------------------------------------
    def maria(self) -> Any:
        return pymysql.connect(
            host=self.settings.host,
            port=self.settings.mariadb_port,
            user="root",
            password=self.settings.secrets.mariadb_root_password.get_secret_value(),
            autocommit=True,
            init_command=f"SET SESSION sql_mode = '{box_office.SESSION_SQL_MODE}'",
        )

    def pg(self, database: str) -> psycopg.Connection[Any]:
        return psycopg.connect(
            host=self.settings.host,
            port=self.settings.postgres_port,
            user="postgres",
            password=self.settings.secrets.postgres_password.get_secret_value(),
            dbname=database,
            autocommit=True,
        )

    # -- specs ----------------------------------------------------------------------------------------------------
    def specs(self, label: str) -> list[Path]:
        """Spec files (box office, pricing) capturing the scratch databases under prefixes ``<name>_<label>_*``."""
        paths = []
        for system in ("box_office", "pricing"):
            prefix = f"{self.name}_{label}_{'bo' if system == 'box_office' else 'pr'}"
            self.prefixes.append(prefix)
            raw = yaml.safe_load((Path("connectors/specs") / f"{system}.yaml").read_text())
            raw["name"] = prefix
            raw["topic_prefix"] = prefix
            raw["connection"]["database"] = self.name
            raw["connection"]["user"] = self.name
            raw["connection"]["password"] = f"${{file:{self.secret}:password}}"
            if system == "box_office":
                raw["tables"] = [f"{self.name}.{t}" for t in box_office.TABLES]
                raw["signal_table"] = f"{self.name}.{box_office.SIGNAL_TABLE}"
                raw["pii"]["hash"] = [f"{self.name}.ORD_HDR.BUYER_NM"]
                raw["mysql"]["server_id"] = random.randint(10_000, 4_000_000)
                raw["mysql"]["snapshot_locking"] = "none"
            else:
                raw["postgresql"]["slot"] = prefix
                raw["postgresql"]["publication"] = self.name
                self.slots.append(prefix)
            path = self.dir / f"{prefix}.yaml"
            path.write_text(yaml.safe_dump(raw))
            paths.append(path)
        return paths

    def load(self, path: Path) -> ConnectorSpec:
        return load_spec(path, os.environ)

    def start_connectors(self, specs: list[Path]) -> None:
        """Register Kafka connectors for ``specs`` (the same config the embedded engine runs)."""
        for path in specs:
            spec = self.load(path)
            self.connect.put_config(spec.name, connector_config(spec, self.settings, resolve_password=False))
            self.connectors.append(spec.name)
        for name in self.connectors:
            self.connect.wait_running(name)

    def signal(self, marker: str) -> None:
        """A row in both signal tables (Debezium ignores unknown signal types): it marks a point in each log."""
        with self.maria() as conn, conn.cursor() as cur:
            cur.execute(
                f"INSERT INTO `{self.name}`.DBZ_SIGNAL (id, type, data) VALUES (%s, 'marker', NULL)",
                (marker,),
            )
        with self.pg(self.name) as conn:
            conn.execute(
                "INSERT INTO public.dbz_signal (id, type, data) VALUES (%s, 'marker', NULL)", (marker,)
            )

    def close(self) -> None:
        for name in self.connectors:
            with contextlib.suppress(Exception):
                self.connect.delete(name)
        self.connect.close()
        with self.pg("postgres") as conn:
            for slot in self.slots:
                drop_replication_slot(conn, slot)  # a forgotten slot pins WAL forever
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            conn.execute(f"DROP ROLE IF EXISTS {self.name}")
        with self.maria() as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{self.name}`")
            cur.execute(f"DROP USER IF EXISTS '{self.name}'@'{self.settings.host}'")
        # twice: a connector's last in-flight records can re-create a topic just after its deletion
        for _ in range(2):
            for prefix in self.prefixes:
                delete_topics(self.settings.kafka_bootstrap, prefix)
            delete_topics(self.settings.kafka_bootstrap, self.name)
            time.sleep(3)
        delete_groups(self.settings.kafka_bootstrap, self.name)


def delete_groups(bootstrap: str, prefix: str) -> None:
    """Delete the consumer groups whose id starts with ``prefix``."""
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0})
    listed = admin.list_consumer_groups(request_timeout=10).result()
    groups = [g.group_id for g in listed.valid if g.group_id.startswith(prefix)]
    if groups:
        for future in admin.delete_consumer_groups(groups, request_timeout=30).values():
            with contextlib.suppress(Exception):
                future.result()
