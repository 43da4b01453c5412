"""Validation in three layers, each finding named by spec field: the spec itself (at load time, see
:mod:`connectors.loader`), Kafka Connect's own ``PUT /connector-plugins/{class}/config/validate`` against the
real Debezium plugin, and the live source database (reachable, tables present, keyed, published).

Hazards caught here rather than in production: a table without a primary key (Debezium would key its events
by nothing, and incremental snapshots cannot chunk it), a PostgreSQL table outside the publication or a SQL
Server table without a capture instance (both silently never captured), a binlog not in ROW/FULL format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectors.connect_client import ConnectClient
from connectors.exceptions import SourceLoginError, SourceQueryError, SourceUnreachableError
from connectors.problems import Problem, errors
from connectors.render import Rendered, redact_key
from connectors.sources.base import Source, is_character_type
from connectors.spec import ConnectorSpec

#: Debezium keys that only a reachable database can satisfy (their errors mean "cannot connect")
CONNECTION_KEYS = frozenset({"database.hostname", "database.port", "database.user", "database.password"})


@dataclass
class ValidationReport:
    connector: str
    problems: list[Problem] = field(default_factory=list)
    #: which layers ran (Connect unreachable or password unresolvable leave a layer out, with a problem)
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not errors(self.problems)


def connect_problems(client: ConnectClient, rendered: Rendered) -> list[Problem]:
    """Kafka Connect's verdict on the rendered config, each error shown on the spec field it comes from.

    The plugin tries to connect to the database as part of it (SQL Server's driver takes ~30 s to give up).
    """
    return problems_of(
        client.validate(rendered.connector_class, {"name": rendered.name, **rendered.config}), rendered
    )


def problems_of(result: dict[str, Any], rendered: Rendered) -> list[Problem]:
    """The errors of a ``config/validate`` answer, on spec fields."""
    problems: list[Problem] = []
    for item in result.get("configs", []):
        value = item.get("value", {})
        key = str(value.get("name", ""))
        for message in value.get("errors", []):
            where = rendered.origins.get(key, key)
            problems.append(Problem(where, f"Kafka Connect: {redact_key(key)}: {message}", "connect"))
    return problems


def database_problems(spec: ConnectorSpec, source: Source) -> list[Problem]:
    """Checks against the live database, logged in as the capture user (as the connector will be)."""
    try:
        source.ping()
    except SourceUnreachableError as exc:
        return [
            Problem(
                exc.field,
                f"cannot reach {exc.engine} at {exc.host}:{exc.port} ({exc.reason}): check connection.host and connection.port and that the database runs (`inventory-cdc stack up` for the local stack)",
                "database",
            )
        ]
    except SourceLoginError as exc:
        return [
            Problem(
                "connection.user",
                f"{exc.engine} refused the login of {exc.user!r} ({exc.reason}): check connection.user and connection.password, or run `inventory-cdc legacy init`",
                "database",
            )
        ]
    try:
        return _catalog_problems(spec, source)
    except SourceQueryError as exc:
        return [
            Problem(
                "connection.user",
                f"{exc}: the capture user may lack privileges (run `inventory-cdc legacy init`)",
                "database",
            )
        ]


def _catalog_problems(spec: ConnectorSpec, source: Source) -> list[Problem]:
    problems: list[Problem] = []
    add = problems.append
    db, user = spec.connection.database, spec.connection.user
    facts = source.table_facts(spec.captured_tables)
    for i, table in enumerate(spec.tables):
        fact = facts[table.name]
        if not fact.exists:
            add(
                Problem(
                    f"tables[{i}]",
                    f"{table.name} does not exist in {db}, or {user} may not read it: check the name (case matters) or run `inventory-cdc legacy init`",
                    "database",
                )
            )
        elif table.key_columns:
            missing = [c for c in table.key_columns if c not in fact.columns]
            if missing:
                add(
                    Problem(
                        f"tables[{i}].key_columns",
                        f"{table.name} has no column {', '.join(missing)}: name existing columns",
                        "database",
                    )
                )
        elif not fact.primary_key:
            add(
                Problem(
                    f"tables[{i}]",
                    f"{table.name} has no primary key: give its entry `key_columns: [...]` (Debezium's message.key.columns) naming columns that identify a row",
                    "database",
                )
            )
    signal = facts[spec.signal_table]
    if not signal.exists:
        add(
            Problem(
                "signal_table",
                f"{spec.signal_table} does not exist in {db}: run `inventory-cdc legacy init`",
                "database",
            )
        )
    elif len(signal.columns) < 3:
        add(
            Problem(
                "signal_table", f"{spec.signal_table} must have the three columns id, type, data", "database"
            )
        )
    if spec.pii is not None:
        for kind in ("hash", "drop"):
            for i, column in enumerate(getattr(spec.pii, kind)):
                table, name = column.rsplit(".", 1)
                owner = facts.get(table)
                if owner is None or not owner.exists:
                    continue
                if name not in owner.columns:
                    add(Problem(f"pii.{kind}[{i}]", f"{table} has no column {name}", "database"))
                elif kind == "hash" and not is_character_type(owner.columns[name]):
                    add(
                        Problem(
                            f"pii.hash[{i}]",
                            f"{column} is {owner.columns[name]}: Debezium hashes character columns only; move it to pii.drop",
                            "database",
                        )
                    )
    problems.extend(source.server_problems(facts))
    return problems


def validate(
    spec: ConnectorSpec, rendered: Rendered, client: ConnectClient | None, source: Source | None
) -> ValidationReport:
    """Kafka Connect's and the live database's checks (the spec's own ran when it was loaded).

    ``client`` or ``source`` None skips that layer (the caller reports why).
    """
    report = ValidationReport(spec.name, checked=["spec"])
    if client is not None:
        report.problems.extend(connect_problems(client, rendered))
        report.checked.append("connect")
    if source is not None:
        report.problems.extend(database_problems(spec, source))
        report.checked.append("database")
    # one cause, one message: when the database is unreachable, Connect's connection errors say the same
    if any(p.origin == "database" and p.field.startswith("connection.") for p in report.problems):
        report.problems = [
            p for p in report.problems if not (p.origin == "connect" and p.field.startswith("connection."))
        ]
    return report
