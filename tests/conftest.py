"""Shared fixtures: the live local stack, started once per test session (or reused if already running)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from stack.manager import Stack
from stack.settings import StackSettings


@pytest.fixture(scope="session")
def stack_settings() -> Iterator[StackSettings]:
    """A running local stack. Started here if it is not running, and then stopped here at the end."""
    stack = Stack()
    results = stack.up()
    started_here = any(r.started for r in results)
    yield stack.settings
    if started_here and not os.environ.get("INVENTORY_CDC_KEEP_STACK"):
        stack.down()
