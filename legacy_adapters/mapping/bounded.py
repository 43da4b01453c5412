"""A size-bounded lookup for adapter state that grows with a large table (seats, orders, listings).

Its order is part of its state: it decides which entry goes next. A saved adapter state therefore keeps the
entries as pairs, oldest first (:meth:`Bounded.pairs`), and a loaded one puts them back in that order under the
loading adapter's own limit (:meth:`Bounded.refill`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Bounded(OrderedDict[K, V]):
    """A dict that forgets its oldest entries beyond ``limit`` (re-setting a key makes it the newest)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: K, value: V) -> None:
        """Set ``key`` as the newest entry, evicting the oldest beyond the limit."""
        if key in self:
            self.move_to_end(key)
        self[key] = value
        if len(self) > self.limit:
            self.popitem(last=False)

    def pairs(self) -> list[tuple[K, V]]:
        """Every entry as ``(key, value)``, oldest first."""
        return list(self.items())

    def refill(self, pairs: Iterable[tuple[K, V]]) -> None:
        """Replace the entries with ``pairs`` (oldest first), keeping the own limit: the oldest beyond it go."""
        self.clear()
        for key, value in pairs:
            self.put(key, value)
