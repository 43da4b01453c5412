"""A realistic ticketing workload written into the live legacy databases.

A seeded, pure *plan* (:mod:`simulator.plan`) yields typed business operations (:mod:`simulator.operations`):
on-sales with presales and rushes, holds that expire, orders, cancellations, refunds, price changes, resale,
late chargebacks, and scalper bots that change strategy. *Writers* (:mod:`simulator.writers`) execute each
operation as one real transaction on its system; :mod:`simulator.runner` paces and bounds a run and keeps its
ledger and ground truth (:mod:`simulator.ledger`, :mod:`simulator.truth`) beside it, never in the databases.

May import ``legacy_adapters`` for DDL and metadata only.
"""

from __future__ import annotations

from simulator.exceptions import SimulatorError
from simulator.plan import Plan
from simulator.runner import Bounds, Simulation, Summary, Targets
from simulator.scenarios import SCENARIOS, Scenario, get_scenario

__all__ = [
    "SCENARIOS",
    "Bounds",
    "Plan",
    "Scenario",
    "Simulation",
    "SimulatorError",
    "Summary",
    "Targets",
    "get_scenario",
]
