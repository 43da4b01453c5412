"""What ``apply`` would change, field by field, and what each change will cause.

The plan compares the rendered config with the one Kafka Connect runs now (``GET /connectors/{name}/config``)
and spells out consequences: tables added (an incremental snapshot re-reads their rows: how many), tables
removed, topic names that change with the prefix, whether the stored offsets stay valid, replication slots
left behind (they pin WAL until dropped), SQL Server capture instances still to create.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from connectors.exceptions import SourceLoginError, SourceQueryError, SourceUnreachableError
from connectors.render import ENGINE_OF_CLASS, Rendered, redact_key, table_topic, topic_for
from connectors.sources.base import Source
from connectors.spec import ConnectorSpec

Action = Literal["create", "update", "unchanged"]
Severity = Literal["info", "warning", "danger"]

#: Connect's states for the spec's ``state``
CONNECT_STATES = {"running": "RUNNING", "paused": "PAUSED", "stopped": "STOPPED"}

_SNAPSHOTTING_MODES = ("initial", "always", "initial_only", "when_needed")
_SAME_SOURCE_KEYS = ("database.dbname", "database.names", "database.include.list")


@dataclass(frozen=True)
class FieldChange:
    key: str
    field: str
    before: str | None
    after: str | None
    note: str = ""


@dataclass(frozen=True)
class Consequence:
    kind: str
    severity: Severity
    message: str
    tables: tuple[str, ...] = ()
    rows: int | None = None


@dataclass
class Plan:
    connector: str
    action: Action
    state_before: str | None
    state_after: str
    changes: list[FieldChange] = field(default_factory=list)
    consequences: list[Consequence] = field(default_factory=list)
    #: tables to snapshot incrementally once the updated connector runs
    added_tables: tuple[str, ...] = ()
    #: None: there are no stored offsets (a new connector)
    offsets_valid: bool | None = None

    @property
    def changed(self) -> bool:
        return self.action != "unchanged" or self.state_before != self.state_after

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["changed"] = self.changed
        return data


def _tables(config: dict[str, str]) -> list[str]:
    return [t for t in config.get("table.include.list", "").split(",") if t]


def _diff(origins: dict[str, str], before: dict[str, str], after: dict[str, str]) -> list[FieldChange]:
    old = {redact_key(k): (k, v) for k, v in before.items() if k != "name"}
    new = {redact_key(k): (k, v) for k, v in after.items() if k != "name"}
    origin_of = {redact_key(k): v for k, v in origins.items()}
    changes = []
    for key in [*new, *(k for k in old if k not in new)]:
        if old.get(key) == new.get(key):
            continue
        (ok, ov), (nk, nv) = old.get(key, (None, None)), new.get(key, (None, None))
        note = "salt changed: every hash changes" if ok and nk and ok != nk else _list_note(ov, nv)
        changes.append(FieldChange(key, origin_of.get(key, "(not in the spec: removed)"), ov, nv, note))
    return changes


def _list_note(before: str | None, after: str | None) -> str:
    """For comma-separated values (table and column lists): which items come and go."""
    if not before or not after or ("," not in before and "," not in after):
        return ""
    old, new = before.split(","), after.split(",")
    parts = [f"+{item}" for item in new if item not in old] + [f"-{item}" for item in old if item not in new]
    return " ".join(parts) or "reordered"


class _Counter:
    """Row counts from the live database; None where it cannot be reached (the plan says so)."""

    def __init__(self, source: Source | None) -> None:
        self.source = source
        self.failure: str | None = None if source is not None else "no database check"

    def rows(self, table: str) -> int | None:
        if self.source is None or self.failure:
            return None
        try:
            return self.source.count_rows(table)
        except (SourceUnreachableError, SourceLoginError, SourceQueryError) as exc:
            self.failure = str(exc)
            return None

    def total(self, tables: list[str]) -> int | None:
        counts = [self.rows(t) for t in tables]
        return None if any(c is None for c in counts) else sum(c for c in counts if c is not None)


def _rows_text(rows: int | None) -> str:
    return f"{rows} rows" if rows is not None else "row count unknown: database not reachable"


def make_plan(
    spec: ConnectorSpec,
    rendered: Rendered,
    current: dict[str, str] | None,
    current_state: str | None,
    source: Source | None,
) -> Plan:
    """The plan for ``spec`` against ``current`` (None: no such connector) in ``current_state``."""
    wanted = CONNECT_STATES[spec.state]
    counter = _Counter(source)
    desired = rendered.config
    if current is None:
        plan = Plan(spec.name, "create", None, wanted, _diff(rendered.origins, {}, desired))
        tables = list(spec.table_names)
        if spec.snapshot.mode in _SNAPSHOTTING_MODES:
            rows = counter.total(tables)
            plan.consequences.append(
                Consequence(
                    "snapshot",
                    "info",
                    f"new connector: initial snapshot of {len(tables)} tables ({_rows_text(rows)}) into {spec.topic_prefix}.* topics",
                    tuple(tables),
                    rows,
                )
            )
        else:
            plan.consequences.append(
                Consequence(
                    "snapshot",
                    "info",
                    f"new connector without snapshot (snapshot.mode={spec.snapshot.mode}): only changes from now on",
                )
            )
        if spec.postgresql is not None:
            plan.consequences.append(
                Consequence(
                    "slot",
                    "warning",
                    f"creates replication slot {spec.postgresql.slot}: it retains WAL whenever the connector is paused or stopped, until dropped",
                )
            )
        _state_consequences(plan, None, wanted)
        return plan
    changes = _diff(rendered.origins, current, desired)
    action: Action = "update" if changes else "unchanged"
    plan = Plan(spec.name, action, current_state, wanted, changes, offsets_valid=True)
    keys = {c.key for c in changes}
    old_prefix, new_prefix = current.get("topic.prefix", ""), desired["topic.prefix"]
    engine = ENGINE_OF_CLASS.get(current.get("connector.class", ""), spec.engine)
    old_db = current.get("database.names", spec.connection.database)
    if "topic.prefix" in keys:
        plan.offsets_valid = False
        renames = ", ".join(
            f"{topic_for(engine, old_prefix, old_db, t)} -> {table_topic(spec, t)}" for t in spec.table_names
        )
        plan.consequences.append(
            Consequence(
                "topics",
                "danger",
                f"topic prefix {old_prefix} -> {new_prefix}: every topic name changes ({renames}); consumers must subscribe to the new topics",
            )
        )
        plan.consequences.append(
            Consequence(
                "offsets",
                "danger",
                f"stored offsets are keyed by the old prefix ({old_prefix}): the connector starts over as if new (snapshot.mode={spec.snapshot.mode})",
            )
        )
    if keys & set(_SAME_SOURCE_KEYS):
        plan.offsets_valid = False
        plan.consequences.append(
            Consequence(
                "offsets",
                "danger",
                "the captured database changes: stored offsets point into another database's log; reset them (`inventory-cdc connectors offsets NAME --reset`) and snapshot again",
            )
        )
    if keys & {"database.hostname", "database.port"}:
        plan.consequences.append(
            Consequence(
                "offsets",
                "warning",
                "the connector reaches the database at another address: the stored offsets stay valid only if it is the same server; otherwise reset them and snapshot again",
            )
        )
    if "slot.name" in keys:
        plan.offsets_valid = False
        plan.consequences.append(
            Consequence(
                "slot",
                "danger",
                f"slot {current.get('slot.name')} -> {desired.get('slot.name')}: the new slot starts at the current WAL position (changes in between are lost) and the old slot keeps pinning WAL until dropped (SELECT pg_drop_replication_slot('{current.get('slot.name')}'))",
            )
        )
    before_tables, after_tables = _tables(current), _tables(desired)
    added = [t for t in after_tables if t not in before_tables and t != spec.signal_table]
    removed = [t for t in before_tables if t not in after_tables]
    if added:
        rows = counter.total(added)
        if plan.offsets_valid:
            plan.added_tables = tuple(added)
            plan.consequences.append(
                Consequence(
                    "snapshot",
                    "info",
                    f"tables added: {', '.join(added)} ({_rows_text(rows)}): apply requests an incremental snapshot of them, so their rows arrive as op r events on {', '.join(table_topic(spec, t) for t in added)} while streaming continues",
                    tuple(added),
                    rows,
                )
            )
        else:
            plan.consequences.append(
                Consequence(
                    "snapshot",
                    "info",
                    f"tables added: {', '.join(added)} ({_rows_text(rows)}): read by the new snapshot",
                    tuple(added),
                    rows,
                )
            )
        if spec.engine == "sqlserver":
            _capture_instances(plan, spec, added, source)
    if removed:
        plan.consequences.append(
            Consequence(
                "tables",
                "warning",
                f"tables removed: {', '.join(removed)}: their changes are no longer captured; their topics keep the records already written (delete them when no consumer needs them)",
                tuple(removed),
            )
        )
    for change in changes:
        if change.key.startswith("column.mask.hash"):
            plan.consequences.append(
                Consequence(
                    "pii",
                    "danger",
                    f"PII hashing changes ({change.before or 'none'} -> {change.after or 'none'}{'; ' + change.note if change.note else ''}): events already in the topics keep their old values; hashed values no longer join across the change",
                )
            )
        elif change.key in ("decimal.handling.mode", "time.precision.mode"):
            plan.consequences.append(
                Consequence(
                    "types",
                    "warning",
                    f"{change.key} {change.before} -> {change.after}: the value schema of every table changes; consumers must read both forms",
                )
            )
        elif change.key == "snapshot.mode":
            plan.consequences.append(
                Consequence(
                    "snapshot",
                    "info",
                    f"snapshot.mode {change.before} -> {change.after}: takes effect at the next start without usable offsets",
                )
            )
    if changes:
        plan.consequences.append(
            Consequence(
                "restart",
                "info",
                "Kafka Connect restarts the connector's tasks with the new config (a short pause in streaming)",
            )
        )
    _state_consequences(plan, current_state, wanted)
    return plan


def _capture_instances(plan: Plan, spec: ConnectorSpec, added: list[str], source: Source | None) -> None:
    missing: list[str] = []
    try:
        facts = source.table_facts(added) if source is not None else None
    except (SourceUnreachableError, SourceLoginError, SourceQueryError):
        facts = None
    for table in added:
        if facts is None or facts[table].capture_instance is None:
            missing.append(table)
    if missing:
        known = "" if facts is not None else " (could not check: database not reachable)"
        plan.consequences.append(
            Consequence(
                "capture_instance",
                "danger",
                f"SQL Server capture instance needed for {', '.join(missing)}{known}: EXEC sys.sp_cdc_enable_table for each before apply, or their changes are never captured",
                tuple(missing),
            )
        )


def _state_consequences(plan: Plan, before: str | None, after: str) -> None:
    if before == after or (before is None and after == "RUNNING"):
        return
    if after == "PAUSED":
        text = "connector paused: tasks keep their resources, nothing is read; WAL or binlog accumulates at the source (watch `connectors status` for the runway)"
    elif after == "STOPPED":
        text = "connector stopped: tasks shut down, offsets kept (they can be reset now); WAL or binlog accumulates at the source"
    else:
        text = f"connector resumes from {before}: it catches up from its stored offsets"
    plan.consequences.append(Consequence("state", "warning" if after != "RUNNING" else "info", text))
