"""Records a kafka lane can no longer read: retention deleted them before the lane took them in.

A lane that starts on a partition knows three offsets: the group's committed one (everything below has its
canonical events), the one its saved state covers (everything below is in its adapter's lookups), and the
partition's first offset left (its low watermark). Retention (or ``delete_records``) moves the last one on
whether the lane has read there or not, and Kafka's consumer jumps over what is gone without a word. The lane
compares them when it is assigned a partition and reports each gap, never silently:

* ``lost``: records never normalized (from the committed offset, or the partition's start for a group with no
  commit, up to the first offset left): their canonical events will never exist. Their rows can be read
  again by re-snapshotting the table (``inventory-cdc connectors snapshot``).
* not lost: records normalized, but deleted before the lane's saved state took them in: the rows they told
  the adapter (a venue's zone, an event's currency) are unknown to it, and later changes that need them
  become dead letters until those rows are read again (re-snapshot the table, then ``inventory-cdc dlq
  replay``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Gap:
    """Offsets ``start`` to ``end`` (exclusive) of a partition of ``system``, deleted before the lane read them."""

    system: str
    topic: str
    partition: int
    start: int
    end: int
    lost: bool
    """Never normalized (their events are missing), rather than only missing from the lane's saved state."""

    def __str__(self) -> str:
        where = f"{self.system}: {self.topic}[{self.partition}] offsets {self.start}-{self.end - 1}"
        if self.lost:
            return (
                f"{where} were deleted by retention before they were normalized: their canonical events are "
                "missing; re-snapshot the table to read its rows again"
            )
        return (
            f"{where} were deleted by retention before the lane's saved state took them in: changes that need "
            "the rows they carried become dead letters; re-snapshot the table, then run `dlq replay`"
        )


def gaps(
    system: str, topic: str, partition: int, *, low: int, committed: int | None, state: int
) -> list[Gap]:
    """The gaps of one partition whose first offset left is ``low``, with the group's ``committed`` offset
    (None: no commit yet) and the offset the lane's state covers up to (``state``: 0 without a saved state)."""
    found: list[Gap] = []
    normalized = 0 if committed is None else committed
    if low > normalized:
        found.append(Gap(system, topic, partition, normalized, low, lost=True))
    if state < min(low, normalized):
        found.append(Gap(system, topic, partition, state, min(low, normalized), lost=False))
    return found
