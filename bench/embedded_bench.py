"""Embedded-transport throughput: box-office seat changes from the source commit to rows in DuckDB.

A scratch box-office database (unique name, dropped afterwards) gets a small seeded on-sale (venues, events,
seats); the embedded engine (this process's JVM) captures it into a scratch DuckDB file. Once it streams, the
bench updates every seat ``--rounds`` times in transactions of ``--rows-per-tx`` rows and measures from just
before the first commit to the moment the last ``seat.changed`` is committed in DuckDB (events/s).

    .venv/bin/python bench/embedded_bench.py --rounds 5
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from typer.testing import CliRunner

from cli.main import app
from cli.wiring import embedded_properties, pepper, route
from pipelines.transports.embedded import exit_process, start_jvm
from pipelines.transports.embedded_metrics import streaming
from pipelines.transports.embedded_pipeline import EmbeddedPipeline, EngineSpec
from stack.fetch import embedded_classpath
from stack.settings import StackSettings
from tests.runtime.scratch import Scratch
from warehouse.store import Warehouse

console = Console(highlight=False)


def main(
    rounds: Annotated[int, typer.Option("--rounds")] = 5,
    rows_per_tx: Annotated[int, typer.Option("--rows-per-tx")] = 2000,
    transactions: Annotated[
        int, typer.Option("--transactions", help="Simulator transactions (seats).")
    ] = 1500,
) -> None:
    settings = StackSettings()
    directory = Path(tempfile.mkdtemp(prefix="embedded-bench-"))
    scratch = Scratch(settings, directory, tag="eb")
    code = 0
    pipeline = None
    try:
        result = CliRunner().invoke(
            app,
            [
                "simulate",
                "--scenario",
                "onsale",
                "--seed",
                "5",
                "-n",
                str(transactions),
                "--box-office-db",
                scratch.name,
                "--pricing-db",
                scratch.name,
                "--out",
                str(directory / "sim"),
                "-o",
                "json",
            ],
            env={"INVENTORY_CDC_CRM_URL": ""},
        )
        assert result.exit_code == 0, result.output
        spec = scratch.load(scratch.specs("b")[0])
        start_jvm(embedded_classpath(settings.jvm_home), directory / "logs")
        store = Warehouse(directory / "bench.duckdb")
        r = route(spec, pepper(settings))
        pipeline = EmbeddedPipeline(
            [EngineSpec(r, embedded_properties(spec, settings, directory / "state"))], store
        )
        pipeline.start()
        lane = pipeline.lanes[0]
        deadline = time.monotonic() + 300
        while not streaming(r.prefix) and time.monotonic() < deadline:
            time.sleep(0.5)
            pipeline.check()
        time.sleep(2)
        with scratch.maria() as conn, conn.cursor() as cur:
            cur.execute(f"SELECT SEAT_ID FROM `{scratch.name}`.SEAT_INV ORDER BY SEAT_ID")
            ids = [row[0] for row in cur.fetchall()]
        before = lane.normalizer.counters.events
        expected = before + len(ids) * rounds
        start = time.perf_counter()
        with scratch.maria() as conn, conn.cursor() as cur:
            conn.autocommit(False)
            for _ in range(rounds):
                for i in range(0, len(ids), rows_per_tx):
                    chunk = ids[i : i + rows_per_tx]
                    cur.execute(
                        f"UPDATE `{scratch.name}`.SEAT_INV SET FACE_AMT = FACE_AMT + 1 "
                        f"WHERE SEAT_ID BETWEEN %s AND %s",
                        (chunk[0], chunk[-1]),
                    )
                    conn.commit()
        written = time.perf_counter() - start
        while lane.normalizer.counters.events < expected and time.perf_counter() - start < 600:
            time.sleep(0.05)
            pipeline.check()
        elapsed = time.perf_counter() - start
        changes = lane.normalizer.counters.events - before
        console.print(
            f"embedded transport: {changes:,} seat changes in {elapsed:.2f} s from first source commit to DuckDB "
            f"= {changes / elapsed:,.0f} events/s (source writes took {written:.2f} s; "
            f"{rows_per_tx} rows per transaction, {rounds} rounds over {len(ids):,} seats)"
        )
        console.print(
            f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        )
        pipeline.stop()
        store.close()
    except BaseException as exc:
        console.print(f"failed: {type(exc).__name__}: {exc}")
        code = 1
        if pipeline is not None:
            pipeline.stop()
    finally:
        scratch.close()
    exit_process(code)


if __name__ == "__main__":
    typer.run(main)
