"""Impossible input is refused with one line and exit code 2 (usage) or 1 (state), never a traceback."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest

from stack.settings import StackSettings
from tests.simulator.conftest import simulate


def _one_line_error(stderr: str) -> str:
    text = stderr.strip()
    assert text.startswith("error: "), text
    assert "\n" not in text, text
    assert "Traceback" not in text
    return text


def test_unknown_scenario_lists_the_known_ones(tmp_path: Path) -> None:
    result = simulate("--scenario", "black-friday", "--seed", "1", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert (
        _one_line_error(result.stderr)
        == "error: unknown scenario 'black-friday': choose one of onsale, steady"
    )
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("rate", ["-5", "0"])
def test_rate_must_be_positive(tmp_path: Path, rate: str) -> None:
    result = simulate("--scenario", "onsale", "--seed", "1", "--rate", rate, "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "the rate must be a positive number" in _one_line_error(result.stderr)


@pytest.mark.parametrize(("option", "value"), [("--duration", "-1"), ("--transactions", "0")])
def test_bounds_must_be_positive(tmp_path: Path, option: str, value: str) -> None:
    result = simulate("--scenario", "steady", "--seed", "1", option, value, "--out", str(tmp_path))
    assert result.exit_code == 2
    assert re.search(r"must be (a )?positive", _one_line_error(result.stderr))


@pytest.fixture
def empty_box_office(initialised: StackSettings) -> Iterator[str]:
    """A fresh, empty MariaDB database (no tables), dropped afterwards."""
    name = f"sim_empty_{uuid.uuid4().hex[:10]}"
    conn = pymysql.connect(
        host=initialised.host,
        port=initialised.mariadb_port,
        user="root",
        password=initialised.secrets.mariadb_root_password.get_secret_value(),
        autocommit=True,
    )
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}`")
        yield name
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


@pytest.mark.stack
def test_an_empty_box_office_database_says_run_legacy_init(empty_box_office: str, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = simulate(
        "--scenario",
        "onsale",
        "--seed",
        "1",
        "-n",
        "10",
        "--box-office-db",
        empty_box_office,
        "--out",
        str(out),
    )
    assert result.exit_code == 1
    line = _one_line_error(result.stderr)
    assert f"the box_office database '{empty_box_office}' is not initialised" in line
    assert "VENUE" in line and "run `inventory-cdc legacy init`" in line
    assert not out.exists()


@pytest.mark.stack
def test_a_missing_pricing_database_says_run_legacy_init(initialised: StackSettings, tmp_path: Path) -> None:
    name = f"sim_missing_{uuid.uuid4().hex[:10]}"
    result = simulate(
        "--scenario",
        "onsale",
        "--seed",
        "1",
        "-n",
        "10",
        "--pricing-db",
        name,
        "--out",
        str(tmp_path / "run"),
    )
    assert result.exit_code == 1
    line = _one_line_error(result.stderr)
    assert f"the pricing database '{name}' is not initialised (it does not exist)" in line
    assert "run `inventory-cdc legacy init`" in line
    assert initialised.secrets.postgres_password.get_secret_value() not in result.output


@pytest.mark.stack
def test_an_unreachable_crm_is_refused_without_echoing_its_password(
    initialised: StackSettings, tmp_path: Path
) -> None:
    url = "mssql+pymssql://sa:Not-a-real-pw-42@127.0.0.1:1/master"
    out = tmp_path / "run"
    result = simulate(
        "-s", "onsale", "--seed", "1", "-n", "5", "--out", str(out), env={"INVENTORY_CDC_CRM_URL": url}
    )
    assert result.exit_code == 1
    line = _one_line_error(result.stderr)
    assert line.startswith("error: SQL Server for crm at 127.0.0.1:1 is not usable")
    assert "INVENTORY_CDC_CRM_URL" in line and "Not-a-real-pw-42" not in result.output
    assert not out.exists()
