"""One DuckDB file as the pipeline's sink: canonical events, dead letters, raw change log, lane states and
checkpoints.

:meth:`Warehouse.commit` writes everything one batch produced in a single DuckDB transaction, so after a crash
events, dead letters, the raw log, lane states and checkpoints agree. Hazard: DuckDB allows one writing process
per file; threads of that process share the one connection through :attr:`Warehouse.lock`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from pipelines.canonical import Envelope
from pipelines.runtime.deadletter import DeadLetter
from pipelines.runtime.sink import LaneState, RawBatch
from warehouse import dead_letters, lane_states
from warehouse.canonical_table import CanonicalTable, Checkpoints
from warehouse.raw_log import RawLog


class Warehouse(CanonicalTable):
    """The canonical table plus the dead letters and the embedded transport's raw change log."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(path)
        self._run(dead_letters.DDL)
        self.raw_log = RawLog(self.conn)
        lane_states.create(self.conn)
        self.lock = threading.Lock()

    def commit(
        self,
        events: Sequence[Envelope] = (),
        letters: Sequence[DeadLetter] = (),
        *,
        raw: RawBatch | None = None,
        checkpoints: Checkpoints | None = None,
        resolved: Sequence[str] = (),
        still_failing: Mapping[str, str] | None = None,
        lane_state: LaneState | None = None,
    ) -> int:
        """Write one batch atomically; ``resolved`` dead letters (replayed into events) are deleted, and those
        ``still_failing`` (id -> why) count one more replay; ``lane_state`` replaces its system's saved state
        and deletes the raw log it reflects (after ``raw`` is appended). Returns the new event rows."""
        with self.lock:
            try:
                with self.transaction():
                    added = self.insert_events(events)
                    dead_letters.insert_dead_letters(self.conn, letters)
                    if raw is not None:
                        self.raw_log.append(*raw)
                    if lane_state is not None:
                        lane_states.save(self.conn, lane_state)
                        self.raw_log.prune(lane_state.system, lane_state.next_seq)
                    if resolved:
                        dead_letters.delete_dead_letters(self.conn, resolved)
                    if still_failing:
                        dead_letters.note_replay(self.conn, still_failing)
                    self.store_checkpoints(checkpoints or {})
            except BaseException:
                self.raw_log.rolled_back()
                raise
            self.raw_log.committed()
        return added

    def raw_next_seq(self, system: str) -> int:
        """The sequence number the next raw record of ``system`` gets: past its log and its saved state (the
        log below the state is deleted)."""
        with self.lock:
            return max(self.raw_log.next_seq(system), lane_states.next_seq(self.conn, system))

    def raw_replay(
        self, system: str, from_seq: int = 0
    ) -> Iterator[tuple[int, str, bytes | None, bytes | None]]:
        """``system``'s raw records from ``from_seq`` on, in the order received (read before the engines
        start: not locked)."""
        return self.raw_log.replay(system, from_seq)

    def lane_state(self, system: str) -> LaneState | None:
        """``system``'s saved lane state, if any."""
        with self.lock:
            return lane_states.load(self.conn, system)

    def dead_letter_count(self) -> int:
        return dead_letters.count_dead_letters(self.conn)
