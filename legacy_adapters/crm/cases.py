"""Golden rows for CRM and presale: uniqueidentifier keys, nvarchar beyond the BMP, bit flags, money at its
extremes, datetime2 at its bounds and around daylight-saving changes (stored as UTC), datetimeoffset with
different offsets for the same wall time, and binary hashes.

SQL Server does not run here: these rows are checked against the parsed T-SQL DDL, and the adapter issue
feeds them through Debezium's documented SQL Server event format. RowVer is server-generated and absent;
explicit LoginEventId values need ``SET IDENTITY_INSERT dbo.LoginEvent ON`` on a real server.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

from legacy_adapters.cases import GoldenCase

CUSTOMER_A = UUID("6f9619ff-8b86-d011-b42d-00c04fc964ff")
CUSTOMER_B = UUID("a3c1e5b2-7d4f-4e6a-9b8c-0d1e2f3a4b5c")
CUSTOMER_EMPTY = UUID("00000000-0000-0000-0000-000000000000")
CUSTOMER_MAX = UUID("ffffffff-ffff-ffff-ffff-ffffffffffff")

EST = timezone(timedelta(hours=-5))
EDT = timezone(timedelta(hours=-4))
MONEY_MAX = Decimal("922337203685477.5807")
MONEY_MIN = Decimal("-922337203685477.5808")

CASES: tuple[GoldenCase, ...] = (
    # -- dbo.Customer ------------------------------------------------------------------------------------------
    GoldenCase(
        "customer_full_unicode",
        "dbo.Customer",
        {
            "CustomerId": CUSTOMER_A,
            "Email": "zoë.ñandú@exämple.com",
            "Phone": "+44 20 7946 0958",
            "GivenName": "Zoë",
            "FamilyName": "王小明",
            "BirthDate": date(1992, 2, 29),
            "CountryCode": "GB",
            "PostalCode": "SW1A 1AA",
            "PreferredLang": "en-GB",
            "IsVerified": True,
            "MarketingOptIn": False,
            "IsBlocked": False,
            "LifetimeSpend": Decimal("1234.5678"),
            "CreatedAt": datetime(2026, 3, 29, 0, 59, 59, 999000),
            "UpdatedAt": datetime(2026, 3, 29, 1, 0, 0),
        },
        "every column set: personal data in nvarchar (accents, CJK), a leap-day birth date, money with four "
        "decimals; created a millisecond before London's clocks jumped (UTC, so nothing is skipped)",
    ),
    GoldenCase(
        "customer_personal_data_erased",
        "dbo.Customer",
        {
            "CustomerId": CUSTOMER_EMPTY,
            "Email": None,
            "Phone": None,
            "GivenName": None,
            "FamilyName": None,
            "BirthDate": None,
            "CountryCode": None,
            "PostalCode": None,
            "PreferredLang": None,
            "IsVerified": False,
            "MarketingOptIn": False,
            "IsBlocked": True,
            "LifetimeSpend": Decimal("0.0000"),
            "CreatedAt": datetime(2020, 1, 1),
            "UpdatedAt": None,
        },
        "an erased customer: every nullable column NULL, all-zero GUID, blocked, zero spend",
    ),
    GoldenCase(
        "customer_money_max_supplementary_chars",
        "dbo.Customer",
        {
            "CustomerId": CUSTOMER_B,
            "Email": "JIMI@EXAMPLE.COM",
            "Phone": "0044 (0)20-7946-0958 ext. 12",
            "GivenName": "🎸 Jimi",
            "FamilyName": "عبد الله",
            "BirthDate": date(1, 1, 1),
            "CountryCode": "AE",
            "PostalCode": "",
            "PreferredLang": "ar-AE",
            "IsVerified": True,
            "MarketingOptIn": True,
            "IsBlocked": False,
            "LifetimeSpend": MONEY_MAX,
            "CreatedAt": datetime(1, 1, 1),
            "UpdatedAt": datetime(9999, 12, 31, 23, 59, 59, 999999),
        },
        "money maximum; an emoji outside the BMP (a UTF-16 surrogate pair in nvarchar) and right-to-left Arabic; "
        "upper-case e-mail, free-form phone; date and datetime2 minimum, datetime2(7) maximum (its last 100 ns "
        "tick is beyond Python's microseconds)",
    ),
    GoldenCase(
        "customer_money_min",
        "dbo.Customer",
        {
            "CustomerId": CUSTOMER_MAX,
            "Email": "a@b.c",
            "Phone": "1",
            "GivenName": "",
            "FamilyName": "O'Brien",
            "BirthDate": date(9999, 12, 31),
            "CountryCode": "US",
            "PostalCode": "10001",
            "PreferredLang": "en",
            "IsVerified": False,
            "MarketingOptIn": True,
            "IsBlocked": False,
            "LifetimeSpend": MONEY_MIN,
            "CreatedAt": datetime(2026, 11, 1, 5, 30),
            "UpdatedAt": datetime(2026, 11, 1, 6, 30),
        },
        "money minimum (refund bookkeeping gone wrong); all-F GUID; quote in a name, empty given name; created "
        "and updated at 05:30Z and 06:30Z: both 01:30 in New York",
    ),
    # -- dbo.FanClubTier ---------------------------------------------------------------------------------------
    GoldenCase(
        "tier_gold",
        "dbo.FanClubTier",
        {
            "TierId": 1,
            "TierCode": "GOLD",
            "TierName": "Gold ★",
            "PresalePriority": 1,
            "PresaleLeadHours": 48,
            "AnnualFee": Decimal("49.9900"),
            "IsActive": True,
            "CreatedAt": datetime(2019, 1, 1),
        },
        "the first tier to get presale access, 48 hours ahead; symbol in the name",
    ),
    GoldenCase(
        "tier_bounds_inactive",
        "dbo.FanClubTier",
        {
            "TierId": 32767,
            "TierCode": "LEGACY-ΩMEGA",
            "TierName": "Ω" * 64,
            "PresalePriority": 255,
            "PresaleLeadHours": -32768,
            "AnnualFee": Decimal("0.0001"),
            "IsActive": False,
            "CreatedAt": datetime(9999, 12, 31, 23, 59, 59),
        },
        "smallint and tinyint maxima, smallint minimum lead hours (nonsense the adapter must survive), smallest "
        "money, nvarchar at full width with Greek",
    ),
    # -- dbo.FanClubMembership ---------------------------------------------------------------------------------
    GoldenCase(
        "membership_active",
        "dbo.FanClubMembership",
        {
            "MembershipId": UUID("00000000-0000-0000-0000-00000000d001"),
            "CustomerId": CUSTOMER_A,
            "TierId": 1,
            "ArtistCode": "DAYLIGHT-SAVERS",
            "JoinedAt": datetime(2025, 3, 9, 7, 0),
            "ExpiresAt": None,
            "IsActive": True,
        },
        "an open-ended membership, joined at the instant New York's 2025 gap began",
    ),
    GoldenCase(
        "membership_expired_in_overlap",
        "dbo.FanClubMembership",
        {
            "MembershipId": UUID("00000000-0000-0000-0000-00000000d002"),
            "CustomerId": CUSTOMER_B,
            "TierId": 32767,
            "ArtistCode": "Zoë & Les Garçons",
            "JoinedAt": datetime(2025, 11, 1, 5, 30),
            "ExpiresAt": datetime(2026, 11, 1, 6, 30),
            "IsActive": False,
        },
        "expired: joined and expiring at UTC instants whose New York wall time (01:30) is ambiguous; unicode "
        "artist code",
    ),
    # -- dbo.PresaleGrant --------------------------------------------------------------------------------------
    GoldenCase(
        "presale_grant_fan_club",
        "dbo.PresaleGrant",
        {
            "GrantId": UUID("00000000-0000-0000-0000-00000000e001"),
            "CustomerId": CUSTOMER_A,
            "EventRef": "BO-1042",
            "PresaleCode": "GOLD2026",
            "TierId": 1,
            "MaxTickets": 4,
            "ValidFrom": datetime(2025, 11, 5, 15, 0),
            "ValidTo": datetime(2025, 11, 7, 15, 0),
            "RedeemedAt": datetime(2025, 11, 5, 15, 0, 0, 1000),
            "IsRevoked": False,
        },
        "a fan-club grant, redeemed one millisecond after the presale opened (a bot's reflex)",
    ),
    GoldenCase(
        "presale_grant_cardholder_revoked",
        "dbo.PresaleGrant",
        {
            "GrantId": UUID("00000000-0000-0000-0000-00000000e002"),
            "CustomerId": CUSTOMER_B,
            "EventRef": "bo-1042",
            "PresaleCode": "ÉTÉ-2026-☀",
            "TierId": None,
            "MaxTickets": 255,
            "ValidFrom": datetime(2026, 3, 8, 6, 0),
            "ValidTo": datetime(2026, 3, 8, 8, 0),
            "RedeemedAt": None,
            "IsRevoked": True,
        },
        "a card-holder grant (no tier), never redeemed, revoked; lower-case event reference; unicode code; "
        "tinyint maximum; valid across New York's gap (two UTC hours, one wall-clock hour skipped)",
    ),
    # -- dbo.LoginEvent ----------------------------------------------------------------------------------------
    GoldenCase(
        "login_success_edt",
        "dbo.LoginEvent",
        {
            "LoginEventId": 1,
            "CustomerId": CUSTOMER_A,
            "OccurredAt": datetime(2026, 11, 1, 1, 30, tzinfo=EDT),
            "Channel": "W",
            "Succeeded": True,
            "FailureReason": None,
            "DeviceHash": bytes(range(32)),
            "IpHash": "ab" * 32,
            "UserAgent": "Mozilla/5.0 (X11; Linux x86_64)",
            "GeoCountry": "US",
        },
        "first 01:30 of 2026-11-01 in New York, offset -04:00 (05:30Z)",
    ),
    GoldenCase(
        "login_failed_unknown_est",
        "dbo.LoginEvent",
        {
            "LoginEventId": 2,
            "CustomerId": None,
            "OccurredAt": datetime(2026, 11, 1, 1, 30, tzinfo=EST),
            "Channel": "M",
            "Succeeded": False,
            "FailureReason": "unknown e-mail",
            "DeviceHash": None,
            "IpHash": None,
            "UserAgent": None,
            "GeoCountry": None,
        },
        "the same wall time one hour later (offset -05:00, 06:30Z): a failed login for an unknown e-mail; "
        "NULL device hash, IP hash, agent and country",
    ),
    GoldenCase(
        "login_extreme_offsets",
        "dbo.LoginEvent",
        {
            "LoginEventId": 9223372036854775807,
            "CustomerId": CUSTOMER_B,
            "OccurredAt": datetime(2026, 3, 29, 1, 0, tzinfo=timezone(timedelta(hours=14))),
            "Channel": "A",
            "Succeeded": True,
            "FailureReason": "",
            "DeviceHash": b"\x00" * 31 + b"\xff",
            "IpHash": "f" * 64,
            "UserAgent": "bot/1.0 " + "🤖" * 100,
            "GeoCountry": "KI",
        },
        "bigint maximum id, offset +14:00 (the largest in use), partner API; device hash of leading zero bytes; "
        "emoji-heavy "
        "user agent",
    ),
    GoldenCase(
        "login_nepal_offset",
        "dbo.LoginEvent",
        {
            "LoginEventId": 3,
            "CustomerId": CUSTOMER_A,
            "OccurredAt": datetime(
                2026, 3, 29, 6, 45, 0, 123000, tzinfo=timezone(timedelta(hours=5, minutes=45))
            ),
            "Channel": "W",
            "Succeeded": True,
            "FailureReason": None,
            "DeviceHash": bytes(range(32)),
            "IpHash": "ab" * 32,
            "UserAgent": "Mozilla/5.0",
            "GeoCountry": "NP",
        },
        "a +05:45 offset with milliseconds; the same device and IP hash as login_success_edt (a shared device)",
    ),
    # -- dbo.Chargeback ----------------------------------------------------------------------------------------
    GoldenCase(
        "chargeback_fraud",
        "dbo.Chargeback",
        {
            "ChargebackId": UUID("00000000-0000-0000-0000-00000000f001"),
            "CustomerId": CUSTOMER_A,
            "OrderRef": "BO0000005001",
            "Amount": Decimal("213.3900"),
            "CurrencyCode": "USD",
            "ReasonCode": "10.4",
            "IsFraud": True,
            "ReportedAt": datetime(2026, 11, 19, 19, 0),
            "ResolvedAt": None,
            "Notes": "Issuer says: « pas moi » — 本人ではない",
        },
        "a fraud chargeback on box-office order BO0000005001, open; unicode notes",
    ),
    GoldenCase(
        "chargeback_reversal_extremes",
        "dbo.Chargeback",
        {
            "ChargebackId": UUID("00000000-0000-0000-0000-00000000f002"),
            "CustomerId": CUSTOMER_B,
            "OrderRef": "zzzzzzzzzzzzzzzz",
            "Amount": MONEY_MIN,
            "CurrencyCode": "EUR",
            "ReasonCode": "4837",
            "IsFraud": False,
            "ReportedAt": datetime(1, 1, 1),
            "ResolvedAt": datetime(9999, 12, 31, 23, 59, 59, 999000),
            "Notes": "x" * 10000,
        },
        "a reversal at the money minimum; order reference at full width; datetime2 bounds; NVARCHAR(MAX) past "
        "the 4000-character in-row limit",
    ),
    GoldenCase(
        "chargeback_null_notes_max_money",
        "dbo.Chargeback",
        {
            "ChargebackId": UUID("00000000-0000-0000-0000-00000000f003"),
            "CustomerId": CUSTOMER_A,
            "OrderRef": "BO0000005003",
            "Amount": MONEY_MAX,
            "CurrencyCode": "GBP",
            "ReasonCode": "13.1",
            "IsFraud": False,
            "ReportedAt": datetime(2026, 10, 25, 0, 30),
            "ResolvedAt": datetime(2026, 10, 25, 1, 30),
            "Notes": None,
        },
        "money maximum; NULL notes; reported and resolved at 00:30Z and 01:30Z: both 01:30 in London",
    ),
    # -- dbo.dbz_signal ----------------------------------------------------------------------------------------
    GoldenCase(
        "signal_incremental_snapshot",
        "dbo.dbz_signal",
        {
            "id": "crm-snap-1",
            "type": "execute-snapshot",
            "data": '{"data-collections": ["crm.dbo.Customer"], "type": "incremental"}',
        },
        "a signal requesting an incremental snapshot (the normalizer must skip signal rows)",
    ),
    GoldenCase(
        "signal_watermark_null_data",
        "dbo.dbz_signal",
        {"id": "crm-snap-1-open", "type": "snapshot-window-open", "data": None},
        "a watermark row as Debezium writes it, with NULL data",
    ),
)
