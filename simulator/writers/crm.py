"""The CRM writer (SQL Server, T-SQL): customers, presale grants, chargebacks, and the fan-club tiers they use.

SQL Server runs only where compose runs it, so the statements are built apart from their execution
(:class:`CrmStatements`): tests compile them with SQLAlchemy's SQL Server dialect, no server needed. The writer
runs only when ``INVENTORY_CDC_CRM_URL`` is set; otherwise CRM operations stay in the ledger. ``datetime2``
columns hold UTC by convention, ``money`` columns major units.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.dml import Insert

from simulator.operations import CreateCustomer, FileChargeback, GrantPresale, Op
from simulator.schema import table
from simulator.writers.base import Ids, Rows, Writer

CUSTOMER = table("crm", "dbo.Customer")
TIER = table("crm", "dbo.FanClubTier")
GRANT = table("crm", "dbo.PresaleGrant")
CHARGEBACK = table("crm", "dbo.Chargeback")

#: the fan-club tiers presale grants refer to: (TierId, TierCode, TierName, PresalePriority, AnnualFee)
TIERS: tuple[tuple[int, str, str, int, Decimal], ...] = (
    (1, "GOLD", "Gold", 1, Decimal("89.0000")),
    (2, "SILVER", "Silver", 2, Decimal("39.0000")),
)


def utc(when: datetime) -> datetime:
    """A ``datetime2`` value: UTC wall-clock time without zone."""
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


class CrmStatements:
    """The T-SQL statements (SQLAlchemy Core, dialect-neutral) of each CRM operation; nothing is executed here."""

    def __init__(self, ids: Ids) -> None:
        self.ids = ids
        self.builders: dict[type[Op], Callable[[Any], list[Insert]]] = {
            CreateCustomer: self.create_customer,
            GrantPresale: self.grant_presale,
            FileChargeback: self.file_chargeback,
        }

    def for_op(self, op: Op) -> list[Insert]:
        """The statements of ``op`` in execution order (empty when the CRM has nothing to record)."""
        return self.builders[type(op)](op)

    def ensure_tiers(self) -> list[Insert]:
        """``INSERT ... SELECT ... WHERE NOT EXISTS`` per tier: idempotent, and a no-op where the tiers exist."""
        statements = []
        for tier_id, code, name, priority, fee in TIERS:
            missing = ~sa.exists().where(TIER.c.TierId == tier_id)
            row = sa.select(
                sa.literal(tier_id),
                sa.literal(code),
                sa.literal(name),
                sa.literal(priority),
                sa.literal(24),
                sa.literal(fee),
                sa.literal(True),
            ).where(missing)
            columns = [
                "TierId",
                "TierCode",
                "TierName",
                "PresalePriority",
                "PresaleLeadHours",
                "AnnualFee",
                "IsActive",
            ]
            statements.append(sa.insert(TIER).from_select(columns, row))
        return statements

    def create_customer(self, op: CreateCustomer) -> list[Insert]:
        values = {
            "CustomerId": op.account_id, "Email": op.email, "Phone": op.phone, "GivenName": op.given_name,
            "FamilyName": op.family_name, "CountryCode": op.country, "PostalCode": op.postal_code,
            "PreferredLang": op.lang, "IsVerified": op.verified, "MarketingOptIn": op.marketing,
            "CreatedAt": utc(op.at), "UpdatedAt": utc(op.at),
        }  # fmt: skip
        return [sa.insert(CUSTOMER).values(values)]

    def grant_presale(self, op: GrantPresale) -> list[Insert]:
        values = {
            "GrantId": op.grant_id, "CustomerId": op.account_id, "EventRef": self.ids.event_ref(op.event_key),
            "PresaleCode": op.presale_code, "TierId": op.tier_id, "MaxTickets": op.max_tickets,
            "ValidFrom": utc(op.valid_from), "ValidTo": utc(op.valid_to),
        }  # fmt: skip
        return [sa.insert(GRANT).values(values)]

    def file_chargeback(self, op: FileChargeback) -> list[Insert]:
        if op.account_id is None:  # a walk-up sale has no CRM customer: the CRM never hears of its dispute
            return []
        values = {
            "ChargebackId": op.chargeback_id, "CustomerId": op.account_id, "OrderRef": op.order_no,
            "Amount": Decimal(op.amount).scaleb(-2), "CurrencyCode": op.currency, "ReasonCode": op.reason,
            "IsFraud": op.fraud, "ReportedAt": utc(op.at), "Notes": op.note,
        }  # fmt: skip
        return [sa.insert(CHARGEBACK).values(values)]


class CrmWriter(Writer):
    """Executes :class:`CrmStatements` on SQL Server, one transaction per operation."""

    system = "crm"

    def __init__(self, conn: Connection, ids: Ids) -> None:
        super().__init__(conn, ids)
        self.statements = CrmStatements(ids)
        with conn.begin():
            for stmt in self.statements.ensure_tiers():
                conn.execute(stmt)
        self.handlers = dict.fromkeys(self.statements.builders, self._run)

    def _run(self, conn: Connection, op: Op) -> Rows:
        rows = Rows()
        for stmt in self.statements.for_op(op):
            target = stmt.table
            rows[f"{target.schema}.{target.name}"] += conn.execute(stmt).rowcount
        return rows
