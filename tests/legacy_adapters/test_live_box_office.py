"""The box office live, through the real MariaDB connector with transaction metadata: a real order
transaction (header, three lines in one multi-row INSERT, three seats flipped from held to sold) becomes one
order.placed whatever order its records are fed in; a column added to SEAT_INV while capturing keeps mapping
working, and dropping a mapped column yields the typed schema-drift error."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from legacy_adapters import box_office
from pipelines.debezium import ChangeEvent, DebeziumDecoder, DebeziumRecord, TransactionEvent
from pipelines.debezium.capture import DECODE_OPTIONS
from pipelines.mapping import Mapped, SchemaDriftError
from stack.settings import StackSettings
from tests.legacy_adapters.capture import RawRecord, box_office_capture
from tests.legacy_adapters.wire import PEPPER

pytestmark = pytest.mark.stack

ACCOUNT = "6F9619FF-8B86-D011-B42D-00C04FC964FF"


def _run(conn: Any, *statements: tuple[str, tuple[Any, ...]] | str) -> None:
    with conn.cursor() as cur:
        for statement in statements:
            sql, params = (statement, ()) if isinstance(statement, str) else statement
            cur.execute(sql, params)
    conn.commit()


def _decode(records: list[RawRecord]) -> list[DebeziumRecord]:
    decoder = DebeziumDecoder(options=DECODE_OPTIONS)
    return [
        decoder.decode(r.value, key=r.key, topic=r.topic, partition=r.partition, offset=r.offset)
        for r in records
    ]


def _feed(records: list[DebeziumRecord]) -> Mapped:
    adapter = box_office.adapter(pepper=PEPPER)
    out = Mapped()
    for record in records:
        out.extend(adapter.handle(record))
    assert adapter.pending() == ()
    return out


def test_a_real_order_transaction_and_schema_changes_while_capturing(
    stack_settings: StackSettings, tmp_path: Path
) -> None:
    with box_office_capture(stack_settings, tmp_path) as capture:
        conn = capture.connection()
        try:
            _run(
                conn,
                "INSERT INTO VENUE (VEN_ID, VEN_CD, VEN_NM, CNTRY_CD, TZ_NM, ACTV_FLG, CRT_DT) "
                "VALUES (1, 'HUDNYC', 'Hudson Hall', 'US', 'America/New_York', 'Y', '2026-01-01 00:00:00')",
                "INSERT INTO EVT_MASTER (EVT_ID, VEN_ID, EVT_NM, EVT_TYP_CD, EVT_STAT_CD, EVT_DT, CURR_CD) "
                "VALUES (1042, 1, 'Spring Forward Tour', 'C', 'O', '2026-12-05 20:00:00', 'USD')",
            )
            hold = ("cart-42", ACCOUNT, datetime(2026, 11, 27, 20, 10))
            _run(conn, *(
                ("INSERT INTO SEAT_INV (SEAT_ID, EVT_ID, SECT_CD, ROW_CD, SEAT_NO, PRC_LVL_CD, FACE_AMT, SEAT_STAT_CD, "
                 "HOLD_TOKEN, HOLD_ACCT_ID, HOLD_EXP_DT) VALUES (%s, 1042, '101', 'C', %s, 'P1', 12500, 'H', %s, %s, %s)",
                 (n, str(n), *hold)) for n in (1, 2, 3)
            ))  # fmt: skip
            _run(  # the order, as the box office writes it: one transaction
                conn,
                ("INSERT INTO ORD_HDR (ORD_ID, ORD_NO, EVT_ID, ACCT_ID, CHNL_CD, ORD_DT, TKT_QTY, SUBTOT_AMT, FEE_AMT, "
                 "TAX_AMT, TOT_AMT, CURR_CD, PAY_MTHD_CD) VALUES (7001, 'WEB000007001', 1042, %s, 'W', "
                 "'2026-11-27 20:00:00', 3, 37500, 1500, 3300, 42300, 'USD', 'CC')", (ACCOUNT.lower(),)),
                "INSERT INTO ORD_LN (ORD_ID, LN_NO, SEAT_ID, PRC_LVL_CD, LN_PRC_AMT) VALUES "
                "(7001, 1, 1, 'P1', 12500), (7001, 2, 2, 'P1', 12500), (7001, 3, 3, 'P1', 12500)",
                "UPDATE SEAT_INV SET SEAT_STAT_CD = 'S', ORD_ID = 7001, HOLD_TOKEN = NULL, HOLD_ACCT_ID = NULL, "
                "HOLD_EXP_DT = NULL WHERE SEAT_ID IN (1, 2, 3) AND HOLD_TOKEN = 'cart-42'",
            )  # fmt: skip
            _run(conn, "ALTER TABLE SEAT_INV ADD COLUMN VIEW_NOTE VARCHAR(40) NULL")
            _run(conn, "INSERT INTO SEAT_INV (SEAT_ID, EVT_ID, SECT_CD, ROW_CD, SEAT_NO, PRC_LVL_CD, FACE_AMT, VIEW_NOTE) "
                       "VALUES (4, 1042, '101', 'C', '4', 'P1', 12500, 'pillar')")  # fmt: skip
            _run(conn, "ALTER TABLE SEAT_INV DROP COLUMN PRC_LVL_CD")
            _run(conn, "UPDATE SEAT_INV SET SEAT_STAT_CD = 'K' WHERE SEAT_ID = 4")
        finally:
            conn.close()
        records = _decode(capture.read_transactions(5))
    changes = [r for r in records if isinstance(r, ChangeEvent)]
    ends = [r for r in records if isinstance(r, TransactionEvent)]
    out = _feed(changes + ends)
    kinds = [(e.type.value, e.key) for e in out.events]
    assert kinds == [
        ("venue.changed", "venue:1"),
        ("event.changed", "event:BO-1042"),
        ("seat.changed", "seat:BO-1042:101:C:1"),
        ("hold.placed", "hold:cart-42"),
        ("seat.changed", "seat:BO-1042:101:C:2"),
        ("seat.changed", "seat:BO-1042:101:C:3"),
        ("order.placed", "order:WEB000007001"),
        ("seat.changed", "seat:BO-1042:101:C:1"),
        ("hold.released", "hold:cart-42"),
        ("seat.changed", "seat:BO-1042:101:C:2"),
        ("seat.changed", "seat:BO-1042:101:C:3"),
        ("seat.changed", "seat:BO-1042:101:C:4"),  # mapped although SEAT_INV gained a column
    ]
    (order,) = [e for e in out.events if e.type.value == "order.placed"]
    assert [(line.line_no, line.seat.seat, line.price.amount) for line in order.data.lines] == [
        (1, "1", 12500), (2, "2", 12500), (3, "3", 12500)
    ]  # fmt: skip
    assert (order.data.total.amount, order.data.placed_at) == (
        42300,
        datetime.fromisoformat("2026-11-28T01:00:00+00:00"),
    )
    assert [e.data.order_id for e in out.events[7:11] if e.type.value == "seat.changed"] == [
        "WEB000007001"
    ] * 3
    (released,) = [e for e in out.events if e.type.value == "hold.released"]
    assert (released.data.status.value, released.data.order_id, len(released.data.seats)) == (
        "converted",
        "WEB000007001",
        3,
    )
    (drift,) = out.failures  # the change after PRC_LVL_CD was dropped
    assert isinstance(drift, SchemaDriftError)
    assert (drift.change, drift.column, drift.table) == (
        "removed",
        "PRC_LVL_CD",
        f"{capture.database}.SEAT_INV",
    )
    assert drift.record is not None and drift.position is not None

    # whatever order the order transaction's records arrive in, the same events come out
    def of(tx_ids: set[str | None]) -> list[DebeziumRecord]:
        return [r for r in changes if r.source.tx_id in tx_ids] + [r for r in ends if r.id in tx_ids]

    prior = of({e.source.tx_id for e in out.events[:6]})  # venue, event, the held seats
    in_tx = of({order.source.tx_id})
    assert len(in_tx) == 9  # 1 header, 3 lines, 3 seats, BEGIN and END
    reference = [e.id for e in _feed(prior + in_tx).events]
    assert len(reference) == 11
    rng = random.Random(5)
    for _ in range(20):
        shuffled = in_tx[:]
        rng.shuffle(shuffled)
        assert [e.id for e in _feed(prior + shuffled).events] == reference
