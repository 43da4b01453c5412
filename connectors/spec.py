"""The declarative connector spec: one YAML file per legacy system, typed and validated here.

A spec says *what* to capture (engine, connection, tables, snapshot, heartbeat, signals, PII handling, desired
state); :mod:`connectors.render` turns it into the Debezium config for its engine. Models are frozen and refuse
unknown fields, so a typo in a YAML key is an error, not a silently ignored setting.

Choices made here, and why:

* ``connection.password`` is only ever a Kafka Connect config-provider reference (``${env:NAME}``,
  ``${file:path:key}``, ``${dir:path:file}``): the worker resolves it, so the secret never reaches the
  connector config that Connect stores in its config topic and shows on ``GET /connectors/{name}/config``.
* ``types.decimal_handling`` is ``precise`` or ``string``, never ``double``: money must not become a float.
  ``precise`` keeps Connect's ``Decimal`` logical type, whose scale travels in the JSON schema (the worker's
  converters have schemas enabled), so consumers decode exact values.
* ``types.time_precision`` is limited per engine to the modes the normalizer decodes without loss:
  ``adaptive_time_microseconds`` for PostgreSQL and MySQL-family engines (every TIME as microseconds, which
  also holds MySQL's TIME beyond 24 h), ``adaptive`` for SQL Server (``datetime2(7)`` keeps its 100 ns ticks);
  ``connect`` is allowed everywhere but truncates to milliseconds.
* PostgreSQL needs ``heartbeat.action_query``: a slot on a quiet database is never confirmed while other
  databases write WAL, and the retained WAL fills the disk up to ``max_slot_wal_keep_size`` (then the slot is
  lost and the connector must snapshot again).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from connectors.problems import Problem

Engine = Literal["postgresql", "mariadb", "mysql", "sqlserver"]
State = Literal["running", "paused", "stopped"]
SnapshotMode = Literal["always", "initial", "initial_only", "no_data", "when_needed", "never", "recovery"]
TimePrecision = Literal["adaptive", "adaptive_time_microseconds", "connect"]
DecimalHandling = Literal["precise", "string"]
HashAlgorithm = Literal["SHA-256", "SHA-512"]

ENGINE_TITLES: dict[str, str] = {
    "postgresql": "PostgreSQL",
    "mariadb": "MariaDB",
    "mysql": "MySQL",
    "sqlserver": "SQL Server",
}

#: snapshot modes each Debezium connector accepts (``custom`` and ``configuration_based`` need settings a
#: spec does not carry, so they are left out)
SNAPSHOT_MODES: dict[str, tuple[str, ...]] = {
    "postgresql": ("initial", "always", "initial_only", "no_data", "when_needed"),
    "mariadb": ("initial", "always", "initial_only", "no_data", "when_needed", "never", "recovery"),
    "mysql": ("initial", "always", "initial_only", "no_data", "when_needed", "never", "recovery"),
    "sqlserver": ("initial", "always", "initial_only", "no_data", "when_needed", "recovery"),
}

TIME_PRECISIONS: dict[str, tuple[str, ...]] = {
    "postgresql": ("adaptive_time_microseconds", "adaptive", "connect"),
    "mariadb": ("adaptive_time_microseconds", "connect"),
    "mysql": ("adaptive_time_microseconds", "connect"),
    "sqlserver": ("adaptive", "connect"),
}

#: ``${env:NAME}``, ``${file:path:key}``, ``${dir:path:file}``: Kafka Connect's env, file and directory providers
SECRET_REFERENCE = re.compile(
    r"^\$\{(?:env:[A-Za-z_][A-Za-z0-9_]*|file:[^:{}]+:[^:{}]+|dir:[^:{}]+:[^:{}]+)\}$"
)
_IDENT = r"[A-Za-z_][A-Za-z0-9_$]*"
_TABLE = re.compile(rf"^{_IDENT}\.{_IDENT}$")
_COLUMN = re.compile(rf"^{_IDENT}\.{_IDENT}\.{_IDENT}$")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Connection(_Frozen):
    """Where the connector reads from, as seen by the Kafka Connect worker."""

    host: str = Field(min_length=1)
    port: int = Field(ge=1, le=65535)
    database: str = Field(pattern=rf"^{_IDENT}$")
    user: str = Field(min_length=1)
    #: a config-provider reference, never the password itself
    password: str

    @field_validator("password")
    @classmethod
    def _reference_only(cls, value: str) -> str:
        if not SECRET_REFERENCE.match(value):
            # never echo the value: it may be the password itself
            raise ValueError(
                "a literal password is refused: reference the secret as ${env:NAME}, ${file:path:key} or "
                "${dir:path:file} (Kafka Connect resolves it on the worker)"
            )
        return value


def _table_entry(value: object) -> object:
    """``- schema.table`` is shorthand for ``- {name: schema.table}``."""
    return {"name": value} if isinstance(value, str) else value


class TableSpec(_Frozen):
    """A captured table (``schema.table``, or ``database.TABLE`` on MySQL-family engines)."""

    name: str = Field(pattern=_TABLE.pattern)
    #: the message key for a table without a primary key (``message.key.columns``)
    key_columns: tuple[Annotated[str, Field(pattern=rf"^{_IDENT}$")], ...] = ()


Table = Annotated[TableSpec, BeforeValidator(_table_entry)]


class Snapshot(_Frozen):
    mode: SnapshotMode = "initial"
    #: rows per chunk of an incremental (signal-driven) snapshot
    chunk_size: int = Field(default=1024, ge=1, le=1_000_000)


class Heartbeat(_Frozen):
    """Heartbeat records let offsets advance while captured tables are quiet (no WAL or binlog pinned)."""

    interval_ms: int = Field(default=10_000, ge=1_000, le=3_600_000)
    #: run on the source at every heartbeat; on PostgreSQL it gives the slot something to confirm
    action_query: str | None = None


class Types(_Frozen):
    decimal_handling: DecimalHandling = "precise"
    time_precision: TimePrecision = "adaptive_time_microseconds"


class Pii(_Frozen):
    """Personal data hashed (or dropped) by the connector, before it reaches any topic.

    Debezium takes the salt in the property *name* (``column.mask.hash.v2.<algorithm>.with.salt.<salt>``),
    where config providers cannot reach; the salt is therefore read from the environment variable
    ``salt_env`` when the config is rendered, and every output of ours shows it redacted.
    """

    algorithm: HashAlgorithm = "SHA-256"
    salt_env: str = Field(default="INVENTORY_CDC_PII_SALT", pattern=_ENV_NAME.pattern)
    #: character columns replaced by their salted hash (``schema.table.column``)
    hash: tuple[Annotated[str, Field(pattern=_COLUMN.pattern)], ...] = ()
    #: columns left out of change events altogether (Debezium hashes character columns only)
    drop: tuple[Annotated[str, Field(pattern=_COLUMN.pattern)], ...] = ()


class Topics(_Frozen):
    """How Connect creates the connector's topics (``topic.creation.default.*``)."""

    partitions: int = Field(default=1, ge=1, le=1000)
    replication_factor: int = Field(default=1, ge=1, le=10)


class PostgresOptions(_Frozen):
    #: the replication slot: it keeps WAL until the connector confirms it, even while the connector is stopped
    slot: str = Field(pattern=r"^[a-z0-9_]{1,63}$")
    #: made by `inventory-cdc legacy init`; the connector never creates publications
    publication: str = Field(pattern=r"^[a-z0-9_]{1,63}$")
    #: logical-decoding message prefixes not to publish (the heartbeat's own messages)
    ignore_message_prefixes: tuple[str, ...] = ()


class MySqlOptions(_Frozen):
    #: replica id the connector uses on the binlog stream: unique among every replica of the server
    server_id: int = Field(ge=1, le=4_294_967_295)
    snapshot_locking: Literal["minimal", "extended", "none"] = "minimal"


class SqlServerOptions(_Frozen):
    encrypt: bool = True
    trust_server_certificate: bool = False


class ConnectorSpec(_Frozen):
    """One legacy system's Debezium connector, as declared in ``connectors/specs/<system>.yaml``."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
    system: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    engine: Engine
    topic_prefix: str = Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$")
    state: State = "running"
    connection: Connection
    tables: tuple[Table, ...] = Field(min_length=1)
    #: Debezium's signal table (source channel): ad-hoc incremental snapshots are requested there
    signal_table: str = Field(pattern=_TABLE.pattern)
    snapshot: Snapshot = Snapshot()
    heartbeat: Heartbeat = Heartbeat()
    #: BEGIN / END records per source transaction on ``<prefix>.transaction``: the normalizer groups an
    #: order's ORD_HDR, ORD_LN and SEAT_INV rows by them
    transaction_metadata: bool = True
    types: Types = Types()
    pii: Pii | None = None
    topics: Topics = Topics()
    postgresql: PostgresOptions | None = None
    mysql: MySqlOptions | None = None
    sqlserver: SqlServerOptions | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ConnectorSpec:
        problems = semantic_problems(self)
        if problems:
            raise SpecProblems(problems)
        return self

    @property
    def engine_title(self) -> str:
        return ENGINE_TITLES[self.engine]

    @property
    def table_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tables)

    @property
    def captured_tables(self) -> tuple[str, ...]:
        """The tables in ``table.include.list``: the spec's tables and the signal table."""
        return (*self.table_names, self.signal_table)

    @property
    def mysql_family(self) -> bool:
        return self.engine in ("mariadb", "mysql")


class SpecProblems(ValueError):
    """Cross-field problems; raised inside validation so pydantic keeps them (``ctx['error']``)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def semantic_problems(spec: ConnectorSpec) -> list[Problem]:
    """Checks that need more than one field: per-engine choices, sections, table and column names."""
    problems: list[Problem] = []
    add = problems.append
    engine, title = spec.engine, spec.engine_title
    if spec.snapshot.mode not in SNAPSHOT_MODES[engine]:
        add(
            Problem(
                "snapshot.mode",
                f"{spec.snapshot.mode!r} is not a {title} snapshot mode: choose one of {', '.join(SNAPSHOT_MODES[engine])}",
            )
        )
    if spec.types.time_precision not in TIME_PRECISIONS[engine]:
        add(
            Problem(
                "types.time_precision",
                f"{spec.types.time_precision!r} is not supported for {title}: choose one of {', '.join(TIME_PRECISIONS[engine])}",
            )
        )
    sections = {"postgresql": "postgresql", "mariadb": "mysql", "mysql": "mysql", "sqlserver": "sqlserver"}
    wanted = sections[engine]
    for section in ("postgresql", "mysql", "sqlserver"):
        present = getattr(spec, section) is not None
        if section == wanted and not present and section != "sqlserver":
            add(Problem(section, f"required for engine {engine}: add a `{section}:` section"))
        elif section != wanted and present:
            add(Problem(section, f"does not apply to engine {engine}: remove it"))
    if engine == "postgresql" and not spec.heartbeat.action_query:
        add(
            Problem(
                "heartbeat.action_query",
                "required for PostgreSQL: without it a quiet database never confirms its slot and WAL piles up (e.g. SELECT pg_logical_emit_message(false, 'inventory-cdc-heartbeat', now()::varchar))",
            )
        )
    seen: set[str] = set()
    for i, table in enumerate(spec.tables):
        if table.name in seen:
            add(Problem(f"tables[{i}]", f"{table.name} is listed twice: remove one"))
        seen.add(table.name)
        if table.name == spec.signal_table:
            add(Problem(f"tables[{i}]", "the signal table is captured anyway: list it only as signal_table"))
    for field, name in (
        *((f"tables[{i}]", t.name) for i, t in enumerate(spec.tables)),
        ("signal_table", spec.signal_table),
    ):
        schema = name.split(".", 1)[0]
        if spec.mysql_family and schema != spec.connection.database:
            add(
                Problem(
                    field,
                    f"{name} is not in database {spec.connection.database}: MySQL-family tables are named {spec.connection.database}.TABLE",
                )
            )
    if spec.pii is not None:
        for kind in ("hash", "drop"):
            for i, column in enumerate(getattr(spec.pii, kind)):
                if column.rsplit(".", 1)[0] not in seen:
                    add(
                        Problem(
                            f"pii.{kind}[{i}]",
                            f"{column} is not a column of a captured table: name it table.column",
                        )
                    )
        for column in set(spec.pii.hash) & set(spec.pii.drop):
            add(Problem("pii", f"{column} is both hashed and dropped: keep one"))
    return problems
