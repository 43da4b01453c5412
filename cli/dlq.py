"""``inventory-cdc dlq``: the dead letters in the DuckDB file: list, show one, replay them after a fix.

``replay`` rebuilds each system's adapter lookups (from the embedded lane's saved state and the raw change log
from where it ends, or from the kafka lane's saved state and its topics from the state's offsets) and maps
every dead letter again with the current adapters and limits; the others stay, with their replay count and
latest reason. Where the events of the letters that map now go is decided per system, the same way as its
history. One DuckDB transaction writes those events to the canonical table, removes their letters and counts
the replay of the others:

* embedded mode (the DuckDB file has the system's raw change log): into the canonical table only (there is
  no canonical topic).
* kafka mode (no raw change log: history read from the system's Kafka topics): first to the canonical topic
  (``--canonical-topic``, the one ``run`` wrote), produced exactly as the normalizer produces them
  (:func:`~pipelines.transports.kafka_canonical.produce_events`) in one Kafka transaction that is committed
  before anything changes in DuckDB; only then the DuckDB transaction. A crash between the two leaves the
  letters in place: the next replay publishes the same events again with the same deterministic ids, which
  every sink (the loader's table among them) ignores as duplicates; the other order could lose them for the
  topic's consumers.

The replay producer's ``transactional.id`` is ``inventory-cdc-dlq-replay.<canonical topic>``: a replay aborts
the open transaction of one that crashed, and two replays into the same topic at once fence each other (the
fenced one fails before touching DuckDB).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from cli.errors import fail, user_errors
from cli.run import default_duckdb
from cli.wiring import pepper, route, specs
from pipelines.exceptions import InventoryCdcError
from pipelines.runtime.deadletter import DeadLetter
from pipelines.runtime.normalizer import Policy, SystemNormalizer
from pipelines.runtime.records import SourceRecord
from pipelines.runtime.replay import replay
from pipelines.runtime.routes import Route
from pipelines.transports.embedded_pipeline import load_lane_state
from pipelines.transports.kafka_canonical import publish_events, topic_exists
from pipelines.transports.kafka_normalizer import CANONICAL_TOPIC, KafkaNormalizerConfig
from pipelines.transports.kafka_reader import fetch
from pipelines.transports.kafka_state import warm_up
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


def _check_canonical_topic(store: Warehouse, bootstrap: str, topic: str) -> None:
    """Refuse a canonical topic that does not exist, or that this DuckDB file's loader has not read."""
    if not topic_exists(bootstrap, topic):
        raise fail(
            f"canonical topic {topic} does not exist: pass the --canonical-topic that `run` used", code=2
        )
    with store.lock:
        rows = store.conn.execute("SELECT DISTINCT stream FROM loader_checkpoints ORDER BY 1").fetchall()
    loaded = [row[0] for row in rows]
    # a loader that has read both its topics names the canonical one among them (one stream is ambiguous)
    if len(loaded) >= 2 and topic not in loaded:
        raise fail(
            f"this DuckDB file was loaded from {', '.join(loaded)}, not {topic}: "
            "pass the --canonical-topic that `run` used",
            code=2,
        )


@app.command("replay")
@user_errors
def replay_cmd(
    duckdb: DuckOpt = None,
    spec: Annotated[list[str] | None, typer.Option("--spec", help="Connector specs of the systems.")] = None,
    system: Annotated[str | None, typer.Option("--system")] = None,
    max_record_bytes: Annotated[int, typer.Option("--max-record-bytes")] = 1 << 20,
    canonical_topic: Annotated[
        str,
        typer.Option("--canonical-topic", help="kafka mode: where resolved events go (as given to `run`)."),
    ] = CANONICAL_TOPIC,
    group: Annotated[
        str,
        typer.Option("--group", help="kafka mode: the normalizer group (as given to `run`), for its state."),
    ] = KafkaNormalizerConfig.group_id,
    output: OutOpt = "table",
) -> None:
    """Map the dead letters again with the current adapters; those that map leave the dead letters, and their
    events go to the canonical topic (kafka mode, committed first) and the canonical table."""
    settings = StackSettings()
    bootstrap = settings.kafka_bootstrap
    routes = [route(s, pepper(settings)) for s in specs(spec)]
    store = _open(duckdb)
    with store:
        letters = [r[0] for r in dead_letters.list_dead_letters(store.conn, system=system)]
        embedded = {r.system for r in routes if store.raw_next_seq(r.system) > 0}
        on_kafka = {r.system for r in routes if r.system not in embedded}
        if on_kafka & {letter.system or "" for letter in letters}:
            _check_canonical_topic(store, bootstrap, canonical_topic)

        def warm(r: Route, normalizer: SystemNormalizer) -> None:
            if r.system in embedded:  # the lane's saved state and the raw log from where it ends
                first, _ = load_lane_state(store, r.system, normalizer)
                for seq, t, k, v in store.raw_replay(r.system, first):
                    normalizer.handle(SourceRecord(t, 0, seq, k, v), emit=False)
            else:  # the lane's saved state and the records from its offsets, as a restarted lane would
                warm_up(normalizer, bootstrap, r.all_topics(), f"{group}.{r.system}")

        def value_of(letter: DeadLetter) -> bytes | None:
            record = fetch(bootstrap, letter.topic, letter.partition, letter.offset)
            return None if record is None else record.value

        result = replay(letters, routes, warm, value_of, Policy(max_record_bytes=max_record_bytes))
        published = [e for s in sorted(on_kafka) for e in result.by_system.get(s, [])]
        if published:  # committed in Kafka before DuckDB forgets the letters (see the module docstring)
            try:
                publish_events(
                    bootstrap,
                    canonical_topic,
                    published,
                    transactional_id=f"inventory-cdc-dlq-replay.{canonical_topic}",
                )
            except InventoryCdcError as exc:
                raise fail(f"{exc}; nothing was changed in DuckDB, replay again") from None
        store.commit(result.events, resolved=result.resolved, still_failing=result.failing)
    summary = {
        "replayed": len(letters),
        "resolved": len(result.resolved),
        "events": len(result.events),
        "published": len(published),
        "still_failing": len(result.failing),
    }
    if output == "json":
        typer.echo(orjson.dumps({**summary, "failing": result.failing}).decode())
        return
    console.print(summary)
