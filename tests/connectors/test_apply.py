"""``connectors apply`` and ``plan`` against the real Kafka Connect, Debezium plugins and legacy databases."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from connectors.connect_client import ConnectClient
from stack.settings import StackSettings
from tests.connectors.conftest import TEST_SALT, Cli, mariadb_root, pg_admin, read_until
from tests.support import unique

pytestmark = pytest.mark.stack

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _has(field: str, value: object, op: str | None = None) -> Any:
    def done(events: list[dict[str, Any]]) -> bool:
        return any(
            (e.get("after") or {}).get(field) == value and (op is None or e["op"] == op) for e in events
        )

    return done


def test_apply_runs_both_connectors_and_changes_reach_their_table_topics(
    cli: Cli, make_spec: Any, legacy_ready: StackSettings, connect: ConnectClient
) -> None:
    settings = legacy_ready
    box, pricing = make_spec("box_office"), make_spec("pricing")
    result = cli("apply", str(box.path), str(pricing.path))
    for spec in (box, pricing):
        assert f"{spec.name}: created" in result.stdout
        assert f"{spec.name}: RUNNING with 1 task(s)" in result.stdout
        status = connect.status(spec.name)
        assert status["connector"]["state"] == "RUNNING"
        assert [t["state"] for t in status["tasks"]] == ["RUNNING"]

    venue, order_no, event_ref = uuid.uuid4().hex[:6].upper(), uuid.uuid4().hex[:12].upper(), unique("BO")
    buyer = "José Müller-Ødegård"
    with mariadb_root(settings) as cur:
        cur.execute(
            "INSERT INTO boxoffice.VENUE (VEN_CD, VEN_NM, TZ_NM, CRT_DT) VALUES (%s, 'Test Hall', 'Europe/Vienna', NOW())",
            (venue,),
        )
        cur.execute(
            "INSERT INTO boxoffice.ORD_HDR (ORD_NO, EVT_ID, CHNL_CD, ORD_DT, TKT_QTY, SUBTOT_AMT, TOT_AMT, BUYER_NM) "
            "VALUES (%s, 1, 'B', NOW(), 1, 5000, 5000, %s)",
            (order_no, buyer),
        )
    with pg_admin(settings) as conn:
        conn.execute(
            "INSERT INTO pricing.price_level (event_ref, level_code, level_name, amount, valid_from) "
            "VALUES (%s, 'P1', 'Parterre', 89.90, now())",
            (event_ref,),
        )
    try:
        bootstrap = settings.kafka_bootstrap
        venues = read_until(bootstrap, f"{box.spec.topic_prefix}.boxoffice.VENUE", _has("VEN_CD", venue, "c"))
        assert any(e["op"] == "c" and e["after"]["VEN_CD"] == venue for e in venues)
        orders = read_until(
            bootstrap, f"{box.spec.topic_prefix}.boxoffice.ORD_HDR", _has("ORD_NO", order_no, "c")
        )
        [order] = [e for e in orders if (e.get("after") or {}).get("ORD_NO") == order_no]
        # personal data is hashed by the connector before it reaches a topic
        assert HEX64.match(order["after"]["BUYER_NM"]), order["after"]["BUYER_NM"]
        assert buyer not in str(order)
        prices = read_until(
            bootstrap, f"{pricing.spec.topic_prefix}.pricing.price_level", _has("event_ref", event_ref, "c")
        )
        [price] = [e for e in prices if (e.get("after") or {}).get("event_ref") == event_ref]
        assert price["source"]["connector"] == "postgresql"
        assert price["after"]["level_name"] == "Parterre"

        again = cli("apply", str(box.path), str(pricing.path))
        for spec in (box, pricing):
            assert f"{spec.name}: unchanged: nothing to do (state RUNNING)" in again.stdout
        assert "created" not in again.stdout and "updated" not in again.stdout

        # secrets: the capture password is a reference in Connect, absent from its log; the salt only in Connect
        password = settings.secrets.debezium_password.get_secret_value()
        for spec in (box, pricing):
            stored = str(connect.config(spec.name))
            assert password not in stored
            assert "${env:INVENTORY_CDC_DEBEZIUM_PASSWORD}" in stored
        assert password not in (settings.log_dir / "connect.log").read_text(errors="replace")
        plan = cli("plan", str(box.path), "-o", "json").stdout
        assert TEST_SALT not in plan and password not in plan
    finally:
        with mariadb_root(settings) as cur:
            cur.execute("DELETE FROM boxoffice.VENUE WHERE VEN_CD = %s", (venue,))
            cur.execute("DELETE FROM boxoffice.ORD_HDR WHERE ORD_NO = %s", (order_no,))
        with pg_admin(settings) as conn:
            conn.execute("DELETE FROM pricing.price_level WHERE event_ref = %s", (event_ref,))


def _sales(settings: StackSettings, marker: str, n: int) -> None:
    with pg_admin(settings) as conn:
        for i in range(n):
            listing = conn.execute(
                "INSERT INTO resale.listing (event_ref, seat_ref, seller_account_id, ask_amount) "
                "VALUES (%s, %s, gen_random_uuid(), 120) RETURNING listing_id",
                (marker, f"A:1:{i}"),
            ).fetchone()
            assert listing is not None
            conn.execute(
                "INSERT INTO resale.sale (listing_id, buyer_account_id, sale_amount, seller_payout_amount) "
                "VALUES (%s, gen_random_uuid(), 120, 110)",
                (listing[0],),
            )


def _count(settings: StackSettings, sql: str) -> int:
    with pg_admin(settings) as conn:
        row = conn.execute(sql).fetchone()
        assert row is not None
        return int(row[0])


def test_plan_spells_out_added_tables_with_row_counts_and_topic_changes(
    cli: Cli, make_spec: Any, legacy_ready: StackSettings
) -> None:
    settings = legacy_ready
    marker = unique("BO")
    _sales(settings, marker, 3)
    try:
        narrow = make_spec("pricing", tables=["pricing.price_level", "pricing.package", "resale.listing"])
        cli("apply", str(narrow.path))
        full = make_spec("pricing", name=narrow.name)

        before = _count(settings, "SELECT count(*) FROM resale.sale")
        [plan] = cli.json("plan", str(full.path))
        after = _count(settings, "SELECT count(*) FROM resale.sale")
        assert plan["action"] == "update"
        assert [c["key"] for c in plan["changes"]] == ["table.include.list"]
        assert plan["changes"][0]["note"] == "+resale.sale"
        [added] = [c for c in plan["consequences"] if c["kind"] == "snapshot"]
        assert added["tables"] == ["resale.sale"]
        assert before <= added["rows"] <= after  # counted in the live database
        assert plan["added_tables"] == ["resale.sale"] and plan["offsets_valid"] is True
        text = cli("plan", str(full.path)).stdout
        assert "tables added: resale.sale (" in text and " rows)" in text
        assert "incremental snapshot" in text

        moved = make_spec(
            "pricing", name=narrow.name, topic_prefix=unique("tprmoved"), tables=list(narrow.spec.table_names)
        )
        [plan] = cli.json("plan", str(moved.path))
        kinds = {c["kind"]: c for c in plan["consequences"]}
        assert kinds["topics"]["severity"] == "danger"
        assert (
            f"{narrow.spec.topic_prefix}.pricing.price_level -> {moved.spec.topic_prefix}.pricing.price_level"
            in kinds["topics"]["message"]
        )
        assert plan["offsets_valid"] is False
        assert "every topic name changes" in cli("plan", str(moved.path)).stdout

        # applying the added table snapshots it incrementally: its existing rows arrive as op r
        result = cli("apply", str(full.path))
        assert "incremental snapshot requested for resale.sale" in result.stdout
        topic = f"{narrow.spec.topic_prefix}.resale.sale"
        ids = {
            str(r[0])
            for r in _rows(
                settings,
                "SELECT s.sale_id FROM resale.sale s JOIN resale.listing l USING (listing_id) WHERE l.event_ref = %s",
                marker,
            )
        }

        def seen_all(events: list[dict[str, Any]]) -> bool:
            return ids <= {e["after"]["sale_id"] for e in events if e["op"] == "r" and e.get("after")}

        events = read_until(settings.kafka_bootstrap, topic, seen_all, timeout_s=120)
        assert seen_all(events)
        assert all(e["source"]["snapshot"] == "incremental" for e in events if e["op"] == "r")
    finally:
        with pg_admin(settings) as conn:
            conn.execute(
                "DELETE FROM resale.sale WHERE listing_id IN (SELECT listing_id FROM resale.listing WHERE event_ref = %s)",
                (marker,),
            )
            conn.execute("DELETE FROM resale.listing WHERE event_ref = %s", (marker,))


def _rows(settings: StackSettings, sql: str, *params: object) -> list[Any]:
    with pg_admin(settings) as conn:
        return list(conn.execute(sql, params).fetchall())
