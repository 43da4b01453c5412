"""Checks before a run writes anything: the databases exist and hold the tables the writers need, and the run's
tag is not in use yet."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from simulator.exceptions import NotInitialisedError
from simulator.schema import tables

#: the tables each system's writer touches (the DDL's table names)
REQUIRED: dict[str, tuple[str, ...]] = {
    "box_office": ("VENUE", "EVT_MASTER", "SEAT_INV", "ORD_HDR", "ORD_LN", "ORD_CHGBK"),
    "pricing": ("pricing.price_level", "resale.listing", "resale.sale"),
    "crm": ("dbo.Customer", "dbo.FanClubTier", "dbo.PresaleGrant", "dbo.Chargeback"),
}

_CATALOG = {
    "mysql": "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
    "postgresql": "SELECT table_schema || '.' || table_name FROM information_schema.tables",
    "mssql": "SELECT TABLE_SCHEMA + '.' + TABLE_NAME FROM INFORMATION_SCHEMA.TABLES",
}


def check_tables(conn: Connection, system: str) -> None:
    """Raise :class:`NotInitialisedError` naming the missing tables when ``legacy init`` has not run here."""
    wanted = REQUIRED[system]
    assert set(wanted) <= set(tables(system)), f"{system}: the simulator needs tables its DDL lacks"
    with conn.begin():
        present = {row[0] for row in conn.exec_driver_sql(_CATALOG[conn.dialect.name])}
    missing = [name for name in wanted if name not in present]
    if missing:
        raise NotInitialisedError(system, conn.engine.url.database or "", missing)


def tag_in_use(conn: Connection, tag: str) -> bool:
    """Whether an earlier run already used ``tag`` (its order numbers start with it)."""
    hdr = tables("box_office")["ORD_HDR"]
    with conn.begin():
        found = conn.execute(
            sa.select(hdr.c.ORD_NO).where(hdr.c.ORD_NO.startswith(tag, autoescape=True)).limit(1)
        )
        return found.first() is not None
