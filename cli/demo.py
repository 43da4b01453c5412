"""``inventory-cdc demo``: the stack up, the legacy databases created, and one row change per live database
followed from its commit to its Debezium change event on Kafka, and through its system's adapter to the
canonical events it becomes.

The demo's connectors capture with the settings the normalizer decodes (:func:`capture_config`), except that
they leave transaction metadata off: each demo change is one row, mapped as soon as it arrives.

The demo registers its own connectors (``demo-box-office``, ``demo-pricing``) with their own topic prefixes and
replication slot, so it never disturbs connectors applied from the specs, and removes them at the end (a
PostgreSQL slot left behind would pin WAL for ever) unless ``--keep``.
"""

from __future__ import annotations

import contextlib
import json
import random
import secrets
import time
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
import orjson
import psycopg
import pymysql
import typer
from confluent_kafka import Consumer, KafkaError
from confluent_kafka.admin import AdminClient
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

from cli.errors import fail, user_errors
from cli.wiring import adapter_factory, pepper
from connectors.connect_client import ConnectClient
from connectors.sources.postgres import drop_replication_slot
from legacy_adapters.registry import get_system, installer
from pipelines.canonical import CanonicalEvent
from pipelines.debezium import ChangeEvent, DebeziumDecoder
from pipelines.debezium.capture import DECODE_OPTIONS, capture_config
from stack.manager import Stack, StartResult
from stack.settings import StackSecrets, StackSettings

console = Console(highlight=False)

PASSWORD_REF = "${env:" + StackSecrets.env_name("debezium_password") + "}"


@dataclass(frozen=True)
class DemoCapture:
    system: str
    adapter: str
    connector: str
    topic: str
    marker_field: str
    marker: str
    config: dict[str, str]


def _box_office(settings: StackSettings, marker: str) -> DemoCapture:
    prefix = "demo_box_office"
    return DemoCapture(
        system="box office (MariaDB)",
        adapter="box_office",
        connector="demo-box-office",
        topic=f"{prefix}.boxoffice.VENUE",
        marker_field="VEN_CD",
        marker=marker,
        config={
            **capture_config("mariadb"),
            "provide.transaction.metadata": "false",
            "connector.class": "io.debezium.connector.mariadb.MariaDbConnector",
            "database.hostname": settings.host,
            "database.port": str(settings.mariadb_port),
            "database.user": "debezium",
            "database.password": PASSWORD_REF,
            "database.server.id": str(random.randint(100_000, 4_000_000)),
            "topic.prefix": prefix,
            "database.include.list": "boxoffice",
            "table.include.list": "boxoffice.VENUE",
            "schema.history.internal.kafka.bootstrap.servers": settings.kafka_bootstrap,
            "schema.history.internal.kafka.topic": f"{prefix}.schema-history",
            "snapshot.mode": "no_data",
            "snapshot.locking.mode": "none",
            "heartbeat.interval.ms": "500",
            "tasks.max": "1",
        },
    )


def _pricing(settings: StackSettings, marker: str) -> DemoCapture:
    prefix = "demo_pricing"
    return DemoCapture(
        system="pricing (PostgreSQL)",
        adapter="pricing",
        connector="demo-pricing",
        topic=f"{prefix}.pricing.price_level",
        marker_field="level_name",
        marker=marker,
        config={
            **capture_config("postgresql"),
            "provide.transaction.metadata": "false",
            "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
            "database.hostname": settings.host,
            "database.port": str(settings.postgres_port),
            "database.user": "debezium",
            "database.password": PASSWORD_REF,
            "database.dbname": "pricing",
            "topic.prefix": prefix,
            "plugin.name": "pgoutput",
            "slot.name": "demo_pricing",
            "publication.name": "dbz_pricing",
            "publication.autocreate.mode": "disabled",
            "table.include.list": "pricing.price_level",
            "snapshot.mode": "no_data",
            "heartbeat.interval.ms": "500",
            "tasks.max": "1",
        },
    )


def _mariadb(settings: StackSettings) -> pymysql.connections.Connection[Any]:
    return pymysql.connect(
        host=settings.host,
        port=settings.mariadb_port,
        user="root",
        password=settings.secrets.mariadb_root_password.get_secret_value(),
        database="boxoffice",
        charset="latin1",
        autocommit=True,
    )


def _postgres(settings: StackSettings) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=settings.host,
        port=settings.postgres_port,
        user="postgres",
        password=settings.secrets.postgres_password.get_secret_value(),
        dbname="pricing",
        autocommit=True,
    )


def _write_box_office(settings: StackSettings, marker: str) -> None:
    conn = _mariadb(settings)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO VENUE (VEN_CD, VEN_NM, CITY_NM, CNTRY_CD, TZ_NM, CAP_QTY, CRT_DT) "
                "VALUES (%s, %s, %s, 'US', 'America/New_York', 1200, NOW())",
                (marker, "Demo Hall", "Brooklyn"),
            )
    finally:
        conn.close()


def _write_pricing(settings: StackSettings, marker: str) -> None:
    with _postgres(settings) as conn:
        conn.execute(
            "INSERT INTO pricing.price_level (event_ref, level_code, level_name, amount, currency, valid_from) "
            "VALUES ('BO-0', 'DEMO', %s, 49.50, 'USD', now())",
            (marker,),
        )


def _consume_marker(settings: StackSettings, capture: DemoCapture, timeout_s: float) -> ChangeEvent | None:
    """The demo row's change event, decoded as the normalizer decodes it."""
    consumer = _consumer(settings, capture.topic)
    decoder = DebeziumDecoder(options=DECODE_OPTIONS)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            error, value = msg.error(), msg.value()
            if error is not None:
                if error.code() in (KafkaError._PARTITION_EOF, KafkaError.UNKNOWN_TOPIC_OR_PART):
                    continue
                raise fail(f"reading {capture.topic}: {error}")
            if value is None:
                continue
            after = (orjson.loads(value).get("payload") or {}).get("after") or {}
            if after.get(capture.marker_field) != capture.marker:
                continue
            change = decoder.decode(
                value, key=msg.key(), topic=capture.topic, partition=msg.partition(), offset=msg.offset()
            )
            if not isinstance(change, ChangeEvent):
                raise fail(
                    f"the demo's change on {capture.topic} did not decode as a change event: {change!r}"
                )
            return change
    finally:
        consumer.close()
    return None


def _consumer(settings: StackSettings, topic: str) -> Consumer:
    consumer = Consumer(
        {
            "bootstrap.servers": settings.kafka_bootstrap,
            "group.id": f"inventory-cdc-demo-{secrets.token_hex(4)}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "log_level": 0,
        }
    )
    consumer.subscribe([topic])
    return consumer


def _wait_heartbeat(settings: StackSettings, capture: DemoCapture, timeout_s: float) -> bool:
    """True once the connector's heartbeat topic has a record: its streaming loop is running."""
    consumer = _consumer(settings, f"__debezium-heartbeat.{capture.config['topic.prefix']}")
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is not None and not msg.error():
                return True
    finally:
        consumer.close()
    return False


def _register_fresh(client: ConnectClient, capture: DemoCapture) -> None:
    """Register the connector with no stored offsets: created STOPPED, offsets cleared, then resumed.

    Offsets outlive a deleted connector of the same name; without this, a second demo would resume from the
    first one's position (and a MariaDB connector would look for a schema history the demo already removed).
    """
    if capture.connector in client.connectors():
        _remove(client, capture.connector)
    client.create(capture.connector, capture.config, initial_state="STOPPED")
    client.wait_running(capture.connector, wanted="STOPPED")
    client.reset_offsets(capture.connector)
    client.resume(capture.connector)


def _remove(client: ConnectClient, name: str) -> None:
    """Stop the connector, forget its offsets, delete it."""
    client.stop(name)
    client.wait_running(name, wanted="STOPPED")
    client.reset_offsets(name)
    client.delete(name)


def _cleanup(client: ConnectClient, settings: StackSettings, captures: list[DemoCapture]) -> None:
    for capture in captures:
        with contextlib.suppress(Exception):
            _remove(client, capture.connector)
    # the demo's own rows go too (after its connectors, so no one captures the deletes)
    conn = _mariadb(settings)
    try:
        with conn.cursor() as cur:
            cur.execute("DELETE FROM VENUE WHERE VEN_CD = %s", (captures[0].marker,))
    finally:
        conn.close()
    with _postgres(settings) as pg:
        pg.execute("DELETE FROM pricing.price_level WHERE level_name = %s", (captures[1].marker,))
        drop_replication_slot(pg, "demo_pricing")
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap, "log_level": 0})
    topics = [
        t for t in admin.list_topics(timeout=10).topics if "demo_box_office" in t or "demo_pricing" in t
    ]
    if topics:
        for future in admin.delete_topics(topics, operation_timeout=30).values():
            with contextlib.suppress(Exception):
                future.result()


def _summary(after: dict[str, Any], fields: tuple[str, ...]) -> str:
    return ", ".join(f"{k}={after[k]}" for k in fields if k in after)


def _canonical(event: CanonicalEvent) -> tuple[str, str, str]:
    """(type, key, data) of a canonical event for the demo's table: its data as JSON, nulls left out."""
    data = {k: v for k, v in msgspec.to_builtins(event.data).items() if v is not None}
    return str(event.type), str(event.key), json.dumps(data, ensure_ascii=False, separators=(", ", ": "))


@user_errors
def demo(
    keep: Annotated[
        bool, typer.Option("--keep", help="Leave the demo connectors and topics in place.")
    ] = False,
    timeout_s: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for each change event.")
    ] = 120.0,
) -> None:
    """Start the stack, create the legacy databases, and follow one row change from each database to Kafka."""
    stack = Stack()
    settings = stack.settings
    console.rule("1. the local stack")

    def report(result: StartResult) -> None:
        verb = "started" if result.started else "already running"
        console.print(
            f"[green]✔[/] {result.service:<8} {verb:<16} {settings.host}:{result.port:<6} {result.seconds:5.1f}s"
        )

    stack.up(on_ready=report)

    console.rule("2. the legacy databases")
    for name, url in (("box_office", settings.mariadb_url()), ("pricing", settings.postgres_url())):
        system = get_system(name)
        init = installer(system)(make_url(url), settings.secrets.debezium_password)
        console.print(
            f"[green]✔[/] {system.title:<11} {system.engine_title:<10} database {system.database!r}: "
            f"{init.count('created')} created, {init.count('present')} already present"
        )

    console.rule("3. Debezium connectors, registered through Kafka Connect's REST API")
    marker = "D" + secrets.token_hex(2).upper() + "X"
    captures = [_box_office(settings, marker[:6]), _pricing(settings, f"demo {marker}")]
    writers = {"demo-box-office": _write_box_office, "demo-pricing": _write_pricing}
    table = Table("system", "topic", "op", "row after the change", "write → captured")
    changes: list[tuple[DemoCapture, ChangeEvent]] = []
    with ConnectClient(settings.connect_url) as client:
        try:
            for capture in captures:
                _register_fresh(client, capture)
                client.wait_running(capture.connector)
                console.print(f"[green]✔[/] {capture.connector:<16} RUNNING  → {capture.topic}")
            # no_data: streaming starts at the current position; a heartbeat shows each task has reached it
            for capture in captures:
                if not _wait_heartbeat(settings, capture, timeout_s):
                    raise fail(
                        f"{capture.connector} sent no heartbeat within {timeout_s:.0f}s: see `inventory-cdc stack logs connect`"
                    )
            console.rule("4. one row change per database")
            for capture in captures:
                began = time.time()
                writers[capture.connector](settings, capture.marker)
                change = _consume_marker(settings, capture, timeout_s)
                if change is None:
                    raise fail(
                        f"no change event for {capture.system} on {capture.topic} within {timeout_s:.0f}s"
                    )
                changes.append((capture, change))
                captured_ms = change.ts_ms if change.ts_ms is not None else change.source.ts_ms
                latency = captured_ms / 1000 - began
                after = change.after or {}
                fields = (
                    ("VEN_CD", "VEN_NM", "TZ_NM")
                    if "VEN_CD" in after
                    else ("level_name", "amount", "currency")
                )
                table.add_row(
                    capture.system,
                    capture.topic,
                    change.op.value,
                    _summary(after, fields),
                    f"{max(latency, 0) * 1000:.0f} ms",
                )
        finally:
            if not keep:
                _cleanup(client, settings, captures)
    console.print(table)

    console.rule("5. the same changes as canonical events, through each system's adapter")
    canonical = Table("system", "canonical event", "key")
    canonical.add_column("data", overflow="fold")
    for capture, change in changes:
        mapped = adapter_factory(capture.adapter, pepper(settings))().handle(change)
        for event in mapped.events:
            canonical.add_row(capture.system, *_canonical(event))
        for failure in mapped.failures:
            canonical.add_row(capture.system, "dead letter", "-", str(failure))
    console.print(canonical)
    console.print(
        "Next: [bold]inventory-cdc run --transport embedded --until-caught-up[/] maps everything the legacy "
        "databases hold into the DuckDB canonical table; [bold]inventory-cdc stack status[/], "
        "[bold]inventory-cdc stack logs connect[/]; [bold]inventory-cdc stack down[/] stops everything."
    )
