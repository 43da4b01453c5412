"""Fixtures of the simulator tests: initialised legacy databases, and running ``inventory-cdc simulate``.

Live runs write into scratch databases made by the legacy installers (unique names, dropped at the end), so the
tests leave nothing behind in the shared ``boxoffice`` and ``pricing`` databases and cannot disturb connectors
capturing them; every run in a test session shares the same scratch pair, as runs share the real databases.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pymysql
import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from cli.main import app
from legacy_adapters.box_office.install import install as install_box_office
from legacy_adapters.pricing.install import install as install_pricing
from legacy_adapters.registry import get_system, installer
from stack.settings import StackSettings

runner = CliRunner()


@dataclass(frozen=True)
class Databases:
    """A box-office (MariaDB) and a pricing (PostgreSQL) database with the legacy tables, and the stack."""

    settings: StackSettings
    box_office: str
    pricing: str

    def args(self) -> list[str]:
        return ["--box-office-db", self.box_office, "--pricing-db", self.pricing]


@pytest.fixture(scope="session")
def initialised(stack_settings: StackSettings) -> Iterator[StackSettings]:
    """The stack with the box office and pricing databases initialised, as `inventory-cdc legacy init` does."""
    password = stack_settings.secrets.debezium_password
    installer(get_system("box_office"))(make_url(stack_settings.mariadb_url()), password)
    installer(get_system("pricing"))(make_url(stack_settings.postgres_url()), password)
    yield stack_settings


@pytest.fixture(scope="session")
def scratch(initialised: StackSettings) -> Iterator[Databases]:
    """Uniquely named databases initialised by the legacy installers (tables only), dropped afterwards."""
    settings = initialised
    name = f"sim_{uuid.uuid4().hex[:10]}"
    password = settings.secrets.debezium_password
    install_box_office(make_url(settings.mariadb_url()), password, database=name, capture_user=False)
    install_pricing(make_url(settings.postgres_url()), password, database=name, capture_user=False)
    try:
        yield Databases(settings, name, name)
    finally:
        maria = pymysql.connect(
            host=settings.host,
            port=settings.mariadb_port,
            user="root",
            password=settings.secrets.mariadb_root_password.get_secret_value(),
            autocommit=True,
        )
        with maria, maria.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        with psycopg.connect(
            host=settings.host,
            port=settings.postgres_port,
            dbname="postgres",
            user="postgres",
            password=settings.secrets.postgres_password.get_secret_value(),
            autocommit=True,
        ) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def simulate(*args: str, env: dict[str, str] | None = None) -> Result:
    """``inventory-cdc simulate ARGS`` in-process (no CRM: INVENTORY_CDC_CRM_URL unset)."""
    return runner.invoke(
        app, ["simulate", *args], env={"COLUMNS": "200", "INVENTORY_CDC_CRM_URL": "", **(env or {})}
    )


def simulate_ok(out: Path, *args: str) -> dict[str, Any]:
    """Run ``simulate -o json --out OUT ARGS``, assert success, and return the JSON summary."""
    result = simulate("--out", str(out), "-o", "json", *args)
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = orjson.loads(result.stdout)
    return summary
