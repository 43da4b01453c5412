"""Fixtures for connector tests against the live stack: unique specs, the CLI, databases, and cleanup.

Every test connector gets its own name, topic prefix, replication slot (PostgreSQL) or replica id (MariaDB),
and is deleted afterwards with its slot and topics. Every CLI invocation is checked for secrets: the capture
password and the PII salt must never appear in what a user sees.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pymysql
import pytest
import yaml
from confluent_kafka import Consumer
from typer.testing import CliRunner, Result

from cli.main import app
from connectors.connect_client import ConnectClient
from connectors.loader import builtin_specs, load_spec, override
from connectors.sources.postgres import drop_replication_slot
from connectors.spec import ConnectorSpec
from legacy_adapters.box_office import SESSION_SQL_MODE
from stack.settings import StackSettings
from tests.support import delete_topics, unique

#: a fixed PII salt for the test session (the CLI reads the variable the specs name)
TEST_SALT = "test-salt-" + os.urandom(8).hex()


@dataclass(frozen=True)
class SpecFile:
    spec: ConnectorSpec
    path: Path

    @property
    def name(self) -> str:
        return self.spec.name


class Cli:
    """``inventory-cdc`` in-process, with wide output; every result is checked for leaked secrets."""

    def __init__(self, settings: StackSettings) -> None:
        self.runner = CliRunner()
        self.secrets = [settings.secrets.debezium_password.get_secret_value(), TEST_SALT]
        self.env = {"COLUMNS": "220", "INVENTORY_CDC_PII_SALT": TEST_SALT}

    def __call__(self, *args: str, code: int | None = 0) -> Result:
        result = self.runner.invoke(app, ["connectors", *args], env=self.env)
        for secret in self.secrets:
            assert secret not in result.output, f"a secret leaked into the output of {args}"
        if code is not None:
            assert result.exit_code == code, f"exit {result.exit_code} for {args}:\n{result.output}"
        return result

    def json(self, *args: str) -> Any:
        return orjson.loads(self(*args, "-o", "json").stdout)


@pytest.fixture(scope="session")
def cli(stack_settings: StackSettings) -> Cli:
    return Cli(stack_settings)


@pytest.fixture(scope="session")
def legacy_ready(stack_settings: StackSettings) -> StackSettings:
    """The legacy databases, capture user, signal tables and publication exist (``legacy init``)."""
    result = CliRunner().invoke(app, ["legacy", "init", "box_office"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["legacy", "init", "pricing"])
    assert result.exit_code == 0, result.output
    return stack_settings


@pytest.fixture()
def connect(stack_settings: StackSettings) -> Iterator[ConnectClient]:
    with ConnectClient(stack_settings.connect_url) as client:
        yield client


def drop_slot(settings: StackSettings, slot: str) -> None:
    """Drop a replication slot once its connector let go of it (a forgotten slot pins WAL forever)."""
    with pg_admin(settings, "postgres") as conn:
        drop_replication_slot(conn, slot)


@pytest.fixture()
def make_spec(
    legacy_ready: StackSettings, tmp_path: Path, connect: ConnectClient
) -> Iterator[Callable[..., SpecFile]]:
    """``make_spec("pricing", **{"tables": [...]})``: a builtin spec with a unique name, prefix and slot or
    replica id, written to a YAML file of its own; ``name=`` gives another version of an earlier spec."""
    made: list[ConnectorSpec] = []

    def make(system: str, name: str | None = None, **changes: Any) -> SpecFile:
        base = load_spec(builtin_specs()[system], os.environ)
        name = name or unique(f"t{system[:3]}")
        updates: dict[str, Any] = {"name": name, "topic_prefix": name}
        if system == "pricing":
            updates["postgresql.slot"] = name
        if system == "box_office":
            updates["mysql.server_id"] = random.randint(100_000, 4_000_000)
        updates.update({k.replace("__", "."): v for k, v in changes.items()})
        spec = override(base, updates)
        path = tmp_path / f"{name}-{len(made)}.yaml"
        path.write_text(yaml.safe_dump(spec.model_dump(mode="json"), sort_keys=False))
        made.append(spec)
        return SpecFile(spec, path)

    yield make
    for name in dict.fromkeys(s.name for s in made):
        with contextlib.suppress(Exception):  # cleanup continues whatever failed first
            # stopped first, so no task still producing re-creates a topic deleted below
            connect.stop(name)
            connect.wait_running(name, timeout_s=60, wanted="STOPPED")
        with contextlib.suppress(Exception):
            connect.delete(name)
    for spec in {s.name: s for s in made}.values():
        if spec.postgresql is not None:
            drop_slot(legacy_ready, spec.postgresql.slot)
    for prefix in {s.topic_prefix for s in made}:
        delete_topics(legacy_ready.kafka_bootstrap, f"{prefix}.")
        delete_topics(legacy_ready.kafka_bootstrap, f"__debezium-heartbeat.{prefix}")


@contextlib.contextmanager
def pg_admin(settings: StackSettings, database: str = "pricing") -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(
        host=settings.host,
        port=settings.postgres_port,
        user="postgres",
        password=settings.secrets.postgres_password.get_secret_value(),
        dbname=database,
        autocommit=True,
    ) as conn:
        yield conn


@contextlib.contextmanager
def mariadb_root(settings: StackSettings) -> Iterator[pymysql.cursors.Cursor]:
    conn = pymysql.connect(
        host=settings.host,
        port=settings.mariadb_port,
        user="root",
        password=settings.secrets.mariadb_root_password.get_secret_value(),
        autocommit=True,
        charset="utf8mb4",
    )
    try:
        with conn.cursor() as cur:
            cur.execute(f"SET SESSION sql_mode = '{SESSION_SQL_MODE}'")
            yield cur
    finally:
        conn.close()


def read_until(
    bootstrap: str, topic: str, done: Callable[[list[dict[str, Any]]], bool], timeout_s: float = 90.0
) -> list[dict[str, Any]]:
    """Change-event payloads from the start of ``topic`` until ``done(events)`` holds (or the timeout)."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": unique("test"),
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "log_level": 0,
        }
    )
    consumer.subscribe([topic])
    events: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_s
    try:
        while not done(events) and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None or msg.error() or msg.value() is None:
                continue
            envelope = orjson.loads(msg.value())
            events.append(envelope.get("payload", envelope))
    finally:
        consumer.close()
    return events
