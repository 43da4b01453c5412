"""Box office: venues, events, seat inventory, orders and chargebacks (MySQL dialect, database ``boxoffice``).

Operational hazards: Debezium reads the row binlog, which the server purges after ``binlog_expire_logs_seconds``
(seven days on the stack): a connector stopped for longer must snapshot again. Every session that writes zero
dates must first run :data:`SESSION_SQL_MODE` (MySQL 8's default refuses them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from legacy_adapters.system import LegacySystem

if TYPE_CHECKING:
    from legacy_adapters.box_office.mapper import BoxOfficeAdapter

DATABASE = "boxoffice"

#: sql_mode for every session that writes here: strict, but zero dates allowed (no NO_ZERO_DATE / NO_ZERO_IN_DATE)
SESSION_SQL_MODE = "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"

#: the database's character set: legacy text is latin1 (which MySQL means as Windows-1252)
CHARSET = "latin1"

TABLES = ("VENUE", "EVT_MASTER", "SEAT_INV", "ORD_HDR", "ORD_LN", "ORD_CHGBK")
SIGNAL_TABLE = "DBZ_SIGNAL"

SYSTEM = LegacySystem(
    name="box_office",
    title="box office",
    engine="mariadb",
    engine_title="MariaDB",
    dialect="mysql",
    database=DATABASE,
    package=__name__,
    ddl_resource="schema.sql",
    schemas=(DATABASE,),
    captured_tables=tuple(f"{DATABASE}.{t}" for t in (*TABLES, SIGNAL_TABLE)),
    signal_table=f"{DATABASE}.{SIGNAL_TABLE}",
    pii_columns=(f"{DATABASE}.ORD_HDR.BUYER_NM",),
)


def adapter(*, pepper: bytes) -> BoxOfficeAdapter:
    """The box office's adapter (a :class:`pipelines.mapping.Adapter`) for the composition root to hand over.

    ``pepper`` is the platform's PII pepper (at least 16 bytes, from the environment): presale codes are
    hashed with it so they join the CRM's grants, and the stored IP and device digests re-keyed with it so
    they join the resale listings'. Feed it the connector's table topics and its ``<prefix>.transaction``
    topic (``needs_transactions`` is true).
    """
    from legacy_adapters.box_office.mapper import BoxOfficeAdapter

    return BoxOfficeAdapter(pepper=pepper)
