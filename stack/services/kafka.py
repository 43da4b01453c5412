"""A single-node Kafka in KRaft mode (broker and controller in one process)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence

from confluent_kafka.admin import AdminClient

from stack import process
from stack.exceptions import StackError
from stack.services.base import Service
from stack.services.jvm import java_command, write_properties


def new_cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes in URL-safe base64, never starting with ``-``.

    Kafka's own ids avoid a leading dash too: the storage tool's argument parser would take it for an option.
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


class Kafka(Service):
    name = "kafka"
    port_field = "kafka_port"
    binaries = ("java",)

    @property
    def ports(self) -> dict[str, int]:
        return {
            "kafka_port": self.settings.kafka_port,
            "kafka_controller_port": self.settings.kafka_controller_port,
        }

    def properties(self) -> dict[str, str]:
        host = self.settings.host
        return {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@{host}:{self.settings.kafka_controller_port}",
            "listeners": f"PLAINTEXT://{host}:{self.settings.kafka_port},CONTROLLER://{host}:{self.settings.kafka_controller_port}",
            "advertised.listeners": f"PLAINTEXT://{host}:{self.settings.kafka_port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(self.data_dir / "data"),
            "num.partitions": "1",
            "default.replication.factor": "1",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "10",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "10",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "true",
            "log.retention.hours": "168",
            "message.max.bytes": "8388608",
        }

    def prepare(self) -> None:
        config = self.data_dir / "server.properties"
        write_properties(config, self.properties())
        if (self.data_dir / "data" / "meta.properties").exists():
            return
        cluster_id = new_cluster_id()
        argv = java_command(
            self.settings,
            self.data_dir,
            "256m",
            "kafka.tools.StorageTool",
            "format",
            "-t",
            cluster_id,
            "-c",
            str(config),
        )
        code = process.run_checked(argv, self.log_path)
        if code != 0:
            raise StackError(f"formatting Kafka's KRaft storage failed (exit {code}); see {self.log_path}")

    def command(self) -> Sequence[str]:
        return java_command(
            self.settings,
            self.data_dir,
            self.settings.kafka_heap,
            "kafka.Kafka",
            str(self.data_dir / "server.properties"),
        )

    def healthy(self) -> bool:
        if not process.port_open(self.settings.host, self.settings.kafka_port):
            return False
        try:
            admin = AdminClient(
                {
                    "bootstrap.servers": self.settings.kafka_bootstrap,
                    "socket.timeout.ms": 2000,
                    "log_level": 0,
                }
            )
            metadata = admin.list_topics(timeout=2)
        except Exception:  # librdkafka raises KafkaException and others while the broker starts
            return False
        return len(metadata.brokers) >= 1
