"""One box-office unit of mapping: a source transaction's changes in source order (or one untransacted change).

The indexes here answer the questions that span rows of one transaction: which order headers, lines and
seats it touched, which seats changed hands between holds, which seats an order released. They are built
lazily, so the common unit (one seat change) pays for none of them. Rows whose keys cannot be read are left
out of the indexes; their own mapping reports the problem.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pipelines.debezium import ChangeEvent, Op

Row = dict[str, Any]


def row_int(row: Row | None, column: str) -> int | None:
    """An integer key column of a row without raising (None when absent, NULL, zero or not an integer)."""
    if row is None:
        return None
    value = row.get(column)
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else None
    if not isinstance(value, int) or isinstance(value, bool) or value == 0:
        return None
    return value


def held_token(row: Row | None) -> str | None:
    """The hold token of a seat row that is held (status ``H`` with a token), else None."""
    if row is None or row.get("SEAT_STAT_CD") != "H":
        return None
    token = row.get("HOLD_TOKEN")
    token = token.strip() if isinstance(token, str) else None
    return token or None


class Unit:
    """The changes mapped together, with lazily built cross-row indexes."""

    __slots__ = ("_groups", "_headers", "_lines", "_released", "_seats", "changes")

    def __init__(self, changes: list[ChangeEvent]) -> None:
        self.changes = changes
        self._headers: dict[int, ChangeEvent] | None = None
        self._lines: dict[int, list[ChangeEvent]] | None = None
        self._seats: dict[int, Row] | None = None
        self._released: dict[int, list[ChangeEvent]] | None = None
        self._groups: dict[int, tuple[list[ChangeEvent], list[ChangeEvent]]] | None = None

    def _of(self, table: str) -> list[ChangeEvent]:
        return [c for c in self.changes if c.table.table == table]

    @property
    def headers(self) -> dict[int, ChangeEvent]:
        """``ORD_HDR`` changes by ``ORD_ID`` (the last one wins)."""
        if self._headers is None:
            self._headers = {}
            for change in self._of("ORD_HDR"):
                ord_id = row_int(change.row, "ORD_ID")
                if ord_id is not None:
                    self._headers[ord_id] = change
        return self._headers

    @property
    def lines(self) -> dict[int, list[ChangeEvent]]:
        """``ORD_LN`` inserts and updates by ``ORD_ID``, in source order."""
        if self._lines is None:
            self._lines = {}
            for change in self._of("ORD_LN"):
                ord_id = row_int(change.after, "ORD_ID")
                if ord_id is not None:
                    self._lines.setdefault(ord_id, []).append(change)
        return self._lines

    @property
    def seats(self) -> dict[int, Row]:
        """The latest ``SEAT_INV`` row of each seat the unit touched, by ``SEAT_ID``."""
        if self._seats is None:
            self._seats = {}
            for change in self._of("SEAT_INV"):
                seat_id = row_int(change.row, "SEAT_ID")
                if seat_id is not None and change.row is not None:
                    self._seats[seat_id] = change.row
        return self._seats

    @property
    def released(self) -> dict[int, list[ChangeEvent]]:
        """``SEAT_INV`` changes that took a seat away from an order, by that order's ``ORD_ID``."""
        if self._released is None:
            self._released = {}
            for change in self._of("SEAT_INV"):
                before = row_int(change.before, "ORD_ID")
                if before is not None and row_int(change.after, "ORD_ID") != before:
                    self._released.setdefault(before, []).append(change)
        return self._released

    def holds(self, change: ChangeEvent) -> tuple[list[ChangeEvent], list[ChangeEvent]]:
        """The seats of the hold ``change`` places and of the hold it ends, when ``change`` leads them.

        All seats a cart takes (or gives up, with one outcome) in one transaction form one hold event, told at
        the first of them: for the others both lists are empty. Snapshot reads never form holds.
        """
        if self._groups is None:
            self._groups = _hold_groups(self._of("SEAT_INV"))
        return self._groups.get(id(change), _NO_HOLDS)


_NO_HOLDS: tuple[list[ChangeEvent], list[ChangeEvent]] = ([], [])


def hold_transition(change: ChangeEvent) -> tuple[str | None, str | None]:
    """(token of the hold the change enters, token of the hold it leaves); None where there is none."""
    before, after = held_token(change.before), held_token(change.after)
    if before == after:
        return None, None
    return after, before


def converted(change: ChangeEvent) -> bool:
    """The seat left its hold by being sold or comped to an order."""
    after = change.after
    return (
        after is not None and after.get("SEAT_STAT_CD") in ("S", "C") and row_int(after, "ORD_ID") is not None
    )


def _hold_groups(seats: list[ChangeEvent]) -> dict[int, tuple[list[ChangeEvent], list[ChangeEvent]]]:
    placed: dict[tuple[Any, ...], list[ChangeEvent]] = {}
    ended: dict[tuple[Any, ...], list[ChangeEvent]] = {}
    for change in seats:
        if change.op is Op.READ:
            continue
        entered, left = hold_transition(change)
        if entered is not None:
            placed.setdefault((row_int(change.after, "EVT_ID"), entered), []).append(change)
        if left is not None:
            key = (row_int(change.before, "EVT_ID"), left, converted(change))
            ended.setdefault(key, []).append(change)
    leads: dict[int, tuple[list[ChangeEvent], list[ChangeEvent]]] = {}
    for members in placed.values():
        leads[id(members[0])] = (members, [])
    for members in ended.values():
        first = leads.get(id(members[0]), _NO_HOLDS)[0]
        leads[id(members[0])] = (first, members)
    return leads
