"""Rendering a :class:`~connectors.spec.ConnectorSpec` into the Debezium connector config for its engine.

Every key the spec controls is set explicitly (no reliance on a connector default that could change between
Debezium releases), and :attr:`Rendered.origins` maps each key back to the spec field it came from, so
errors that Kafka Connect reports on a Debezium key can be shown on the spec field.

Hazards: the PII salt is part of a property *name* (Debezium's design); Connect stores it in its config topic,
returns it from ``GET /connectors/{name}/config`` and Debezium logs it when a task starts. It is a
pseudonymisation salt, not a credential: keep topics free of clear PII and keep it out of our own output
(:func:`redact`). Changing it changes every hash, which breaks joins on hashed values for old events.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import SecretStr

from connectors.exceptions import SpecError
from connectors.problems import Problem
from connectors.spec import ConnectorSpec, SqlServerOptions

CONNECTOR_CLASSES: dict[str, str] = {
    "postgresql": "io.debezium.connector.postgresql.PostgresConnector",
    "mariadb": "io.debezium.connector.mariadb.MariaDbConnector",
    "mysql": "io.debezium.connector.mysql.MySqlConnector",
    "sqlserver": "io.debezium.connector.sqlserver.SqlServerConnector",
}
ENGINE_OF_CLASS = {v: k for k, v in CONNECTOR_CLASSES.items()}

_SALT = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
_SALTED_KEY = re.compile(r"^(column\.mask\.hash\.(?:v2\.)?[^.]+\.with\.salt\.)(.+)$")
REDACTED = "***"


@dataclass(frozen=True)
class RenderContext:
    """What the spec does not say because it belongs to the deployment: the Kafka the schema history lives
    in (MySQL family, SQL Server), and the PII salt read from the environment by the caller."""

    kafka_bootstrap: str
    pii_salt: SecretStr | None = None


@dataclass(frozen=True)
class Rendered:
    name: str
    config: dict[str, str]
    #: Debezium key -> spec field it comes from
    origins: dict[str, str] = field(default_factory=dict)

    @property
    def connector_class(self) -> str:
        return self.config["connector.class"]

    def redacted(self) -> dict[str, str]:
        return redact(self.config)


def redact(config: Mapping[str, str]) -> dict[str, str]:
    """``config`` fit to print: the PII salt in ``column.mask.hash...with.salt.<salt>`` keys becomes ``***``."""
    return {_SALTED_KEY.sub(rf"\g<1>{REDACTED}", key): value for key, value in config.items()}


def redact_key(key: str) -> str:
    return _SALTED_KEY.sub(rf"\g<1>{REDACTED}", key)


def data_collection(spec: ConnectorSpec, table: str) -> str:
    """How Debezium names ``table`` in signals (``data-collections``) and notifications."""
    if spec.engine == "sqlserver":
        return f"{spec.connection.database}.{table}"
    return table


def topic_for(engine: str, prefix: str, database: str, table: str) -> str:
    """The topic a table's change events go to: ``<prefix>.<schema>.<table>`` (SQL Server adds the database)."""
    if engine == "sqlserver":
        return f"{prefix}.{database}.{table}"
    return f"{prefix}.{table}"


def table_topic(spec: ConnectorSpec, table: str) -> str:
    return topic_for(spec.engine, spec.topic_prefix, spec.connection.database, table)


def notification_topic(prefix: str) -> str:
    return f"{prefix}.notifications"


def schema_history_topic(prefix: str) -> str:
    return f"{prefix}.schema-history"


def _salt(spec: ConnectorSpec, ctx: RenderContext) -> str:
    assert spec.pii is not None
    if ctx.pii_salt is None:
        raise SpecError(
            spec.name,
            [
                Problem(
                    "pii.salt_env",
                    f"{spec.pii.salt_env} is not set: export a random salt of 16 to 128 letters, digits, '-' or '_' (the same for every system, or hashed values will not join)",
                )
            ],
        )
    salt = ctx.pii_salt.get_secret_value()
    if not _SALT.match(salt):
        raise SpecError(
            spec.name,
            [
                Problem(
                    "pii.salt_env",
                    f"{spec.pii.salt_env} must be 16 to 128 letters, digits, '-' or '_' (it becomes part of a property name)",
                )
            ],
        )
    return salt


def render(spec: ConnectorSpec, ctx: RenderContext) -> Rendered:
    """The connector config for ``spec`` (values only strings, as Connect stores them)."""
    c: dict[str, str] = {}
    o: dict[str, str] = {}

    def put(key: str, value: object, origin: str) -> None:
        c[key] = str(value).lower() if isinstance(value, bool) else str(value)
        o[key] = origin

    conn = spec.connection
    put("connector.class", CONNECTOR_CLASSES[spec.engine], "engine")
    put("tasks.max", 1, "engine")
    put("topic.prefix", spec.topic_prefix, "topic_prefix")
    put("database.hostname", conn.host, "connection.host")
    put("database.port", conn.port, "connection.port")
    put("database.user", conn.user, "connection.user")
    put("database.password", conn.password, "connection.password")
    put("table.include.list", ",".join(spec.captured_tables), "tables")
    put("snapshot.mode", spec.snapshot.mode, "snapshot.mode")
    put("incremental.snapshot.chunk.size", spec.snapshot.chunk_size, "snapshot.chunk_size")
    put("heartbeat.interval.ms", spec.heartbeat.interval_ms, "heartbeat.interval_ms")
    if spec.heartbeat.action_query:
        put("heartbeat.action.query", spec.heartbeat.action_query, "heartbeat.action_query")
    put("signal.enabled.channels", "source", "signal_table")
    put("signal.data.collection", data_collection(spec, spec.signal_table), "signal_table")
    put("notification.enabled.channels", "sink", "topic_prefix")
    put("notification.sink.topic.name", notification_topic(spec.topic_prefix), "topic_prefix")
    put("provide.transaction.metadata", spec.transaction_metadata, "transaction_metadata")
    put("decimal.handling.mode", spec.types.decimal_handling, "types.decimal_handling")
    put("time.precision.mode", spec.types.time_precision, "types.time_precision")
    # what the normalizer's decoder is written for (pipelines/debezium/capture.py; a test keeps them equal)
    put("binary.handling.mode", "bytes", "types")
    put("tombstones.on.delete", "true", "types")
    if spec.engine in ("mariadb", "mysql"):
        # BIGINT UNSIGNED keys above 2**63-1 arrive exact instead of overflowing a Java long
        put("bigint.unsigned.handling.mode", "precise", "types")
    put("topic.creation.default.partitions", spec.topics.partitions, "topics.partitions")
    put(
        "topic.creation.default.replication.factor",
        spec.topics.replication_factor,
        "topics.replication_factor",
    )
    keyed = [t for t in spec.tables if t.key_columns]
    if keyed:
        put("message.key.columns", ";".join(f"{t.name}:{','.join(t.key_columns)}" for t in keyed), "tables")
    if spec.pii is not None:
        if spec.pii.hash:
            key = f"column.mask.hash.v2.{spec.pii.algorithm}.with.salt.{_salt(spec, ctx)}"
            put(key, ",".join(spec.pii.hash), "pii.hash")
        if spec.pii.drop:
            put("column.exclude.list", ",".join(spec.pii.drop), "pii.drop")
    if spec.engine == "postgresql":
        assert spec.postgresql is not None
        put("database.dbname", conn.database, "connection.database")
        put("plugin.name", "pgoutput", "postgresql")
        put("slot.name", spec.postgresql.slot, "postgresql.slot")
        put("publication.name", spec.postgresql.publication, "postgresql.publication")
        put("publication.autocreate.mode", "disabled", "postgresql.publication")
        if spec.postgresql.ignore_message_prefixes:
            put(
                "message.prefix.exclude.list",
                ",".join(spec.postgresql.ignore_message_prefixes),
                "postgresql.ignore_message_prefixes",
            )
    else:
        # DDL history: MySQL-family connectors and SQL Server rebuild table schemas from it on restart
        put("schema.history.internal.kafka.bootstrap.servers", ctx.kafka_bootstrap, "topic_prefix")
        put("schema.history.internal.kafka.topic", schema_history_topic(spec.topic_prefix), "topic_prefix")
        # schema changes go to the history topic only; no consumer of ours reads a <prefix> DDL topic
        put("include.schema.changes", False, "engine")
    if spec.mysql_family:
        assert spec.mysql is not None
        put("database.server.id", spec.mysql.server_id, "mysql.server_id")
        put("database.include.list", conn.database, "connection.database")
        put("snapshot.locking.mode", spec.mysql.snapshot_locking, "mysql.snapshot_locking")
    if spec.engine == "sqlserver":
        options = spec.sqlserver or SqlServerOptions()
        put("database.names", conn.database, "connection.database")
        put("database.encrypt", options.encrypt, "sqlserver.encrypt")
        put(
            "database.trustServerCertificate",
            options.trust_server_certificate,
            "sqlserver.trust_server_certificate",
        )
    return Rendered(spec.name, c, o)
