"""`dlq replay` for a system of the embedded transport: its history is the lane's saved state and the DuckDB
file's raw change log from where it ends, its events go to the canonical table only (no Kafka is asked anything), and in one DuckDB transaction the letters
that map leave while those that still fail count one more replay. No stack: the file is written here."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from cli.main import app
from cli.wiring import PEPPER_ENV
from pipelines.mapping import MissingReferenceError
from pipelines.runtime.deadletter import dead_letter
from pipelines.runtime.normalizer import SystemNormalizer
from pipelines.runtime.sink import LaneState
from tests.legacy_adapters.wire import Tx
from tests.runtime.test_core_unit import MISSING_EVENT_1042, PEPPER, ROUTE, Feed
from warehouse.store import Warehouse

SYSTEM = ROUTE.system


@pytest.mark.parametrize("history", ["raw log", "saved state"])
def test_embedded_dead_letters_replay_from_the_lane_history_into_the_canonical_table(
    tmp_path: Path, history: str
) -> None:
    feed = Feed()
    venue, event = feed.setup()
    seat = feed.hold(Tx("0-1-700"), 21, "1")
    broken = dataclasses.replace(feed.again(seat), value=(seat.value or b"")[:80])
    path = tmp_path / "inventory.duckdb"
    with Warehouse(path) as store:
        # the seat was dead-lettered when its event had not been read yet; the event is in the raw log since
        missing = MissingReferenceError(MISSING_EVENT_1042, entity="event", ref="1042", column="EVT_ID")
        at_the_time = SystemNormalizer(ROUTE)
        at_the_time.handle(broken)
        (undecodable,) = at_the_time.take().dead_letters
        letters = [dead_letter(seat, missing, system=SYSTEM), undecodable]
        raw = [(r.topic, r.key, r.value) for r in (venue, event)]
        if history == "raw log":
            store.commit(letters=letters, raw=(SYSTEM, 0, raw))
        else:  # a lane saved its state after both: the log below it is deleted
            lane = SystemNormalizer(ROUTE)
            for record in (venue, event):
                lane.handle(record)
            state = LaneState(SYSTEM, 2, lane.save_state())
            store.commit(letters=letters, raw=(SYSTEM, 0, raw), lane_state=state)
            assert store.raw_next_seq(SYSTEM) == 2
            assert not list(store.raw_replay(SYSTEM))
    # what the seat maps to today, with a fresh normalizer that has seen the venue and the event
    reference = SystemNormalizer(ROUTE)
    for record in (venue, event):
        reference.handle(record, emit=False)
    reference.handle_alone(seat)
    expected = sorted((e.id, e.type.value, e.key) for e in reference.take().events)
    assert [t for _, t, _ in expected] == ["hold.placed", "seat.changed"]

    result = CliRunner().invoke(
        app,
        ["dlq", "replay", "--duckdb", str(path), "--spec", "box_office", "-o", "json"],
        env={PEPPER_ENV: PEPPER.decode(), "COLUMNS": "200", "INVENTORY_CDC_STACK_KAFKA_PORT": "1"},
    )
    assert result.exit_code == 0, result.output
    summary = orjson.loads(result.stdout)
    assert {k: summary[k] for k in ("replayed", "resolved", "events", "published", "still_failing")} == {
        "replayed": 2,
        "resolved": 1,
        "events": 2,
        "published": 0,
        "still_failing": 1,
    }
    with Warehouse(path) as store:
        rows = store.conn.execute("SELECT CAST(id AS VARCHAR), type, key FROM canonical_events").fetchall()
        left = store.conn.execute("SELECT record_offset, replays, last_replay FROM dead_letters").fetchall()
    assert sorted(rows) == expected
    ((offset, replays, last),) = left
    assert (offset, replays) == (broken.offset, 1) and "malformed JSON" in last
