"""``inventory-cdc run --transport embedded``: the engines, the status line and the clean exit.

Once the JVM has started, the process must end through :func:`~pipelines.transports.embedded.exit_process`
(interpreter teardown with Debezium's threads attached aborts now and then), so this function never returns.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from rich.live import Live
from rich.text import Text

from cli.errors import err_console
from pipelines.exceptions import InventoryCdcError
from pipelines.runtime.counters import Counters, Rate
from pipelines.runtime.normalizer import Policy
from pipelines.runtime.routes import Route
from pipelines.transports.embedded import exit_process, start_jvm
from pipelines.transports.embedded_metrics import streaming
from pipelines.transports.embedded_pipeline import EmbeddedPipeline, EngineSpec
from stack.fetch import embedded_classpath
from stack.settings import StackSettings
from warehouse.store import Warehouse


def run_embedded(
    routes: Sequence[Route],
    properties: Mapping[str, dict[str, str]],
    duckdb: Path,
    state_dir: Path,
    policy: Policy,
    stop: Any,
    until_caught_up: bool,
    idle_s: float,
    output: str,
    settings: StackSettings,
    status_file: Path | None = None,
    *,
    state_interval_s: float = 60.0,
) -> NoReturn:
    from cli.run import _line, _summary, write_status

    code = 0
    summary: dict[str, Any] = {"transport": "embedded"}
    pipeline: EmbeddedPipeline | None = None
    try:
        start_jvm(embedded_classpath(settings.jvm_home), state_dir / "logs")
        warehouse = Warehouse(duckdb)
        pipeline = EmbeddedPipeline(
            [EngineSpec(r, properties[r.system]) for r in routes],
            warehouse,
            policy=policy,
            state_interval_s=state_interval_s,
        )
        started = time.monotonic()
        pipeline.start()
        summary["warmup_records"] = sum(lane.warmup_records for lane in pipeline.lanes)
        lanes = pipeline.status()
        summary["states_loaded"] = sorted(s.system for s in lanes if s.state_loaded)
        for warning in (e for s in lanes for e in s.errors):
            err_console.print(f"[yellow]warning:[/] {warning}")
        rate = Rate()
        with Live(Text("starting"), console=err_console, refresh_per_second=4, transient=True) as live:
            while not stop():
                time.sleep(0.25)
                pipeline.check()
                pipeline.tick()
                counters = Counters()
                for lane in pipeline.status():
                    counters.add(lane.counters)
                lag = counters.lag_ms()
                live.update(
                    _line(
                        "embedded",
                        counters,
                        rate.update(counters.events),
                        "-" if lag is None else f"{lag:,} ms",
                    )
                )
                write_status(status_file, embedded_status(pipeline, routes))
                if until_caught_up and _caught_up(pipeline, routes, idle_s):
                    break
        pipeline.stop()
        pipeline.check()
        for lane in pipeline.status():
            summary[lane.system] = {
                "records": lane.counters.records,
                "events": lane.counters.events,
                "dead_letters": lane.counters.dead_letters,
                "batches": lane.batches,
                "states_saved": lane.states_saved,
            }
        summary["seconds"] = round(time.monotonic() - started, 2)
        summary["canonical_rows"] = warehouse.count()
        summary["dead_letter_rows"] = warehouse.dead_letter_count()
        warehouse.close()
        _summary(summary, output)
    except InventoryCdcError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        code = 1
        if pipeline is not None:
            pipeline.stop()
    except BaseException as exc:
        err_console.print(f"[bold red]error:[/] {type(exc).__name__}: {exc}")
        code = 1
        if pipeline is not None:
            pipeline.stop()
    exit_process(code)


def embedded_status(pipeline: EmbeddedPipeline, routes: Sequence[Route]) -> dict[str, Any]:
    """Per system: whether its engine streams, counts, the source lag, what is held, the saved states, and
    warnings (a saved state that did not load)."""
    prefixes = {r.system: r.prefix for r in routes}
    return {
        lane.system: {
            "streaming": streaming(prefixes[lane.system]),
            "records": lane.counters.records,
            "events": lane.counters.events,
            "dead_letters": lane.counters.dead_letters,
            "lag_ms": lane.counters.lag_ms(),
            "held_topics": lane.held,
            "parked": lane.counters.parked,
            "state_loaded": lane.state_loaded,
            "states_saved": lane.states_saved,
            "warnings": lane.errors,
            "per_topic": dict(pipeline_lane.per_topic),
        }
        for lane, pipeline_lane in zip(pipeline.status(), pipeline.lanes, strict=True)
    }


def _caught_up(pipeline: EmbeddedPipeline, routes: Sequence[Route], idle_s: float) -> bool:
    if pipeline.quiet_for() < idle_s or not pipeline.clean():
        return False
    return all(streaming(r.prefix) is True for r in routes)
