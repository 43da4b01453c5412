"""The shipped specs agree with the legacy systems, and the spec model refuses what it must (no stack needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from pydantic import SecretStr

from connectors.exceptions import SpecError
from connectors.loader import builtin_specs, load_spec, parse_spec
from connectors.render import RenderContext, redact, render
from legacy_adapters.registry import SYSTEMS

ENV = {"INVENTORY_CDC_STACK_POSTGRES_PORT": "25432"}
CTX = RenderContext("127.0.0.1:29092", SecretStr("a-test-salt-of-24-chars"))


def _raw(system: str) -> dict[str, Any]:
    return dict(yaml.safe_load(builtin_specs()[system].read_text()))


def _problems(data: dict[str, Any], env: dict[str, str] | None = None) -> dict[str, str]:
    with pytest.raises(SpecError) as info:
        parse_spec(data, "test", env or {})
    return {p.field: p.message for p in info.value.problems}


@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_each_legacy_system_has_a_spec_that_agrees_with_the_registry(system: str) -> None:
    spec = load_spec(builtin_specs()[system], {})
    legacy = SYSTEMS[system]
    assert spec.system == system
    assert spec.topic_prefix == system
    assert spec.engine == legacy.engine
    assert spec.connection.database == legacy.database
    assert set(spec.captured_tables) == set(legacy.captured_tables)
    assert spec.signal_table == legacy.signal_table
    pii = set(spec.pii.hash) | set(spec.pii.drop) if spec.pii else set()
    assert pii == set(legacy.pii_columns)
    if legacy.publication:
        assert spec.postgresql is not None and spec.postgresql.publication == legacy.publication


def test_hosts_and_ports_come_from_the_environment_with_the_stack_defaults() -> None:
    assert load_spec(builtin_specs()["pricing"], {}).connection.port == 25432
    moved = load_spec(builtin_specs()["pricing"], {"INVENTORY_CDC_STACK_POSTGRES_PORT": "6543"})
    assert moved.connection.port == 6543


@pytest.mark.parametrize("password", ["hunter2", "${INVENTORY_CDC_DEBEZIUM_PASSWORD}", "${env:}", "$hunter2"])
def test_a_password_that_is_not_a_provider_reference_is_refused_without_echoing_it(password: str) -> None:
    data = _raw("pricing")
    data["connection"]["password"] = password
    with pytest.raises(SpecError) as info:
        parse_spec(data, "test", {"INVENTORY_CDC_DEBEZIUM_PASSWORD": "s3cret-value"})
    assert [p.field for p in info.value.problems] == ["connection.password"]
    assert "s3cret-value" not in str(info.value)
    if password == "hunter2":
        assert "hunter2" not in str(info.value)
        assert "literal password is refused" in str(info.value)


@pytest.mark.parametrize(
    "reference", ["${env:PW}", "${file:/run/secrets/capture.properties:password}", "${dir:/run/secrets:pw}"]
)
def test_provider_references_are_accepted(reference: str) -> None:
    data = _raw("pricing")
    data["connection"]["password"] = reference
    assert parse_spec(data, "test", {}).connection.password == reference


def test_secret_variables_are_never_substituted_at_load_time() -> None:
    data = _raw("box_office")
    data["connection"]["user"] = "${INVENTORY_CDC_DEBEZIUM_PASSWORD}"
    problems = _problems(data, {"INVENTORY_CDC_DEBEZIUM_PASSWORD": "s3cret-value"})
    assert "names a secret" in problems["connection.user"]


def test_snapshot_modes_are_checked_per_engine() -> None:
    data = _raw("pricing")
    data["snapshot"] = {"mode": "never"}  # a MySQL-family mode
    assert "not a PostgreSQL snapshot mode" in _problems(data)["snapshot.mode"]
    data["snapshot"] = {"mode": "sometimes"}
    assert "snapshot.mode" in _problems(data)
    box = _raw("box_office")
    box["snapshot"] = {"mode": "never"}
    assert parse_spec(box, "test", {}).snapshot.mode == "never"


def test_unknown_fields_and_missing_sections_are_named() -> None:
    data = _raw("pricing")
    data["heartbeat"]["intervall_ms"] = 5
    del data["postgresql"]
    problems = _problems(data)
    assert "unknown field" in problems["heartbeat.intervall_ms"]
    data = _raw("pricing")
    del data["postgresql"]
    assert "add a `postgresql:` section" in _problems(data)["postgresql"]


def test_postgres_needs_a_heartbeat_action_query_and_double_decimals_are_refused() -> None:
    data = _raw("pricing")
    data["heartbeat"] = {"interval_ms": 10000}
    assert "WAL" in _problems(data)["heartbeat.action_query"]
    data = _raw("pricing")
    data["types"]["decimal_handling"] = "double"
    assert "choose 'precise' or 'string'" in _problems(data)["types.decimal_handling"]


def test_mysql_family_tables_must_be_in_the_captured_database() -> None:
    data = _raw("box_office")
    data["tables"].append("otherdb.T")
    assert "is not in database boxoffice" in _problems(data)["tables[6]"]


def test_rendered_configs_reference_the_password_and_redact_the_salt(tmp_path: Path) -> None:
    for system, path in builtin_specs().items():
        rendered = render(load_spec(path, {}), CTX)
        assert rendered.config["database.password"] == "${env:INVENTORY_CDC_DEBEZIUM_PASSWORD}"
        assert rendered.config["provide.transaction.metadata"] == "true"
        assert rendered.config["notification.sink.topic.name"] == f"{system}.notifications"
        assert rendered.config["decimal.handling.mode"] == "precise"
        shown = orjson.dumps(redact(rendered.config)).decode()
        assert "a-test-salt-of-24-chars" not in shown
    box = render(load_spec(builtin_specs()["box_office"], {}), CTX).config
    assert (
        box["column.mask.hash.v2.SHA-256.with.salt.a-test-salt-of-24-chars"] == "boxoffice.ORD_HDR.BUYER_NM"
    )
    crm = render(load_spec(builtin_specs()["crm"], {}), CTX).config
    assert crm["signal.data.collection"] == "crm.dbo.dbz_signal"
    assert crm["column.exclude.list"] == "dbo.Customer.BirthDate"
    pricing = render(load_spec(builtin_specs()["pricing"], {}), CTX).config
    assert pricing["publication.autocreate.mode"] == "disabled"
    assert "pg_logical_emit_message" in pricing["heartbeat.action.query"]


def test_a_spec_with_pii_cannot_render_without_a_salt() -> None:
    spec = load_spec(builtin_specs()["box_office"], {})
    with pytest.raises(SpecError) as info:
        render(spec, RenderContext("127.0.0.1:29092", None))
    assert info.value.problems[0].field == "pii.salt_env"


def test_rendered_configs_carry_the_capture_settings_the_decoder_is_written_for() -> None:
    """connectors/ may not import pipelines/, so the shared choices are checked here instead."""
    from pipelines.debezium.capture import capture_config

    for path in builtin_specs().values():
        spec = load_spec(path, {})
        config = render(spec, CTX).config
        wanted = capture_config(spec.engine)
        assert {key: config.get(key) for key in wanted} == wanted, spec.name
