"""Shared helpers of the pipelines tests (pure Python: no services)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def _fixture_bytes(name: str, part: str | None = None) -> bytes:
    data: Any = msgspec.json.decode((FIXTURES / name).read_bytes())
    return msgspec.json.encode(data if part is None else data[part])


@pytest.fixture
def fixture_bytes() -> Callable[..., bytes]:
    """Load a hand-written fixture file (or one named part of it) as the bytes a Kafka record would hold."""
    return _fixture_bytes
