"""``connectors snapshot --where`` re-reads exactly the matching rows through the signal table, while the
connector keeps streaming."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from stack.settings import StackSettings
from tests.connectors.conftest import Cli, pg_admin, read_until
from tests.support import unique

pytestmark = pytest.mark.stack


def _insert(settings: StackSettings, event_ref: str, codes: list[str]) -> set[int]:
    with pg_admin(settings) as conn:
        return {
            int(row[0])
            for code in codes
            if (
                row := conn.execute(
                    "INSERT INTO pricing.price_level (event_ref, level_code, level_name, amount, valid_from) "
                    "VALUES (%s, %s, 'Rang', 45.00, now()) RETURNING price_level_id",
                    (event_ref, code),
                ).fetchone()
            )
            is not None
        }


def test_snapshot_where_re_emits_exactly_the_matching_rows_while_streaming_continues(
    cli: Cli, make_spec: Any, legacy_ready: StackSettings
) -> None:
    settings = legacy_ready
    wanted, other, live = unique("BO"), unique("BO"), unique("BO")
    matching = _insert(settings, wanted, ["A1", "A2", "A3", "A4"])
    _insert(settings, other, ["B1", "B2", "B3"])
    spec = make_spec("pricing")
    topic = f"{spec.spec.topic_prefix}.pricing.price_level"
    try:
        cli("apply", str(spec.path))
        # the initial snapshot has read our rows: streaming has begun
        read_until(
            settings.kafka_bootstrap,
            topic,
            lambda es: matching <= {e["after"]["price_level_id"] for e in es if e.get("after")},
        )

        streamed: set[int] = set()
        writer = threading.Thread(
            target=lambda: (time.sleep(0.3), streamed.update(_insert(settings, live, ["C1", "C2"])))
        )
        writer.start()
        result = cli("snapshot", str(spec.path), "pricing.price_level", "--where", f"event_ref = '{wanted}'")
        writer.join()
        assert "4 row(s) emitted as op r" in result.stdout
        assert "4 matched in the database" in result.stdout

        def done(events: list[dict[str, Any]]) -> bool:
            seen = {e["after"]["price_level_id"] for e in events if e["op"] == "c" and e.get("after")}
            return (
                streamed <= seen
                and len([e for e in events if e["source"].get("snapshot") == "incremental"]) >= 4
            )

        events = read_until(settings.kafka_bootstrap, topic, done)
        incremental = [e for e in events if e["source"].get("snapshot") == "incremental"]
        assert {e["op"] for e in incremental} == {"r"}
        assert sorted(e["after"]["price_level_id"] for e in incremental) == sorted(matching)
        assert {e["after"]["event_ref"] for e in incremental} == {wanted}
        # changes made during the snapshot were streamed as usual
        assert streamed <= {e["after"]["price_level_id"] for e in events if e["op"] == "c" and e.get("after")}
    finally:
        with pg_admin(settings) as conn:
            conn.execute(
                "DELETE FROM pricing.price_level WHERE event_ref IN (%s, %s, %s)", (wanted, other, live)
            )


def test_snapshot_of_a_table_the_connector_does_not_capture_is_refused(cli: Cli, make_spec: Any) -> None:
    spec = make_spec("pricing")
    result = cli("snapshot", str(spec.path), "resale.nothing", code=2)
    assert "resale.nothing is not captured" in result.output
