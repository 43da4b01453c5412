-- Box office: events, venues, seat inventory and orders (MySQL dialect: MariaDB 10.11 on the local stack,
-- MySQL 8 in compose). The database itself (`boxoffice`, DEFAULT CHARACTER SET latin1) is created by the
-- installer, so this file can be applied to any database name.
--
-- Quirks kept on purpose (the adapter absorbs them; this file must not "fix" them):
--   * upper-case cryptic names and one-letter status codes (legend: legacy_adapters/box_office/codes.py);
--   * money as integer cents (INT); the currency is per event (EVT_MASTER.CURR_CD) and repeated on orders;
--   * DATETIME columns hold the venue's wall-clock time with no zone: the zone is VENUE.TZ_NM (IANA), so a
--     time in a daylight-saving gap does not exist and one in the overlap happens twice;
--   * zero dates ('0000-00-00 00:00:00') mean "unknown"; storing them needs a session sql_mode without
--     NO_ZERO_DATE / NO_ZERO_IN_DATE (MySQL 8's default has both), hence the SET below;
--   * latin1 text: MySQL's latin1 is Windows-1252, so it also stores the euro sign; anything outside it is
--     refused in strict mode;
--   * no foreign keys, as in the original system: orphans happen and the adapter tolerates them;
--   * UPD_TS is the only TIMESTAMP: maintenance data on the server clock (UTC on the stack), not business time.
-- Account ids (ACCT_ID, HOLD_ACCT_ID) are CRM customer GUIDs (crm dbo.Customer.CustomerId) stored as text.
-- Events are known to the other systems as 'BO-<EVT_ID>'; seats as '<SECT_CD>:<ROW_CD>:<SEAT_NO>'.

SET SESSION sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

CREATE TABLE IF NOT EXISTS VENUE (
  VEN_ID    INT UNSIGNED NOT NULL AUTO_INCREMENT,
  VEN_CD    CHAR(6)      NOT NULL COMMENT 'short code printed on tickets',
  VEN_NM    VARCHAR(80)  NOT NULL,
  CITY_NM   VARCHAR(60)  NULL,
  CNTRY_CD  CHAR(2)      NOT NULL DEFAULT 'US' COMMENT 'ISO 3166-1 alpha-2',
  TZ_NM     VARCHAR(64)  NOT NULL COMMENT 'IANA zone of every DATETIME that concerns this venue',
  CAP_QTY   INT UNSIGNED NULL COMMENT 'licensed capacity',
  TAX_RT    DECIMAL(7,4) NULL COMMENT 'sales tax rate: 0.0888 is 8.88 percent',
  LAT_DEG   DECIMAL(9,6) NULL,
  LNG_DEG   DECIMAL(9,6) NULL,
  ACTV_FLG  CHAR(1)      NOT NULL DEFAULT 'Y' COMMENT 'Y active, N closed',
  CRT_DT    DATETIME     NOT NULL DEFAULT '0000-00-00 00:00:00' COMMENT 'venue local; zero = before records began',
  PRIMARY KEY (VEN_ID),
  UNIQUE KEY UK_VENUE_CD (VEN_CD)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COMMENT='venues';

CREATE TABLE IF NOT EXISTS EVT_MASTER (
  EVT_ID      INT UNSIGNED      NOT NULL AUTO_INCREMENT COMMENT 'known elsewhere as BO-<EVT_ID>',
  VEN_ID      INT UNSIGNED      NOT NULL,
  EVT_NM      VARCHAR(120)      NOT NULL,
  ARTIST_NM   VARCHAR(120)      NULL,
  EVT_TYP_CD  CHAR(1)           NOT NULL DEFAULT 'C' COMMENT 'C concert, S sport, T theatre, F family, O other',
  EVT_STAT_CD CHAR(1)           NOT NULL DEFAULT 'D' COMMENT 'D draft, O on sale, P postponed, X cancelled, F finished',
  EVT_DT      DATETIME          NOT NULL COMMENT 'show starts, venue local',
  DOORS_DT    DATETIME          NULL COMMENT 'doors open, venue local',
  PRESALE_DT  DATETIME          NULL COMMENT 'presale opens, venue local',
  ONSALE_DT   DATETIME          NULL COMMENT 'general on-sale, venue local',
  OFFSALE_DT  DATETIME          NULL COMMENT 'sales close, venue local',
  TKT_LMT     SMALLINT UNSIGNED NOT NULL DEFAULT 8 COMMENT 'tickets one account may buy for this event',
  HOLD_MINS   SMALLINT UNSIGNED NOT NULL DEFAULT 10 COMMENT 'minutes a cart hold lasts',
  CURR_CD     CHAR(3)           NOT NULL DEFAULT 'USD',
  CRT_DT      DATETIME          NOT NULL DEFAULT '0000-00-00 00:00:00',
  UPD_TS      TIMESTAMP         NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (EVT_ID),
  KEY IX_EVT_VEN (VEN_ID, EVT_DT)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COMMENT='events';

CREATE TABLE IF NOT EXISTS SEAT_INV (
  SEAT_ID      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  EVT_ID       INT UNSIGNED    NOT NULL,
  SECT_CD      VARCHAR(8)      NOT NULL,
  ROW_CD       VARCHAR(4)      NOT NULL,
  SEAT_NO      VARCHAR(4)      NOT NULL,
  PRC_LVL_CD   VARCHAR(8)      NULL COMMENT 'price level (pricing.price_level.level_code)',
  FACE_AMT     INT             NOT NULL DEFAULT 0 COMMENT 'face value, cents',
  SEAT_STAT_CD CHAR(1)         NOT NULL DEFAULT 'A'
               COMMENT 'A available, H held, S sold, K killed (blocked), C comp, R reserved for a presale',
  ADA_FLG      TINYINT(1)      NOT NULL DEFAULT 0 COMMENT '1 = wheelchair or companion seat',
  HOLD_TOKEN   VARCHAR(36)     NULL COMMENT 'cart session that holds the seat',
  HOLD_ACCT_ID CHAR(36)        NULL COMMENT 'CRM customer GUID of the holder',
  HOLD_EXP_DT  DATETIME        NULL COMMENT 'hold expires, venue local; a sweeper job releases expired holds',
  ORD_ID       BIGINT UNSIGNED NULL COMMENT 'ORD_HDR that sold the seat',
  UPD_DT       DATETIME        NOT NULL DEFAULT '0000-00-00 00:00:00' COMMENT 'last status change, venue local',
  UPD_TS       TIMESTAMP       NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (SEAT_ID),
  UNIQUE KEY UK_SEAT (EVT_ID, SECT_CD, ROW_CD, SEAT_NO),
  KEY IX_SEAT_STAT (EVT_ID, SEAT_STAT_CD),
  KEY IX_SEAT_HOLD (SEAT_STAT_CD, HOLD_EXP_DT)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COMMENT='seat inventory, one row per seat per event';

CREATE TABLE IF NOT EXISTS ORD_HDR (
  ORD_ID       BIGINT UNSIGNED   NOT NULL AUTO_INCREMENT,
  ORD_NO       CHAR(12)          NOT NULL COMMENT 'order number printed for the buyer',
  EVT_ID       INT UNSIGNED      NOT NULL,
  ACCT_ID      CHAR(36)          NULL COMMENT 'CRM customer GUID; NULL for a walk-up sale at the window',
  CHNL_CD      CHAR(1)           NOT NULL COMMENT 'W web, M mobile app, B box-office window, P phone, A partner API',
  ORD_STAT_CD  CHAR(1)           NOT NULL DEFAULT 'P'
               COMMENT 'P placed, F fulfilled, C cancelled, R refunded, V voided (fraud)',
  ORD_DT       DATETIME          NOT NULL COMMENT 'venue local',
  TKT_QTY      SMALLINT UNSIGNED NOT NULL,
  SUBTOT_AMT   INT               NOT NULL COMMENT 'cents: sum of the lines net of discounts',
  FEE_AMT      INT               NOT NULL DEFAULT 0 COMMENT 'cents',
  TAX_AMT      INT               NOT NULL DEFAULT 0 COMMENT 'cents',
  TOT_AMT      INT               NOT NULL COMMENT 'cents; negative after an over-refund adjustment',
  CURR_CD      CHAR(3)           NOT NULL DEFAULT 'USD',
  PAY_MTHD_CD  CHAR(2)           NULL COMMENT 'CC card, CA cash, GC gift card, WL wallet',
  CARD_BIN     CHAR(6)           NULL,
  CARD_LAST4   CHAR(4)           NULL,
  CLNT_IP_HASH CHAR(64)          NULL COMMENT 'sha-256 hex of the buyer IP (web, mobile, partner API)',
  DEVICE_HASH  CHAR(64)          NULL COMMENT 'sha-256 hex of the device fingerprint',
  PRESALE_CD   VARCHAR(32)       NULL COMMENT 'presale code used (crm dbo.PresaleGrant.PresaleCode)',
  DLVRY_CD     CHAR(1)           NOT NULL DEFAULT 'E' COMMENT 'E e-ticket, M mail, W will call',
  BUYER_NM     VARCHAR(80)       NULL COMMENT 'name taken at the window',
  CANC_DT      DATETIME          NULL COMMENT 'cancelled or refunded, venue local',
  UPD_TS       TIMESTAMP         NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (ORD_ID),
  UNIQUE KEY UK_ORD_NO (ORD_NO),
  KEY IX_ORD_ACCT (ACCT_ID, EVT_ID),
  KEY IX_ORD_EVT (EVT_ID, ORD_DT)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COMMENT='order headers';

CREATE TABLE IF NOT EXISTS ORD_LN (
  ORD_ID      BIGINT UNSIGNED   NOT NULL,
  LN_NO       SMALLINT UNSIGNED NOT NULL,
  SEAT_ID     BIGINT UNSIGNED   NOT NULL,
  PRC_LVL_CD  VARCHAR(8)        NULL,
  LN_PRC_AMT  INT               NOT NULL COMMENT 'cents charged for the seat',
  DISC_AMT    INT               NOT NULL DEFAULT 0 COMMENT 'cents',
  LN_STAT_CD  CHAR(1)           NOT NULL DEFAULT 'A' COMMENT 'A active, C cancelled, R refunded, X exchanged',
  TKT_BARCODE VARCHAR(20)       NULL,
  UPD_DT      DATETIME          NOT NULL DEFAULT '0000-00-00 00:00:00' COMMENT 'venue local',
  PRIMARY KEY (ORD_ID, LN_NO),
  KEY IX_LN_SEAT (SEAT_ID)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COMMENT='order lines, one per seat';

CREATE TABLE IF NOT EXISTS ORD_CHGBK (
  CHGBK_ID     BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  ORD_ID       BIGINT UNSIGNED NOT NULL,
  RSN_CD       VARCHAR(6)      NOT NULL COMMENT 'card-network reason code, e.g. 10.4 fraud (card absent), 13.1 not received',
  CHGBK_AMT    INT             NOT NULL COMMENT 'cents disputed',
  CURR_CD      CHAR(3)         NOT NULL DEFAULT 'USD',
  FRAUD_FLG    TINYINT(1)      NOT NULL DEFAULT 0 COMMENT '1 = the issuer reported fraud: the fraud label',
  DISP_STAT_CD CHAR(1)         NOT NULL DEFAULT 'O' COMMENT 'O open, W won by us, L lost, A accepted',
  RCVD_DT      DATETIME        NOT NULL COMMENT 'dispute received, venue local; days or weeks after ORD_DT',
  RSLV_DT      DATETIME        NULL COMMENT 'resolved, venue local',
  NOTE_TXT     TEXT            NULL,
  PRIMARY KEY (CHGBK_ID),
  KEY IX_CHGBK_ORD (ORD_ID)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COMMENT='payment disputes (chargebacks), arriving after the order';

-- Debezium's signal table: incremental snapshots are requested here, and the connector writes its
-- watermarks here (the capture user may insert, update and delete in this table only). utf8mb4 because its
-- payloads are JSON naming tables, not legacy text.
CREATE TABLE IF NOT EXISTS DBZ_SIGNAL (
  id   VARCHAR(64) NOT NULL,
  type VARCHAR(32) NOT NULL,
  data TEXT        NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Debezium signals and incremental-snapshot watermarks';
