"""``inventory-cdc dlq``: the dead letters in the DuckDB file: list, show one, replay them after a fix.

``replay`` rebuilds each system's adapter lookups from its history (the embedded transport's raw change log
when the DuckDB file has one, else the system's Kafka topics) and maps every dead letter again with the
current adapters and limits; those that map now go to the canonical table and leave the dead letters, in one
DuckDB transaction. The others stay, with their replay count and latest reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from cli.errors import fail, user_errors
from cli.run import default_duckdb
from cli.wiring import pepper, route, specs
from pipelines.runtime.deadletter import DeadLetter
from pipelines.runtime.normalizer import Policy
from pipelines.runtime.records import SourceRecord
from pipelines.runtime.replay import replay
from pipelines.runtime.routes import Route
from pipelines.transports.kafka_reader import fetch, read_history
from stack.settings import StackSettings
from warehouse import dead_letters
from warehouse.store import Warehouse

app = typer.Typer(no_args_is_help=True, help="Dead letters: list, show, replay after a fix.")
console = Console(highlight=False)

DuckOpt = Annotated[Path | None, typer.Option("--duckdb", help="DuckDB file (default: in the stack home).")]
OutOpt = Annotated[str, typer.Option("--output", "-o", help="table or json")]


def _open(duckdb: Path | None) -> Warehouse:
    path = duckdb or default_duckdb(StackSettings())
    if not path.exists():
        raise fail(f"no DuckDB file at {path}: run `inventory-cdc run` first", code=2)
    return Warehouse(path)


def _brief(letter: DeadLetter, replays: int = 0, last: str | None = None) -> dict[str, object]:
    return {
        "id": letter.id,
        "system": letter.system,
        "error": letter.error,
        "reason": letter.reason,
        "field": letter.field,
        "table": letter.table,
        "column": letter.column,
        "topic": letter.topic,
        "partition": letter.partition,
        "offset": letter.offset,
        "position": letter.position,
        "value_size": letter.value_size,
        "value_inline": letter.value_inline,
        "failed_at": letter.failed_at,
        "replays": replays,
        "last_replay": last,
    }


@app.command("list")
@user_errors
def list_cmd(
    duckdb: DuckOpt = None,
    system: Annotated[str | None, typer.Option("--system")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 100,
    output: OutOpt = "table",
) -> None:
    """Dead letters, oldest first."""
    with _open(duckdb) as store:
        rows = dead_letters.list_dead_letters(store.conn, system=system, limit=limit)
    if output == "json":
        typer.echo(orjson.dumps([_brief(*r) for r in rows], default=str).decode())
        return
    table = Table(title=f"dead letters ({len(rows)})")
    for column in ("id", "system", "error", "reason", "where", "replays"):
        table.add_column(column)
    for letter, replays, _ in rows:
        where = f"{letter.topic}[{letter.partition}]@{letter.offset}"
        table.add_row(
            letter.id[:8], letter.system or "-", letter.error, letter.reason[:80], where, str(replays)
        )
    console.print(table)


@app.command("show")
@user_errors
def show_cmd(
    id: Annotated[str, typer.Argument(help="A dead letter id or its first characters.")],
    duckdb: DuckOpt = None,
    output: OutOpt = "table",
) -> None:
    """One dead letter: reason, where it came from, and its raw record."""
    with _open(duckdb) as store:
        found = dead_letters.find_dead_letters(store.conn, id)
    if len(found) != 1:
        raise fail(f"{len(found)} dead letters match {id!r}", code=2)
    letter = found[0]
    data = _brief(letter)
    data["message"] = letter.message
    data["key"] = None if letter.key is None else letter.key.decode(errors="replace")
    data["value"] = None if letter.value is None else letter.value[:4000].decode(errors="replace")
    if output == "json":
        typer.echo(orjson.dumps(data, default=str).decode())
        return
    for key, value in data.items():
        console.print(f"[bold]{key}[/]: {value}", markup=True, soft_wrap=True)


@app.command("replay")
@user_errors
def replay_cmd(
    duckdb: DuckOpt = None,
    spec: Annotated[list[str] | None, typer.Option("--spec", help="Connector specs of the systems.")] = None,
    system: Annotated[str | None, typer.Option("--system")] = None,
    max_record_bytes: Annotated[int, typer.Option("--max-record-bytes")] = 1 << 20,
    output: OutOpt = "table",
) -> None:
    """Map the dead letters again with the current adapters; those that map leave the dead letters."""
    settings = StackSettings()
    routes = [route(s, pepper(settings)) for s in specs(spec)]
    with _open(duckdb) as store:
        letters = [r[0] for r in dead_letters.list_dead_letters(store.conn, system=system)]

        def history(r: Route) -> Iterable[SourceRecord]:
            if store.raw_next_seq(r.system) > 0:
                return (SourceRecord(t, 0, seq, k, v) for seq, t, k, v in store.raw_replay(r.system))
            return read_history(settings.kafka_bootstrap, r.all_topics())

        def value_of(letter: DeadLetter) -> bytes | None:
            record = fetch(settings.kafka_bootstrap, letter.topic, letter.partition, letter.offset)
            return None if record is None else record.value

        result = replay(letters, routes, history, value_of, Policy(max_record_bytes=max_record_bytes))
        store.commit(result.events, resolved=result.resolved)
        with store.lock, store.transaction():
            dead_letters.note_replay(store.conn, result.failing)
    summary = {
        "replayed": len(letters),
        "resolved": len(result.resolved),
        "events": len(result.events),
        "still_failing": len(result.failing),
    }
    if output == "json":
        typer.echo(orjson.dumps({**summary, "failing": result.failing}).decode())
        return
    console.print(summary)
