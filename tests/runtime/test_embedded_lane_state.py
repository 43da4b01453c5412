"""The embedded lane's saved state: a lane saves its normalizer state at a clean cut, in the DuckDB transaction
that deletes the raw change log below it; a restarted lane loads it and replays only the log's tail, and
still maps changes that refer to rows whose records are gone from the log. No stack and no engine: batches of
raw box-office records are handed to :class:`SystemLane` as the engine would hand them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb

from cli.run_embedded import embedded_status
from pipelines.runtime.records import SourceRecord
from pipelines.runtime.sink import LaneState
from pipelines.transports.embedded import RawRecord
from pipelines.transports.embedded_pipeline import SystemLane
from tests.legacy_adapters.wire import Tx
from tests.runtime.procs import table_rows
from tests.runtime.test_core_unit import ROUTE, Feed
from warehouse.store import Warehouse

SYSTEM = ROUTE.system
ALWAYS = 1e-9  # a state is due at every clean cut


def _raw(records: Sequence[SourceRecord]) -> list[RawRecord]:
    return [RawRecord(r.topic, r.key, r.value) for r in records]


def _feed(lane: SystemLane, *batches: Sequence[SourceRecord]) -> None:
    for batch in batches:
        lane.on_batch(_raw(batch))
        lane.drain()
    assert lane.error is None


def _log(path: Path) -> list[int]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return [r[0] for r in conn.execute("SELECT seq FROM raw_changes ORDER BY seq").fetchall()]
    finally:
        conn.close()


def _lane(store: Warehouse, interval_s: float) -> SystemLane:
    lane = SystemLane(ROUTE, store, state_interval_s=interval_s)
    lane.warm_up()
    lane.start()
    return lane


class Story:
    """Venue and event read once, then carts holding seats of that event in three transactions."""

    def __init__(self) -> None:
        feed = Feed()
        tx1, tx2, tx3 = Tx("0-1-801"), Tx("0-1-802"), Tx("0-1-803")
        self.first = [*feed.setup(), feed.hold(tx1, 31, "1"), feed.hold(tx1, 32, "2"), feed.end(tx1)]
        self.open = [feed.hold(tx2, 33, "3", HOLD_TOKEN="cart-88")]  # its END comes in the next batch
        # after a restart the engine hands over again what followed its last flushed offset: tx1 here
        self.redelivered = self.first[2:]
        self.rest = [feed.end(tx2), feed.hold(tx3, 34, "4", HOLD_TOKEN="cart-99"), feed.end(tx3)]


def _restart_and_finish(path: Path, story: Story) -> SystemLane:
    """Restart on ``path``, whose saved state is followed by one record in the log; hand over what the engine
    delivers again and the rest of the story; stop."""
    with Warehouse(path) as store:
        lane = _lane(store, ALWAYS)
        assert (lane.state_loaded, lane.warmup_records, lane.state_error) == (True, 1, None)
        _feed(lane, story.redelivered, story.rest)
        assert lane.clean() and lane.normalizer.counters.dead_letters == 0
        lane.close()
    return lane


def test_a_restarted_lane_loads_its_state_and_replays_only_the_log_after_it(tmp_path: Path) -> None:
    story = Story()
    path = tmp_path / "lane.duckdb"
    store = Warehouse(path)
    lane = _lane(store, ALWAYS)
    _feed(lane, story.first)
    assert lane.states_saved == 1  # nothing held after the first batch: saved, and its log deleted
    assert store.lane_state(SYSTEM) == LaneState(SYSTEM, 5, lane.normalizer.save_state())
    _feed(lane, story.open)  # an open transaction: no state at this cut
    lane.close()
    assert lane.states_saved == 1
    store.close()
    assert _log(path) == [5]  # only the record after the saved state is left

    lane = _restart_and_finish(path, story)
    assert lane.states_saved >= 1
    assert _log(path) == []
    # numbering goes on past the saved state: the records after the restart were 6 to 11
    with Warehouse(path) as check:
        assert check.raw_next_seq(SYSTEM) == 12

    # the same records through one lane that never saves nor restarts give the same table
    reference = tmp_path / "reference.duckdb"
    store = Warehouse(reference)
    lane = _lane(store, 0)
    _feed(lane, story.first, story.open, story.rest)
    lane.close()
    assert lane.states_saved == 0
    store.close()
    rows = table_rows(path)
    assert rows == table_rows(reference)
    assert sorted(r[1] for r in rows) == [
        "event.changed",
        *["hold.placed"] * 3,
        *["seat.changed"] * 4,
        "venue.changed",
    ]
    assert len(_log(reference)) == 9


def test_a_batch_that_ends_inside_a_transaction_saves_the_state_at_its_last_transaction_boundary(
    tmp_path: Path,
) -> None:
    """Back-to-back transactions seldom leave a batch's end between two: the state is taken where the last
    transaction of the batch ended, and the log below that is deleted."""
    story = Story()
    path = tmp_path / "lane.duckdb"
    store = Warehouse(path)
    lane = _lane(store, ALWAYS)
    _feed(lane, [*story.first, *story.open])  # one batch: tx1 ends inside it, tx2 is open at its end
    assert lane.states_saved == 1
    saved = store.lane_state(SYSTEM)
    assert saved is not None and saved.next_seq == 5
    lane.close()  # tx2 still open: no state at the stop
    assert lane.states_saved == 1
    store.close()
    assert _log(path) == [5]
    with Warehouse(tmp_path / "first.duckdb") as other:  # the state of a lane that saw the first five records
        first_five = _lane(other, 0)
        _feed(first_five, story.first)
        assert saved.state == first_five.normalizer.save_state()
        first_five.close()

    _restart_and_finish(path, story)

    reference = tmp_path / "reference.duckdb"
    with Warehouse(reference) as store:
        lane = _lane(store, 0)
        _feed(lane, [*story.first, *story.open], story.rest)
        lane.close()
    assert table_rows(path) == table_rows(reference)


def test_a_batch_whose_last_transaction_boundary_leaves_a_transaction_open_saves_no_state(
    tmp_path: Path,
) -> None:
    """A change of tx2 comes before tx1's END (a feed whose transactions interleave): after
    tx1's END something is still held, so no state is taken inside the batch or at its end."""
    story = Story()
    with Warehouse(tmp_path / "lane.duckdb") as store:
        lane = _lane(store, ALWAYS)
        setup, tx1_changes, tx1_end = story.first[:2], story.first[2:4], story.first[4]
        _feed(lane, [*setup, *tx1_changes, *story.open, tx1_end, story.rest[1]])
        assert lane.states_saved == 0
        lane.close()


def test_without_its_state_a_restarted_lane_cannot_map_what_the_deleted_log_told(tmp_path: Path) -> None:
    """What the saved state carries: with it unreadable, the tail alone does not know the event."""
    story = Story()
    path = tmp_path / "lane.duckdb"
    with Warehouse(path) as store:
        lane = _lane(store, ALWAYS)
        _feed(lane, story.first, story.open)
        lane.close()
        store.commit(lane_state=LaneState(SYSTEM, 5, b"not a state"))
    with Warehouse(path) as store:
        lane = _lane(store, ALWAYS)
        status = lane.status()
        assert (status.state_loaded, status.warmup_records) == (False, 1)
        (error,) = status.errors
        assert "does not load" in error and "not a saved normalizer state" in error
        _feed(lane, story.rest)
        lane.close()
        assert lane.normalizer.counters.dead_letters == 2  # the seats of tx2 and tx3: event 1042 unknown


def _status_file(lane: SystemLane) -> dict[str, Any]:
    """What ``run --status-file`` writes for this lane (no engine: ``streaming`` is unknown)."""
    pipeline: Any = SimpleNamespace(status=lambda: [lane.status()], lanes=[lane])
    return dict(embedded_status(pipeline, [ROUTE])[SYSTEM])


def test_the_status_file_tells_what_a_lane_holds_its_saved_states_and_why_one_did_not_load(
    tmp_path: Path,
) -> None:
    story = Story()
    path = tmp_path / "lane.duckdb"
    with Warehouse(path) as store:
        lane = _lane(store, ALWAYS)
        _feed(lane, story.first, story.open)
        s = _status_file(lane)
        # venue, event, tx1's two seats and its hold; tx2's seat is held: its END has not come
        assert (s["records"], s["events"], s["dead_letters"], s["parked"]) == (6, 5, 0, 0)
        assert (s["held_topics"], s["state_loaded"], s["states_saved"], s["warnings"]) == (1, False, 1, [])
        assert s["streaming"] is None and s["lag_ms"] > 0
        assert s["per_topic"] == Counter(r.topic for r in [*story.first, *story.open])
        lane.close()
        store.commit(lane_state=LaneState(SYSTEM, 5, b"not a state"))
    with Warehouse(path) as store:
        lane = _lane(store, ALWAYS)
        s = _status_file(lane)
        (warning,) = s["warnings"]
        assert "does not load" in warning
        assert (s["state_loaded"], s["held_topics"], s["records"]) == (False, 1, 1)
        lane.close()
