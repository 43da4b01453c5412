-- CRM and presale (SQL Server 2022, T-SQL). Runs only where SQL Server runs (compose); on the local stack it is
-- checked by parsing (sqlglot, dialect tsql). Batches are separated by GO lines.
--
-- Quirks kept on purpose (the adapter absorbs them):
--   * uniqueidentifier keys (NEWSEQUENTIALID), nvarchar text, bit flags, money with four decimals;
--   * datetime2 columns are UTC by convention only (SYSUTCDATETIME), LoginEvent.OccurredAt is datetimeoffset;
--   * Email, Phone, GivenName, FamilyName, BirthDate are personal data: the connector masks or hashes them
--     (legacy_adapters.registry lists them);
--   * change data capture runs through capture instances, read by members of the gating role cdc_reader.
--
-- Idempotent: objects are created only when missing. The two sp_cdc_enable_* calls are not guarded here
-- (sqlglot cannot parse an IF around a multi-argument EXEC); `inventory-cdc legacy init crm` runs each only
-- when sys.databases / cdc.change_tables say capture is not yet enabled. Enabling CDC needs sysadmin and a
-- running SQL Server Agent; capture tables are cleaned up after three days by default, so a connector stopped
-- for longer loses changes.
--
-- __DEBEZIUM_PASSWORD__ is replaced by the installer with the quoted password; never commit a real one.

USE master;
GO
IF DB_ID(N'crm') IS NULL CREATE DATABASE crm;
GO

-- Capture login (server level): created once, its password reset only when it differs.
IF SUSER_ID(N'debezium') IS NULL CREATE LOGIN debezium WITH PASSWORD = N'__DEBEZIUM_PASSWORD__', CHECK_POLICY = ON;
GO
IF EXISTS (SELECT 1 FROM sys.sql_logins WHERE name = N'debezium' AND PWDCOMPARE(N'__DEBEZIUM_PASSWORD__', password_hash) = 0) ALTER LOGIN debezium WITH PASSWORD = N'__DEBEZIUM_PASSWORD__';
GO
-- Debezium reads sys.dm_server_services to warn when SQL Server Agent (which fills the change tables) is down.
-- A server permission: granted to the login, from master.
GRANT VIEW SERVER STATE TO debezium;
GO

USE crm;
GO

IF OBJECT_ID(N'dbo.Customer', N'U') IS NULL
CREATE TABLE dbo.Customer (
    CustomerId     UNIQUEIDENTIFIER NOT NULL CONSTRAINT DF_Customer_Id DEFAULT NEWSEQUENTIALID(),
    Email          NVARCHAR(254)    NULL,      -- personal data
    Phone          NVARCHAR(32)     NULL,      -- personal data, E.164 when the agent typed it right
    GivenName      NVARCHAR(100)    NULL,      -- personal data
    FamilyName     NVARCHAR(100)    NULL,      -- personal data
    BirthDate      DATE             NULL,      -- personal data
    CountryCode    CHAR(2)          NULL,
    PostalCode     NVARCHAR(16)     NULL,
    PreferredLang  NVARCHAR(10)     NULL,      -- BCP 47, e.g. fr-CA
    IsVerified     BIT              NOT NULL CONSTRAINT DF_Customer_IsVerified DEFAULT 0,
    MarketingOptIn BIT              NOT NULL CONSTRAINT DF_Customer_OptIn DEFAULT 0,
    IsBlocked      BIT              NOT NULL CONSTRAINT DF_Customer_IsBlocked DEFAULT 0,
    LifetimeSpend  MONEY            NOT NULL CONSTRAINT DF_Customer_Spend DEFAULT 0,
    CreatedAt      DATETIME2(3)     NOT NULL CONSTRAINT DF_Customer_CreatedAt DEFAULT SYSUTCDATETIME(),
    UpdatedAt      DATETIME2(7)     NULL,
    RowVer         ROWVERSION       NOT NULL,
    CONSTRAINT PK_Customer PRIMARY KEY CLUSTERED (CustomerId)
);
GO
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'UX_Customer_Email' AND object_id = OBJECT_ID(N'dbo.Customer'))
CREATE UNIQUE NONCLUSTERED INDEX UX_Customer_Email ON dbo.Customer (Email) WHERE Email IS NOT NULL;
GO

IF OBJECT_ID(N'dbo.FanClubTier', N'U') IS NULL
CREATE TABLE dbo.FanClubTier (
    TierId           SMALLINT      NOT NULL,
    TierCode         NVARCHAR(16)  NOT NULL,
    TierName         NVARCHAR(64)  NOT NULL,
    PresalePriority  TINYINT       NOT NULL,   -- 1 opens first
    PresaleLeadHours SMALLINT      NOT NULL CONSTRAINT DF_FanClubTier_Lead DEFAULT 24,
    AnnualFee        MONEY         NOT NULL,
    IsActive         BIT           NOT NULL CONSTRAINT DF_FanClubTier_IsActive DEFAULT 1,
    CreatedAt        DATETIME2(3)  NOT NULL CONSTRAINT DF_FanClubTier_CreatedAt DEFAULT SYSUTCDATETIME(),
    CONSTRAINT PK_FanClubTier PRIMARY KEY CLUSTERED (TierId),
    CONSTRAINT UQ_FanClubTier_Code UNIQUE (TierCode)
);
GO

IF OBJECT_ID(N'dbo.FanClubMembership', N'U') IS NULL
CREATE TABLE dbo.FanClubMembership (
    MembershipId UNIQUEIDENTIFIER NOT NULL CONSTRAINT DF_Membership_Id DEFAULT NEWSEQUENTIALID(),
    CustomerId   UNIQUEIDENTIFIER NOT NULL,
    TierId       SMALLINT         NOT NULL,
    ArtistCode   NVARCHAR(32)     NOT NULL,    -- the fan club's artist
    JoinedAt     DATETIME2(3)     NOT NULL,
    ExpiresAt    DATETIME2(3)     NULL,
    IsActive     BIT              NOT NULL CONSTRAINT DF_Membership_IsActive DEFAULT 1,
    CONSTRAINT PK_FanClubMembership PRIMARY KEY CLUSTERED (MembershipId)
);
GO

IF OBJECT_ID(N'dbo.PresaleGrant', N'U') IS NULL
CREATE TABLE dbo.PresaleGrant (
    GrantId     UNIQUEIDENTIFIER NOT NULL CONSTRAINT DF_PresaleGrant_Id DEFAULT NEWSEQUENTIALID(),
    CustomerId  UNIQUEIDENTIFIER NOT NULL,
    EventRef    VARCHAR(16)      NOT NULL,     -- box office event, 'BO-1042'
    PresaleCode NVARCHAR(32)     NOT NULL,     -- typed at checkout, lands in box office ORD_HDR.PRESALE_CD
    TierId      SMALLINT         NULL,         -- NULL: granted outside a fan club (card-holder presale)
    MaxTickets  TINYINT          NOT NULL,
    ValidFrom   DATETIME2(0)     NOT NULL,
    ValidTo     DATETIME2(0)     NOT NULL,
    RedeemedAt  DATETIME2(3)     NULL,
    IsRevoked   BIT              NOT NULL CONSTRAINT DF_PresaleGrant_IsRevoked DEFAULT 0,
    CONSTRAINT PK_PresaleGrant PRIMARY KEY CLUSTERED (GrantId)
);
GO
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'IX_PresaleGrant_Event' AND object_id = OBJECT_ID(N'dbo.PresaleGrant'))
CREATE NONCLUSTERED INDEX IX_PresaleGrant_Event ON dbo.PresaleGrant (EventRef, CustomerId);
GO

IF OBJECT_ID(N'dbo.LoginEvent', N'U') IS NULL
CREATE TABLE dbo.LoginEvent (
    LoginEventId  BIGINT IDENTITY(1, 1) NOT NULL,
    CustomerId    UNIQUEIDENTIFIER     NULL,   -- NULL: a failed login for an unknown e-mail
    OccurredAt    DATETIMEOFFSET(3)    NOT NULL,
    Channel       CHAR(1)              NOT NULL, -- W web, M mobile app, A partner API
    Succeeded     BIT                  NOT NULL,
    FailureReason NVARCHAR(64)         NULL,
    DeviceHash    BINARY(32)           NULL,   -- sha-256 of the device fingerprint
    IpHash        CHAR(64)             NULL,   -- sha-256 hex of the client IP
    UserAgent     NVARCHAR(400)        NULL,
    GeoCountry    CHAR(2)              NULL,
    CONSTRAINT PK_LoginEvent PRIMARY KEY CLUSTERED (LoginEventId)
);
GO

IF OBJECT_ID(N'dbo.Chargeback', N'U') IS NULL
CREATE TABLE dbo.Chargeback (
    ChargebackId UNIQUEIDENTIFIER NOT NULL CONSTRAINT DF_Chargeback_Id DEFAULT NEWSEQUENTIALID(),
    CustomerId   UNIQUEIDENTIFIER NOT NULL,
    OrderRef     VARCHAR(16)      NOT NULL,    -- box office ORD_HDR.ORD_NO
    Amount       MONEY            NOT NULL,    -- negative: a reversal of an earlier chargeback
    CurrencyCode CHAR(3)          NOT NULL,
    ReasonCode   VARCHAR(8)       NOT NULL,
    IsFraud      BIT              NOT NULL,
    ReportedAt   DATETIME2(3)     NOT NULL,
    ResolvedAt   DATETIME2(3)     NULL,
    Notes        NVARCHAR(MAX)    NULL,
    CONSTRAINT PK_Chargeback PRIMARY KEY CLUSTERED (ChargebackId)
);
GO

-- Debezium's signal table (incremental snapshots and their watermarks); captured like the others.
IF OBJECT_ID(N'dbo.dbz_signal', N'U') IS NULL
CREATE TABLE dbo.dbz_signal (
    id   VARCHAR(64)   NOT NULL,
    type VARCHAR(32)   NOT NULL,
    data NVARCHAR(MAX) NULL,
    CONSTRAINT PK_dbz_signal PRIMARY KEY CLUSTERED (id)
);
GO

-- The gating role: only its members (and db_owner) may read the change tables.
IF DATABASE_PRINCIPAL_ID(N'cdc_reader') IS NULL CREATE ROLE cdc_reader;
GO
IF DATABASE_PRINCIPAL_ID(N'debezium') IS NULL CREATE USER debezium FOR LOGIN debezium;
GO
IF IS_ROLEMEMBER(N'cdc_reader', N'debezium') = 0 ALTER ROLE cdc_reader ADD MEMBER debezium;
GO
-- Read access like db_datareader, but to the captured schema only; writes only to the signal table.
GRANT SELECT ON SCHEMA::dbo TO debezium;
GO
GRANT INSERT, UPDATE, DELETE ON dbo.dbz_signal TO debezium;
GO

EXEC sys.sp_cdc_enable_db;
GO
EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'Customer', @capture_instance = N'dbo_Customer', @role_name = N'cdc_reader', @supports_net_changes = 1;
GO
EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'FanClubTier', @capture_instance = N'dbo_FanClubTier', @role_name = N'cdc_reader', @supports_net_changes = 1;
GO
EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'FanClubMembership', @capture_instance = N'dbo_FanClubMembership', @role_name = N'cdc_reader', @supports_net_changes = 1;
GO
EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'PresaleGrant', @capture_instance = N'dbo_PresaleGrant', @role_name = N'cdc_reader', @supports_net_changes = 1;
GO
EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'LoginEvent', @capture_instance = N'dbo_LoginEvent', @role_name = N'cdc_reader', @supports_net_changes = 0;
GO
EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'Chargeback', @capture_instance = N'dbo_Chargeback', @role_name = N'cdc_reader', @supports_net_changes = 1;
GO
EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'dbz_signal', @capture_instance = N'dbo_dbz_signal', @role_name = N'cdc_reader', @supports_net_changes = 0;
GO
