"""Rich renderings of validation problems, plans and statuses (the CLI prints them; ``-o json`` bypasses them).

Nothing here sees a secret: problems, plans and statuses carry references and redacted keys only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from rich.console import RenderableType
from rich.markup import escape
from rich.table import Table

from connectors.plan import Plan
from connectors.problems import Problem
from connectors.status import ConnectorStatus

SEVERITY = {"info": "cyan", "warning": "yellow", "danger": "bold red", "error": "red"}
STATE = {"RUNNING": "green", "PAUSED": "yellow", "STOPPED": "yellow", "FAILED": "bold red", "ABSENT": "dim"}
RUNWAY = {"ok": "green", "warning": "yellow", "critical": "bold red", "lost": "bold red"}


def size(n: float) -> str:
    """Bytes for people: ``1.5 GiB``."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def duration(seconds: float) -> str:
    """Seconds for people: ``45 s``, ``12 min``, ``5.5 h``, ``6.9 d``."""
    s = int(seconds)
    if abs(s) < 120:
        return f"{s} s"
    if abs(s) < 7200:
        return f"{s // 60} min"
    if abs(s) < 172800:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.1f} d"


def problem_table(problems: list[Problem]) -> Table:
    table = Table("field", "from", "problem")
    for p in problems:
        table.add_row(escape(p.field), p.origin, f"[{SEVERITY[p.severity]}]{escape(str(p.message))}[/]")
    return table


def plan_view(plan: Plan) -> Iterator[RenderableType]:
    """Headline, the changed fields (new connectors: the config to be created), the consequences."""
    moving = plan.state_before not in (None, plan.state_after)
    state = f"{plan.state_before} -> {plan.state_after}" if moving else plan.state_after
    if not plan.changed:
        headline = "unchanged: nothing to do"
    elif plan.action == "unchanged":
        headline = "config unchanged, state changes"
    else:
        headline = f"{plan.action}, {len(plan.changes)} field(s)"
    yield f"[bold]{escape(plan.connector)}[/]: {headline} (state {state})"
    if plan.changes and plan.action == "create":
        table = Table("config key", "value", "from spec field")
        for change in plan.changes:
            table.add_row(escape(change.key), escape(change.after or ""), escape(change.field))
        yield table
    elif plan.changes:
        table = Table("spec field", "config key", "now", "after apply", "change")
        for change in plan.changes:
            table.add_row(
                escape(change.field),
                escape(change.key),
                escape(change.before or "—"),
                escape(change.after or "— (removed)"),
                escape(change.note),
            )
        yield table
    for consequence in plan.consequences:
        yield f"  [{SEVERITY[consequence.severity]}]{consequence.severity}[/] {escape(consequence.message)}"
    if plan.offsets_valid is not None:
        yield f"  stored offsets: {'remain valid' if plan.offsets_valid else '[bold red]no longer valid[/]'}"


def _when(ts_ms: int | None) -> str:
    if ts_ms is None:
        return "—"
    return datetime.fromtimestamp(ts_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def status_view(report: ConnectorStatus) -> Iterator[RenderableType]:
    """States, the newest event per table, and the retention runway."""
    tasks = ", ".join(f"task {t.id} [{STATE.get(t.state, 'yellow')}]{t.state}[/]" for t in report.tasks)
    state = f"[{STATE.get(report.state, 'yellow')}]{report.state}[/]"
    yield f"[bold]{escape(report.connector)}[/]: {state} ({tasks or 'no tasks'})"
    for task in report.tasks:
        if task.error:
            yield f"  [red]task {task.id}: {escape(task.error)}[/]"
    if report.last_events:
        table = Table("table", "topic", "last op", "source time", "age")
        for e in report.last_events:
            age = "no events yet" if e.age_s is None else duration(e.age_s)
            table.add_row(escape(e.table), escape(e.topic), e.op or "—", _when(e.source_ts_ms), age)
        yield table
    if report.runway is not None:
        r = report.runway
        parts = [f"position {r.position or '—'}"]
        if r.retained_bytes is not None:
            parts.append(f"retained {size(r.retained_bytes)}")
        if r.runway_bytes is not None:
            parts.append(f"runway {size(r.runway_bytes)}")
        if r.runway_seconds is not None:
            parts.append(f"runway {duration(r.runway_seconds)}")
        colour = RUNWAY.get(r.status, "dim")
        yield f"  retention runway: [{colour}]{r.status}[/] {', '.join(parts)} ({escape(r.detail)})"
    for note in report.notes:
        yield f"  {escape(note)}"
