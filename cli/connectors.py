"""``inventory-cdc connectors``: Debezium connectors from declarative specs (validate, plan, apply, status, signals).

This is where settings meet the specs: Kafka Connect's URL and Kafka's address come from the stack settings;
``${env:...}`` password references are resolved here (from the environment, falling back to the stack's
secrets) only to log in for live checks; the PII salt comes from the variable the spec names, falling back to
``<stack home>/pii-salt`` (generated once, mode 0600) on the local stack. A spec is a builtin name (``pricing``)
or a path to a YAML file.
"""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from pydantic import SecretStr
from rich.console import Console, RenderableType
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.errors import err_console, fail, register, user_errors
from connectors.apply import apply_plan, current_state
from connectors.connect_client import ConnectClient
from connectors.exceptions import (
    ConnectorError,
    ConnectorNotFoundError,
    SecretReferenceError,
    SpecError,
    ValidationFailedError,
)
from connectors.loader import builtin_specs, load_spec
from connectors.plan import Plan, make_plan
from connectors.problems import Problem, errors
from connectors.references import resolve
from connectors.render import RenderContext, Rendered, render
from connectors.snapshot import SnapshotFollower, request_snapshot
from connectors.sources import Source, open_source
from connectors.spec import ConnectorSpec
from connectors.status import connector_status, source_offset
from connectors.validate import ValidationReport, validate
from connectors.views import plan_view, problem_table, status_view
from legacy_adapters.registry import SYSTEMS
from stack.settings import StackSecrets, StackSettings

register(ConnectorError)

app = typer.Typer(
    no_args_is_help=True,
    help="Debezium connectors from the specs in connectors/specs: validate, plan, apply, operate.",
)
console = Console(highlight=False)


class Output(StrEnum):
    table = "table"
    json = "json"


SpecArgs = Annotated[
    list[str] | None,
    typer.Argument(
        help="Specs: builtin names (box_office, pricing, crm) or YAML paths; default: every system that runs here."
    ),
]
OutputOpt = Annotated[Output, typer.Option("--output", "-o", help="table or json")]


class Wiring:
    """The composition root's view of one command run: settings, environment, clients."""

    def __init__(self) -> None:
        self.settings = StackSettings()
        # what the Connect worker's environment holds (the stack adds the capture password), for ${env:...}
        capture = StackSecrets.env_name("debezium_password")
        self.env: dict[str, str] = {capture: self.settings.secrets.debezium_password.get_secret_value()}
        self.env.update(os.environ)

    def client(self) -> ConnectClient:
        return ConnectClient(self.settings.connect_url, retry_for_s=20.0)

    def pii_salt(self, spec: ConnectorSpec) -> SecretStr | None:
        if spec.pii is None:
            return None
        if self.env.get(spec.pii.salt_env):
            return SecretStr(self.env[spec.pii.salt_env])
        path = self.settings.home / "pii-salt"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(24))
        return SecretStr(path.read_text().strip())

    def render(self, spec: ConnectorSpec) -> Rendered:
        return render(spec, RenderContext(self.settings.kafka_bootstrap, self.pii_salt(spec)))

    def source(self, spec: ConnectorSpec) -> Source:
        """The spec's database, logged in as its capture user (raises SecretReferenceError if unresolvable)."""
        return open_source(spec, resolve(spec.connection.password, self.env))

    def disk_path(self, spec: ConnectorSpec) -> Path | None:
        """Where the local stack's PostgreSQL keeps its WAL (the free-disk part of the runway)."""
        local = spec.connection.host in ("127.0.0.1", "localhost", self.settings.host)
        return self.settings.home if local and spec.connection.port == self.settings.postgres_port else None


def _paths(specs: list[str] | None) -> list[Path]:
    shipped = builtin_specs()
    if not specs:
        chosen = []
        for name, path in shipped.items():
            system = SYSTEMS.get(name)
            if system is not None and not system.local:
                err_console.print(
                    f"{name}: skipped ({system.engine_title} does not run here; name it to include it)",
                    markup=False,
                )
                continue
            chosen.append(path)
        return chosen
    out = []
    for spec in specs:
        path = shipped.get(spec) or Path(spec)
        if not path.exists():
            raise fail(f"no spec {spec!r}: name one of {', '.join(shipped)} or give a YAML path", code=2)
        out.append(path)
    return out


def _load(path: Path) -> ConnectorSpec:
    """A spec with load-time substitution from this process's environment (never from the stack's secrets)."""
    return load_spec(path, os.environ)


def _show(items: Iterable[RenderableType]) -> None:
    for item in items:
        console.print(item)


def _json(data: Any) -> None:
    typer.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


@contextmanager
def _maybe_source(wiring: Wiring, spec: ConnectorSpec, problems: list[Problem]) -> Iterator[Source | None]:
    try:
        source = wiring.source(spec)
    except SecretReferenceError as exc:
        problems.append(
            Problem("connection.password", f"{exc}: the live database cannot be checked", "database")
        )
        yield None
        return
    with source:
        yield source


def _validate_one(
    wiring: Wiring, client: ConnectClient, spec: ConnectorSpec, rendered: Rendered
) -> ValidationReport:
    extra: list[Problem] = []
    with _maybe_source(wiring, spec, extra) as source:
        report = validate(spec, rendered, client, source)
    report.problems.extend(extra)
    return report


@app.command("validate")
@user_errors
def validate_cmd(specs: SpecArgs = None, output: OutputOpt = Output.table) -> None:
    """Check specs: our rules, Kafka Connect's validation of the rendered config, and the live database."""
    wiring = Wiring()
    reports: list[ValidationReport] = []
    with wiring.client() as client:
        for path in _paths(specs):
            try:
                spec = _load(path)
                reports.append(_validate_one(wiring, client, spec, wiring.render(spec)))
            except SpecError as exc:
                reports.append(ValidationReport(str(path), list(exc.problems), ["spec"]))
    if output is Output.json:
        _json(
            [
                {
                    "connector": r.connector,
                    "ok": r.ok,
                    "checked": r.checked,
                    "problems": [asdict(p) for p in r.problems],
                }
                for r in reports
            ]
        )
    else:
        for r in reports:
            if r.ok and not r.problems:
                console.print(f"[green]✔[/] {escape(r.connector)}: valid (checked: {', '.join(r.checked)})")
            else:
                mark = "[green]✔[/]" if r.ok else "[red]✘[/]"
                console.print(
                    f"{mark} {escape(r.connector)}: {len(errors(r.problems))} error(s) (checked: {', '.join(r.checked)})"
                )
                console.print(problem_table(r.problems))
    if not all(r.ok for r in reports):
        raise typer.Exit(1)


def _plan_one(wiring: Wiring, client: ConnectClient, spec: ConnectorSpec, rendered: Rendered) -> Plan:
    try:
        current: dict[str, str] | None = client.config(spec.name)
    except ConnectorNotFoundError:
        current = None
    state = current_state(client, spec.name) if current is not None else None
    with _maybe_source(wiring, spec, []) as source:
        return make_plan(spec, rendered, current, state, source)


@app.command("plan")
@user_errors
def plan_cmd(specs: SpecArgs = None, output: OutputOpt = Output.table) -> None:
    """Show what `apply` would change against what runs now, field by field, with consequences."""
    wiring = Wiring()
    plans = []
    with wiring.client() as client:
        for path in _paths(specs):
            spec = _load(path)
            plans.append(_plan_one(wiring, client, spec, wiring.render(spec)))
    if output is Output.json:
        _json([p.to_json() for p in plans])
    else:
        for p in plans:
            _show(plan_view(p))


@app.command("apply")
@user_errors
def apply_cmd(
    specs: SpecArgs = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and plan only.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the wanted state.")] = 180.0,
) -> None:
    """Validate, then create or update each connector, set its state and wait until it is there."""
    wiring = Wiring()
    with wiring.client() as client:
        # every spec is validated before any connector changes: an invalid one leaves all as they were
        ready = []
        for path in _paths(specs):
            spec = _load(path)
            rendered = wiring.render(spec)
            report = _validate_one(wiring, client, spec, rendered)
            if not report.ok:
                console.print(problem_table(report.problems))
                raise ValidationFailedError(spec.name, errors(report.problems))
            ready.append((spec, rendered))
        for spec, rendered in ready:
            plan = _plan_one(wiring, client, spec, rendered)
            if dry_run or not plan.changed:
                _show(plan_view(plan))
                if dry_run and plan.changed:
                    console.print("dry run: nothing changed")
                continue
            _show(plan_view(plan))
            opener = functools.partial(wiring.source, spec)
            result = apply_plan(client, spec, rendered, plan, source=opener, timeout_s=timeout)
            for message in result.messages:
                console.print(f"[green]✔[/] {escape(message)}")


@app.command("status")
@user_errors
def status_cmd(specs: SpecArgs = None, output: OutputOpt = Output.table) -> None:
    """Connector and task states, the last event per table, and the retention runway at the source."""
    wiring = Wiring()
    reports = []
    with wiring.client() as client:
        for path in _paths(specs):
            spec = _load(path)
            notes: list[Problem] = []
            with _maybe_source(wiring, spec, notes) as source:
                report = connector_status(
                    client, spec, wiring.settings.kafka_bootstrap, source, wiring.disk_path(spec)
                )
            report.notes.extend(str(n) for n in notes)
            reports.append(report)
    if output is Output.json:
        _json([r.to_json() for r in reports])
    else:
        for r in reports:
            _show(status_view(r))


NameArg = Annotated[str, typer.Argument(help="The connector's name.")]


@app.command()
@user_errors
def pause(name: NameArg) -> None:
    """Pause a connector (its source position stays pinned: WAL or binlog accumulates)."""
    with Wiring().client() as client:
        client.pause(name)
        client.wait_running(name, wanted="PAUSED")
    console.print(f"{name}: paused (see `inventory-cdc connectors status` for the retention runway)")


@app.command()
@user_errors
def resume(name: NameArg) -> None:
    """Resume a paused or stopped connector and wait until it runs."""
    with Wiring().client() as client:
        client.resume(name)
        client.wait_running(name)
    console.print(f"{name}: running")


@app.command()
@user_errors
def restart(name: NameArg) -> None:
    """Restart a connector and all its tasks, and wait until they run."""
    with Wiring().client() as client:
        client.restart(name)
        client.wait_running(name)
    console.print(f"{name}: restarted, running")


@app.command()
@user_errors
def delete(name: NameArg) -> None:
    """Delete a connector (its topics and, on PostgreSQL, its replication slot remain)."""
    with Wiring().client() as client:
        slot = client.config(name).get("slot.name")
        client.delete(name)
    console.print(f"{name}: deleted")
    if slot:
        console.print(
            f"[yellow]replication slot {slot} remains and retains WAL:[/] drop it when the connector will not come back (SELECT pg_drop_replication_slot('{slot}'))"
        )


@app.command()
@user_errors
def offsets(
    name: NameArg,
    reset: Annotated[
        bool, typer.Option("--reset", help="Stop the connector and forget its offsets.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before --reset.")] = False,
    output: OutputOpt = Output.table,
) -> None:
    """Show a connector's stored source offsets; --reset stops it and deletes them (it snapshots again on resume)."""
    with Wiring().client() as client:
        if reset:
            if not yes:
                typer.confirm(
                    f"stop {name} and forget its offsets (its next start snapshots again)?", abort=True
                )
            client.stop(name)
            client.wait_running(name, wanted="STOPPED")
            client.reset_offsets(name)
            console.print(
                f"{name}: offsets reset; left STOPPED: `inventory-cdc connectors resume {name}` starts it with a new snapshot (per snapshot.mode)"
            )
            return
        offset = source_offset(client, name)
    if output is Output.json:
        _json({"connector": name, "offset": offset})
    elif offset is None:
        console.print(f"{name}: no stored offsets")
    else:
        table = Table("key", "value", title=f"{name}: stored source offset")
        for key, value in offset.items():
            table.add_row(escape(str(key)), escape(str(value)))
        console.print(table)


@app.command()
@user_errors
def snapshot(
    spec_ref: Annotated[
        str, typer.Argument(metavar="NAME", help="The connector's spec: builtin name or YAML path.")
    ],
    table: Annotated[str, typer.Argument(help="A captured table, as the spec names it (schema.table).")],
    where: Annotated[
        str | None, typer.Option("--where", help="Re-read only rows matching this SQL condition.")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the snapshot to complete.")] = 600.0,
) -> None:
    """Re-read a table (or the rows matching --where) through an incremental snapshot, while streaming continues."""
    wiring = Wiring()
    spec = _load(_paths([spec_ref])[0])
    if table not in spec.table_names:
        raise fail(
            f"{table} is not captured by {spec.name}: choose one of {', '.join(spec.table_names)}", code=2
        )
    with wiring.client() as client:
        state = current_state(client, spec.name)
    if state != "RUNNING":
        raise fail(
            f"connector {spec.name} is {state or 'not deployed'}: the signal is read from its change stream, so it must be RUNNING (`inventory-cdc connectors resume {spec.name}`)"
        )
    with wiring.source(spec) as source:
        total = source.count_rows(table, where)
        with SnapshotFollower(wiring.settings.kafka_bootstrap, spec, table) as follower:
            signal_id = request_snapshot(source, spec, [table], where)
            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )
            rows = 0
            with Progress(*columns, console=console, transient=False) as bar:
                task = bar.add_task(f"{table}: waiting for {spec.name}", total=total or None)
                for step in follower.follow(signal_id, timeout_s=timeout):
                    bar.update(
                        task,
                        completed=step.rows,
                        description=f"{table}: {step.message or 'reading'}" if step.kind != "row" else None,
                    )
                    if step.failed:
                        raise fail(f"snapshot of {table}: {step.message}")
                    if step.done:
                        rows = step.rows
                        break
    console.print(
        f"{spec.name}: {table} re-read, {rows} row(s) emitted as op r (signal {signal_id}; {total} matched in the database)"
    )
