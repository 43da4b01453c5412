"""A private PostgreSQL instance with logical decoding on, for the pricing and resale system."""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Sequence

import psycopg

from stack import process
from stack.binaries import find
from stack.exceptions import StackError
from stack.services.base import Service

#: Settings Debezium's PostgreSQL connector needs, and a cap on what a stalled slot may keep.
SERVER_SETTINGS: dict[str, str] = {
    "wal_level": "logical",
    "max_wal_senders": "20",
    "max_replication_slots": "20",
    # a connector that stops consuming pins WAL; cap it so a forgotten slot cannot fill the disk
    "max_slot_wal_keep_size": "4GB",
    "wal_sender_timeout": "60s",
    "max_connections": "200",
    "shared_buffers": "128MB",
    "timezone": "UTC",
}


class Postgres(Service):
    name = "postgres"
    port_field = "postgres_port"
    # SIGINT is PostgreSQL's "fast" shutdown; SIGTERM would wait for every client to disconnect
    stop_signal = signal.SIGINT
    binaries = ("postgres", "initdb")
    run_as = "postgres"

    @property
    def pgdata(self) -> os.PathLike[str]:
        return self.data_dir / "data"

    @property
    def socket_dir(self) -> os.PathLike[str]:
        return self.data_dir / "socket"

    def prepare(self) -> None:
        pgdata = self.data_dir / "data"
        (self.data_dir / "socket").mkdir(parents=True, exist_ok=True)
        process.check_reachable(self.data_dir, self.user, "postgres")
        process.chown_tree(self.data_dir, self.user)
        if (pgdata / "PG_VERSION").exists():
            return
        password = self.settings.secrets.postgres_password.get_secret_value()
        with tempfile.NamedTemporaryFile("w", dir=self.data_dir, delete=False) as pwfile:
            pwfile.write(password + "\n")
        try:
            os.chmod(pwfile.name, 0o600)
            if self.user:
                os.chown(pwfile.name, *self.user)
            code = process.run_checked(
                [
                    find("initdb"),
                    "-D",
                    str(pgdata),
                    "-U",
                    "postgres",
                    "--pwfile",
                    pwfile.name,
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "--encoding=UTF8",
                    "--no-locale",
                ],
                self.log_path,
                user=self.user,
            )
        finally:
            os.unlink(pwfile.name)
        if code != 0:
            raise StackError(
                f"initdb failed with exit code {code}; log {self.log_path}, last lines:\n{process.tail(self.log_path, 5)}"
            )

    def command(self) -> Sequence[str]:
        argv = [
            find("postgres"),
            "-D",
            str(self.data_dir / "data"),
            "-p",
            str(self.port),
            "-c",
            f"listen_addresses={self.settings.host}",
            "-c",
            f"unix_socket_directories={self.data_dir / 'socket'}",
        ]
        for key, value in SERVER_SETTINGS.items():
            argv += ["-c", f"{key}={value}"]
        return argv

    def healthy(self) -> bool:
        try:
            with psycopg.connect(
                host=self.settings.host,
                port=self.port,
                user="postgres",
                password=self.settings.secrets.postgres_password.get_secret_value(),
                dbname="postgres",
                connect_timeout=2,
            ) as conn:
                row = conn.execute("SHOW wal_level").fetchone()
                return row is not None and row[0] == "logical"
        except psycopg.Error:
            return False
