"""The plan: the endless, seeded sequence of business operations of one scenario.

A plan is pure: it reads no database and no wall clock. Two plans with the same scenario and seed yield the same
operations, except for the run tag in their keys (see :mod:`simulator.keys`).
"""

from __future__ import annotations

from collections.abc import Iterator

from simulator.keys import new_tag
from simulator.operations import Op
from simulator.plan.bots import Bots
from simulator.plan.events import wave
from simulator.plan.world import World
from simulator.scenarios import Scenario


class Plan:
    """Iterate it for operations in business-time order; :attr:`world` is the model behind them."""

    def __init__(self, scenario: Scenario, seed: int, tag: str | None = None) -> None:
        self.scenario = scenario
        self.seed = seed
        self.tag = tag or new_tag()
        self.world = World(scenario, seed, self.tag)
        self.bots = Bots(self.world) if scenario.bots is not None else None
        self.world.agenda.at(self.world.start, lambda: wave(self.world, self.bots, 0))

    def __iter__(self) -> Iterator[Op]:
        agenda = self.world.agenda
        while agenda:
            yield from agenda.next()()
