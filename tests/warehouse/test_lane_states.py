"""Lane states in the DuckDB file: stored in chunks, read back whole, replaced whole, with the raw log below
them deleted in the same transaction and the numbering going on past them."""

from __future__ import annotations

import os
from pathlib import Path

from pipelines.runtime.sink import LaneState
from warehouse.lane_states import CHUNK_BYTES
from warehouse.store import Warehouse


def test_a_state_of_several_chunks_is_read_back_whole_and_replaced_whole(tmp_path: Path) -> None:
    big, small = os.urandom(CHUNK_BYTES * 2 + 1000), b"the state after"
    raw = [("t", None, f"v{n}".encode()) for n in range(6)]
    with Warehouse(tmp_path / "w.duckdb") as store:
        assert store.lane_state("a") is None and store.raw_next_seq("a") == 0
        store.commit(raw=("a", 0, raw), lane_state=LaneState("a", 4, big))
        assert store.lane_state("a") == LaneState("a", 4, big)
        assert [seq for seq, *_ in store.raw_replay("a")] == [4, 5]  # the log below the state is gone
        store.commit(lane_state=LaneState("a", 6, small))
        assert list(store.raw_replay("a")) == []
        assert store.raw_next_seq("a") == 6  # past the state, though the log is empty
        store.commit(lane_state=LaneState("b", 1, big))  # another lane's state is its own
    with Warehouse(tmp_path / "w.duckdb") as store:
        assert store.lane_state("a") == LaneState("a", 6, small)
        assert store.lane_state("b") == LaneState("b", 1, big)
        ((chunks,),) = store.conn.execute(
            "SELECT count(*) FROM lane_state_chunks WHERE system = 'a'"
        ).fetchall()
        assert chunks == 1
