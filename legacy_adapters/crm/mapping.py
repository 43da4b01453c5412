"""CRM rows to canonical events: customers, presale grants, chargebacks (SQL Server connector).

| table | change | canonical events |
|---|---|---|
| ``dbo.Customer`` | any | ``customer.changed`` (``deleted`` on delete) |
| ``dbo.PresaleGrant`` | insert, snapshot read, update | ``presale.granted`` with the grant's current terms (``revoked`` included) |
| ``dbo.Chargeback`` | insert, snapshot read | ``chargeback.filed`` (resolution updates have no event) |
| ``dbo.FanClubTier`` | any | nothing; the adapter remembers tier codes for grants |
| ``dbo.FanClubMembership``, ``dbo.LoginEvent`` | any | nothing: the contract has no event for them |

Values: ``uniqueidentifier`` keys (upper-case text on the wire) become lower-case GUIDs; ``money`` (four
decimals) converts exactly into the row's currency or fails (``922337203685477.5807`` has decimals no currency
keeps); ``datetime2`` columns are UTC by the CRM's convention (``SYSUTCDATETIME``); ``bit`` flags are booleans.
``IsBlocked`` makes a customer ``suspended``, else ``active``. Event references (``'bo-1042'``) and order
references are trimmed and upper-cased. A grant's tier is its ``TierCode``; a tier not seen yet is a
:class:`~pipelines.mapping.MissingReferenceError`. The tier codes are the adapter's only lookup, so its saved
state (:class:`CrmLookups`).

Personal data: the connector hashes ``Email``, ``Phone``, ``GivenName`` and ``FamilyName`` with a salted SHA-256
(``column.mask.hash``) and drops ``BirthDate``. The salt is in Connect's config, so it is no secret: the adapter
re-keys ``Email`` and ``Phone`` digests under the platform's pepper
(:func:`~legacy_adapters.mapping.values.captured_hash`). Debezium shortens a hash to its column's width:
``Phone`` (``NVARCHAR(32)``) arrives as 32 hex digits, which are re-keyed as they are, so a ``phone_hash`` joins
only phone digests shortened to the same 32 digits (with the same salt). A personal value that is not a hex
digest at all (a connector without the masking) is an :class:`~pipelines.mapping.InvalidValueError` that does
not echo it. ``name_hash`` is a hash of the joined given and family name, which hashes of the two parts cannot
give: it stays null. ``PresaleCode`` is a code in clear: it is hashed with the platform's pepper, exactly like
the box office's ``PRESALE_CD``, so grants and orders join.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from legacy_adapters.mapping.emit import Emitter
from legacy_adapters.mapping.reasons import chargeback_reason
from legacy_adapters.mapping.tables import BOOL, DECIMAL, GUID, INT, TEXT, WALL_TIME, TableSpec
from legacy_adapters.mapping.values import (
    captured_hash,
    country,
    currency,
    decimal_money,
    event_ref,
    identifier,
    integer,
    label,
    optional_utc_wall_clock,
    required_guid,
    utc_wall_clock,
)
from pipelines.canonical import (
    CanonicalEvent,
    ChargebackData,
    ChargebackFiled,
    CustomerChanged,
    CustomerData,
    CustomerStatus,
    PresaleGrantData,
    PresaleGranted,
    chargeback_key,
    customer_key,
    pii_hash,
    presale_grant_key,
)
from pipelines.debezium import ChangeEvent, Op
from pipelines.mapping import InvalidValueError, MissingReferenceError

CUSTOMER: Final = TableSpec(
    "dbo.Customer",
    key=("CustomerId",),
    columns={
        "CustomerId": GUID,
        "Email": TEXT,
        "Phone": TEXT,
        "CountryCode": TEXT,
        "PreferredLang": TEXT,
        "IsVerified": BOOL,
        "MarketingOptIn": BOOL,
        "IsBlocked": BOOL,
        "CreatedAt": WALL_TIME,
    },
)
FAN_CLUB_TIER: Final = TableSpec(
    "dbo.FanClubTier", key=("TierId",), columns={"TierId": INT, "TierCode": TEXT}
)
PRESALE_GRANT: Final = TableSpec(
    "dbo.PresaleGrant",
    key=("GrantId",),
    columns={
        "GrantId": GUID,
        "CustomerId": GUID,
        "EventRef": TEXT,
        "PresaleCode": TEXT,
        "TierId": INT,
        "MaxTickets": INT,
        "ValidFrom": WALL_TIME,
        "ValidTo": WALL_TIME,
        "IsRevoked": BOOL,
    },
)
CHARGEBACK: Final = TableSpec(
    "dbo.Chargeback",
    key=("ChargebackId",),
    columns={
        "ChargebackId": GUID,
        "CustomerId": GUID,
        "OrderRef": TEXT,
        "Amount": DECIMAL,
        "CurrencyCode": TEXT,
        "ReasonCode": TEXT,
        "IsFraud": BOOL,
        "ReportedAt": WALL_TIME,
    },
)
SPECS: Final = (CUSTOMER, FAN_CLUB_TIER, PRESALE_GRANT, CHARGEBACK)
#: captured, but with no canonical event
UNMAPPED: Final = ("dbo.FanClubMembership", "dbo.LoginEvent")

#: Debezium cuts the Phone digest to the column's width, NVARCHAR(32)
_PHONE_DIGITS: Final = 32


class CrmLookups(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The tier codes in a saved adapter state."""

    tiers: dict[int, str]


class CrmMapping:
    """Maps CRM rows; remembers fan-club tier codes."""

    def __init__(self, system: str, pepper: bytes) -> None:
        self.system = system
        self.tiers: dict[int, str] = {}
        self._pepper = pepper

    def lookups(self) -> CrmLookups:
        """The tier codes it remembers, for a saved adapter state."""
        return CrmLookups(tiers=dict(self.tiers))

    def restore(self, lookups: CrmLookups) -> None:
        """Remember exactly ``lookups``' tier codes."""
        self.tiers = dict(lookups.tiers)

    def customer(self, change: ChangeEvent) -> list[CanonicalEvent]:
        """``customer.changed`` with the account's current (or last) state; personal data only as hashes."""
        row = change.row
        assert row is not None
        customer_id = required_guid(row["CustomerId"], "CustomerId")
        data = CustomerData(
            customer_id=customer_id,
            status=CustomerStatus.SUSPENDED if row["IsBlocked"] else CustomerStatus.ACTIVE,
            verified=bool(row["IsVerified"]),
            email_hash=captured_hash(row["Email"], "Email", pepper=self._pepper),
            phone_hash=captured_hash(row["Phone"], "Phone", pepper=self._pepper, min_digits=_PHONE_DIGITS),
            name_hash=None,
            country=country(row["CountryCode"]),
            preferred_language=identifier(row["PreferredLang"]),
            marketing_opt_in=bool(row["MarketingOptIn"]),
            created_at=optional_utc_wall_clock(row["CreatedAt"], "CreatedAt"),
        )
        emit = Emitter(change, self.system, {"CustomerId": customer_id})
        return [emit.make(CustomerChanged, customer_key(customer_id), data, deleted=change.op is Op.DELETE)]

    def tier(self, change: ChangeEvent) -> list[CanonicalEvent]:
        """Remember (or forget) a tier's code; no event."""
        row = change.row
        assert row is not None
        tier_id = integer(row["TierId"], "TierId")
        if change.op is Op.DELETE:
            self.tiers.pop(tier_id, None)
        else:
            self.tiers[tier_id] = label(row["TierCode"], "TierCode")
        return []

    def grant(self, change: ChangeEvent) -> list[CanonicalEvent]:
        """``presale.granted`` with the grant's current terms; deletes map to nothing."""
        if change.op is Op.DELETE:
            return []
        row = change.after
        assert row is not None
        grant_id = required_guid(row["GrantId"], "GrantId")
        max_tickets = integer(row["MaxTickets"], "MaxTickets")
        if max_tickets < 1:
            raise InvalidValueError(f"MaxTickets {max_tickets} is not a positive limit", column="MaxTickets")
        data = PresaleGrantData(
            grant_id=grant_id,
            customer_id=required_guid(row["CustomerId"], "CustomerId"),
            event_id=event_ref(row["EventRef"], "EventRef"),
            max_tickets=max_tickets,
            valid_from=utc_wall_clock(row["ValidFrom"], "ValidFrom"),
            valid_until=utc_wall_clock(row["ValidTo"], "ValidTo"),
            fan_club_tier=self._tier_code(row["TierId"]),
            presale_code_hash=self._presale(row["PresaleCode"]),
            revoked=bool(row["IsRevoked"]),
        )
        emit = Emitter(change, self.system, {"GrantId": grant_id})
        return [emit.make(PresaleGranted, presale_grant_key(grant_id), data)]

    def _tier_code(self, value: Any) -> str | None:
        if value is None:
            return None
        tier_id = integer(value, "TierId")
        code = self.tiers.get(tier_id)
        if code is None:
            raise MissingReferenceError(
                f"fan-club tier {tier_id} has not been seen: its code is unknown",
                entity="tier",
                ref=str(tier_id),
                column="TierId",
            )
        return code

    def _presale(self, value: object) -> str | None:
        code = value.strip() if isinstance(value, str) else None
        return pii_hash(code, kind="identifier", pepper=self._pepper) if code else None

    def chargeback(self, change: ChangeEvent) -> list[CanonicalEvent]:
        """``chargeback.filed`` for a new (or snapshot-read) chargeback; updates and deletes map to nothing."""
        if change.op not in (Op.CREATE, Op.READ):
            return []
        row = change.after
        assert row is not None
        chargeback_id = required_guid(row["ChargebackId"], "ChargebackId")
        network = label(row["ReasonCode"], "ReasonCode")
        data = ChargebackData(
            chargeback_id=chargeback_id,
            order_id=label(row["OrderRef"], "OrderRef").upper(),
            amount=decimal_money(row["Amount"], currency(row["CurrencyCode"], "CurrencyCode"), "Amount"),
            reason=chargeback_reason(network),
            filed_at=utc_wall_clock(row["ReportedAt"], "ReportedAt"),
            fraud_reported=bool(row["IsFraud"]),
            customer_id=required_guid(row["CustomerId"], "CustomerId"),
            network_reason_code=network,
        )
        emit = Emitter(change, self.system, {"ChargebackId": chargeback_id})
        return [emit.make(ChargebackFiled, chargeback_key(chargeback_id), data)]
