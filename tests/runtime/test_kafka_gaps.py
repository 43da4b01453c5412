"""Which records of a partition a kafka lane reports as deleted before it read them, from the partition's first
offset left, the group's committed offset and the offset its saved state covers (no broker: the live case is
in ``test_kafka_state``)."""

from __future__ import annotations

import pytest

from pipelines.transports.kafka_gaps import gaps


@pytest.mark.parametrize(
    ("low", "committed", "state", "expected"),
    [
        (0, None, 0, []),  # a new group, nothing deleted
        (0, 40, 30, []),  # everything from the saved state on is still there
        (30, 40, 30, []),  # deleted only what the saved state already holds
        (35, 40, 30, [(30, 35, False)]),  # normalized, but after the saved state
        (35, 40, 0, [(0, 35, False)]),  # no saved state: every deleted record's rows are unknown to the lane
        (50, 40, 30, [(40, 50, True), (30, 40, False)]),  # deleted past the committed offset too
        (50, 40, 40, [(40, 50, True)]),
        (12, None, 0, [(0, 12, True)]),  # a group that never committed never normalized them
    ],
)
def test_gaps(low: int, committed: int | None, state: int, expected: list[tuple[int, int, bool]]) -> None:
    found = gaps("box_office", "bo.SEAT_INV", 0, low=low, committed=committed, state=state)
    assert [(g.start, g.end, g.lost) for g in found] == expected
    assert all((g.system, g.topic, g.partition) == ("box_office", "bo.SEAT_INV", 0) for g in found)


def test_a_gap_says_what_is_missing_and_the_fix() -> None:
    (kept,) = gaps("pricing", "pr.public.price_level", 2, low=9, committed=20, state=4)
    assert str(kept) == (
        "pricing: pr.public.price_level[2] offsets 4-8 were deleted by retention before the lane's saved state "
        "took them in: changes that need the rows they carried become dead letters; re-snapshot the table, then "
        "run `dlq replay`"
    )
