"""The run's ledger: one JSON line per executed operation, in order, written after its transactions committed.

``ledger.jsonl`` beside ``ground_truth.json`` in the run directory, never in a legacy database. Each line is
``{"seq": n, "systems": [...], "op": {"kind": ..., ...}}``; ``systems`` lists where the operation was written
(empty for a CRM-only operation when no SQL Server is configured).
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

import msgspec

from simulator.keys import normalise
from simulator.operations import AnyOp, Op, System

LEDGER_FILE = "ledger.jsonl"


class Entry(msgspec.Struct, frozen=True):
    """One ledger line."""

    seq: int
    systems: tuple[System, ...]
    op: AnyOp


class LedgerWriter:
    """Appends entries to ``ledger.jsonl`` (buffered; flushed on :meth:`close`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] = path.open("xb")
        self._encoder = msgspec.json.Encoder()
        self._buffer = bytearray()

    def append(self, seq: int, systems: tuple[System, ...], op: Op) -> None:
        self._encoder.encode_into(Entry(seq, systems, op), self._buffer, -1)  # type: ignore[arg-type]
        self._buffer.extend(b"\n")
        if len(self._buffer) > 1 << 16:
            self.flush()

    def flush(self) -> None:
        self._file.write(self._buffer)
        self._buffer.clear()

    def close(self) -> None:
        self.flush()
        self._file.close()


def read(path: Path) -> list[Entry]:
    """Every entry of a ledger file."""
    decoder = msgspec.json.Decoder(Entry)
    with path.open("rb") as fh:
        return [decoder.decode(line) for line in fh if line.strip()]


def normalised(path: Path, tag: str) -> list[str]:
    """The ledger's lines with the run tag replaced (see :func:`simulator.keys.normalise`), to compare runs."""
    return [normalise(line, tag) for line in path.read_text(encoding="utf-8").splitlines()]
