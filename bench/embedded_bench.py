"""Embedded-transport throughput: box-office seat changes from the source commit to rows in DuckDB, against the
raw engine-to-Python delivery rate measured in the same run.

A scratch box-office database (unique name, dropped afterwards) gets a small seeded on-sale (venues, events,
seats). Two phases then run one after the other in this process's JVM, with the same connector properties
(each with its own offsets and schema history, so each snapshots once):

1. **baseline**: the same Debezium embedded engine feeding a handler that only counts records (what Debezium,
   its JSON conversion and the hand-over to Python cost on their own);
2. **pipeline**: the embedded transport (:class:`~pipelines.transports.embedded_pipeline.EmbeddedPipeline`)
   capturing into a scratch DuckDB file.

Once a phase streams and is quiet, the bench updates every seat ``--warmup-rounds`` times untimed (the JVM
compiles the streaming path), then ``--repeat`` times: it updates every seat ``--rounds`` times in transactions
of ``--rows-per-tx`` rows and measures from just before the first commit to the moment the last seat change is
counted (baseline) or committed in DuckDB (pipeline). Each phase reports the median of its runs; the ratio of
the medians, pipeline / baseline, is the figure that travels between machines (other work on the machine slows
both phases alike).

    .venv/bin/python bench/embedded_bench.py --rounds 3 [--repeat 3] [--profile]

``--profile`` samples the Python stacks of the pipeline's threads during its timed runs and prints where their
time goes (sampling, so the profile barely slows the run it describes).
"""

from __future__ import annotations

import collections
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.testing import CliRunner

from cli.main import app
from cli.wiring import embedded_properties, pepper, route
from pipelines.transports.embedded import Batch, EmbeddedEngine, exit_process, start_jvm
from pipelines.transports.embedded_metrics import streaming
from pipelines.transports.embedded_pipeline import EmbeddedPipeline, EngineSpec
from stack.fetch import embedded_classpath
from stack.settings import StackSettings
from tests.runtime.scratch import Scratch
from warehouse.store import Warehouse

console = Console(highlight=False)


@dataclass
class Run:
    changes: int
    seconds: float
    written_s: float
    batches: int

    @property
    def rate(self) -> float:
        return self.changes / self.seconds


@dataclass
class Phase:
    name: str
    runs: list[Run]

    @property
    def rate(self) -> float:
        """The median run's rate."""
        return statistics.median(run.rate for run in self.runs)


class Workload:
    """The update rounds, the same for both phases."""

    def __init__(self, scratch: Scratch, rounds: int, rows_per_tx: int, warmup_rounds: int) -> None:
        self.scratch = scratch
        self.rounds = rounds
        self.warmup_rounds = warmup_rounds
        self.rows_per_tx = rows_per_tx
        with scratch.maria() as conn, conn.cursor() as cur:
            cur.execute(f"SELECT SEAT_ID FROM `{scratch.name}`.SEAT_INV ORDER BY SEAT_ID")
            self.ids = [row[0] for row in cur.fetchall()]

    @property
    def changes(self) -> int:
        return self.changes_of(self.rounds)

    def changes_of(self, rounds: int) -> int:
        return len(self.ids) * rounds

    def run(self, rounds: int) -> float:
        """Write ``rounds`` rounds; seconds the source writes took."""
        start = time.perf_counter()
        with self.scratch.maria() as conn, conn.cursor() as cur:
            conn.autocommit(False)
            for _ in range(rounds):
                for i in range(0, len(self.ids), self.rows_per_tx):
                    chunk = self.ids[i : i + self.rows_per_tx]
                    cur.execute(
                        f"UPDATE `{self.scratch.name}`.SEAT_INV SET FACE_AMT = FACE_AMT + 1 "
                        f"WHERE SEAT_ID BETWEEN %s AND %s",
                        (chunk[0], chunk[-1]),
                    )
                    conn.commit()
        return time.perf_counter() - start


def _settle(prefix: str, check: Callable[[], None], quiet_for: Callable[[], float], deadline: float) -> None:
    """Wait until the connector streams (snapshot over) and nothing has arrived for 2 s."""
    while time.monotonic() < deadline:
        check()
        if streaming(prefix) and quiet_for() >= 2.0:
            return
        time.sleep(0.25)
    raise TimeoutError("the engine did not finish its snapshot in time")


def _measure(
    name: str,
    workload: Workload,
    count: Callable[[], int],
    batches: Callable[[], int],
    check: Callable[[], None],
    quiet_for: Callable[[], float],
    timeout_s: float,
    repeat: int,
    sampler: Sampler | None = None,
) -> Phase:
    """Warm-up rounds first (the JVM compiles the streaming path, Python fills its caches), then ``repeat``
    timed runs, each once the previous one is delivered and quiet."""

    def wait_quiet(until: int) -> None:
        deadline = time.monotonic() + timeout_s
        while count() < until or quiet_for() < 1.0:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name}: {until - count():,} changes not delivered in {timeout_s} s")
            check()
            time.sleep(0.05)

    if workload.warmup_rounds:
        warm = count() + workload.changes_of(workload.warmup_rounds)
        workload.run(workload.warmup_rounds)
        wait_quiet(warm)
    runs = []
    for _ in range(repeat):
        before, batches_before = count(), batches()
        expected = before + workload.changes
        if sampler is not None:
            sampler.active = True
        start = time.perf_counter()
        written = workload.run(workload.rounds)
        while count() < expected:
            if time.perf_counter() - start > timeout_s:
                raise TimeoutError(
                    f"{name}: {count() - before:,} of {workload.changes:,} changes in {timeout_s} s"
                )
            check()
            time.sleep(0.01)
        runs.append(Run(count() - before, time.perf_counter() - start, written, batches() - batches_before))
        if sampler is not None:
            sampler.active = False
        wait_quiet(expected)
    return Phase(name, runs)


class Counting:
    """The baseline handler: counts the records of one topic, and batches."""

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.records = 0
        self.batches = 0
        self.last = time.monotonic()

    def __call__(self, batch: Batch) -> None:
        topic = self.topic
        self.records += sum(1 for r in batch if r.topic == topic)
        self.batches += 1
        self.last = time.monotonic()


def baseline(
    props: Mapping[str, str], prefix: str, topic: str, workload: Workload, timeout_s: float, repeat: int
) -> Phase:
    handler = Counting(topic)
    engine = EmbeddedEngine("baseline", props, handler)
    engine.start()
    try:
        _settle(
            prefix, engine.raise_if_failed, lambda: time.monotonic() - handler.last, time.monotonic() + 300
        )
        return _measure(
            "baseline",
            workload,
            lambda: handler.records,
            lambda: handler.batches,
            engine.raise_if_failed,
            lambda: time.monotonic() - handler.last,
            timeout_s,
            repeat,
        )
    finally:
        engine.stop()


def pipeline_phase(
    spec: EngineSpec,
    store: Warehouse,
    workload: Workload,
    timeout_s: float,
    repeat: int,
    sampler: Sampler | None,
) -> Phase:
    pipeline = EmbeddedPipeline([spec], store)
    pipeline.start()
    lane = pipeline.lanes[0]
    try:
        # quiet: no batch for a while, and the lane has written every batch it was handed
        def quiet_for() -> float:
            return pipeline.quiet_for() if lane.idle else 0.0

        _settle(spec.route.prefix, pipeline.check, quiet_for, time.monotonic() + 300)
        if sampler is not None:
            sampler.start()
        return _measure(
            "pipeline",
            workload,
            lambda: lane.committed_events,
            lambda: lane.batches,
            pipeline.check,
            quiet_for,
            timeout_s,
            repeat,
            sampler,
        )
    finally:
        if sampler is not None:
            sampler.stop()
        pipeline.stop()


class Sampler:
    """Samples the Python stacks of the engine's threads every ``interval_s`` (the batch handler runs in a JVM
    thread that JPype attached, not in a :mod:`threading` thread): where the handler's time goes, as a share
    of the wall-clock time sampled."""

    def __init__(self, interval_s: float = 0.002) -> None:
        self.interval_s = interval_s
        self.leaf: collections.Counter[str] = collections.Counter()
        self.inclusive: collections.Counter[str] = collections.Counter()
        self.ticks = 0
        self.active = False
        """Samples are taken only while active (during timed runs)."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def _run(self) -> None:
        skip = {threading.main_thread().ident, threading.get_ident()}
        while not self._stop.wait(self.interval_s):
            if not self.active:
                continue
            self.ticks += 1
            for ident, frame in sys._current_frames().items():
                if ident in skip:
                    continue
                stack: list[str] = []
                f: Any = frame
                while f is not None:
                    stack.append(f"{Path(f.f_code.co_filename).name}:{f.f_code.co_name}")
                    f = f.f_back
                if stack[0] in _IDLE:
                    continue
                self.leaf[stack[0]] += 1
                for where in set(stack):
                    self.inclusive[where] += 1

    def report(self, top: int = 30) -> None:
        n = max(self.ticks, 1)
        console.print(
            f"profile of the engine's threads: {self.ticks:,} samples every {self.interval_s * 1000:g} ms "
            "(% of wall-clock time; threads waiting in Java or on a lock not counted)"
        )
        console.print("  inclusive (time in the function and what it calls):")
        for where, count in self.inclusive.most_common(top):
            console.print(f"    {100 * count / n:5.1f}%  {where}")
        console.print("  self (the innermost Python frame):")
        for where, count in self.leaf.most_common(top):
            console.print(f"    {100 * count / n:5.1f}%  {where}")


_IDLE = {"embedded.py:run", "threading.py:wait", "threading.py:_wait_for_tstate_lock"}


def main(
    rounds: Annotated[int, typer.Option("--rounds")] = 5,
    rows_per_tx: Annotated[int, typer.Option("--rows-per-tx")] = 2000,
    transactions: Annotated[
        int, typer.Option("--transactions", help="Simulator transactions (seats).")
    ] = 1500,
    repeat: Annotated[int, typer.Option("--repeat", help="Timed runs per phase (median).")] = 3,
    warmup_rounds: Annotated[
        int, typer.Option("--warmup-rounds", help="Untimed rounds first, per phase.")
    ] = 1,
    timeout_s: Annotated[float, typer.Option("--timeout-s", help="Per phase, after the first commit.")] = 300,
    profile: Annotated[bool, typer.Option("--profile", help="Sample the pipeline's engine thread.")] = False,
    skip_baseline: Annotated[bool, typer.Option("--skip-baseline")] = False,
) -> None:
    settings = StackSettings()
    directory = Path(tempfile.mkdtemp(prefix="embedded-bench-"))
    code = 0
    scratch: Scratch | None = None
    store: Warehouse | None = None
    try:
        scratch = Scratch(settings, directory, tag="eb")
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
        r = route(spec, pepper(settings))
        seat_topic = next(t for t in r.topics if t.endswith(".SEAT_INV"))
        workload = Workload(scratch, rounds, rows_per_tx, warmup_rounds)
        phases: list[Phase] = []
        if not skip_baseline:
            props = embedded_properties(spec, settings, directory / "state-baseline")
            phases.append(baseline(props, r.prefix, seat_topic, workload, timeout_s, repeat))
        sampler = Sampler() if profile else None
        store = Warehouse(directory / "bench.duckdb")
        engine = EngineSpec(r, embedded_properties(spec, settings, directory / "state"))
        phases.append(pipeline_phase(engine, store, workload, timeout_s, repeat, sampler))
        seat_rows = _seat_rows(store, scratch.name)
        store.close()
        store = None
        console.print(
            f"{workload.changes:,} seat changes per run ({rounds} rounds over {len(workload.ids):,} seats, "
            f"{rows_per_tx} rows per transaction), median of {repeat} runs, from first source commit:"
        )
        for phase in phases:
            runs = ", ".join(f"{run.rate:,.0f}" for run in phase.runs)
            median = statistics.median(run.seconds for run in phase.runs)
            writes = statistics.median(run.written_s for run in phase.runs)
            console.print(
                f"  {phase.name:>8}: {phase.rate:,.0f} events/s (runs: {runs}; {median:.2f} s, source writes "
                f"{writes:.2f} s, {phase.runs[0].batches} batches)"
            )
        if len(phases) == 2:
            console.print(f"  ratio pipeline / baseline: {phases[1].rate / phases[0].rate:.2f}")
        console.print(f"  {seat_rows:,} seat.changed rows in DuckDB")
        console.print(
            f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        )
        if sampler is not None:
            sampler.report()
    except BaseException as exc:
        console.print(f"failed: {type(exc).__name__}: {exc}")
        code = 1
    finally:
        if store is not None:
            store.close()
        if scratch is not None:
            scratch.close()
        if code == 0:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            console.print(f"kept for inspection (engine log, DuckDB file): {directory}")
    exit_process(code)


def _seat_rows(store: Warehouse, database: str) -> Any:
    ((n,),) = store.conn.execute(
        "SELECT count(*) FROM canonical_events WHERE type = 'seat.changed' AND source_table = ?",
        [f"{database}.SEAT_INV"],
    ).fetchall()
    return n


if __name__ == "__main__":
    typer.run(main)
