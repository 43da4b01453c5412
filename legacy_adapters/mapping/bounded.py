"""A size-bounded lookup for adapter state that grows with a large table (seats, orders, listings).

Its order is part of its state: it decides which entry goes next. A saved adapter state therefore writes it
as a map in its order, oldest first (a :class:`Bounded` is a dict: MessagePack encodes it at C speed, which
matters at millions of entries), and a loaded one puts the entries back in that order under the loading
adapter's own limit (:meth:`Bounded.refill`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Bounded(OrderedDict[K, V]):
    """A dict that forgets its oldest entries beyond ``limit`` (re-setting a key makes it the newest).

    Entries are never moved (a key set again is deleted and inserted anew), so its order as a plain dict, the
    one MessagePack encoders walk, is its order as an ordered dict, oldest first.
    """

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: K, value: V) -> None:
        """Set ``key`` as the newest entry, evicting the oldest beyond the limit."""
        if key in self:
            del self[key]
        self[key] = value
        if len(self) > self.limit:
            self.popitem(last=False)

    def refill(self, entries: Mapping[K, V]) -> None:
        """Replace the entries with ``entries`` (in their order, oldest first), keeping the own limit: the
        oldest beyond it go."""
        self.clear()
        self.update(entries)
        while len(self) > self.limit:
            self.popitem(last=False)
