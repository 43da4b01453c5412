"""What the transports write to, as protocols: the composition root hands in the DuckDB warehouse."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple, Protocol

from pipelines.canonical import Envelope
from pipelines.runtime.deadletter import DeadLetter

RawBatch = tuple[str, int, Sequence[tuple[str, bytes | None, bytes | None]]]
"""(system, first sequence number, [(topic, key, value)]) for a raw change log."""


class LaneState(NamedTuple):
    """A lane's saved normalizer state (:meth:`~pipelines.runtime.normalizer.SystemNormalizer.save_state`),
    which reflects every raw record of ``system`` numbered below ``next_seq``."""

    system: str
    next_seq: int
    state: bytes


class Sink(Protocol):
    """Writes one batch's events, dead letters, raw records, checkpoints and a lane's saved state atomically,
    idempotent on ids; the raw log below a saved state is deleted in the same transaction."""

    def commit(
        self,
        events: Sequence[Envelope] = (),
        letters: Sequence[DeadLetter] = (),
        *,
        raw: RawBatch | None = None,
        checkpoints: Mapping[tuple[str, str, int], str] | None = None,
        resolved: Sequence[str] = (),
        lane_state: LaneState | None = None,
    ) -> int: ...


class RawLogStore(Sink, Protocol):
    """A sink that also keeps the raw change log and the lanes' saved states (the embedded transport's memory
    across restarts)."""

    def raw_next_seq(self, system: str) -> int: ...

    def raw_replay(
        self, system: str, from_seq: int = 0
    ) -> Iterator[tuple[int, str, bytes | None, bytes | None]]: ...

    def lane_state(self, system: str) -> LaneState | None: ...
