"""``inventory-cdc run``: the normalizer runtime on one of its transports, with a live status line.

* ``--transport embedded``: one Debezium engine per connector spec in this process (one JVM), writing the
  canonical table, the dead letters and the raw change log straight into ``--duckdb``.
* ``--transport kafka``: ``--role normalizer`` (per-table topics to ``inventory.canonical.v1`` and
  ``inventory.dlq.v1`` in Kafka transactions), ``--role loader`` (those topics into ``--duckdb``), or ``all``
  (both, in two threads).

``--until-caught-up`` stops once everything available is committed. SIGTERM and Ctrl-C stop cleanly: what is
consistent is committed, the rest is redone after a restart.
"""

from __future__ import annotations

import signal
import threading
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from cli.errors import err_console, fail, user_errors
from cli.wiring import embedded_properties, pepper, route, specs
from pipelines.exceptions import InventoryCdcError
from pipelines.runtime.counters import Counters, Rate
from pipelines.runtime.normalizer import Policy
from pipelines.transports.kafka_normalizer import CANONICAL_TOPIC, DLQ_TOPIC
from stack.settings import StackSettings
from warehouse.store import Warehouse

console = Console(highlight=False)


class Transport(StrEnum):
    embedded = "embedded"
    kafka = "kafka"


class Role(StrEnum):
    all = "all"
    normalizer = "normalizer"
    loader = "loader"


def default_duckdb(settings: StackSettings) -> Path:
    return settings.home / "warehouse" / "inventory.duckdb"


class Stopper:
    """Set by SIGTERM / SIGINT; checked by the loops."""

    def __init__(self) -> None:
        self.event = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.event.set())

    def __call__(self) -> bool:
        return self.event.is_set()


def _line(transport: str, counters: Counters, rate: float, lag: str, extra: str = "") -> Text:
    text = Text()
    text.append(f"{transport} ", style="bold")
    text.append(f"{counters.events:,} events  {rate:,.0f}/s  ")
    text.append(f"lag {lag}  ")
    style = "red" if counters.dead_letters else ""
    text.append(f"dead letters {counters.dead_letters:,}", style=style)
    if counters.parked:
        text.append(f"  parked {counters.parked}")
    if extra:
        text.append(f"  {extra}")
    return text


@user_errors
def run(
    transport: Annotated[
        Transport, typer.Option("--transport", "-t", help="embedded or kafka.")
    ] = Transport.embedded,
    until_caught_up: Annotated[
        bool, typer.Option("--until-caught-up", help="Stop once everything available is committed.")
    ] = False,
    duckdb: Annotated[
        Path | None, typer.Option("--duckdb", help="DuckDB file (default: in the stack home).")
    ] = None,
    spec: Annotated[
        list[str] | None,
        typer.Option("--spec", help="Connector specs (builtin names or YAML paths); repeatable."),
    ] = None,
    role: Annotated[Role, typer.Option("--role", help="kafka: normalizer, loader or all.")] = Role.all,
    group: Annotated[
        str, typer.Option("--group", help="kafka: normalizer group id.")
    ] = "inventory-normalizer",
    loader_group: Annotated[
        str, typer.Option("--loader-group", help="kafka: loader group id.")
    ] = "inventory-loader",
    canonical_topic: Annotated[str, typer.Option("--canonical-topic")] = CANONICAL_TOPIC,
    dlq_topic: Annotated[str, typer.Option("--dlq-topic")] = DLQ_TOPIC,
    state_dir: Annotated[
        Path | None,
        typer.Option("--state-dir", help="embedded: offsets and schema history (default: beside --duckdb)."),
    ] = None,
    idle_s: Annotated[
        float, typer.Option("--idle-s", help="embedded: quiet seconds that mean caught up.")
    ] = 3.0,
    max_record_bytes: Annotated[
        int, typer.Option("--max-record-bytes", help="Larger values are dead letters.")
    ] = 1 << 20,
    state_interval_s: Annotated[
        float,
        typer.Option(
            "--state-interval-s",
            min=0,
            help="Seconds between saves of each lane's normalizer state (0: never); a restart replays only "
            "what came after the last one.",
        ),
    ] = 60.0,
    prefetch_mib: Annotated[
        int,
        typer.Option(
            "--prefetch-mib",
            min=1,
            help="kafka: MiB of records the normalizer's consumer may fetch ahead of its lanes.",
        ),
    ] = 512,
    drain_hold_mib: Annotated[
        int,
        typer.Option(
            "--drain-hold-mib",
            min=0,
            help="kafka: MiB of records a lane draining for a commit holds back in memory before it pauses their "
            "partitions (0: pause behind the first).",
        ),
    ] = 128,
    status_file: Annotated[
        Path | None,
        typer.Option("--status-file", help="Write the status as JSON here every second (monitoring)."),
    ] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="Summary as table or json.")] = "table",
) -> None:
    """Run the normalizer runtime: Debezium records in; the canonical table and dead letters out."""
    settings = StackSettings()
    path = duckdb or default_duckdb(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    policy = Policy(max_record_bytes=max_record_bytes)
    chosen = specs(spec)
    routes = [route(s, pepper(settings)) for s in chosen]
    stop = Stopper()
    if transport is Transport.embedded:
        from cli.run_embedded import run_embedded

        state = state_dir or path.with_suffix(".embedded")
        props = {s.system: embedded_properties(s, settings, state) for s in chosen}
        run_embedded(
            routes, props, path, state, policy, stop, until_caught_up, idle_s, output, settings, status_file,
            state_interval_s=state_interval_s,
        )  # fmt: skip
        return
    summary: dict[str, Any] = {"transport": "kafka"}
    normalizer: Any = None
    loader: Any = None
    try:
        if role in (Role.normalizer, Role.all):
            from pipelines.transports.kafka_normalizer import KafkaNormalizer, KafkaNormalizerConfig

            config = KafkaNormalizerConfig(
                settings.kafka_bootstrap,
                group_id=group,
                canonical_topic=canonical_topic,
                dlq_topic=dlq_topic,
                snapshot_interval_s=state_interval_s,
                drain_hold_bytes=drain_hold_mib * 1024 * 1024,
                prefetch_kbytes=prefetch_mib * 1024,
            )
            normalizer = KafkaNormalizer(routes, config, policy)
        if role in (Role.loader, Role.all):
            from pipelines.transports.kafka_loader import KafkaLoader

            loader = KafkaLoader(
                Warehouse(path),
                settings.kafka_bootstrap,
                group_id=loader_group,
                topics=[canonical_topic, dlq_topic],
            )
        summary.update(
            _run_kafka(
                role,
                normalizer,
                loader,
                stop,
                until_caught_up,
                status_file,
            )
        )
    except InventoryCdcError as exc:
        raise fail(str(exc)) from None
    _summary(summary, output)


def _run_kafka(
    role: Role, normalizer: Any, loader: Any, stop: Stopper, until: bool, status_file: Path | None = None
) -> dict[str, Any]:
    """The normalizer in a thread, the loader (if any) in this one; with both and ``until``, the loader stops
    at the end of the canonical topic once the normalizer has finished."""
    rate = Rate()
    state: dict[str, Any] = {}
    out: dict[str, Any] = {}
    normalizer_done = threading.Event()

    told: set[str] = set()

    def on_status(s: Any) -> None:
        state["n"] = s
        for gap in map(str, s.gaps):
            if gap not in told:
                told.add(gap)
                err_console.print(f"[yellow]warning:[/] {gap}")
        write_status(
            status_file,
            {
                "systems": s.systems,
                "events": s.counters.events,
                "records": s.counters.records,
                "dead_letters": s.counters.dead_letters,
                "lag": s.lag,
                "commits": s.commits,
                "warming": s.warming,
                "replayed": s.replayed,
                "gaps": [str(g) for g in s.gaps],
            },
        )

    def normalize() -> None:
        try:
            status = normalizer.run(stop, until_caught_up=until, on_status=on_status)
            c = status.counters
            out["normalizer"] = {
                "records": c.records,
                "events": c.events,
                "dead_letters": c.dead_letters,
                "systems": status.systems,
                "replayed": status.replayed,
                "gaps": [str(g) for g in status.gaps],
            }
        except BaseException as exc:  # re-raised by the main thread
            out["error"] = exc
            stop.event.set()
        finally:
            normalizer_done.set()

    thread = None
    if normalizer is not None:
        thread = threading.Thread(target=normalize, name="normalizer", daemon=True)
        thread.start()
    else:
        normalizer_done.set()
    started = time.monotonic()
    with Live(Text("starting"), console=err_console, refresh_per_second=4, transient=True) as live:
        if loader is not None:

            def loader_status(s: Any) -> None:
                state["l"] = s
                live.update(_kafka_line(state, rate))

            status = loader.run(
                stop, until_caught_up=(lambda: until and normalizer_done.is_set()), on_status=loader_status
            )
            out["loader"] = {
                "events": status.events,
                "dead_letters": status.dead_letters,
                "batches": status.batches,
            }
        else:
            while not normalizer_done.wait(0.25):
                live.update(_kafka_line(state, rate))
    if thread is not None:
        thread.join()
    if "error" in out:
        raise out.pop("error")
    out["seconds"] = round(time.monotonic() - started, 2)
    return out


def _kafka_line(state: dict[str, Any], rate: Rate) -> Text:
    n = state.get("n")
    counters = n.counters if n is not None else Counters()
    lag = f"{n.lag:,} records" if n is not None else "-"
    extra = ""
    if n is not None and n.warming:
        extra = f"rebuilding state ({n.replayed:,} records replayed)"
    loaded = state.get("l")
    if loaded is not None:
        extra += f" loaded {loaded.events:,}"
    return _line("kafka", counters, rate.update(counters.events), lag, extra)


def write_status(path: Path | None, data: dict[str, Any]) -> None:
    """Replace ``path`` atomically with ``data`` as JSON."""
    if path is None:
        return
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(orjson.dumps(data, default=str))
    tmp.replace(path)


def _summary(summary: dict[str, Any], output: str) -> None:
    if output == "json":
        typer.echo(orjson.dumps(summary, default=str).decode())
        return
    table = Table(title=f"run ({summary.get('transport')})")
    table.add_column("part")
    table.add_column("figures")
    for key, value in summary.items():
        if key != "transport":
            table.add_row(key, str(value))
    console.print(table)
