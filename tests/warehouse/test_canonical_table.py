"""The DuckDB canonical table is idempotent on `id` and stores checkpoints atomically with the rows."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from pipelines.canonical import Envelope
from pipelines.canonical.examples import build_examples
from warehouse.canonical_table import CanonicalTable

EXAMPLES: list[Envelope] = list(build_examples().values())


def test_write_stores_every_event_type_once(tmp_path: Path) -> None:
    with CanonicalTable(tmp_path / "w.duckdb") as table:
        assert table.write(EXAMPLES) == len(EXAMPLES)
        rows = table.conn.execute(
            "SELECT CAST(id AS VARCHAR), type, key, data FROM canonical_events"
        ).fetchall()
    assert {(r[0], r[1], r[2]) for r in rows} == {(e.id, e.type, e.key) for e in EXAMPLES}
    by_id = {r[0]: json.loads(r[3]) for r in rows}
    for event in EXAMPLES:
        assert by_id[event.id] == json.loads(msgspec.json.encode(event.data))


def test_replays_and_repeats_within_a_batch_add_nothing(tmp_path: Path) -> None:
    with CanonicalTable(tmp_path / "w.duckdb") as table:
        first = EXAMPLES[:5]
        assert table.write(first + first) == 5
        assert table.write(EXAMPLES) == len(EXAMPLES) - 5
        assert table.write(EXAMPLES) == 0
        assert table.count() == len(EXAMPLES)


def test_checkpoints_commit_with_rows_and_roll_back_with_them(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with CanonicalTable(path) as table:
        table.write(EXAMPLES[:3], {("loader", "inventory.canonical.v1", 0): "3"})
        assert table.checkpoints("loader") == {("inventory.canonical.v1", 0): "3"}

        broken = [*EXAMPLES[3:6], "not an event"]
        with pytest.raises(AttributeError):
            table.write(broken, {("loader", "inventory.canonical.v1", 0): "9"})  # type: ignore[list-item]
        # neither the rows nor the checkpoint of the failed batch were kept
        assert table.count() == 3
        assert table.checkpoints("loader") == {("inventory.canonical.v1", 0): "3"}
    with CanonicalTable(path) as reopened:
        assert reopened.count() == 3
        assert reopened.checkpoints("loader") == {("inventory.canonical.v1", 0): "3"}


def test_a_second_writer_gets_a_clear_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "w.duckdb"
    with CanonicalTable(path):
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                f"from warehouse.canonical_table import CanonicalTable; CanonicalTable({str(path)!r})",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    assert result.returncode != 0
    assert "WarehouseLockedError" in result.stderr and str(path) in result.stderr
