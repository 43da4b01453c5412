"""Running a plan against the live databases: bounds, pacing, writers, ledger, ground truth, summary.

Hazards: every operation is a committed transaction that Debezium captures (binlog and WAL grow with the run);
rows stay after the run (they are the workload). A failed operation is rolled back, the run stops, and the
ledger and ground truth still describe everything committed before it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, Connection

from simulator.exceptions import InvalidBoundError, RunOutputError, RunStoppedError, SimulatorError
from simulator.keys import new_tag
from simulator.ledger import LEDGER_FILE, LedgerWriter
from simulator.operations import ROUTES, Op, System, kind
from simulator.pacing import TokenBucket
from simulator.plan import Plan
from simulator.preflight import check_tables, tag_in_use
from simulator.scenarios import Scenario
from simulator.truth import TRUTH_FILE, TruthRecorder
from simulator.writers.base import Ids, Writer, closing_all, open_connection
from simulator.writers.box_office import BoxOfficeWriter
from simulator.writers.crm import CrmWriter
from simulator.writers.pricing import PricingWriter

#: the progress callback is called about this often (operations)
PROGRESS_EVERY = 25


@dataclass(frozen=True)
class Targets:
    """Where each system lives (SQLAlchemy URLs with the database set); ``crm`` None: CRM kept in the ledger."""

    box_office: URL
    pricing: URL
    crm: URL | None = None


@dataclass(frozen=True)
class Bounds:
    """When a run stops: after ``transactions`` operations or ``duration`` seconds, whichever comes first."""

    transactions: int | None = None
    duration: float | None = None
    rate: float | None = None

    def check(self) -> Bounds:
        """Refuse bounds that cannot be honoured (:class:`InvalidBoundError`)."""
        if self.rate is not None and not self.rate > 0:
            raise InvalidBoundError(
                "--rate", self.rate, "the rate must be a positive number of transactions a second"
            )
        if self.duration is not None and not self.duration > 0:
            raise InvalidBoundError(
                "--duration", self.duration, "the duration must be a positive number of seconds"
            )
        if self.transactions is not None and self.transactions <= 0:
            raise InvalidBoundError("--transactions", self.transactions, "the count must be positive")
        return self


@dataclass
class Summary:
    """What a run did."""

    scenario: str
    seed: int
    run_tag: str
    run_dir: str
    ledger: str
    ground_truth: str
    transactions: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    db_transactions: Counter[str] = field(default_factory=Counter)
    ledger_only: int = 0
    rows: Counter[str] = field(default_factory=Counter)
    elapsed_s: float = 0.0
    stopped_by: str = ""
    business_start: str | None = None
    business_end: str | None = None

    @property
    def rate(self) -> float:
        """Business transactions (operations) a second."""
        return self.transactions / self.elapsed_s if self.elapsed_s else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario, "seed": self.seed, "run_tag": self.run_tag, "run_dir": self.run_dir,
            "ledger": self.ledger, "ground_truth": self.ground_truth, "transactions": self.transactions,
            "by_kind": dict(self.by_kind), "db_transactions": dict(self.db_transactions),
            "ledger_only": self.ledger_only, "rows": dict(sorted(self.rows.items())),
            "elapsed_s": round(self.elapsed_s, 3), "tx_per_s": round(self.rate, 1), "stopped_by": self.stopped_by,
            "business_start": self.business_start, "business_end": self.business_end,
        }  # fmt: skip


def run_directory(base: Path, scenario: str, seed: int, tag: str) -> Path:
    """``<base>/<scenario>-<seed>-<UTC timestamp>-<tag>``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return base / f"{scenario}-{seed}-{stamp}-{tag.lower()}"


def _prepare(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunOutputError(str(out), exc.strerror or str(exc)) from None
    if (out / LEDGER_FILE).exists():
        raise RunOutputError(str(out), f"it already holds a run ({LEDGER_FILE}): choose another --out")


def _close(conn: Connection) -> None:
    engine = conn.engine
    conn.close()
    engine.dispose()


def open_writers(targets: Targets, ids: Ids) -> list[Writer]:
    """Connect to each configured system, check that it is initialised, and make its writer.

    Raises :class:`NotInitialisedError` (run ``inventory-cdc legacy init``) or :class:`DatabaseUnavailableError`.
    """
    opened: list[Connection] = []
    try:
        box = open_connection(targets.box_office, "box_office", "MariaDB")
        opened.append(box)
        check_tables(box, "box_office")
        pricing = open_connection(targets.pricing, "pricing", "PostgreSQL")
        opened.append(pricing)
        check_tables(pricing, "pricing")
        writers: list[Writer] = [BoxOfficeWriter(box, ids), PricingWriter(pricing, ids)]
        if targets.crm is not None:
            crm = open_connection(targets.crm, "crm", "SQL Server")
            opened.append(crm)
            check_tables(crm, "crm")
            writers.append(CrmWriter(crm, ids))
    except BaseException:
        for conn in opened:
            _close(conn)
        raise
    return writers


class Simulation:
    """One run of a scenario with a seed against the live databases."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        targets: Targets,
        bounds: Bounds,
        out: Path | None = None,
        runs_dir: Path = Path("runs"),
    ) -> None:
        self.scenario = scenario
        self.seed = seed
        self.targets = targets
        self.bounds = bounds.check()
        self.out = out
        self.runs_dir = runs_dir

    def _limit(self) -> int | None:
        if self.bounds.transactions is not None:
            return self.bounds.transactions
        return self.scenario.default_transactions if self.bounds.duration is None else None

    def run(self, on_progress: Callable[[int, float], None] | None = None) -> Summary:
        """Execute the plan until a bound is reached (or Ctrl-C); write ledger and ground truth; summarise.

        ``on_progress(transactions, elapsed_s)`` is called once the databases passed their checks (with 0), then
        every :data:`PROGRESS_EVERY` operations, and at the end.
        """
        ids = Ids()
        writers = open_writers(self.targets, ids)
        with closing_all(writers):
            tag = new_tag()
            while tag_in_use(writers[0].conn, tag):
                tag = new_tag()
            out = self.out or run_directory(self.runs_dir, self.scenario.name, self.seed, tag)
            _prepare(out)
            plan = Plan(self.scenario, self.seed, tag)
            summary = Summary(
                self.scenario.name, self.seed, tag, str(out), str(out / LEDGER_FILE), str(out / TRUTH_FILE)
            )
            truth = TruthRecorder(plan.world)
            ledger = LedgerWriter(out / LEDGER_FILE)
            try:
                self._loop(plan, writers, ledger, truth, summary, on_progress)
            except SimulatorError as exc:
                raise RunStoppedError(exc, summary.transactions, str(out)) from exc
            finally:
                ledger.close()
                summary.business_start = truth.first_at.isoformat() if truth.first_at else None
                summary.business_end = truth.last_at.isoformat() if truth.last_at else None
                header = {
                    "scenario": self.scenario.name, "seed": self.seed, "run_tag": tag,
                    "written_at": datetime.now(UTC).isoformat(), "transactions": summary.transactions,
                    "stopped_by": summary.stopped_by or "error", "ledger": LEDGER_FILE,
                    "crm_written": self.targets.crm is not None,
                }  # fmt: skip
                truth.write(out / TRUTH_FILE, ids, header)
        return summary

    def _loop(
        self,
        plan: Plan,
        writers: list[Writer],
        ledger: LedgerWriter,
        truth: TruthRecorder,
        summary: Summary,
        on_progress: Callable[[int, float], None] | None,
    ) -> None:
        by_system = {writer.system: writer for writer in writers}
        routes: dict[type[Op], list[Writer]] = {
            op_type: [by_system[s] for s in systems if s in by_system] for op_type, systems in ROUTES.items()
        }
        limit = self._limit()
        bucket = TokenBucket(self.bounds.rate) if self.bounds.rate is not None else None
        began = time.monotonic()
        if on_progress is not None:
            on_progress(0, 0.0)
        deadline = began + self.bounds.duration if self.bounds.duration is not None else None
        operations = iter(plan)
        seq = 0
        try:
            while True:
                if limit is not None and seq >= limit:
                    summary.stopped_by = "transactions"
                    break
                if deadline is not None and time.monotonic() >= deadline:
                    summary.stopped_by = "duration"
                    break
                op = next(operations, None)
                if op is None:
                    summary.stopped_by = "end of plan"
                    break
                if bucket is not None:
                    bucket.take()
                seq += 1
                written: list[System] = []
                try:
                    for writer in routes[type(op)]:
                        summary.rows.update(writer.write(seq, op))
                        summary.db_transactions[writer.system] += 1
                        written.append(writer.system)
                finally:
                    if written or not routes[type(op)]:
                        ledger.append(seq, tuple(written), op)
                        truth.record(seq, op)
                        summary.transactions = seq
                        summary.by_kind[kind(op)] += 1
                if not written:
                    summary.ledger_only += 1
                if on_progress is not None and seq % PROGRESS_EVERY == 0:
                    on_progress(seq, time.monotonic() - began)
        except KeyboardInterrupt:
            summary.stopped_by = "interrupted"
        finally:
            summary.elapsed_s = time.monotonic() - began
            if on_progress is not None:
                on_progress(summary.transactions, summary.elapsed_s)
