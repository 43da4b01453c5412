"""``inventory-cdc legacy init`` without databases: argument errors and unreachable servers, in one line."""

from __future__ import annotations

import socket

from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_crm_without_sql_server_url_is_a_usage_error_in_one_line() -> None:
    result = runner.invoke(app, ["legacy", "init", "crm"], env={"INVENTORY_CDC_CRM_URL": ""})
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "runs only where SQL Server runs (compose)" in result.stderr
    assert "INVENTORY_CDC_CRM_URL" in result.stderr


def test_unknown_system_is_a_usage_error() -> None:
    result = runner.invoke(app, ["legacy", "init", "ticketmaster"])
    assert result.exit_code == 2
    assert "choose one of box_office, pricing, crm" in result.stderr


def test_unreachable_database_is_one_line_with_a_hint_and_no_traceback() -> None:
    port = _closed_port()
    result = runner.invoke(
        app, ["legacy", "init", "box_office"], env={"INVENTORY_CDC_STACK_MARIADB_PORT": str(port)}
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: MariaDB at 127.0.0.1:{port} is not reachable: start it with `inventory-cdc stack up`"
    )
    assert "Traceback" not in result.output


def test_missing_sql_server_driver_is_one_line() -> None:
    result = runner.invoke(
        app,
        ["legacy", "init", "crm"],
        env={"INVENTORY_CDC_CRM_URL": "mssql+nosuchdriver://sa:x@127.0.0.1:1/master"},
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert result.stderr.strip().count("\n") == 0
    assert "x@" not in result.stderr  # the URL's password is never echoed
