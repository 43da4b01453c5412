"""The simulated clock: a queue of things that will happen at business times, taken in time order.

Ties are broken by the order in which they were scheduled, so the sequence depends only on the seed.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable
from datetime import datetime

from simulator.operations import Op

#: something that happens at a business time and yields the operations it causes (maybe none)
Action = Callable[[], Iterable[Op]]


class Agenda:
    """A min-heap of ``(when, order, action)``; :attr:`now` is the time of the action being run."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        self._heap: list[tuple[datetime, int, Action]] = []
        self._order = itertools.count()

    def at(self, when: datetime, action: Action) -> None:
        """Run ``action`` at ``when`` (never before :attr:`now`: the clock does not go back)."""
        heapq.heappush(self._heap, (max(when, self.now), next(self._order), action))

    def __bool__(self) -> bool:
        return bool(self._heap)

    def next(self) -> Action:
        """Advance the clock to the earliest action and return it."""
        when, _, action = heapq.heappop(self._heap)
        self.now = when
        return action
