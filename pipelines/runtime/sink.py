"""What the transports write to, as protocols: the composition root hands in the DuckDB warehouse."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol

from pipelines.canonical import Envelope
from pipelines.runtime.deadletter import DeadLetter

RawBatch = tuple[str, int, Sequence[tuple[str, bytes | None, bytes | None]]]
"""(system, first sequence number, [(topic, key, value)]) for a raw change log."""


class Sink(Protocol):
    """Writes one batch's events, dead letters, raw records and checkpoints atomically, idempotent on ids."""

    def commit(
        self,
        events: Sequence[Envelope] = (),
        letters: Sequence[DeadLetter] = (),
        *,
        raw: RawBatch | None = None,
        checkpoints: Mapping[tuple[str, str, int], str] | None = None,
        resolved: Sequence[str] = (),
    ) -> int: ...


class RawLogStore(Sink, Protocol):
    """A sink that also keeps the raw change log (the embedded transport's memory across restarts)."""

    def raw_next_seq(self, system: str) -> int: ...

    def raw_replay(self, system: str) -> Iterator[tuple[int, str, bytes | None, bytes | None]]: ...
