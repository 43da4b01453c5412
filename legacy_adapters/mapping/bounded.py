"""A size-bounded lookup for adapter state that grows with a large table (seats, orders, listings)."""

from __future__ import annotations

from collections import OrderedDict
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
