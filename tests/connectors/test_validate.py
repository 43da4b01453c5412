"""``connectors validate`` refuses broken specs with the field named, using our rules, Kafka Connect's validation
against the real Debezium plugins, and the live databases."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from pydantic import SecretStr

from connectors.connect_client import ConnectClient
from connectors.loader import builtin_specs, load_spec
from connectors.render import RenderContext, render
from connectors.validate import CONNECTION_KEYS, problems_of
from stack.settings import StackSettings
from tests.connectors.conftest import Cli, mariadb_root
from tests.support import unique

pytestmark = pytest.mark.stack


def _errors(cli: Cli, path: Path) -> dict[str, str]:
    """field -> message of every error ``validate -o json`` reports (exit code 1 required)."""
    result = cli("validate", str(path), "-o", "json", code=1)
    [report] = orjson.loads(result.stdout)
    assert not report["ok"]
    found: dict[str, str] = {}
    for p in report["problems"]:
        if p["severity"] == "error":
            found[p["field"]] = (
                f"{found[p['field']]} | {p['message']}" if p["field"] in found else p["message"]
            )
    return found


def test_the_shipped_local_specs_are_valid(cli: Cli, legacy_ready: StackSettings) -> None:
    result = cli("validate")
    assert "box_office: valid (checked: spec, connect, database)" in result.stdout
    assert "pricing: valid (checked: spec, connect, database)" in result.stdout


def test_a_literal_password_is_refused_and_never_echoed(cli: Cli, make_spec: Any, tmp_path: Path) -> None:
    data = yaml.safe_load(make_spec("pricing").path.read_text())
    data["connection"]["password"] = "Tr0ub4dor-literal"
    path = tmp_path / "literal.yaml"
    path.write_text(yaml.safe_dump(data))
    result = cli("validate", str(path), code=1)
    assert "connection.password" in result.stdout
    assert "literal password is refused" in result.stdout
    assert "Tr0ub4dor" not in result.output


def test_an_unknown_table_is_named(cli: Cli, make_spec: Any) -> None:
    spec = make_spec("pricing", tables=["pricing.price_level", "pricing.no_such_table"])
    errors = _errors(cli, spec.path)
    assert "pricing.no_such_table does not exist in pricing" in errors["tables[1]"]


def test_a_table_without_primary_key_needs_a_message_key(
    cli: Cli, make_spec: Any, legacy_ready: StackSettings
) -> None:
    table = unique("NOPK").upper()
    with mariadb_root(legacy_ready) as cur:
        cur.execute(
            f"CREATE TABLE boxoffice.{table} (CODE CHAR(4) NOT NULL, NOTE VARCHAR(20)) DEFAULT CHARSET=latin1"
        )
    try:
        tables = ["boxoffice.ORD_HDR", f"boxoffice.{table}"]
        errors = _errors(cli, make_spec("box_office", tables=tables).path)
        assert f"boxoffice.{table} has no primary key" in errors["tables[1]"]
        assert "key_columns" in errors["tables[1]"]
        keyed = make_spec(
            "box_office",
            tables=["boxoffice.ORD_HDR", {"name": f"boxoffice.{table}", "key_columns": ["CODE"]}],
        )
        assert f"{keyed.name}: valid" in cli("validate", str(keyed.path)).stdout
        wrong = make_spec(
            "box_office",
            tables=["boxoffice.ORD_HDR", {"name": f"boxoffice.{table}", "key_columns": ["NOPE"]}],
        )
        assert "has no column NOPE" in _errors(cli, wrong.path)["tables[1].key_columns"]
    finally:
        with mariadb_root(legacy_ready) as cur:
            cur.execute(f"DROP TABLE IF EXISTS boxoffice.{table}")


def test_a_snapshot_mode_of_another_engine_is_refused(cli: Cli, make_spec: Any, tmp_path: Path) -> None:
    data = yaml.safe_load(make_spec("pricing").path.read_text())
    data["snapshot"]["mode"] = "never"  # valid for MySQL, not for PostgreSQL
    path = tmp_path / "never.yaml"
    path.write_text(yaml.safe_dump(data))
    result = cli("validate", str(path), code=1)
    assert "snapshot.mode" in result.stdout
    assert "'never' is not a PostgreSQL snapshot mode" in result.stdout


def test_an_unreachable_database_names_the_connection_field(cli: Cli, make_spec: Any) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for system in ("pricing", "box_office"):
        errors = _errors(cli, make_spec(system, connection__port=port).path)
        assert "connection.port" in errors, errors
        assert "cannot reach" in errors["connection.port"] and str(port) in errors["connection.port"]


def test_the_crm_config_passes_the_real_sql_server_plugin_except_the_connection(
    stack_settings: StackSettings, connect: ConnectClient
) -> None:
    spec = load_spec(builtin_specs()["crm"], {})
    rendered = render(
        spec, RenderContext(stack_settings.kafka_bootstrap, SecretStr("crm-validation-salt-0001"))
    )
    result = connect.validate(rendered.connector_class, {"name": spec.name, **rendered.config})
    failing = {c["value"]["name"] for c in result["configs"] if c["value"]["errors"]}
    assert failing, "nothing runs SQL Server here: the connection itself must fail"
    assert failing <= CONNECTION_KEYS, failing
    problems = problems_of(result, rendered)
    assert {p.field for p in problems} <= {
        "connection.host",
        "connection.port",
        "connection.user",
        "connection.password",
    }
