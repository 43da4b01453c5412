"""Planning a workload: a seeded model of on-sales, fans and bots that yields typed business operations."""

from __future__ import annotations

from simulator.plan.generator import Plan

__all__ = ["Plan"]
