"""compose.yaml describes the same topology as `stack/`: services, loopback ports, versions and settings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from stack.services.connect import Connect
from stack.services.mariadb import SERVER_SETTINGS as MARIADB_SETTINGS
from stack.services.postgres import SERVER_SETTINGS as POSTGRES_SETTINGS
from stack.settings import REPO_ROOT, StackSettings

COMPOSE = yaml.safe_load((REPO_ROOT / "compose.yaml").read_text())
POM = (REPO_ROOT / "stack" / "pom.xml").read_text()
#: compose service -> the stack service it stands for
SAME_AS = {"postgres": "postgres", "mysql": "mariadb", "kafka": "kafka", "connect": "connect"}


def _pom_property(name: str, pom: str = POM) -> str:
    match = re.search(rf"<{re.escape(name)}>([^<]+)</{re.escape(name)}>", pom)
    assert match, name
    return match.group(1)


def _published(service: dict[str, Any]) -> tuple[str, int]:
    (mapping,) = service["ports"]
    host, published, _ = mapping.split(":")
    return host, int(published)


def test_compose_has_the_stack_services_plus_sql_server() -> None:
    assert set(COMPOSE["services"]) == {*SAME_AS, "sqlserver"}


def test_compose_publishes_the_stack_ports_on_loopback_only() -> None:
    # the defaults, whatever this shell's INVENTORY_CDC_STACK_* variables say
    defaults = {name: field.default for name, field in StackSettings.model_fields.items()}
    for compose_name, stack_name in SAME_AS.items():
        host, port = _published(COMPOSE["services"][compose_name])
        assert host == "127.0.0.1"
        assert port == defaults[f"{stack_name}_port"], compose_name
    assert _published(COMPOSE["services"]["sqlserver"])[0] == "127.0.0.1"


def test_compose_images_match_the_pinned_versions() -> None:
    services = COMPOSE["services"]
    assert services["kafka"]["image"].endswith(":" + _pom_property("kafka.version"))
    assert services["connect"]["image"].endswith(":" + _pom_property("debezium.version") + "}")
    assert services["postgres"]["image"].startswith("postgres:")
    assert "2022" in services["sqlserver"]["image"]
    assert services["sqlserver"]["environment"]["MSSQL_AGENT_ENABLED"] == "true"


def test_both_transports_pin_one_debezium_and_one_kafka() -> None:
    embedded = (REPO_ROOT / "stack" / "embedded" / "pom.xml").read_text()
    for name in ("debezium.version", "kafka.version"):
        assert _pom_property(name, embedded) == _pom_property(name), name


def test_compose_database_settings_match_the_stack() -> None:
    pg_command = " ".join(COMPOSE["services"]["postgres"]["command"])
    for key in ("wal_level", "max_wal_senders", "max_replication_slots", "max_slot_wal_keep_size"):
        assert f"{key}={POSTGRES_SETTINGS[key]}" in pg_command
    mysql_command = COMPOSE["services"]["mysql"]["command"]
    for key in ("server-id", "log-bin", "binlog-format", "binlog-row-image", "binlog-expire-logs-seconds"):
        assert f"--{key}={MARIADB_SETTINGS[key]}" in mysql_command


def test_compose_connect_matches_the_stack_worker_config() -> None:
    env = COMPOSE["services"]["connect"]["environment"]
    props = Connect(StackSettings(home=Path("/nonexistent"))).properties()
    assert env["GROUP_ID"] == props["group.id"]
    for topic in ("config", "offset", "status"):
        assert env[f"{topic.upper()}_STORAGE_TOPIC"] == props[f"{topic}.storage.topic"]
    assert env["VALUE_CONVERTER"] == props["value.converter"]
    assert env["CONNECT_VALUE_CONVERTER_SCHEMAS_ENABLE"] == props["value.converter.schemas.enable"]
    assert env["CONNECT_CONFIG_PROVIDERS"] == props["config.providers"]
    # no literal secrets: every password is an environment reference
    for service in COMPOSE["services"].values():
        for key, value in (service.get("environment") or {}).items():
            if "PASSWORD" in key:
                assert str(value).startswith("${"), key
