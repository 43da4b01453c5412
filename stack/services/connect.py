"""Kafka Connect in distributed mode, with the Debezium connector plugins on its plugin path."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import httpx

from stack.services.base import Service
from stack.services.jvm import java_command, write_properties
from stack.settings import StackSecrets

#: The connector classes the stack must offer before it counts as healthy.
DEBEZIUM_CONNECTORS = (
    "io.debezium.connector.postgresql.PostgresConnector",
    "io.debezium.connector.mysql.MySqlConnector",
    "io.debezium.connector.mariadb.MariaDbConnector",
    "io.debezium.connector.sqlserver.SqlServerConnector",
)

CONNECT_GROUP = "inventory-cdc-connect"


class Connect(Service):
    name = "connect"
    port_field = "connect_port"
    binaries = ("java",)

    def properties(self) -> dict[str, str]:
        host = self.settings.host
        return {
            "bootstrap.servers": self.settings.kafka_bootstrap,
            "group.id": CONNECT_GROUP,
            "listeners": f"http://{host}:{self.settings.connect_port}",
            "rest.advertised.host.name": host,
            "rest.advertised.port": str(self.settings.connect_port),
            "plugin.path": str(self.settings.jvm_home / "plugins"),
            # Connect's own topics: compacted, one replica on a one-node cluster
            "config.storage.topic": "_connect-configs",
            "config.storage.replication.factor": "1",
            "offset.storage.topic": "_connect-offsets",
            "offset.storage.replication.factor": "1",
            "offset.storage.partitions": "5",
            "status.storage.topic": "_connect-status",
            "status.storage.replication.factor": "1",
            "status.storage.partitions": "1",
            "offset.flush.interval.ms": "1000",
            # JSON with schemas: logical types (Decimal scale, time precision) travel with every record
            "key.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "key.converter.schemas.enable": "true",
            "value.converter.schemas.enable": "true",
            # connectors may create their topics with their own settings (Debezium's topic.creation.*)
            "topic.creation.enable": "true",
            "connector.client.config.override.policy": "All",
            # secrets reach connector configs only as ${env:NAME}, ${file:path:key} or ${dir:path:file}
            "config.providers": "env,file,dir",
            "config.providers.env.class": "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
            "config.providers.file.class": "org.apache.kafka.common.config.provider.FileConfigProvider",
            "config.providers.dir.class": "org.apache.kafka.common.config.provider.DirectoryConfigProvider",
            "task.shutdown.graceful.timeout.ms": "10000",
            "scheduled.rebalance.max.delay.ms": "0",
        }

    def prepare(self) -> None:
        write_properties(self.data_dir / "connect-distributed.properties", self.properties())

    def environment(self) -> Mapping[str, str]:
        env = dict(os.environ)
        # only the capture user's password, for connector configs that say ${env:INVENTORY_CDC_DEBEZIUM_PASSWORD}
        env[StackSecrets.env_name("debezium_password")] = (
            self.settings.secrets.debezium_password.get_secret_value()
        )
        return env

    def command(self) -> Sequence[str]:
        return java_command(
            self.settings,
            self.data_dir,
            self.settings.connect_heap,
            "org.apache.kafka.connect.cli.ConnectDistributed",
            str(self.data_dir / "connect-distributed.properties"),
        )

    def healthy(self) -> bool:
        try:
            response = httpx.get(f"{self.settings.connect_url}/connector-plugins", timeout=3)
        except httpx.HTTPError:
            return False
        if response.status_code != 200:
            return False
        classes = {plugin.get("class") for plugin in response.json()}
        return all(name in classes for name in DEBEZIUM_CONNECTORS)
