"""The shape of a golden case: one legacy row chosen to exercise a type, a null, a boundary or a quirk.

Each system's ``cases.py`` lists its cases in insertion order (a row that another references comes first).
Rows hold driver-ready Python values; zero dates are strings because no Python type can hold them. The
expected canonical output of each case is written by hand with the adapter, not here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class GoldenCase:
    """``row`` goes into ``table`` (named as in the system's DDL); ``comment`` says what it exercises."""

    name: str
    table: str
    row: Mapping[str, object]
    comment: str
