"""Live source databases, one class per engine family (see :mod:`connectors.sources.base`)."""

from __future__ import annotations

from pydantic import SecretStr

from connectors.sources.base import Runway, Source, TableFacts
from connectors.sources.mysql import MySqlSource
from connectors.sources.postgres import PostgresSource
from connectors.sources.sqlserver import SqlServerSource
from connectors.spec import ConnectorSpec

__all__ = ["Runway", "Source", "TableFacts", "open_source"]

_CLASSES: dict[str, type[Source]] = {
    "postgresql": PostgresSource,
    "mariadb": MySqlSource,
    "mysql": MySqlSource,
    "sqlserver": SqlServerSource,
}


def open_source(spec: ConnectorSpec, password: SecretStr, timeout_s: float = 5.0) -> Source:
    """The spec's source database (connected on first use; use as a context manager)."""
    return _CLASSES[spec.engine](spec, password, timeout_s)
