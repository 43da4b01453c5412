"""CRM and presale: customers, fan-club tiers, presale grants, logins, chargebacks (SQL Server, database ``crm``).

SQL Server cannot run on our machines: the DDL is checked by parsing, and applied for real where compose runs
SQL Server. Operational hazards: change tables are filled by SQL Server Agent (no Agent, no changes) and
purged by the cleanup job after three days by default: a connector stopped for longer loses changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from legacy_adapters.system import LegacySystem

if TYPE_CHECKING:
    from legacy_adapters.crm.mapper import CrmAdapter

DATABASE = "crm"
GATING_ROLE = "cdc_reader"
TABLES = (
    "dbo.Customer",
    "dbo.FanClubTier",
    "dbo.FanClubMembership",
    "dbo.PresaleGrant",
    "dbo.LoginEvent",
    "dbo.Chargeback",
)
SIGNAL_TABLE = "dbo.dbz_signal"
#: stands for the capture user's password in schema.sql; the installer replaces it with a quoted literal
PASSWORD_PLACEHOLDER = "__DEBEZIUM_PASSWORD__"

SYSTEM = LegacySystem(
    name="crm",
    title="CRM and presale",
    engine="sqlserver",
    engine_title="SQL Server",
    dialect="tsql",
    database=DATABASE,
    package=__name__,
    ddl_resource="schema.sql",
    schemas=("dbo",),
    captured_tables=(*TABLES, SIGNAL_TABLE),
    signal_table=SIGNAL_TABLE,
    pii_columns=tuple(
        f"dbo.Customer.{c}" for c in ("Email", "Phone", "GivenName", "FamilyName", "BirthDate")
    ),
    local=False,
)


def adapter(*, pepper: bytes) -> CrmAdapter:
    """The CRM's adapter (a :class:`pipelines.mapping.Adapter`) for the composition root to hand over.

    ``pepper`` is the platform's PII pepper (at least 16 bytes, from the environment): presale codes are
    hashed with it so they join the box office's orders, and the connector's e-mail and phone digests
    re-keyed with it. Feed it the connector's table topics; it does not need the transaction topic.
    """
    from legacy_adapters.crm.mapper import CrmAdapter

    return CrmAdapter(pepper=pepper)
