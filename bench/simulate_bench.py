"""Benchmark: business transactions a second that ``inventory-cdc simulate`` writes into the live databases.

Runs the ``onsale`` scenario for a bounded number of business transactions (operations), ``--repeat`` times, and
around each run measures a baseline on the same servers with the simulator's own connection settings: a loop of
trivial transactions (one single-row INSERT, then COMMIT) into a scratch table, on MariaDB and on PostgreSQL. The
ratio compares the simulator's database transactions a second with that baseline weighted by the run's mix of
box-office and pricing transactions. Scratch tables are dropped at the end.

    .venv/bin/python bench/simulate_bench.py [--transactions 3000] [--repeat 3] [--seed 1]

Needs the local stack (``inventory-cdc stack up``); initialises the legacy databases (idempotent) first.
"""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import URL, Connection, make_url

from legacy_adapters.registry import get_system, installer
from simulator.runner import Bounds, Simulation, Summary, Targets
from simulator.scenarios import SCENARIOS
from simulator.writers.base import open_connection
from stack.settings import StackSettings

console = Console(highlight=False, width=160)

SCRATCH = f"simbench_{uuid.uuid4().hex[:8]}"


def cpu_model() -> str:
    """The CPU's model name (Linux), else the machine type."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _targets(settings: StackSettings) -> Targets:
    return Targets(
        box_office=make_url(settings.mariadb_url("boxoffice")).update_query_dict({"charset": "utf8mb4"}),
        pricing=make_url(settings.postgres_url("pricing")),
    )


def _scratch(conn: Connection) -> str:
    """Create the scratch table on this connection's server; returns its qualified name."""
    if conn.dialect.name == "mysql":
        conn.exec_driver_sql(f"CREATE DATABASE IF NOT EXISTS {SCRATCH}")
        name = f"{SCRATCH}.t"
        conn.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS {name} (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT, at DATETIME) ENGINE=InnoDB"
        )
    else:
        name = f"public.{SCRATCH}"
        conn.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS {name} (id bigserial PRIMARY KEY, v int, at timestamptz)"
        )
    conn.commit()
    return name


def _drop(conn: Connection) -> None:
    if conn.dialect.name == "mysql":
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {SCRATCH}")
    else:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS public.{SCRATCH}")
    conn.commit()


def baseline(url: URL, system: str, title: str, count: int) -> float:
    """Transactions a second of ``count`` single-row INSERT + COMMIT transactions on one connection."""
    conn = open_connection(url, system, title)
    try:
        name = _scratch(conn)
        sql = f"INSERT INTO {name} (v, at) VALUES (%(v)s, %(at)s)"
        began = time.perf_counter()
        for i in range(count):
            with conn.begin():
                conn.exec_driver_sql(sql, {"v": i, "at": None})
        return count / (time.perf_counter() - began)
    finally:
        conn.close()
        conn.engine.dispose()


def cleanup(targets: Targets) -> None:
    for url, system, title in (
        (targets.box_office, "box_office", "MariaDB"),
        (targets.pricing, "pricing", "PostgreSQL"),
    ):
        conn = open_connection(url, system, title)
        try:
            _drop(conn)
        finally:
            conn.close()
            conn.engine.dispose()


def weighted(summary: Summary, maria: float, postgres: float) -> float:
    """Baseline transactions a second for this run's mix of box-office and pricing transactions."""
    counts = summary.db_transactions
    total = counts["box_office"] + counts["pricing"]
    seconds = counts["box_office"] / maria + counts["pricing"] / postgres
    return total / seconds


def main(
    transactions: Annotated[int, typer.Option(help="Business transactions per run.")] = 3000,
    repeat: Annotated[int, typer.Option(help="Runs (the median is reported).")] = 3,
    seed: Annotated[int, typer.Option(help="First seed (each run uses the next one).")] = 1,
    baseline_count: Annotated[int, typer.Option(help="Transactions of each baseline loop.")] = 1500,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON too.")] = False,
) -> None:
    """Measure, compare with the baseline, print the figures."""
    settings = StackSettings()
    password = settings.secrets.debezium_password
    installer(get_system("box_office"))(make_url(settings.mariadb_url()), password)
    installer(get_system("pricing"))(make_url(settings.postgres_url()), password)
    targets = _targets(settings)
    rows: list[dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for n in range(repeat):
                maria = [baseline(targets.box_office, "box_office", "MariaDB", baseline_count)]
                postgres = [baseline(targets.pricing, "pricing", "PostgreSQL", baseline_count)]
                load = os.getloadavg()[0]
                simulation = Simulation(
                    SCENARIOS["onsale"],
                    seed + n,
                    targets,
                    Bounds(transactions=transactions),
                    out=Path(tmp) / str(n),
                )
                summary = simulation.run()
                maria.append(baseline(targets.box_office, "box_office", "MariaDB", baseline_count))
                postgres.append(baseline(targets.pricing, "pricing", "PostgreSQL", baseline_count))
                db_tx = sum(summary.db_transactions.values())
                written = summary.transactions - summary.ledger_only
                base = weighted(summary, statistics.mean(maria), statistics.mean(postgres))
                rows.append(
                    {
                        "run": n + 1, "seed": seed + n, "business_tx": summary.transactions, "elapsed_s": summary.elapsed_s,
                        "business_tx_per_s": summary.rate, "db_backed_business_tx_per_s": written / summary.elapsed_s,
                        "db_tx_per_s": db_tx / summary.elapsed_s, "baseline_mariadb_tx_per_s": statistics.mean(maria),
                        "baseline_postgres_tx_per_s": statistics.mean(postgres), "baseline_mix_tx_per_s": base,
                        "ratio_db_tx_to_baseline": db_tx / summary.elapsed_s / base, "load_avg_1m": load,
                    }
                )  # fmt: skip
    finally:
        cleanup(targets)
    table = Table(
        "run",
        "seed",
        "business tx/s",
        "db-backed tx/s",
        "db tx/s",
        "baseline MariaDB",
        "baseline PostgreSQL",
        "baseline mix",
        "ratio",
        "load",
    )
    for r in rows:
        table.add_row(
            str(r["run"]), str(r["seed"]), f"{r['business_tx_per_s']:.0f}", f"{r['db_backed_business_tx_per_s']:.0f}",
            f"{r['db_tx_per_s']:.0f}", f"{r['baseline_mariadb_tx_per_s']:.0f}", f"{r['baseline_postgres_tx_per_s']:.0f}",
            f"{r['baseline_mix_tx_per_s']:.0f}", f"{r['ratio_db_tx_to_baseline']:.2f}", f"{r['load_avg_1m']:.1f}",
        )  # fmt: skip
    console.print(table)
    median = {k: statistics.median(r[k] for r in rows) for k in rows[0] if k not in ("run", "seed")}
    console.print(
        f"machine: {os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}; "
        f"{transactions} business transactions per run (onsale), CRM kept in the ledger"
    )
    console.print(
        f"median: {median['business_tx_per_s']:.0f} business tx/s ({median['db_backed_business_tx_per_s']:.0f} written to a "
        f"database), {median['db_tx_per_s']:.0f} database tx/s; baseline {median['baseline_mix_tx_per_s']:.0f} tx/s "
        f"(MariaDB {median['baseline_mariadb_tx_per_s']:.0f}, PostgreSQL {median['baseline_postgres_tx_per_s']:.0f}); "
        f"ratio {median['ratio_db_tx_to_baseline']:.2f}"
    )
    if as_json:
        typer.echo(orjson.dumps({"runs": rows, "median": median}, option=orjson.OPT_INDENT_2).decode())


if __name__ == "__main__":
    typer.run(main)
